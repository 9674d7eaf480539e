/*
 * runCommand: a child process run as a run. Its protocol lines become scalars, summary,
 * predictions and hyperparameters; every other line (stderr too) and every bad protocol line is
 * the run's log; bad lines are counted as warnings; the exit code is passed through; and a child
 * that calls startRun() itself joins the parent's run. Hostile output (a line nested 100,000
 * deep, a 600 MiB line) is output and a warning, never the parent's end; the command and what it
 * started die with the parent, even a SIGKILLed one; and a process the command left running with
 * its output open keeps nobody waiting.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_LINE_BYTES } from '../../src/runs/line-protocol.js';
import { isAlive, waitFor } from '../sweeps/sweep-helpers.js';
import {
  getRun,
  openStore,
  readScalars,
  runCommand,
  startRun,
  storeObjectUri,
  ValidationError,
  type ExperimentLogger,
  type Store,
} from '../../src/index.js';
import { builtProgram } from '../support/programs.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const JOINING_CHILD = builtProgram('test/support/run-workers/joining-child.ts');
const COMMAND_PARENT = builtProgram('test/support/run-workers/command-parent.ts');

let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'ml-tracking-run-command-'));
});
afterAll(() => rm(folder, { recursive: true, force: true }));

async function openRun(): Promise<{ store: Store; run: ExperimentLogger }> {
  const store = await openStore(`memory://${randomUUID()}`);
  const run = await startRun({
    project: 'Exec Parent',
    store,
    origin: 'exec',
    captureLog: true,
    closeOnExit: false,
  });
  return { store, run };
}

/** A `node -e` command that prints `lines` on stdout (and `errors` on stderr), then exits. */
function nodePrinting(lines: string[], errors: string[], exitCode: number): string[] {
  const script = [
    `for (const line of ${JSON.stringify(lines)}) process.stdout.write(line + '\\n');`,
    `for (const line of ${JSON.stringify(errors)}) process.stderr.write(line + '\\n');`,
    `process.exitCode = ${exitCode};`,
  ].join('\n');
  return [process.execPath, '-e', script];
}

