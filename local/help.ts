import { describeSettings } from '../lib/config-settings.js';

/** `npm start -- --help`: every setting of the local runtime, its default and meaning (from lib/config.ts). */
export function helpText(): string {
  // GATEWAY_RUNTIME is always `local` here, whatever the environment says.
  const settings = describeSettings().filter((s) => s.scope !== 'aws' && s.name !== 'GATEWAY_RUNTIME');
  const width = Math.max(...settings.map((s) => s.name.length));
  const lines = settings.flatMap((s) => [
    `  ${s.name.padEnd(width)}  default ${s.fallback}; ${s.accepts}`,
    `  ${' '.repeat(width)}  ${s.meaning.replaceAll('`', '')}`,
  ]);
  return `Usage: npm start [-- --help]

Runs the gateway on this machine: the same handlers as in AWS, with an embedded DynamoDB under
DATA_DIR. Settings are environment variables; a .env file in the folder you run npm in is read
too (the environment wins over it). Every setting, also those of the deployed stack:
docs/configuration.md.

Settings:
${lines.join('\n')}
`;
}
