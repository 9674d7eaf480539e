// Rewrites dashboards/screenshots/ (the README's pictures of the dashboard) from the browser tests
// of this version: every test file under test/ui/ that takes a screenshot runs with
// UPDATE_SCREENSHOTS=1 (test/support/browser.ts writes them), then the check of the pictures.
// Needs Chromium (node scripts/ensure-chromium.mjs) and a build (vitest's global setup makes it).
import { spawnSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const folder = 'test/ui/';
const files = [];
for (const name of (await readdir(`${root}${folder}`)).sort()) {
  if (!name.endsWith('.browser.test.ts')) continue;
  const text = await readFile(`${root}${folder}${name}`, 'utf8');
  if (text.includes('takeScreenshot(')) files.push(`${folder}${name}`);
}
const vitest = (args, env = {}) =>
  spawnSync('npx', ['vitest', 'run', ...args], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, ...env },
  }).status ?? 1;

console.log(`taking the screenshots in ${files.join(', ')}`);
let status = vitest(files, { UPDATE_SCREENSHOTS: '1' });
if (status === 0) status = vitest([`${folder}screenshots.browser.test.ts`]);
process.exit(status);
