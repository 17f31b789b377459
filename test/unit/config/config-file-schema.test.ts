import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { apiKeyCreate } from '../../../lib/schemas/api-keys.js';
import { modelCreate } from '../../../lib/schemas/models.js';
import { providerCreate } from '../../../lib/schemas/providers.js';
import { quotaCreate } from '../../../lib/schemas/quotas.js';
import { ruleCreate } from '../../../lib/schemas/routing.js';
import { teamCreate } from '../../../lib/schemas/teams.js';
import { findSecrets } from '../../../lib/services/config-file/read.js';
import {
  configJsonSchema,
  fileApiKey,
  fileModel,
  fileProvider,
  fileQuota,
  fileRule,
  fileTeam,
} from '../../../lib/services/config-file/schema.js';

describe('config file schema: derived from the admin API schemas', () => {
  it('takes every field of each create body, ids replaced by names', () => {
    const ids = ['provider_id', 'provider_ids', 'team_id', 'api_key_id', 'targets'];
    const pairs = [
      [providerCreate, fileProvider],
      [modelCreate, fileModel],
      [ruleCreate, fileRule],
      [teamCreate, fileTeam],
      [apiKeyCreate, fileApiKey],
      [quotaCreate, fileQuota],
    ] as const;
    for (const [api, file] of pairs) {
      const missing = Object.keys(api.shape).filter((f) => !ids.includes(f) && !(f in file.shape));
      expect(missing).toEqual([]);
    }
  });

  it('is written to docs/gateway.config.schema.json (run `npm run openapi` after changing a schema)', () => {
    const current = JSON.parse(
      readFileSync(new URL('../../../docs/gateway.config.schema.json', import.meta.url), 'utf8'),
    );
    expect(current).toEqual(JSON.parse(JSON.stringify(configJsonSchema())));
  });
});

describe('config file: secrets are refused wherever they are', () => {
  const shaped = {
    openai: ['sk', 'proj', 'A1b2'.repeat(8)].join('-'),
    anthropic: ['sk', 'ant', 'api03', 'Z9y8'.repeat(8)].join('-'),
    aws: `AKIA${'ABCDEFGH23456789'}`,
    gateway: `gk_${'x1'.repeat(20)}`,
    huggingface: `hf_${'Ab12'.repeat(8)}`,
  };

  it('finds each key shape in nested values and in field names, and reports paths only', () => {
    for (const [what, value] of Object.entries(shaped)) {
      const found = findSecrets({ teams: [{ name: 't', metadata: { deep: [{ v: `see ${value}` }] } }] });
      expect(found, what).toEqual([
        'teams.0.metadata.deep.0.v: looks like a secret key; credentials never go in this file (use credential_from_env or secret_ref)',
      ]);
      expect(findSecrets({ [value]: 1 })[0], what).toContain('a field name looks like a secret key');
      expect(found.join(' ')).not.toContain(value);
    }
  });

  it('leaves names, model ids, variable names and secret ARNs alone', () => {
    expect(
      findSecrets({
        providers: [
          {
            name: 'task-routing',
            credential_from_env: 'OPENAI_API_KEY',
            secret_ref: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:ai-gateway/openai-AbCdEf',
            models: [{ model_id: 'gpt-4o-mini-2024-07-18' }],
          },
        ],
        quotas: [{ scope: 'api_key', api_key: 'ci-runner', quota_type: 'daily_cost', limit_value: 5 }],
      }),
    ).toEqual([]);
  });
});
