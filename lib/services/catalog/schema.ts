import * as z from 'zod';
import { modelCreate, pricingInput } from '../../schemas/models.js';
import { providerCreate } from '../../schemas/providers.js';

/**
 * The reviewed default catalog (`data/default-catalog.json`). Entries are checked against the
 * same schemas as the API's create bodies; review-only fields (`unverified`, `unverified_prices`:
 * the price keys a review could not confirm for that model, `pricing_source`, `env_key`) are kept
 * out of what is stored.
 */
const catalogModel = modelCreate.extend({
  unverified: z.boolean().optional(),
  unverified_prices: z.array(pricingInput.keyof()).max(10).optional(),
});
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
