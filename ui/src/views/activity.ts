/**
 * <mayros-activity>: the journal, newest first, for an admin (journal.list). Filters by person,
 * kind and time; pages of PAGE_SIZE with Older / Newer. What each entry says comes from
 * ../activity.ts; this element only asks and renders.
 */
import { LitElement, css, html, nothing } from 'lit';
import type { JournalListEntry, JournalListResult } from '../../../src/protocol/journal.js';
import { actorLabel, arrived, DEFAULT_FILTERS, describeEntry, FIRST_PAGE, KIND_CHOICES, listParams, newer, older, SINCE_CHOICES, whenLabel, type Filters, type Paging, type SinceId } from '../activity.js';
import { styles } from '../styles.js';
import type { GatewayClient } from '../client.js';

/** What the view needs of the console (a ViewHost, views/tabs.ts, is one; not imported: tabs.ts imports this view). */
export interface ActivityHost {
  readonly client: Pick<GatewayClient, 'request'>;
}

type Load = { state: 'loading' } | { state: 'ok'; entries: readonly JournalListEntry[] } | { state: 'error'; message: string };

const own = css`
  form.filters { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: end; margin: 0 0 1rem; }
  form.filters label { display: flex; flex-direction: column; gap: .2rem; font-size: .875rem; color: var(--muted); }
  form.filters input, form.filters select { font: inherit; padding: .3rem .45rem; border: 1px solid var(--border); border-radius: .35rem; background: var(--surface); color: inherit; }
  table.journal { width: 100%; border-collapse: collapse; font-size: .9rem; }
  table.journal th, table.journal td { text-align: left; padding: .4rem .5rem; border-bottom: 1px solid var(--border); vertical-align: top; }
  table.journal td.when { white-space: nowrap; font-variant-numeric: tabular-nums; }
  table.journal .note { display: block; color: var(--muted); font-size: .8rem; }
  table.journal .kind { color: var(--muted); font-size: .8rem; }
  .pager { display: flex; gap: .5rem; align-items: center; margin-top: .75rem; }
`;

export class MayrosActivity extends LitElement {
  static override styles = [styles, own];
  static override properties = {
    host: { attribute: false },
    filters: { state: true },
    paging: { state: true },
    load: { state: true },
  };

  declare host: ActivityHost;
  declare filters: Filters;
  declare paging: Paging;
  declare load: Load;
  private asked = 0;

  constructor() {
    super();
    this.filters = { ...DEFAULT_FILTERS };
    this.paging = FIRST_PAGE;
    this.load = { state: 'loading' };
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.fetch();
  }

  /** Asks for the page `paging.at` under the filters; a reply to an older question is dropped. */
  private async fetch(): Promise<void> {
    const n = ++this.asked;
    this.load = { state: 'loading' };
    const r = await this.host.client.request<JournalListResult>('journal.list', listParams(this.filters, Date.now(), this.paging.at));
    if (n !== this.asked) return;
    if (!r.ok) {
      this.load = { state: 'error', message: r.error.message };
      return;
    }
    if (r.payload.unavailable) {
      this.load = { state: 'error', message: `This gateway keeps no journal: ${r.payload.unavailable.message}` };
      return;
    }
    this.paging = arrived(this.paging, r.payload.nextCursor);
    this.load = { state: 'ok', entries: r.payload.entries };
  }

  private apply(ev: Event): void {
    ev.preventDefault();
    const form = ev.currentTarget as HTMLFormElement;
    const value = (name: string) => (form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement).value;
    this.filters = { user: value('user'), kind: value('kind'), since: value('since') as SinceId };
    this.paging = FIRST_PAGE;
    void this.fetch();
  }

  private go(p: Paging): void {
    this.paging = p;
    void this.fetch();
  }

  private row(e: JournalListEntry, now: number) {
    const who = actorLabel(e.actor);
    return html`<tr data-seq=${e.seq} data-kind=${e.kind}>
      <td class="when" title=${new Date(e.time).toISOString()}>${whenLabel(e.time, now)}</td>
      <td class="who" data-actor-type=${e.actor.type}>${who.who}${who.note ? html`<span class="note">${who.note}</span>` : nothing}</td>
      <td class="what">${describeEntry(e)}<span class="kind note">${e.kind} · #${e.seq}</span></td>
    </tr>`;
  }

  override render() {
    const f = this.filters;
    const l = this.load;
    const now = Date.now();
    return html`<section class="card wide activity" aria-labelledby="activity-h">
      <h2 id="activity-h">Activity</h2>
      <p class="muted small">Who did what, from the gateway's tamper-evident journal (newest first). <code>mayros journal verify</code> on the gateway host checks that no entry was changed.</p>
      <form class="filters" @submit=${(ev: Event) => this.apply(ev)}>
        <label>Person <input name="user" type="search" .value=${f.user} placeholder="alice@example.com" autocomplete="off" spellcheck="false"></label>
        <label>What <select name="kind">${KIND_CHOICES.map((k) => html`<option value=${k.id} ?selected=${k.id === f.kind}>${k.label}</option>`)}</select></label>
        <label>When <select name="since">${SINCE_CHOICES.map((s) => html`<option value=${s.id} ?selected=${s.id === f.since}>${s.label}</option>`)}</select></label>
        <button type="submit">Show</button>
      </form>
      ${l.state === 'loading' ? html`<p class="muted loading">Loading…</p>` : nothing}
      ${l.state === 'error' ? html`<p class="error" role="alert">${l.message}</p>` : nothing}
      ${l.state === 'ok' && !l.entries.length ? html`<p class="muted empty">Nothing matches these filters.</p>` : nothing}
      ${l.state === 'ok' && l.entries.length
        ? html`<table class="journal">
            <thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">What</th></tr></thead>
            <tbody>${l.entries.map((e) => this.row(e, now))}</tbody>
          </table>`
        : nothing}
      <div class="pager">
        <button type="button" class="secondary newer" ?disabled=${!this.paging.back.length} @click=${() => this.go(newer(this.paging))}>Newer</button>
        <button type="button" class="secondary older" ?disabled=${this.paging.next === undefined} @click=${() => this.go(older(this.paging))}>Older</button>
        <button type="button" class="secondary refresh" @click=${() => this.go(FIRST_PAGE)}>Refresh</button>
      </div>
    </section>`;
  }
}

customElements.define('mayros-activity', MayrosActivity);
