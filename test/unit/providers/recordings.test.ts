import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadRecording, RECORDINGS_DIR, recordingFiles } from '../../support/recordings.js';

const INTEGRATION = fileURLToPath(new URL('../../integration/', import.meta.url));
const wireSuites = readdirSync(INTEGRATION)
  .filter((name) => name.startsWith('wire-') && name.endsWith('.test.ts'))
  .map((name) => readFileSync(`${INTEGRATION}${name}`, 'utf8'))
  .join('\n');
const readme = readFileSync(`${RECORDINGS_DIR}README.md`, 'utf8');

describe('recorded provider responses', () => {
  it('holds the issue transcripts and a recording for every adapter', () => {
    const files = recordingFiles();
    expect(files.length).toBeGreaterThanOrEqual(30);
    const providers = new Set(files.map((file) => loadRecording(file).provider));
    expect([...providers].sort()).toEqual(['anthropic', 'bedrock', 'cohere', 'huggingface', 'openai']);
  });

  it.each(recordingFiles())(
    '%s names its source, is listed in the README and is replayed by a wire suite',
    (file) => {
      const recording = loadRecording(file);
      expect(recording.source.length).toBeGreaterThan(10);
      if (recording.recorded) expect(recording.source).toMatch(/^[\w.-]+\/[\w.-]+:.+@[0-9a-f]{40}$/);
      else expect(recording.note.length).toBeGreaterThan(10);
      expect(Number.isInteger(recording.status)).toBe(true);
      expect(recording.body ?? recording.body_base64).toBeTruthy();
      expect(readme).toContain(`\`${file}\``);
      expect(wireSuites).toContain(`'${file}'`);
    },
  );

  it('holds no secret-shaped strings', () => {
    for (const file of recordingFiles()) {
      const text = readFileSync(`${RECORDINGS_DIR}${file}`, 'utf8');
      expect(text, file).not.toMatch(/\bsk-(ant-)?[A-Za-z0-9_-]{16,}|AKIA[0-9A-Z]{16}/);
    }
  });
});
