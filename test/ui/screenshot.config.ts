import { defineConfig } from 'vitest/config';

/** `npm run ui:screenshot`: regenerates docs/images/control-ui.png (not part of npm test). */
export default defineConfig({
  test: { include: ['test/ui/screenshot.shoot.ts'], testTimeout: 60_000, hookTimeout: 60_000 },
});
