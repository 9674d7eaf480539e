/**
 * The per-host files of an execution-mode pipeline: `outputs/log-<host>` (every line, stamped
 * with the time, the process and the version) and `outputs/output-<host>` (one JSON line of
 * results per version). Lines are buffered and appended in batches, at most about once a second
 * on GCS (its per-object update limit), each batch under its own key until it has landed, so a
 * batch retried after a lost answer lands once.
 */
import { randomUUID } from 'node:crypto';
import { appendPipelineFile, type PipelineFile } from '../records/pipeline-records.js';
import type { Store } from '../store/types.js';

export class PipelineFiles {
  private readonly buffered: Record<PipelineFile, string> = { log: '', output: '' };
  private readonly pending: { file: PipelineFile; text: string; key: string }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private lastWrite = 0;
  private readonly minIntervalMs: number;

  constructor(
    private readonly store: Store,
    /** The host's name as it appears in the file names. */
    readonly host: string,
    private readonly agent: string,
  ) {
    // A margin over the store's limit, so that retries never meet it.
    this.minIntervalMs = Math.max(100, store.updateIntervalMs * 1.1);
  }

  /** Adds a line to the log: `<ISO time> <host:pid> [<script:version>] <text>`, one per line of `text`. */
  log(text: string, version?: string): void {
    const stamp = `${new Date().toISOString()} ${this.agent}${version === undefined ? '' : ` [${version}]`}`;
    for (const line of text.split(/\r?\n/)) this.buffered.log += `${stamp} ${line}\n`;
    this.schedule();
  }

  /** Adds one version's results to the output file. */
  output(entry: Record<string, unknown>): void {
    this.buffered.output += `${JSON.stringify(entry)}\n`;
    this.schedule();
  }

  /** Writes everything added so far. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.flushing = this.flushing.catch(() => undefined).then(() => this.writeAll());
    return this.flushing;
  }

  private schedule(): void {
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      // A failed background write is kept and retried by the next flush, whose caller sees it.
      this.flush().catch(() => undefined);
    }, this.minIntervalMs);
    this.timer.unref();
  }

  private async writeAll(): Promise<void> {
    for (const file of ['log', 'output'] as const) {
      if (this.buffered[file] === '') continue;
      this.pending.push({ file, text: this.buffered[file], key: randomUUID() });
      this.buffered[file] = '';
    }
    while (this.pending.length > 0) {
      const batch = this.pending[0]!;
      const wait = this.lastWrite + this.minIntervalMs - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      await appendPipelineFile(this.store, batch.file, this.host, batch.text, batch.key);
      this.lastWrite = Date.now();
      this.pending.shift();
    }
  }
}
