// A pipeline folder of two model scripts × three versions, for the tests and the benchmark that
// run `ml-tracking pipeline -r` as real processes. Every model appends `<script>:<version> <pid>`
// to PIPELINE_RAN_FILE as it starts, so "ran twice" is counted by the models themselves, not
// inferred from the store.
import { spawnSync } from 'node:child_process';
import { appendFile, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listRuns } from '../../src/runs/read-runs.js';
import type { RunRecord } from '../../src/runs/run-record.js';
import type { Store } from '../../src/store/types.js';

const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));
export const PROJECT = 'shared';
export const SCRIPTS = ['alpha', 'beta'];
export const VERSIONS = ['v1', 'v2', 'v3'];
/** Every version as `script:version`. */
export const ALL = SCRIPTS.flatMap((script) => VERSIONS.map((version) => `${script}:${version}`));

// A model that takes SLOW_VERSION_MS to train (a minute for the version SLOW_VERSION names), and
// says when it starts: `<script>:<version> <pid>` appended to PIPELINE_RAN_FILE.
const script = (name: string) => `
import { appendFileSync } from 'node:fs';
import { DataLoader, defineVersions } from 'ml-tracking';

class Numbers extends DataLoader {
  getTrainSampleCount() { return 8; }
  getTestSampleCount() { return 4; }
  getTrainInput() { return [1, 2, 3, 4, 5, 6, 7, 8]; }
  getTestInput() { return [1, 2, 3, 4]; }
}

export const model = {
  async trainModel(ctx) {
    appendFileSync(process.env.PIPELINE_RAN_FILE, \`${name}:\${ctx.version.name} \${process.pid}\\n\`);
    const steps = ctx.version.epochCount * ctx.stepsPerEpoch;
    const slow = process.env.SLOW_VERSION === \`${name}:\${ctx.version.name}\`;
    const pause = (slow ? 60000 : Number(process.env.SLOW_VERSION_MS ?? 300)) / steps;
    for (let step = 1; step <= steps; step++) {
      await new Promise((resolve) => setTimeout(resolve, pause));
      ctx.run.addScalar('loss', 1 / step, step);
    }
  },
  evaluateModel() {
    return { accuracy: 0.5 };
  },
};

export const versions = defineVersions(
  ${JSON.stringify(VERSIONS)}.map((name) => ({ name, dataLoader: new Numbers(), batchSize: 4, epochCount: 2 })),
);
`;

/**
 * Writes the pipeline into `folder` (created), resolving `ml-tracking` to this repository as an
 * installed package; resolves the folder and its (empty) ran-file.
 */
export async function writePipelineFolder(
  folder: string,
): Promise<{ folder: string; ranFile: string }> {
  await mkdir(join(folder, 'models'), { recursive: true });
  await mkdir(join(folder, 'node_modules'));
  await symlink(repositoryRoot, join(folder, 'node_modules', 'ml-tracking'), 'dir');
  await writeFile(
    join(folder, 'ml-tracking.pipeline.json'),
    JSON.stringify({ project: PROJECT, modelDirs: ['models'] }),
  );
  await writeFile(join(folder, 'models.config'), 'use_blacklist = true\n\n[BLACKLISTED_MODELS]\n');
  for (const name of SCRIPTS) await writeFile(join(folder, 'models', `${name}.mjs`), script(name));
  const ranFile = join(folder, 'ran.txt');
  await appendFile(ranFile, '');
  return { folder, ranFile };
}

/** How often each version started, by `script:version`, and in which process. */
export async function starts(ranFile: string): Promise<Map<string, number[]>> {
  const byVersion = new Map<string, number[]>();
  for (const line of (await readFile(ranFile, 'utf8')).split('\n')) {
    const [version, pid] = line.split(' ');
    if (version === undefined || pid === undefined) continue;
    byVersion.set(version, [...(byVersion.get(version) ?? []), Number(pid)]);
  }
  return byVersion;
}

/** The project's runs by `script:version`, with their statuses as stored. */
export async function runsByVersion(store: Store): Promise<Map<string, RunRecord[]>> {
  const byVersion = new Map<string, RunRecord[]>();
  for (const run of await listRuns({ store, project: PROJECT })) {
    const key = `${run.pipelineScript}:${run.pipelineVersion}`;
    byVersion.set(key, [...(byVersion.get(key) ?? []), run]);
  }
  return byVersion;
}

/**
 * The command that runs a process in a PID namespace of its own (`unshare --pid --fork
 * --mount-proc`), as in a container: same host name as its neighbours, its own pids. `padding`
 * commands run first, so that two such sandboxes' processes get different pids (equal pids would
 * hide a pid compared across namespaces). For `startCli`'s `wrap`.
 */
export function pidNamespaceWrap(padding: number): string[] {
  // Not `exec`: the shell stays pid 1, and the wrapped process gets pid 2 + padding.
  const command = [...Array<string>(padding).fill('/bin/true;'), `"$0" "$@"`].join(' ');
  return ['unshare', '--pid', '--fork', '--mount-proc', 'sh', '-c', command];
}

/** Whether this machine lets us run `unshare --pid --fork --mount-proc` (root, util-linux). */
export function canUnsharePid(): boolean {
  const probe = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'true']);
  return probe.status === 0;
}
