import * as z from 'zod';
import { role } from './api-keys.js';

/**
 * The caller's own principal (`GET /api/me`): what its key may do and see, so a client such as the
 * console can hide what it cannot do. Never the secret, its hash or another key's data.
 */
export const callerIdentity = z.object({
  key_id: z.string().meta({ description: 'Id of the key the request was made with.' }),
  name: z.string().meta({ description: "The key's name (the bootstrap admin key is named by the gateway)." }),
  role,
  team_id: z.string().nullable().meta({ description: 'The team the key belongs to, or null.' }),
  provider_ids: z
    .array(z.string())
    .nullable()
    .meta({ description: 'Providers the key may see and use, as its team narrows them; null: all.' }),
  model_ids: z
    .array(z.string())
    .nullable()
    .meta({ description: 'Model ids the key may see and use, as its team narrows them; null: all.' }),
  permissions: z.array(z.string()).meta({
    description:
      'The access classes the role holds (`read`, `write`, `secrets`, `invoke`, `self`; see docs/access-control.md).',
  }),
});
export type CallerIdentity = z.infer<typeof callerIdentity>;
