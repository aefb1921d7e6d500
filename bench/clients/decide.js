/**
 * Figure 4: nanoseconds per authorize() call, in its own process so nothing else shares its JIT
 * or heap. Every case runs the compiled policy from dist/ on a successful trusted-proxy decision
 * (the full path: source address, required header, identity header, allowlist), once with the
 * peer a gateway usually sees (its proxy, remembered after the first request) and once with a
 * peer not seen lately on every call (the prefix tables' own cost). The "decision + scopes" cases
 * add the groups header and gateway.authorization rules, and time authorize() followed by
 * scopesFor() on the identity it admits: what every /api request and every connect costs. Cases
 * are measured round-robin so background noise falls on all of them alike.
 */
import { authorize } from '../../dist/auth/authorize.js';
import { compileAuthPolicy } from '../../dist/auth/policy.js';
import { compileAuthorization } from '../../dist/authz/compile.js';
import { scopesFor } from '../../dist/authz/decide.js';
import { MEMO_LIMIT } from '../../dist/net/cidr.js';
import { GROUPS_MEMO_LIMIT } from '../../dist/auth/group-list.js';
import { parseConfigObject } from '../../dist/config/parse.js';
import { validated } from '../../dist/config/validate.js';
import { GROUPS_HEADER, REQUIRED_HEADER, USER_HEADER, groupList, proxyList, rng, ruleList, trustedProxyConfig, userList } from '../lib/fixtures.js';
import { median } from '../lib/stats.js';
import { serve } from '../lib/worker.js';

/** Distinct inputs cycled through, so the JIT cannot specialise on one user. */
const INPUTS = 64;

/**
 * Distinct peers cycled through for the "new peer" cases: four times what a CidrSet remembers
 * (MEMO_LIMIT), cycled in order, so every lookup misses the memo and walks the prefix tables.
 */
const NEW_PEERS = 4 * MEMO_LIMIT;

/**
 * @param {number} proxies
 * @param {number} users
 * @param {boolean} newPeers every call from a peer the policy has not seen lately (the tables' cost), or from one proxy address (the gateway's usual case)
 */
function makeCase(proxies, users, newPeers) {
  const config = parseConfigObject(trustedProxyConfig({ proxies: proxyList(proxies), users: userList(users) }));
  const checked = validated(config);
  const issues = checked.checks.issues;
  if (issues.length) throw new Error(`benchmark config is invalid: ${JSON.stringify(issues[0])}`);
  const policy = compileAuthPolicy(checked);
  const list = userList(users);
  const r = rng(99);
  // The same INPUTS users in both kinds of case, so only the peer differs between them.
  const picked = Array.from({ length: INPUTS }, () => list[Math.floor(r() * list.length)]);
  const count = newPeers ? NEW_PEERS : INPUTS;
  const inputs = Array.from({ length: count }, (_, i) => ({
    // Inside the loopback /8 entry: the match is at the shortest prefix, after every longer table.
    via: { kind: 'tcp', peer: newPeers ? `127.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` : '127.0.0.1' },
    headers: { [REQUIRED_HEADER]: ['https'], [USER_HEADER]: [picked[i % INPUTS]] },
    surface: 'http',
  }));
  return { name: `${proxies} proxies, ${users} users${newPeers ? ', new peer each call' : ''}`, proxies, users, newPeers, policy, inputs, cpuSamples: /** @type {number[]} */ ([]), wallSamples: /** @type {number[]} */ ([]) };
}

/** The "decision + scopes" cases: 64 proxies and 1,000 users, as figure 1, and this many groups. */
const SCOPE_CASE = { proxies: 64, users: 1000, groups: 1000 };

/**
 * A "decision + scopes" case: `rules` authorization rules (0: no authorization section, the
 * mode's default), every request from the proxy with a user and three groups, some of which the
 * rules name. With `newGroups`, every call carries a groups value the policy has not seen lately
 * (four times what its GroupNames remembers, cycled), so each is decoded and split again: the
 * cost without the memo.
 * @param {number} rules
 * @param {boolean} newGroups
 */
