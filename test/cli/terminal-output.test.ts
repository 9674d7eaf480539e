// User data that carries terminal control sequences (a run name, a tag, a trial's output, an
// error) must reach the terminal as visible text, never as a command to it: an OSC that sets the
// window title, a CSI that clears the screen, a C1 CSI, a backspace that hides what precedes it.
// runCli in this process, on a local store: what it writes is what a terminal would get.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/runs/run-record.js';
import { startRun } from '../../src/runs/start-run.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/types.js';
import { terminalText } from '../../src/cli/_terminal-text.js';
import { cli } from './_in-process.js';

const TITLE = '\x1b]0;pwned\x07';
const CLEAR = '\x1b[2J';
const C1_CSI = '\x9b31m';
const HIDDEN = 'shown\b\b\b\b\bhide\x7f';
const EVIL = `${TITLE}${CLEAR}${C1_CSI}${HIDDEN}`;

/** C0 (but tab and newline), DEL and C1: what a terminal acts on instead of showing. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

let folder: string;
let store: Store;
let evilRun: RunRecord;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'ml-tracking-terminal-'));
  store = await openStore(join(folder, 'store'));
  const run = await startRun({
    project: 'terminal',
    name: `name ${EVIL}`,
    store,
    hyperparameters: { optimizer: `adam ${EVIL}` },
    closeOnExit: false,
  });
  run.addScalars({ [`loss ${EVIL}`]: 0.5 });
  evilRun = await run.finish({ error: new Error(`it broke ${EVIL}`) });
}, 60_000);
afterAll(() => rm(folder, { recursive: true, force: true }));

function expectNoControlCharacters(text: string): void {
  const found = CONTROL.exec(text);
  expect(found, `control character at ${found?.index}: ${JSON.stringify(text)}`).toBeNull();
}

describe('terminalText', () => {
  const everyControl = Array.from({ length: 0xa0 }, (_, code) => String.fromCharCode(code))
    .filter((character) => CONTROL.test(character) || character === '\t' || character === '\n')
    .join('');

  it('leaves no control character, keeping tab and newline only where lines are meant', () => {
    expectNoControlCharacters(terminalText(`${everyControl}\u202e`, { lineBreaks: true }));
    const oneLine = terminalText(`a\tb\nc${EVIL}`);
    expect(oneLine).toBe(
      'a\\u0009b\\u000ac\\u001b]0;pwned\\u0007\\u001b[2J\\u009b31mshown\\u0008\\u0008\\u0008\\u0008\\u0008hide\\u007f',
    );
    expect(terminalText(oneLine)).toBe(oneLine);
  });

  it('keeps JSON the same data: what it escapes is a JSON escape', () => {
    const value = { name: `${everyControl}${EVIL}\\u001b`, 'key\u009b': [1, '\u202e'] };
    const printed = terminalText(JSON.stringify(value, null, 2), { lineBreaks: true });
    expectNoControlCharacters(printed);
    expect(JSON.parse(printed)).toEqual(value);
  });
});

describe('user data printed by the CLI', () => {
  it('runs: the name is shown with its control characters escaped, none reaches the terminal', async () => {
    const result = await cli(['runs', '--store', store.url]);
    expect(result.code).toBe(0);
    expectNoControlCharacters(result.stdout);
    // Escaped, not dropped: the reader sees that the name carries something odd.
    expect(result.stdout).toContain('name \\u001b]0;pwned\\u0007\\u001b[2J\\u009b31mshown\\u0008');
    // Still one row per run, its columns aligned.
    expect(result.stdout.trimEnd().split('\n')).toHaveLength(2);
  });

  it('run <id>: the name, the hyperparameters, the error and the tags come out escaped', async () => {
    const result = await cli(['run', evilRun.id, '--store', store.url]);
    expect(result.code).toBe(0);
    expectNoControlCharacters(result.stdout);
    expect(result.stdout).toContain('\\u001b]0;pwned\\u0007');
    expect(result.stdout).toMatch(/^loss \\u001b\]0;pwned/m);
    expect(result.stdout).toMatch(/^error +.*it broke \\u001b\]0;pwned/m);
  });

  it('--json stays the exact data: it parses back to the name with its control characters', async () => {
    const result = await cli(['runs', '--json', '--store', store.url]);
    expect(result.code).toBe(0);
    expectNoControlCharacters(result.stdout);
    const [run] = JSON.parse(result.stdout) as { name: string }[];
    expect(run?.name).toBe(`name ${EVIL}`);
    const one = await cli(['run', evilRun.id, '--json', '--store', store.url]);
    expect((JSON.parse(one.stdout) as { error: string }).error).toContain(EVIL);
  });

  it('an error message that quotes the user reaches stderr escaped', async () => {
    const result = await cli(['run', `missing${EVIL}`, '--store', store.url]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/^ml-tracking: /);
    expectNoControlCharacters(result.stderr);
  });
});

describe("a sweep's event lines", () => {
  it("print the trial's values, output, tags and error without a control character", async () => {
    const sweepFolder = join(folder, 'sweep');
    await mkdir(sweepFolder);
    await writeFile(
      join(sweepFolder, 'trial.py'),
      [
        'import json, sys',
        `evil = ${JSON.stringify(EVIL)}`,
        'print("out " + evil, flush=True)',
        'print("err " + evil, file=sys.stderr, flush=True)',
        'print(json.dumps({"ml_tracking": "scalar", "tag": "acc", "value": 0.5, "step": 0}), flush=True)',
        'print(json.dumps({"ml_tracking": "status", "status": "failed", "error": "failed " + evil}), flush=True)',
        '',
      ].join('\n'),
    );
    await writeFile(
      join(sweepFolder, 'experiment_cfg.json'),
      JSON.stringify({
        main_script_name: 'trial.py',
        hyperparameters: { word: { type: 'choice', candidates: [`w ${EVIL}`] } },
        max_runs: 1,
        early_stopping: false,
        optimization_metric: 'acc',
        optimization_goal: 'max',
        project: 'terminal-sweep',
      }),
    );
    const result = await cli([
      'sweep',
      '--config',
      join(sweepFolder, 'experiment_cfg.json'),
      '--store',
      join(folder, 'sweep-store'),
    ]);
    // The trial failed (its status line says so): the sweep exits 1.
    expect(result.code, result.stderr).toBe(1);
    expectNoControlCharacters(result.stdout);
    expectNoControlCharacters(result.stderr);
    expect(result.stdout).toContain('[trial 0] out \\u001b]0;pwned\\u0007');
    expect(result.stdout).toContain('[trial 0] err \\u001b]0;pwned\\u0007');
    expect(result.stdout).toMatch(/^\[trial 0\] started run \S+ \{"word":"w \\u001b\]0;pwned/m);
    expect(result.stdout).toMatch(/^\[trial 0\] failed, best 0\.5: failed \\u001b\]0;pwned/m);
    const sweepId = /^sweep (\S+):/m.exec(result.stdout)?.[1] ?? '';
    const shown = await cli(['sweep', 'show', sweepId, '--store', join(folder, 'sweep-store')]);
    expect(shown.code).toBe(0);
    expectNoControlCharacters(shown.stdout);
    expect(shown.stdout).toContain('w \\u001b]0;pwned');
  }, 60_000);
});
