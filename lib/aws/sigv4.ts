/**
 * AWS Signature Version 4 for JSON-protocol POSTs to `/` (DynamoDB): the only requests this
 * gateway signs itself. The signing key is derived once per day, region, service and secret and
 * then reused, so a request costs two SHA-256 digests and two HMACs.
 *
 * Reference: "Create a signed AWS API request" (AWS IAM User Guide). The unit test checks the
 * signature against the AWS SDK's own signer for the same request and time.
 */
import { createHash, createHmac } from 'node:crypto';

/** Credentials to sign with (from the environment in Lambda, a provider chain elsewhere). */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | undefined;
  /** When they stop working (temporary credentials); absent for long-lived ones. */
  expiration?: Date | undefined;
}

/** What to sign: a POST of `body` to `/` of `host`, with these extra headers (lower-case names). */
export interface SignInput {
  host: string;
  body: string;
  headers: Record<string, string>;
  credentials: AwsCredentials;
  /** Epoch ms; the signature is valid for 15 minutes around it. */
  nowMs: number;
}

const sha256Hex = (data: string): string => createHash('sha256').update(data, 'utf8').digest('hex');
const hmac = (key: Buffer | string, data: string): Buffer =>
  createHmac('sha256', key).update(data, 'utf8').digest();

/** `20261126T141500Z` and `20261126` for an instant. */
function amzDates(nowMs: number): { amzDate: string; day: string } {
  const iso = new Date(nowMs).toISOString(); // 2026-11-26T14:15:00.123Z
  const amzDate = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  return { amzDate, day: amzDate.slice(0, 8) };
}

/** Signs requests for one region and service, caching the day's signing key per secret. */
export class SigV4Signer {
  private cached: { day: string; secret: string; key: Buffer } | undefined;

  constructor(
    readonly region: string,
    readonly service: string,
  ) {}

  /** The headers to send: `host`, `x-amz-date`, the token if any, the given ones and `authorization`. */
  sign(input: SignInput): Record<string, string> {
    const { amzDate, day } = amzDates(input.nowMs);
    const headers: Record<string, string> = { ...input.headers, host: input.host, 'x-amz-date': amzDate };
    if (input.credentials.sessionToken) headers['x-amz-security-token'] = input.credentials.sessionToken;
    const names = Object.keys(headers).sort();
    let canonicalHeaders = '';
    for (const name of names) canonicalHeaders += `${name}:${headers[name]!.trim()}\n`;
    const signedHeaders = names.join(';');
    const canonicalRequest = `POST\n/\n\n${canonicalHeaders}\n${signedHeaders}\n${sha256Hex(input.body)}`;
    const scope = `${day}/${this.region}/${this.service}/aws4_request`;
    const stringToSign = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${sha256Hex(canonicalRequest)}`;
    const signature = createHmac('sha256', this.signingKey(day, input.credentials.secretAccessKey))
      .update(stringToSign, 'utf8')
      .digest('hex');
    headers.authorization = `AWS4-HMAC-SHA256 Credential=${input.credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
    return headers;
  }

  private signingKey(day: string, secret: string): Buffer {
    const c = this.cached;
    if (c && c.day === day && c.secret === secret) return c.key;
    const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, day), this.region), this.service), 'aws4_request');
    this.cached = { day, secret, key };
    return key;
  }
}
