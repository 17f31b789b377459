/**
 * {@link KeyProvider} for the local runtime: a stand-in for KMS backed by a master key file
 * (`master-keys.json`, mode 0600) under a data directory. Data keys are wrapped with AES-256-GCM
 * under a master key, with the canonical encryption context as AAD, so a wrapped key presented
 * under another context fails exactly as KMS `Decrypt` would.
 *
 * File format: `{ "current": "<id>", "keys": { "<id>": "<base64 of 32 bytes>" } }`. Keys are never
 * deleted: {@link LocalKeyProvider.addMasterKey} adds a new current key and keeps the old ones so
 * records wrapped under them stay decryptable until re-wrapped.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmod, link, mkdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '../errors.js';
import { CredentialDecryptError, KmsKeyUnavailableError } from './errors.js';
import { canonicalContext, type DataKey, type EncryptionContext, type KeyProvider } from './key-provider.js';

/** Name of the master key file inside the directory given to {@link LocalKeyProvider.open}. */
export const MASTER_KEY_FILE = 'master-keys.json';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** A wrapped data key is `iv (12) || ciphertext (32) || tag (16)`. */
const WRAPPED_BYTES = IV_BYTES + KEY_BYTES + TAG_BYTES;

interface MasterKeyFile {
  current: string;
  keys: Record<string, string>;
}

function newKeyId(): string {
  return `local-${randomBytes(8).toString('hex')}`;
}

function parseKeyFile(text: string, path: string): { current: string; keys: Map<string, Buffer> } {
  const invalid = new ConfigError(`master key file ${path} is not valid`);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw invalid;
  }
  const file = data as Partial<MasterKeyFile> | null;
  if (typeof file?.current !== 'string' || typeof file.keys !== 'object' || file.keys === null) throw invalid;
  const keys = new Map<string, Buffer>();
  for (const [id, encoded] of Object.entries(file.keys)) {
    const key = typeof encoded === 'string' ? Buffer.from(encoded, 'base64') : Buffer.alloc(0);
    if (key.length !== KEY_BYTES) throw invalid;
    keys.set(id, key);
  }
  if (!keys.has(file.current)) throw invalid;
  return { current: file.current, keys };
}

/** Result of {@link LocalKeyProvider.open}. */
export interface LocalKeyProviderOpenResult {
  provider: LocalKeyProvider;
  /** True when the file was created by this call. */
  created: boolean;
  /** True when the file was readable or writable by group or others and was chmod-ed to 0600. */
  permissionsTightened: boolean;
}

/** Local, file-backed implementation of {@link KeyProvider}. Obtain one with {@link open}. */
export class LocalKeyProvider implements KeyProvider {
  readonly #path: string;
  #current: string;
  #keys: Map<string, Buffer>;
  /** Serialises {@link addMasterKey} within this process (the file is read, merged, replaced). */
  #rotation: Promise<unknown> = Promise.resolve();

  private constructor(path: string, current: string, keys: Map<string, Buffer>) {
    this.#path = path;
    this.#current = current;
    this.#keys = keys;
  }

