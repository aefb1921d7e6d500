/**
 * Figure 6: chat relayed through the gateway, against the same model stub read directly by a bare
 * client in the same run. The bare client is the `openai` SDK with nothing around it: the client
 * the gateway must use itself, so the comparison isolates what the gateway adds (storing the
 * message, the prompt, the relay, the extra hop). A minimal reader (fetch, splitting the events by
 * hand) is measured beside them, as context: the gap between it and the SDK is the SDK's own cost,
 * which the gateway pays as any direct SDK client does. Added time to the first delta (chat.send ->
 * first `chat` event, minus request -> first delta read directly), deltas per second on one
 * stream, 500 concurrent streams from 100 connections (every delta delivered in order, nothing
 * lost), and chat.history of a 10,000-message session.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLIENT_ADDRESSES, proxyHeaders, trustedProxyConfig } from '../lib/fixtures.js';
import { startBareRelay, startClient, startGateway, startModelStub } from '../lib/servers.js';

/** @param {import('../run.js').Context} ctx */
export async function run(ctx) {
  const { ws, sizes } = ctx;
  const stub = await ctx.track(startModelStub());
  const baseUrl = `${stub.url}/v1`;
  const config = trustedProxyConfig({ proxies: ws.proxies, users: ws.users });
  // Limits out of the way of the load (the defaults protect a small server from one person).
  config.gateway.limits = { ...config.gateway.limits, maxBufferedBytes: 256 * 1024 * 1024, maxConnectionsPerAddress: 10_000, maxFramesPerSecond: 1_000_000, frameBurst: 1_000_000 };
  config.models = { providers: { bench: { baseUrl, models: ['m1'] } }, default: 'bench/m1' };
  config.chat = { maxConcurrentRuns: 10_000, sendsPerMinute: 100_000 };
  const configPath = join(ws.dir, 'chat.json');
  writeFileSync(configPath, JSON.stringify(config, null, 2));
  const stateDir = join(ws.dir, 'chat-state');

  const load = ctx.track(startClient('chat.js'));
  const owner = `trusted-proxy:${ws.user}`;
  const { sessionKey } = await load.request('fill', { file: join(stateDir, 'mayros.db'), owner, messages: sizes.chatHistoryMessages }, 300_000);
  const gw = await ctx.track(startGateway({ configPath, stateDir }));
  const url = `${gw.url.replace(/^http/, 'ws')}/`;
  const headers = proxyHeaders(ws.user);
  const common = { warmup: sizes.chatWarmup, rounds: sizes.chatRounds, rateRounds: sizes.chatRateRounds, n: sizes.chatStreamDeltas };

  // The three readers take turns block by block, so the machine's load falls on all of them alike.
  const bareRelay = await ctx.track(startBareRelay(baseUrl));
  const bareUrl = `${bareRelay.url.replace(/^http/, 'ws')}/`;
  const { sdk: direct, minimal, relayed, bare } = await load.request('compare', { baseUrl, url, bareUrl, headers, localAddress: CLIENT_ADDRESSES[0], ...common, block: sizes.chatBlock }, 600_000);
  // The same with a model that takes a moment before its first token, as real ones do (tens of
  // milliseconds at least): the gateway stores the message while the model thinks.
  const thinking = await load.request('compare', { baseUrl, url, headers, localAddress: CLIENT_ADDRESSES[0], ...common, rounds: sizes.chatThinkRounds, rateRounds: 0, block: sizes.chatBlock, thinkMs: sizes.chatThinkMs }, 600_000);
  const users = ws.users.slice(0, sizes.chatConnections);
  const conc = await load.request(
    'concurrent',
    { url, headersList: users.map((u) => proxyHeaders(u)), localAddresses: CLIENT_ADDRESSES, connections: sizes.chatConnections, streams: sizes.chatStreams, n: sizes.chatConcurrentDeltas, delayMs: 2 },
    300_000,
  );
  const hist = await load.request('history', { url, headers, localAddress: CLIENT_ADDRESSES[1], sessionKey, warmup: sizes.chatWarmup, rounds: sizes.chatRounds }, 300_000);

  const addedP50 = relayed.p50 - direct.p50;
  const addedP99 = relayed.p99 - direct.p99;
  const n = sizes.chatHistoryMessages.toLocaleString('en-US');
  const clean = conc.lost === 0 && conc.disorder === 0 && conc.failed === 0 && conc.deltas === conc.expected;
  return {
    id: '6-chat',
    title: 'Chat: relayed model stream vs the model server read directly',
    rows: [
      { metric: 'time to first delta, p50: ms added by the gateway (baseline: SDK direct)', unit: 'ms', gateway: addedP50, baseline: direct.p50, ratio: relayed.p50 / direct.p50, target: '<= 1 ms added', pass: addedP50 <= 1 },
      { metric: 'time to first delta, p99: ms added by the gateway (baseline: SDK direct)', unit: 'ms', gateway: addedP99, baseline: direct.p99, ratio: relayed.p99 / direct.p99, target: '<= 5 ms added', pass: addedP99 <= 5 },
      { metric: `deltas/s on one stream (${sizes.chatStreamDeltas.toLocaleString('en-US')} deltas), baseline: SDK direct`, unit: '/s', gateway: relayed.rate, baseline: direct.rate, ratio: relayed.rate / direct.rate, target: '>= 0.8x direct', pass: relayed.rate / direct.rate >= 0.8 },
      { metric: 'context: time to first delta p50, ms added by a bare relay (ws + the SDK, nothing else)', unit: 'ms', gateway: bare.p50 - direct.p50, baseline: direct.p50, ratio: bare.p50 / direct.p50, target: '', pass: undefined },
      { metric: `context: time to first delta p50, ms added, model thinking ${sizes.chatThinkMs} ms first`, unit: 'ms', gateway: thinking.relayed.p50 - thinking.sdk.p50, baseline: thinking.sdk.p50, ratio: thinking.relayed.p50 / thinking.sdk.p50, target: '', pass: undefined },
      { metric: `context: time to first delta p99, ms added, model thinking ${sizes.chatThinkMs} ms first`, unit: 'ms', gateway: thinking.relayed.p99 - thinking.sdk.p99, baseline: thinking.sdk.p99, ratio: thinking.relayed.p99 / thinking.sdk.p99, target: '', pass: undefined },
      { metric: 'context: time to first delta p50, SDK direct vs a minimal reader', unit: 'ms', gateway: direct.p50, baseline: minimal.p50, ratio: direct.p50 / minimal.p50, target: '', pass: undefined },
      { metric: 'context: deltas/s on one stream, SDK direct vs a minimal reader', unit: '/s', gateway: direct.rate, baseline: minimal.rate, ratio: direct.rate / minimal.rate, target: '', pass: undefined },
      { metric: `${sizes.chatStreams} concurrent streams, ${sizes.chatConnections} connections: deltas delivered in order`, unit: '', gateway: conc.deltas, baseline: conc.expected, ratio: conc.deltas / conc.expected, target: 'all, in order', pass: clean },
      { metric: `chat.history of a ${n}-message session, newest page, p99`, unit: 'ms', gateway: hist.newestP99, baseline: undefined, ratio: undefined, target: '< 10 ms', pass: hist.newestP99 < 10 },
      { metric: `chat.history of a ${n}-message session, a page from the middle, p99`, unit: 'ms', gateway: hist.deepP99, baseline: undefined, ratio: undefined, target: '< 10 ms', pass: hist.deepP99 < 10 },
    ],
    details: { direct, minimal, relayed, bare, thinking, concurrent: conc, history: hist, sizes: { ...common, connections: sizes.chatConnections, streams: sizes.chatStreams, concurrentDeltas: sizes.chatConcurrentDeltas, historyMessages: sizes.chatHistoryMessages } },
    note: `wall time at the client; first two rows: gateway column = relayed - direct (ms added), ratio = relayed / direct; direct = the same stub read with the openai SDK (the gateway's own client), readers taking turns in blocks of ${sizes.chatBlock} rounds (${sizes.chatWarmup} more to warm up each block); minimal reader = fetch, splitting the events by hand; concurrent streams: ${sizes.chatConcurrentDeltas} deltas each, 2 ms apart, one person per connection; history over the WebSocket, 50 messages a page`,
  };
}
