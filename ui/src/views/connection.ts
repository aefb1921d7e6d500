/** The connection state pill, the refusal explanation, and the reconnect notice. */
import { html, nothing, type TemplateResult } from 'lit';
import type { ConnState } from '../client.js';
import type { Explanation, RequestRefusal } from '../refusal.js';
import { WS_GOING_AWAY } from '../../../src/protocol/reasons.js';

const LABEL: Record<ConnState['kind'], string> = {
  connecting: 'Connecting',
  connected: 'Connected',
  reconnecting: 'Reconnecting',
  refused: 'Refused',
};

export function statePill(state: ConnState, now: number): TemplateResult {
  let detail = '';
  if (state.kind === 'reconnecting') detail = ` in ${Math.max(0, Math.ceil((state.retryAt - now) / 1000))} s`;
  if (state.kind === 'connecting' && state.attempt > 1) detail = ` (attempt ${state.attempt})`;
  return html`<div class="pill" data-state=${state.kind} role="status" aria-live="polite">
    <span class="dot" aria-hidden="true"></span><span>${LABEL[state.kind]}${detail}</span>
  </div>`;
}

export interface RefusalHandlers {
  /** Called with the pasted credential; undefined when no field is shown. */
  onSubmit: (value: string) => void;
  onRetry: () => void;
}

/** What the refusal means, what to change, a link to the docs entry, and a field when useful. */
export function refusalPanel(e: Explanation, showField: boolean, h: RefusalHandlers): TemplateResult {
  const kind = e.credential;
  const field = showField && kind
    ? html`<form class="credential" @submit=${(ev: SubmitEvent) => {
        ev.preventDefault();
        const input = (ev.currentTarget as HTMLFormElement).elements.namedItem('secret') as HTMLInputElement;
        if (input.value.trim()) h.onSubmit(input.value.trim());
      }}>
        <label>Gateway ${kind}
          <input name="secret" type="password" autocomplete="off" spellcheck="false" required
            placeholder=${kind === 'token' ? 'Paste the gateway token' : 'Enter the gateway password'}>
        </label>
        <button type="submit">Connect</button>
      </form>`
    : nothing;
  return html`<section class="panel refused" role="alert" aria-labelledby="refused-h" data-reason=${e.wire}>
    <h2 id="refused-h">The gateway refused this connection: <span class="code">${e.wire}</span></h2>
    ${e.claimedUser
      ? html`<p class="signed-in-as">Your proxy signed you in as <strong class="claimed-user">${e.claimedUser}</strong>, and the gateway refused that sign-in.</p>
          <p class="person-hint">${e.personHint}</p>`
      : nothing}
    <p class="meaning">${e.message}</p>
    <p class="fix"><span class="label">${e.claimedUser ? 'For whoever runs the gateway:' : 'What to change:'}</span> ${e.fix}</p>
    ${e.tokenHome ? html`<p class="token-home">${e.tokenHome}</p>` : nothing}
    <p><a class="docs" href=${e.docsHref} target="_blank" rel="noopener">Troubleshooting: ${e.reason ?? 'reason codes'}</a></p>
    ${field}
    ${field === nothing ? html`<div class="actions"><button type="button" class="secondary" @click=${h.onRetry}>Try again</button></div>` : nothing}
  </section>`;
}

export function reconnectPanel(state: Extract<ConnState, { kind: 'reconnecting' }>, now: number, onRetry: () => void): TemplateResult {
  const secs = Math.max(0, Math.ceil((state.retryAt - now) / 1000));
  const why = state.lastCode === WS_GOING_AWAY ? 'The gateway is restarting or shutting down.' : 'The connection to the gateway was lost.';
  return html`<section class="panel reconnecting" aria-labelledby="reconnect-h">
    <h2 id="reconnect-h">Reconnecting</h2>
    <p>${why} Trying again in ${secs} s (attempt ${state.attempt}); the wait doubles after each failure, up to 30 s.</p>
    <div class="actions"><button type="button" class="secondary" @click=${onRetry}>Reconnect now</button></div>
  </section>`;
}

/** A request the gateway refused while the session goes on (scope_missing): what, why, and the fix from the reason table. */
export function requestRefusalPanel(r: RequestRefusal, onDismiss: () => void): TemplateResult {
  return html`<section class="panel denied" role="alert" aria-labelledby="denied-h" data-reason=${r.wire}>
    <h2 id="denied-h">The gateway refused a request: <span class="code">${r.wire}</span></h2>
    <p class="detail">${r.detail}</p>
    <p class="meaning">${r.message}</p>
    <p class="fix"><span class="label">What to change:</span> ${r.fix}</p>
    <p><a class="docs" href=${r.docsHref} target="_blank" rel="noopener">Troubleshooting: ${r.reason ?? 'reason codes'}</a></p>
    <div class="actions"><button type="button" class="secondary" @click=${onDismiss}>Dismiss</button></div>
  </section>`;
}
