/**
 * The key a client's failed logins are counted under: its IPv4 address, or the /64 network of its
 * IPv6 address.
 *
 * Why /64: an IPv6 host is routinely given a whole /64 (RFC 4291 §2.5.1, SLAAC), so one machine can
 * send each request from another of 2^64 addresses. Counted per address, the limit of 20 failures
 * per client IP would hold no one, and a flood of new addresses would fill the limiter's table.
 * An IPv4-mapped address (`::ffff:192.0.2.1`, what a dual-stack socket reports for an IPv4 client,
 * in any spelling) and a NAT64 one (`64:ff9b::192.0.2.1`) are the IPv4 address they carry. A port
 * after the address (`203.0.113.9:51234`, `[2001:db8::1]:443`) is dropped. A string that is not an
 * IPv6 address is kept as it is.
 * @module
 */

const HEXTET = /^[0-9a-f]{1,4}$/i;
const IPV4_TAIL = /^\d{1,3}(?:\.\d{1,3}){3}$/;

/** The hextets of one side of `::`, or null. Only the last group of the address may be an IPv4 tail (two hextets). */
function hextets(part: string, last: boolean): string[] | null {
  if (part === '') return [];
  const groups = part.split(':');
  const out: string[] = [];
  for (let i = 0; i < groups.length; i++) {
    const group = groups[i] as string;
    if (last && i === groups.length - 1 && IPV4_TAIL.test(group)) {
      const [a, b, c, d] = group.split('.').map(Number) as [number, number, number, number];
      if (a > 255 || b > 255 || c > 255 || d > 255) return null;
      out.push(((a << 8) | b).toString(16), ((c << 8) | d).toString(16));
    }
    else if (HEXTET.test(group)) out.push(parseInt(group, 16).toString(16));
    else return null;
  }
  return out;
}

/** The eight hextets of an IPv6 address (zone id dropped), lower case without leading zeros, or null. */
function expand(address: string): string[] | null {
  const halves = (address.split('%')[0] as string).split('::');
  if (halves.length > 2) return null;
  const head = hextets(halves[0] as string, halves.length === 1);
  const tail = hextets(halves[1] ?? '', true);
  if (head === null || tail === null) return null;
  if (halves.length === 1) return head.length === 8 ? head : null;
  // `::` stands for one group of zeros at least (RFC 4291 §2.2).
  const zeros = 8 - head.length - tail.length;
  return zeros < 1 ? null : [...head, ...Array<string>(zeros).fill('0'), ...tail];
}

/**
 * The login limiter's and hash gate's key for a client address.
 *
 * @example
 * ```ts
 * clientKey('203.0.113.9');             // '203.0.113.9'
 * clientKey('2001:db8:1:2:aaaa::1');     // '2001:db8:1:2::/64'
 * clientKey('::ffff:203.0.113.9');       // '203.0.113.9'
 * clientKey('203.0.113.9:51234');        // '203.0.113.9'
 * ```
 */
export function clientKey(ip: string): string {
  const address = withoutPort(ip);
  if (!address.includes(':')) return address;
  const groups = expand(address);
  if (groups === null) return ip;
  const embedded = embeddedIpv4(groups);
  return embedded ?? `${groups.slice(0, 4).join(':')}::/64`;
}

// `203.0.113.9:51234`, `[2001:db8::1]:443` and `[2001:db8::1]`: some proxies (Azure's, RFC 7239's
// `for=` carried over) write the client's port into X-Forwarded-For. The port changes with each
// connection, so keyed with it every connection was a new client with 20 fresh failures.
const IPV4_PORT = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/;
const BRACKETED = /^\[([^\]]+)\](?::\d{1,5})?$/;

/** The address without a port a proxy may have written after it (and without IPv6 brackets). */
function withoutPort(ip: string): string {
  const match = IPV4_PORT.exec(ip) ?? BRACKETED.exec(ip);
  return match?.[1] ?? ip;
}

/**
 * The IPv4 client behind an address that only carries one: IPv4-mapped (`::ffff:0:0/96`, in any
 * spelling) or the NAT64 well-known prefix (`64:ff9b::/96`, RFC 6052). Keyed by its /64, every
 * IPv4 client behind a NAT64 gateway would share one count.
 */
function embeddedIpv4(groups: readonly string[]): string | undefined {
  const zeros = (from: number, to: number): boolean => groups.slice(from, to).every((g) => g === '0');
  const mappedIpv4 = zeros(0, 5) && groups[5] === 'ffff';
  const nat64 = groups[0] === '64' && groups[1] === 'ff9b' && zeros(2, 6);
  if (!mappedIpv4 && !nat64) return undefined;
  const high = parseInt(groups[6] as string, 16);
  const low = parseInt(groups[7] as string, 16);
  return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
}
