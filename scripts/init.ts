/**
 * `npm run init`: loads the reviewed default catalog (data/default-catalog.json) into the table:
 * locally into the embedded DynamoDB under DATA_DIR (or the running gateway's), in AWS into
 * TABLE_NAME (GATEWAY_RUNTIME=aws). Idempotent: a second run changes nothing.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';

const { fileURLToPath } = await import('node:url');
const { openToolDeps } = await import('../local/attach.js');
const { loadCatalog, readCatalog } = await import('../lib/services/catalog/load.js');
const { importEnvironmentCredentials } = await import('../lib/services/credentials/index.js');

const catalogPath =
  process.env.CATALOG_FILE ?? fileURLToPath(new URL('../data/default-catalog.json', import.meta.url));
const { deps, close } = await openToolDeps(process.env);
try {
  const actor = { keyId: 'init-script', requestId: `init-${Date.now()}`, sourceIp: '' };
  const catalog = readCatalog(catalogPath);
  const report = await loadCatalog(deps, catalog, actor);
  // OPENAI_API_KEY, ANTHROPIC_API_KEY, COHERE_API_KEY and HF_TOKEN become the default providers' keys.
  const byType = Object.fromEntries(
    catalog.providers.map((p) => [p.provider_type, report.providerIds[p.name]]),
  );
  const imported = await importEnvironmentCredentials(deps, process.env, byType, actor);
  process.stdout.write(
    `Providers created: ${report.providers.created.join(', ') || 'none'}; already present: ${report.providers.existing.join(', ') || 'none'}\n` +
      `Models created: ${report.models.created}; already present: ${report.models.existing}\n` +
      `Credentials from the environment: ${imported.map((i) => `${i.variable} ${i.outcome}`).join(', ')}\n`,
  );
} catch (error) {
  process.stderr.write(`init failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
} finally {
  await close();
}
