import dns, { type LookupAddress } from 'node:dns';
import http from 'node:http';
import net, { type AddressInfo, type LookupFunction } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ConfigError, ValidationError } from '../../../lib/errors.js';
import {
  assertConnectTarget,
  createGuardedLookup,
  type LookupAllImpl,
  parseAllowedPrivateUpstreams,
  UPSTREAM_REFUSED_CODE,
  type UpstreamPolicy,
  UpstreamRefusedError,
  validateUpstreamUrl,
} from '../../../lib/net/upstream-address.js';

/** One refused spelling: the `base_url`, the rule it breaks and the address a resolver gives for it. */
interface RefusedSpelling {
  url: string;
  rule: 'private_address' | 'private_host';
  resolvesTo: string;
}

/** Reads `<address a resolver returns> <url> <url> ...` lines into spellings that break `rule`. */
function spellings(rule: RefusedSpelling['rule'], table: string): RefusedSpelling[] {
  return table
    .trim()
    .split('\n')
    .flatMap((line) => {
      const [resolvesTo = '', ...urls] = line.trim().split(/\s+/);
      return urls.map((url) => ({ url, rule, resolvesTo }));
    });
}

/** IP-literal hosts, written every way WHATWG URL or inet_aton accept, that reach a refused address. */
const ADDRESS_TABLE = `
  127.0.0.1 https://127.0.0.1/v1 https://127.1/v1 https://127.0.1/ https://2130706433/ https://0x7f000001/
  127.0.0.1 https://0X7F000001/ https://0x7f.0x0.0x0.0x1/ https://0x7f.1/ https://0177.0.0.1/
  127.0.0.1 https://0x7f.0.0.1/ https://0177.0000.0000.0001/ https://017700000001/ https://127.0.0.1./
  127.0.0.1 https://%31%32%37.0.0.1/ https://127\u30020\u30020\u30021/
  127.0.0.1 https://\uff11\uff12\uff17\uff0e\uff10\uff0e\uff10\uff0e\uff11/
  127.255.255.254 https://127.255.255.254:8443/
  ::1 https://[::1]/ https://[0:0:0:0:0:0:0:1]:443/
  ::ffff:7f00:1 https://[::ffff:127.0.0.1]/ https://[::ffff:7f00:1]/
  ::ffff:7f00:1 https://[0000:0000:0000:0000:0000:FFFF:7F00:0001]/
  ::7f00:1 https://[::127.0.0.1]/
  64:ff9b::7f00:1 https://[64:ff9b::127.0.0.1]/
  2002:7f00:1:: https://[2002:7f00:1::]/
  0.0.0.0 https://0/ https://0.0.0.0/ https://0x0/
  :: https://[::]/
  10.0.0.1 https://10.0.0.1/ https://012.0.0.1/ https://167772161/
  172.16.0.1 https://172.16.0.1/
  172.31.255.255 https://172.31.255.255/
  192.168.1.1 https://192.168.1.1/ https://0xc0a80101/ https://3232235777/ https://192.168.257/
  100.100.100.200 https://100.100.100.200/
  fc00::1 https://[fc00::1]/
  fd00::1 https://[fd00::1]/
  ::ffff:a00:1 https://[::ffff:10.0.0.1]/
  ::ffff:c0a8:101 https://[::ffff:c0a8:101]/
  169.254.169.254 https://169.254.169.254/latest/meta-data/ https://2852039166/ https://0xa9fea9fe/
  169.254.169.254 https://0251.0376.0251.0376/ https://169.254.43518/
  169.254.170.2 https://169.254.170.2/v2/credentials
  ::ffff:a9fe:a9fe https://[::ffff:169.254.169.254]/ https://[::ffff:a9fe:a9fe]/
  64:ff9b::a9fe:a9fe https://[64:ff9b::a9fe:a9fe]/
  2002:a9fe:a9fe:: https://[2002:a9fe:a9fe::]/
  fe80::1 https://[fe80::1]/
  fd00:ec2::254 https://[fd00:ec2::254]/
  fec0::1 https://[fec0::1]/
`;

/** Hostnames of the local host, the cluster or a metadata service, with the address they resolve to. */
const NAME_TABLE = `
  127.0.0.1 https://localhost/v1 https://LOCALHOST./v1 https://api.localhost/
  127.0.0.1 https://%6c%6f%63%61%6c%68%6f%73%74/
  169.254.169.254 https://metadata.google.internal/computeMetadata/v1/ https://metadata.google.internal./
  169.254.169.254 https://instance-data/ https://instance-data.ec2.internal/
  192.168.1.20 https://printer.local/
  10.96.0.1 https://kubernetes.default.svc/
`;

