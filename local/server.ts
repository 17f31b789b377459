/**
 * `npm start`: the gateway on 127.0.0.1:PORT (default 8080) with embedded DynamoDB under DATA_DIR
 * (default .data/). Ctrl-C stops cleanly; a restart keeps the data. `--help` lists the settings.
 * A failure to start is one line on stderr and exit code 1, never a stack trace.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';

const fail = (error: unknown) => {
  process.stderr.write(
    `Could not start the gateway: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  // The stack is for whoever debugs the gateway itself, not for a user's terminal.
  if (process.env.LOG_LEVEL?.toUpperCase() === 'DEBUG' && error instanceof Error) {
    process.stderr.write(`${error.stack}\n`);
  }
  process.exit(1);
};

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  const { helpText } = await import('./help.js');
  process.stdout.write(helpText());
  process.exit(0);
}

try {
  const { loadDotEnv } = await import('./dotenv.js');
  // npm runs scripts in the package folder; INIT_CWD is the folder the user ran npm in.
  loadDotEnv(process.env, process.env.INIT_CWD || process.cwd());
} catch (error) {
  fail(error);
}

// Whatever escapes later (an embedded store failing under us) is still one line, not a stack trace.
process.on('uncaughtException', fail);
process.on('unhandledRejection', fail);

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
  fail(error);
}
