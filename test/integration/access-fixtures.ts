import type { Role } from '../../lib/auth/roles.js';
import type { TestGateway } from '../support/runtime.js';

/** A key as minted through the API: its id and its secret (shown once). */
export interface MintedKey {
  id: string;
  key: string;
}

/** Mints a key with the bootstrap admin key (or `as`), failing the test on anything but 201. */
export async function mintKey(
  gw: TestGateway,
  body: {
    name?: string;
    role: Role;
    provider_ids?: string[];
    model_ids?: string[];
    expires_at?: string;
    team_id?: string;
    rate_limit_rpm?: number;
    rate_limit_tpm?: number;
    log_payloads?: boolean;
  },
  as?: string,
): Promise<MintedKey> {
  const res = await gw.call('POST', '/api/keys', {
    body: { name: `${body.role} key`, ...body },
    ...(as ? { key: as } : {}),
  });
  if (res.status !== 201) throw new Error(`minting a ${body.role} key failed: ${res.status} ${res.text}`);
  return { id: res.json.id, key: res.json.key };
}

/** The 401 body with its per-request id blanked, so two 401s can be compared byte for byte. */
export function unauthorizedShape(res: { status: number; text: string; headers: Headers }) {
  return {
    status: res.status,
    body: res.text.replace(/"request_id":"[^"]*"/, '"request_id":"-"'),
    wwwAuthenticate: res.headers.get('www-authenticate'),
  };
}

/** A well-formed key that was never issued (not shaped like any real provider's key). */
export const GARBAGE_KEY = 'gk_never-issued-0000000000000000000000000000000';
