/**
 * undici's Agent and Pool without undici's index. The index also loads fetch, WebSocket, the cache
 * stores, the interceptors and the mocks: about half a megabyte of bundle and ~30 ms of cold start
 * (its cookies module alone wakes Node's own copy of undici), none of which the gateway uses.
 * undici 7 has no "exports" map, so its internal modules import one by one; this module attaches
 * the dispatcher API (`request`, `stream`, `pipeline`, `upgrade`, `connect`) to the Dispatcher
 * prototype exactly as undici's index.js does, so `agent.request(...)` works the same.
 *
 * Import `Agent`/`Pool` from here in code that is bundled into functions; types still come from
 * `'undici'`. Tests may import `'undici'` itself (MockAgent, fetch): both share these classes.
 */
import type { Agent as AgentType, Pool as PoolType } from 'undici';
import api from 'undici/lib/api/index.js';
import AgentClass from 'undici/lib/dispatcher/agent.js';
import DispatcherClass from 'undici/lib/dispatcher/dispatcher.js';
import PoolClass from 'undici/lib/dispatcher/pool.js';

Object.assign(DispatcherClass.prototype, api);

/** undici's `Agent` (one pool per origin). */
export const Agent: typeof AgentType = AgentClass;
export type Agent = AgentType;
/** undici's `Pool` (connections to one origin). */
export const Pool: typeof PoolType = PoolClass;
export type Pool = PoolType;
