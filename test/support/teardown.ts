/**
 * Stopping what a suite started, newest first, even when a step fails: the fixtures that start
 * several servers and processes together (browser-stack.ts, proxy-suite.ts) build on it.
 */

/** What has been started so far, and how to stop each. */
export interface Teardown {
  /** Registers how to stop what was just started (`what` names it in a failure). */
  add(what: string, stop: () => Promise<unknown>): void;
  /**
   * Runs every registered stop once, newest first, going on past one that throws; then throws
   * the failure (an AggregateError when several failed). A second call does nothing.
   */
  run(): Promise<void>;
}

export function teardown(): Teardown {
  const steps: Array<{ what: string; stop: () => Promise<unknown> }> = [];
  return {
    add(what, stop) {
      steps.push({ what, stop });
    },
    async run() {
      const failures: Error[] = [];
      for (let step = steps.pop(); step; step = steps.pop()) {
        try {
          await step.stop();
        } catch (err) {
          const e = err instanceof Error ? err : new Error(String(err));
          failures.push(new Error(`stopping ${step.what}: ${e.message}`, { cause: e }));
        }
      }
      if (failures.length === 1) throw failures[0];
      if (failures.length > 1) throw new AggregateError(failures, failures.map((f) => f.message).join('\n'));
    },
  };
}

/**
 * Runs `start`, which starts things one by one and registers each on the teardown it is given, and
 * returns its result with `stop()` (the teardown). When a step of `start` throws, what had started
 * is stopped (newest first) and the start's error is thrown, so a suite's afterAll has nothing
 * half-started to find.
 */
export async function startInOrder<T extends object>(start: (t: Teardown) => Promise<T>): Promise<T & { stop(): Promise<void> }> {
  const t = teardown();
  let started: T;
  try {
    started = await start(t);
  } catch (err) {
    await t.run().catch((stopErr: unknown) => {
      if (err instanceof Error) err.message += `\n(and while stopping what had started: ${(stopErr as Error).message})`;
    });
    throw err;
  }
  return Object.assign(started, { stop: () => t.run() });
}
