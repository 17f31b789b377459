/** Who calls services directly in tests (no HTTP front): an admin key, and the actor audit events name. */
import type { Principal } from '../../lib/auth/roles.js';
import type { Actor } from '../../lib/services/actor.js';

/** The caller of services called directly: an admin key. */
export const ADMIN: Principal = { keyId: 'key_test_admin', role: 'admin' };
/** Who the audit trail names for those calls. */
export const ACTOR: Actor = { keyId: 'key_test_admin', requestId: 'req-test', sourceIp: '127.0.0.1' };
