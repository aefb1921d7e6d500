/**
 * <mayros-settings>: the Settings tab (operator.admin). A form for the common fields and a raw
 * JSON5 view of the config file, both saved as a merge patch with `config.patch` against the
 * version loaded (`baseHash`). The gateway's answers are shown where they belong: a field's
 * issues under it, a conflict as both versions with a reload, a lockout with a confirm, the JSON5
 * rewrite (.bak) said before saving. What the form sends is worked out in ui/src/settings/.
 */
import { LitElement, css, html, nothing, type TemplateResult } from 'lit';
// live(): a field shows what it is bound to even where the admin typed over the same value before.
import { live } from 'lit/directives/live.js';
import type { ResponseError } from '../protocol.js';
import { REASONS, docsAnchor } from '../../../src/protocol/reasons.js';
import { SCOPES, type Scope } from '../../../src/protocol/scopes.js';
import { conflictRows, issuesByField, issuesOf, patchFromRaw, shown, type ConflictRow, type Issue } from '../settings/answers.js';
import { configFromForm, formFromConfig, hideTypedKeys, parseList, patchFromForm, SECRET_PLACEHOLDER, type ProviderForm, type SettingsForm } from '../settings/form.js';
import { styles } from '../styles.js';
import type { GatewayClient } from '../client.js';

type Obj = Record<string, unknown>;

/** What the view needs of the console (a ViewHost, views/tabs.ts, is one; not imported: tabs.ts imports this view). */
export interface SettingsHost {
  readonly client: Pick<GatewayClient, 'request'>;
}

/** What config.get answers. */
interface Loaded {
  config: Obj;
  hash: string;
  path: string;
  pendingRestart: string[];
  exists: boolean;
  format: 'jsonc' | 'json5';
  text: string;
  textExact: boolean;
}

/** What config.patch answers when it went through. */
interface Saved {
  written: boolean;
  changedPaths: string[];
  format: 'jsonc' | 'json5-rewrite';
  backup?: string;
  lockout?: string;
  reload?: { status: string; generation: number; sessionsClosed?: number; sessionsUpdated?: number; issues?: Issue[] };
  pendingRestart: string[];
  journaled: boolean;
}

type Outcome =
  | { kind: 'saved'; saved: Saved }
  | { kind: 'invalid'; message: string }
  | { kind: 'conflict'; rows: ConflictRow[]; fileNow: Loaded; yoursText: string }
  | { kind: 'lockout'; why: string; patch: Obj; yours: Obj }
  | { kind: 'error'; error: ResponseError };

const settingsStyles = css`
  form.settings { display: grid; gap: 1rem; }
  fieldset { border: 1px solid var(--border); border-radius: 10px; padding: .75rem 1rem; margin: 0; display: grid; gap: .6rem; min-width: 0; }
  legend { font-weight: 650; padding: 0 .3rem; }
  label { display: grid; gap: .25rem; font-weight: 600; }
  label .hint { font-weight: 400; color: var(--muted); font-size: .85rem; }
  textarea { font: inherit; font-family: var(--mono); font-size: .9rem; padding: .5rem .65rem; border-radius: 8px; border: 1px solid var(--border); background: var(--surface); color: var(--text); min-height: 4.5rem; resize: vertical; }
  textarea.raw { min-height: 24rem; }
  ul.issues { margin: .2rem 0 0; padding-left: 1.1rem; color: var(--bad); }
  .scopes { display: flex; gap: 1rem; flex-wrap: wrap; font-weight: 400; }
  .scopes label { display: flex; gap: .3rem; align-items: center; font-weight: 400; }
  .panel.note { background: var(--info-bg); border-color: var(--info); }
  .panel.saved { background: var(--ok-bg); border-color: var(--ok); }
  .panel.invalid, .panel.conflict, .panel.lockout { background: var(--warn-bg); border-color: var(--warn); }
  table.versions { border-collapse: collapse; width: 100%; font-size: .9rem; }
  table.versions th, table.versions td { text-align: left; vertical-align: top; padding: .3rem .5rem; border-bottom: 1px solid var(--border); overflow-wrap: anywhere; }
  pre { white-space: pre-wrap; overflow-wrap: anywhere; font-family: var(--mono); font-size: .85rem; }
  .modes { display: flex; gap: .5rem; }
`;

