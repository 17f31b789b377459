import { defineHandler } from '../../lib/http/handler.js';
import { healthStatus } from '../../lib/services/system.js';

export const handler = defineHandler('GET /health', ({ deps }) => healthStatus(deps));
