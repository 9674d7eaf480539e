/**
 * Reading a series index: from the store (`scalars-lod/<run_id>/v1/`, see `lod-format.ts`) or
 * from a builder in memory, and its frontier: the fewest records that cover the indexed prefix
 * of the scalars file (the top level whole, then on each level below the blocks not yet grouped
 * into the level above). Nothing read is trusted: records that do not tile the file in order are
 * an {@link IndexProblem}, and a reader then decodes the file instead.
 */
import { scalarsLodFolder, scalarsLodLevelPath, scalarsLodTagsPath } from '../layout/paths.js';
import { readIfExists } from '../store/outcomes.js';
import type { Store } from '../store/types.js';
import type { LodBuilder } from './lod-builder.js';
import { IndexProblem } from './index-problem.js';
import { decodeRecords, decodeTags, FIELD, RECORD_BYTES, RECORD_FIELDS } from './lod-format.js';

/** Where an index's records come from. */
export interface LodSource {
  /** Tag names by number. */
  readonly tags: readonly string[];
  /**
   * Records `from … to - 1` of `level` (from 1).
   * @throws IndexProblem when the level holds fewer.
   */
  read(level: number, from: number, to: number): Promise<Float64Array>;
}

/** Records of one level, in file order. */
export interface LodRun {
  source: LodSource;
  level: number;
  records: Float64Array;
}

/** The records that cover the index's prefix of the scalars file, coarsest first. */
export interface LodFrontier {
  runs: LodRun[];
  /** Where the covered prefix ends (0: nothing indexed). */
  coverage: number;
}

/** Bytes read from the end of each level below the top at once: the blocks not yet grouped. */
const LEVEL_TAIL_BYTES = 64 * 1024;

/**
 * The coarsest levels are read whole at once while they add up to this many bytes: a query then
 * descends through them without a round trip per level (10M points: levels 3 to 9, 1.6 MB).
 */
const WHOLE_LEVELS_BYTES = 2 * 1024 * 1024;

/** An index in memory, as a builder holds it (nothing taken). */
export function memorySource(builder: LodBuilder, tags: readonly string[]): LodSource {
  return {
    tags,
    read: (level, from, to) => {
      const records = builder.records(level);
      if (to * RECORD_FIELDS > records.length) throw new IndexProblem(`level ${level} is shorter`);
      return Promise.resolve(records.subarray(from * RECORD_FIELDS, to * RECORD_FIELDS));
    },
  };
}

/** The frontier of an index in memory. */
export function memoryFrontier(builder: LodBuilder, tags: readonly string[]): LodFrontier {
  const source = memorySource(builder, tags);
  const levels = Array.from({ length: builder.levels }, (_, index) => ({
    records: builder.records(index + 1),
    first: 0,
  }));
  return frontierOf(source, levels);
}

/** A level's records from `first` on (record numbers), as far as they were read. */
interface LevelTail {
  records: Float64Array;
  first: number;
}

/**
 * The stored index of a run and its frontier; `undefined` when it has none (no tag file: an old
 * series, or a build from a reader that never finished).
 * @throws IndexProblem when what is stored is not an index of version 1.
 */
export async function readStoredIndex(
  store: Store,
  runId: string,
): Promise<LodFrontier | undefined> {
  const folder = scalarsLodFolder(runId);
  const sizes = new Map<number, number>();
  let hasTags = false;
  for await (const object of store.listAll(folder)) {
    const name = object.path.slice(folder.length);
    if (name === 'tags.jsonl') hasTags = true;
    const level = /^level-(\d\d)\.f64$/.exec(name)?.[1];
    if (level !== undefined) sizes.set(Number(level), object.size);
  }
  if (!hasTags) return undefined;
  const top = sizes.size;
  // A short series: its writer stores no records (see INDEX_FROM_BYTES), nothing more to read.
  if (top === 0) return { runs: [], coverage: 0 };
  for (let level = 1; level <= top; level += 1) {
    if (!sizes.has(level)) throw new IndexProblem(`level ${level} of ${top} is missing`);
  }
  const read = async (level: number, from: number, to?: number): Promise<LevelTail> => {
    const bytes = await store.read(scalarsLodLevelPath(runId, level), {
      start: from * RECORD_BYTES,
      ...(to !== undefined && { end: to * RECORD_BYTES }),
    });
    return { records: decodeRecords(bytes), first: from };
  };
  // At once: the coarse levels whole (a query descends through them: no round trip each), the
  // end of each level below, and the tags.
  let whole = WHOLE_LEVELS_BYTES;
  const reads = Array.from({ length: top }, (_, index) => {
    const level = top - index;
    const size = sizes.get(level) ?? 0;
    whole -= size;
    const records = Math.floor(size / RECORD_BYTES);
    const tail = Math.floor(LEVEL_TAIL_BYTES / RECORD_BYTES);
    return read(level, level === top || whole >= 0 ? 0 : Math.max(0, records - tail));
  }).reverse();
  const readTags = async () => {
    const text = await readIfExists(store, scalarsLodTagsPath(runId));
    try {
      return decodeTags(Buffer.from(text ?? new Uint8Array()).toString('utf8'));
    } catch (error) {
      throw new IndexProblem(`its tag file is not one JSON string per line: ${String(error)}`);
    }
  };
  const [levels, tagsRead] = await Promise.all([Promise.all(reads), readTags()]);
  let tags = tagsRead;
  // Records read after the tags may name a tag appended in between: read them again.
  if (levels.some((tail) => mostTag(tail.records) >= tags.length)) tags = await readTags();
  const cache = new Map(levels.map((tail, index) => [index + 1, tail]));
  const source: LodSource = {
    tags,
    read: async (level, from, to) => {
      let tail = cache.get(level);
      if (tail === undefined || from < tail.first || to > tail.first + length(tail.records)) {
        tail = await read(level, from, to);
      }
      const records = tail.records.subarray(
        (from - tail.first) * RECORD_FIELDS,
        (to - tail.first) * RECORD_FIELDS,
      );
      if (records.length !== (to - from) * RECORD_FIELDS) {
        throw new IndexProblem(`level ${level} holds fewer than ${to} records`);
      }
      return records;
    },
  };
  return frontierOf(source, levels);
}

