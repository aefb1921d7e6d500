/**
 * Checks of the auth mode, the shared secrets, the failure limiter and the browser origins.
 */
import type { Config } from '../config/schema.js';
import { ENV, type ValueSource } from '../config/load.js';
import { entryCoversLoopback, isLoopbackBind } from '../config/validate.js';
import { finding, type Finding } from './findings.js';

/** Shortest token not reported: 24 characters of base64 carry 144 bits. */
export const MIN_TOKEN_LENGTH = 24;

/** Shortest password not reported. */
export const MIN_PASSWORD_LENGTH = 12;
/** Fewest different characters a password may use. */
export const MIN_PASSWORD_DISTINCT = 6;
/** A password of one character class (only digits, only lowercase...) must be at least this long. */
export const MIN_SINGLE_CLASS_LENGTH = 16;

export interface SecretFacts {
  sources: ReadonlyMap<string, ValueSource>;
  /** Path of the config file, for messages. */
  file?: string;
  /** Secret keys written in the file, including those the environment overrides. */
  secretsInFile?: ReadonlySet<string>;
}

const SECRETS = [
  { key: 'token', path: 'gateway.auth.token', env: ENV.token },
  { key: 'password', path: 'gateway.auth.password', env: ENV.password },
] as const;

function bindWords(config: Config): string {
  const g = config.gateway;
  return g.bind === 'custom' ? `gateway.bind "custom" (${g.customBindHost ?? 'no customBindHost'})` : `gateway.bind "${g.bind}"`;
}

function whereFrom(source: ValueSource | undefined, env: string, file: string | undefined): string {
  if (source === 'env') return `from ${env}`;
  if (source === 'file') return file ? `in ${file}` : 'in the config file';
  if (source === 'generated') return 'kept in the state directory (gateway.token)';
  return source ? `(${source})` : '';
}

const withSource = (text: string, from: string) => (from ? `${text} ${from}` : text);

export function checkModeNone(config: Config): Finding[] {
  if (config.gateway.auth.mode !== 'none') return [];
  const loopback = isLoopbackBind(config);
  return [
    finding(
      'gateway.auth_none',
      loopback ? 'warn' : 'critical',
      'Authentication is off',
      loopback
        ? 'gateway.auth.mode is "none": every process on this host, run by any user, can use the gateway without a credential.'
        : `gateway.auth.mode is "none" with ${bindWords(config)}: anyone who can reach the port controls the gateway. The gateway refuses to start this way.`,
      'Set gateway.auth.mode to "token" (the default; a strong token is generated on the first run) or to "trusted-proxy" behind an identity-aware proxy.',
    ),
  ];
}

export function checkAnyOrigin(config: Config): Finding[] {
  if (!config.gateway.controlUi.allowedOrigins.includes('*')) return [];
  const loopback = isLoopbackBind(config);
  return [
    finding(
      'gateway.control_ui_any_origin',
      loopback ? 'warn' : 'critical',
      'Browser WebSockets are accepted from any web site',
      `gateway.controlUi.allowedOrigins contains "*" (${bindWords(config)}): a page on any web site can open a WebSocket session to the gateway from the browser of someone who can reach it. ` +
        'Where the browser alone is enough to get in (the proxy\'s login cookie in trusted-proxy mode, or mode "none"), that page then acts as that person.',
      'Replace "*" with the exact origins that host a console for this gateway, e.g. "https://console.example.com"; the gateway\'s own origin needs no entry.',
    ),
  ];
}

export function checkUnusedSecrets(config: Config, facts: SecretFacts): Finding[] {
  const a = config.gateway.auth;
  const unused = SECRETS.filter((s) => a[s.key] !== undefined && a.mode !== s.key);
  if (!unused.length) return [];
  const what = unused.map((s) => `${withSource(`${s.path} is set`, whereFrom(facts.sources.get(s.path), s.env, facts.file))}`).join('; ');
  const fix = unused
    .map((s) => (facts.sources.get(s.path) === 'env' ? `unset ${s.env}` : `delete ${s.path} from ${facts.file ?? 'the config file'}`))
    .join(' and ');
  return [
    finding(
      'gateway.auth_unused_secret',
      'warn',
      `A ${unused.map((s) => s.key).join(' and a ')} is configured but mode "${a.mode}" never uses it`,
      `${what}, but gateway.auth.mode is "${a.mode}", which does not read it. A reader may believe it protects the gateway, and a secret sits where it is not needed.`,
      `Remove it: ${fix}.`,
    ),
  ];
}

