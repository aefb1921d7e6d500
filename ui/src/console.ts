/**
 * <mayros-console>: the Control UI. Holds the page state, drives the GatewayClient, and
 * renders the views. Decorator-free Lit (static properties) so the build needs no transform.
 */
import { LitElement, html, nothing, svg } from 'lit';
import { GatewayClient, socketUrl, type ConnState } from './client.js';
import type { AuditReport, EventFrame, GatewayStatus, HelloOk, PresenceEntry, PresenceEvent, Reply, ScopeList, SessionUpdatedEvent } from './protocol.js';
import { explain, explainRequest, type Explanation, type RequestRefusal } from './refusal.js';
import { allows, NEEDS, scopesFrom } from './scopes.js';
import { styles } from './styles.js';
import { forgetToken, saveToken, takeToken } from './token.js';
import { identityCard, presenceCard, scopeNote, securityCard, statusCard, type AuditView } from './views/cards.js';
import { reconnectPanel, refusalPanel, requestRefusalPanel, statePill } from './views/connection.js';
import { OVERVIEW_ID, TABS, tabFor, type TabDeclaration, type ViewHost } from './views/tabs.js';

/** Replaced at build time with the package version (ui/vite.config.ts). */
declare const __MAYROS_UI_VERSION__: string;
/** The UI's own version, shown to the gateway in `connect`. */
const UI_VERSION = __MAYROS_UI_VERSION__;

const logo = svg`<svg viewBox="0 0 32 32" aria-hidden="true"><rect width="32" height="32" rx="7" fill="#1f5fc4"/><path d="M7 23V9h3.2l5.8 8 5.8-8H25v14h-3.4v-8.6L16 22l-5.6-7.6V23z" fill="#fff"/></svg>`;

export class MayrosConsole extends LitElement {
  static override styles = styles;
  static override properties = {
    conn: { state: true },
    hello: { state: true },
    status: { state: true },
    presence: { state: true },
    audit: { state: true },
    now: { state: true },
    refusal: { state: true },
    viaProxy: { state: true },
    scopes: { state: true },
    denied: { state: true },
    hash: { state: true },
  };

  declare conn: ConnState;
  /** The last hello-ok of this page's life (kept while reconnecting, shown dimmed). */
  declare hello: HelloOk | undefined;
  declare status: GatewayStatus | undefined;
  declare presence: PresenceEntry[];
  declare audit: AuditView;
  declare now: number;
  declare refusal: Explanation | undefined;
  /** Learned from hello-ok or a trusted_proxy_* refusal: the proxy is the login, never ask for a token. */
  declare viaProxy: boolean;
  /** What this session may do: from hello-ok, then from each session.updated (no reconnect). */
  declare scopes: ScopeList;
  /** A request the gateway refused while the session went on (scope_missing), until dismissed. */
  declare denied: RequestRefusal | undefined;
  /** The address's fragment: which tab is in view (views/tabs.ts). */
  declare hash: string;

  private token: string | undefined;
  private password: string | undefined;
  private statusAt = 0;
  private clock: ReturnType<typeof setInterval> | undefined;
  private readonly client: GatewayClient;
  /** Views listening to the session's events (ViewHost.subscribe). */
  private readonly listeners = new Set<(e: EventFrame) => void>();
  private readonly onHash = () => (this.hash = location.hash);

  constructor() {
    super();
    this.conn = { kind: 'connecting', attempt: 1 };
    this.hello = undefined;
    this.status = undefined;
    this.presence = [];
    this.audit = { state: 'loading' };
    this.now = Date.now();
    this.refusal = undefined;
    this.viaProxy = false;
    this.scopes = scopesFrom([]);
    this.denied = undefined;
    this.hash = location.hash;
    this.token = takeToken();
    this.client = new GatewayClient({
      url: socketUrl(location),
      version: UI_VERSION,
      credentials: () => ({ ...(this.token ? { token: this.token } : {}), ...(this.password ? { password: this.password } : {}) }),
      onState: (s) => this.onState(s),
      onEvent: (e) => this.onEvent(e),
    });
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.client.start();
    this.clock = setInterval(() => (this.now = Date.now()), 1000);
    addEventListener('hashchange', this.onHash);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.client.stop();
    clearInterval(this.clock);
    removeEventListener('hashchange', this.onHash);
  }

