import type { TestGateway } from '../support/runtime.js';

/**
 * `GET /api/logs/{id}`, polled briefly while it is a 404: a streaming route's record (chat answers
 * included) is written just after its response ends, so a client can ask a moment before it exists.
 */
export async function recordOf(gw: TestGateway, requestId: string, key?: string) {
  const read = () => gw.call('GET', `/api/logs/${requestId}`, key ? { key } : {});
  for (let i = 0; i < 100; i++) {
    const res = await read();
    if (res.status !== 404) return res;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return read();
}
