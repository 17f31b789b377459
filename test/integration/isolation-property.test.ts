/**
 * Tenant isolation as properties over random worlds of providers, models, rules and scoped keys:
 * (1) the provider and model that serve a request are always inside the requesting key's scope;
 * (2) nothing a scoped key does (add models, write rules, change or delete what it may) changes what
 * serves a key outside its scope. Real services on the embedded table; fast-check draws the worlds.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../lib/auth/roles.js';
import { GatewayError } from '../../lib/errors.js';
import type { Gateway } from '../../lib/runtime/gateway.js';
import { canSeeModel, canSeeProvider } from '../../lib/services/actor.js';
import { createModel, deleteModel, updateModel } from '../../lib/services/models/service.js';
import { resolveRoute } from '../../lib/services/routing/resolve.js';
import { createRule } from '../../lib/services/routing/rules/service.js';
import { TestClock } from '../support/clock.js';
import { ACTOR } from '../support/principals.js';
import { addModel, addProvider, addRule } from '../support/routing.js';
import { type StoreHarness, startStoreHarness } from '../support/store-harness.js';

const MODELS = ['m0', 'm1', 'm2', 'm3'] as const;
let shared: StoreHarness;
let worlds = 0;

beforeAll(async () => {
  shared = await startStoreHarness({ env: { ROUTING_CACHE_TTL: '0' }, clock: TestClock.wall() });
});
afterAll(async () => {
  await shared.close();
});

/** A scope drawn as indexes into the world's providers and models (`null`: unscoped there). */
const scopeArb = fc.record({
  providers: fc.option(fc.subarray([0, 1, 2], { minLength: 1 }), { nil: null }),
  models: fc.option(fc.subarray([...MODELS], { minLength: 1 }), { nil: null }),
});

/** One thing a scoped key tries; most fail with a 4xx, which is part of the property. */
const actionArb = fc.oneof(
  fc.record({
    kind: fc.constant('add_model' as const),
    provider: fc.nat(2),
    model: fc.constantFrom(...MODELS),
  }),
  fc.record({
    kind: fc.constant('add_rule' as const),
    provider: fc.nat(2),
    pattern: fc.constantFrom('m*', ...MODELS),
    target: fc.option(fc.constantFrom(...MODELS), { nil: null }),
  }),
  fc.record({
    kind: fc.constant('deactivate' as const),
    provider: fc.nat(2),
    model: fc.constantFrom(...MODELS),
  }),
  fc.record({ kind: fc.constant('delete' as const), provider: fc.nat(2), model: fc.constantFrom(...MODELS) }),
);

const worldArb = fc.record({
  priorities: fc.tuple(fc.nat(5), fc.nat(5), fc.nat(5)),
  catalog: fc.array(fc.tuple(fc.nat(2), fc.constantFrom(...MODELS)), { maxLength: 8 }),
  adminRules: fc.array(fc.tuple(fc.constantFrom('m*', ...MODELS), fc.nat(2)), { maxLength: 2 }),
  actor: scopeArb.filter((s) => s.providers !== null || s.models !== null),
  actions: fc.array(actionArb, { minLength: 1, maxLength: 4 }),
  callers: fc.array(scopeArb, { minLength: 1, maxLength: 3 }),
});
type World = typeof worldArb extends fc.Arbitrary<infer T> ? T : never;

function principalOf(
  id: string,
  scope: World['actor'],
  providers: string[],
  role: Principal['role'],
): Principal {
  return {
    keyId: id,
    role,
    ...(scope.providers ? { providerIds: scope.providers.map((i) => providers[i]!) } : {}),
    ...(scope.models ? { modelIds: [...scope.models] } : {}),
  };
}

/** The oracle of "inside a scope", written out here rather than taken from the code under test. */
function insideOf(caller: Principal, owner: Principal): boolean {
  const within = (inner?: readonly string[], outer?: readonly string[]) =>
    outer === undefined || (inner?.every((id) => outer.includes(id)) ?? false);
  return within(caller.providerIds, owner.providerIds) && within(caller.modelIds, owner.modelIds);
}

