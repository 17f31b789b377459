/**
 * `npm run config:plan -- FILE`, `npm run config:apply -- FILE`, `npm run config:export`: the
 * gateway's configuration as a file (see docs/configuration-as-code.md). Locally against the
 * running gateway's store or DATA_DIR; with GATEWAY_RUNTIME=aws against TABLE_NAME.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.LOG_LEVEL ??= 'WARN';

const { loadDotEnv } = await import('../local/dotenv.js');
const { runConfigCommand } = await import('./config/command.js');
const { openToolDeps } = await import('../local/attach.js');

// npm runs scripts in the package folder; INIT_CWD is where the user ran npm (the file and .env live there).
const cwd = process.env.INIT_CWD || process.cwd();
loadDotEnv(process.env, cwd);
process.exitCode = await runConfigCommand(process.argv.slice(2), {
  env: process.env,
  cwd,
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  open: openToolDeps,
});