/**
 * Spellings of loopback, unspecified, private, link-local and metadata addresses, all refused.
 * Exported on purpose (the brief keeps this list in the tests, not in lib) for other suites that fuzz
 * `base_url`; importing this file re-runs its tests, so move it to a fixture module before reuse.
 */
// biome-ignore lint/suspicious/noExportsInTest: the shared SSRF spelling list lives with its tests by design.
export const REFUSED_SPELLINGS: readonly RefusedSpelling[] = [
  ...spellings('private_address', ADDRESS_TABLE),
  ...spellings('private_host', NAME_TABLE),
];

const NO_EXCEPTIONS: UpstreamPolicy = { allowedPrivate: [] };

/** Runs `fn` and returns the `ValidationError` it throws (fails the test if it throws nothing else). */
function validationErrorOf(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ValidationError) return err;
    throw err;
  }
  throw new Error('expected a ValidationError');
}

function ruleOf(raw: string, policy: UpstreamPolicy = NO_EXCEPTIONS): unknown {
  return (validationErrorOf(() => validateUpstreamUrl(raw, policy)).details as { rule?: string }).rule;
}

/** A resolver that answers from a table and records what it was asked. */
function fakeResolver(answers: Record<string, string[]>): { lookup: LookupAllImpl; asked: string[] } {
  const asked: string[] = [];
  const lookup: LookupAllImpl = (hostname, _options, callback) => {
    asked.push(hostname);
    const addresses: LookupAddress[] = (answers[hostname] ?? []).map((address) => ({
      address,
      family: net.isIP(address),
    }));
    queueMicrotask(() => callback(null, addresses));
  };
  return { lookup, asked };
}

/** Calls a lookup function the way `net` does and settles with its outcome. */
function resolveWith(
  lookup: LookupFunction,
  hostname: string,
  all = true,
): Promise<string | LookupAddress[]> {
  return new Promise((resolve, reject) => {
    lookup(hostname, { all }, (err, address) => (err ? reject(err) : resolve(address)));
  });
}

describe('upstream address: write-time validateUpstreamUrl', () => {
  it(`has at least 40 distinct refused spellings (${REFUSED_SPELLINGS.length})`, () => {
    expect(new Set(REFUSED_SPELLINGS.map((s) => s.url)).size).toBe(REFUSED_SPELLINGS.length);
    expect(REFUSED_SPELLINGS.length).toBeGreaterThanOrEqual(40);
  });

  it.each(REFUSED_SPELLINGS.map((s) => [s.url, s.rule] as const))('refuses %s (%s)', (url, rule) => {
    expect(ruleOf(url)).toBe(rule);
  });

  it.each([
    ['https://api.openai.com/v1', 'https://api.openai.com/v1'],
    ['https://93.184.216.34', 'https://93.184.216.34/'],
    ['https://API.Anthropic.com./v1/', 'https://api.anthropic.com./v1/'],
    ['https://[2606:4700::1111]/v1', 'https://[2606:4700::1111]/v1'],
    ['https://example.openai.azure.com/openai?api-version=2024-06-01', null],
    ['https://127.0.0.1.nip.io/v1', null],
  ])('accepts the public upstream %s', (raw, href) => {
    expect(validateUpstreamUrl(raw, NO_EXCEPTIONS).href).toBe(href ?? raw);
  });

  it.each([
    ['file:///etc/passwd', 'scheme'],
    ['gopher://127.0.0.1:6379/_INFO', 'scheme'],
    ['ftp://ftp.example.com/', 'scheme'],
    ['javascript:alert(1)', 'scheme'],
    ['data:text/plain,hello', 'scheme'],
    ['wss://api.openai.com/', 'scheme'],
    ['http://api.openai.com/v1', 'scheme'],
    ['https://api.openai.com@127.0.0.1/', 'userinfo'],
    ['https://user:pass@api.openai.com/', 'userinfo'],
    ['https://@api.openai.com/', 'userinfo'],
    ['https://127.0.0.1#@api.openai.com', 'fragment'],
    ['https://api.openai.com/v1#', 'fragment'],
    ['https://api.openai.com\\@127.0.0.1/', 'malformed'],
    ['https:\\\\127.0.0.1\\', 'malformed'],
    ['https:api.openai.com', 'malformed'],
    ['https:///api.openai.com', 'malformed'],
    [' https://api.openai.com', 'malformed'],
    ['https://api.openai.com/v1\n', 'malformed'],
    ['https://api.openai.com\t/v1', 'malformed'],
    ['api.openai.com', 'not_a_url'],
    ['', 'not_a_url'],
    ['https://127.0.0.1../', 'invalid_host'],
    ['https://a_b!.example.com/', 'invalid_host'],
    [`https://api.openai.com/${'a'.repeat(2048)}`, 'too_long'],
  ])('refuses %j by the %s rule', (raw, rule) => {
    expect(ruleOf(raw)).toBe(rule);
  });

  it('never echoes credentials from the URL in the error', () => {
    const error = validationErrorOf(() =>
      validateUpstreamUrl('https://u:sk-canary-123@127.0.0.1/', NO_EXCEPTIONS),
    );
    expect(error.message).not.toContain('sk-canary-123');
    expect(error.statusCode).toBe(422);
  });
});

