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

// When the test command gives a PostgreSQL database, the booking test also runs
// against a second server on it.
const postgresUrl = process.env.ANXIN_E2E_DATABASE_URL;
const pgDataDir = process.env.ANXIN_E2E_PG_DATA_DIR || mkdtempSync(join(tmpdir(), 'anxin-e2e-pg-'));
process.env.ANXIN_E2E_PG_DATA_DIR = pgDataDir;
const phone = { ...devices['Pixel 5'], viewport: { width: 360, height: 740 }, locale: 'zh-CN' };
const server = (addr, dir, env) => ({
  command: `../target/release/anxin serve --addr ${addr} --data-dir ${dir} --demo-data`,
  url: `http://${addr}/healthz`,
  env: { LEPTOS_SITE_ROOT: '../target/site', RUST_LOG: 'warn', ...env },
  reuseExistingServer: false,
  timeout: 60_000,
});

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
    { name: 'phone', use: phone, metadata: { dataDir } },
    ...(postgresUrl ? [{
      name: 'phone-postgres',
      testMatch: /booking\.spec\.mjs/,
      use: { ...phone, baseURL: `http://127.0.0.1:${port + 1}` },
      metadata: { dataDir: pgDataDir, databaseUrl: postgresUrl },
    }] : []),
  ],
  webServer: [
    server(`127.0.0.1:${port}`, dataDir, { DATABASE_URL: '' }),
    ...(postgresUrl ? [server(`127.0.0.1:${port + 1}`, pgDataDir, {
      DATABASE_URL: postgresUrl,
      ANXIN_DATA_KEY: 'ZTJlLW9ubHkta2V5LTMyLWJ5dGVzLWxvbmctMDAwMDA=',
    })] : []),
  ],
});
