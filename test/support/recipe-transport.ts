/**
 * How a proxy recipe reaches the gateway in a proxy suite, for each of the recipes' variants: TCP on
 * loopback (mayros.json), the gateway's Unix socket (mayros-unix.json), or mutual TLS
 * (mayros-mtls.json). Starts the gateway CLI with the variant's config (adjusted to this machine:
 * the socket in a temp dir with the group the proxy's workers run as here; certificates made now;
 * the proxy's address 127.0.0.1 and a loopback bind), and the header tap in front of it on the same
 * kind of hop. Gives the proxy templates' gateway placeholders pointing at the tap, and at the
 * gateway itself for a run without the tap.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeCa, type CertFiles } from './certs.js';
import { startGatewayProcess, type GatewayProcess } from './gateway-process.js';
import { startHeaderTap, type HeaderTap } from './header-tap.js';
import type { TlsClientOptions } from './http-client.js';
import { freePort } from './processes.js';
import { makeTempDir, removeTempDir } from './tmp.js';
import { resolveGroup } from '../../src/gateway/listen/group.js';

export type Transport = 'tcp' | 'unix' | 'mtls';

/** The recipe file of each variant. */
export const VARIANT_CONFIG: Readonly<Record<Transport, string>> = { tcp: 'mayros.json', unix: 'mayros-unix.json', mtls: 'mayros-mtls.json' };

/** A request straight to the gateway, bypassing the proxy, and what must come of it. */
export type DirectCheck =
  | { what: string; url: string; localAddress?: string; tls?: TlsClientOptions; reason: string }
  /** Nothing listens there: the connection is refused. */
  | { what: string; refusedPort: number };

export interface RecipeTransport {
  readonly kind: Transport;
  /** The gateway config in use. */
  readonly gatewayConfig: { gateway: Record<string, any> };
  readonly gateway: GatewayProcess;
  readonly tap: HeaderTap;
  /** The proxy template's gateway placeholders, pointing at the tap. */
  readonly viaTap: Record<string, string | number>;
  /** The same, pointing at the gateway itself. */
  readonly direct: Record<string, string | number>;
  /** Requests that bypass the proxy, for the conformance suite. */
  readonly bypass: DirectCheck[];
  /** mTLS: the certificates (the proxy's, and the CA a client needs to trust the gateway). */
  readonly pki?: { proxy: CertFiles; otherProxy: CertFiles; serverCa: string };
  stop(): Promise<void>;
}

export interface TransportOptions {
  /**
   * The group the proxy's worker processes run as in this test run, for the gateway's socket
   * (nginx started as root runs them as nobody:nogroup); undefined keeps the recipe's group.
   */
  socketGroup?: string | number | null;
}

/** The user and group names the CN of the proxy's certificate must carry in the recipes. */
export const PROXY_CERT_NAME = 'mayros-proxy';

