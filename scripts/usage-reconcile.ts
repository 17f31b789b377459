/**
 * `npm run usage:reconcile [-- --from <ISO> --to <ISO>]`: recomputes the usage roll-ups of a period
 * (default: the last 48 hours) from the hourly counters and prints what it fixed, as JSON. Locally
 * it attaches to the running gateway's store (or opens DATA_DIR); with `GATEWAY_RUNTIME=aws` and
 * `TABLE_NAME` it works on the deployed table with the shell's credentials.
 */
import { parseArgs } from 'node:util';
import { runReconcile } from '../functions/durable/reconcile.js';
import { openToolDeps } from '../local/attach.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.LOG_LEVEL ??= 'WARN';

const { values } = parseArgs({ options: { from: { type: 'string' }, to: { type: 'string' } } });
const tool = await openToolDeps();
try {
  const report = await runReconcile(tool.deps, values);
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(
    `${report.fixed.length} roll-up entr${report.fixed.length === 1 ? 'y' : 'ies'} fixed\n`,
  );
} catch (error) {
  process.stderr.write(`usage:reconcile failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
} finally {
  await tool.close();
}
