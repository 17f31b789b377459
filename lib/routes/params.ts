import * as z from 'zod';
import { objectId } from '../schemas/common.js';

/** Path parameters of every `/api/providers/{id}…` route (areas share it without importing each other). */
export const providerParams = z.strictObject({ id: objectId });
