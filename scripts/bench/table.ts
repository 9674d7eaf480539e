import { readFileSync } from 'node:fs';
/** Prints rows as a Markdown table, ready to paste into the README. */
export function printTable(title: string, rows: Record<string, string | number>[]): void {
  const first = rows[0];
  if (!first) return;
  const columns = Object.keys(first);
  const cell = (value: string | number | undefined) => String(value ?? '');
  console.log(`\n### ${title}\n`);
  console.log(`| ${columns.join(' | ')} |`);
  console.log(`| ${columns.map((column, index) => (index === 0 ? '---' : '---:')).join(' | ')} |`);
  for (const row of rows)
    console.log(`| ${columns.map((column) => cell(row[column])).join(' | ')} |`);
}

/** Bytes this process has written through system calls so far (Linux), else undefined. */
export async function bytesWrittenByProcess(): Promise<number | undefined> {
  const { readFile } = await import('node:fs/promises');
  try {
    const io = await readFile('/proc/self/io', 'utf8');
    const match = /^wchar: (\d+)$/m.exec(io);
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(0)} MB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${bytes.toFixed(0)} B`;
}

/**
 * Peak resident memory of this process in MB. Linux's VmHWM belongs to the address space that
 * exec created, whereas `resourceUsage().maxRSS` also counts the parent's pages at fork time.
 */
export function peakRssMegabytes(): string {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(status);
    if (match) return (Number(match[1]) / 1024).toFixed(0);
  } catch {
    // Not Linux: fall back to what Node reports.
  }
  return (process.resourceUsage().maxRSS / 1024).toFixed(0);
}
