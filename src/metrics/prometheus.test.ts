import { describe, expect, it } from 'vitest';
import { conventionProblems, parsePromText, sampleValue } from '../../test/support/prom-text.js';
import { PromMetrics } from './prometheus.js';
import { NO_METRICS } from './seam.js';

async function scrape(m: PromMetrics) {
  const { contentType, body } = await m.scrape();
  expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePromText(body);
}

describe('PromMetrics', () => {
  it('exposes every family, named by the conventions, before anything happened', async () => {
    let open = 0;
    const f = await scrape(new PromMetrics({ openSessions: () => open, version: '9.9.9' }));
    expect([...f.keys()].sort()).toEqual([
      'mayros_auth_decisions_total',
      'mayros_build_info',
      'mayros_chat_runs_total',
      'mayros_config_reloads_total',
      'mayros_journal_entries_total',
      'mayros_provider_request_duration_seconds',
      'mayros_sessions_open',
    ]);
    expect(conventionProblems(f, 'mayros_')).toEqual([]);
    expect(sampleValue(f, 'mayros_build_info', { version: '9.9.9' })).toBe(1);
    expect(sampleValue(f, 'mayros_config_reloads_total', { result: 'rejected' })).toBe(0);
    open = 0;
  });

  it('counts auth decisions by mode, result and reason', async () => {
    const m = new PromMetrics({ openSessions: () => 0, version: 'v' });
    m.authDecision('trusted-proxy', null);
    m.authDecision('trusted-proxy', null);
    m.authDecision('trusted-proxy', 'trusted_proxy_user_not_allowed');
    m.authDecision('token', 'token_mismatch');
    const f = await scrape(m);
    expect(sampleValue(f, 'mayros_auth_decisions_total', { mode: 'trusted-proxy', result: 'admitted', reason: '' })).toBe(2);
    expect(sampleValue(f, 'mayros_auth_decisions_total', { mode: 'trusted-proxy', result: 'refused', reason: 'trusted_proxy_user_not_allowed' })).toBe(1);
    expect(sampleValue(f, 'mayros_auth_decisions_total', { mode: 'token', result: 'refused', reason: 'token_mismatch' })).toBe(1);
    m.authDecision('token', 'token_mismatch');
    expect(sampleValue(await scrape(m), 'mayros_auth_decisions_total', { mode: 'token', reason: 'token_mismatch' })).toBe(2);
  });

  it('reads open sessions at each scrape', async () => {
    let open = 3;
    const m = new PromMetrics({ openSessions: () => open, version: 'v' });
    expect(sampleValue(await scrape(m), 'mayros_sessions_open')).toBe(3);
    open = 1;
    expect(sampleValue(await scrape(m), 'mayros_sessions_open')).toBe(1);
  });

  it('counts reloads, journal entries and chat runs, and times provider requests in seconds', async () => {
    const m = new PromMetrics({ openSessions: () => 0, version: 'v' });
    m.reload('applied');
    m.reload('rejected');
    m.reload('rejected');
    m.journalEntries('config.patch');
    m.journalEntries('auth.refuse.aggregate', 3);
    m.chatRun('completed');
    m.chatRun('failed');
    m.chatRun('completed');
    m.providerRequest('openai', 0.2, 'ok');
    m.providerRequest('openai', 3, 'ok');
    m.providerRequest('local', 0.05, 'error');
    m.providerRequest('openai', Number.NaN, 'ok');
    const f = await scrape(m);
    expect(sampleValue(f, 'mayros_config_reloads_total', { result: 'applied' })).toBe(1);
    expect(sampleValue(f, 'mayros_config_reloads_total', { result: 'rejected' })).toBe(2);
    expect(sampleValue(f, 'mayros_journal_entries_total', { kind: 'config.patch' })).toBe(1);
    expect(sampleValue(f, 'mayros_journal_entries_total', { kind: 'auth.refuse.aggregate' })).toBe(3);
    expect(sampleValue(f, 'mayros_chat_runs_total', { state: 'completed' })).toBe(2);
    expect(sampleValue(f, 'mayros_chat_runs_total', { state: 'failed' })).toBe(1);
    expect(sampleValue(f, 'mayros_provider_request_duration_seconds_count', { provider: 'openai', outcome: 'ok' })).toBe(2);
    expect(sampleValue(f, 'mayros_provider_request_duration_seconds_bucket', { provider: 'openai', outcome: 'ok', le: '0.25' })).toBe(1);
    expect(sampleValue(f, 'mayros_provider_request_duration_seconds_bucket', { provider: 'openai', outcome: 'ok', le: '5' })).toBe(2);
    expect(sampleValue(f, 'mayros_provider_request_duration_seconds_sum', { provider: 'openai', outcome: 'ok' })).toBeCloseTo(3.2);
    expect(sampleValue(f, 'mayros_provider_request_duration_seconds_count', { provider: 'local', outcome: 'error' })).toBe(1);
    expect(conventionProblems(f, 'mayros_')).toEqual([]);
  });

  it('bounds label values that come from outside: 20 chat states, then "other"; odd text is "other"', async () => {
    const m = new PromMetrics({ openSessions: () => 0, version: 'v' });
    for (let i = 0; i < 30; i++) m.chatRun(`state_${i}`);
    m.chatRun('has space');
    const f = await scrape(m);
    const states = f.get('mayros_chat_runs_total')!.samples.map((s) => s.labels.state);
    expect(states).toHaveLength(21);
    expect(sampleValue(f, 'mayros_chat_runs_total', { state: 'other' })).toBe(11);
  });

  it('two gateways in one process keep separate registries', async () => {
    const a = new PromMetrics({ openSessions: () => 0, version: 'v' });
    const b = new PromMetrics({ openSessions: () => 0, version: 'v' });
    a.reload('applied');
    expect(sampleValue(await scrape(b), 'mayros_config_reloads_total', { result: 'applied' })).toBe(0);
  });
});

describe('NO_METRICS', () => {
  it('is disabled and takes every call', () => {
    expect(NO_METRICS.enabled).toBe(false);
    NO_METRICS.authDecision('token', null);
    NO_METRICS.reload('applied');
    NO_METRICS.journalEntries('x');
    NO_METRICS.chatRun('completed');
    NO_METRICS.providerRequest('p', 1, 'ok');
  });
});
