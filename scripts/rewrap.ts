/**
 * `npm run rewrap`: re-wraps every credential data key under the current master key and destroys
 * retiring versions past their grace period. Locally it works on DATA_DIR's embedded DynamoDB (or the
 * running gateway's) and `DATA_DIR/master-keys.json`; in AWS (GATEWAY_RUNTIME=aws) on TABLE_NAME
 * with `CREDENTIAL_KEY_ID` as the target. Safe to stop (Ctrl-C finishes the current credential) and
 * to run again: a second run re-wraps only what the first did not.
 *
 *   npm run rewrap                      re-wrap under the current key
 *   npm run rewrap -- --new-master-key  local only: add a new master key first, then re-wrap
 *   npm run rewrap -- --sweep           only destroy expired retiring versions (no key calls)
 *   npm run rewrap -- --limit 50        credentials per page (default 25)
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';

const { parseArgs } = await import('node:util');
const { openToolDeps } = await import('../local/attach.js');
const { rewrapCredentials } = await import('../lib/services/credentials/rewrap.js');
type Gateway = import('../lib/runtime/gateway.js').Gateway;
type RewrapReport = import('../lib/schemas/credentials.js').RewrapReport;

const { values: args } = parseArgs({
  options: {
    'new-master-key': { type: 'boolean', default: false },
    sweep: { type: 'boolean', default: false },
    limit: { type: 'string', default: '25' },
  },
});

/** Adds a new current master key (local runtime only: in AWS the target comes from CREDENTIAL_KEY_ID). */
async function addMasterKey(deps: Gateway): Promise<void> {
  if (deps.config.GATEWAY_RUNTIME !== 'local') {
    throw new Error('--new-master-key is for the local runtime; in AWS set CREDENTIAL_KEY_ID to the new key');
  }
  const provider = await deps.keyProvider();
  if (!('addMasterKey' in provider) || typeof provider.addMasterKey !== 'function') {
    throw new Error('the key provider cannot add master keys');
  }
  const id = await provider.addMasterKey();
  process.stdout.write(`Added master key ${id}; restart a running local gateway so it encrypts under it.\n`);
}

/** Runs page after page until done or interrupted; returns the summed report. */
async function run(
  deps: Gateway,
  signal: AbortSignal,
): Promise<Omit<RewrapReport, 'next_cursor' | 'has_more'>> {
  const total = {
    credentials: 0,
    scanned: 0,
    rewrapped: 0,
    skipped: 0,
    failed: 0,
    destroyed: 0,
    failures: [] as RewrapReport['failures'],
  };
  const limit = Math.min(100, Math.max(1, Number.parseInt(args.limit, 10) || 25));
  let cursor: string | undefined;
  do {
    const page = await rewrapCredentials(deps, {
      cursor,
      limit,
      signal,
      mode: args.sweep ? 'sweep' : 'rewrap',
    });
    for (const key of ['credentials', 'scanned', 'rewrapped', 'skipped', 'failed', 'destroyed'] as const) {
      total[key] += page[key];
    }
    total.failures.push(...page.failures);
    cursor = page.next_cursor ?? undefined;
  } while (cursor && !signal.aborted);
  return total;
}

const controller = new AbortController();
process.once('SIGINT', () => {
  process.stderr.write('Stopping after the current credential (run again to finish)\n');
  controller.abort();
});
const { deps, close } = await openToolDeps(process.env);
try {
  if (args['new-master-key']) await addMasterKey(deps);
  const report = await run(deps, controller.signal);
  process.stdout.write(`${JSON.stringify({ ...report, complete: !controller.signal.aborted })}\n`);
  if (report.failed > 0) process.exitCode = 2;
} catch (error) {
  const code = (error as { code?: unknown }).code;
  process.stderr.write(
    `rewrap stopped: ${error instanceof Error ? error.message : String(error)}${typeof code === 'string' ? ` (${code})` : ''}\n` +
      'Everything re-wrapped so far is saved; run again to continue.\n',
  );
  process.exitCode = 1;
} finally {
  await close();
}
