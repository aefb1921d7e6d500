import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_CHECK_IDS } from '../../src/security/findings.js';
import { runCli, runCommand } from '../support/cli.js';
import { writeConfig } from '../support/config-file.js';
import { cleanEnv } from '../support/env.js';
import { BIN } from '../support/paths.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';

const ANSI = /\u001b\[/;
const dir = makeTempDir('cli');
let risky: string;
let warnOnly: string;
let broken: string;
let badSchema: string;
const missing = join(dir, 'does-not-exist.json5');
/** No --config: the state directory holds no mayros.json, so defaults apply. */
const noFile = () => undefined;
const configArgs = (file: string | undefined) => (file === undefined ? [] : ['--config', file]);

beforeAll(() => {
  risky = writeConfig(
    dir,
    `{ gateway: { bind: "lan", trustedProxies: ["0.0.0.0/0", "127.0.0.1"],
       auth: { mode: "trusted-proxy", token: "SECRET-token-in-file-0123456789", trustedProxy: { userHeader: "x-forwarded-user" } } } }`,
    'risky.json5',
  );
  warnOnly = writeConfig(dir, '{ gateway: { allowRealIpFallback: true } }', 'warn.json5');
  broken = writeConfig(dir, '{ gateway: { port: 18789, ', 'broken.json5');
  badSchema = writeConfig(dir, '{ gateway: { auth: { mode: "tokn" } } }', 'schema.json5');
});
afterAll(() => removeTempDir(dir));

const env = (extra: Record<string, string> = {}) => cleanEnv({ MAYROS_GATEWAY_TOKEN: 'a-long-enough-token-from-the-environment', ...extra }, { minimal: true, stateDir: dir });

describe('mayros security audit --json', () => {
  it('prints exactly {"summary","findings"} and nothing else on stdout', async () => {
    const r = await runCli(['security', 'audit', '--config', risky, '--json'], env());
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(Object.keys(report)).toEqual(['summary', 'findings']);
    expect(Object.keys(report.summary)).toEqual(['critical', 'warn', 'info']);
    const findings = report.findings as Array<Record<string, unknown>>;
    expect(findings.length).toBeGreaterThan(3);
    for (const f of findings) {
      expect(Object.keys(f)).toEqual(['checkId', 'severity', 'title', 'detail', 'remediation']);
      expect(ALL_CHECK_IDS).toContain(f.checkId);
      for (const k of ['title', 'detail', 'remediation']) expect(typeof f[k]).toBe('string');
    }
    const count = (s: string) => findings.filter((f) => f.severity === s).length;
    expect(report.summary).toEqual({ critical: count('critical'), warn: count('warn'), info: count('info') });
    const rank = findings.map((f) => ['critical', 'warn', 'info'].indexOf(f.severity as string));
    expect(rank).toEqual([...rank].sort((a, b) => a - b));
    expect(findings.map((f) => f.checkId)).toEqual(expect.arrayContaining(['gateway.trusted_proxy_mode', 'gateway.trusted_proxies_any_address', 'gateway.auth_unused_secret']));
    expect(r.stdout).not.toContain('SECRET-token-in-file');
    expect(r.stdout).not.toContain('a-long-enough-token');
  });

  it('audits a config the gateway refuses to start with', async () => {
    const file = writeConfig(dir, '{ gateway: { auth: { mode: "trusted-proxy" } } }', 'refused.json5');
    const r = await runCli(['security', 'audit', '--config', file, '--json'], env());
    expect(r.code).toBe(0);
    const ids = JSON.parse(r.stdout).findings.map((f: { checkId: string }) => f.checkId);
    expect(ids).toEqual(expect.arrayContaining(['gateway.trusted_proxy_no_proxies', 'gateway.trusted_proxy_no_user_header', 'gateway.config_startup_refused']));
  });

  it.each([
    ['a syntax error', () => broken, /not valid JSON5 at line 1/],
    ['an unknown mode', () => badSchema, /gateway\.auth\.mode: must be one of/],
    ['a --config path that does not exist', () => missing, /--config: .*does-not-exist\.json5 does not exist/],
  ])('reports %s as the critical gateway.config_invalid finding', async (_name, file, text) => {
    const r = await runCli(['security', 'audit', '--config', file(), '--json'], env());
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.summary).toEqual({ critical: 1, warn: 0, info: 0 });
    expect(report.findings[0].checkId).toBe('gateway.config_invalid');
    expect(report.findings[0].detail).toMatch(text);
  });

  it('reads secrets from the environment like the gateway, never printing them', async () => {
    const r = await runCli(['security', 'audit', '--config', warnOnly, '--json'], env({ MAYROS_GATEWAY_TOKEN: 'SHORT-secret' }));
    const f = JSON.parse(r.stdout).findings.find((x: { checkId: string }) => x.checkId === 'gateway.auth_token_short');
    expect(f.detail).toContain('from MAYROS_GATEWAY_TOKEN');
    expect(r.stdout).not.toContain('SHORT-secret');
  });
});

