import { chromium } from '@playwright/test';
import { writeFileSync } from 'node:fs';
import { build, preview } from 'vite';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../e2e/chromium';
async function main() {
  await build({ configFile: 'vite.config.ts', logLevel: 'warn', build: { outDir: '/tmp/prof/dist', emptyOutDir: true, minify: false } });
  const srv = await preview({ configFile: 'vite.config.ts', logLevel: 'warn', build: { outDir: '/tmp/prof/dist' }, preview: { port: 4192, strictPort: true, host: 'localhost' } });
  const server = { url: 'http://localhost:4192/harness.html', close: () => srv.close() };
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  await page.goto(server.url.replace('harness.html', '?demo'));
  await page.getByText(/300 of 300 score rows are usable/).waitFor({ timeout: 60_000 });
  await page.getByRole('group', { name: 'Presets' }).getByRole('button', { name: 'Quick demo', exact: true }).click();
  await page.getByLabel('Backend', { exact: true }).selectOption('wasm');
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 1000 });
  await page.getByRole('button', { name: 'Start' }).click();
  await page.waitForTimeout(15000);
  await cdp.send('Profiler.start');
  await page.waitForTimeout(30000);
  const { profile } = await cdp.send('Profiler.stop');
  writeFileSync('/tmp/prof/page.cpuprofile', JSON.stringify(profile));
  await browser.close(); await server.close();
}
main();
