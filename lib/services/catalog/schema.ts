import * as z from 'zod';
import { modelCreate } from '../../schemas/models.js';
import { providerCreate } from '../../schemas/providers.js';

/**
 * The reviewed default catalog (`data/default-catalog.json`). Entries are checked against the
 * same schemas as the API's create bodies; review-only fields (`unverified`, `pricing_source`,
 * `env_key`) are kept out of what is stored.
 */
const catalogModel = modelCreate.extend({ unverified: z.boolean().optional() });
const catalogProvider = providerCreate.extend({
  env_key: z
    .string()
    .regex(/^[A-Z][A-Z0-9_]*$/)
    .optional(),
  pricing_source: z.url().optional(),
  models: z.array(catalogModel).max(200),
});

export const catalogSchema = z.strictObject({
  source: z.string(),
  reviewed_at: z.iso.date(),
  currency: z.literal('USD'),
  providers: z.array(catalogProvider).max(50),
});
export type Catalog = z.infer<typeof catalogSchema>;
export type CatalogProvider = Catalog['providers'][number];
