import { describe, expect, it } from 'vitest';
import { parseConfigObject } from '../config/parse.js';
import { resolvedConfig } from '../config/load.js';
import { auditConfig } from '../security/audit.js';
import { toReport } from '../security/findings.js';
import { explainRequest } from '../explain/explain.js';
import { renderAuditText } from './security.js';
import { renderExplanation } from './auth.js';
import { createStyle } from './style.js';

const ANSI = /\u001b\[/;
const config = parseConfigObject({
  gateway: { bind: 'lan', trustedProxies: ['10.0.0.0/8'], auth: { mode: 'trusted-proxy', trustedProxy: { userHeader: 'x-forwarded-user' } } },
});
const report = toReport(auditConfig(config, { sources: new Map() }));
const resolved = resolvedConfig({ file: '/etc/m.json', fileFound: true, stateDir: '/tmp/x', config, sources: new Map() });

describe('renderAuditText', () => {
  it('prints every finding with its severity label, id, found and fix; no ANSI without colour', () => {
    const text = renderAuditText(report, '/etc/m.json', createStyle(false));
    expect(text).not.toMatch(ANSI);
    expect(text).toContain('Security audit of /etc/m.json');
    expect(text).toContain(`${report.summary.critical} critical, ${report.summary.warn} warn, ${report.summary.info} info`);
    for (const f of report.findings) {
      expect(text).toContain(f.checkId);
      expect(text).toContain(`Fix:   ${f.remediation}`);
    }
    expect(text).toMatch(/^CRITICAL {2}gateway\.trusted_proxy_mode$/m);
    expect(text).toMatch(/^WARN {6}gateway\.trusted_proxies_broad$/m);
  });

  it('colours only when asked, and then reads the same once the codes are stripped', () => {
    const plain = renderAuditText(report, '/etc/m.json', createStyle(false));
    const coloured = renderAuditText(report, '/etc/m.json', createStyle(true));
    expect(coloured).toMatch(ANSI);
    // eslint-disable-next-line no-control-regex
    expect(coloured.replace(/\u001b\[\d+m/g, '')).toBe(plain);
  });

  it('says so when there are no findings', () => {
    expect(renderAuditText({ summary: { critical: 0, warn: 0, info: 0 }, findings: [] }, 'x', createStyle(false))).toContain('No findings.');
  });
});

describe('renderExplanation', () => {
  it('prints each step with a plain-text mark, the outcome, the status and close code', () => {
    const e = explainRequest(resolved, { from: '10.1.2.3', headers: ['X-Forwarded-User: a, b'], bearer: 'SECRET-bearer-value' });
    const text = renderExplanation(e, createStyle(false));
    expect(text).not.toMatch(ANSI);
    expect(text).toMatch(/\[pass\] source +peer 10\.1\.2\.3 matches trustedProxies entry "10\.0\.0\.0\/8"/);
    expect(text).toMatch(/\[FAIL\] identity +x-forwarded-user holds a comma-separated list/);
    expect(text).toMatch(/\[skip\] allowlist/);
    expect(text).toContain('Outcome: REFUSED trusted_proxy_user_ambiguous');
    expect(text).toContain('HTTP:      401 (unauthorized)');
    expect(text).toContain('WebSocket: closed right after the upgrade with 1008 "trusted_proxy_user_ambiguous"');
    expect(text).toContain('Docs:      docs/troubleshooting.md#trusted_proxy_user_ambiguous');
    expect(text).toContain('bearer credential: presented (hidden)');
    expect(text).not.toContain('SECRET-bearer-value');
  });

  it('warns when the gateway would refuse to start, and still explains', () => {
    // Loopback bind with only a LAN proxy listed: the gateway refuses to start.
    const refused = resolvedConfig({ ...resolved, config: parseConfigObject({ gateway: { ...config.gateway, bind: 'loopback' } }) });
    const e = explainRequest(refused, { from: '10.1.2.3', headers: ['X-Forwarded-User: nick'] });
    const text = renderExplanation(e, createStyle(false));
    expect(text).toContain('the gateway would refuse to start with this config');
    expect(text).toContain('  gateway.trustedProxies: gateway.bind is "loopback"');
    expect(text).toContain('Outcome: ADMITTED as "nick" (method trusted-proxy)');
    expect(text).toContain('WebSocket: the session opens (hello-ok)');
  });

  it('lists the scopes of an admitted identity with the source of each', () => {
    const scoped = { ...resolved, config: parseConfigObject({ gateway: { ...config.gateway, authorization: { defaultScopes: ['operator.read'], rules: [{ users: ['nick'], scopes: ['operator.write'] }] } } }) };
    const text = renderExplanation(explainRequest(scoped, { from: '10.1.2.3', headers: ['X-Forwarded-User: nick'] }), createStyle(false));
    expect(text).toContain('  Scopes:    operator.read, operator.write');
    expect(text).toContain('    operator.read   from gateway.authorization.defaultScopes; gateway.authorization.rules[0] (user "nick", via operator.write)');
    expect(text).toContain('    operator.write  from gateway.authorization.rules[0] (user "nick")');
    const byMode = renderExplanation(explainRequest(resolved, { from: '10.1.2.3', headers: ['X-Forwarded-User: nick'] }), createStyle(false));
    expect(byMode).toContain('    operator.read   from the trusted-proxy mode default');
    const none = { ...resolved, config: parseConfigObject({ gateway: { ...config.gateway, authorization: { defaultScopes: [] } } }) };
    expect(renderExplanation(explainRequest(none, { from: '10.1.2.3', headers: ['X-Forwarded-User: nick'] }), createStyle(false))).toContain('  Scopes:    none (admitted, may do nothing)');
  });
});