  /**
   * Loads `<dir>/master-keys.json`, creating the directory (0700) and the file (0600, one fresh
   * key) on first use. Creation is atomic (temp file + hard link), so two processes starting at
   * once agree on one key. An existing file with group/world bits is chmod-ed to 0600 and reported
   * in `permissionsTightened` (the caller decides whether to warn).
   *
   * @throws ConfigError when the file exists but is not a valid master key file.
   */
  static async open(dir: string): Promise<LocalKeyProviderOpenResult> {
    const path = join(dir, MASTER_KEY_FILE);
    let created = false;
    // The usual case is a file that exists: look first, create only when it is missing.
    let info = await stat(path).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw err;
    });
    if (!info) {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      try {
        await LocalKeyProvider.#createIfMissing(path);
        created = true;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      info = await stat(path);
    }
    const mode = info.mode & 0o777;
    const permissionsTightened = (mode & 0o077) !== 0;
    if (permissionsTightened) await chmod(path, 0o600);
    const { current, keys } = parseKeyFile(await readFile(path, 'utf8'), path);
    return { provider: new LocalKeyProvider(path, current, keys), created, permissionsTightened };
  }

  static async #createIfMissing(path: string): Promise<void> {
    const id = newKeyId();
    const body: MasterKeyFile = { current: id, keys: { [id]: randomBytes(KEY_BYTES).toString('base64') } };
    const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
    await writeFile(tmp, JSON.stringify(body, null, 2), { mode: 0o600, flag: 'wx' });
    try {
      await chmod(tmp, 0o600);
      await link(tmp, path);
    } finally {
      await unlink(tmp);
    }
  }

  /** Path of the master key file (not secret; useful in operator messages). */
  get path(): string {
    return this.#path;
  }

  currentKeyId(): string {
    return this.#current;
  }

  /**
   * Creates a new master key, makes it current and keeps every old one; returns the new id. The
   * file is re-read first and replaced atomically, so a key added by another process is not lost.
   */
  addMasterKey(): Promise<string> {
    const next = this.#rotation.then(() => this.#addMasterKey());
    this.#rotation = next.catch(() => undefined);
    return next;
  }

  async #addMasterKey(): Promise<string> {
    const { keys } = parseKeyFile(await readFile(this.#path, 'utf8'), this.#path);
    for (const [id, key] of this.#keys) if (!keys.has(id)) keys.set(id, key);
    const id = newKeyId();
    keys.set(id, randomBytes(KEY_BYTES));
    const body: MasterKeyFile = { current: id, keys: {} };
    for (const [kid, key] of keys) body.keys[kid] = key.toString('base64');
    const tmp = `${this.#path}.${randomBytes(6).toString('hex')}.tmp`;
    await writeFile(tmp, JSON.stringify(body, null, 2), { mode: 0o600, flag: 'wx' });
    await chmod(tmp, 0o600);
    await rename(tmp, this.#path);
    this.#keys = keys;
    this.#current = id;
    return id;
  }

  async generateDataKey(context: EncryptionContext): Promise<DataKey> {
    const keyId = this.#current;
    const key = await this.#key(keyId);
    if (!key) throw new KmsKeyUnavailableError();
    const plaintext = randomBytes(KEY_BYTES);
    return { plaintext, wrapped: this.#wrap(plaintext, key, context), keyId };
  }

  /**
   * @throws CredentialDecryptError when the key id is unknown (a record naming a key this file
   * never held is treated as tampered) or the wrap does not authenticate under `context`.
   */
  async decryptDataKey(wrapped: Buffer, keyId: string, context: EncryptionContext): Promise<Buffer> {
    const key = await this.#key(keyId);
    if (!key) throw new CredentialDecryptError();
    return this.#unwrap(wrapped, key, context);
  }

  /**
   * Unwraps under `fromKeyId` and wraps under `toKeyId` inside this object; the data key is zeroed.
   *
   * @throws CredentialDecryptError as {@link decryptDataKey}; KmsKeyUnavailableError when
   * `toKeyId` is not in the file.
   */
  async rewrapDataKey(
    wrapped: Buffer,
    fromKeyId: string,
    toKeyId: string,
    context: EncryptionContext,
  ): Promise<Buffer> {
    const target = await this.#key(toKeyId);
    if (!target) throw new KmsKeyUnavailableError();
    const plaintext = await this.decryptDataKey(wrapped, fromKeyId, context);
    try {
      return this.#wrap(plaintext, target, context);
    } finally {
      plaintext.fill(0);
    }
  }

  /** Looks a master key up, re-reading the file once if another process may have added it. */
  async #key(keyId: string): Promise<Buffer | undefined> {
    if (!this.#keys.has(keyId)) {
      const { keys } = parseKeyFile(await readFile(this.#path, 'utf8'), this.#path);
      for (const [id, k] of keys) if (!this.#keys.has(id)) this.#keys.set(id, k);
    }
    return this.#keys.get(keyId);
  }

  #wrap(plaintext: Buffer, key: Buffer, context: EncryptionContext): Buffer {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(canonicalContext(context));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return Buffer.concat([iv, body, cipher.getAuthTag()]);
  }

  #unwrap(wrapped: Buffer, key: Buffer, context: EncryptionContext): Buffer {
    if (wrapped.length !== WRAPPED_BYTES) throw new CredentialDecryptError();
    const aad = canonicalContext(context);
    const decipher = createDecipheriv('aes-256-gcm', key, wrapped.subarray(0, IV_BYTES), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(aad);
    decipher.setAuthTag(wrapped.subarray(IV_BYTES + KEY_BYTES));
    const body = decipher.update(wrapped.subarray(IV_BYTES, IV_BYTES + KEY_BYTES));
    try {
      decipher.final();
    } catch {
      body.fill(0);
      throw new CredentialDecryptError();
    }
    return body;
  }
}
