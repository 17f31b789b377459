import { serveLogList } from '../../lib/endpoints/logs.js';
import { defineHandler } from '../../lib/http/handler.js';
import { logListRoute } from '../../lib/routes/logs.js';
import type { LogListQuery } from '../../lib/services/logs/query.js';

export const handler = defineHandler<unknown, LogListQuery>(logListRoute, serveLogList);
