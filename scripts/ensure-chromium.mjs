// Installs Debian's chromium for the dashboard's browser tests when it is missing and this user
// may (root, or CI with sudo): Playwright's own browser download cannot be reached from these
// machines, and its `playwright-core` drives a system Chromium as well. Elsewhere (a laptop
// without root) it only says so: the browser tests then skip and print why, except on CI, where
// they fail.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const executable = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (existsSync(executable)) process.exit(0);

const root = process.getuid?.() === 0;
const hasSudo = !root && existsSync('/usr/bin/sudo') && process.env.CI !== undefined;
if (!existsSync('/usr/bin/apt-get') || (!root && !hasSudo)) {
  console.log(
    `No Chromium at ${executable}: the dashboard's browser tests will skip. Install it (Debian: apt-get install chromium) or set CHROMIUM_PATH.`,
  );
  process.exit(0);
}
console.log('Installing Debian’s chromium for the dashboard’s browser tests (about a minute) …');
const run = (argv) =>
  execFileSync(hasSudo ? 'sudo' : argv[0], hasSudo ? argv : argv.slice(1), {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
run(['apt-get', 'update', '-qq']);
run(['apt-get', 'install', '-y', '-qq', 'chromium']);
