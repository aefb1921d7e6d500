import { describe, expect, it } from 'vitest';
import { startInOrder, teardown } from './teardown.js';

/** A step that records its stop in `log`, and throws when `fails`. */
const step = (log: string[], name: string, fails = false) => async () => {
  log.push(name);
  if (fails) throw new Error(`${name} would not stop`);
};

describe('teardown (the fixtures\' stop order)', () => {
  it('stops newest first, each once', async () => {
    const log: string[] = [];
    const t = teardown();
    for (const n of ['auth', 'gateway', 'nginx', 'browser']) t.add(n, step(log, n));
    await t.run();
    await t.run();
    expect(log).toEqual(['browser', 'nginx', 'gateway', 'auth']);
  });

  it('goes on past a stop that fails, then throws it, naming the step', async () => {
    const log: string[] = [];
    const t = teardown();
    t.add('auth', step(log, 'auth'));
    t.add('gateway', step(log, 'gateway', true));
    t.add('nginx', step(log, 'nginx'));
    await expect(t.run()).rejects.toThrow('stopping gateway: gateway would not stop');
    expect(log).toEqual(['nginx', 'gateway', 'auth']);
  });

  it('throws every failure when several stops fail', async () => {
    const log: string[] = [];
    const t = teardown();
    t.add('auth', step(log, 'auth', true));
    t.add('nginx', step(log, 'nginx', true));
    const err = await t.run().then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(AggregateError);
    expect((err as AggregateError).errors.map((e: Error) => e.message)).toEqual(['stopping nginx: nginx would not stop', 'stopping auth: auth would not stop']);
    expect(log).toEqual(['nginx', 'auth']);
  });
});

describe('startInOrder', () => {
  it('returns what was started with one stop() for all of it', async () => {
    const log: string[] = [];
    const started = await startInOrder(async (t) => {
      t.add('auth', step(log, 'auth'));
      t.add('gateway', step(log, 'gateway'));
      return { port: 1 };
    });
    expect(started.port).toBe(1);
    expect(log).toEqual([]);
    await started.stop();
    expect(log).toEqual(['gateway', 'auth']);
  });

  it('when a start step throws, stops what had started and throws the start\'s error', async () => {
    const log: string[] = [];
    const failing = startInOrder(async (t) => {
      t.add('auth', step(log, 'auth'));
      t.add('gateway', step(log, 'gateway'));
      throw new Error('nginx did not listen');
    });
    await expect(failing).rejects.toThrow(/^nginx did not listen$/);
    expect(log).toEqual(['gateway', 'auth']);
  });

  it('says so when stopping after a failed start fails too, keeping the start\'s error first', async () => {
    const log: string[] = [];
    const failing = startInOrder(async (t) => {
      t.add('gateway', step(log, 'gateway', true));
      throw new Error('nginx did not listen');
    });
    await expect(failing).rejects.toThrow('nginx did not listen\n(and while stopping what had started: stopping gateway: gateway would not stop)');
    expect(log).toEqual(['gateway']);
  });
});
