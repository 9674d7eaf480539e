import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { builtProgram, root } from './programs.js';

export interface ProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a program and collects its exit code and output; stdin is closed. */
export function runProcess(
  command: string,
  args: string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? root,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * Runs a program of this repository (`src/cli/main.ts`, a test worker) in a new Node process, from
 * its build (see `programs.ts`), and collects its output.
 */
export function runNodeProgram(
  file: string,
  args: string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): Promise<ProcessResult> {
  return runProcess(process.execPath, [builtProgram(file), ...args], options);
}

/** Like {@link runNodeProgram}, but rejects on a non-zero exit. */
export async function runNodeProgramOk(
  file: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<ProcessResult> {
  const result = await runNodeProgram(file, args, { env });
  if (result.code !== 0)
    throw new Error(`${file} ${args.join(' ')} exited with ${result.code}:\n${result.stderr}`);
  return result;
}

/** The rows the append workers write, each once. */
export function expectedWorkerRows(workers: number, rowsEach: number): Set<string> {
  const rows = new Set<string>();
  for (let worker = 0; worker < workers; worker += 1) {
    for (let row = 0; row < rowsEach; row += 1) {
      rows.add(`worker-${worker},row-${row},${'x'.repeat(120)},end`);
    }
  }
  return rows;
}

/** The process group a process is in (field 5 of /proc/<pid>/stat; Linux). */
export function processGroupOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
}
