/**
 * An in-process gateway for the browser suites, with the built Control UI from dist/ui and a
 * config written to a temp dir (so startup validation runs exactly as for `gateway run`).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfigForStartup } from '../../../src/config/load.js';
import type { ConfigInput } from '../../../src/config/schema.js';
import { startGateway, type RunningGateway } from '../../../src/gateway/server.js';

export const UI_DIR = fileURLToPath(new URL('../../../dist/ui', import.meta.url));

export interface TestGateway {
  gw: RunningGateway;
  /** http://127.0.0.1:<port> */
  origin: string;
  close(): Promise<void>;
}

export async function startTestGateway(config: ConfigInput): Promise<TestGateway> {
  const dir = mkdtempSync(join(tmpdir(), 'mayros-ui-'));
  const file = join(dir, 'mayros.json');
  writeFileSync(file, JSON.stringify({ gateway: { port: 0, ...config.gateway } }));
  const resolved = loadConfigForStartup({ configPath: file, env: { MAYROS_STATE_DIR: dir } });
  const gw = await startGateway({ resolved, uiDir: UI_DIR });
  return {
    gw,
    origin: `http://127.0.0.1:${gw.port}`,
    async close() {
      await gw.close(500);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
