/**
 * A stopped local runtime leaves nothing behind: no timer, socket, server or stream delivery of its
 * own outlives `close()`, whatever it did before (AI calls with their after-response writes,
 * configuration writes that the change stream delivers to the audit writer, health checks).
 */
import { describe, expect, it } from 'vitest';
import { createOpenAIFake } from '../fakes/openai.js';
import { providerBody, startTestGateway } from '../support/runtime.js';

/** Node's active handles and requests, counted by kind (`Timeout`, `TCPSocketWrap`, ...). */
function activeResources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}

describe('local runtime: stop', () => {
  it('leaves no timers, sockets or deliveries behind after serving traffic', async () => {
    // Prepare: what the process holds before, and a fake upstream that outlives the gateway
    const upstream = createOpenAIFake();
    await upstream.start();
    const before = activeResources();
    const gw = await startTestGateway({ ALLOWED_PRIVATE_UPSTREAMS: '127.0.0.1/32', HEALTH_SCHEDULE: 'on' });
    // Act: configuration writes (audited through the change stream), AI calls, a health check
    const provider = await gw.call('POST', '/api/providers', {
      body: providerBody('stop-test', { base_url: `${upstream.origin}/v1` }),
    });
    await gw.call('POST', `/api/providers/${provider.json.id}/models`, {
      body: { model_id: 'gpt-stop', model_type: 'llm' },
    });
    await gw.call('POST', `/api/providers/${provider.json.id}/credentials`, {
      body: { credential_type: 'api_key', credential_value: 'fake-stop-credential-0001' },
    });
    const answers = await Promise.all(
      Array.from({ length: 5 }, () =>
        gw.call('POST', '/v1/chat/completions', {
          body: { model: 'gpt-stop', stream: true, messages: [{ role: 'user', content: 'hi' }] },
        }),
      ),
    );
    await gw.call('POST', `/api/providers/${provider.json.id}/health-check`);
    await gw.stop();
    // Let sockets the client side closed finish closing.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const after = activeResources();
    await upstream.stop();
    // Assess
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    const grown = Object.entries(after).filter(([kind, n]) => n > (before[kind] ?? 0));
    expect(grown).toEqual([]);
  });
});