describe('runCommand', () => {
  it('turns protocol lines into the run, keeps the rest as its log, and passes the exit code on', async () => {
    const { store, run } = await openRun();
    const predictionId = randomUUID();
    const good = [
      '{"ml_tracking": "scalar", "tag": "loss", "value": 0.5}',
      '{"ml_tracking": "scalar", "tag": "loss", "value": 0.25}',
      '{"ml_tracking": "scalar", "tag": "accuracy", "value": 0.9, "step": 10}',
      '{"ml_tracking": "scalar", "tag": "loss", "value": 0.125}',
      '{"ml_tracking": "summary", "values": {"test_accuracy": 0.91}}',
      `{"ml_tracking": "prediction", "prediction_id": "${predictionId}"}`,
      '{"ml_tracking": "hyperparameters", "values": {"lr": 0.01, "layers": [8, 4]}}',
      '{"ml_tracking": "status", "status": "early_stopped"}',
    ];
    const malformed = [
      '{"ml_tracking": "scalar", "tag": "loss", "value": NaN}',
      '{"ml_tracking": "scalar", "tag": "loss", "value": "0.1"}',
      '{"ml_tracking": "metric"}',
      // Kept visibly rather than lost: JSON keeps the key, an assignment would drop it.
      '{"ml_tracking": "hyperparameters", "values": {"__proto__": {"lr": 1}}}',
      '{"ml_tracking": "summary", "values": {"__proto__": 1}}',
    ];
    // Messages that parse but the run refuses: each is a warning too, never a crash.
    const refused = [
      '{"ml_tracking": "scalar", "tag": "loss", "value": 1e999}',
      '{"ml_tracking": "scalar", "tag": "", "value": 1}',
      '{"ml_tracking": "scalar", "tag": "loss", "value": 1, "step": -1}',
      '{"ml_tracking": "summary", "values": {"x": "high"}}',
      '{"ml_tracking": "prediction", "prediction_id": "not-an-id"}',
    ];
    const ordinary = ['Epoch 1/2', '{"loss": 0.5}', 'done, ünïcode ✓'];
    const stdout = [ordinary[0]!, ...good.slice(0, 3), ...malformed, ordinary[1]!];
    stdout.push(...refused, ...good.slice(3), ordinary[2]!);
    const outputs: [string, string][] = [];
    const scalars: [string, number, number][] = [];
    const command = runCommand({
      command: nodePrinting(stdout, ['a warning on stderr'], 3),
      logger: run,
      storeUrl: store.url,
      onOutput: (line, stream) => outputs.push([line, stream]),
      onScalar: (tag, value, step) => scalars.push([tag, value, step]),
    });
    expect(command.pid).toEqual(expect.any(Number));
    const outcome = await command.done;
    expect(outcome).toMatchObject({
      exitCode: 3,
      signal: null,
      reportedStatus: { status: 'early_stopped' },
    });
    expect(outcome.warnings).toHaveLength(malformed.length + refused.length);
    expect(outcome.warnings.filter((w) => w.startsWith('malformed'))).toHaveLength(5);
    expect(outcome.warnings.filter((w) => w.startsWith('refused'))).toHaveLength(5);
    expect(scalars).toEqual([
      ['loss', 0.5, 0],
      ['loss', 0.25, 1],
      ['accuracy', 0.9, 10],
      ['loss', 0.125, 2],
    ]);
    const kept = [...ordinary, ...malformed, ...refused];
    expect(
      outputs
        .filter(([, stream]) => stream === 'stdout')
        .map(([line]) => line)
        .sort(),
    ).toEqual([...kept].sort());
    expect(outputs.filter(([, stream]) => stream === 'stderr')).toEqual([
      ['a warning on stderr', 'stderr'],
    ]);

    const record = await run.finish({ status: 'failed', error: 'exited with code 3' });
    const stored = await getRun(run.id, { store });
    expect(stored).toEqual(record);
    expect(stored).toMatchObject({
      project: 'exec-parent',
      origin: 'exec',
      status: 'failed',
      hyperparameters: { lr: 0.01, layers: [8, 4] },
      predictionIds: [predictionId],
      logUri: storeObjectUri(store.url, `run-logs/${run.id}.log`),
    });
    expect(stored.summary).toEqual({
      loss: { last: 0.125, lastStep: 2, min: 0.125, minStep: 2, max: 0.5, maxStep: 0, count: 3 },
      accuracy: { last: 0.9, lastStep: 10, min: 0.9, minStep: 10, max: 0.9, maxStep: 10, count: 1 },
      test_accuracy: {
        last: 0.91,
        lastStep: 0,
        min: 0.91,
        minStep: 0,
        max: 0.91,
        maxStep: 0,
        count: 0,
      },
    });
    const series = await readScalars(run.id, { store });
    expect(Array.from(series.loss?.step ?? [])).toEqual([0, 1, 2]);
    expect(Array.from(series.loss?.value ?? [])).toEqual([0.5, 0.25, 0.125]);
    expect(Array.from(series.accuracy?.step ?? [])).toEqual([10]);
    expect(Object.keys(series).sort()).toEqual(['accuracy', 'loss']);

    const log = (await store.readText(`run-logs/${run.id}.log`)).split('\n');
    for (const line of [...kept, 'a warning on stderr']) expect(log).toContain(line);
    for (const line of good) expect(log).not.toContain(line);
    // stdout lines keep their order in the log.
    const stdoutInLog = log.filter((line) => stdout.includes(line));
    expect(stdoutInLog).toEqual(stdout.filter((line) => kept.includes(line)));
  });

  it('joins a child that calls startRun() to the parent run: same id, its points, summary and prediction', async () => {
    const { store, run } = await openRun();
    const predictionId = randomUUID();
    const outputs: string[] = [];
    const outcome = await runCommand({
      command: [process.execPath, JOINING_CHILD, predictionId, '3000', 'finish'],
      logger: run,
      storeUrl: store.url,
      onOutput: (line) => outputs.push(line),
    }).done;
    expect(outcome, outputs.join('\n')).toMatchObject({ exitCode: 0, signal: null, warnings: [] });
    expect(outcome.reportedStatus).toEqual({ status: 'finished' });
    // The child's startRun() returned the parent's run, project included.
    expect(outputs).toContain(`child run ${run.id} project exec-parent`);
    expect(outputs).toContain('child: done training');

    await run.finish();
    const stored = await getRun(run.id, { store });
    expect(stored.predictionIds).toEqual([predictionId]);
    expect(stored.hyperparameters).toEqual({ from_child: 1 });
    expect(stored.summary.loss).toEqual({
      last: 1 / 3000,
      lastStep: 2999,
      min: 1 / 3000,
      minStep: 2999,
      max: 1,
      maxStep: 0,
      count: 3000,
    });
    expect(stored.summary.accuracy).toMatchObject({ last: 0.5, lastStep: 7, count: 1 });
    expect(stored.summary.test_accuracy).toMatchObject({ last: 0.875, count: 0 });
    const series = await readScalars(run.id, { store });
    expect(Array.from(series.loss?.step ?? [])).toEqual(Array.from({ length: 3000 }, (_, i) => i));
    expect(series.loss?.value[2999]).toBe(1 / 3000);
    expect(Array.from(series.f1?.step ?? [])).toEqual([7]);
    // No run of its own: the store holds the parent's run only.
    expect((await store.list('runs/')).objects.map((object) => object.path)).toEqual([
      `runs/${run.id}.csv`,
    ]);
    const log = await store.readText(`run-logs/${run.id}.log`);
    expect(log).toContain('child: done training');
    expect(log).not.toContain('"ml_tracking"');
  });

  it('hears how a joined child ended: early stopping, or finished by its exit hooks', async () => {
    for (const [ending, status] of [
      ['early-stop', 'early_stopped'],
      ['no-finish', 'finished'],
    ] as const) {
      const { store, run } = await openRun();
      const outcome = await runCommand({
        command: [process.execPath, JOINING_CHILD, randomUUID(), '10', ending],
        logger: run,
        storeUrl: store.url,
      }).done;
      expect(outcome, ending).toMatchObject({ exitCode: 0, reportedStatus: { status } });
      await run.finish({ status });
      const series = await readScalars(run.id, { store });
      expect(series.loss?.step.length, ending).toBe(10);
    }
  });

  it('stops a child that ignores SIGTERM with SIGKILL after the grace period', async () => {
    const { store, run } = await openRun();
    let ready: () => void = () => undefined;
    const isReady = new Promise<void>((resolve) => (ready = resolve));
    const command = runCommand({
      command: [
        process.execPath,
        '-e',
        "process.on('SIGTERM', () => console.log('ignoring SIGTERM')); setInterval(() => {}, 1000); console.log('ready');",
      ],
      logger: run,
      storeUrl: store.url,
      onOutput: (line) => {
        if (line === 'ready') ready();
      },
    });
    await isReady;
    const outcome = await command.terminate(300);
    expect(outcome).toMatchObject({ exitCode: null, signal: 'SIGKILL' });
    await run.finish({ status: 'failed', error: 'killed' });
    const log = await store.readText(`run-logs/${run.id}.log`);
    expect(log).toContain('ignoring SIGTERM');
  });

  it('refuses an empty command, and a program that does not exist', async () => {
    const { store, run } = await openRun();
    expect(() => runCommand({ command: [], logger: run, storeUrl: store.url })).toThrow(
      ValidationError,
    );
    const error: unknown = await runCommand({
      command: [join(root, 'no-such-program')],
      logger: run,
      storeUrl: store.url,
    }).done.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ parameter: 'command' });
    await run.finish({ error });
  });

  it('survives a line nested 100,000 deep and a 600 MiB line: each is output and one warning, the lines around them count', async () => {
    const { store, run } = await openRun();
    // The child makes the long line as a stream (1 MiB at a time, waiting for the pipe), so
    // neither process ever holds it whole.
    const script = `
      const write = (text) =>
        new Promise((resolve) => (process.stdout.write(text) ? resolve() : process.stdout.once('drain', resolve)));
      (async () => {
        await write('{"ml_tracking": "scalar", "tag": "loss", "value": 1}\\n');
        await write('{"ml_tracking": "hyperparameters", "values": {"deep": ' + '['.repeat(100000) + ']'.repeat(100000) + '}}\\n');
        await write('{"ml_tracking": "scalar", "tag": "loss", "value": 2}\\n');
        await write('{"ml_tracking": "scalar", "tag": "');
        const mebibyte = 'x'.repeat(1024 * 1024);
        for (let i = 0; i < 600; i += 1) await write(mebibyte);
        await write('", "value": 3}\\n');
        await write('{"ml_tracking": "scalar", "tag": "loss", "value": 4}\\n');
        await write('after the long line\\n');
      })();`;
    const outputs: string[] = [];
    const outcome = await runCommand({
      command: [process.execPath, '-e', script],
      logger: run,
      storeUrl: store.url,
      stdin: 'ignore',
      onOutput: (line) => outputs.push(line),
    }).done;
    expect(outcome).toMatchObject({ exitCode: 0, signal: null });
    expect(outcome.warnings).toHaveLength(2);
    expect(outcome.warnings[0]).toMatch(/^malformed ml_tracking line \(nested deeper than 64 /);
    expect(outcome.warnings[1]).toMatch(/longer than 1 MiB/);
    // Both hostile lines are output: the deep one whole, the long one cut to 1 MiB.
    expect(outputs).toHaveLength(3);
    expect(outputs[0]).toMatch(/^\{"ml_tracking": "hyperparameters", "values": \{"deep": \[\[\[/);
    const head = '{"ml_tracking": "scalar", "tag": "';
    expect(outputs[1]).toBe(head + 'x'.repeat(MAX_LINE_BYTES - head.length));
    expect(outputs[2]).toBe('after the long line');

    await run.finish();
    const series = await readScalars(run.id, { store });
    expect(Array.from(series.loss?.value ?? [])).toEqual([1, 2, 4]);
    expect(Object.keys(series)).toEqual(['loss']);
    const stored = await getRun(run.id, { store });
    expect(stored.hyperparameters).toEqual({});
    const log = await store.readText(`run-logs/${run.id}.log`);
    expect(log.endsWith('after the long line\n')).toBe(true);
  }, 120_000);

  it('does not wait for a process the command left running with its output open, and ends that process', async () => {
    const { store, run } = await openRun();
    const pidFile = join(folder, `background-${randomUUID()}.pid`);
    const outputs: string[] = [];
    const command = runCommand({
      command: ['sh', '-c', `sleep 300 & echo $! > ${pidFile}; echo done`],
      logger: run,
      storeUrl: store.url,
      stdin: 'ignore',
      onOutput: (line) => outputs.push(line),
    });
    const outcome = await Promise.race([
      command.done,
      new Promise<'still waiting'>((resolve) =>
        setTimeout(() => {
          resolve('still waiting');
        }, 60_000),
      ),
    ]);
    expect(outcome).toMatchObject({ exitCode: 0, signal: null, warnings: [] });
    expect(outputs).toEqual(['done']);
    const leftover = Number(await readFile(pidFile, 'utf8'));
    await waitFor('the background sleep to be ended', () => !isAlive(leftover), 30_000);
    await run.finish();
  }, 90_000);

  describe('a parent killed by SIGKILL', () => {
    // The command ignores SIGTERM (it takes SIGKILL to end it) and starts a process of its own.
    const CHILD = `
      const { spawn } = require('node:child_process');
      const { writeFileSync } = require('node:fs');
      process.on('SIGTERM', () => undefined);
      const grandchild = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
      writeFileSync(process.argv[1] + '/pids', process.pid + ' ' + grandchild.pid);
      console.log('ready');
      setInterval(() => {}, 1000);`;

    async function killParentMidCommand(options: Record<string, unknown>) {
      const work = await mkdtemp(join(folder, 'parent-'));
      const parent = spawn(
        process.execPath,
        [
          COMMAND_PARENT,
          join(work, 'store'),
          JSON.stringify(options),
          '--',
          process.execPath,
          '-e',
          CHILD,
          work,
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let output = '';
      parent.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      parent.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const exited = new Promise((resolve) => parent.once('exit', resolve));
      await waitFor(`the command to start (${output})`, () => output.includes('ready\n'), 30_000);
      const [child = 0, grandchild = 0] = (await readFile(join(work, 'pids'), 'utf8'))
        .split(' ')
        .map(Number);
      expect(isAlive(child) && isAlive(grandchild)).toBe(true);
      parent.kill('SIGKILL');
      await exited;
      return { child, grandchild };
    }

    const cleanUp = (...pids: number[]) => {
      for (const pid of pids) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    };

    for (const [what, options] of [
      ['stdin ignored (a trial), a short grace period', { stdin: 'ignore', graceMs: 300 }],
      ['the defaults (exec without a terminal)', {}],
    ] as const) {
      it(`takes the command and what it started with it: ${what}`, async () => {
        const { child, grandchild } = await killParentMidCommand(options);
        try {
          await waitFor(
            'the command and its child to end',
            () => !isAlive(child) && !isAlive(grandchild),
            30_000,
          );
        } finally {
          cleanUp(child, grandchild);
        }
      }, 60_000);
    }

    it('without a process group of its own, takes the command itself', async () => {
      const { child, grandchild } = await killParentMidCommand({
        stdin: 'ignore',
        graceMs: 300,
        ownProcessGroup: false,
      });
      try {
        await waitFor('the command to end', () => !isAlive(child), 30_000);
      } finally {
        cleanUp(child, grandchild);
      }
    }, 60_000);
  });
});
