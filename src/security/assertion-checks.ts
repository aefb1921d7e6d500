/**
 * Checks of signed identity assertions (`gateway.auth.trustedProxy.assertion`).
 */
import type { Config } from '../config/schema.js';
import { mergePreset } from '../config/assertion.js';
import { keyUrlProblem } from '../config/key-url.js';
import { finding, type Finding } from './findings.js';

const quoteList = (items: readonly string[]) => items.map((s) => `"${s}"`).join(', ');

/** A preset suggested by the headers the proxy is configured to send, if one is recognisable. */
function likelyPreset(headers: readonly string[]): string | undefined {
  if (headers.some((h) => h.startsWith('x-pomerium-'))) return 'pomerium';
  if (headers.some((h) => h.startsWith('cf-access-'))) return 'cloudflare-access';
  if (headers.some((h) => h.startsWith('x-goog-'))) return 'google-iap';
  return undefined;
}

/** Trusted-proxy mode without a signed assertion, and assertions whose keys could be swapped in transit. */
export function checkAssertion(config: Config): Finding[] {
  const g = config.gateway;
  const tp = g.auth.trustedProxy;
  const proxyMode = g.auth.mode === 'trusted-proxy';
  const out: Finding[] = [];

  if (proxyMode && !tp.assertion) {
    const preset = likelyPreset([tp.userHeader ?? '', ...tp.requiredHeaders]);
    out.push(
      finding(
        'gateway.trusted_proxy_no_assertion',
        'info',
        'The proxy\'s signed identity assertion is not verified',
        `gateway.auth.trustedProxy.assertion is not set, so the identity in ${tp.userHeader ?? 'the identity header'} is believed on the strength of the source address alone. ` +
          'Pomerium, Cloudflare Access and Google IAP also send a signed JWT with every request; verifying it means a forged header from a trusted address (a shared pod network, a sidecar, a firewall hole) gets nothing.' +
          (preset ? ` Your headers look like ${preset}'s.` : ''),
        preset
          ? `Set gateway.auth.trustedProxy.assertion: { preset: "${preset}", ... } as shown in docs/signed-assertions.md.`
          : 'If your proxy signs what it asserts, set gateway.auth.trustedProxy.assertion (docs/signed-assertions.md has a setup for Pomerium, Cloudflare Access and Google IAP). Nothing to do if it does not.',
      ),
    );
  }

  // With an assertion too, the header is ignored and startup refuses the config (config_startup_refused says so).
  if (proxyMode && tp.groupsHeader && !tp.assertion) {
    const admits = tp.allowGroups.length > 0;
    // Groups named by gateway.authorization rules grant scopes (issue 14).
    const scoped = [...new Set((g.authorization?.rules ?? []).flatMap((r) => r.groups ?? []))];
    const smuggled = `a client whose own ${tp.groupsHeader} survives the trip through the proxy (a proxy that sets the header only when the sign-in answer carries groups, or never touches it)`;
    out.push(
      finding(
        'gateway.trusted_proxy_groups_unsigned',
        admits || scoped.length ? 'warn' : 'info',
        'Groups come from a plain header, not from a signed assertion',
        `gateway.auth.trustedProxy.groupsHeader is "${tp.groupsHeader}": the gateway believes whatever groups arrive in it from a trustedProxies address. ` +
          (admits
            ? `Membership in ${quoteList(tp.allowGroups)} (allowGroups) lets a user in, so ${smuggled} can claim a listed group and be admitted.`
            : scoped.length
              ? `allowGroups is empty, but gateway.authorization rules grant scopes to members of ${quoteList(scoped)}, so ${smuggled} can claim one of them and get its scopes.`
              : 'allowGroups is empty and no gateway.authorization rule names a group, so groups grant nothing today; they are still reported to clients, and once a group is listed, a client that gets its own copy of the header past the proxy is in it.'),
        `Make the proxy set ${tp.groupsHeader} on every request, and remove it when the sign-in answer has no groups (every recipe in examples/proxies/ does both; test it with a signed-in request that sends its own ${tp.groupsHeader}). ` +
          'Better, where the proxy signs what it asserts (Pomerium, Cloudflare Access, Google IAP): set gateway.auth.trustedProxy.assertion with a groupsClaim, and remove groupsHeader.',
      ),
    );
  }

  if (tp.assertion) {
    const url = mergePreset(tp.assertion).jwksUrl;
    if (url && !tp.assertion.jwksFile && url.startsWith('http:') && keyUrlProblem(url)) {
      out.push(
        finding(
          'gateway.trusted_proxy_assertion_key_url_insecure',
          'critical',
          'Assertion signing keys are fetched over plain http',
          `gateway.auth.trustedProxy.assertion.jwksUrl is "${url}": plain http to a host that is not loopback. Anyone on the network path can answer with their own keys and then sign any identity the gateway will accept, which defeats the signature. The gateway refuses to start this way.`,
          'Use the https URL the proxy publishes its keys at, or copy the key set to a local file and set jwksFile instead of jwksUrl.',
        ),
      );
    }
  }
  return out;
}
