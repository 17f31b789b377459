import { describe, expect, it } from 'vitest';
import type { Quota } from '../../../lib/schemas/quotas.js';
import { quotaCreate } from '../../../lib/schemas/quotas.js';
import {
  currentWindow,
  limitUnits,
  quotaCovers,
  scopeKeyOf,
  scopesOf,
  stateOf,
} from '../../../lib/services/quotas/model.js';

const quota = (over: Partial<Quota>): Quota => ({
  id: 'quota_x',
  provider_id: null,
  quota_type: 'daily_cost',
  limit_value: 1,
  soft_limit_percent: 80,
  action_on_exceed: 'block',
  scope: 'global',
  model_id: null,
  api_key_id: null,
  enforcement: 'async',
  is_active: true,
  team_id: null,
  time_zone: 'UTC',
  thresholds_percent: [],
  owner_scope: null,
  version: 1,
  created_at: '',
  updated_at: '',
  ...over,
});

describe('quotas: states and windows', () => {
  it('crosses the soft limit at exactly soft_limit_percent and the hard one at the limit', () => {
    const limit = limitUnits(quota({ limit_value: 0.3 }));
    expect(limit).toBe(300_000_000);
    expect(stateOf(239_999_999, limit, 80)).toBe('ok');
    expect(stateOf(240_000_000, limit, 80)).toBe('soft_exceeded');
    expect(stateOf(299_999_999, limit, 80)).toBe('soft_exceeded');
    expect(stateOf(300_000_000, limit, 80)).toBe('exceeded');
  });

  it('uses UTC calendar days and months', async () => {
    const at = Date.parse('2031-02-28T23:59:59.999Z');
    expect(await currentWindow(quota({}), at)).toMatchObject({
      id: '2031-02-28',
      endMs: Date.parse('2031-03-01T00:00:00Z'),
    });
    expect(await currentWindow(quota({ quota_type: 'monthly_tokens' }), at)).toMatchObject({
      id: '2031-02',
      endMs: Date.parse('2031-03-01T00:00:00Z'),
    });
  });
});

describe('quotas: scopes', () => {
  const call = { providerId: 'prov_a', modelId: 'gpt-4o', apiKeyId: 'key_1', teamId: 'team_1' };

  it('finds every quota a call counts towards through its scope keys', () => {
    const watched = [
      quota({}),
      quota({ scope: 'provider', provider_id: 'prov_a' }),
      quota({ scope: 'model', provider_id: 'prov_a', model_id: 'gpt-4o' }),
      quota({ scope: 'api_key', api_key_id: 'key_1' }),
      quota({ scope: 'api_key', api_key_id: 'key_1', provider_id: 'prov_a' }),
      quota({ scope: 'team', team_id: 'team_1' }),
    ];
    expect(watched.map(scopeKeyOf).sort()).toEqual(scopesOf(call).sort());
    expect(watched.every((q) => quotaCovers(q, call))).toBe(true);
    // A team × model quota watches the team and counts that model only; another team's, nothing.
    expect(scopeKeyOf(quota({ scope: 'team', team_id: 'team_1', model_id: 'gpt-4o' }))).toBe('team:team_1');
    expect(quotaCovers(quota({ scope: 'team', team_id: 'team_1', model_id: 'o3' }), call)).toBe(false);
    expect(quotaCovers(quota({ scope: 'team', team_id: 'team_2' }), call)).toBe(false);
    expect(quotaCovers(quota({ scope: 'team', team_id: 'team_1' }), { ...call, teamId: undefined })).toBe(
      false,
    );
    expect(scopesOf({ ...call, teamId: undefined })).toHaveLength(5);
    expect(quotaCovers(quota({ scope: 'model', provider_id: 'prov_b', model_id: 'gpt-4o' }), call)).toBe(
      false,
    );
  });

  it('validates the identifiers each scope needs', () => {
    const base = { quota_type: 'daily_cost', limit_value: 5 };
    expect(
      quotaCreate.safeParse({ ...base, scope: 'model', provider_id: 'prov_01m8bwjkr672zknf0jar5m8r48' })
        .success,
    ).toBe(false);
    expect(
      quotaCreate.safeParse({ ...base, scope: 'global', provider_id: 'prov_01m8bwjkr672zknf0jar5m8r48' })
        .success,
    ).toBe(false);
    expect(quotaCreate.safeParse({ ...base, scope: 'api_key', api_key_id: 'key_1' }).success).toBe(true);
    expect(
      quotaCreate.safeParse({ quota_type: 'daily_tokens', limit_value: 1.5, scope: 'global' }).success,
    ).toBe(false);
    expect(quotaCreate.parse({ ...base, scope: 'global' })).toMatchObject({
      soft_limit_percent: 80,
      action_on_exceed: 'block',
      enforcement: 'async',
    });
  });
});
