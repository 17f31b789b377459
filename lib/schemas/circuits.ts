import * as z from 'zod';
import { CIRCUIT_STATES } from './vocabulary.js';

const circuitFields = {
  state: z.enum(CIRCUIT_STATES).meta({
    description:
      'closed: traffic flows; open: refused until retry_at; half_open: the open period is over and one probe request tests the upstream.',
  }),
  opened_at: z.iso
    .datetime()
    .nullable()
    .meta({ description: 'When the circuit last opened; null while closed.' }),
  retry_at: z.iso.datetime().nullable().meta({
    description:
      'When traffic is next tried: the end of the open period, or of a probe in flight; null when closed or when the next request probes.',
  }),
};

/** A provider's circuit breakers: its own and those of its models that are not closed. */
export const providerCircuit = z.object({
  ...circuitFields,
  models: z.array(z.object({ model_id: z.string(), ...circuitFields })).meta({
    description: 'Per-model circuits of this provider that are not closed (a key sees its model scope only).',
  }),
});
export type ProviderCircuit = z.infer<typeof providerCircuit>;
export type CircuitReport = Omit<ProviderCircuit, 'models'>;
