import { defineHandler } from '../../lib/http/handler.js';
import { keysMeRoute } from '../../lib/routes/keys.js';
import { callerIdentityOf } from '../../lib/services/api-keys/me.js';

export const handler = defineHandler(keysMeRoute, ({ deps, principal }) => callerIdentityOf(deps, principal));
