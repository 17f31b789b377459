import { defineHandler } from '../../lib/http/handler.js';
import { systemHealthRoute } from '../../lib/routes/system.js';
import { healthStatus } from '../../lib/services/system.js';

export const handler = defineHandler(systemHealthRoute, ({ deps }) => healthStatus(deps));