const tolerate = (promise: Promise<unknown>) =>
  promise.catch((error: unknown) => {
    if (!(error instanceof GatewayError) || error.statusCode >= 500) throw error;
  });

/** Which (provider, model) pairs serve each model for a caller, in order. */
async function servedFor(deps: Gateway, caller: Principal): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const model of MODELS) {
    const route = await resolveRoute(deps, { serviceType: 'llm', model, principal: caller });
    out[model] = route.candidates.map((c) => `${c.provider.id}/${c.modelId}`);
  }
  return out;
}

async function act(deps: Gateway, actor: Principal, providers: string[], action: World['actions'][number]) {
  const providerId = providers[action.provider]!;
  const input = { principal: actor, actor: { ...ACTOR, keyId: actor.keyId } };
  if (action.kind === 'add_model') {
    await tolerate(
      createModel(deps, { ...input, providerId, model: { model_id: action.model, model_type: 'llm' } }),
    );
  } else if (action.kind === 'add_rule') {
    const rule = {
      rule_name: 'drawn',
      rule_type: 'primary_fallback' as const,
      service_type: 'llm' as const,
      model_pattern: action.pattern,
      targets: [{ provider_id: providerId, ...(action.target ? { model: action.target } : {}) }],
      priority: 1,
    };
    await tolerate(createRule(deps, { ...input, rule }));
  } else if (action.kind === 'deactivate') {
    await tolerate(
      updateModel(deps, { ...input, providerId, modelId: action.model, patch: { is_active: false } }),
    );
  } else {
    await tolerate(deleteModel(deps, { ...input, providerId, modelId: action.model }));
  }
}

describe('isolation properties over random worlds', () => {
  it('serves inside the caller’s scope, and no scoped key changes what serves keys outside its scope', async () => {
    await fc.assert(
      fc.asyncProperty(worldArb, async (world) => {
        // Prepare: a fresh table namespace per world (own providers, so names never collide)
        const deps = shared.instance();
        worlds += 1;
        const providers: string[] = [];
        for (const [i, priority] of world.priorities.entries()) {
          providers.push((await addProvider(deps, `w${worlds}-p${i}`, { priority })).id);
        }
        for (const [p, model] of world.catalog)
          await tolerate(addModel(deps, providers[p]!, { model_id: model }));
        for (const [pattern, p] of world.adminRules) {
          await tolerate(
            addRule(deps, {
              rule_name: 'admin',
              rule_type: 'primary_fallback',
              service_type: 'llm',
              model_pattern: pattern,
              provider_ids: [providers[p]!],
            }),
          );
        }
        const actor = principalOf('key_actor', world.actor, providers, 'operator');
        const callers = world.callers.map((scope, i) =>
          principalOf(`key_caller_${i}`, scope, providers, 'invoke'),
        );
        callers.push({ keyId: 'key_unscoped', role: 'invoke' });
        const outside = callers.filter((c) => !insideOf(c, actor));
        const before = await Promise.all(outside.map((c) => servedFor(deps, c)));
        // Act
        for (const action of world.actions) await act(deps, actor, providers, action);
        // Assess (2): keys outside the actor's scope are served exactly as before
        expect(await Promise.all(outside.map((c) => servedFor(deps, c)))).toEqual(before);
        // Assess (1): every caller is served only inside its scope
        for (const caller of [...callers, actor]) {
          for (const model of MODELS) {
            const route = await resolveRoute(deps, { serviceType: 'llm', model, principal: caller });
            for (const c of route.candidates) {
              expect(canSeeProvider(caller, c.provider.id)).toBe(true);
              expect(canSeeModel(caller, model) && canSeeModel(caller, c.modelId)).toBe(true);
            }
          }
        }
      }),
      { numRuns: 30, seed: 20261206 },
    );
  });
});
