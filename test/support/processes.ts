import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Runs a TypeScript file of this repository in a new Node process; rejects on a non-zero exit. */
export function runTypeScript(
  file: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file, ...args], {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve({ stdout, stderr });
      else reject(new Error(`${file} ${args.join(' ')} exited with ${code}:\n${stderr}`));
    });
  });
}

/** Checks that `text` holds exactly the rows the append workers wrote, each once and intact. */
export function expectedWorkerRows(workers: number, rowsEach: number): Set<string> {
  const rows = new Set<string>();
  for (let worker = 0; worker < workers; worker += 1) {
    for (let row = 0; row < rowsEach; row += 1) {
      rows.add(`worker-${worker},row-${row},${'x'.repeat(120)},end`);
    }
  }
  return rows;
}
