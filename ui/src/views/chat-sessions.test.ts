import { describe, expect, it, vi } from 'vitest';
import type { SessionsPage, WireSession } from '../chat/wire.js';
import { ChatSessions } from './chat-sessions.js';

type Answer = { ok: true; payload: SessionsPage } | { ok: false; error: { code: string; message: string } };
type Call = { method: string; params: unknown; answer(a: Answer): void };

/** A controller over a fake element and client: the requests it sends wait until the test answers them. */
function setup() {
  const calls: Call[] = [];
  const host = { requestUpdate: vi.fn() };
  const explain = vi.fn();
  const client = {
    request: <T>(method: string, params?: unknown) => new Promise<T>((resolve) => calls.push({ method, params, answer: (a) => resolve(a as T) })),
  };
  const sessions = new ChatSessions(host, {
    client: () => client as never,
    request: () => Promise.resolve({ ok: false as const }),
    explain,
  });
  return { sessions, calls, host, explain };
}

const s = (key: string, updatedAt: number, owner?: string): WireSession => ({ key, title: key, updatedAt, ...(owner && { owner }) });
const keys = (c: ChatSessions) => c.list.map((x) => x.key);

describe('the session list, a page at a time', () => {
  it('loads the first page, then the older one from its cursor; the button goes once the last page is in', async () => {
    const { sessions, calls } = setup();
    const loaded = sessions.load();
    expect(calls).toMatchObject([{ method: 'sessions.list', params: {} }]);
    calls[0]!.answer({ ok: true, payload: { sessions: [s('d', 4), s('c', 3)], next: 'cur-1' } });
    await loaded;
    expect(keys(sessions)).toEqual(['d', 'c']);
    expect(sessions.hasOlder).toBe(true);

    const older = sessions.loadOlder();
    expect(sessions.olderLoading).toBe(true);
    // A second press while the page is on its way asks nothing more.
    void sessions.loadOlder();
    expect(calls).toHaveLength(2);
    expect(calls[1]).toMatchObject({ method: 'sessions.list', params: { before: 'cur-1' } });
    calls[1]!.answer({ ok: true, payload: { sessions: [s('b', 2), s('a', 1)] } });
    await older;
    expect(keys(sessions)).toEqual(['d', 'c', 'b', 'a']);
    expect(sessions.hasOlder).toBe(false);
    expect(sessions.olderLoading).toBe(false);
    await sessions.loadOlder();
    expect(calls).toHaveLength(2);
  });

  it("pages an admin's everyone list with all: true", async () => {
    const { sessions, calls } = setup();
    const switching = sessions.switchTo('everyone', true);
    expect(calls[0]).toMatchObject({ params: { all: true } });
    calls[0]!.answer({ ok: true, payload: { sessions: [s('x', 9, 'trusted-proxy:ann')], next: 'e-1' } });
    await switching;
    const older = sessions.loadOlder();
    expect(calls[1]).toMatchObject({ params: { all: true, before: 'e-1' } });
    calls[1]!.answer({ ok: true, payload: { sessions: [s('y', 1, 'trusted-proxy:bob')] } });
    await older;
    expect(keys(sessions)).toEqual(['x', 'y']);
  });

  it('a reload after a chat event keeps the older pages shown; a session made elsewhere comes in on top', async () => {
    const { sessions, calls } = setup();
    const first = sessions.load();
    calls[0]!.answer({ ok: true, payload: { sessions: [s('d', 4), s('c', 3)], next: 'cur-1' } });
    await first;
    const older = sessions.loadOlder();
    calls[1]!.answer({ ok: true, payload: { sessions: [s('b', 2), s('a', 1)], next: 'cur-2' } });
    await older;
    // The event of a session not listed (another tab made it) lists the first page again.
    const again = sessions.load();
    expect(calls[2]).toMatchObject({ params: {} });
    calls[2]!.answer({ ok: true, payload: { sessions: [s('n', 8), s('d', 4)], next: 'cur-d' } });
    await again;
    expect(keys(sessions)).toEqual(['n', 'd', 'c', 'b', 'a']);
    // Still continuing below a, not below d.
    void sessions.loadOlder();
    expect(calls[3]).toMatchObject({ params: { before: 'cur-2' } });
  });

  it("switching listing replaces the other listing's sessions and forgets its cursor; an older page that comes after the switch is dropped", async () => {
    const { sessions, calls } = setup();
    const first = sessions.load();
    calls[0]!.answer({ ok: true, payload: { sessions: [s('mine', 4)], next: 'own-1' } });
    await first;
    const older = sessions.loadOlder();
    const switching = sessions.switchTo('everyone', true);
    expect(sessions.hasOlder).toBe(false);
    calls[2]!.answer({ ok: true, payload: { sessions: [s('theirs', 9, 'trusted-proxy:ann')] } });
    await switching;
    calls[1]!.answer({ ok: true, payload: { sessions: [s('old-mine', 1)] } });
    await older;
    expect(keys(sessions)).toEqual(['theirs']);
    expect(sessions.hasOlder).toBe(false);
  });

  it('explains a refused older page and keeps the list and its cursor', async () => {
    const { sessions, calls, explain } = setup();
    const first = sessions.load();
    calls[0]!.answer({ ok: true, payload: { sessions: [s('d', 4)], next: 'cur-1' } });
    await first;
    const older = sessions.loadOlder();
    calls[1]!.answer({ ok: false, error: { code: 'UNAVAILABLE', message: 'store_locked' } });
    await older;
    expect(explain).toHaveBeenCalledWith('sessions.list', { code: 'UNAVAILABLE', message: 'store_locked' });
    expect(keys(sessions)).toEqual(['d']);
    expect(sessions.hasOlder).toBe(true);
  });
});
