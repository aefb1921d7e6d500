/** The chat view's pieces: the session list, one message, the composer, and the notes above the transcript. */
import { html, nothing, type TemplateResult } from 'lit';
import { unsafeHTML } from 'lit/directives/unsafe-html.js';
import { repeat } from 'lit/directives/repeat.js';
import { explainChat, quietEnd } from '../chat/explain.js';
import { MODELS_SNIPPET, type ModelsView } from '../chat/models.js';
import { renderAnswer } from '../chat/sanitize.js';
import { sessionLabel } from '../chat/sessions.js';
import type { Entry } from '../chat/transcript.js';
import type { WireSession } from '../chat/wire.js';
import type { RequestRefusal } from '../refusal.js';

export interface SessionListProps {
  sessions: readonly WireSession[];
  current: string | undefined;
  renaming: string | undefined;
  canWrite: boolean;
  onSelect: (key: string) => void;
  onNew: () => void;
  onRename: (key: string) => void;
  onRenamed: (key: string, title: string) => void;
  onCancelRename: () => void;
  onDelete: (key: string) => void;
}

export function sessionList(p: SessionListProps): TemplateResult {
  const item = (s: WireSession) => {
    const on = s.key === p.current;
    if (p.renaming === s.key) {
      return html`<li data-key=${s.key} aria-current=${on ? 'true' : 'false'}>
        <form class="rename-form" @submit=${(ev: SubmitEvent) => {
          ev.preventDefault();
          const input = (ev.currentTarget as HTMLFormElement).elements.namedItem('title') as HTMLInputElement;
          p.onRenamed(s.key, input.value.trim());
        }} @keydown=${(ev: KeyboardEvent) => ev.key === 'Escape' && p.onCancelRename()}>
          <label class="sr-only" for="rename-${s.key}">New title</label>
          <input id="rename-${s.key}" class="rename" name="title" .value=${s.title} maxlength="200" autocomplete="off">
          <button type="submit">Save</button>
        </form>
      </li>`;
    }
    return html`<li data-key=${s.key} aria-current=${on ? 'true' : 'false'}>
      <button type="button" class="session" @click=${() => p.onSelect(s.key)}>${sessionLabel(s)}</button>
      ${p.canWrite
        ? html`<span class="session-actions">
            <button type="button" class="icon rename-session" title="Rename" aria-label="Rename ${sessionLabel(s)}" @click=${() => p.onRename(s.key)}>✎</button>
            <button type="button" class="icon delete-session" title="Delete" aria-label="Delete ${sessionLabel(s)}" @click=${() => p.onDelete(s.key)}>×</button>
          </span>`
        : nothing}
    </li>`;
  };
  return html`<nav class="sessions" aria-label="Chat sessions">
    ${p.canWrite ? html`<button type="button" class="new-session" @click=${p.onNew}>New chat</button>` : nothing}
    <ul>${repeat(p.sessions, (s) => s.key, item)}</ul>
  </nav>`;
}

/** Rendered answers, by entry: an entry object never changes, so its HTML is made once. */
const rendered = new WeakMap<Entry, string>();
function answerHtml(e: Entry): string {
  let out = rendered.get(e);
  if (out === undefined) {
    out = renderAnswer(e.text);
    rendered.set(e, out);
  }
  return out;
}

const STATE_WORD: Partial<Record<Entry['state'], string>> = {
  sending: 'Sending…',
  streaming: 'Writing…',
  aborted: 'Stopped',
  incomplete: 'Incomplete',
  error: 'Failed',
};

/** Why an answer ended early, from the reason table (a stop by its owner needs no explanation). */
function endNote(e: Entry): TemplateResult | typeof nothing {
  if (!e.reason || e.state === 'complete' || e.state === 'streaming') return nothing;
  if (quietEnd(e.reason)) return html`<p class="end muted small">Stopped before the end.</p>`;
  const x = explainChat(e.reason);
  return html`<div class="end-reason small" data-reason=${e.reason}>
    <p><span class="code">${e.reason}</span> <span class="meaning">${x.message}</span></p>
    <p class="fix"><span class="label">What to change:</span> ${x.fix}</p>
    <p><a class="docs" href=${x.docsHref} target="_blank" rel="noopener">Troubleshooting: ${x.reason ?? e.reason}</a></p>
  </div>`;
}

