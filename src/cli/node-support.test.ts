import { describe, expect, it } from 'vitest';
import { MINIMUM_NODE_MAJOR, TESTED_NODE_LINES, nodeRefusal } from './node-support.js';

describe('nodeRefusal', () => {
  it.each(['20.0.0', '20.20.2', '21.7.3', '22.23.5', '24.22.3', '25.0.0', '26.12.1', '100.0.0'])('runs on Node %s', (v) => {
    expect(nodeRefusal(v, '/usr/bin/node')).toBeUndefined();
  });

  it.each(['19.9.0', '18.20.4', '16.20.2', '2.0.0', '', 'v20.0.0', 'twenty'])('refuses Node %j', (v) => {
    expect(nodeRefusal(v, '/opt/node/bin/node')).toBe(
      `Node.js ${v} (/opt/node/bin/node) is not supported: Mayros Gateway needs Node.js 20 or newer ` +
        'and is tested on the LTS lines 20, 22 and 24. Install one of them, or put it first on PATH, and run mayros again.',
    );
  });

  it('the minimum is the oldest tested line', () => {
    expect(MINIMUM_NODE_MAJOR).toBe(Math.min(...TESTED_NODE_LINES));
  });
});
