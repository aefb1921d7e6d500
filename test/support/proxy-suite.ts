/**
 * What a recipe suite with an auth step (nginx auth_request, Caddy forward_auth) runs the shared
 * conformance suite on: the auth endpoint stand-in with the proxy suites' people (alice with her
 * groups, mallory, and a session it accepts without naming anyone), the gateway CLI and the header
 * tap on the hop of the recipe's variant (recipe-transport.ts: TCP, the Unix socket, mutual TLS),
 * and the real proxy pointed at the tap. Returns them with the `ProxySetup` for `proxyConformance`;
 * one `stop()` stops the proxy, the tap, the gateway and the stand-in, in that order, going on past
 * a step that fails (teardown.ts). The proxy and the gateway are processes, stopped by PID.
 */
import { GROUPS, USERS, type ProxySetup } from '../proxies/conformance.js';
import { startAuthService, IDENTITY_HEADER, SESSION_COOKIE, SESSION_HEADER, type AuthService } from './auth-service.js';
import type { Headers } from './http-client.js';
import type { LaunchedProxy } from './proxy-process.js';
import { PROXY_CERT_NAME, startRecipeTransport, type RecipeTransport, type Transport, type TransportOptions } from './recipe-transport.js';
import { startInOrder } from './teardown.js';

/** The session the stand-in accepts (200) without an identity header. */
const HEADERLESS_SESSION = 'sid-headerless';

export interface ProxySuiteOptions<P extends LaunchedProxy> {
  /** The recipe's variant: how the proxy reaches the gateway. */
  kind: Transport;
  /** The variant's gateway config (recipeGatewayConfig(recipeDir, VARIANT_CONFIG[kind])). */
  config: { gateway: Record<string, any> };
  transport?: TransportOptions;
  /** Starts the proxy at the stand-in's port and the template's gateway placeholders (the tap's). */
  startProxy(authPort: number, gateway: Record<string, string | number>): Promise<P>;
  /** How a client shows its session to the proxy: the cookie (a browser's) or the session header (curl's). */
  session: 'cookie' | 'header';
}

export interface ProxySuite<P extends LaunchedProxy> {
  auth: AuthService;
  /** The gateway and the tap, and the placeholders that point a proxy at either. */
  transport: RecipeTransport;
  proxy: P;
  /** What the conformance suite takes. */
  setup: ProxySetup;
  stop(): Promise<void>;
}

/** The request headers that carry session `sid` the way `session` says. */
function sessionHeaders(session: 'cookie' | 'header', sid: string): Headers {
  return session === 'cookie' ? { cookie: `${SESSION_COOKIE}=${sid}` } : { [SESSION_HEADER]: sid };
}

export function startProxySuite<P extends LaunchedProxy>(opts: ProxySuiteOptions<P>): Promise<ProxySuite<P>> {
  return startInOrder(async (t) => {
    const auth = await startAuthService({
      users: { 'sid-alice': { email: USERS.alice, groups: GROUPS.alice }, 'sid-mallory': USERS.mallory },
      headerlessSessions: [HEADERLESS_SESSION],
    });
    t.add('the auth stand-in', () => auth.stop());
    const transport = await startRecipeTransport(opts.kind, opts.config, opts.transport);
    t.add('the tap and the gateway', () => transport.stop());
    const proxy = await opts.startProxy(auth.port, transport.viaTap);
    t.add('the proxy', () => proxy.stop());
    const setup: ProxySetup = {
      proxyUrl: proxy.url,
      // TCP: the conformance suite reaches the gateway itself from 127.0.0.2; a variant says how.
      ...(opts.kind === 'tcp' ? { gatewayUrl: transport.gateway.url } : { bypass: transport.bypass }),
      identityHeader: IDENTITY_HEADER,
      gatewayConfig: transport.gatewayConfig,
      tap: transport.tap,
      ...(opts.kind === 'mtls' && { proxyCertName: PROXY_CERT_NAME }),
      signedIn: (who) => sessionHeaders(opts.session, `sid-${who}`),
      signedInWithoutIdentity: () => sessionHeaders(opts.session, HEADERLESS_SESSION),
    };
    return { auth, transport, proxy, setup };
  });
}
