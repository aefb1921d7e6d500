/**
 * A browser-less OpenID Connect login, as a person with a browser would do it: follow redirects,
 * keep cookies, and submit the identity provider's HTML forms (oidc-provider's development login
 * and consent pages). Every step is recorded, so a failed login says where it stopped.
 */
import { httpRequest, type HttpResult } from './http-client.js';

/** Cookies per host:port. Paths and expiry dates are ignored: a login takes seconds. */
export class CookieJar {
  private readonly byOrigin = new Map<string, Map<string, string>>();

  /** The Cookie header for a request to `url`, or undefined if there are none. */
  header(url: string): string | undefined {
    const jar = this.byOrigin.get(new URL(url).host);
    if (!jar || jar.size === 0) return undefined;
    return [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  /** Takes in a response's Set-Cookie headers. */
  absorb(url: string, setCookie: string | string[] | undefined): void {
    if (!setCookie) return;
    const host = new URL(url).host;
    const jar = this.byOrigin.get(host) ?? new Map<string, string>();
    this.byOrigin.set(host, jar);
    for (const line of Array.isArray(setCookie) ? setCookie : [setCookie]) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair!.indexOf('=');
      if (eq <= 0) continue;
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const expired = attrs.some((a) => /^\s*max-age\s*=\s*(0|-\d+)\s*$/i.test(a) || (/^\s*expires\s*=/i.test(a) && Date.parse(a.split('=')[1]!) < Date.now()));
      if (expired || value === '') jar.delete(name);
      else jar.set(name, value);
    }
  }
}

export interface LoginResult {
  jar: CookieJar;
  /** The last response: the protected page, served after the login. */
  response: HttpResult;
  /** "GET host/path -> status" for each step. */
  trail: string[];
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", '#x27': "'", '#x2F': '/', '#47': '/' };
const unescapeHtml = (s: string) => s.replace(/&(amp|lt|gt|quot|#39|#x27|#x2F|#47);/g, (_m, e: string) => ENTITIES[e]!);

function attr(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\b${name}\\s*=\\s*"([^"]*)"`, 'i').exec(tag);
  return m ? unescapeHtml(m[1]!) : undefined;
}

/** The first form of a page: its action and its fields, with login/password filled in. */
function fillForm(html: string, pageUrl: string, creds: { login: string; password: string }): { action: string; body: string } | undefined {
  const form = /<form\b[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  if (!form) return undefined;
  const action = new URL(attr(form[0].slice(0, form[0].indexOf('>') + 1), 'action') ?? pageUrl, pageUrl).href;
  const fields = new URLSearchParams();
  for (const input of form[1]!.match(/<input\b[^>]*>/gi) ?? []) {
    const name = attr(input, 'name');
    if (!name) continue;
    if (name === 'login') fields.set(name, creds.login);
    else if (name === 'password') fields.set(name, creds.password);
    else fields.set(name, attr(input, 'value') ?? '');
  }
  return { action, body: fields.toString() };
}

/**
 * Opens `startUrl` (behind the relying party) and signs in at the identity provider as `login`.
 * Resolves once a page on `startUrl`'s origin answers with a non-redirect after the login.
 */
export async function oidcBrowserLogin(startUrl: string, creds: { login: string; password: string }, maxSteps = 20): Promise<LoginResult> {
  const jar = new CookieJar();
  const trail: string[] = [];
  const home = new URL(startUrl).host;
  let url = startUrl;
  let method = 'GET';
  let body: string | undefined;
  let submittedForms = 0;
  for (let step = 0; step < maxSteps; step++) {
    const headers: Record<string, string> = { accept: 'text/html,application/xhtml+xml', 'user-agent': 'mayros-proxy-suite' };
    const cookie = jar.header(url);
    if (cookie) headers.cookie = cookie;
    if (body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    const res = await httpRequest(url, { method, headers, body });
    jar.absorb(url, res.headers['set-cookie']);
    const u = new URL(url);
    trail.push(`${method} ${u.host}${u.pathname} -> ${res.status}`);
    const location = res.headers.location;
    if (res.status >= 300 && res.status < 400 && typeof location === 'string') {
      url = new URL(location, url).href;
      method = 'GET';
      body = undefined;
      continue;
    }
    if (u.host === home && submittedForms > 0) return { jar, response: res, trail };
    const form = res.status === 200 ? fillForm(res.text, url, creds) : undefined;
    if (!form) throw new Error(`OIDC login stopped at ${method} ${url} (${res.status})\n${trail.join('\n')}\n${res.text.slice(0, 1000)}`);
    submittedForms++;
    url = form.action;
    method = 'POST';
    body = form.body;
  }
  throw new Error(`OIDC login did not finish in ${maxSteps} steps\n${trail.join('\n')}`);
}
