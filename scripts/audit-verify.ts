/**
 * `npm run audit:verify`: checks the audit trail's hash chain and reports any edited, removed or
 * reordered event (exit code 1), or OK. Locally it attaches to the running gateway's embedded
 * DynamoDB (or opens DATA_DIR); in AWS it reads TABLE_NAME (GATEWAY_RUNTIME=aws).
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';

const { openToolDeps } = await import('../local/attach.js');
const { formatChainReport, verifyAuditTable } = await import('../lib/audit/verify-table.js');

const { deps, close } = await openToolDeps(process.env);
try {
  const report = await verifyAuditTable(deps);
  process.stdout.write(formatChainReport(report));
  if (!report.ok) process.exitCode = 1;
} catch (error) {
  process.stderr.write(`audit:verify failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
} finally {
  await close();
}
