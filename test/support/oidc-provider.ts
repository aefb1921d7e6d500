/**
 * An OpenID Connect provider on loopback for the Apache + mod_auth_openidc suite: `oidc-provider`
 * (npm) with its development login and consent pages, one confidential client, and accounts whose
 * `email` claim (and `groups` claim, for those that have groups) is what the gateway should end up
 * seeing.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import Provider from 'oidc-provider';

export interface OidcClient {
  client_id: string;
  client_secret: string;
  redirect_uris: string[];
}

export interface OidcProviderOptions {
  /** The relying party (Apache). */
  client: OidcClient;
  /** login name (typed into the dev login form) -> email claim, or email and groups claims. */
  accounts: Record<string, string | { email: string; groups?: readonly string[] }>;
}

export interface RunningOidcProvider {
  readonly port: number;
  /** http://127.0.0.1:<port>, no trailing slash. */
  readonly issuer: string;
  stop(): Promise<void>;
}

/** The installed oidc-provider version, e.g. "9.13.3". */
export function oidcProviderVersion(): string {
  const require = createRequire(import.meta.url);
  const pkg = require.resolve('oidc-provider/package.json');
  return (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version;
}

/** Starts the provider on 127.0.0.1 at a kernel-chosen port. */
export async function startOidcProvider(opts: OidcProviderOptions): Promise<RunningOidcProvider> {
  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => {
    res.statusCode = 503;
    res.end();
  };
  const server = createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  // The issuer must carry the real port, so the provider is built once the port is known.
  const issuer = `http://127.0.0.1:${port}`;

  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'test-signing', use: 'sig', alg: 'RS256' };
  const accounts = new Map(Object.entries(opts.accounts));

  const provider = new Provider(issuer, {
    clients: [{ ...opts.client, grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'client_secret_basic' }],
    jwks: { keys: [jwk] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    // A `groups` scope with a `groups` claim, as many providers offer (the recipe asks for it).
    claims: { openid: ['sub'], email: ['email', 'email_verified'], groups: ['groups'] },
    pkce: { required: () => true },
    // Explicit lifetimes (seconds); the defaults work but print a notice each.
    ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600, AuthorizationCode: 60 },
    features: { devInteractions: { enabled: true } },
    async findAccount(_ctx, sub) {
      const account = accounts.get(sub);
      if (!account) return undefined;
      const { email, groups } = typeof account === 'string' ? { email: account, groups: undefined } : account;
      return { accountId: sub, claims: async () => ({ sub, email, email_verified: true, ...(groups?.length ? { groups: [...groups] } : {}) }) };
    },
  });
  // Provider-side failures otherwise show only as an error page inside the login flow.
  provider.on('server_error', (_ctx, err) => process.stderr.write(`oidc-provider: ${err.message}\n`));
  handler = provider.callback() as typeof handler;

  return {
    port,
    issuer,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