function makeScopesCase(rules, newGroups = false) {
  const users = userList(SCOPE_CASE.users);
  const groups = groupList(SCOPE_CASE.groups);
  const raw = trustedProxyConfig({ proxies: proxyList(SCOPE_CASE.proxies), users });
  raw.gateway.auth.trustedProxy.groupsHeader = GROUPS_HEADER;
  if (rules > 0) raw.gateway.authorization = { rules: ruleList(rules, users, groups) };
  const checked = validated(parseConfigObject(raw));
  const issues = checked.checks.issues;
  if (issues.length) throw new Error(`benchmark config is invalid: ${JSON.stringify(issues[0])}`);
  const policy = compileAuthPolicy(checked);
  const compiled = compileAuthorization(checked.config);
  const r = rng(98);
  const pick = (list) => list[Math.floor(r() * list.length)];
  // Users and groups the rules name, so that every case does the same work whatever its size: a
  // lookup that finds its name (with 10 rules, random names would mostly miss, which is cheaper).
  const ruleSet = raw.gateway.authorization?.rules ?? [];
  const namedUsers = ruleSet.flatMap((x) => x.users ?? []);
  const namedGroups = ruleSet.flatMap((x) => x.groups ?? []);
  const someUser = () => pick(namedUsers.length ? namedUsers : users);
  const someGroup = () => pick(namedGroups.length ? namedGroups : groups);
  const inputs = Array.from({ length: newGroups ? 4 * GROUPS_MEMO_LIMIT : INPUTS }, (_, i) => ({
    via: { kind: 'tcp', peer: '127.0.0.1' },
    // The index makes every value distinct (a group name may repeat within it; the gateway drops repeats).
    headers: { [REQUIRED_HEADER]: ['https'], [USER_HEADER]: [someUser()], [GROUPS_HEADER]: [`${someGroup()},${someGroup()},${newGroups ? `${someGroup()},g${i}` : someGroup()}`] },
    surface: 'http',
  }));
  return { name: `decision + scopes, ${rules} rules${newGroups ? ', new groups value each call' : ''}`, kind: 'scopes', rules, newGroups, proxies: SCOPE_CASE.proxies, users: SCOPE_CASE.users, newPeers: false, policy, compiled, inputs, cpuSamples: /** @type {number[]} */ ([]), wallSamples: /** @type {number[]} */ ([]) };
}

/** Keeps the scope lists' lengths, so the JIT cannot drop the scopesFor() calls. */
let sink = 0;

/**
 * Runs `iters` decisions; returns the CPU time and the wall time they took, in ns. CPU time is
 * what the figure quotes: on a shared machine, wall time also counts the moments another process
 * held the core. Throws if any decision was not a success.
 */
function timeIters(c, iters) {
  let ok = 0;
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  if (c.kind === 'scopes') {
    for (let i = 0; i < iters; i++) {
      const d = authorize(c.inputs[i % c.inputs.length], c.policy);
      if (d.ok) {
        ok++;
        sink += scopesFor(d.identity, c.compiled).length;
      }
    }
  } else {
    for (let i = 0; i < iters; i++) {
      if (authorize(c.inputs[i % c.inputs.length], c.policy).ok) ok++;
    }
  }
  const wall = Number(process.hrtime.bigint() - t0);
  const cpu = process.cpuUsage(cpu0);
  if (ok !== iters) throw new Error(`${c.name}: ${iters - ok} of ${iters} decisions refused; the benchmark input is wrong`);
  return { cpu: (cpu.user + cpu.system) * 1000, wall };
}

/**
 * @param {{ proxySizes: number[], userSizes: number[], ruleSizes: number[], newGroupsRules?: number, rounds: number, roundMs: number, warmupIters: number, maxIters: number }} o
 */
function run(o) {
  const cases = [];
  for (const newPeers of [false, true]) for (const p of o.proxySizes) for (const u of o.userSizes) cases.push(makeCase(p, u, newPeers));
  for (const n of o.ruleSizes ?? []) cases.push(makeScopesCase(n));
  if (o.newGroupsRules) cases.push(makeScopesCase(o.newGroupsRules, true));
  for (const c of cases) timeIters(c, o.warmupIters);
  // Size each case's batch to about roundMs, capped in count.
  const iters = cases.map((c) => {
    const probe = Math.min(o.maxIters, 10_000);
    const perCall = Math.max(1, timeIters(c, probe).wall / probe);
    return Math.max(1000, Math.min(o.maxIters, Math.floor((o.roundMs * 1e6) / perCall)));
  });
  for (let round = 0; round < o.rounds; round++) {
    cases.forEach((c, i) => {
      const t = timeIters(c, iters[i]);
      c.cpuSamples.push(t.cpu / iters[i]);
      c.wallSamples.push(t.wall / iters[i]);
    });
  }
  if (sink < 0) throw new Error('unreachable');
  return cases.map((c) => ({
    name: c.name,
    kind: c.kind ?? 'decision',
    rules: c.rules,
    newGroups: c.newGroups ?? false,
    proxies: c.proxies,
    users: c.users,
    newPeers: c.newPeers,
    nsPerCall: median(c.cpuSamples),
    wallNsPerCall: median(c.wallSamples),
    iterationsPerRound: iters[cases.indexOf(c)],
    cpuSamples: c.cpuSamples,
    wallSamples: c.wallSamples,
  }));
}

serve({ run });
