import type { CacheSetting } from '../schemas/cache.js';
import type { ROLES } from '../schemas/vocabulary.js';

export type Role = (typeof ROLES)[number];

/** Who may call a route, by what the route does. */
export const ACCESS = {
  /** Read configuration, usage, health and audit. */
  read: ['admin', 'operator', 'viewer'],
  /** Change configuration (providers, models, rules, quotas, incidents). */
  write: ['admin', 'operator'],
  /** Secrets: API keys and credential writes. */
  secrets: ['admin'],
  /** AI operations. */
  invoke: ['admin', 'operator', 'invoke'],
  /** The caller's own identity (`GET /api/me`): every valid key, whatever its role. */
  self: ['admin', 'operator', 'viewer', 'invoke'],
  /** Unauthenticated probes. */
  public: [],
} as const satisfies Record<string, readonly Role[]>;
export type Access = keyof typeof ACCESS;

/** The identity the authorizer attaches to a request. */
export interface Principal {
  keyId: string;
  role: Role;
  /** When set, the key may only see and use these providers / models. */
  providerIds?: readonly string[];
  modelIds?: readonly string[];
  /** The key's own request limit per minute, for the rate limiter (not enforced by the authorizer). */
  rateLimitRpm?: number;
  /** The key's own token limit per minute (prompt + output tokens, settled to usage). */
  rateLimitTpm?: number;
  /** When the key expires (ISO); a key cannot mint one that outlives it. */
  expiresAt?: string;
  /**
   * The key's team. `providerIds` and `modelIds` are then already narrowed to the team's scope, and
   * the team is a scope of its own (usage, quotas and what the key creates belong to the team).
   */
  teamId?: string;
  /** The team's limits, applied to the sum of its keys' requests (`team:<id>` rate-limit scope). */
  teamRateLimitRpm?: number;
  teamRateLimitTpm?: number;
  /** The key's response-cache setting (`docs/cache.md`), overriding the gateway's and the rule's. */
  cache?: CacheSetting;
  /** The key's AI requests keep their bodies in the request log (an admin set it on the key). */
  logPayloads?: boolean;
}

/** Whether a principal's role satisfies a route's access class. */
export function allows(access: Access, role: Role): boolean {
  return (ACCESS[access] as readonly Role[]).includes(role);
}
