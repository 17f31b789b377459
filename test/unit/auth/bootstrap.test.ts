import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BOOTSTRAP_REFRESH_MS, type BootstrapDeps, isBootstrapKey } from '../../../lib/auth/bootstrap.js';
import { loadConfig } from '../../../lib/config.js';
import { logger } from '../../../lib/observability.js';
import type { Gateway } from '../../../lib/runtime/gateway.js';
import { SlotStore } from '../../../lib/state-slots.js';

/** A gateway instance reduced to what the bootstrap check reads, with its own (mocked) client. */
function instance(env: Record<string, string>, now: () => number = Date.now): BootstrapDeps {
  const client = new SecretsManagerClient({});
  const deps = {
    config: loadConfig(env),
    now,
    secretsManager: async () => client,
    state: (slot) => slots.get(slot),
  } as BootstrapDeps;
  const slots = new SlotStore<Gateway>(deps as Gateway);
  return deps;
}

const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:gateway-admin-AbCdEf';
const FIRST = 'gk_bootstrap_first_0000000000000000000000';
const SECOND = 'gk_bootstrap_second_000000000000000000000';

describe('bootstrap admin key', () => {
  const sm = mockClient(SecretsManagerClient);
  afterEach(() => {
    sm.reset();
  });

  it('matches ADMIN_API_KEY without any call', async () => {
    const deps = instance({ ADMIN_API_KEY: FIRST });
    expect(await isBootstrapKey(deps, FIRST)).toBe(true);
    expect(await isBootstrapKey(deps, SECOND)).toBe(false);
    expect(sm.calls()).toHaveLength(0);
  });

  it('reads the Secrets Manager secret once, then again after the refresh period (rotation)', async () => {
    let now = 0;
    sm.on(GetSecretValueCommand).resolvesOnce({ SecretString: FIRST }).resolves({ SecretString: SECOND });
    const deps = instance({ ADMIN_KEY_SECRET_ARN: ARN }, () => now);
    expect(await isBootstrapKey(deps, FIRST)).toBe(true);
    expect(await isBootstrapKey(deps, FIRST)).toBe(true);
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    now += BOOTSTRAP_REFRESH_MS;
    expect(await isBootstrapKey(deps, FIRST)).toBe(false);
    expect(await isBootstrapKey(deps, SECOND)).toBe(true);
  });

  it('is simply not matched while Secrets Manager fails (other keys keep working)', async () => {
    sm.on(GetSecretValueCommand).rejects(
      Object.assign(new Error('denied'), { name: 'AccessDeniedException' }),
    );
    const warn = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    expect(await isBootstrapKey(instance({ ADMIN_KEY_SECRET_ARN: ARN }), FIRST)).toBe(false);
    expect(warn).toHaveBeenCalledWith('bootstrap admin key unavailable', expect.anything());
    expect(JSON.stringify(warn.mock.calls)).not.toContain(FIRST);
    warn.mockRestore();
  });
});
