import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, type StartedGateway, startNpmGateway } from '../support/npm-start.js';

const dataDir = mkdtempSync(join(tmpdir(), 'gw-start-'));

type Started = StartedGateway;

const start = (port: number): Promise<Started> => startNpmGateway({ port, dataDir });

/** Ctrl-C: SIGINT to the group. npm itself dies of the signal; the server must exit by itself. */
async function stop(started: Started): Promise<void> {
  const exited = new Promise((resolve) => started.child.once('exit', resolve));
  process.kill(-started.child.pid!, 'SIGINT');
  await exited;
  for (let i = 0; i < 100 && !started.output().includes('stopped\n'); i++) {
    await new Promise((r) => setTimeout(r, 20));
  }
}

afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

describe('npm start: the local runtime as a user runs it', () => {
  it('serves /health within 5 s, stops cleanly on Ctrl-C and keeps data across a restart', async () => {
    const port = await freePort();
    const first = await start(port);
    expect(first.readyMs).toBeLessThan(5_000);
    const printed = first.output().match(/\b(gk_[A-Za-z0-9_-]{43})\b/);
    expect(printed).not.toBeNull();
    const key = printed![1]!;
    expect(statSync(join(dataDir, 'admin-api-key')).mode & 0o777).toBe(0o600);
    const created = await fetch(`http://127.0.0.1:${port}/api/providers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'survives-restart', provider_type: 'anthropic', service_types: ['llm'] }),
    });
    expect(created.status).toBe(201);
    const chat = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'mock-chat', messages: [{ role: 'user', content: 'first request' }] }),
    });
    expect(chat.status).toBe(200);
    expect(
      ((await chat.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]?.message
        .content,
    ).toContain('first request');
    await stop(first);
    expect(first.output()).toContain('SIGINT: stopping\nstopped\n');
    expect(first.output()).not.toMatch(/Error|Could not start/);

    const second = await start(port);
    expect(second.output()).not.toContain(key);
    const list = await fetch(`http://127.0.0.1:${port}/api/providers`, {
      headers: { authorization: `Bearer ${key}` },
    });
    const body = (await list.json()) as { data: Array<{ name: string }> };
    // The built-in mock provider is there from the first start, so a first chat needs no key.
    expect(body.data.map((p) => p.name).sort()).toEqual(['mock', 'survives-restart']);
    await stop(second);
    expect(second.output()).toContain('stopped\n');
  });
});
