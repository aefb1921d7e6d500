/**
 * The Host check, a defence against DNS rebinding: a page on `attacker.example` whose name is
 * made to resolve to 127.0.0.1 reaches a loopback gateway as the same origin as itself, so the
 * browser lets it read answers and open the WebSocket; only the Host header still says
 * `attacker.example`. On a loopback bind the gateway therefore serves only loopback names
 * (localhost, *.localhost, 127.0.0.0/8, [::1]) and the names in `gateway.allowedHosts`; on other
 * binds it checks only when `allowedHosts` is set (and then serves loopback names too, so tools on
 * the gateway host keep working).
 *
 * Compiled once per configuration generation; answers are remembered per Host value (a gateway
 * sees few), so a request costs one map probe.
 */
import { isLoopbackBind, type ValidatedConfig } from '../config/validate.js';
import { canonicalHost, isLoopbackName } from '../net/host-name.js';
import { onlyOf } from './header-values.js';

/** Most Host values one check remembers before starting over (bounded memory under a spray). */
const MEMO_LIMIT = 256;
/** Longer values are answered but not remembered. */
const MEMO_MAX_TEXT = 300;

export class HostCheck {
  private readonly memo = new Map<string, boolean>();

  /**
   * `enforced` false: every Host is served (a non-loopback bind without allowedHosts). Otherwise
   * loopback names and `allowed` are. Loopback names are always safe to serve: a rebinding page
   * forges its own name, and a page that really is on localhost is the gateway's own origin.
   */
  constructor(
    readonly enforced: boolean,
    private readonly allowed: ReadonlySet<string>,
  ) {}

  /**
   * Whether a request with these Host values is served. No Host at all is not a browser (every
   * browser sends one), so it is served; a Host sent twice is not.
   */
  allows(values: string | readonly string[] | undefined): boolean {
    if (!this.enforced || values === undefined) return true;
    const host = onlyOf(values);
    if (host === undefined) return false;
    if (host.length > MEMO_MAX_TEXT) return this.decide(host);
    const known = this.memo.get(host);
    if (known !== undefined) return known;
    const answer = this.decide(host);
    if (this.memo.size >= MEMO_LIMIT) this.memo.clear();
    this.memo.set(host, answer);
    return answer;
  }

  private decide(value: string): boolean {
    const c = canonicalHost(value);
    if (!c) return false;
    return this.allowed.has(c.host) || isLoopbackName(c.host);
  }
}

/** The Host check a configuration asks for (entries that are not host names are left out: startup refuses them). */
export function compileHostCheck({ config, checks }: ValidatedConfig): HostCheck {
  const allowed = new Set(checks.allowedHosts);
  return new HostCheck(isLoopbackBind(config) || allowed.size > 0, allowed);
}

/** The Host value(s) for a log line, bounded (the client chose it). */
export function shownHost(host: string | readonly string[] | undefined): string {
  const text = host === undefined ? '(none)' : typeof host === 'string' ? host : host.join(' | ');
  return text.length > 120 ? `${text.slice(0, 120)}...` : text;
}