/** The sentence and the fix of a reason code, from the reason table. */
function reasonText(reason: keyof typeof REASONS) {
  return html`<p class="meaning">${REASONS[reason].message}</p>
    <p class="fix"><span class="label">What to do:</span> ${REASONS[reason].fix}</p>
    <p><a class="docs" href="docs/troubleshooting.html#${docsAnchor(reason)}" target="_blank" rel="noopener">Troubleshooting: ${reason}</a></p>`;
}

export class MayrosSettings extends LitElement {
  static override styles = [styles, settingsStyles];
  static override properties = {
    host: { attribute: false },
    loaded: { state: true },
    loadError: { state: true },
    form: { state: true },
    issues: { state: true },
    outcome: { state: true },
    mode: { state: true },
    busy: { state: true },
  };

  declare host: SettingsHost;
  declare loaded: Loaded | undefined;
  declare loadError: string | undefined;
  declare form: SettingsForm | undefined;
  declare issues: Map<string, Issue[]>;
  declare outcome: Outcome | undefined;
  declare mode: 'form' | 'raw';
  declare busy: boolean;
  /**
   * What the admin typed, by field name (a checkbox as `name=value`), until the form is loaded or
   * reshaped: the view re-renders whenever the console does (every second), and each field is
   * bound to its draft, so nothing typed is reset.
   */
  private readonly drafts = new Map<string, string | boolean>();

