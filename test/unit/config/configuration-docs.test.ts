import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONTEXT_SETTINGS } from '../../../infra/context-settings.js';
import { stackPropsFromContext } from '../../../infra/gateway-app.js';
import { loadConfig } from '../../../lib/config.js';
import { describeSettings } from '../../../lib/config-settings.js';
import { withSettingsTable } from '../../../scripts/settings-docs.js';

const page = () => readFileSync(new URL('../../../docs/configuration.md', import.meta.url), 'utf8');

describe('docs/configuration.md: every setting in one table', () => {
  it('is up to date with lib/config.ts and the stack context (run `npm run openapi`)', () => {
    expect(page()).toBe(withSettingsTable(page()));
  });

  it('has a row per variable the configuration reads, with the default it applies', () => {
    const defaults = loadConfig({}) as Record<string, unknown>;
    for (const setting of describeSettings()) {
      const fallback = defaults[setting.name] === undefined ? '(unset)' : String(defaults[setting.name]);
      expect(page()).toMatch(new RegExp(`\\| \`${setting.name}\` +\\| `));
      expect(setting.fallback).toBe(fallback);
    }
  });

  it('lists exactly the CDK context values the stack reads', () => {
    const read: string[] = [];
    stackPropsFromContext((key) => {
      read.push(key);
      return undefined;
    });
    expect(read.sort()).toEqual(CONTEXT_SETTINGS.map((s) => s.name).sort());
    for (const s of CONTEXT_SETTINGS) {
      expect(page()).toMatch(
        new RegExp(`\\| \`-c ${s.name}\` +\\| stack \\(CDK context\\) \\| ${s.fallback} +\\|`),
      );
    }
  });
});