describe('mayros security audit exit codes', () => {
  const cases = [
    ['critical findings, no --fail-on', () => risky, [], 0],
    ['critical findings, --fail-on critical', () => risky, ['--fail-on', 'critical'], 1],
    ['critical findings, --fail-on warn', () => risky, ['--fail-on', 'warn'], 1],
    ['warn findings only, --fail-on critical', () => warnOnly, ['--fail-on', 'critical'], 0],
    ['warn findings only, --fail-on warn', () => warnOnly, ['--fail-on', 'warn'], 1],
    ['info findings only, --fail-on warn', noFile, ['--fail-on', 'warn'], 0],
    ['unreadable config, no --fail-on', () => broken, [], 0],
    ['unreadable config, --fail-on critical', () => broken, ['--fail-on', 'critical'], 1],
  ] as const;
  // The exit code in each title (a printf placeholder would format the row's function instead).
  it.each(cases.map(([name, file, extra, code]) => [`${name} -> exit ${code}`, file, extra, code] as const))('%s', async (_name, file: () => string | undefined, extra, code) => {
    const r = await runCli(['security', 'audit', ...configArgs(file()), ...extra], env());
    expect(r.stderr).toBe('');
    expect(r.code).toBe(code);
  });

  it('rejects an unknown --fail-on severity, naming the choices', async () => {
    const r = await runCli(['security', 'audit', '--fail-on', 'high'], env());
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('expected one of: warn, critical');
  });

  it('the info-only case really has only info findings', async () => {
    const r = await runCli(['security', 'audit', '--json'], env());
    const report = JSON.parse(r.stdout);
    expect(report.summary).toEqual({ critical: 0, warn: 0, info: 1 });
    expect(report.findings[0].checkId).toBe('gateway.config_not_found');
  });
});

describe('mayros security audit text output', () => {
  it('has no ANSI codes when stdout is not a terminal', async () => {
    const r = await runCli(['security', 'audit', '--config', risky], env());
    expect(r.stdout).not.toMatch(ANSI);
    expect(r.stdout).toMatch(/^CRITICAL {2}gateway\.trusted_proxy_mode$/m);
    expect(r.stdout).toContain('Fix:');
  });

  // `script` gives the CLI a pseudo-terminal, so the colour decision is exercised for real.
  // Skipped only outside CI when util-linux is missing; under CI a missing `script` fails the test.
  it.skipIf(!existsSync('/usr/bin/script') && !process.env.CI)('colours on a terminal, and not with NO_COLOR set', async () => {
    expect(existsSync('/usr/bin/script'), '/usr/bin/script (util-linux) is needed for this test').toBe(true);
    const cmd = `${process.execPath} ${BIN} security audit --config ${risky}`;
    const tty = await runCommand('/usr/bin/script', ['-qec', cmd, '/dev/null'], env({ TERM: 'xterm' }));
    expect(tty.stdout).toMatch(ANSI);
    const noColor = await runCommand('/usr/bin/script', ['-qec', cmd, '/dev/null'], env({ TERM: 'xterm', NO_COLOR: '1' }));
    expect(noColor.stdout).toContain('gateway.trusted_proxy_mode');
    expect(noColor.stdout).not.toMatch(ANSI);
  });
});
