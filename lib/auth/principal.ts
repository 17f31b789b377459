import type { APIGatewayProxyEvent } from 'aws-lambda';
import { UnauthorizedError } from '../errors.js';
import { ID_PATTERN } from '../ids.js';
import { ROLES } from '../schemas/vocabulary.js';
import { readCacheSetting } from './cache-setting.js';
import type { Principal, Role } from './roles.js';

/**
 * The context the authorizer returns to API Gateway. API Gateway only passes string, number and
 * boolean values through, so lists travel as JSON strings.
 */
export interface AuthorizerContext {
  keyId: string;
  role: Role;
  providerIds?: string;
  modelIds?: string;
  rateLimitRpm?: string;
  rateLimitTpm?: string;
  expiresAt?: string;
  teamId?: string;
  teamRpm?: string;
  teamTpm?: string;
  /** The key's response-cache setting, as JSON. */
  cache?: string;
  logPayloads?: string;
  [key: string]: string | undefined;
}

/** Serialises a principal into the authorizer's context. */
export function toAuthorizerContext(principal: Principal): AuthorizerContext {
  return {
    keyId: principal.keyId,
    role: principal.role,
    ...(principal.providerIds ? { providerIds: JSON.stringify(principal.providerIds) } : {}),
    ...(principal.modelIds ? { modelIds: JSON.stringify(principal.modelIds) } : {}),
    ...(principal.rateLimitRpm === undefined ? {} : { rateLimitRpm: String(principal.rateLimitRpm) }),
    ...(principal.rateLimitTpm === undefined ? {} : { rateLimitTpm: String(principal.rateLimitTpm) }),
    ...(principal.expiresAt ? { expiresAt: principal.expiresAt } : {}),
    ...(principal.teamId ? { teamId: principal.teamId } : {}),
    ...(principal.teamRateLimitRpm === undefined ? {} : { teamRpm: String(principal.teamRateLimitRpm) }),
    ...(principal.teamRateLimitTpm === undefined ? {} : { teamTpm: String(principal.teamRateLimitTpm) }),
    ...(principal.cache ? { cache: JSON.stringify(principal.cache) } : {}),
    ...(principal.logPayloads ? { logPayloads: 'true' } : {}),
  };
}

/** The cache setting the authorizer passed, if readable (an unreadable one means the gateway's defaults). */
function parseCache(value: unknown) {
  if (typeof value !== 'string' || value === '') return null;
  try {
    return readCacheSetting(JSON.parse(value));
  } catch {
    return null;
  }
}

/** API Gateway may hand context numbers back as strings; anything not a positive integer is dropped. */
function parseLimit(value: unknown): number | undefined {
  const n =
    typeof value === 'number' ? value : typeof value === 'string' && value !== '' ? Number(value) : NaN;
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

function parseList(value: unknown): string[] | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new UnauthorizedError();
  }
  if (!Array.isArray(parsed) || !parsed.every((v) => typeof v === 'string')) throw new UnauthorizedError();
  return parsed;
}

/**
 * The principal API Gateway attached to the event after the authorizer allowed it. A request that
 * reaches a protected handler without one is refused (defence in depth against a misconfigured API).
 */
export function principalFromEvent(event: Pick<APIGatewayProxyEvent, 'requestContext'>): Principal {
  const context = event.requestContext?.authorizer as Record<string, unknown> | null | undefined;
  const keyId = context?.keyId;
  const role = context?.role;
  if (typeof keyId !== 'string' || !ROLES.includes(role as Role)) throw new UnauthorizedError();
  const providerIds = parseList(context?.providerIds);
  const modelIds = parseList(context?.modelIds);
  const rateLimitRpm = parseLimit(context?.rateLimitRpm);
  const rateLimitTpm = parseLimit(context?.rateLimitTpm);
  const teamId = context?.teamId;
  // A key of a team must keep it (its scope and limits hang on it): an unreadable one is refused.
  if (teamId !== undefined && (typeof teamId !== 'string' || !ID_PATTERN.test(teamId))) {
    throw new UnauthorizedError();
  }
  const teamRateLimitRpm = parseLimit(context?.teamRpm);
  const teamRateLimitTpm = parseLimit(context?.teamTpm);
  const cache = parseCache(context?.cache);
  const expiresAt = context?.expiresAt;
  // A key with an expiry must keep it: an unreadable one is refused rather than treated as none.
  if (expiresAt !== undefined && (typeof expiresAt !== 'string' || Number.isNaN(Date.parse(expiresAt)))) {
    throw new UnauthorizedError();
  }
  return {
    keyId,
    role: role as Role,
    ...(providerIds ? { providerIds } : {}),
    ...(modelIds ? { modelIds } : {}),
    ...(rateLimitRpm === undefined ? {} : { rateLimitRpm }),
    ...(rateLimitTpm === undefined ? {} : { rateLimitTpm }),
    ...(typeof expiresAt === 'string' ? { expiresAt } : {}),
    ...(typeof teamId === 'string' ? { teamId } : {}),
    ...(teamRateLimitRpm === undefined ? {} : { teamRateLimitRpm }),
    ...(teamRateLimitTpm === undefined ? {} : { teamRateLimitTpm }),
    ...(cache ? { cache } : {}),
    // API Gateway may hand the context's boolean back as a string.
    ...(context?.logPayloads === 'true' || context?.logPayloads === true ? { logPayloads: true } : {}),
  };
}
