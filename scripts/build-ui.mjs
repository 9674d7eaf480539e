// Bundles the dashboard's page (src/ui/app) into dist/ui/assets with esbuild, so the package
// serves every asset itself: one entry (main.js) whose heavy chart loads as a split chunk, one
// CSS file (ours and uPlot's), and index.html beside them (the server serves that folder).
// Entry names carry no hash: the server answers with `Cache-Control: no-cache`.
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const app = `${root}src/ui/app/`;
const outdir = `${root}dist/ui/assets`;

await rm(outdir, { recursive: true, force: true });
await mkdir(outdir, { recursive: true });
const shared = {
  bundle: true,
  minify: true,
  // No source maps: they would be 5 MB of the published package for a page of 1 MB.
  sourcemap: false,
  target: 'es2022',
  logLevel: 'warning',
};
await Promise.all([
  build({
    ...shared,
    entryPoints: { main: `${app}main.tsx` },
    outdir,
    format: 'esm',
    splitting: true,
    chunkNames: '[name]-[hash]',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    platform: 'browser',
  }),
  build({ ...shared, entryPoints: { app: `${app}styles/app.css` }, outdir }),
]);
await copyFile(`${app}index.html`, `${outdir}/index.html`);
