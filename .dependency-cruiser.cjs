/**
 * The layers of the gateway and which may import which (docs/architecture.md). Checked in `npm test`
 * (`npm run lint:deps`). Type-only imports are not counted (`dependencyTypesNot`): they vanish at compile time.
 */
const FOUNDATION = '^lib/(errors|config|observability|ids|redact|version|state-slots|tracing)\\.ts$';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Modules import in one direction: a cycle means two modules are one, or a seam is missing.',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'lib-stays-below-entry-points',
      severity: 'error',
      comment: 'lib/ never imports the Lambda entries, the local runtime, the stack or the scripts.',
      from: { path: '^lib/' },
      to: { dependencyTypesNot: ['type-only'], path: '^(functions|local|infra|scripts|bench|test)/' },
    },
    {
      name: 'foundation-imports-nothing-above',
      severity: 'error',
      comment: 'Errors, configuration, logging and ids are used by everyone and use no one.',
      from: { path: FOUNDATION },
      to: { dependencyTypesNot: ['type-only'], path: '^lib/', pathNot: [FOUNDATION, '^lib/schemas/'] },
    },
    {
      name: 'building-blocks-stay-below-services',
      severity: 'error',
      comment:
        'Formats, the upstream client, networking, crypto, storage, schemas and events know nothing of services, adapters, handlers or the instance.',
      from: { path: '^lib/(ai|upstream|net|crypto|store|schemas|events|aws)/' },
      to: {
        dependencyTypesNot: ['type-only'],
        path: '^lib/(services|adapters|http|endpoints|runtime|audit|auth|routes)/',
      },
    },
    {
      name: 'adapters-stay-below-services',
      severity: 'error',
      comment: 'Provider adapters translate and call upstreams; routing, usage and storage are above them.',
      from: { path: '^lib/adapters/' },
      to: {
        dependencyTypesNot: ['type-only'],
        path: '^lib/(services|http|endpoints|runtime|audit|auth|store|routes)/',
      },
    },
    {
      name: 'adapter-contract-names-no-provider',
      severity: 'error',
      comment: 'The shared contract imports nothing from any single provider (only the registry lists them).',
      from: { path: '^lib/adapters/[^/]+\\.ts$', pathNot: '^lib/adapters/registry\\.ts$' },
      to: { dependencyTypesNot: ['type-only'], path: '^lib/adapters/[^/]+/' },
    },
    {
      name: 'services-stay-below-http',
      severity: 'error',
      comment:
        'Services take the gateway instance and plain input; HTTP requests and replies are the layer above.',
      from: { path: '^lib/(services|audit|auth)/' },
      to: { dependencyTypesNot: ['type-only'], path: '^lib/(http|endpoints|routes)/' },
    },
    {
      name: 'routes-are-data',
      severity: 'error',
      comment:
        'The route table and the stream consumers name endpoints, schemas and filters; they call nothing.',
      from: { path: '^lib/(routes|streams)' },
      to: {
        dependencyTypesNot: ['type-only'],
        path: '^lib/(services|adapters|http|endpoints|runtime|store|audit)/',
        pathNot: '^lib/(store/(keys|table-schema)|audit/entities)\\.ts$',
      },
    },
    {
      name: 'stack-reads-only-shared-names',
      severity: 'error',
      comment:
        'The CDK stack reads the route table, the table schema, key prefixes and the stream consumers, nothing that runs.',
      from: { path: '^infra/' },
      to: {
        dependencyTypesNot: ['type-only'],
        path: '^lib/(services|adapters|http|endpoints|runtime|audit|upstream|crypto)/',
      },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    parser: 'swc',
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(node_modules|dist|cdk\\.out|dashboard|run)/' },
  },
};
