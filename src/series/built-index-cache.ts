/**
 * Indexes built in memory for series that have none stored, kept between reads by a reader that
 * must not write the store (the dashboard): the second chart of an old long series is then as
 * fast as one with an index. A scalars file only grows, so an index of its first bytes stays
 * true; the oldest entries go once the records held pass a byte budget.
 */
import type { BuiltIndex } from './build-series-index.js';
import { RECORD_BYTES } from './lod-format.js';

interface Entry {
  /** Where the built index starts in the file. */
  start: number;
  built: BuiltIndex;
  bytes: number;
}

export class BuiltIndexCache {
  private readonly entries = new Map<string, Entry>();
  private held = 0;

  /** @param budgetBytes the records held at most, in bytes. */
  constructor(private readonly budgetBytes = 256 * 1024 * 1024) {}

  /** The index built for `runId`'s file from byte `start`, if any. */
  get(runId: string, start: number): BuiltIndex | undefined {
    const entry = this.entries.get(runId);
    if (entry?.start !== start) return undefined;
    // Most recently used last.
    this.entries.delete(runId);
    this.entries.set(runId, entry);
    return entry.built;
  }

  set(runId: string, start: number, built: BuiltIndex): void {
    this.delete(runId);
    let bytes = 0;
    for (let level = 1; level <= built.builder.levels; level += 1) {
      bytes += built.builder.count(level) * RECORD_BYTES;
    }
    if (bytes > this.budgetBytes) return;
    this.entries.set(runId, { start, built, bytes });
    this.held += bytes;
    for (const id of this.entries.keys()) {
      if (this.held <= this.budgetBytes) break;
      this.delete(id);
    }
  }

  private delete(runId: string): void {
    const entry = this.entries.get(runId);
    if (entry === undefined) return;
    this.entries.delete(runId);
    this.held -= entry.bytes;
  }
}
