/** Fixtures of the credential integration tests: fake keys made at run time, never committed. */
import { randomBytes } from 'node:crypto';

/** An obviously fake provider key, unique per call (shaped unlike any real provider's key). */
export function fakeProviderKey(label = 'it'): string {
  return `fake-${label}-key-${randomBytes(10).toString('hex')}`;
}

/** A Secrets Manager ARN under the default prefix `ai-gateway/` (fake account). */
export const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:ai-gateway/openai-AbCdEf';

/** A canary: a value that must appear nowhere but in a successful decrypt. */
export function canary(): string {
  return `canary${randomBytes(12).toString('hex')}zz`;
}

/** The forms a leaked value could take: raw, base64, base64url, hex. */
export function encodings(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  return [secret, bytes.toString('base64'), bytes.toString('base64url'), bytes.toString('hex')];
}
