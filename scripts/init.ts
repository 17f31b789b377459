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

const catalogPath =
  process.env.CATALOG_FILE ?? fileURLToPath(new URL('../data/default-catalog.json', import.meta.url));
const { deps, close } = await openToolDeps(process.env);
try {
  const actor = { keyId: 'init-script', requestId: `init-${Date.now()}`, sourceIp: '' };
  const report = await loadCatalog(deps, readCatalog(catalogPath), actor);
  process.stdout.write(
    `Providers created: ${report.providers.created.join(', ') || 'none'}; already present: ${report.providers.existing.join(', ') || 'none'}\n` +
      `Models created: ${report.models.created}; already present: ${report.models.existing}\n`,
  );
} catch (error) {
  process.stderr.write(`init failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
} finally {
  await close();
}
