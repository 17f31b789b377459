/**
 * Reading a configuration file: YAML or JSON text → a validated {@link ConfigFile}. Refuses, before
 * anything else, a file that carries a secret: the file is reviewed in git, so a key pasted into it
 * is a leak even if it is never applied.
 */
import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../../errors.js';
import { looksLikeSecret } from '../../redact.js';
import { checkApiBodies } from './api-bodies.js';
import { type ConfigFile, configFileSchema, secretRef } from './schema.js';

/** A file that cannot be used, with every problem found (each `path: message`). */
export class ConfigFileError extends ConfigError {
  override name = 'ConfigFileError';
  readonly problems: string[];
  constructor(file: string, problems: string[]) {
    super(`${file} is not a valid gateway configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.problems = problems;
  }
}

/** Field names that would carry a credential: the file names where a key comes from, never the key. */
const SECRET_FIELDS =
  /^(api_?key|credential_value|secret|secret_key|password|token|access_key|authorization)$/i;
const MAX_PROBLEMS = 20;

const at = (path: readonly PropertyKey[]) => (path.length ? path.map(String).join('.') : '(top level)');

/** Every place in `value` that holds, or is named for, a secret. Reports paths, never the values. */
export function findSecrets(value: unknown, path: PropertyKey[] = []): string[] {
  if (typeof value === 'string') {
    return looksLikeSecret(value)
      ? [
          `${at(path)}: looks like a secret key; credentials never go in this file (use credential_from_env or secret_ref)`,
        ]
      : [];
  }
  if (Array.isArray(value)) return value.flatMap((item, index) => findSecrets(item, [...path, index]));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, child]) => {
      const here = [...path, key];
      if (looksLikeSecret(key)) return [`${at(path)}: a field name looks like a secret key`];
      // An ARN names where a secret lives (`…:secret:name`), which the label pattern would flag.
      if (key === 'secret_ref' && secretRef.safeParse(child).success) return [];
      // A quota's `api_key` names a key of the file (its value is still scanned below).
      const keyReference = key === 'api_key' && path.length === 2 && path[0] === 'quotas';
      if (SECRET_FIELDS.test(key) && !keyReference && child !== null && child !== '') {
        return [`${at(here)}: credentials never go in this file (use credential_from_env or secret_ref)`];
      }
      return findSecrets(child, here);
    });
  }
  return [];
}

/** Parses YAML (a superset of JSON, so `.json` files read the same way); syntax errors name the line. */
function parseText(text: string, file: string): unknown {
  try {
    return parseYaml(text, { maxAliasCount: 100, uniqueKeys: true });
  } catch (error) {
    throw new ConfigFileError(file, [error instanceof Error ? error.message.split('\n')[0]! : 'unreadable']);
  }
}

/**
 * Validates a configuration document: no secrets anywhere, the file's shape, then every object as
 * the admin API would validate its request body.
 *
 * @throws ConfigFileError listing the problems (at most 20), paths but never values.
 */
export function parseConfig(raw: unknown, file = 'configuration'): ConfigFile {
  const secrets = findSecrets(raw);
  if (secrets.length > 0) throw new ConfigFileError(file, secrets.slice(0, MAX_PROBLEMS));
  const parsed = configFileSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${at(issue.path)}: ${issue.message}`);
    throw new ConfigFileError(file, problems.slice(0, MAX_PROBLEMS));
  }
  const problems = checkApiBodies(parsed.data);
  if (problems.length > 0) throw new ConfigFileError(file, problems.slice(0, MAX_PROBLEMS));
  return parsed.data;
}

/** Reads configuration text (YAML or JSON), see {@link parseConfig}. */
export function readConfigText(text: string, file = 'configuration'): ConfigFile {
  return parseConfig(parseText(text, file), file);
}