describe('upstream address: operator allow-list', () => {
  it('allows http://127.0.0.1:9100 when ALLOWED_PRIVATE_UPSTREAMS=127.0.0.1/32, and nothing next to it', () => {
    const policy = { allowedPrivate: parseAllowedPrivateUpstreams('127.0.0.1/32') };
    expect(validateUpstreamUrl('http://127.0.0.1:9100', policy).href).toBe('http://127.0.0.1:9100/');
    expect(validateUpstreamUrl('https://[::ffff:127.0.0.1]:9100', policy).port).toBe('9100');
    expect(ruleOf('http://127.0.0.2:9100', policy)).toBe('private_address');
    expect(ruleOf('http://localhost:9100', policy)).toBe('private_host');
  });

  it('allows a hostname exactly, case-insensitively and with or without the trailing dot', () => {
    const policy = { allowedPrivate: parseAllowedPrivateUpstreams(' LLM.Internal. , 10.0.0.0/8') };
    expect(policy.allowedPrivate).toEqual(['llm.internal', '10.0.0.0/8']);
    expect(validateUpstreamUrl('http://llm.internal:8080/v1', policy).host).toBe('llm.internal:8080');
    expect(validateUpstreamUrl('http://LLM.INTERNAL./v1', policy).protocol).toBe('http:');
    expect(ruleOf('https://other.internal/', policy)).toBe('private_host');
    expect(ruleOf('https://x.llm.internal/', policy)).toBe('private_host');
    expect(validateUpstreamUrl('http://10.1.2.3/', policy).hostname).toBe('10.1.2.3');
    expect(validateUpstreamUrl('http://0xa010203/', policy).hostname).toBe('10.1.2.3');
  });

  it('keeps https mandatory for a hostname that only a CIDR entry may cover', () => {
    const policy = { allowedPrivate: ['10.0.0.0/8'] };
    expect(ruleOf('http://llm.corp.example.com/', policy)).toBe('scheme');
    expect(validateUpstreamUrl('https://llm.corp.example.com/', policy).protocol).toBe('https:');
  });

  it.each(['127.1', '*.corp', '10.0.0.0/33', 'bad host', '[::1]', 'a..b'])(
    'refuses the entry %j with a ConfigError naming it',
    (entry) => {
      expect(() => parseAllowedPrivateUpstreams(`localhost,${entry}`)).toThrow(ConfigError);
      expect(() => parseAllowedPrivateUpstreams(`localhost,${entry}`)).toThrow(`"${entry}"`);
    },
  );

  it('reads an unset or blank variable as no exceptions', () => {
    expect(parseAllowedPrivateUpstreams(undefined)).toEqual([]);
    expect(parseAllowedPrivateUpstreams(' , ')).toEqual([]);
  });
});

describe('upstream address: connect-time createGuardedLookup', () => {
  it.each(REFUSED_SPELLINGS.map((s) => [s.url, s.resolvesTo] as const))(
    'refuses the host of %s and any name that resolves to %s',
    async (url, resolvesTo) => {
      const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
      const resolver = fakeResolver({
        [host]: [resolvesTo],
        'rebound.example.com': ['93.184.216.34', resolvesTo],
      });
      const lookup = createGuardedLookup(NO_EXCEPTIONS, resolver.lookup);
      await expect(resolveWith(lookup, host)).rejects.toMatchObject({ code: UPSTREAM_REFUSED_CODE });
      await expect(resolveWith(lookup, 'rebound.example.com', false)).rejects.toBeInstanceOf(
        UpstreamRefusedError,
      );
      expect(resolver.asked).toContain('rebound.example.com');
    },
  );

  it('answers public names in both the single and the all form, asking DNS for every address', async () => {
    const resolver = fakeResolver({ 'api.openai.com': ['162.159.140.245', '2606:4700::6812:1'] });
    const lookup = createGuardedLookup(NO_EXCEPTIONS, resolver.lookup);
    await expect(resolveWith(lookup, 'api.openai.com', false)).resolves.toBe('162.159.140.245');
    await expect(resolveWith(lookup, 'api.openai.com', true)).resolves.toHaveLength(2);
  });

  it('refuses a rebinding name on the second resolution', async () => {
    const answers = { 'rebind.example.com': ['93.184.216.34'] };
    const lookup = createGuardedLookup(NO_EXCEPTIONS, fakeResolver(answers).lookup);
    await expect(resolveWith(lookup, 'rebind.example.com')).resolves.toHaveLength(1);
    answers['rebind.example.com'] = ['169.254.169.254'];
    await expect(resolveWith(lookup, 'rebind.example.com')).rejects.toMatchObject({
      code: 'EUPSTREAMREFUSED',
    });
  });

  it('lets allow-listed names and CIDRs through, and nothing else', async () => {
    const resolver = fakeResolver({
      'llm.corp.example.com': ['10.1.2.3'],
      'db.corp.example.com': ['10.9.9.9', '192.168.0.9'],
    });
    const lookup = createGuardedLookup({ allowedPrivate: ['localhost', '10.0.0.0/8'] }, resolver.lookup);
    await expect(resolveWith(lookup, 'llm.corp.example.com', false)).resolves.toBe('10.1.2.3');
    await expect(resolveWith(lookup, 'db.corp.example.com')).rejects.toMatchObject({
      code: UPSTREAM_REFUSED_CODE,
    });
    await expect(resolveWith(lookup, 'localhost')).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });

  it('checks IP-literal targets that net connects to without a lookup', () => {
    const refused = ['127.0.0.1', '[::1]', '::ffff:127.0.0.1', '0x7f000001', '169.254.169.254', 'localhost'];
    for (const host of refused) {
      expect(() => assertConnectTarget(host, NO_EXCEPTIONS)).toThrow(UpstreamRefusedError);
    }
    expect(() => assertConnectTarget('93.184.216.34', NO_EXCEPTIONS)).not.toThrow();
    expect(() => assertConnectTarget('127.0.0.1', { allowedPrivate: ['127.0.0.0/8'] })).not.toThrow();
  });
});

