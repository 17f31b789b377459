/**
 * `npm start`: the gateway on 127.0.0.1:PORT (default 8080) with embedded DynamoDB under DATA_DIR
 * (default .data/). Ctrl-C stops cleanly; a restart keeps the data.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';

const { startLocalRuntime } = await import('./start.js');
const { VERSION } = await import('../lib/version.js');

try {
  const runtime = await startLocalRuntime(process.env);
  process.stdout.write(`AI gateway ${VERSION} listening on ${runtime.url} (data in ${runtime.dataDir})\n`);
  if (runtime.adminKeyCreated) {
    process.stdout.write(
      `Generated the admin API key (shown once; kept in ${runtime.dataDir}/admin-api-key, mode 0600):\n  ${runtime.adminKey}\n`,
    );
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: stopping\n`);
    runtime.close().then(
      () => {
        process.stdout.write('stopped\n');
        process.exit(0);
      },
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
} catch (error) {
  process.stderr.write(
    `Could not start the gateway: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
}
