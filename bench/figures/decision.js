/**
 * Figure 4: cost of the auth decision as the lists grow, for the peer a gateway usually sees (its
 * proxy, whose lookup is remembered) and for a new peer on every call (the prefix tables' cost). A
 * table lookup's cost depends on how many prefix lengths the list mixes (one table per group of
 * lengths), so the comparison that shows growth with list *size* is between lists holding the
 * same lengths: the baseline is the smallest such list (100 entries, fewest users), measured in
 * the same process and rounds. The 1-entry case (a single length) is the floor, for context.
 */
import { FULL_SPREAD } from '../lib/fixtures.js';
import { checkMeasuredNode, startClient } from '../lib/servers.js';

/** Largest case / baseline at or below this counts as flat. */
const FLAT = 1.5;

/** The "decision + scopes" rows: the baseline rule count, and the size the < 1 us target is for. */
const RULES_BASELINE = 10;
const RULES_TARGET = 1000;

/** @param {import('../run.js').Context} ctx */
export async function run(ctx) {
  const { sizes } = ctx;
  const timing = { rounds: sizes.decideRounds, roundMs: sizes.decideRoundMs, warmupIters: sizes.decideWarmup, maxIters: 5_000_000 };
  const child = ctx.track(startClient('decide.js', { measured: true }));
  await checkMeasuredNode(child);
  const decisions = await child.request('run', { proxySizes: sizes.decideProxies, userSizes: sizes.decideUsers, ruleSizes: [], ...timing }, 120_000);
  // The scope cases in a process of their own: requests of one shape against one kind of policy,
  // as a running gateway sees them (mixed in with the cases above, the decision's call sites see
  // every shape of both and the JIT makes them all slower).
  const scoper = ctx.track(startClient('decide.js', { measured: true }));
  const scopes = await scoper.request('run', { proxySizes: [], userSizes: [], ruleSizes: sizes.decideRules, newGroupsRules: RULES_TARGET, ...timing }, 120_000);
  const results = [...decisions, ...scopes];
  // Known and new peers are compared each with their own baseline.
  const rows = [];
  const bases = [];
  for (const newPeers of [false, true]) {
    const group = results.filter((r) => r.kind === 'decision' && r.newPeers === newPeers);
    const base = group.find((r) => r.proxies >= FULL_SPREAD);
    if (!base) throw new Error(`no case with at least ${FULL_SPREAD} proxies to compare against`);
    bases.push(base.name);
    const largest = group[group.length - 1];
    for (const r of group) {
      const ratio = r.nsPerCall / base.nsPerCall;
      const isLargest = r === largest;
      rows.push({
        metric: `authorize(): ${r.proxies} proxies, ${r.users} users${newPeers ? ', new peer' : ''}${r.proxies < FULL_SPREAD ? ' (floor)' : ''}`,
        unit: 'ns',
        gateway: r.nsPerCall,
        baseline: base.nsPerCall,
        ratio,
        target: isLargest ? `<= ${FLAT}x, < 1000 ns` : '',
        pass: isLargest ? ratio <= FLAT && r.nsPerCall < 1000 : undefined,
      });
    }
  }
  // Decision + scopes: the 10-rule case is the baseline (the smallest rule set); 1,000 rules is the
  // target size (< 1 us, flat), 10,000 shows that the cost does not grow with the rules.
  const scoped = results.filter((r) => r.kind === 'scopes');
  const scopeBase = scoped.find((r) => r.rules === RULES_BASELINE && !r.newGroups);
  if (scoped.length && !scopeBase) throw new Error(`no decision + scopes case with ${RULES_BASELINE} rules to compare against`);
  for (const r of scoped) {
    const ratio = r.nsPerCall / scopeBase.nsPerCall;
    // The new-groups row is context: the cost of a value the memo does not hold.
    const targeted = !r.newGroups && r.rules >= RULES_TARGET;
    rows.push({
      metric: `authorize() + scopesFor(): ${r.proxies} proxies, ${r.users} users, ${r.rules ? `${r.rules} rules` : 'no rules (mode default)'}${r.newGroups ? ', new groups value' : ''}`,
      unit: 'ns',
      gateway: r.nsPerCall,
      baseline: scopeBase.nsPerCall,
      ratio,
      target: !targeted ? '' : r.rules === RULES_TARGET ? `<= ${FLAT}x, < 1000 ns` : `<= ${FLAT}x`,
      pass: !targeted ? undefined : r.rules === RULES_TARGET ? ratio <= FLAT && r.nsPerCall < 1000 : ratio <= FLAT,
    });
  }
  if (scopeBase) bases.push(scopeBase.name);
  return {
    id: '4-decision',
    title: 'Nanoseconds per authorize() call as trustedProxies and allowUsers grow',
    rows,
    details: { results, baselines: bases },
    note:
      `baselines = ${bases.join(' / ')}; the usual peer (a proxy) is remembered after its first request; ` +
      `"new peer" rows use a peer not seen lately on every call, and there lists of ${FULL_SPREAD}+ entries hold every ` +
      'IPv4 prefix length /8-/32 and the peer matches the loopback /8, so each lookup tries every IPv4 table first ' +
      '(the slowest case); "decision + scopes" rows add a groups header (three groups per request) and gateway.authorization ' +
      'rules (a third naming a user, the rest two groups each), requests naming a user and groups the rules name, ' +
      'and time authorize() then scopesFor() from the usual peer, ' +
      'its groups values remembered after their first request; the "new groups value" row sends one not seen lately on every call; ' +
      'CPU ns per call (wall time in the JSON)',
  };
}
