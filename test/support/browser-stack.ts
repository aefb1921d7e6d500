/**
 * What the Control UI suites behind nginx run on: the auth endpoint stand-in, the loopback OpenAI
 * stub when the suite needs answers, a gateway in trusted-proxy mode (in this process, or the real
 * CLI), real nginx from examples/proxies/nginx in front of it (auth_request to the stand-in), and
 * Chromium. Started in that order; one `stop()` stops them in reverse, going on past a step that
 * fails, and a start that fails stops what it had started (teardown.ts). The processes (nginx, the
 * gateway CLI, Chromium) are stopped by PID by their own helpers.
 *
 * Suites run under `describe.runIf(browserStackSuite())`: a missing nginx or Chromium skips
 * locally and FAILS under CI=true.
 */
import type { Browser, BrowserContext } from 'playwright-core';
import type { GatewayOptions } from '../../src/gateway/server.js';
import { startAuthService, SESSION_COOKIE, type AuthService, type SessionUser } from './auth-service.js';
import { chromiumSuite, launchChromium, newContext } from './browser.js';
import { startTestGateway, type TestGateway } from './gateway-inproc.js';
import { startGatewayProcess, type GatewayProcess, type GatewayProcessOptions } from './gateway-process.js';
import { startNginx, type RunningNginx } from './nginx.js';
import { startOpenAIStub, type OpenAIStub, type StubScript } from './openai-stub.js';
import { requireBinary } from './processes.js';
import { startInOrder } from './teardown.js';

/**
 * True when a browser suite behind nginx should run. Under CI=true a missing nginx throws here
 * (requireBinary), and a missing Chromium still runs the suite, which fails in launchChromium.
 */
export function browserStackSuite(): boolean {
  return chromiumSuite() && requireBinary('nginx') !== undefined;
}

/** The gateway in this process (startTestGateway): its `gateway` section, and options passed through. */
export interface InProcessGateway {
  config: Record<string, unknown>;
  options?: Partial<GatewayOptions> & { sections?: Record<string, unknown> };
}

/** The gateway as the real CLI (startGatewayProcess). */
export interface CliGateway {
  cli: GatewayProcessOptions;
}

export interface BrowserStackOptions {
  /** The auth stand-in's sessions: session id -> email (or email and groups). */
  users: Record<string, SessionUser>;
  gateway: InProcessGateway | CliGateway;
  /**
   * Start the OpenAI stub before the gateway and make it the gateway's model provider (the
   * `models` section: provider "stub", model "stub-model", the default); `fallback` answers every
   * chat request nothing was scripted for. In-process gateway only.
   */
  openai?: { fallback?: StubScript };
}

export interface BrowserStack<G extends TestGateway | GatewayProcess = TestGateway, S extends OpenAIStub | undefined = undefined> {
  auth: AuthService;
  /** The model server, when the options asked for one. */
  stub: S;
  gateway: G;
  nginx: RunningNginx;
  browser: Browser;
  /** A fresh browser context signed in at the proxy as session `sid` (its cookie set for nginx). */
  signIn(sid: string, options?: Parameters<Browser['newContext']>[0]): Promise<BrowserContext>;
  /** Stops Chromium, nginx, the gateway, the stub and the auth stand-in, in that order. */
  stop(): Promise<void>;
}

/** The stack `startBrowserStack(opts)` gives: the gateway's kind, and the stub when asked for. */
export type BrowserStackFor<O extends BrowserStackOptions> = BrowserStack<O extends { gateway: CliGateway } ? GatewayProcess : TestGateway, O extends { openai: object } ? OpenAIStub : undefined>;

/** The config section that makes the stub the gateway's model provider. */
function stubModels(stub: OpenAIStub): Record<string, unknown> {
  return { models: { providers: { stub: { baseUrl: stub.baseUrl, models: ['stub-model'] } }, default: 'stub/stub-model' } };
}

export async function startBrowserStack<O extends BrowserStackOptions>(opts: O): Promise<BrowserStackFor<O>> {
  const stack = await startInOrder(async (t) => {
    const auth = await startAuthService({ users: opts.users });
    t.add('the auth stand-in', () => auth.stop());
    let stub: OpenAIStub | undefined;
    if (opts.openai) {
      if ('cli' in opts.gateway) throw new Error('browser-stack: the OpenAI stub is wired to an in-process gateway only');
      const s = await startOpenAIStub();
      t.add('the OpenAI stub', () => s.close());
      s.fallback = opts.openai.fallback;
      stub = s;
    }
    let gateway: TestGateway | GatewayProcess;
    if ('cli' in opts.gateway) {
      gateway = await startGatewayProcess(opts.gateway.cli);
    } else {
      const { config, options = {} } = opts.gateway;
      gateway = await startTestGateway(config, stub ? { ...options, sections: { ...options.sections, ...stubModels(stub) } } : options);
    }
    const g = gateway;
    t.add('the gateway', () => g.stop());
    const nginx = await startNginx({ gatewayPort: gateway.port, authPort: auth.port });
    t.add('nginx', () => nginx.stop());
    const browser = await launchChromium();
    t.add('Chromium', () => browser.close());
    return {
      auth,
      stub,
      gateway,
      nginx,
      browser,
      async signIn(sid: string, options: Parameters<Browser['newContext']>[0] = {}) {
        const ctx = await newContext(browser, options);
        await ctx.addCookies([{ name: SESSION_COOKIE, value: sid, url: nginx.url }]);
        return ctx;
      },
    };
  });
  return stack as BrowserStackFor<O>;
}
