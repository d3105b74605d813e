// Fetching the photo an Open311 client names by `media_url`. The server makes the request, so a
// careless fetch would let anyone on the internet make Twiza read addresses only it can reach:
// the cloud's metadata service (169.254.169.254), the database port on localhost, the town
// hall's intranet. So:
//
// - only http and https, no user:password in the URL;
// - the host name is resolved once, every address it resolves to must be a public unicast
//   address (IPv4 and IPv6, IPv4 inside IPv6 included), and the connection goes to the address
//   that was checked, not to a second resolution a hostile DNS server could answer differently;
// - at most 2 redirects, each one checked the same way;
// - a time limit for the whole fetch and a size limit read as the bytes arrive.
//
// What comes back is only bytes: the caller decodes and re-encodes it as a photo (photos.ts),
// which refuses anything that is not one.
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';

export const MEDIA_LIMITS = {
  /** A phone's full-size JPEG is 3–6 MB. */
  maxBytes: 8 * 1024 * 1024,
  timeoutMs: 10_000,
  maxRedirects: 2,
} as const;

/** Why a media_url was refused; each has its message (`open311.media.<reason>`). */
export type MediaRefusal =
  | 'invalid_url'
  | 'scheme'
  | 'credentials'
  | 'private_address'
  | 'unresolvable'
  | 'too_many_redirects'
  | 'too_large'
  | 'timeout'
  | 'http_status'
  | 'network';

export class MediaError extends Error {
  constructor(
    readonly reason: MediaRefusal,
    detail?: string,
  ) {
    super(detail ? `${reason}: ${detail}` : reason);
    this.name = 'MediaError';
  }
}

export type Resolver = (hostname: string) => Promise<string[]>;

export type MediaFetchOptions = {
  /** Host name → addresses; the system resolver by default. Tests name their own hosts. */
  resolve?: Resolver;
  /**
   * Where to open the connection for an address that passed the check; the address itself by
   * default. Only tests change it, to reach a local server standing in for a public one.
   */
  dial?: (checkedAddress: string) => string;
  maxBytes?: number;
  timeoutMs?: number;
  maxRedirects?: number;
};

const systemResolver: Resolver = async (hostname) => (await dns.promises.lookup(hostname, { all: true, verbatim: true })).map((a) => a.address);

// ---------------------------------------------------------------------------------------------
// Addresses

function ipv4Number(address: string): number {
  return address.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
}

/** Ranges of IPv4 that are not the public internet (IANA special-purpose registry). */
const IPV4_SPECIAL: [string, number][] = [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, cloud metadata services
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relays (deprecated)
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, and 255.255.255.255
];

function isPublicIpv4(address: string): boolean {
  const value = ipv4Number(address);
  return !IPV4_SPECIAL.some(([base, bits]) => {
    const size = 2 ** (32 - bits);
    const start = ipv4Number(base);
    return value >= start && value < start + size;
  });
}

