/**
 * Reading the credential an adapter was given. Values are checked for header safety (a CR or LF
 * would let a stored value forge headers) and never appear in any error text.
 */
import { misconfigured } from '../upstream/errors.js';
import type { CallContext } from './contract.js';

function checked(provider: string, value: string): string {
  if (/[\r\n\0]/.test(value))
    throw misconfigured(provider, `the ${provider} credential contains a line break`);
  return value;
}

/**
 * The secret of an `api_key` or `secret_ref` credential.
 *
 * @throws UpstreamError `configuration` when the credential is `aws_iam` or carries no value.
 */
export function requireSecret(ctx: CallContext): string {
  const provider = ctx.provider.provider_type;
  const { credential } = ctx;
  if (credential.type === 'aws_iam' || credential.value === undefined || credential.value === '') {
    throw misconfigured(provider, `${provider} needs an api_key credential`);
  }
  return checked(provider, credential.value);
}

/** The secret when one was given (local OpenAI-compatible servers often need none). */
export function optionalSecret(ctx: CallContext): string | undefined {
  const { credential } = ctx;
  if (credential.type === 'aws_iam' || credential.value === undefined || credential.value === '')
    return undefined;
  return checked(ctx.provider.provider_type, credential.value);
}

/** A string metadata value of the provider record, if set. */
export function metadataString(ctx: CallContext, key: string): string | undefined {
  const value = ctx.provider.metadata[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** A finite number metadata value of the provider record, if set. */
export function metadataNumber(metadata: Record<string, unknown>, key: string): number | undefined {
  const value = metadata[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