export function entryView(e: Entry): TemplateResult {
  const mine = e.role === 'user';
  const word = STATE_WORD[e.state];
  return html`<li class="msg ${e.role}" data-id=${e.id} data-state=${e.state} data-run=${e.runId ?? ''}>
    <div class="meta small muted">
      <span class="author">${mine ? (e.author ?? 'You') : e.role === 'assistant' ? 'Assistant' : 'System'}</span>
      ${e.model ? html`<span class="model" title="The model that answered">${e.model}</span>` : nothing}
      ${word ? html`<span class="state">${word}</span>` : nothing}
      ${e.usage ? html`<span class="usage" title="Tokens: prompt + answer">${e.usage.prompt} + ${e.usage.completion} tokens</span>` : nothing}
    </div>
    ${mine
      ? html`<div class="bubble text">${e.text}</div>`
      : html`<div class="bubble answer">${e.joinedLate ? html`<p class="muted small joined">…(joined mid-answer; the whole answer shows when it ends)</p>` : nothing}${unsafeHTML(answerHtml(e))}</div>`}
    ${endNote(e)}
  </li>`;
}

export interface ComposerProps {
  running: boolean;
  connected: boolean;
  onKey: (ev: KeyboardEvent) => void;
  onSend: () => void;
  onStop: () => void;
}

export function composer(p: ComposerProps): TemplateResult {
  return html`<form class="composer-form" @submit=${(ev: SubmitEvent) => {
    ev.preventDefault();
    p.onSend();
  }}>
    <label class="sr-only" for="composer">Message</label>
    <textarea id="composer" class="composer" rows="3" placeholder="Message the assistant (Enter sends, Shift+Enter for a new line)" @keydown=${p.onKey}></textarea>
    <div class="composer-actions">
      ${p.running
        ? html`<button type="button" class="stop" @click=${p.onStop}>Stop</button>`
        : html`<button type="submit" class="send" ?disabled=${!p.connected}>Send</button>`}
    </div>
  </form>`;
}

/** The model answers come from, or, with none configured, what to add to the config. */
export function modelsNote(m: ModelsView): TemplateResult | typeof nothing {
  if (m.state === 'unconfigured') {
    return html`<section class="panel setup" data-state="unconfigured" aria-labelledby="setup-h">
      <h2 id="setup-h">No model server is configured</h2>
      <p>The gateway has no <code>models</code> section in its config, so there is nothing to answer a message. Whoever runs the gateway adds one, e.g. for Ollama on the same machine:</p>
      <pre class="snippet"><code>${MODELS_SNIPPET}</code></pre>
      <p class="small">Then reload the config (or restart the gateway). <code>mayros models list</code> shows whether the server answers. <a href="docs/troubleshooting.html#models_not_configured" target="_blank" rel="noopener">Troubleshooting: models_not_configured</a></p>
    </section>`;
  }
  if (m.state !== 'ok') return nothing;
  const down = m.providers.filter((x) => !x.ok);
  return html`<p class="model-in-use small muted">Model: <strong class="model-name">${m.model ?? 'none set'}</strong>${down.length
    ? html` · <span class="down">not answering: ${down.map((d) => `${d.provider}${d.reason ? ` (${d.reason})` : ''}`).join(', ')}</span>`
    : nothing}</p>`;
}

/** A refused chat request, explained (the session goes on). */
export function refusalNote(r: RequestRefusal, onDismiss: () => void): TemplateResult {
  return html`<section class="panel denied" role="alert" data-reason=${r.wire}>
    <p><strong>Not done: <span class="code">${r.wire}</span></strong> <span class="detail">${r.detail}</span></p>
    <p class="meaning">${r.message}</p>
    <p class="fix"><span class="label">What to change:</span> ${r.fix}</p>
    <div class="actions"><a class="docs" href=${r.docsHref} target="_blank" rel="noopener">Troubleshooting: ${r.reason ?? 'reason codes'}</a>
      <button type="button" class="secondary" @click=${onDismiss}>Dismiss</button></div>
  </section>`;
}
