/** The console's cards: who you are and what you can do, gateway status, presence, security findings. */
import { html, nothing, type TemplateResult } from 'lit';
import { ago, clockTime, formatDuration } from '../format.js';
import type { AuditFinding, AuditReport, GatewayStatus, HelloOk, Identity, PresenceEntry, Scope, ScopeList, Severity } from '../protocol.js';
import { scopeLabel } from '../scopes.js';

/** How an identity reads in a sentence. */
export function identityLabel(id: Pick<Identity, 'user' | 'method'>): string {
  if (id.user) return id.user;
  switch (id.method) {
    case 'token':
      return 'token';
    case 'password':
      return 'password';
    case 'none':
      return 'anonymous';
    default:
      return 'unknown';
  }
}

/** "You can: read, write" (or "admin"), with the scope names for a title and the test's hooks. */
function youCan(scopes: ScopeList): TemplateResult {
  return html`<p class="you-can" data-scopes=${scopes.join(' ')} title=${scopes.length ? scopes.join(', ') : 'no scopes'}>You can: <strong class="scopes">${scopeLabel(scopes)}</strong></p>`;
}

export function identityCard(hello: HelloOk, scopes: ScopeList, stale: boolean, onForget: (() => void) | undefined): TemplateResult {
  const { user, method, groups } = hello.identity;
  const line =
    method === 'trusted-proxy'
      ? html`Signed in via your proxy as <strong class="user">${user}</strong>`
      : method === 'token'
        ? html`Signed in with the gateway <strong class="user">token</strong>`
        : method === 'password'
          ? html`Signed in with the gateway <strong class="user">password</strong>`
          : html`<strong class="user">No sign-in</strong>: the gateway runs with auth mode "none" (loopback only)`;
  return html`<section class="card ${stale ? 'stale' : ''}" aria-labelledby="you-h" data-method=${method}>
    <h2 id="you-h">You</h2>
    <p class="who identity">${line}</p>
    ${youCan(scopes)}
    <p class="muted small">${method === 'trusted-proxy'
      ? 'Your proxy\'s sign-in is the only login here: to switch user or sign out, do it at the proxy.'
      : method === 'token' || method === 'password'
        ? 'The gateway trusts anyone holding this secret; keep it out of shared links and screenshots.'
        : 'Anyone who can reach this port is admitted.'}</p>
    <dl class="facts small">
      <dt>Session</dt><dd class="mono conn-id">${hello.server.connId.slice(0, 8)}</dd>
      <dt>Auth method</dt><dd><code>${method}</code></dd>
      ${groups?.length ? html`<dt>Groups</dt><dd class="groups">${groups.join(', ')}</dd>` : nothing}
      <dt>Reached at</dt><dd class="mono">${location.host}</dd>
    </dl>
    ${onForget
      ? html`<div class="actions"><button type="button" class="secondary" @click=${onForget}>Forget the token in this browser</button></div>`
      : nothing}
  </section>`;
}

/**
 * In place of a card the person's scopes do not allow: what it needs, what they have, and who to
 * ask. The console does not call the method behind it.
 */
export function scopeNote(what: string, id: string, needed: Scope, scopes: ScopeList, wide: boolean): TemplateResult {
  return html`<section class="card scope-note ${wide ? 'wide' : ''}" data-for=${id} data-needs=${needed}>
    <h2>${what}</h2>
    <p class="muted">Needs <code>${needed}</code>; you have ${scopes.length ? scopes.map((s, i) => html`${i ? ', ' : ''}<code>${s}</code>`) : 'no scopes'}. The gateway's operator grants scopes in <code>gateway.authorization</code>.</p>
  </section>`;
}

