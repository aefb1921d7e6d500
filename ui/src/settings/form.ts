/**
 * The Settings view's form: the common fields read out of the config file as `config.get` answers
 * it (secrets already replaced by the placeholder), and the RFC 7396 merge patch that turns the
 * file into what the form shows. Only what the form changed is in the patch: a key the form leaves
 * alone (a stored provider key among them) is never sent back.
 */
import jsonMergePatch from 'json-merge-patch';
import type { Scope } from '../protocol.js';

/** What config.get shows in place of a secret set in the file; sent back, it keeps the secret. */
export const SECRET_PLACEHOLDER = '__mayros_secret__';

export interface RuleForm {
  users: string[];
  groups: string[];
  scopes: Scope[];
}

export interface ProviderForm {
  /** The provider's name as written (its key under models.providers). */
  name: string;
  baseUrl: string;
  /** The key as the file has it: the placeholder (set, hidden), `{ env }`, or absent. */
  storedKey: unknown;
  /** What the admin typed: empty keeps `storedKey`; `env:NAME` reads it from that variable; anything else is the new key. */
  newKey: string;
  models: string[];
}

export interface SettingsForm {
  allowUsers: string[];
  allowGroups: string[];
  trustedProxies: string[];
  rules: RuleForm[];
  providers: ProviderForm[];
  /** models.default: `provider/model`. */
  defaultModel: string;
}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const obj = (v: unknown): Obj => (isObj(v) ? v : {});
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** One entry per non-empty line, trimmed (how the form's list fields are read). */
export function parseList(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

/** The form's fields as the file (parsed, secrets masked) has them. */
export function formFromConfig(config: Obj): SettingsForm {
  const gateway = obj(config['gateway']);
  const tp = obj(obj(gateway['auth'])['trustedProxy']);
  const authz = obj(gateway['authorization']);
  const models = obj(config['models']);
  return {
    allowUsers: strings(tp['allowUsers']),
    allowGroups: strings(tp['allowGroups']),
    trustedProxies: strings(gateway['trustedProxies']),
    rules: (Array.isArray(authz['rules']) ? authz['rules'] : []).map((r) => ({ users: strings(obj(r)['users']), groups: strings(obj(r)['groups']), scopes: strings(obj(r)['scopes']) as Scope[] })),
    providers: Object.entries(obj(models['providers'])).map(([name, p]) => ({
      name,
      baseUrl: typeof obj(p)['baseUrl'] === 'string' ? (obj(p)['baseUrl'] as string) : '',
      storedKey: obj(p)['apiKey'],
      newKey: '',
      models: strings(obj(p)['models']),
    })),
    defaultModel: typeof models['default'] === 'string' ? models['default'] : '',
  };
}

/** Sets `value` at `keys` in `root`, creating objects on the way; undefined removes the key. */
function setAt(root: Obj, keys: readonly string[], value: unknown): void {
  let cur = root;
  for (const k of keys.slice(0, -1)) {
    if (!isObj(cur[k])) cur[k] = {};
    cur = cur[k] as Obj;
  }
  const last = keys[keys.length - 1]!;
  if (value === undefined) delete cur[last];
  else cur[last] = value;
}

function getAt(root: unknown, keys: readonly string[]): unknown {
  let cur = root;
  for (const k of keys) cur = isObj(cur) ? cur[k] : undefined;
  return cur;
}

/** A list the file does not have and the form leaves empty stays out of the file. */
function list(root: Obj, keys: readonly string[], value: readonly unknown[]): void {
  if (value.length === 0 && getAt(root, keys) === undefined) return;
  setAt(root, keys, [...value]);
}

/** The key a provider is saved with. */
export function keyOf(p: ProviderForm): unknown {
  const typed = p.newKey.trim();
  if (typed === '') return p.storedKey;
  const env = /^env:([A-Za-z_][A-Za-z0-9_]*)$/.exec(typed);
  return env ? { env: env[1] } : typed;
}

/** The whole file as the form would have it (the parts the form does not show are kept as they are). */
export function configFromForm(original: Obj, form: SettingsForm): Obj {
  const next = structuredClone(original);
  list(next, ['gateway', 'auth', 'trustedProxy', 'allowUsers'], form.allowUsers);
  list(next, ['gateway', 'auth', 'trustedProxy', 'allowGroups'], form.allowGroups);
  list(next, ['gateway', 'trustedProxies'], form.trustedProxies);
  const rules = form.rules.map((r) => ({ ...(r.users.length && { users: r.users }), ...(r.groups.length && { groups: r.groups }), scopes: r.scopes }));
  list(next, ['gateway', 'authorization', 'rules'], rules);
  const before = obj(getAt(original, ['models', 'providers']));
  if (form.providers.length || getAt(original, ['models', 'providers']) !== undefined) {
    const providers: Obj = {};
    for (const p of form.providers) {
      const was = obj(before[p.name]);
      const key = keyOf(p);
      // Keys the form does not show are kept; baseUrl, apiKey and models are the form's.
      providers[p.name] = { ...was, baseUrl: p.baseUrl, models: p.models, ...(key !== undefined ? { apiKey: key } : {}) };
      if (key === undefined) delete (providers[p.name] as Obj)['apiKey'];
    }
    setAt(next, ['models', 'providers'], providers);
  }
  if (form.defaultModel.trim() !== '' || getAt(original, ['models', 'default']) !== undefined) setAt(next, ['models', 'default'], form.defaultModel.trim() || undefined);
  return next;
}

/** The merge patch from `original` to `next` (undefined when they are the same). */
export function mergePatch(original: Obj, next: Obj): Obj | undefined {
  const patch = jsonMergePatch.generate(original, next) as Obj | undefined;
  return patch && Object.keys(patch).length ? patch : undefined;
}

/** The patch the form's state makes of the file. */
export function patchFromForm(original: Obj, form: SettingsForm): Obj | undefined {
  return mergePatch(original, configFromForm(original, form));
}

/** The dotted paths a merge patch sets or removes (arrays and secrets as a whole). */
export function patchPaths(patch: unknown, prefix = ''): string[] {
  if (!isObj(patch)) return prefix ? [prefix] : [];
  return Object.entries(patch).flatMap(([k, v]) => {
    const path = prefix ? `${prefix}.${k}` : k;
    return isObj(v) && Object.keys(v).length ? patchPaths(v, path) : [path];
  });
}

/** `config` with every key the admin typed (not yet stored) shown as hidden, for showing it back on screen. */
export function hideTypedKeys(config: Obj): Obj {
  const out = structuredClone(config);
  for (const p of Object.values(obj(obj(out['models'])['providers']))) {
    if (isObj(p) && typeof p['apiKey'] === 'string' && p['apiKey'] !== SECRET_PLACEHOLDER) p['apiKey'] = '(your new key, hidden)';
  }
  return out;
}
