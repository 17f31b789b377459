/**
 * A request may be well-formed yet ask for something the gateway does not offer (an OpenAI built-in
 * tool, an input item type it cannot translate, background mode). That is a 400 naming the feature,
 * not a 422 field rule: a schema marks such an issue with {@link unsupportedIssue}, and the HTTP
 * layer answers the first marked issue as a `BadRequestError` whose message is the issue's own.
 */
import type * as z from 'zod';

/** The `params` of a marked issue: the error code the 400 carries. */
export interface UnsupportedParams {
  unsupported: true;
  code: string;
}

/** A custom zod issue that answers 400 `code` with `message` (which names the field or tool). */
export function unsupportedIssue(
  input: unknown,
  path: (string | number)[],
  message: string,
  code: string,
): z.core.$ZodRawIssue {
  const params: UnsupportedParams = { unsupported: true, code };
  return { code: 'custom', input, path, message, params };
}

/** The marker of an issue raised by {@link unsupportedIssue}, if it is one. */
export function unsupportedParams(issue: z.core.$ZodIssue): UnsupportedParams | undefined {
  if (issue.code !== 'custom') return undefined;
  const params = issue.params as Partial<UnsupportedParams> | undefined;
  return params?.unsupported === true && typeof params.code === 'string'
    ? { unsupported: true, code: params.code }
    : undefined;
}