export function statusCard(status: GatewayStatus | undefined, uptimeMs: number, stale: boolean): TemplateResult {
  return html`<section class="card ${stale ? 'stale' : ''}" aria-labelledby="gw-h">
    <h2 id="gw-h">Gateway</h2>
    ${status
      ? html`<dl class="facts status">
          <dt>Version</dt><dd class="version">${status.version}</dd>
          <dt>Uptime</dt><dd class="uptime" title=${`since ${status.startedAt}`}>${formatDuration(uptimeMs)}</dd>
          <dt>Auth mode</dt><dd class="auth-mode"><code>${status.authMode}</code></dd>
          <dt>Bind</dt><dd class="bind"><code>${status.bind}</code> · port ${status.port}</dd>
          <dt>Clients</dt><dd class="clients">${status.clients} connected</dd>
        </dl>`
      : html`<p class="muted">Loading…</p>`}
  </section>`;
}

export function presenceCard(entries: readonly PresenceEntry[], ownConnId: string | undefined, now: number, stale: boolean): TemplateResult {
  const sorted = [...entries].sort((a, b) => a.since.localeCompare(b.since));
  return html`<section class="card wide ${stale ? 'stale' : ''}" aria-labelledby="presence-h">
    <h2 id="presence-h">Connected now <span class="count">${entries.length} ${entries.length === 1 ? 'session' : 'sessions'}</span></h2>
    <ul class="people" aria-live="polite" aria-relevant="additions removals">
      ${sorted.map((e) => {
        const who = identityLabel(e);
        const client = [e.client.name ?? 'unnamed client', e.client.version].filter(Boolean).join(' ');
        return html`<li data-user=${who} data-conn=${e.connId}>
          <span class="avatar" aria-hidden="true">${who.slice(0, 1)}</span>
          <span class="person">
            <span class="name-row"><span class="name">${who}</span>${e.connId === ownConnId ? html`<span class="badge you">you</span>` : nothing}</span>
            <span class="line client">${client}</span>
            <span class="line">since <time datetime=${e.since} title=${e.since}>${clockTime(e.since)}</time> · ${ago(e.since, now)}</span>
          </span>
        </li>`;
      })}
    </ul>
  </section>`;
}

export type AuditView =
  | { state: 'loading' }
  | { state: 'ok'; report: AuditReport }
  | { state: 'unavailable'; message: string };

const ORDER: Record<Severity, number> = { critical: 0, warn: 1, info: 2 };

/** Audit text marks commands and keys with backticks: show those as code. */
function withCode(text: string): Array<TemplateResult | string> {
  return text.split(/(`[^`]+`)/).map((part) => (part.length > 2 && part.startsWith('`') && part.endsWith('`') ? html`<code>${part.slice(1, -1)}</code>` : part));
}

function finding(f: AuditFinding): TemplateResult {
  return html`<li data-check=${f.checkId}>
    <details ?open=${f.severity === 'critical'}>
      <summary><span class="chip ${f.severity}">${f.severity}</span><span class="title">${f.title}</span></summary>
      <div class="body">
        <p>${withCode(f.detail)}</p>
        ${f.remediation ? html`<p><strong>Fix:</strong> ${withCode(f.remediation)}</p>` : nothing}
        <p class="check">${f.checkId}</p>
      </div>
    </details>
  </li>`;
}

export function securityCard(audit: AuditView, stale: boolean): TemplateResult {
  let body: TemplateResult;
  let chips: TemplateResult | typeof nothing = nothing;
  if (audit.state === 'loading') body = html`<p class="muted">Running the audit…</p>`;
  else if (audit.state === 'unavailable') body = html`<p class="muted audit-unavailable">${audit.message}</p>`;
  else {
    const { summary, findings } = audit.report;
    chips = html`<span class="sev">
      ${(['critical', 'warn', 'info'] as const).map((s) => html`<span class="chip ${s}" data-severity=${s}>${summary[s] ?? 0} ${s}</span>`)}
    </span>`;
    const sorted = [...findings].sort((a, b) => ORDER[a.severity] - ORDER[b.severity]);
    body = sorted.length
      ? html`<ul class="findings">${sorted.map(finding)}</ul>`
      : html`<p class="muted">No findings for the running configuration.</p>`;
  }
  return html`<section class="card wide ${stale ? 'stale' : ''}" aria-labelledby="sec-h">
    <h2 id="sec-h">Security audit ${chips}</h2>
    ${body}
  </section>`;
}