describe('upstream address: no connection reaches a refused target (real sockets)', () => {
  type Recorded = { lookup: LookupFunction; calls: Array<{ host: string; code: string }> };

  /** Wraps a lookup so every call and its outcome are recorded. */
  function recording(lookup: LookupFunction): Recorded {
    const calls: Recorded['calls'] = [];
    const wrapped: LookupFunction = (host, options, callback) =>
      lookup(host, options, (err, address, family) => {
        calls.push({ host, code: err?.code ?? 'OK' });
        callback(err, address, family);
      });
    return { lookup: wrapped, calls };
  }

  /** Connects the way an HTTP client should: a literal is checked first (net skips lookup for it). */
  function connect(host: string, port: number, guard: { lookup: LookupFunction; policy: UpstreamPolicy }) {
    const { lookup, policy } = guard;
    return new Promise<string>((resolve) => {
      try {
        if (net.isIP(host) !== 0) assertConnectTarget(host, policy);
      } catch (err) {
        resolve((err as UpstreamRefusedError).code);
        return;
      }
      const socket = net.connect({ host, port, lookup });
      socket.once('connect', () => socket.end(() => resolve('connected')));
      socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
    });
  }

  it('refuses localhost, a rebound name and a literal with zero server connections; allow-listed ones connect', async () => {
    const server = http.createServer((_req, res) => res.end());
    let connections = 0;
    server.on('connection', () => connections++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const none = NO_EXCEPTIONS;
      const real = recording(createGuardedLookup(none));
      const rebound = fakeResolver({ 'rebind.example.com': ['127.0.0.1'] });
      const fake = recording(createGuardedLookup(none, rebound.lookup));
      const refused = [
        await connect('localhost', port, { lookup: real.lookup, policy: none }),
        await connect('rebind.example.com', port, { lookup: fake.lookup, policy: none }),
        await connect('127.0.0.1', port, { lookup: real.lookup, policy: none }),
      ];
      expect(refused).toEqual([UPSTREAM_REFUSED_CODE, UPSTREAM_REFUSED_CODE, UPSTREAM_REFUSED_CODE]);
      expect(real.calls).toEqual([{ host: 'localhost', code: UPSTREAM_REFUSED_CODE }]);
      expect(fake.calls).toEqual([{ host: 'rebind.example.com', code: UPSTREAM_REFUSED_CODE }]);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(connections).toBe(0);

      const byName = { allowedPrivate: ['localhost'] };
      const allowed = recording(createGuardedLookup(byName, dns.lookup));
      const byCidr = { allowedPrivate: ['127.0.0.0/8'] };
      const viaCidr = createGuardedLookup(
        byCidr,
        fakeResolver({ 'llm.corp.example.com': ['127.0.0.1'] }).lookup,
      );
      const accepted = [
        await connect('localhost', port, { lookup: allowed.lookup, policy: byName }),
        await connect('llm.corp.example.com', port, { lookup: viaCidr, policy: byCidr }),
      ];
      expect(accepted).toEqual(['connected', 'connected']);
      await expect.poll(() => connections).toBe(2);
      expect(allowed.calls).toEqual([{ host: 'localhost', code: 'OK' }]);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