export function checkSecretsInFile(config: Config, facts: SecretFacts): Finding[] {
  // A secret the mode does not use is reported (and removed) by checkUnusedSecrets instead.
  const mode = config.gateway.auth.mode;
  const inFile = SECRETS.filter((s) => s.key === mode && (facts.sources.get(s.path) === 'file' || facts.secretsInFile?.has(s.path)));
  if (!inFile.length) return [];
  const file = facts.file ?? 'the config file';
  const overridden = inFile.filter((s) => facts.sources.get(s.path) === 'env');
  const note = overridden.length ? ` (${overridden.map((s) => s.env).join(' and ')} override${overridden.length > 1 ? '' : 's'} it, but the file still holds a secret)` : '';
  return [
    finding(
      'gateway.auth_secret_in_file',
      'warn',
      'A secret is written in the config file',
      `${inFile.map((s) => s.path).join(' and ')} ${inFile.length > 1 ? 'are' : 'is'} written in ${file}${note}. Config files get copied, committed and backed up; the environment keeps the secret out of them.`,
      `Delete ${inFile.map((s) => s.path).join(' and ')} from ${file} and set ${inFile.map((s) => s.env).join(' / ')} in the gateway's environment instead (e.g. a systemd EnvironmentFile readable only by the gateway's user).`,
    ),
  ];
}

export function checkTokenLength(config: Config, facts: SecretFacts): Finding[] {
  const a = config.gateway.auth;
  const source = facts.sources.get('gateway.auth.token');
  // A generated token is 43 characters; a short one in the state directory was written by hand.
  if (a.mode !== 'token' || a.token === undefined || a.token.length >= MIN_TOKEN_LENGTH) return [];
  return [
    finding(
      'gateway.auth_token_short',
      'warn',
      'The gateway token is short',
      `${withSource('gateway.auth.token', whereFrom(source, ENV.token, facts.file))} is shorter than ${MIN_TOKEN_LENGTH} characters, which puts it within reach of guessing.`,
      `Use a random token of at least ${MIN_TOKEN_LENGTH} characters in ${ENV.token} (e.g. the output of \`openssl rand -base64 32\`), or remove the token (and a hand-written gateway.token in the state directory) so the gateway generates a 256-bit one.`,
    ),
  ];
}

export function checkRateLimit(config: Config): Finding[] {
  const a = config.gateway.auth;
  if ((a.mode !== 'token' && a.mode !== 'password') || isLoopbackBind(config) || a.rateLimit.lockoutMs > 0) return [];
  return [
    finding(
      'gateway.auth_no_rate_limit',
      'warn',
      'Wrong secrets are never locked out',
      `gateway.auth.rateLimit.lockoutMs is 0 with ${bindWords(config)} and mode "${a.mode}": a client can try ${a.mode}s as fast as the network allows.`,
      'Set gateway.auth.rateLimit.lockoutMs to a positive number of milliseconds, or delete it to get the default (300000, five minutes).',
    ),
  ];
}

export function checkRealIpFallback(config: Config): Finding[] {
  if (!config.gateway.allowRealIpFallback) return [];
  return [
    finding(
      'gateway.real_ip_fallback',
      'warn',
      'X-Real-IP is trusted as the client address',
      'gateway.allowRealIpFallback is true: when a trusted proxy sends no X-Forwarded-For, its X-Real-IP header names the client for the failure limiter. A proxy that passes on a client\'s own X-Real-IP lets that client pick a new address for every attempt and never be locked out.',
      'Set gateway.allowRealIpFallback to false (the default) and make the proxy send X-Forwarded-For; keep it only if the proxy overwrites X-Real-IP on every request.',
    ),
  ];
}

/**
 * Why a password is easy to guess, as words that never reveal it, or undefined. A length and
 * variety check, not a dictionary: it catches short and repetitive passwords only.
 */
