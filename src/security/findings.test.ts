import { describe, expect, it } from 'vitest';
import { ALL_CHECK_IDS, CHECKS, atLeast, finding, sortFindings, summarize, toReport, type Finding } from './findings.js';

const f = (checkId: Finding['checkId'], severity: Finding['severity']): Finding => ({ checkId, severity, title: checkId, detail: 'd', remediation: 'r' });

describe('findings', () => {
  it('sorts most severe first and keeps the check order within a severity', () => {
    const list = [f('gateway.real_ip_fallback', 'warn'), f('gateway.config_not_found', 'info'), f('gateway.auth_none', 'critical'), f('gateway.auth_token_short', 'warn'), f('gateway.trusted_proxy_mode', 'critical')];
    expect(sortFindings(list).map((x) => x.checkId)).toEqual([
      'gateway.auth_none',
      'gateway.trusted_proxy_mode',
      'gateway.real_ip_fallback',
      'gateway.auth_token_short',
      'gateway.config_not_found',
    ]);
  });

  it('counts by severity', () => {
    expect(summarize([f('gateway.auth_none', 'critical'), f('gateway.real_ip_fallback', 'warn'), f('gateway.auth_token_short', 'warn')])).toEqual({ critical: 1, warn: 2, info: 0 });
  });

  it('builds the documented report shape and nothing more', () => {
    const extra = { ...f('gateway.auth_none', 'warn'), internal: 'x' } as Finding;
    const r = toReport([f('gateway.config_not_found', 'info'), extra]);
    expect(Object.keys(r)).toEqual(['summary', 'findings']);
    expect(r.findings.map((x) => Object.keys(x))).toEqual([
      ['checkId', 'severity', 'title', 'detail', 'remediation'],
      ['checkId', 'severity', 'title', 'detail', 'remediation'],
    ]);
    expect(r.findings[0]!.checkId).toBe('gateway.auth_none');
    expect(r.summary).toEqual({ critical: 0, warn: 1, info: 1 });
  });

  it.each([
    ['critical', 'critical', true],
    ['critical', 'warn', true],
    ['warn', 'warn', true],
    ['warn', 'critical', false],
    ['info', 'warn', false],
    ['info', 'critical', false],
  ] as const)('%s is at least %s: %s', (s, t, want) => {
    expect(atLeast(s, t)).toBe(want);
  });

  it('refuses a severity the catalogue does not list for the id', () => {
    expect(() => finding('gateway.trusted_proxy_mode', 'warn', 't', 'd', 'r')).toThrow(/cannot have severity warn/);
    expect(finding('gateway.auth_none', 'warn', 't', 'd', 'r').severity).toBe('warn');
  });

  it('keeps every id in the gateway. namespace, snake_case', () => {
    for (const id of ALL_CHECK_IDS) {
      expect(id).toMatch(/^gateway\.[a-z][a-z0-9_]*$/);
      expect(CHECKS[id].length).toBeGreaterThan(0);
    }
  });
});