  constructor() {
    super();
    this.loaded = undefined;
    this.loadError = undefined;
    this.form = undefined;
    this.issues = new Map();
    this.outcome = undefined;
    this.mode = 'form';
    this.busy = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  /** Loads the file (again): the form and the raw view show it, and the next save is made against its hash. */
  async load(keepOutcome = false): Promise<void> {
    const r = await this.host.client.request<Loaded>('config.get');
    if (!r.ok) {
      this.loadError = `The gateway did not give the config: ${r.error.message}`;
      return;
    }
    this.loadError = undefined;
    this.loaded = r.payload;
    this.form = formFromConfig(r.payload.config);
    this.drafts.clear();
    this.issues = new Map();
    if (!keepOutcome) this.outcome = undefined;
  }

  private q<T extends Element>(sel: string): T | null {
    return this.renderRoot.querySelector<T>(sel);
  }

  /** The form as the admin has it on screen (lists are read line by line). */
  private readForm(): SettingsForm {
    const f = this.form!;
    const text = (sel: string) => this.q<HTMLTextAreaElement | HTMLInputElement>(sel)?.value ?? '';
    return {
      allowUsers: parseList(text('[name=allowUsers]')),
      allowGroups: parseList(text('[name=allowGroups]')),
      trustedProxies: parseList(text('[name=trustedProxies]')),
      rules: f.rules.map((_, i) => ({
        users: parseList(text(`[name="rules.${i}.users"]`)),
        groups: parseList(text(`[name="rules.${i}.groups"]`)),
        scopes: SCOPES.filter((s) => this.q<HTMLInputElement>(`[name="rules.${i}.scopes"][value="${s}"]`)?.checked),
      })),
      providers: f.providers.map((p, i): ProviderForm => ({
        ...p,
        name: text(`[name="providers.${i}.name"]`).trim() || p.name,
        baseUrl: text(`[name="providers.${i}.baseUrl"]`).trim(),
        newKey: text(`[name="providers.${i}.key"]`),
        models: parseList(text(`[name="providers.${i}.models"]`)),
      })),
      defaultModel: text('[name=defaultModel]'),
    };
  }

  /** Changes the form's shape (a rule or provider added or removed), keeping what was typed. */
  private reshape(fn: (f: SettingsForm) => SettingsForm): void {
    this.form = fn(this.readForm());
    // Rules and providers are named by position: the drafts would land on the wrong ones.
    this.drafts.clear();
  }

  private readonly onInput = (e: Event): void => {
    const t = e.target as HTMLInputElement | HTMLTextAreaElement;
    if (!t.name) return;
    if (t instanceof HTMLInputElement && t.type === 'checkbox') this.drafts.set(`${t.name}=${t.value}`, t.checked);
    else this.drafts.set(t.name, t.value);
  };

  /** A field's value: the draft when the admin typed one, else the form's. */
  private v(name: string, value: string): string {
    const d = this.drafts.get(name);
    return typeof d === 'string' ? d : value;
  }

  private async saveForm(ev: Event): Promise<void> {
    ev.preventDefault();
    const loaded = this.loaded!;
    const form = this.readForm();
    this.form = form;
    const yours = configFromForm(loaded.config, form);
    const patch = patchFromForm(loaded.config, form);
    if (!patch) {
      this.outcome = { kind: 'invalid', message: 'Nothing changed: there is nothing to save.' };
      return;
    }
    await this.send(patch, yours, false);
  }

  private async saveRaw(ev: Event): Promise<void> {
    ev.preventDefault();
    const loaded = this.loaded!;
    const r = patchFromRaw(loaded.config, this.q<HTMLTextAreaElement>('textarea.raw')?.value ?? '');
    if (!r.ok) {
      this.issues = new Map([['raw', [{ path: '', message: r.message }]]]);
      return;
    }
    if (!r.patch) {
      this.outcome = { kind: 'invalid', message: 'Nothing changed: there is nothing to save.' };
      return;
    }
    await this.send(r.patch, r.config, false);
  }

  private async send(patch: Obj, yours: Obj, confirm: boolean): Promise<void> {
    const loaded = this.loaded!;
    this.busy = true;
    try {
      const r = await this.host.client.request<Saved>('config.patch', { baseHash: loaded.hash, patch, ...(confirm && { confirm: true }) });
      if (r.ok) {
        await this.load();
        this.outcome = { kind: 'saved', saved: r.payload };
        return;
      }
      const reason = r.error.reason;
      this.issues = new Map();
      if (reason === 'config_invalid') {
        const issues = issuesOf(r.error.details);
        this.issues = issuesByField(issues);
        if (this.mode === 'raw') this.issues.set('raw', issues);
        this.outcome = { kind: 'invalid', message: REASONS.config_invalid.message };
      } else if (reason === 'config_conflict') {
        const now = await this.host.client.request<Loaded>('config.get');
        if (!now.ok) this.outcome = { kind: 'error', error: now.error };
        else this.outcome = { kind: 'conflict', rows: conflictRows(patch, hideTypedKeys(yours), now.payload.config), fileNow: now.payload, yoursText: JSON.stringify(hideTypedKeys(yours), null, 2) };
      } else if (reason === 'config_locks_you_out') {
        const why = (r.error.details as { why?: unknown } | undefined)?.why;
        this.outcome = { kind: 'lockout', why: typeof why === 'string' ? why : r.error.message, patch, yours };
      } else {
        this.outcome = { kind: 'error', error: r.error };
      }
    } finally {
      this.busy = false;
    }
  }

  private issueList(field: string): TemplateResult | typeof nothing {
    const list = this.issues.get(field);
    if (!list?.length) return nothing;
    return html`<ul class="issues" data-for=${field}>${list.map((i) => html`<li><code>${i.path || '(file)'}</code>: ${i.message}${i.fix ? html` <span class="fix">(fix: ${i.fix})</span>` : nothing}</li>`)}</ul>`;
  }

  private listField(name: string, label: string, hint: string, value: readonly string[]) {
    return html`<label>${label} <span class="hint">${hint}</span>
        <textarea name=${name} spellcheck="false" .value=${live(this.v(name, value.join('\n')))}></textarea></label>${this.issueList(name)}`;
  }

  private outcomePanel(): TemplateResult | typeof nothing {
    const o = this.outcome;
    if (!o) return nothing;
    switch (o.kind) {
      case 'saved': {
        const s = o.saved;
        const r = s.reload;
        return html`<section class="panel saved" role="status" data-outcome="saved">
          <h2>${s.written ? 'Saved' : 'Nothing to save'}</h2>
          ${s.written ? html`<p>Changed: ${s.changedPaths.map((p) => html`<code>${p}</code> `)}</p>` : nothing}
          ${r?.status === 'applied' ? html`<p>In force now (generation ${r.generation}): ${r.sessionsClosed ?? 0} session(s) closed, ${r.sessionsUpdated ?? 0} with new scopes.</p>` : nothing}
          ${r?.status === 'rejected' ? html`<p>The file was written, but the gateway kept the configuration in force: ${(r.issues ?? []).map((i) => html`<code>${i.path}</code>: ${i.message}. `)}</p>` : nothing}
          ${s.pendingRestart.length ? html`<p class="pending">Waiting for a restart: ${s.pendingRestart.join(', ')}.</p>` : nothing}
          ${s.backup ? html`<p>The file was rewritten as JSON; the previous file is kept as <code>${s.backup}</code>.</p>` : nothing}
          ${s.lockout ? html`<p>You confirmed a change that refuses you: ${s.lockout}.</p>` : nothing}
          ${s.written && !s.journaled ? html`<p class="journal-warning">The change is applied, but the journal did not record it (the gateway log has the details).</p>` : nothing}
        </section>`;
      }
      case 'invalid':
        return html`<section class="panel invalid" role="alert" data-outcome="invalid"><p>${o.message}</p>${this.issueList('other')}</section>`;
      case 'conflict':
        return html`<section class="panel conflict" role="alert" data-outcome="conflict" data-reason="config_conflict">
          <h2>The file changed since you loaded it: <span class="code">config_conflict</span></h2>
          ${reasonText('config_conflict')}
          <table class="versions">
            <thead><tr><th>Setting</th><th>Yours</th><th>The file now</th></tr></thead>
            <tbody>${o.rows.map((r) => html`<tr data-path=${r.path}><td><code>${r.path}</code></td><td class="yours"><code>${shown(r.yours)}</code></td><td class="file"><code>${shown(r.file)}</code></td></tr>`)}</tbody>
          </table>
          <details><summary>Both files in full</summary>
            <h3>Yours</h3><pre class="yours-text">${o.yoursText}</pre>
            <h3>The file now</h3><pre class="file-text">${o.fileNow.text}</pre>
          </details>
          <div class="actions"><button type="button" class="reload" @click=${() => void this.load()}>Load the file as it is now</button></div>
          <p class="small muted">Your changes are not lost until you load: note them, load the current file, and make them again.</p>
        </section>`;
      case 'lockout':
        return html`<section class="panel lockout" role="alert" data-outcome="lockout" data-reason="config_locks_you_out">
          <h2>This change would lock you out: <span class="code">config_locks_you_out</span></h2>
          <p class="why">${o.why}.</p>
          ${reasonText('config_locks_you_out')}
          <div class="actions">
            <button type="button" class="secondary" @click=${() => (this.outcome = undefined)}>Change it</button>
            <button type="button" class="confirm" @click=${() => void this.send(o.patch, o.yours, true)}>Save anyway, I mean it</button>
          </div>
        </section>`;
      case 'error':
        return html`<section class="panel invalid" role="alert" data-outcome="error" data-reason=${o.error.reason ?? o.error.code}>
          <p>The gateway refused the change: ${o.error.message}</p>
          ${o.error.reason && o.error.reason in REASONS ? reasonText(o.error.reason as keyof typeof REASONS) : nothing}
        </section>`;
    }
  }

  private formView(f: SettingsForm): TemplateResult {
    return html`<form class="settings" @input=${this.onInput} @submit=${(e: Event) => void this.saveForm(e)}>
      <fieldset><legend>Who may sign in (trusted proxy)</legend>
        ${this.listField('allowUsers', 'Allowed users', 'one per line; empty with no groups lets every signed-in user in', f.allowUsers)}
        ${this.listField('allowGroups', 'Allowed groups', 'one per line', f.allowGroups)}
        ${this.listField('trustedProxies', 'Trusted proxies', 'the proxy addresses or CIDR ranges, one per line', f.trustedProxies)}
      </fieldset>
      <fieldset data-for="rules"><legend>Authorization rules</legend>
        ${this.issueList('rules')}
        ${f.rules.map((r, i) => html`<fieldset class="rule" data-index=${i}><legend>Rule ${i + 1}</legend>
          ${this.listField(`rules.${i}.users`, 'Users', 'one per line', r.users)}
          ${this.listField(`rules.${i}.groups`, 'Groups', 'one per line', r.groups)}
          <div class="scopes" role="group" aria-label="Scopes">${SCOPES.map((s: Scope) => html`<label><input type="checkbox" name="rules.${i}.scopes" value=${s} .checked=${live((this.drafts.get(`rules.${i}.scopes=${s}`) as boolean | undefined) ?? r.scopes.includes(s))}>${s}</label>`)}</div>
          ${this.issueList(`rules.${i}`)}
          <div class="actions"><button type="button" class="secondary" @click=${() => this.reshape((x) => ({ ...x, rules: x.rules.filter((_, j) => j !== i) }))}>Remove rule ${i + 1}</button></div>
        </fieldset>`)}
        <div class="actions"><button type="button" class="secondary" @click=${() => this.reshape((x) => ({ ...x, rules: [...x.rules, { users: [], groups: [], scopes: ['operator.read'] }] }))}>Add a rule</button></div>
      </fieldset>
      <fieldset data-for="providers"><legend>Model providers</legend>
        ${this.issueList('providers')}
        ${f.providers.map((p, i) => html`<fieldset class="provider" data-name=${p.name}><legend>${p.name || 'New provider'}</legend>
          <label>Name <input name="providers.${i}.name" .value=${live(this.v(`providers.${i}.name`, p.name))} spellcheck="false"></label>
          <label>Base URL <input name="providers.${i}.baseUrl" .value=${live(this.v(`providers.${i}.baseUrl`, p.baseUrl))} spellcheck="false"></label>
          <label>API key <span class="hint">${p.storedKey === SECRET_PLACEHOLDER ? 'a key is stored (hidden); leave empty to keep it' : p.storedKey && typeof p.storedKey === 'object' ? `read from the environment variable ${(p.storedKey as { env?: string }).env}; leave empty to keep it` : 'none; leave empty for a server that needs none'}; type env:NAME to read it from an environment variable</span>
            <input name="providers.${i}.key" type="password" autocomplete="off" .value=${live(this.v(`providers.${i}.key`, p.newKey))}></label>
          ${this.listField(`providers.${i}.models`, 'Models', 'one per line', p.models)}
          ${this.issueList(`providers.${p.name}`)}
          <div class="actions"><button type="button" class="secondary" @click=${() => this.reshape((x) => ({ ...x, providers: x.providers.filter((_, j) => j !== i) }))}>Remove ${p.name || 'provider'}</button></div>
        </fieldset>`)}
        <label>Default model <span class="hint">provider/model</span><input name="defaultModel" .value=${live(this.v('defaultModel', f.defaultModel))} spellcheck="false"></label>
        ${this.issueList('defaultModel')}
        <div class="actions"><button type="button" class="secondary" @click=${() => this.reshape((x) => ({ ...x, providers: [...x.providers, { name: '', baseUrl: '', storedKey: undefined, newKey: '', models: [] }] }))}>Add a provider</button></div>
      </fieldset>
      <div class="actions"><button type="submit" class="save" ?disabled=${this.busy}>Save</button></div>
    </form>`;
  }

  private rawView(l: Loaded): TemplateResult {
    return html`<form class="settings raw" @input=${this.onInput} @submit=${(e: Event) => void this.saveRaw(e)}>
      <p class="small muted">The file as JSON5, every secret shown as <code>${SECRET_PLACEHOLDER}</code> (leave it to keep the secret).
        Saved as a change to the file: comments added here are not kept${l.textExact ? '' : '; the file\'s own layout could not be shown'}.</p>
      <textarea class="raw" name="raw" spellcheck="false" .value=${live(this.v('raw', l.text))}></textarea>
      ${this.issueList('raw')}
      <div class="actions"><button type="submit" class="save" ?disabled=${this.busy}>Save</button></div>
    </form>`;
  }

  override render() {
    if (this.loadError) return html`<section class="panel invalid" role="alert"><p>${this.loadError}</p><div class="actions"><button type="button" @click=${() => void this.load()}>Try again</button></div></section>`;
    const l = this.loaded;
    const f = this.form;
    if (!l || !f) return html`<p class="muted">Loading the config…</p>`;
    return html`<section class="card settings-view" aria-labelledby="settings-h" data-hash=${l.hash}>
      <h2 id="settings-h">Settings <span class="count"><code>${l.path}</code></span></h2>
      ${l.format === 'json5'
        ? html`<section class="panel note json5" role="note"><p>This file uses JSON5-only syntax (unquoted keys, single quotes, ...), which cannot be edited in place. Saving rewrites it as plain JSON and keeps the previous file, with its comments, as <code>${l.path}.bak</code>.</p></section>`
        : nothing}
      ${l.pendingRestart.length ? html`<p class="pending">Waiting for a restart: ${l.pendingRestart.join(', ')}.</p>` : nothing}
      ${this.outcomePanel()}
      <div class="modes" role="group" aria-label="View">
        <button type="button" class=${this.mode === 'form' ? '' : 'secondary'} data-mode="form" @click=${() => (this.mode = 'form')}>Form</button>
        <button type="button" class=${this.mode === 'raw' ? '' : 'secondary'} data-mode="raw" @click=${() => (this.mode = 'raw')}>Raw JSON5</button>
      </div>
      ${this.mode === 'form' ? this.formView(f) : this.rawView(l)}
    </section>`;
  }
}

customElements.define('mayros-settings', MayrosSettings);
