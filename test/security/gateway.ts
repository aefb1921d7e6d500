/**
 * Starts a real gateway in-process on a free loopback port, from a config written to a temp dir.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { startGateway, type RunningGateway } from '../../src/gateway/server.js';

export interface TestGateway {
  gw: RunningGateway;
  url: string;
  dir: string;
  stop(): Promise<void>;
}

/** `gateway` is the JSON object under `gateway`; port 0 and the loopback bind are forced. */
export async function startGatewayFromFile(gateway: Record<string, unknown>): Promise<TestGateway> {
  const dir = mkdtempSync(join(tmpdir(), 'mayros-audit-gw-'));
  const file = join(dir, 'mayros.json');
  writeFileSync(file, JSON.stringify({ gateway: { ...gateway, port: 0, bind: 'loopback', controlUi: { enabled: false } } }));
  const resolved = loadConfig({ configPath: file, env: { MAYROS_STATE_DIR: dir } });
  const gw = await startGateway({ resolved, uiDir: join(dir, 'no-ui') });
  return {
    gw,
    url: `http://127.0.0.1:${gw.port}`,
    dir,
    async stop() {
      await gw.close(500);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
