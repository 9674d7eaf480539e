// Installs the firebase Storage emulator for the GCS test tier into test/support/emulator/, from
// that folder's own lock file, unless the pinned version is already there. It lives outside the
// project's install because firebase-tools is 310 MB and its optional re2 compiles C++ for
// minutes; --omit=optional skips that build (the emulator does not need it).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const folder = fileURLToPath(new URL('../test/support/emulator/', import.meta.url));
const wanted = JSON.parse(readFileSync(`${folder}package.json`, 'utf8')).dependencies[
  'firebase-tools'
];
const installed = `${folder}node_modules/firebase-tools/package.json`;
if (existsSync(installed) && JSON.parse(readFileSync(installed, 'utf8')).version === wanted) {
  process.exit(0);
}
console.log(`Installing the GCS emulator (firebase-tools ${wanted}) into ${folder} …`);
execFileSync(
  'npm',
  ['ci', '--prefix', folder, '--omit=optional', '--no-audit', '--no-fund', '--loglevel=error'],
  { stdio: 'inherit' },
);
