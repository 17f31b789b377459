/**
 * Write-time rules of a credential value. Every message is a constant: a value an administrator
 * pasted into the wrong field may be a live key, so no error ever echoes it.
 */
import { ValidationError } from '../../errors.js';
import type { CredentialType } from './record.js';

const ARN =
  /^arn:aws(?:-cn|-us-gov|-iso[a-z-]*)?:secretsmanager:[a-z]{2}(?:-[a-z]+)+-\d:\d{12}:secret:([A-Za-z0-9/_+=.@-]{1,512})$/;

const invalid = (message: string) =>
  new ValidationError('The credential is invalid.', { details: [{ field: 'credential_value', message }] });

/**
 * The secret name inside a Secrets Manager secret ARN, if the ARN is well-formed and the name starts
 * with `prefix` (and has more after it, without `..`); otherwise `undefined`. Full ARNs carry Secrets Manager's
 * 6-character suffix after the name; it does not affect the prefix check.
 */
export function secretRefName(value: string, prefix: string): string | undefined {
  const name = ARN.exec(value)?.[1];
  // `..` is a legal name character pair, but reads like a path escape in reviews and IAM patterns.
  const ok = name?.startsWith(prefix) && name.length > prefix.length && !name.includes('..');
  return ok ? name : undefined;
}

/**
 * Checks a value against its type and the provider: `api_key` and `secret_ref` need a value,
 * `aws_iam` takes none and only serves Bedrock providers, `secret_ref` must be the ARN of a secret
 * whose name starts with `CREDENTIAL_SECRET_PREFIX`.
 *
 * @throws ValidationError (422) naming the field and the rule, never the value.
 */
export function checkCredentialValue(input: {
  type: CredentialType;
  value: string | undefined;
  providerType: string;
  secretPrefix: string;
}): void {
  if (input.type === 'aws_iam') {
    if (input.providerType !== 'bedrock') {
      throw new ValidationError('aws_iam credentials serve bedrock providers only.', {
        details: [{ field: 'credential_type', message: 'aws_iam is only valid for a bedrock provider' }],
      });
    }
    if (input.value !== undefined) throw invalid('an aws_iam credential takes no value');
    return;
  }
  if (input.value === undefined) throw invalid(`a ${input.type} credential needs a value`);
  if (input.type === 'secret_ref' && secretRefName(input.value, input.secretPrefix) === undefined) {
    throw invalid(
      `must be the ARN of a Secrets Manager secret whose name starts with "${input.secretPrefix}"`,
    );
  }
}
