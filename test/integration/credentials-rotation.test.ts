import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportCredentialRejected } from '../../lib/services/credentials/resolve.js';
import { secretFor } from '../support/credentials.js';
import { providerBody, startTestGateway, type TestGateway } from '../support/runtime.js';
import { fakeProviderKey } from './credentials-fixtures.js';

/** A fake provider on loopback: answers 200 to the keys it accepts (after a delay), 401 otherwise. */
class FakeUpstream {
  readonly accepted = new Set<string>();
  readonly seen: Array<{ key: string; status: number }> = [];
  url = '';
  #server: Server = createServer((req, res) => {
    const key = (req.headers.authorization ?? '').replace(/^Bearer /, '');
    const status = this.accepted.has(key) ? 200 : 401;
    this.seen.push({ key, status });
    setTimeout(
      () => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(status === 200 ? { ok: true } : { error: 'invalid key' }));
      },
      5 + Math.floor(Math.random() * 25),
    );
  });
  async start(): Promise<void> {
    await new Promise<void>((ready) => this.#server.listen(0, '127.0.0.1', () => ready()));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }
  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((done) => this.#server.close(() => done()));
  }
}

let gw: TestGateway;
let upstream: FakeUpstream;
const agent = new Agent({ connections: 64 });
beforeAll(async () => {
  gw = await startTestGateway();
  upstream = new FakeUpstream();
  await upstream.start();
});
afterAll(async () => {
  await agent.close();
  await upstream.stop();
  await gw.stop();
});

/** One AI request as the chat path will make it: resolve the key, call the upstream, report a 401. */
async function aiRequest(providerId: string) {
  const deps = gw.runtime.deps;
  const secret = await secretFor(deps, providerId);
  if (!secret?.value) throw new Error('no credential');
  const res = await request(`${upstream.url}/v1/chat/completions`, {
    method: 'POST',
    dispatcher: agent,
    headers: { authorization: `Bearer ${secret.value}`, 'content-type': 'application/json' },
    body: '{}',
  });
  await res.body.text();
  if (res.statusCode === 401) await reportCredentialRejected(deps, secret.credentialId, secret.keyVersion);
  return { status: res.statusCode, key: secret.value };
}

/** Loads the rotate handler module once (as a warm Lambda would have it), on a throwaway credential. */
async function warmRotateHandler(providerId: string): Promise<void> {
  const { json } = await gw.call('POST', `/api/providers/${providerId}/credentials`, {
    body: { credential_type: 'api_key', credential_value: fakeProviderKey('warm') },
  });
  await gw.call('POST', `/api/providers/credentials/${json.id}/rotate`, {
    body: { credential_value: fakeProviderKey('warm') },
  });
  await gw.call('DELETE', `/api/providers/credentials/${json.id}`);
}

describe('credentials: rotation under load', () => {
  it('50 concurrent requests with a rotation midway: zero failures, then only the new key upstream', async () => {
    // Prepare
    const oldKey = fakeProviderKey('old');
    const newKey = fakeProviderKey('new');
    upstream.accepted.add(oldKey);
    upstream.accepted.add(newKey);
    const { json: provider } = await gw.call('POST', '/api/providers', {
      body: providerBody('rotation-load'),
    });
    const { json: credential } = await gw.call('POST', `/api/providers/${provider.id}/credentials`, {
      body: { credential_type: 'api_key', credential_value: oldKey },
    });
    await warmRotateHandler(provider.id);
    let rotated = false;
    let rotation: Promise<{ status: number }> | undefined;
    // Act: requests start 3 ms apart; the 25th triggers the rotation over the admin API; the last 5
    // also wait for it to answer, so some requests surely start after it
    const results = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        await new Promise((r) => setTimeout(r, i * 3));
        if (i >= 45) await rotation;
        if (i === 25) {
          rotation = gw
            .call('POST', `/api/providers/credentials/${credential.id}/rotate`, {
              body: { credential_value: newKey },
            })
            .then((res) => {
              rotated = true;
              return res;
            });
        }
        const afterRotation = rotated;
        const outcome = await aiRequest(provider.id).catch((error: Error) => ({
          status: 0,
          key: error.message,
        }));
        return { ...outcome, afterRotation };
      }),
    );
    expect((await rotation)?.status).toBe(200);
    // Assess: nothing failed; both keys were in use; none after the rotation used the old key
    expect(results.filter((r) => r.status !== 200)).toEqual([]);
    expect(results.filter((r) => r.key === oldKey).length).toBeGreaterThan(0);
    expect(results.filter((r) => r.key === newKey).length).toBeGreaterThan(0);
    expect(results.filter((r) => r.afterRotation && r.key !== newKey)).toEqual([]);
    // Afterwards the provider drops the old key: the upstream sees only the new one
    upstream.accepted.delete(oldKey);
    const seenBefore = upstream.seen.length;
    const later = await Promise.all(Array.from({ length: 20 }, () => aiRequest(provider.id)));
    expect(later.every((r) => r.status === 200)).toBe(true);
    expect(new Set(upstream.seen.slice(seenBefore).map((s) => s.key))).toEqual(new Set([newKey]));
    const list = await gw.call('GET', `/api/providers/${provider.id}/credentials`);
    const shown = list.json.data.find((c: { id: string }) => c.id === credential.id);
    expect(shown).toMatchObject({ status: 'active', version: 2 });
    expect(shown.versions.map((v: { status: string }) => v.status)).toEqual(['retiring', 'active']);
  });
});
