/**
 * File objects → the admin API's request bodies: names become ids through {@link Refs}, then each
 * body is parsed by the API's own create schema (its refinements included: a rule's one target
 * form, a quota's scope fields), so the file accepts exactly what the API accepts.
 */
import type * as z from 'zod';
import { ValidationError } from '../../errors.js';
import { type ApiKeyCreate, apiKeyCreate } from '../../schemas/api-keys.js';
import { type ModelCreate, modelCreate } from '../../schemas/models.js';
import { type ProviderCreate, providerCreate } from '../../schemas/providers.js';
import { type QuotaCreate, quotaCreate } from '../../schemas/quotas.js';
import { type RuleCreate, ruleCreate } from '../../schemas/routing.js';
import { type TeamCreate, teamCreate } from '../../schemas/teams.js';
import type {
  ConfigFile,
  FileApiKey,
  FileModel,
  FileProvider,
  FileQuota,
  FileRule,
  FileTeam,
} from './schema.js';

/** Turns a name of the file into the id the API takes. Throws for a name that resolves to nothing. */
export interface Refs {
  provider(name: string): string;
  team(name: string): string;
  apiKey(name: string): string;
}

/** Ids of the right shape for validating a file before anything is read (`prov_000…`). */
const PLACEHOLDERS: Refs = {
  provider: () => `prov_${'0'.repeat(26)}`,
  team: () => `team_${'0'.repeat(26)}`,
  apiKey: () => `key_${'0'.repeat(26)}`,
};

const issuesOf = (error: z.ZodError, prefix: string) =>
  error.issues.map((i) => `${[prefix, ...i.path.map(String)].join('.')}: ${i.message}`);

function parseBody<T>(schema: z.ZodType<T>, body: unknown, where: string): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  throw new ValidationError(issuesOf(parsed.error, where).join('; '));
}

/** A provider's create body (its models and credential are applied as their own steps). */
export function providerBody(p: FileProvider, where: string): ProviderCreate {
  const { models: _m, credential_from_env: _e, secret_ref: _s, ...body } = p;
  return parseBody(providerCreate, body, where);
}

export function modelBody(m: FileModel, where: string): ModelCreate {
  return parseBody(modelCreate, m, where);
}

export function ruleBody(r: FileRule, refs: Refs, where: string): RuleCreate {
  const { providers, targets, ...rest } = r;
  return parseBody(
    ruleCreate,
    {
      ...rest,
      ...(providers ? { provider_ids: providers.map((name) => refs.provider(name)) } : {}),
      ...(targets
        ? { targets: targets.map(({ provider, ...t }) => ({ ...t, provider_id: refs.provider(provider) })) }
        : {}),
    },
    where,
  );
}

export function teamBody(t: FileTeam, refs: Refs, where: string): TeamCreate {
  const { providers, ...rest } = t;
  return parseBody(
    teamCreate,
    { ...rest, ...(providers ? { provider_ids: providers.map((n) => refs.provider(n)) } : {}) },
    where,
  );
}

export function apiKeyBody(k: FileApiKey, refs: Refs, where: string): ApiKeyCreate {
  const { providers, team, ...rest } = k;
  return parseBody(
    apiKeyCreate,
    {
      ...rest,
      ...(providers ? { provider_ids: providers.map((n) => refs.provider(n)) } : {}),
      ...(team ? { team_id: refs.team(team) } : {}),
    },
    where,
  );
}

export function quotaBody(q: FileQuota, refs: Refs, where: string): QuotaCreate {
  const { provider, api_key, team, ...rest } = q;
  return parseBody(
    quotaCreate,
    {
      ...rest,
      ...(provider ? { provider_id: refs.provider(provider) } : {}),
      ...(api_key ? { api_key_id: refs.apiKey(api_key) } : {}),
      ...(team ? { team_id: refs.team(team) } : {}),
    },
    where,
  );
}

/** Every object of the file validated as its API request body; returns the problems found. */
export function checkApiBodies(file: ConfigFile): string[] {
  const problems: string[] = [];
  const check = (build: () => unknown): void => {
    try {
      build();
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      problems.push(error.message);
    }
  };
  for (const [i, p] of (file.providers ?? []).entries()) {
    check(() => providerBody(p, `providers.${i}`));
    for (const [j, m] of (p.models ?? []).entries()) check(() => modelBody(m, `providers.${i}.models.${j}`));
  }
  for (const [i, t] of (file.teams ?? []).entries()) check(() => teamBody(t, PLACEHOLDERS, `teams.${i}`));
  for (const [i, k] of (file.api_keys ?? []).entries())
    check(() => apiKeyBody(k, PLACEHOLDERS, `api_keys.${i}`));
  for (const [i, r] of (file.routing_rules ?? []).entries()) {
    check(() => ruleBody(r, PLACEHOLDERS, `routing_rules.${i}`));
  }
  for (const [i, q] of (file.quotas ?? []).entries()) check(() => quotaBody(q, PLACEHOLDERS, `quotas.${i}`));
  return problems;
}
