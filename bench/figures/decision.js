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

/** @param {import('../run.js').Context} ctx */
export async function run(ctx) {
  const { sizes } = ctx;
  const child = ctx.track(startClient('decide.js', { measured: true }));
  await checkMeasuredNode(child);
  const results = await child.request(
    'run',
    { proxySizes: sizes.decideProxies, userSizes: sizes.decideUsers, rounds: sizes.decideRounds, roundMs: sizes.decideRoundMs, warmupIters: sizes.decideWarmup, maxIters: 5_000_000 },
    120_000,
  );
  // Known and new peers are compared each with their own baseline.
  const rows = [];
  const bases = [];
  for (const newPeers of [false, true]) {
    const group = results.filter((r) => r.newPeers === newPeers);
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
  return {
    id: '4-decision',
    title: 'Nanoseconds per authorize() call as trustedProxies and allowUsers grow',
    rows,
    details: { results, baselines: bases },
    note:
      `baselines = ${bases.join(' / ')}; the usual peer (a proxy) is remembered after its first request; ` +
      `"new peer" rows use a peer not seen lately on every call, and there lists of ${FULL_SPREAD}+ entries hold every ` +
      'IPv4 prefix length /8-/32 and the peer matches the loopback /8, so each lookup tries every IPv4 table first ' +
      '(the slowest case); CPU ns per call (wall time in the JSON)',
  };
}
