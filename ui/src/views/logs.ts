/**
 * <mayros-logs>: the Logs view (operator.admin). Reads the gateway's own log lines with
 * `logs.tail`, follows new ones through `logs.line` events, pauses (stops following; the lines on
 * screen stay still) and resumes from its cursor, and filters by level. The state and every
 * decision about it are in logs-model.ts; this element sends requests and renders.
 */
import { LitElement, css, html, nothing } from 'lit';
import type { LogsLineEvent, LogsTailResult } from '../../../src/protocol/logs.js';
import type { GatewayClient } from '../client.js';
import type { EventFrame, HelloOk } from '../protocol.js';
import { fieldsText, initialLogs, LOG_LEVELS, paused, tailParams, visibleLines, withEvent, withMinLevel, withTail, type LogLevel, type LogLine, type LogsState } from './logs-model.js';

/** What this view reads of its ViewHost (tabs.ts), named here so tabs.ts can import this file. */
export interface LogsHost {
  readonly client: GatewayClient;
  readonly hello: HelloOk;
  readonly connected: boolean;
  subscribe(fn: (e: EventFrame) => void): () => void;
}

function timeOf(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

export class MayrosLogs extends LitElement {
  static override styles = css`
    :host { display: block; }
    .sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
    .bar { display: flex; flex-wrap: wrap; align-items: center; gap: .75rem; margin: 0 0 .75rem; }
    button { font: inherit; padding: .4rem .9rem; border-radius: .4rem; border: 1px solid var(--accent); background: var(--accent); color: var(--accent-text); cursor: pointer; }
    button[aria-pressed='true'] { background: transparent; color: var(--accent); }
    select { font: inherit; padding: .3rem .4rem; border-radius: .4rem; border: 1px solid var(--border); background: var(--surface); color: var(--text); }
    .muted { color: var(--muted); }
    .note { font-size: .875rem; }
    .error { color: var(--bad); }
    ol { list-style: none; margin: 0; padding: .5rem; max-height: 70vh; overflow: auto; background: var(--surface); border: 1px solid var(--border); border-radius: 10px; font-family: var(--mono); font-size: .8rem; }
    li { padding: .1rem .25rem; white-space: pre-wrap; overflow-wrap: anywhere; border-radius: 4px; }
    li[data-level='warn'] { background: var(--warn-bg); }
    li[data-level='error'], li[data-level='fatal'] { background: var(--bad-bg); }
    .level { display: inline-block; min-width: 3.5em; font-weight: 700; text-transform: uppercase; }
    li[data-level='warn'] .level { color: var(--warn); }
    li[data-level='error'] .level, li[data-level='fatal'] .level { color: var(--bad); }
    .time, .fields { color: var(--muted); }
  `;

  static override properties = {
    host: { attribute: false },
    model: { state: true },
    error: { state: true },
  };

  declare host: LogsHost | undefined;
  declare model: LogsState;
  declare error: string | undefined;

  private off: (() => void) | undefined;
  /** The session this view follows on: a new one (a reconnect) must ask to follow again. */
  private connId: string | undefined;
  private fetching = false;
  private again = false;

  constructor() {
    super();
    this.host = undefined;
    this.model = initialLogs();
    this.error = undefined;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.off?.();
    this.off = undefined;
    // Leaving the view: the gateway stops sending its lines to this session.
    if (this.host?.connected && this.model.following) void this.host.client.request('logs.tail', { follow: false, limit: 1 });
    this.connId = undefined;
  }

  protected override willUpdate(): void {
    const host = this.host;
    if (!host) return;
    this.off ??= host.subscribe((e) => this.onEvent(e));
    if (host.connected && host.hello.server.connId !== this.connId) {
      this.connId = host.hello.server.connId;
      this.model = { ...this.model, following: false };
      void this.fetch();
    }
  }

  protected override updated(): void {
    if (this.model.paused) return;
    const list = this.renderRoot.querySelector('ol');
    if (list) list.scrollTop = list.scrollHeight;
  }

  private onEvent(e: EventFrame): void {
    if (e.event !== 'logs.line') return;
    const { state, fetch } = withEvent(this.model, e.payload as LogsLineEvent);
    this.model = state;
    if (fetch) void this.fetch();
  }

  /** One `logs.tail` at a time; a call while one runs asks again when it is answered. */
  private async fetch(): Promise<void> {
    const host = this.host;
    if (!host?.connected) return;
    if (this.fetching) {
      this.again = true;
      return;
    }
    this.fetching = true;
    try {
      const r = await host.client.request<LogsTailResult>('logs.tail', tailParams(this.model));
      if (r.ok) {
        this.model = withTail(this.model, r.payload);
        this.error = undefined;
      } else {
        this.error = r.error.code === 'FORBIDDEN' ? `The gateway refused the log: ${r.error.message}` : `The log could not be read: ${r.error.message}`;
      }
    } finally {
      this.fetching = false;
    }
    if (this.again) {
      this.again = false;
      void this.fetch();
    }
  }

  private togglePause(): void {
    this.model = paused(this.model, !this.model.paused);
    void this.fetch();
  }

  private line(l: LogLine) {
    const fields = fieldsText(l.fields);
    return html`<li data-level=${l.level} data-seq=${l.seq}><span class="time">${timeOf(l.time)}</span> <span class="level">${l.level}</span> <span class="msg">${l.msg}</span>${fields ? html` <span class="fields">${fields}</span>` : nothing}${l.truncated ? html` <span class="muted">(cut: the line was too long to keep)</span>` : nothing}</li>`;
  }

  override render() {
    const m = this.model;
    const shown = visibleLines(m);
    const status = m.paused ? 'Paused: new lines are not shown until you resume.' : m.following ? 'Following: new lines appear as they are logged.' : 'Not following: reading the latest lines.';
    return html`<section aria-labelledby="logs-h">
      <h2 id="logs-h" class="sr-only">Gateway logs</h2>
      <div class="bar">
        <button type="button" class="pause" aria-pressed=${m.paused ? 'true' : 'false'} @click=${() => this.togglePause()}>${m.paused ? 'Resume' : 'Pause'}</button>
        <label>Level
          <select class="level-filter" @change=${(e: Event) => (this.model = withMinLevel(this.model, (e.target as HTMLSelectElement).value as LogLevel))}>
            ${LOG_LEVELS.map((lv) => html`<option value=${lv} ?selected=${lv === m.minLevel}>${lv} and above</option>`)}
          </select>
        </label>
        <span class="muted note follow-state" data-following=${m.following ? 'yes' : 'no'}>${status}</span>
        ${m.lost ? html`<span class="muted note lost">${m.lost} line${m.lost === 1 ? '' : 's'} dropped by the gateway before this page read them (it keeps the latest 1,000).</span>` : nothing}
      </div>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      <p class="muted note">${shown.length} of ${m.lines.length} lines shown. Secrets are redacted, as in the gateway's log file.</p>
      <ol class="log-lines" aria-live=${m.paused ? 'off' : 'polite'}>${shown.map((l) => this.line(l))}</ol>
    </section>`;
  }
}

customElements.define('mayros-logs', MayrosLogs);
