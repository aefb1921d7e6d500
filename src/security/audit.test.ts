import { describe, expect, it } from 'vitest';
import { parseConfigObject } from '../config/parse.js';
import type { ConfigInput } from '../config/schema.js';
import type { ValueSource } from '../config/load.js';
import { auditConfig, type AuditContext } from './audit.js';
import type { CheckId, Finding, Severity } from './findings.js';

type AuthInput = NonNullable<NonNullable<ConfigInput['gateway']>['auth']>;
const TP: AuthInput = { mode: 'trusted-proxy', trustedProxy: { userHeader: 'x-forwarded-user', requiredHeaders: ['x-forwarded-proto'], allowUsers: ['nick@example.com'] } };
const SOCK = { path: '/run/mayros/gateway.sock' };
const MTLS = { cert: '/etc/mayros/gw.crt', key: '/etc/mayros/gw.key', clientCa: '/etc/mayros/proxy-ca.crt' };
/** A careful trusted-proxy config: only the mode reminder applies to it. */
const GOOD_TP: ConfigInput = { gateway: { trustedProxies: ['10.0.0.5'], bind: 'lan', auth: TP } };

/** A host with a LAN address and a Docker bridge. */
const HOST = { lo: [{ address: '127.0.0.1', internal: true }], eth0: [{ address: '192.0.2.2', internal: false }], docker0: [{ address: '172.17.0.1', internal: false }] };

function run(gateway: NonNullable<ConfigInput['gateway']>, ctx: Partial<AuditContext> = {}): Finding[] {
  return auditConfig(parseConfigObject({ gateway }), { sources: new Map(), ...ctx });
}

function sources(entries: Record<string, ValueSource>): Map<string, ValueSource> {
  return new Map(Object.entries(entries));
}

function find(findings: Finding[], id: CheckId): Finding | undefined {
  return findings.find((f) => f.checkId === id);
}

interface Case {
  name: string;
  gateway: NonNullable<ConfigInput['gateway']>;
  ctx?: Partial<AuditContext>;
  id: CheckId;
  /** Expected severity, or null: the finding must be absent. */
  severity: Severity | null;
  mentions?: string[];
}

