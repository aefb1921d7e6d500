/**
 * Deterministic benchmark inputs: trusted-proxy lists that mix IPv4 and IPv6 addresses and CIDR
 * ranges of many prefix lengths, allowlists of any size, and a config file built from them.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The one loopback entry. A /8 rather than 127.0.0.1 on purpose: the peer then matches at the
 * shortest IPv4 prefix in the list, so every longer prefix is tried first (the slowest lookup),
 * and load generators may bind their sockets anywhere in 127.0.0.0/8.
 */
export const LOOPBACK_ENTRY = '127.0.0.0/8';

/** Identity and required headers sent by the benchmark's "proxy". */
export const USER_HEADER = 'x-forwarded-user';
export const REQUIRED_HEADER = 'x-forwarded-proto';

/** Local addresses the WebSocket load generators spread their sockets over. */
export const CLIENT_ADDRESSES = Object.freeze(['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5', '127.0.0.6', '127.0.0.7', '127.0.0.8']);

/** Small seeded PRNG (mulberry32): the same lists on every run. */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A routable-looking first octet that is never 0, 127 or multicast. */
function octet1(r) {
  const v = 1 + Math.floor(r() * 222);
  return v === 127 ? 128 : v;
}
const byte = (r) => Math.floor(r() * 256);
const hex16 = (r) => Math.floor(r() * 0x10000).toString(16);

/** Lists at least this long hold an IPv4 entry of every prefix length from /8 to /32. */
export const FULL_SPREAD = 26;

/**
 * `size` trustedProxies entries: the loopback entry, then (from FULL_SPREAD entries up) one IPv4
 * entry of each prefix length /8 to /32, so lists of 100 and 10,000 entries differ in size only and
 * not in how many prefix lengths a lookup tries; then a deterministic mix of IPv4 hosts (about
 * half), IPv4 ranges and IPv6 hosts and ranges. None but the loopback entry contains a 127.x address.
 * @param {number} size
 * @returns {string[]}
 */
export function proxyList(size, seed = 7) {
  const r = rng(seed);
  const list = [LOOPBACK_ENTRY];
  const seen = new Set(list);
  if (size >= FULL_SPREAD) {
    for (let p = 8; p <= 32; p++) {
      const e = `${octet1(r)}.${byte(r)}.${byte(r)}.${byte(r)}/${p}`;
      seen.add(e);
      list.push(e);
    }
  }
  while (list.length < size) {
    const k = r();
    let e;
    if (k < 0.5) e = `${octet1(r)}.${byte(r)}.${byte(r)}.${byte(r)}`;
    else if (k < 0.85) e = `${octet1(r)}.${byte(r)}.${byte(r)}.0/${8 + Math.floor(r() * 24)}`;
    else if (k < 0.93) e = `fd${hex16(r).padStart(2, '0').slice(0, 2)}:${hex16(r)}::${hex16(r)}`;
    else e = `fd${hex16(r).padStart(2, '0').slice(0, 2)}:${hex16(r)}::/${32 + Math.floor(r() * 33)}`;
    if (!seen.has(e)) {
      seen.add(e);
      list.push(e);
    }
  }
  return list;
}

/** `size` allowed users, user00000@example.com and up. */
export function userList(size) {
  return Array.from({ length: size }, (_, i) => `user${String(i).padStart(5, '0')}@example.com`);
}

/** The groups header the "decision + scopes" cases of figure 4 configure (groups as the proxy sends them). */
export const GROUPS_HEADER = 'x-forwarded-groups';

/** `size` group names, group00000 and up. */
export function groupList(size) {
  return Array.from({ length: size }, (_, i) => `group${String(i).padStart(5, '0')}`);
}

/**
 * `count` gateway.authorization rules over `users` and `groups`: about a third name users, the
 * rest groups (a couple each), granting read, write or admin in turn. Deterministic.
 * @param {number} count
 * @param {string[]} users
 * @param {string[]} groups
 */
export function ruleList(count, users, groups, seed = 11) {
  const r = rng(seed);
  const scopes = ['operator.read', 'operator.write', 'operator.admin'];
  return Array.from({ length: count }, (_, i) => {
    const pick = (list) => list[Math.floor(r() * list.length)];
    const named = i % 3 === 0 ? { users: [pick(users)] } : { groups: [pick(groups), pick(groups)] };
    return { ...named, scopes: [scopes[i % 3]] };
  });
}

/** The user the benchmark's requests carry: one from the middle of the list. */
export function requestUser(users) {
  return users[Math.floor(users.length / 2)];
}

/**
 * The raw config object for trusted-proxy mode. The connection caps are raised so figure 3 can
 * hold 5,000 sessions (the default cap is 1,000) while opening them 100 at a time.
 * @param {{ proxies: string[], users: string[] }} lists
 */
export function trustedProxyConfig({ proxies, users }) {
  return {
    gateway: {
      bind: 'loopback',
      trustedProxies: proxies,
      limits: { maxConnections: 10_000, maxUnauthenticated: 1000 },
      auth: {
        mode: 'trusted-proxy',
        trustedProxy: { userHeader: USER_HEADER, requiredHeaders: [REQUIRED_HEADER], allowUsers: users },
      },
    },
  };
}

/** Headers the benchmark's "proxy" adds to each request. */
export function proxyHeaders(user) {
  return { [USER_HEADER]: user, [REQUIRED_HEADER]: 'https' };
}

/**
 * A temp directory with the realistic config of figures 1-3 and 5 (64 proxies, 1,000 users).
 * `cleanup()` removes it.
 */
export function makeWorkspace() {
  const dir = mkdtempSync(join(tmpdir(), 'mayros-bench-'));
  const proxies = proxyList(64);
  const users = userList(1000);
  const configPath = join(dir, 'mayros.json');
  writeFileSync(configPath, JSON.stringify(trustedProxyConfig({ proxies, users }), null, 2));
  return {
    dir,
    configPath,
    stateDir: join(dir, 'state'),
    proxies,
    users,
    user: requestUser(users),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * The workspace config over another transport, written next to it: `unix`, the gateway only on a
 * Unix socket (bind "none"); `mtls`, HTTPS with the proxy's client certificate required (and the
 * address list, so both checks run). Returns the config file.
 * @param {ReturnType<typeof makeWorkspace>} ws
 * @param {'unix' | 'mtls'} transport
 * @param {{ socketPath?: string, serverCert?: string, serverKey?: string, clientCa?: string }} files
 */
export function transportConfig(ws, transport, files) {
  const config = trustedProxyConfig({ proxies: ws.proxies, users: ws.users });
  if (transport === 'unix') {
    config.gateway.bind = 'none';
    config.gateway.listen = { unixSocket: { path: files.socketPath, mode: '0600' } };
  } else {
    config.gateway.tls = { cert: files.serverCert, key: files.serverKey, clientCa: files.clientCa };
    config.gateway.auth.trustedProxy.clientCert = { allowedNames: ['mayros-proxy'] };
  }
  const file = join(ws.dir, `mayros-${transport}.json`);
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}
