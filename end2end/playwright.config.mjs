// End-to-end tests against the release build, on a fresh SQLite database with the
// sample content, in the system's Chromium (Playwright cannot download browsers here).
import { defineConfig, devices } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const port = Number(process.env.ANXIN_E2E_PORT || 3100);
// Workers load this file again: they must reuse the server's directory, not make one.
// (The publishing test creates staff accounts in that database with the CLI.)
const dataDir = process.env.ANXIN_E2E_DATA_DIR || mkdtempSync(join(tmpdir(), 'anxin-e2e-'));
process.env.ANXIN_E2E_DATA_DIR = dataDir;

export default defineConfig({
  testDir: './tests',
  timeout: 30_000,
  workers: 2,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      args: [
        '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
      ],
    },
  },
  projects: [
    {
      name: 'phone',
      use: { ...devices['Pixel 5'], viewport: { width: 360, height: 740 }, locale: 'zh-CN' },
    },
  ],
  webServer: {
    command: `../target/release/anxin serve --addr 127.0.0.1:${port} --data-dir ${dataDir} --demo-data`,
    url: `http://127.0.0.1:${port}/healthz`,
    env: { LEPTOS_SITE_ROOT: '../target/site', RUST_LOG: 'warn' },
    reuseExistingServer: false,
    timeout: 60_000,
  },
});