const cases: Case[] = [
  { name: 'default config: no mode finding', gateway: {}, id: 'gateway.auth_none', severity: null },
  { name: 'mode none on loopback', gateway: { auth: { mode: 'none' } }, id: 'gateway.auth_none', severity: 'warn' },
  { name: 'mode none on lan', gateway: { bind: 'lan', auth: { mode: 'none' } }, id: 'gateway.auth_none', severity: 'critical', mentions: ['"lan"'] },
  { name: 'mode none on a custom loopback host', gateway: { bind: 'custom', customBindHost: '127.0.0.2', auth: { mode: 'none' } }, id: 'gateway.auth_none', severity: 'warn' },
  { name: 'mode none on a custom LAN host', gateway: { bind: 'custom', customBindHost: '10.0.0.2', auth: { mode: 'none' } }, id: 'gateway.auth_none', severity: 'critical' },

  { name: 'trusted-proxy mode reminder', gateway: GOOD_TP.gateway!, id: 'gateway.trusted_proxy_mode', severity: 'critical', mentions: ['x-forwarded-user (the user), x-forwarded-proto (required)', 'TLS', 'only path', 'sets or removes', 'overwrites X-Forwarded-For', 'firewall'] },
  {
    name: 'the reminder lists every header the gateway reads from the proxy',
    gateway: { ...GOOD_TP.gateway!, auth: { ...TP, trustedProxy: { ...TP.trustedProxy, groupsHeader: 'x-forwarded-groups', requiredHeaders: ['x-forwarded-proto', 'x-proxy-route'] } } },
    id: 'gateway.trusted_proxy_mode',
    severity: 'critical',
    mentions: ['x-forwarded-user (the user), x-forwarded-groups (the groups), x-forwarded-proto (required), x-proxy-route (required)'],
  },
  {
    name: 'the reminder names the assertion header',
    gateway: { ...GOOD_TP.gateway!, auth: { ...TP, trustedProxy: { ...TP.trustedProxy, assertion: { preset: 'pomerium', audience: 'mayros.example.com' } } } },
    id: 'gateway.trusted_proxy_mode',
    severity: 'critical',
    mentions: ['x-pomerium-jwt-assertion (the signed assertion)'],
  },
  { name: 'token mode: no reminder', gateway: {}, id: 'gateway.trusted_proxy_mode', severity: null },
  { name: 'trusted-proxy with no proxies', gateway: { auth: TP }, id: 'gateway.trusted_proxy_no_proxies', severity: 'critical' },
  { name: 'trusted-proxy with proxies', gateway: GOOD_TP.gateway!, id: 'gateway.trusted_proxy_no_proxies', severity: null },
  { name: 'token mode with no proxies', gateway: {}, id: 'gateway.trusted_proxy_no_proxies', severity: null },
  { name: 'trusted-proxy without userHeader', gateway: { trustedProxies: ['10.0.0.5'], auth: { mode: 'trusted-proxy' } }, id: 'gateway.trusted_proxy_no_user_header', severity: 'critical' },
  { name: 'trusted-proxy with userHeader', gateway: GOOD_TP.gateway!, id: 'gateway.trusted_proxy_no_user_header', severity: null },
  { name: 'trusted-proxy with empty allowUsers', gateway: { trustedProxies: ['10.0.0.5'], auth: { mode: 'trusted-proxy', trustedProxy: { userHeader: 'x-u' } } }, id: 'gateway.trusted_proxy_any_user', severity: 'warn' },
  { name: 'trusted-proxy with allowUsers', gateway: GOOD_TP.gateway!, id: 'gateway.trusted_proxy_any_user', severity: null },
  { name: 'token mode never reports allowUsers', gateway: {}, id: 'gateway.trusted_proxy_any_user', severity: null },
  { name: 'trusted-proxy without requiredHeaders', gateway: { trustedProxies: ['10.0.0.5'], auth: { mode: 'trusted-proxy', trustedProxy: { userHeader: 'x-u', allowUsers: ['a'] } } }, id: 'gateway.trusted_proxy_no_required_headers', severity: 'info' },
  { name: 'trusted-proxy with requiredHeaders', gateway: GOOD_TP.gateway!, id: 'gateway.trusted_proxy_no_required_headers', severity: null },

  { name: '0.0.0.0/0 in trusted-proxy mode', gateway: { trustedProxies: ['0.0.0.0/0'], auth: TP }, id: 'gateway.trusted_proxies_any_address', severity: 'critical', mentions: ['"0.0.0.0/0"', 'x-forwarded-user'] },
  { name: '::/0 in trusted-proxy mode', gateway: { trustedProxies: ['10.0.0.5', '::/0'], auth: TP }, id: 'gateway.trusted_proxies_any_address', severity: 'critical', mentions: ['"::/0"'] },
  { name: 'IPv4-mapped ::ffff:0.0.0.0/96 is every IPv4 address', gateway: { trustedProxies: ['::ffff:0.0.0.0/96'], auth: TP }, id: 'gateway.trusted_proxies_any_address', severity: 'critical' },
  { name: '0.0.0.0/0 in token mode dodges the limiter', gateway: { trustedProxies: ['0.0.0.0/0'] }, id: 'gateway.trusted_proxies_any_address', severity: 'warn', mentions: ['X-Forwarded-For', 'locked out'] },
  { name: 'a single address is not any-address', gateway: GOOD_TP.gateway!, id: 'gateway.trusted_proxies_any_address', severity: null },
  { name: '/23 is broad', gateway: { trustedProxies: ['10.0.0.0/23'], auth: TP }, id: 'gateway.trusted_proxies_broad', severity: 'warn', mentions: ['"10.0.0.0/23"', '512 addresses'] },
  { name: '/24 is not broad', gateway: { trustedProxies: ['10.0.0.0/24'], auth: TP }, id: 'gateway.trusted_proxies_broad', severity: null },
  { name: 'IPv6 /63 is broad', gateway: { trustedProxies: ['2001:db8::/63'], auth: TP }, id: 'gateway.trusted_proxies_broad', severity: 'warn' },
  { name: 'IPv6 /64 is not broad', gateway: { trustedProxies: ['2001:db8::/64'], auth: TP }, id: 'gateway.trusted_proxies_broad', severity: null },
  { name: 'whole RFC 1918 range is named', gateway: { trustedProxies: ['192.168.0.0/16'], auth: TP }, id: 'gateway.trusted_proxies_broad', severity: 'warn', mentions: ['192.168.0.0/16, a private network range'] },
  { name: 'fc00::/7 is named', gateway: { trustedProxies: ['fc00::/7'], auth: TP }, id: 'gateway.trusted_proxies_broad', severity: 'warn', mentions: ['unique local'] },
  { name: 'broad range in token mode still warns', gateway: { trustedProxies: ['10.0.0.0/8'] }, id: 'gateway.trusted_proxies_broad', severity: 'warn', mentions: ['failure limiter'] },
  { name: '0.0.0.0/0 is reported as any-address, not broad', gateway: { trustedProxies: ['0.0.0.0/0'], auth: TP }, id: 'gateway.trusted_proxies_broad', severity: null },
  { name: '127.0.0.0/8 is loopback, not broad', gateway: { trustedProxies: ['127.0.0.0/8'], auth: TP }, id: 'gateway.trusted_proxies_broad', severity: null },
  { name: 'loopback entry in trusted-proxy mode', gateway: { trustedProxies: ['127.0.0.1', '10.0.0.5'], auth: TP }, id: 'gateway.trusted_proxies_loopback', severity: 'warn', mentions: ['"127.0.0.1"', 'Every process'] },
  { name: '::1 entry in trusted-proxy mode', gateway: { trustedProxies: ['::1'], auth: TP }, id: 'gateway.trusted_proxies_loopback', severity: 'warn', mentions: ['"::1"'] },
  { name: 'loopback entry in token mode is the normal local-proxy setup', gateway: { trustedProxies: ['127.0.0.1'] }, id: 'gateway.trusted_proxies_loopback', severity: null },
  { name: 'non-loopback entry', gateway: GOOD_TP.gateway!, id: 'gateway.trusted_proxies_loopback', severity: null },
  { name: 'loopback entry on a loopback bind: the Unix socket (or mTLS) is the fix', gateway: { trustedProxies: ['127.0.0.1'], auth: TP }, id: 'gateway.trusted_proxies_loopback', severity: 'warn', mentions: ['any local process can claim any identity', 'gateway.listen.unixSocket', 'bind "none"', 'client certificate'] },
  { name: 'loopback entry with a client certificate required: a local process also needs the key', gateway: { trustedProxies: ['127.0.0.1'], tls: MTLS, auth: { ...TP, trustedProxy: { ...TP.trustedProxy, clientCert: { allowedNames: ['p'] } } } }, id: 'gateway.trusted_proxies_loopback', severity: null },
  { name: 'loopback entry with bind none: no TCP port to connect to', gateway: { bind: 'none', trustedProxies: ['127.0.0.1'], listen: { unixSocket: SOCK }, auth: TP }, id: 'gateway.trusted_proxies_loopback', severity: null },

  { name: 'a socket only the owner and group can open', gateway: { bind: 'none', listen: { unixSocket: SOCK }, auth: TP }, id: 'gateway.unix_socket_mode', severity: null },
  { name: 'a socket others can open, trusted-proxy mode', gateway: { bind: 'none', listen: { unixSocket: { ...SOCK, mode: '0666' } }, auth: TP }, id: 'gateway.unix_socket_mode', severity: 'critical', mentions: ['"0666"', 'any user', 'Any process of any user', '"0660"'] },
  { name: 'a socket others can open, token mode', gateway: { bind: 'none', listen: { unixSocket: { ...SOCK, mode: '0662' } } }, id: 'gateway.unix_socket_mode', severity: 'warn', mentions: ['X-Forwarded-For'] },
  { name: 'a socket others can read but not write (cannot connect)', gateway: { bind: 'none', listen: { unixSocket: { ...SOCK, mode: '0664' } }, auth: TP }, id: 'gateway.unix_socket_mode', severity: null },
  {
    name: 'a socket file found with a wider mode than configured',
    gateway: { bind: 'none', listen: { unixSocket: SOCK }, auth: TP },
    ctx: { socket: { path: SOCK.path, file: { path: SOCK.path, mode: 0o666, isSocket: true, isDirectory: false }, dirs: [] } },
    id: 'gateway.unix_socket_mode',
    severity: 'critical',
    mentions: ['mode 0666 (not the configured one'],
  },
  {
    name: 'the socket\'s directory writable by others (even with the sticky bit)',
    gateway: { bind: 'none', listen: { unixSocket: SOCK }, auth: TP },
    ctx: { socket: { path: SOCK.path, file: undefined, dirs: [{ path: '/run/mayros', mode: 0o1777, isSocket: false, isDirectory: true }, { path: '/run', mode: 0o755, isSocket: false, isDirectory: true }] } },
    id: 'gateway.unix_socket_dir_writable',
    severity: 'critical',
    mentions: ['/run/mayros (0777, sticky)', 'put a socket of their own', 'install -d'],
  },
  {
    name: 'a directory above it writable by others without the sticky bit',
    gateway: { bind: 'none', listen: { unixSocket: SOCK }, auth: TP },
    ctx: { socket: { path: SOCK.path, file: undefined, dirs: [{ path: '/run/mayros', mode: 0o750, isSocket: false, isDirectory: true }, { path: '/run', mode: 0o777, isSocket: false, isDirectory: true }] } },
    id: 'gateway.unix_socket_dir_writable',
    severity: 'critical',
    mentions: ['/run (0777)'],
  },
  {
    name: 'a sticky world-writable directory above its own (such as /tmp) is not reported',
    gateway: { bind: 'none', listen: { unixSocket: SOCK }, auth: TP },
    ctx: { socket: { path: SOCK.path, file: undefined, dirs: [{ path: '/run/mayros', mode: 0o750, isSocket: false, isDirectory: true }, { path: '/run', mode: 0o1777, isSocket: false, isDirectory: true }] } },
    id: 'gateway.unix_socket_dir_writable',
    severity: null,
  },
  { name: 'trusted-proxy with only a Unix socket has a proxy', gateway: { bind: 'none', listen: { unixSocket: SOCK }, auth: TP }, id: 'gateway.trusted_proxy_no_proxies', severity: null },
  { name: 'the reminder says how the proxy is known: the socket', gateway: { bind: 'none', listen: { unixSocket: { ...SOCK, group: 'www-data' } }, auth: TP }, id: 'gateway.trusted_proxy_mode', severity: 'critical', mentions: ['on the Unix socket /run/mayros/gateway.sock (whoever its file permissions, mode 0660 group www-data, let connect)', 'listens only on its Unix socket'] },
  { name: 'the reminder says how the proxy is known: the certificate', gateway: { bind: 'lan', tls: MTLS, auth: { ...TP, trustedProxy: { ...TP.trustedProxy, clientCert: { allowedNames: ['mayros-proxy'] } } } }, id: 'gateway.trusted_proxy_mode', severity: 'critical', mentions: ['from any address with a TLS client certificate from gateway.tls.clientCa named "mayros-proxy"'] },

  { name: '* origin on lan', gateway: { bind: 'lan', controlUi: { allowedOrigins: ['*'] } }, id: 'gateway.control_ui_any_origin', severity: 'critical' },
  { name: '* origin on loopback', gateway: { controlUi: { allowedOrigins: ['https://a.example', '*'] } }, id: 'gateway.control_ui_any_origin', severity: 'warn' },
  { name: 'explicit origins', gateway: { bind: 'lan', controlUi: { allowedOrigins: ['https://a.example'] } }, id: 'gateway.control_ui_any_origin', severity: null },

  { name: 'token alongside trusted-proxy', gateway: { ...GOOD_TP.gateway!, auth: { ...TP, token: 'x'.repeat(40) } }, id: 'gateway.auth_unused_secret', severity: 'warn', mentions: ['gateway.auth.token', 'delete gateway.auth.token'] },
  {
    name: 'password from the environment alongside trusted-proxy',
    gateway: { ...GOOD_TP.gateway!, auth: { ...TP, password: 'pw' } },
    ctx: { sources: sources({ 'gateway.auth.password': 'env' }) },
    id: 'gateway.auth_unused_secret',
    severity: 'warn',
    mentions: ['from MAYROS_GATEWAY_PASSWORD', 'unset MAYROS_GATEWAY_PASSWORD'],
  },
  { name: 'password set in token mode', gateway: { auth: { token: 'x'.repeat(40), password: 'pw' } }, id: 'gateway.auth_unused_secret', severity: 'warn', mentions: ['gateway.auth.password'] },
  { name: 'token used by token mode', gateway: { auth: { token: 'x'.repeat(40) } }, id: 'gateway.auth_unused_secret', severity: null },

  { name: 'token written in the file', gateway: { auth: { token: 'x'.repeat(40) } }, ctx: { sources: sources({ 'gateway.auth.token': 'file' }), file: { path: '/etc/mayros.json', found: true } }, id: 'gateway.auth_secret_in_file', severity: 'warn', mentions: ['/etc/mayros.json', 'MAYROS_GATEWAY_TOKEN'] },
  { name: 'password written in the file', gateway: { auth: { mode: 'password', password: 'correct horse battery staple' } }, ctx: { sources: sources({ 'gateway.auth.password': 'file' }) }, id: 'gateway.auth_secret_in_file', severity: 'warn', mentions: ['MAYROS_GATEWAY_PASSWORD'] },
  {
    name: 'token in the file but overridden by the environment',
    gateway: { auth: { token: 'x'.repeat(40) } },
    ctx: { sources: sources({ 'gateway.auth.token': 'env' }), secretsInFile: new Set(['gateway.auth.token']) },
    id: 'gateway.auth_secret_in_file',
    severity: 'warn',
    mentions: ['override', 'still holds'],
  },
  { name: 'token from the environment', gateway: { auth: { token: 'x'.repeat(40) } }, ctx: { sources: sources({ 'gateway.auth.token': 'env' }) }, id: 'gateway.auth_secret_in_file', severity: null },
  { name: 'generated token', gateway: { auth: { token: 'x'.repeat(43) } }, ctx: { sources: sources({ 'gateway.auth.token': 'generated' }) }, id: 'gateway.auth_secret_in_file', severity: null },

  { name: '23-character token', gateway: { auth: { token: 'x'.repeat(23) } }, ctx: { sources: sources({ 'gateway.auth.token': 'env' }) }, id: 'gateway.auth_token_short', severity: 'warn', mentions: ['24 characters'] },
  { name: 'short hand-written token in the state directory', gateway: { auth: { token: 'x'.repeat(10) } }, ctx: { sources: sources({ 'gateway.auth.token': 'generated' }) }, id: 'gateway.auth_token_short', severity: 'warn', mentions: ['state directory'] },
  { name: 'generated token', gateway: { auth: { token: 'x'.repeat(43) } }, ctx: { sources: sources({ 'gateway.auth.token': 'generated' }) }, id: 'gateway.auth_token_short', severity: null },
  { name: '24-character token', gateway: { auth: { token: 'x'.repeat(24) } }, ctx: { sources: sources({ 'gateway.auth.token': 'env' }) }, id: 'gateway.auth_token_short', severity: null },
  { name: 'short token unused in password mode is not a length problem', gateway: { auth: { mode: 'password', password: 'p'.repeat(30), token: 'short' } }, id: 'gateway.auth_token_short', severity: null },

  { name: 'lan, token mode, lockout off', gateway: { bind: 'lan', auth: { token: 'x'.repeat(40), rateLimit: { lockoutMs: 0 } } }, id: 'gateway.auth_no_rate_limit', severity: 'warn', mentions: ['lockoutMs is 0'] },
  { name: 'lan, password mode, lockout off', gateway: { bind: 'lan', auth: { mode: 'password', password: 'p', rateLimit: { lockoutMs: 0 } } }, id: 'gateway.auth_no_rate_limit', severity: 'warn' },
  { name: 'loopback, lockout off', gateway: { auth: { rateLimit: { lockoutMs: 0 } } }, id: 'gateway.auth_no_rate_limit', severity: null },
  { name: 'lan, lockout on (default)', gateway: { bind: 'lan' }, id: 'gateway.auth_no_rate_limit', severity: null },
  { name: 'lan, trusted-proxy, lockout off', gateway: { ...GOOD_TP.gateway!, auth: { ...TP, rateLimit: { lockoutMs: 0 } } }, id: 'gateway.auth_no_rate_limit', severity: null },

  { name: 'X-Real-IP fallback on', gateway: { allowRealIpFallback: true }, id: 'gateway.real_ip_fallback', severity: 'warn' },
  { name: 'X-Real-IP fallback off', gateway: {}, id: 'gateway.real_ip_fallback', severity: null },

  { name: 'metrics on every address', gateway: { metrics: { enabled: true, listen: '0.0.0.0:9464' } }, id: 'gateway.metrics_exposed', severity: 'warn', mentions: ['"0.0.0.0:9464"', 'every address', '127.0.0.1:9464', 'firewall'] },
  { name: 'metrics on a LAN address', gateway: { metrics: { enabled: true, listen: '10.0.0.5:9464' } }, id: 'gateway.metrics_exposed', severity: 'warn' },
  { name: 'metrics on IPv6 any', gateway: { metrics: { enabled: true, listen: '[::]:9464' } }, id: 'gateway.metrics_exposed', severity: 'warn' },
  { name: 'metrics on loopback (default)', gateway: { metrics: { enabled: true } }, id: 'gateway.metrics_exposed', severity: null },
  { name: 'metrics on ::1', gateway: { metrics: { enabled: true, listen: '[::1]:9464' } }, id: 'gateway.metrics_exposed', severity: null },
  { name: 'metrics off, exposed address unused', gateway: { metrics: { enabled: false, listen: '0.0.0.0:9464' } }, id: 'gateway.metrics_exposed', severity: null },

  { name: 'groups from a header that admits', gateway: { ...GOOD_TP.gateway!, auth: { ...TP, trustedProxy: { ...TP.trustedProxy, groupsHeader: 'x-forwarded-groups', allowGroups: ['admins'] } } }, id: 'gateway.trusted_proxy_groups_unsigned', severity: 'warn', mentions: ['"x-forwarded-groups"', '"admins"', 'assertion', 'remove it when'] },
  { name: 'groups from a header that admits nobody yet', gateway: { ...GOOD_TP.gateway!, auth: { ...TP, trustedProxy: { ...TP.trustedProxy, groupsHeader: 'x-forwarded-groups' } } }, id: 'gateway.trusted_proxy_groups_unsigned', severity: 'info', mentions: ['allowGroups is empty and no gateway.authorization rule names a group'] },
  { name: 'no groups header', gateway: GOOD_TP.gateway!, id: 'gateway.trusted_proxy_groups_unsigned', severity: null },
  { name: 'a groups header in token mode is not read', gateway: { auth: { token: 'x'.repeat(40), trustedProxy: { groupsHeader: 'x-g' } } }, id: 'gateway.trusted_proxy_groups_unsigned', severity: null },
  {
    name: 'groups header next to an assertion: refused at startup, not reported here',
    gateway: { ...GOOD_TP.gateway!, auth: { ...TP, trustedProxy: { ...TP.trustedProxy, groupsHeader: 'x-g', assertion: { preset: 'pomerium', audience: 'mayros.example.com' } } } },
    id: 'gateway.trusted_proxy_groups_unsigned',
    severity: null,
  },

  { name: 'own Docker bridge address', gateway: { trustedProxies: ['172.17.0.1'], bind: 'lan', auth: TP }, ctx: { interfaces: HOST }, id: 'gateway.trusted_proxies_own_address', severity: 'warn', mentions: ['"172.17.0.1" is this host\'s address on docker0', 'any user', 'container'] },
  { name: 'a range holding the LAN address', gateway: { trustedProxies: ['10.0.0.5', '192.0.2.0/24'], bind: 'lan', auth: TP }, ctx: { interfaces: HOST }, id: 'gateway.trusted_proxies_own_address', severity: 'warn', mentions: ['"192.0.2.0/24" contains 192.0.2.2, this host\'s address on eth0'] },
  { name: 'another host\'s address', gateway: { trustedProxies: ['192.0.2.7'], bind: 'lan', auth: TP }, ctx: { interfaces: HOST }, id: 'gateway.trusted_proxies_own_address', severity: null },
  { name: 'loopback is its own check', gateway: { trustedProxies: ['127.0.0.1'], auth: TP }, ctx: { interfaces: HOST }, id: 'gateway.trusted_proxies_own_address', severity: null },
  { name: 'every address is its own check', gateway: { trustedProxies: ['0.0.0.0/0'], bind: 'lan', auth: TP }, ctx: { interfaces: HOST }, id: 'gateway.trusted_proxies_own_address', severity: null },
  { name: 'own address in token mode', gateway: { trustedProxies: ['172.17.0.1'] }, ctx: { interfaces: HOST }, id: 'gateway.trusted_proxies_own_address', severity: null },
  { name: 'interfaces not known', gateway: { trustedProxies: ['172.17.0.1'], bind: 'lan', auth: TP }, id: 'gateway.trusted_proxies_own_address', severity: null },

  { name: 'short password', gateway: { auth: { mode: 'password', password: 'hunter2' } }, ctx: { sources: sources({ 'gateway.auth.password': 'env' }) }, id: 'gateway.auth_password_weak', severity: 'warn', mentions: ['from MAYROS_GATEWAY_PASSWORD', 'shorter than 12 characters'] },
  { name: 'repetitive password', gateway: { auth: { mode: 'password', password: 'abababababababab' } }, id: 'gateway.auth_password_weak', severity: 'warn', mentions: ['fewer than 6 different characters'] },
  { name: 'digits only', gateway: { auth: { mode: 'password', password: '123456789012' } }, id: 'gateway.auth_password_weak', severity: 'warn', mentions: ['only digits'] },
  { name: 'long lowercase passphrase', gateway: { auth: { mode: 'password', password: 'correcthorsebatterystaple' } }, id: 'gateway.auth_password_weak', severity: null },
  { name: 'twelve varied characters', gateway: { auth: { mode: 'password', password: 'Tr0ub4dor&3x' } }, id: 'gateway.auth_password_weak', severity: null },
  { name: 'a short password unused in token mode', gateway: { auth: { token: 'x'.repeat(40), password: 'pw' } }, id: 'gateway.auth_password_weak', severity: null },

  { name: 'password on loopback, no proxy listed, loopback exempt', gateway: { auth: { mode: 'password', password: 'p'.repeat(6) + 'Q1w2e3r4t5' } }, id: 'gateway.local_proxy_not_trusted', severity: 'warn', mentions: ['127.0.0.1', 'exemptLoopback', 'trustedProxies', '--deep'] },
  { name: 'password on loopback with a loopback proxy listed', gateway: { trustedProxies: ['127.0.0.1'], auth: { mode: 'password', password: 'Q1w2e3r4t5y6' } }, id: 'gateway.local_proxy_not_trusted', severity: null },
  { name: 'password on loopback, a non-loopback entry only', gateway: { trustedProxies: ['10.0.0.5'], auth: { mode: 'password', password: 'Q1w2e3r4t5y6' } }, id: 'gateway.local_proxy_not_trusted', severity: 'warn' },
  { name: 'password on loopback, loopback not exempt', gateway: { auth: { mode: 'password', password: 'Q1w2e3r4t5y6', rateLimit: { exemptLoopback: false } } }, id: 'gateway.local_proxy_not_trusted', severity: null },
  { name: 'password on lan', gateway: { bind: 'lan', auth: { mode: 'password', password: 'Q1w2e3r4t5y6' } }, id: 'gateway.local_proxy_not_trusted', severity: null },
  { name: 'token mode on loopback', gateway: { auth: { token: 'x'.repeat(40) } }, id: 'gateway.local_proxy_not_trusted', severity: null },

  { name: 'missing file', gateway: {}, ctx: { file: { path: '/nowhere/mayros.json', found: false } }, id: 'gateway.config_not_found', severity: 'info', mentions: ['/nowhere/mayros.json'] },
  { name: 'file found', gateway: {}, ctx: { file: { path: '/etc/mayros.json', found: true } }, id: 'gateway.config_not_found', severity: null },
  { name: 'startup validation fails', gateway: { trustedProxies: ['proxy.internal'], auth: TP }, id: 'gateway.config_startup_refused', severity: 'warn', mentions: ['gateway.trustedProxies[0]', 'host names are not accepted'] },
  { name: 'startup validation passes', gateway: GOOD_TP.gateway!, id: 'gateway.config_startup_refused', severity: null },
];

