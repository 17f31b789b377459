import { serveLogGet } from '../../lib/endpoints/logs.js';
import { defineHandler } from '../../lib/http/handler.js';
import { logGetRoute } from '../../lib/routes/logs.js';

export const handler = defineHandler<unknown, unknown, { request_id: string }>(logGetRoute, serveLogGet);