  /** On a new refusal, put the keyboard where the user acts next: the credential field, if any. */
  protected override updated(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('refusal') && this.refusal) {
      this.renderRoot.querySelector<HTMLInputElement>('section.refused input')?.focus();
    }
  }

  private onState(s: ConnState): void {
    this.conn = s;
    this.now = Date.now();
    if (s.kind === 'connected') {
      this.hello = s.hello;
      this.refusal = undefined;
      this.denied = undefined;
      this.scopes = scopesFrom(s.hello.scopes);
      if (s.hello.identity.method === 'trusted-proxy') this.viaProxy = true;
      this.forgetDisallowed();
      void this.loadAll();
    } else if (s.kind === 'refused') {
      this.refusal = explain(s.wire, s.claimedUser);
      if (this.refusal.viaProxy) this.viaProxy = true;
    }
  }

  private onEvent(e: EventFrame): void {
    for (const fn of this.listeners) {
      try {
        fn(e);
      } catch (err) {
        console.error('a view failed on an event', e.event, err);
      }
    }
    if (e.event === 'presence') {
      const p = e.payload as PresenceEvent;
      if (p.entries) this.presence = p.entries;
      else void this.loadPresence();
      void this.loadStatus();
    } else if (e.event === 'tick') {
      void this.loadStatus();
    } else if (e.event === 'session.updated') {
      this.onScopes(scopesFrom((e.payload as SessionUpdatedEvent | undefined)?.scopes));
    }
  }

  /** New scopes on the open session: hide what they no longer allow, load what they now do. */
  private onScopes(next: ScopeList): void {
    const before = this.scopes;
    this.scopes = next;
    this.forgetDisallowed();
    if (allows(next, NEEDS.status) && !allows(before, NEEDS.status)) void this.loadStatus();
    if (allows(next, NEEDS.presence) && !allows(before, NEEDS.presence)) void this.loadPresence();
    if (allows(next, NEEDS.audit) && !allows(before, NEEDS.audit)) void this.loadAudit();
  }

  /** Drops what the scopes no longer let this page see (nothing of it stays on screen). */
  private forgetDisallowed(): void {
    if (!allows(this.scopes, NEEDS.status)) this.status = undefined;
    if (!allows(this.scopes, NEEDS.presence)) this.presence = [];
    if (!allows(this.scopes, NEEDS.audit)) this.audit = { state: 'loading' };
  }

  /** A request refused for a reason (scope_missing when the scopes changed under it): explained, the session goes on. */
  private refused<T>(r: Reply<T>): boolean {
    if (r.ok || r.error.code !== 'FORBIDDEN') return false;
    this.denied = explainRequest(r.error);
    return true;
  }

  private async loadAll(): Promise<void> {
    await Promise.all([this.loadStatus(), this.loadPresence(), this.loadAudit()]);
  }

  private async loadPresence(): Promise<void> {
    if (!allows(this.scopes, NEEDS.presence)) return;
    const presence = await this.client.request<{ entries: PresenceEntry[] }>('presence.list');
    if (presence.ok) this.presence = presence.payload.entries;
    else this.refused(presence);
  }

  private async loadStatus(): Promise<void> {
    if (!allows(this.scopes, NEEDS.status)) return;
    const r = await this.client.request<GatewayStatus>('status');
    if (r.ok) {
      this.status = r.payload;
      this.statusAt = Date.now();
    } else this.refused(r);
  }

  /**
   * Runs the audit again for the security card: asked only when the page's scopes allow it (the
   * card shows a note otherwise); a refusal (the scopes changed just before) is explained.
   */
  async loadAudit(): Promise<void> {
    if (!allows(this.scopes, NEEDS.audit)) return;
    const r = await this.client.request<AuditReport>('security.audit');
    if (r.ok) this.audit = { state: 'ok', report: r.payload };
    else if (this.refused(r)) this.audit = { state: 'unavailable', message: `The gateway refused the audit: ${r.error.message}` };
    else if (r.error.code === 'UNKNOWN_METHOD') this.audit = { state: 'unavailable', message: 'This gateway does not offer a security audit (security.audit); upgrade the gateway, or run "mayros security audit" on its host.' };
    else this.audit = { state: 'unavailable', message: `The audit could not run: ${r.error.message}` };
  }

  private submitCredential(kind: 'token' | 'password', value: string): void {
    if (kind === 'token') {
      this.token = value;
      saveToken(value);
    } else {
      this.password = value; // kept in memory only: a password is not stored in the browser
    }
    this.client.start();
  }

  private forget(): void {
    forgetToken();
    this.token = undefined;
    this.requestUpdate();
  }

  /** What a view is given (views/tabs.ts); a new object per render, so a view sees new scopes at once. */
  private viewHost(hello: HelloOk, connected: boolean): ViewHost {
    return {
      client: this.client,
      hello,
      scopes: this.scopes,
      connected,
      subscribe: (fn) => {
        this.listeners.add(fn);
        return () => this.listeners.delete(fn);
      },
    };
  }

  /** The tabs the session's scopes allow (none but the overview until one is declared). */
  private offered(): TabDeclaration[] {
    return TABS.filter((t) => t.needs === null || allows(this.scopes, t.needs));
  }

  private nav(current: TabDeclaration | undefined) {
    const tabs = this.offered();
    if (!tabs.length) return nothing;
    const link = (id: string, label: string, on: boolean) => html`<a href="#${id}" aria-current=${on ? 'page' : 'false'}>${label}</a>`;
    return html`<nav class="tabs" aria-label="Views">${link(OVERVIEW_ID, 'Overview', !current)}${tabs.map((t) => link(t.id, t.label, t === current))}</nav>`;
  }

  private overview(hello: HelloOk, connected: boolean, uptime: number) {
    return html`<div class="grid">
      ${identityCard(hello, this.scopes, !connected, hello.identity.method === 'token' && this.token ? () => this.forget() : undefined)}
      ${allows(this.scopes, NEEDS.status) ? statusCard(this.status, uptime, !connected) : scopeNote('Gateway', 'status', NEEDS.status, this.scopes, false)}
      ${allows(this.scopes, NEEDS.presence) ? presenceCard(this.presence, hello.server.connId, this.now, !connected) : scopeNote('Connected now', 'presence', NEEDS.presence, this.scopes, true)}
      ${allows(this.scopes, NEEDS.audit) ? securityCard(this.audit, !connected) : scopeNote('Security audit', 'audit', NEEDS.audit, this.scopes, true)}
    </div>`;
  }

  override render() {
    const c = this.conn;
    const connected = c.kind === 'connected';
    const hello = this.hello;
    const uptime = this.status ? this.status.uptimeMs + (connected ? this.now - this.statusAt : 0) : 0;
    const tab = tabFor(this.hash, (needs) => needs === null || allows(this.scopes, needs));
    return html`
      <header>
        <div class="brand">${logo}<span>Mayros Gateway <span class="sub">Control UI</span></span></div>
        ${statePill(c, this.now)}
      </header>
      <main>
        ${c.kind === 'refused' && this.refusal
          ? refusalPanel(this.refusal, !this.viaProxy, {
              onSubmit: (v) => this.submitCredential(this.refusal?.credential ?? 'token', v),
              onRetry: () => this.client.start(),
            })
          : nothing}
        ${c.kind === 'reconnecting' ? reconnectPanel(c, this.now, () => this.client.start()) : nothing}
        ${this.denied && connected ? requestRefusalPanel(this.denied, () => (this.denied = undefined)) : nothing}
        ${c.kind === 'connecting' && !hello ? html`<p class="muted">Connecting to the gateway…</p>` : nothing}
        ${hello ? this.nav(tab) : nothing}
        ${hello ? (tab ? tab.render(this.viewHost(hello, connected)) : this.overview(hello, connected, uptime)) : nothing}
      </main>
    `;
  }
}

customElements.define('mayros-console', MayrosConsole);