describe('auditConfig', () => {
  it.each(cases)('$name: $id -> $severity', ({ gateway, ctx, id, severity, mentions }) => {
    const f = find(run(gateway, ctx), id);
    if (severity === null) {
      expect(f).toBeUndefined();
      return;
    }
    expect(f, `expected ${id}`).toBeDefined();
    expect(f!.severity).toBe(severity);
    for (const m of mentions ?? []) expect(`${f!.detail}\n${f!.remediation}`).toContain(m);
  });

  it('reports each check at most once, listing every offending entry', () => {
    const f = run({ trustedProxies: ['10.0.0.0/8', '172.16.0.0/12', '0.0.0.0/0', '::/0'], auth: TP });
    expect(f.filter((x) => x.checkId === 'gateway.trusted_proxies_broad')).toHaveLength(1);
    expect(find(f, 'gateway.trusted_proxies_broad')!.detail).toMatch(/"10\.0\.0\.0\/8".*"172\.16\.0\.0\/12"/);
    expect(find(f, 'gateway.trusted_proxies_any_address')!.detail).toMatch(/"0\.0\.0\.0\/0", "::\/0"/);
  });

  it('lists the most severe first, then in check order', () => {
    const f = run({ bind: 'lan', trustedProxies: ['0.0.0.0/0'], allowRealIpFallback: true, auth: { mode: 'trusted-proxy', trustedProxy: { userHeader: 'x-u' } } });
    const ranks = f.map((x) => ({ critical: 0, warn: 1, info: 2 })[x.severity]);
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    expect(f[0]!.checkId).toBe('gateway.trusted_proxy_mode');
    expect(f.map((x) => x.checkId)).toEqual([
      'gateway.trusted_proxy_mode',
      'gateway.trusted_proxies_any_address',
      // The gateway refuses to start with 0.0.0.0/0 in trusted-proxy mode (issue 12, item 2).
      'gateway.config_startup_refused',
      'gateway.trusted_proxy_any_user',
      'gateway.real_ip_fallback',
      'gateway.trusted_proxy_no_required_headers',
      'gateway.trusted_proxy_no_assertion',
      // Without gateway.authorization, trusted-proxy mode makes nobody an admin (issue 14).
      'gateway.authorization_no_admin',
    ]);
  });

  it('a safe token setup has no findings', () => {
    expect(run({ auth: { token: 'x'.repeat(40) } }, { sources: sources({ 'gateway.auth.token': 'env' }), file: { path: '/etc/m.json', found: true } })).toEqual([]);
  });

  it('never puts a secret in a finding', () => {
    const token = 'tok-SECRET-0123456789';
    const password = 'pw-SECRET-abcdefghij';
    const f = run(
      { bind: 'lan', trustedProxies: ['0.0.0.0/0'], auth: { mode: 'token', token, password, rateLimit: { lockoutMs: 0 } } },
      { sources: sources({ 'gateway.auth.token': 'file', 'gateway.auth.password': 'file' }), secretsInFile: new Set(['gateway.auth.token', 'gateway.auth.password']) },
    );
    expect(f.length).toBeGreaterThan(3);
    const text = JSON.stringify(f);
    expect(text).not.toContain(token);
    expect(text).not.toContain(password);
    expect(text).not.toContain('SECRET');
  });
});
