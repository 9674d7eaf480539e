/**
 * One run's file as read at one generation: its bytes, what filters over many runs need (id,
 * project, sweep, search text) and the record, decoded on first use. A cache of 100,000 runs loads
 * without decoding 100,000 records (about 2 s of one core); a page decodes the ones it shows.
 */
import { CorruptFileError } from '../skipped-files.js';
import type { ObjectInfo, Store } from '../store/types.js';
import { decodeRunRecord, type RunRecord } from './run-record.js';
import { readStringIfExists } from '../store/outcomes.js';

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** A run file read at one generation; its record decoded on first use. */
export class RunFile {
  #record: RunRecord | undefined;
  #searchText: string | Uint8Array;
  readonly #updatedMs: number;

  constructor(
    readonly id: string,
    readonly generation: string,
    /** When the store last wrote the file, in ms since the epoch. */
    updatedMs: number,
    readonly project: string,
    readonly sweepId: string | undefined,
    /** The search text, or its UTF-8 bytes (decoded on first use, as a cache holds it). */
    searchText: string | Uint8Array,
    /** The file's bytes as read at `generation`. */
    readonly bytes: Uint8Array,
    record?: RunRecord,
  ) {
    this.#updatedMs = updatedMs;
    this.#searchText = searchText;
    this.#record = record;
  }

  /** A file just read from the store, with its decoded record. */
  static read(
    record: RunRecord,
    info: Pick<ObjectInfo, 'generation' | 'updated'>,
    bytes: Uint8Array,
  ): RunFile {
    return new RunFile(
      record.id,
      info.generation,
      info.updated.getTime(),
      record.project,
      record.sweepId,
      searchTextOf(record),
      bytes,
      record,
    );
  }

  /** When the store last wrote the file: `lost` is judged by it, not by the writer's clock. */
  get updated(): Date {
    return new Date(this.#updatedMs);
  }

  /** Lower-case id, name, project, host and hyperparameter values, for a text filter. */
  get searchText(): string {
    if (typeof this.#searchText !== 'string') this.#searchText = decoder.decode(this.#searchText);
    return this.#searchText;
  }

  /**
   * The run record. Bytes from a cache decoded when they were first read from the store and are
   * checked by a digest since, so they decode again; if a library that cannot read them wrote
   * the cache anyway, the error says so rather than listing a run without its record.
   */
  get record(): RunRecord {
    if (this.#record === undefined) {
      const record = decodeRunRecord(decoder.decode(this.bytes));
      if (record === undefined) {
        throw new Error(
          `The cached copy of run ${this.id} holds no run record; delete the run index cache (ml-tracking's cache folder, run-index) and reload.`,
        );
      }
      this.#record = record;
    }
    return this.#record;
  }
}

/** What a text filter over runs searches: id, name, project, host and hyperparameter values. */
export function searchTextOf(record: RunRecord): string {
  const values = Object.values(record.hyperparameters).map((value) =>
    typeof value === 'string' ? value : JSON.stringify(value),
  );
  return [record.id, record.name, record.project, record.host, ...values].join('\n').toLowerCase();
}

/**
 * The record in a run's file with the file's bytes (what a cache of run files keeps);
 * `undefined` when the file does not exist.
 * @throws CorruptFileError when it holds no run record (binary bytes, a foreign table, a row
 * without its id, status, origin or times).
 */
export async function readCheckedRunFile(
  store: Store,
  path: string,
): Promise<{ record: RunRecord; bytes: Uint8Array } | undefined> {
  const text = await readStringIfExists(store, path);
  if (text === undefined) return undefined;
  const record = decodeRunRecord(text);
  if (record === undefined) {
    throw new CorruptFileError({ store: store.url, path, problem: runFileProblem(text) });
  }
  return { record, bytes: encoder.encode(text) };
}

/** Why `decodeRunRecord` found no run in a run's file, as far as can be told from outside. */
function runFileProblem(text: string): string {
  if (text.includes('\u0000')) return 'it holds binary bytes, not a run record';
  const header = text.slice(0, Math.max(0, text.indexOf('\n')));
  if (!header.split(',').includes('run_id')) {
    return 'its first line is not the runs table header (no run_id column)';
  }
  return 'its row is not a whole run record (run_id, status, origin, started_at or heartbeat_at missing or not valid)';
}
