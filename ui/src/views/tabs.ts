/**
 * The console's tabs: each declared once, with the scope it needs and how it renders. A tab the
 * session's scopes do not allow is not offered (the gateway refuses its methods anyway). The tab
 * in view follows the address's fragment (`#chat`), so a link or a reload lands on it.
 *
 * Adding a view: write it as its own element in ui/src/views/ (registered by ui/src/main.ts), then
 * add one entry here.
 */
import { html, type TemplateResult } from 'lit';
import type { GatewayClient } from '../client.js';
import type { EventFrame, HelloOk, ScopeList } from '../protocol.js';
import type { Scope } from '../../../src/protocol/scopes.js';
import './settings.js';
import './logs.js';
import './activity.js';

/** What a view gets from the console: the one connection, the session's facts, and its events. */
export interface ViewHost {
  readonly client: GatewayClient;
  readonly hello: HelloOk;
  readonly scopes: ScopeList;
  readonly connected: boolean;
  /** Calls `fn` with every event frame the session receives until the returned function is called. */
  subscribe(fn: (e: EventFrame) => void): () => void;
}

export interface TabDeclaration {
  /** The fragment that selects it: `#${id}`. */
  readonly id: string;
  readonly label: string;
  /** The scope the tab needs to be offered (null: every admitted session). */
  readonly needs: Scope | null;
  readonly render: (host: ViewHost) => TemplateResult;
}

/** The overview (identity, status, presence, audit) is the console itself; it needs no entry here. */
export const OVERVIEW_ID = 'overview';

export const TABS: readonly TabDeclaration[] = Object.freeze([
  { id: 'chat', label: 'Chat', needs: 'operator.read', render: (h) => html`<mayros-chat .host=${h}></mayros-chat>` },
  { id: 'settings', label: 'Settings', needs: 'operator.admin', render: (h) => html`<mayros-settings .host=${h}></mayros-settings>` },
  { id: 'logs', label: 'Logs', needs: 'operator.admin', render: (h) => html`<mayros-logs .host=${h}></mayros-logs>` },
  { id: 'activity', label: 'Activity', needs: 'operator.admin', render: (h) => html`<mayros-activity .host=${h}></mayros-activity>` },
] satisfies TabDeclaration[]);

/** The tab a fragment names, when it exists and the scopes allow it; else the overview. */
export function tabFor(hash: string, allowed: (needs: Scope | null) => boolean, tabs: readonly TabDeclaration[] = TABS): TabDeclaration | undefined {
  const id = hash.replace(/^#/, '');
  return tabs.find((t) => t.id === id && allowed(t.needs));
}