export async function startRecipeTransport(kind: Transport, config: { gateway: Record<string, any> }, opts: TransportOptions = {}): Promise<RecipeTransport> {
  const dir = makeTempDir(`transport-${kind}`);
  const g = structuredClone(config);
  try {
    if (kind === 'tcp') {
      const gateway = await startGatewayProcess({ config: g });
      const tap = await startHeaderTap({ upstreamPort: gateway.port });
      return {
        kind,
        gatewayConfig: g,
        gateway,
        tap,
        viaTap: { GATEWAY_PORT: tap.port },
        direct: { GATEWAY_PORT: gateway.port },
        bypass: [{ what: 'from 127.0.0.2', url: gateway.url, localAddress: '127.0.0.2', reason: 'trusted_proxy_untrusted_source' }],
        async stop() {
          await tap.stop();
          await gateway.stop();
          removeTempDir(dir);
        },
      };
    }
    if (kind === 'unix') {
      const path = join(dir, 'gateway.sock');
      const sock = g.gateway.listen.unixSocket;
      sock.path = path;
      if (opts.socketGroup === null) delete sock.group;
      else if (opts.socketGroup !== undefined) sock.group = opts.socketGroup;
      // A TCP port nothing listens on (bind "none"), to show that a local process cannot even connect.
      const port = await freePort();
      g.gateway.port = port;
      const gateway = await startGatewayProcess({ config: g, args: [] });
      const tapPath = join(dir, 'tap.sock');
      const tap = await startHeaderTap({ upstreamSocket: path, listenSocket: { path: tapPath, mode: Number.parseInt(sock.mode ?? '0660', 8), gid: sock.group === undefined ? undefined : resolveGroup(sock.group) } });
      return {
        kind,
        gatewayConfig: g,
        gateway,
        tap,
        viaTap: { GATEWAY_SOCKET: tapPath },
        direct: { GATEWAY_SOCKET: path },
        bypass: [{ what: `TCP 127.0.0.1:${port}, where bind "none" listens on nothing`, refusedPort: port }],
        async stop() {
          await tap.stop();
          await gateway.stop();
          removeTempDir(dir);
        },
      };
    }
    // mTLS: the gateway's server certificate from one CA, the proxy's client certificate from another.
    for (const d of ['server-ca', 'proxy-ca']) mkdirSync(join(dir, d));
    const serverCa = makeCa(join(dir, 'server-ca'), 'Gateway Server CA');
    const proxyCa = makeCa(join(dir, 'proxy-ca'), 'Proxy Client CA');
    const server = serverCa.issue('gateway', { cn: 'localhost', dns: ['localhost'], ip: ['127.0.0.1'], usage: 'server' });
    const proxy = proxyCa.issue('proxy', { cn: PROXY_CERT_NAME, usage: 'client' });
    const otherProxy = proxyCa.issue('other', { cn: 'billing', usage: 'client' });
    const proxyBoth = join(dir, 'proxy-cert-and-key.pem');
    writeFileSync(proxyBoth, proxy.certPem + proxy.keyPem, { mode: 0o600 });
    g.gateway.tls = { cert: server.cert, key: server.key, clientCa: proxyCa.cert };
    // The proxy connects from 127.0.0.1 here (the recipe's own address for it is another host's).
    g.gateway.bind = 'loopback';
    delete g.gateway.customBindHost;
    g.gateway.trustedProxies = ['127.0.0.1'];
    const gateway = await startGatewayProcess({ config: g });
    const tap = await startHeaderTap({ upstreamPort: gateway.port, tls: { serverCert: server.certPem, serverKey: server.keyPem, clientCa: proxyCa.certPem, clientCert: proxy.certPem, clientKey: proxy.keyPem, gatewayCa: serverCa.certPem } });
    const certVars = { GATEWAY_NAME: 'localhost', GATEWAY_CA: serverCa.cert, PROXY_CERT: proxy.cert, PROXY_KEY: proxy.key, PROXY_CERT_AND_KEY: proxyBoth };
    return {
      kind,
      gatewayConfig: g,
      gateway,
      tap,
      viaTap: { GATEWAY_ADDRESS: `127.0.0.1:${tap.port}`, GATEWAY_PORT: tap.port, ...certVars },
      direct: { GATEWAY_ADDRESS: `127.0.0.1:${gateway.port}`, GATEWAY_PORT: gateway.port, ...certVars },
      bypass: [
        { what: 'from 127.0.0.2, with the proxy\'s own certificate', url: gateway.url, localAddress: '127.0.0.2', tls: { ca: serverCa.certPem, cert: proxy.certPem, key: proxy.keyPem }, reason: 'trusted_proxy_untrusted_source' },
        { what: 'from 127.0.0.1 (the proxy\'s address), without a certificate', url: gateway.url, tls: { ca: serverCa.certPem }, reason: 'trusted_proxy_client_cert_missing' },
        { what: 'from 127.0.0.1, with another service\'s certificate from the same CA', url: gateway.url, tls: { ca: serverCa.certPem, cert: otherProxy.certPem, key: otherProxy.keyPem }, reason: 'trusted_proxy_client_cert_not_allowed' },
      ],
      pki: { proxy, otherProxy, serverCa: serverCa.certPem },
      async stop() {
        await tap.stop();
        await gateway.stop();
        removeTempDir(dir);
      },
    };
  } catch (err) {
    removeTempDir(dir);
    throw err;
  }
}

/**
 * The group nginx's workers run as here: started as root without a `user` directive they are
 * nobody:nogroup; otherwise they run as the test's own user, who owns the socket (no group needed).
 */
export function nginxWorkerGroup(): string | null {
  return process.getuid?.() === 0 ? 'nogroup' : null;
}