export function passwordWeakness(password: string): string | undefined {
  const chars = [...password];
  if (chars.length < MIN_PASSWORD_LENGTH) return `is shorter than ${MIN_PASSWORD_LENGTH} characters`;
  if (new Set(chars).size < MIN_PASSWORD_DISTINCT) return `uses fewer than ${MIN_PASSWORD_DISTINCT} different characters`;
  const classes = [/^[0-9]+$/, /^[a-z]+$/, /^[A-Z]+$/];
  if (chars.length < MIN_SINGLE_CLASS_LENGTH && classes.some((c) => c.test(password))) {
    return `is only digits, or only letters of one case, and shorter than ${MIN_SINGLE_CLASS_LENGTH} characters`;
  }
  return undefined;
}

export function checkPasswordStrength(config: Config, facts: SecretFacts): Finding[] {
  const a = config.gateway.auth;
  if (a.mode !== 'password' || a.password === undefined) return [];
  const why = passwordWeakness(a.password);
  if (!why) return [];
  return [
    finding(
      'gateway.auth_password_weak',
      'warn',
      'The gateway password is easy to guess',
      `${withSource('gateway.auth.password', whereFrom(facts.sources.get('gateway.auth.password'), ENV.password, facts.file))} ${why}. ` +
        `The failure limiter slows guessing down (${a.rateLimit.maxAttempts} wrong passwords per ${a.rateLimit.windowMs / 1000} s, then ${a.rateLimit.lockoutMs > 0 ? `a ${a.rateLimit.lockoutMs / 1000} s lockout` : 'no lockout, since lockoutMs is 0'}), but not for clients it exempts or cannot tell apart.`,
      `Use a password of at least ${MIN_PASSWORD_LENGTH} characters that is not a word or a pattern, e.g. four random words, or the output of \`openssl rand -base64 18\`, in ${ENV.password}. ` +
        'For scripts and the CLI, token mode with a generated token is stronger still.',
    ),
  ];
}

/**
 * Password mode on a loopback bind, with no loopback proxy listed and loopback exempt from lockout:
 * people who type a password into a loopback-only gateway reach it through something on this host,
 * which the gateway cannot see behind. (Token mode is left out: a generated token cannot be guessed,
 * and whether a proxy forwards to the gateway is only known at run time; `--deep` checks that.)
 */
export function checkLocalProxyNotTrusted(config: Config): Finding[] {
  const g = config.gateway;
  const a = g.auth;
  // A proxy on the Unix socket is trusted by construction: its X-Forwarded-For is read.
  if (a.mode !== 'password' || !isLoopbackBind(config) || g.listen.unixSocket || g.trustedProxies.some(entryCoversLoopback) || !a.rateLimit.exemptLoopback) return [];
  return [
    finding(
      'gateway.local_proxy_not_trusted',
      'warn',
      'A proxy on this host would hide every client behind 127.0.0.1',
      `${bindWords(config)} with mode "password": anyone who types the password from another machine comes through something on this host, a reverse proxy or an SSH tunnel, which connects from 127.0.0.1. ` +
        'gateway.trustedProxies lists no loopback address, so the gateway never reads X-Forwarded-For and sees every such client as 127.0.0.1. The failure limiter cannot tell them apart: ' +
        'requests that carry forwarding headers all count against that one address, so one person\'s wrong passwords lock out everyone behind the proxy, and requests without them (a tunnel, a proxy that adds no X-Forwarded-For) ' +
        'are exempt as local (gateway.auth.rateLimit.exemptLoopback is true) and may guess without limit. The logs show 127.0.0.1 for everyone.',
      'If a reverse proxy on this host forwards to the gateway: add the address it connects from to gateway.trustedProxies (usually "127.0.0.1"), make it overwrite X-Forwarded-For with the client\'s address, ' +
        'and run `mayros security audit --deep --url <the proxy\'s URL>` to check that forwarded requests arrive from a listed address. ' +
        'If nothing forwards to the gateway, set gateway.auth.rateLimit.exemptLoopback to false, so that local processes are locked out like everyone else.',
    ),
  ];
}
