import * as z from 'zod';
import { providerCircuit } from './circuits.js';
import { expectedVersion, metadata, page, pageQuery, systemFields, text } from './common.js';
import { HEALTH_STATUSES, PROVIDER_STATUSES, PROVIDER_TYPES, SERVICE_TYPES } from './vocabulary.js';

export const providerType = z.enum(PROVIDER_TYPES);
export const serviceType = z.enum(SERVICE_TYPES);
export type ServiceType = (typeof SERVICE_TYPES)[number];

const providerName = text(100).regex(
  /^[A-Za-z0-9][A-Za-z0-9 ._-]*$/,
  'starts with a letter or digit and uses letters, digits, spaces, . _ -',
);
const serviceTypes = z
  .array(serviceType)
  .min(1)
  .max(SERVICE_TYPES.length)
  .refine((list) => new Set(list).size === list.length, 'service_types must not repeat');
const baseUrl = z.string().trim().min(1).max(2048);
const rateLimit = z.number().int().min(1).max(10_000_000).nullable();

const writable = {
  service_types: serviceTypes,
  base_url: baseUrl,
  status: z.enum(PROVIDER_STATUSES),
  is_active: z.boolean().meta({ description: 'Shorthand for status active (true) or inactive (false).' }),
  priority: z.number().int().min(0).max(1000).meta({ description: 'Lower is tried first.' }),
  timeout_seconds: z.number().int().min(1).max(900),
  rate_limit_rpm: rateLimit,
  rate_limit_tpm: rateLimit,
  metadata,
};

export const providerCreate = z.strictObject({
  name: providerName,
  provider_type: providerType,
  service_types: writable.service_types,
  base_url: writable.base_url.optional(),
  status: writable.status.optional(),
  is_active: writable.is_active.optional(),
  priority: writable.priority.optional(),
  timeout_seconds: writable.timeout_seconds.optional(),
  rate_limit_rpm: writable.rate_limit_rpm.optional(),
  rate_limit_tpm: writable.rate_limit_tpm.optional(),
  metadata: writable.metadata.optional(),
});
export type ProviderCreate = z.infer<typeof providerCreate>;

export const providerPatch = z
  .strictObject({
    name: providerName.optional(),
    service_types: writable.service_types.optional(),
    base_url: writable.base_url.optional(),
    status: writable.status.optional(),
    is_active: writable.is_active.optional(),
    priority: writable.priority.optional(),
    timeout_seconds: writable.timeout_seconds.optional(),
    rate_limit_rpm: writable.rate_limit_rpm.optional(),
    rate_limit_tpm: writable.rate_limit_tpm.optional(),
    metadata: writable.metadata.optional(),
    version: expectedVersion,
  })
  .refine((p) => Object.keys(p).some((k) => k !== 'version'), 'name at least one field to change');
export type ProviderPatch = z.infer<typeof providerPatch>;

export const provider = z.object({
  id: z.string(),
  name: z.string(),
  provider_type: providerType,
  service_types: z.array(serviceType),
  base_url: z.string().nullable(),
  status: z.enum(PROVIDER_STATUSES),
  is_active: z.boolean(),
  health_status: z.enum(HEALTH_STATUSES),
  priority: z.number().int(),
  timeout_seconds: z.number().int(),
  rate_limit_rpm: z.number().int().nullable(),
  rate_limit_tpm: z.number().int().nullable(),
  metadata: z.record(z.string(), z.unknown()),
  ...systemFields,
});
export type Provider = z.infer<typeof provider>;

export const providerListQuery = z.strictObject({
  ...pageQuery,
  provider_type: providerType.optional(),
  service_type: serviceType.optional(),
  status: z.enum([...PROVIDER_STATUSES, ...HEALTH_STATUSES]).optional(),
});
export const providerPage = page(provider);

/** A provider as `GET /api/providers[/{id}]` shows it: with its circuit breakers' state. */
export const providerWithCircuit = provider.extend({ circuit: providerCircuit });
export const providerWithCircuitPage = page(providerWithCircuit);

export const providerDeleteQuery = z.strictObject({
  force: z.enum(['true', 'false']).optional(),
});
