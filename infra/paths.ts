import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (the folder holding `package.json`, `functions/`, `lib/`, `infra/`). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Where handler modules live: route `fn` `providers/create` is `functions/providers/create.ts`. */
export const FUNCTIONS_DIR = join(REPO_ROOT, 'functions');

/** The lockfile esbuild bundling is keyed on (also marks the project root for NodejsFunction). */
export const LOCK_FILE = join(REPO_ROOT, 'package-lock.json');

/** The built operator console (`npm ci` or `npm run dashboard:build` writes it). */
export const CONSOLE_DIST_DIR = join(REPO_ROOT, 'dashboard', 'dist');
