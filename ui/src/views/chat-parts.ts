/**
 * The chat view's pieces: the transcript and one message, the composer (or why there is none), and
 * the notes above the transcript. The session list is chat-session-list.ts.
 */
import { html, nothing, type TemplateResult } from 'lit';
import { unsafeHTML } from 'lit/directives/unsafe-html.js';
import { explainChat, quietEnd } from '../chat/explain.js';
import { MODELS_SNIPPET, type ModelsView } from '../chat/models.js';
import { renderAnswer } from '../chat/sanitize.js';
import { authorLabel, ownerName, type Access } from '../chat/owners.js';
import type { Entry, Transcript } from '../chat/transcript.js';
import type { RequestRefusal } from '../refusal.js';

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

/** One message; `self` is the person's owner key (their own messages read "You"). */
export function entryView(e: Entry, self: string): TemplateResult {
  const mine = e.role === 'user';
  const word = STATE_WORD[e.state];
  return html`<li class="msg ${e.role}" data-id=${e.id} data-state=${e.state} data-run=${e.runId ?? ''}>
    <div class="meta small muted">
      <span class="author">${mine ? authorLabel(e.author, self) : e.role === 'assistant' ? 'Assistant' : 'System'}</span>
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

export interface TranscriptProps {
  transcript: Transcript;
  running: boolean;
  /** The person's owner key. */
  self: string;
  /** What an empty transcript says (nothing while loading). */
  empty: string | undefined;
  onOlder: () => void;
}

/** The messages of the session in view, oldest first, with "Show earlier messages" while there are more. */
export function transcriptList(p: TranscriptProps): TemplateResult {
  const t = p.transcript;
  return html`<ol class="transcript" aria-live="polite" aria-busy=${p.running ? 'true' : 'false'}>
    ${t.before !== undefined ? html`<li class="older"><button type="button" class="secondary" @click=${p.onOlder}>Show earlier messages</button></li>` : nothing}
    ${t.entries.map((e) => entryView(e, p.self))}
    ${p.empty !== undefined && t.entries.length === 0 ? html`<li class="empty muted">${p.empty}</li>` : nothing}
  </ol>`;
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

/**
 * Under the transcript: the composer where the person may send; otherwise why not. An admin
 * reading another person's session is told that admins read, never send (the gateway would answer
 * session_not_found); that person's new messages reach only their own tabs.
 */
export function footer(access: Access, p: ComposerProps): TemplateResult {
  if (access.kind === 'write') return composer(p);
  if (access.kind === 'others') {
    return html`<p class="read-only others small" data-owner=${access.owner}>You are reading <strong class="owner-name">${ownerName(access.owner)}</strong>'s session.
      Admins can read everyone's sessions but never send into another person's. New messages show when you open it again.</p>`;
  }
  return html`<p class="read-only muted small">You can read your sessions here. Sending needs <code>operator.write</code>, which your sign-in does not have.</p>`;
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
