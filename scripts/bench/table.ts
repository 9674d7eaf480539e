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
