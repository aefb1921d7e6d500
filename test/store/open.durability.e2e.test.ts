/**
 * What a SIGKILL leaves: every message the store acknowledged is there after a restart, and the
 * answer that was streaming is marked incomplete with the text it had. A real child process writes
 * through the built store and is killed by PID in the middle of a stream.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { INTERRUPTED_REASON, openChatStore } from '../../src/store/index.js';
import { startProcess } from '../support/processes.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';
import { moduleArgs, storeScript } from '../support/store-child.js';

const root = makeTempDir('store-kill');
afterAll(() => removeTempDir(root));

// Acknowledges one finished exchange and one person's message, then streams an answer forever,
// saving its text every 5 ms as the gateway's throttled writer would.
const WRITER = `
const { store: s } = store.openChatStore(process.env.DB);
const first = s.beginRun('nick', { idempotencyKey: 'one', text: 'first question' });
const a1 = s.startAnswer(first.run.runId, 'local/llama3.2');
s.finishAnswer(a1.id, { state: 'complete', text: 'first answer', usage: { prompt: 5, completion: 2 } });
const second = s.beginRun('nick', { sessionKey: first.run.sessionKey, idempotencyKey: 'two', text: 'second question' });
console.log('ack ' + second.run.sessionKey);
const a2 = s.startAnswer(second.run.runId, 'local/llama3.2');
let text = '';
let n = 0;
setInterval(() => {
  text += 'tok' + n++ + ' ';
  s.setAnswerText(a2.id, text);
  if (n === 20) console.log('streamed ' + text.length);
}, 5);
`;

describe('a gateway killed with SIGKILL mid-stream', () => {
  it('restarts with every acknowledged message and the interrupted answer marked incomplete', async () => {
    const db = join(root, 'mayros.db');
    const child = startProcess(process.execPath, moduleArgs(storeScript(WRITER)), { env: { PATH: process.env.PATH ?? '', DB: db }, name: 'store writer' });
    const sessionKey = (await child.waitForOutput(/ack (\S+)/))[1]!;
    const savedLength = Number((await child.waitForOutput(/streamed (\d+)/))[1]);
    process.kill(child.pid, 'SIGKILL');
    expect(await child.exited).toEqual({ code: null, signal: 'SIGKILL' });

    const { store, recovered } = openChatStore(db);
    try {
      expect(recovered).toBe(1);
      const session = store.getSession('nick', sessionKey)!;
      const m = store.history(session).messages;
      expect(m.map((x) => [x.role, x.state])).toEqual([
        ['user', 'complete'],
        ['assistant', 'complete'],
        ['user', 'complete'],
        ['assistant', 'incomplete'],
      ]);
      expect(m.slice(0, 3).map((x) => x.text)).toEqual(['first question', 'first answer', 'second question']);
      expect(m[1]!.usage).toEqual({ prompt: 5, completion: 2 });
      // The text saved before the kill is kept (at least what was saved when it said so).
      expect(m[3]!.text.length).toBeGreaterThanOrEqual(savedLength);
      expect(m[3]!.text).toMatch(/^tok0 tok1 tok2 /);
      expect(m[3]!.reason).toBe(INTERRUPTED_REASON);
    } finally {
      store.close();
    }
  });
});
