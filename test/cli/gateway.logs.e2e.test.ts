/**
 * `mayros gateway run` feeds its logger's lines to the ring `logs.tail` reads (src/cli/gateway.ts):
 * a real process, in both log formats, answers with the lines it wrote on stderr, its token
 * nowhere in them.
 */
import { describe, expect, it } from 'vitest';
import { startGatewayProcess } from '../support/gateway-process.js';
import { wsConnect } from '../support/ws-client.js';

const TOKEN = 'tok-SECRET-0123456789abcdef0123456789';

describe.each(['json', 'pretty'])('mayros gateway run --log-format %s', (format) => {
  it('answers logs.tail with the lines it logged', async () => {
    const gw = await startGatewayProcess({ config: { gateway: { auth: { mode: 'token', token: TOKEN } } }, args: ['--port', '0', '--log-format', format] });
    try {
      const { client, reply } = await wsConnect(gw.url.replace('http', 'ws') + '/', { auth: { token: TOKEN } });
      try {
        expect(reply.payload.scopes).toContain('operator.admin');
        const r = await client.request('logs.tail', {});
        expect(r.ok).toBe(true);
        const msgs = r.payload.lines.map((l: { msg: string }) => l.msg);
        expect(msgs).toContain('database opened');
        expect(r.payload.lines.find((l: { msg: string }) => l.msg === 'database opened')).toMatchObject({ level: 'info', fields: { event: 'store_opened' } });
        // The same line went to stderr, in the chosen format.
        expect(gw.stderr()).toContain('database opened');
        expect(JSON.stringify(r.payload)).not.toContain(TOKEN);
      } finally {
        client.close();
      }
    } finally {
      await gw.stop();
    }
  });
});