const length = (records: Float64Array): number => records.length / RECORD_FIELDS;

/** The highest tag number records name (-1 for none). */
function mostTag(records: Float64Array): number {
  let most = -1;
  for (let at = FIELD.tag; at < records.length; at += RECORD_FIELDS) {
    most = Math.max(most, records[at]!);
  }
  return most;
}

/** The child range end of a level's last record (0 for an empty level). */
function lastChildEnd(tail: LevelTail): number {
  const count = length(tail.records);
  return count === 0 ? 0 : tail.records[(count - 1) * RECORD_FIELDS + FIELD.childEnd]!;
}

/**
 * A level's records without a last block cut short (a torn append: a process killed while it
 * appended). The levels above never name it: they are appended after it.
 */
function withoutTornBlock(tail: LevelTail): LevelTail {
  const { records } = tail;
  const count = length(records);
  if (count === 0) return tail;
  const last = (count - 1) * RECORD_FIELDS;
  let first = count - 1;
  while (
    first > 0 &&
    records[(first - 1) * RECORD_FIELDS + FIELD.byteStart] === records[last + FIELD.byteStart] &&
    records[(first - 1) * RECORD_FIELDS + FIELD.byteEnd] === records[last + FIELD.byteEnd]
  ) {
    first -= 1;
  }
  const whole = count - first === records[last + FIELD.blockRecords];
  // The block may start before what was read (a tail read from the middle of a block).
  if (whole || (first === 0 && tail.first > 0)) return tail;
  return { records: records.subarray(0, first * RECORD_FIELDS), first: tail.first };
}

/**
 * Levels without their last blocks whose children the level below does not hold (yet): the
 * writer appends the levels side by side, so a reader (or a kill) may find a level ahead of the
 * one below it. Those blocks are left out: the level below covers their rows.
 */
function withoutOrphans(levels: LevelTail[]): LevelTail[] {
  const kept = [...levels];
  for (let level = 2; level <= kept.length; level += 1) {
    const below = kept[level - 2]!;
    const held = below.first + length(below.records);
    const tail = kept[level - 1]!;
    let count = length(tail.records);
    while (count > 0 && tail.records[(count - 1) * RECORD_FIELDS + FIELD.childEnd]! > held) {
      count -= 1;
    }
    if (count === 0 && tail.first > 0 && length(tail.records) > 0) {
      throw new IndexProblem(`level ${level} names children level ${level - 1} does not hold`);
    }
    kept[level - 1] = {
      records: tail.records.subarray(0, count * RECORD_FIELDS),
      first: tail.first,
    };
  }
  return kept;
}

/** The frontier of levels (index 0: level 1), each read from `first` to its end. */
function frontierOf(source: LodSource, read: LevelTail[]): LodFrontier {
  const runs: LodRun[] = [];
  const levels = withoutOrphans(read.map(withoutTornBlock));
  let from = 0;
  for (let level = levels.length; level >= 1; level -= 1) {
    const tail = levels[level - 1]!;
    if (from < tail.first || from > tail.first + length(tail.records)) {
      throw new IndexProblem(`level ${level} does not hold the children of level ${level + 1}`);
    }
    const records = tail.records.subarray((from - tail.first) * RECORD_FIELDS);
    if (records.length > 0) runs.push({ source, level, records });
    from = lastChildEnd(tail);
  }
  return { runs, coverage: checkTiling(runs, source.tags.length) };
}

/**
 * Checks that the frontier's records tile a prefix of the file, block after block, and name
 * known tags; resolves where the prefix ends.
 */
function checkTiling(runs: readonly LodRun[], tags: number): number {
  let blockStart = -1;
  let blockEnd = -1;
  let missing = 0;
  for (const { records } of runs) {
    for (let at = 0; at < records.length; at += RECORD_FIELDS) {
      const start = records[at + FIELD.byteStart]!;
      const end = records[at + FIELD.byteEnd]!;
      const tag = records[at + FIELD.tag]!;
      if (!(Number.isInteger(tag) && tag >= 0 && tag < tags && records[at + FIELD.count]! >= 1)) {
        throw new IndexProblem(`a record names tag ${tag} of ${tags}`);
      }
      if (start !== blockStart || end !== blockEnd) {
        if (missing !== 0 || !(end > start && (blockEnd < 0 ? start >= 0 : start === blockEnd))) {
          throw new IndexProblem(`a block at bytes ${start}-${end} does not follow ${blockEnd}`);
        }
        blockStart = start;
        blockEnd = end;
        missing = records[at + FIELD.blockRecords]!;
      }
      missing -= 1;
    }
  }
  if (missing !== 0)
    throw new IndexProblem(`the block at bytes ${blockStart}-${blockEnd} is cut short`);
  return Math.max(0, blockEnd);
}