/** The 8 groups of an IPv6 address (which net.isIPv6 accepted), dotted IPv4 tails included. */
function ipv6Groups(address: string): number[] {
  let text = address.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const n = ipv4Number(dotted[1]!);
    text = `${text.slice(0, dotted.index)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const missing = tail === undefined ? 0 : 8 - left.length - right.length;
  return [...left, ...Array<string>(missing).fill('0'), ...right].map((g) => parseInt(g, 16));
}

function embeddedIpv4(high: number, low: number): string {
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}

function isPublicIpv6(address: string): boolean {
  const g = ipv6Groups(address);
  const [g0, g1, g2, g3, g4, g5, g6, g7] = g as [number, number, number, number, number, number, number, number];
  const firstSix = [g0, g1, g2, g3, g4, g5];
  // ::ffff:a.b.c.d — an IPv4 address written as IPv6: judged as the IPv4 address it is.
  if (firstSix.slice(0, 5).every((x) => x === 0) && g5 === 0xffff) return isPublicIpv4(embeddedIpv4(g6, g7));
  // 64:ff9b::a.b.c.d — NAT64 to an IPv4 address: judged as that address.
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) return isPublicIpv4(embeddedIpv4(g6, g7));
  // 2002:AABB:CCDD::/48 — 6to4 around the IPv4 address AA.BB.CC.DD.
  if (g0 === 0x2002) return isPublicIpv4(embeddedIpv4(g1, g2));
  // Only global unicast (2000::/3) is the public internet; ::, ::1, fc00::/7 (unique local),
  // fe80::/10 (link-local), fec0::/10, ff00::/8 (multicast) and the rest are outside it.
  if ((g0 & 0xe000) !== 0x2000) return false;
  if (g0 === 0x2001 && g1 < 0x0200) return false; // 2001::/23 IETF protocols (Teredo, benchmarking, ORCHID)
  if (g0 === 0x2001 && g1 === 0x0db8) return false; // documentation
  if ((g0 & 0xfff0) === 0x3ff0) return false; // 3fff::/20 documentation
  return true;
}

/** True only for an address of the public internet (IPv4 or IPv6, zone ids refused). */
export function isPublicAddress(address: string): boolean {
  if (net.isIPv4(address)) return isPublicIpv4(address);
  if (net.isIPv6(address) && !address.includes('%')) return isPublicIpv6(address);
  return false;
}

// ---------------------------------------------------------------------------------------------
// Fetching

/** The URL as one we may fetch: http(s), no credentials; throws MediaError otherwise. */
export function checkMediaUrl(text: string, base?: URL): URL {
  let url: URL;
  try {
    url = new URL(text, base);
  } catch {
    throw new MediaError('invalid_url');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new MediaError('scheme', url.protocol);
  if (url.username || url.password) throw new MediaError('credentials');
  if (!url.hostname) throw new MediaError('invalid_url');
  return url;
}

/** The address to connect to for `url`: the host's addresses, every one of them public. */
async function checkedAddress(url: URL, resolve: Resolver): Promise<{ address: string; family: 4 | 6 }> {
  // The URL parser already turned 0x7f.1, 2130706433 and the like into dotted quads.
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  let addresses: string[];
  if (net.isIP(host)) {
    addresses = [host];
  } else {
    try {
      addresses = await resolve(host);
    } catch {
      throw new MediaError('unresolvable', host);
    }
  }
  if (addresses.length === 0) throw new MediaError('unresolvable', host);
  // One private answer is enough to refuse: a name that points partly inside is not a photo host.
  const refused = addresses.find((a) => !isPublicAddress(a));
  if (refused) throw new MediaError('private_address', refused);
  const address = addresses[0]!;
  return { address, family: net.isIPv6(address) ? 6 : 4 };
}

type Hop = { status: number; location: string | undefined; body: Buffer | undefined };

function requestOnce(url: URL, target: { address: string; family: 4 | 6 }, limits: { maxBytes: number; signal: AbortSignal }): Promise<Hop> {
  return new Promise((resolvePromise, reject) => {
    // Name resolution is answered with the checked address: the connection cannot go anywhere
    // else (TLS still checks the certificate against the host name).
    const lookup = (_hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
      if (options?.all) callback(null, [{ address: target.address, family: target.family }]);
      else callback(null, target.address, target.family);
    };
    const client = url.protocol === 'https:' ? https : http;
    const request = client.request(
      url,
      {
        method: 'GET',
        agent: false,
        lookup: lookup as unknown as net.LookupFunction,
        signal: limits.signal,
        headers: { accept: 'image/jpeg, image/png, image/webp, image/*;q=0.8', 'user-agent': 'Twiza-Open311/1 (+media_url)' },
      },
      (response) => {
        const status = response.statusCode ?? 0;
        if (status >= 300 && status < 400) {
          response.resume();
          resolvePromise({ status, location: response.headers.location, body: undefined });
          return;
        }
        if (status !== 200) {
          response.resume();
          resolvePromise({ status, location: undefined, body: undefined });
          return;
        }
        const declared = Number(response.headers['content-length']);
        if (Number.isFinite(declared) && declared > limits.maxBytes) {
          response.destroy();
          reject(new MediaError('too_large'));
          return;
        }
        const chunks: Buffer[] = [];
        let received = 0;
        response.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received > limits.maxBytes) {
            response.destroy();
            reject(new MediaError('too_large'));
            return;
          }
          chunks.push(chunk);
        });
        response.on('end', () => resolvePromise({ status, location: undefined, body: Buffer.concat(chunks) }));
        response.on('error', (error) => reject(error));
      },
    );
    request.on('error', (error) => reject(error));
    request.end();
  });
}

/**
 * The bytes at `mediaUrl`, fetched as described at the top of this file. Throws MediaError
 * with the reason for anything refused or failed.
 */
export async function fetchMedia(mediaUrl: string, options: MediaFetchOptions = {}): Promise<Buffer> {
  const resolve = options.resolve ?? systemResolver;
  const maxBytes = options.maxBytes ?? MEDIA_LIMITS.maxBytes;
  const maxRedirects = options.maxRedirects ?? MEDIA_LIMITS.maxRedirects;
  const signal = AbortSignal.timeout(options.timeoutMs ?? MEDIA_LIMITS.timeoutMs);
  let url = checkMediaUrl(mediaUrl);
  for (let redirects = 0; ; redirects += 1) {
    const checked = await checkedAddress(url, resolve);
    const target = options.dial ? { address: options.dial(checked.address), family: checked.family } : checked;
    if (options.dial) target.family = net.isIPv6(target.address) ? 6 : 4;
    let hop: Hop;
    try {
      hop = await requestOnce(url, target, { maxBytes, signal });
    } catch (error) {
      if (error instanceof MediaError) throw error;
      if (signal.aborted) throw new MediaError('timeout');
      throw new MediaError('network', (error as Error).message);
    }
    if (hop.body) return hop.body;
    if (hop.status >= 300 && hop.status < 400 && hop.location) {
      if (redirects >= maxRedirects) throw new MediaError('too_many_redirects');
      url = checkMediaUrl(hop.location, url);
      continue;
    }
    throw new MediaError('http_status', String(hop.status));
  }
}
