/**
 * The chat view's session list: New chat, one line per session (rename and delete beside the
 * person's own), "Show older sessions" below it while the gateway has more pages, and for an admin
 * the "Everyone's sessions" switch, which lists every session with its owner.
 */
import { html, nothing, type TemplateResult } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { ownerName, type Listing } from '../chat/owners.js';
import { sessionLabel } from '../chat/sessions.js';
import type { WireSession } from '../chat/wire.js';

export interface SessionListProps {
  sessions: readonly WireSession[];
  current: string | undefined;
  renaming: string | undefined;
  canWrite: boolean;
  /** Offer the switch (the scopes include operator.admin). */
  admin: boolean;
  /** Whose sessions are listed. */
  listing: Listing;
  /** The person's owner key: their own sessions keep their buttons and read "you". */
  self: string;
  /** More (older) sessions wait on the gateway: offer "Show older sessions". */
  hasOlder: boolean;
  /** An older page is on its way (the button waits). */
  olderLoading: boolean;
  onOlder: () => void;
  onListing: (listing: Listing) => void;
  onSelect: (key: string) => void;
  onNew: () => void;
  onRename: (key: string) => void;
  onRenamed: (key: string, title: string) => void;
  onCancelRename: () => void;
  onDelete: (key: string) => void;
}

function renameForm(p: SessionListProps, s: WireSession, on: boolean): TemplateResult {
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

export function sessionList(p: SessionListProps): TemplateResult {
  const everyone = p.listing === 'everyone';
  const item = (s: WireSession) => {
    const on = s.key === p.current;
    if (p.renaming === s.key) return renameForm(p, s, on);
    // An owner the list does not name (an older gateway) is the person's own.
    const mine = s.owner === undefined || s.owner === p.self;
    const owner = everyone && s.owner !== undefined ? (mine ? 'you' : ownerName(s.owner)) : undefined;
    return html`<li data-key=${s.key} data-owner=${s.owner ?? ''} aria-current=${on ? 'true' : 'false'}>
      <button type="button" class="session" @click=${() => p.onSelect(s.key)}>
        <span class="title">${sessionLabel(s)}</span>${owner ? html`<span class="owner small muted">${owner}</span>` : nothing}
      </button>
      ${p.canWrite && mine
        ? html`<span class="session-actions">
            <button type="button" class="icon rename-session" title="Rename" aria-label="Rename ${sessionLabel(s)}" @click=${() => p.onRename(s.key)}>✎</button>
            <button type="button" class="icon delete-session" title="Delete" aria-label="Delete ${sessionLabel(s)}" @click=${() => p.onDelete(s.key)}>×</button>
          </span>`
        : nothing}
    </li>`;
  };
  return html`<nav class="sessions" aria-label=${everyone ? "Everyone's chat sessions" : 'Chat sessions'}>
    ${p.canWrite ? html`<button type="button" class="new-session" @click=${p.onNew}>New chat</button>` : nothing}
    ${p.admin
      ? html`<label class="everyone small" title="Admins can read everyone's sessions, never send into another person's">
          <input type="checkbox" role="switch" class="everyone-switch" .checked=${everyone}
            @change=${(ev: Event) => p.onListing((ev.currentTarget as HTMLInputElement).checked ? 'everyone' : 'own')}>
          Everyone's sessions
        </label>`
      : nothing}
    <ul>${repeat(p.sessions, (s) => s.key, item)}</ul>
    ${p.hasOlder
      ? html`<button type="button" class="secondary older-sessions" ?disabled=${p.olderLoading} aria-busy=${p.olderLoading ? 'true' : 'false'} @click=${p.onOlder}>Show older sessions</button>`
      : nothing}
  </nav>`;
}
