/**
 * The scalars table, `scalars/<run_id>.csv` (columns in `SCALARS_COLUMNS`), read and written by
 * hand rather than with csv-parse: a chart reads a run's million points at once, and a general
 * CSV parser makes a record object and five strings per line where this makes only numbers.
 * Lines are scanned with `indexOf`; only a line holding a `"` (a tag with a comma or a quote)
 * takes the careful RFC 4180 path.
 */
import { isAscii } from 'node:buffer';
import { encodeCell, encodeRow } from '../csv/encode.js';
import {
  CARRIAGE_RETURN,
  COMMA,
  decodeTextCell,
  LINE_FEED,
  parseNumber,
  parseRecord,
  WallTimeReader,
} from './_scalar-cells.js';
import { MlTrackingError } from '../errors.js';
import { headerOf, SCALARS_COLUMNS } from '../layout/tables.js';

/** One tag's points, in step order: three arrays of equal length. */
export interface ScalarSeries {
  step: Float64Array;
  value: Float64Array;
  /** Epoch milliseconds. */
  wallTime: Float64Array;
}

/** What {@link decodeScalars} reads. */
export interface DecodeScalarsOptions {
  /** Only these tags; the others are skipped before their numbers are read. @default every tag */
  tags?: ReadonlySet<string>;
  /**
   * The bytes start at a line boundary after the header (a ranged read of a growing file), so no
   * header is required. A header line met anywhere else is skipped either way.
   * @default false
   */
  headerless?: boolean;
}

const HEADER_TEXT = headerOf(SCALARS_COLUMNS).join(',');

/** The header line of the scalars table, with its `\n`. */
export const SCALARS_HEADER: string = encodeRow(headerOf(SCALARS_COLUMNS));

/** Where a decoder puts one tag's points, in file order. */
export interface PointSink {
  push(step: number, value: number, wallTime: number): void;
}

/** Points of one tag as they come: typed arrays grown by doubling. */
class SeriesBuilder implements PointSink {
  step = new Float64Array(256);
  value = new Float64Array(256);
  wallTime = new Float64Array(256);
  length = 0;
  sorted = true;

  push(step: number, value: number, wallTime: number): void {
    const at = this.length;
    if (at === this.step.length) this.grow();
    if (at > 0 && step < this.step[at - 1]!) this.sorted = false;
    this.step[at] = step;
    this.value[at] = value;
    this.wallTime[at] = wallTime;
    this.length = at + 1;
  }

  finish(): ScalarSeries {
    const series = {
      step: this.step.subarray(0, this.length),
      value: this.value.subarray(0, this.length),
      wallTime: this.wallTime.subarray(0, this.length),
    };
    return this.sorted ? series : sortByStep(series);
  }

  private grow(): void {
    const grown = (array: Float64Array) => {
      const next = new Float64Array(array.length * 2);
      next.set(array);
      return next;
    };
    this.step = grown(this.step);
    this.value = grown(this.value);
    this.wallTime = grown(this.wallTime);
  }
}

/** A stable sort by step: points of equal steps (a resumed run) keep their file order. */
function sortByStep({ step, value, wallTime }: ScalarSeries): ScalarSeries {
  const order = new Uint32Array(step.length);
  for (let index = 0; index < order.length; index += 1) order[index] = index;
  order.sort((a, b) => step[a]! - step[b]! || a - b);
  const sorted = {
    step: new Float64Array(order.length),
    value: new Float64Array(order.length),
    wallTime: new Float64Array(order.length),
  };
  for (let index = 0; index < order.length; index += 1) {
    const from = order[index]!;
    sorted.step[index] = step[from]!;
    sorted.value[index] = value[from]!;
    sorted.wallTime[index] = wallTime[from]!;
  }
  return sorted;
}

/**
 * A tag cell as written, and where its points go (`null`: filtered out). `next` is the cell that
 * followed it last time: tags logged together come round in the same order, so one comparison
 * usually finds a line's tag without cutting it out of the text.
 */
interface TagCell {
  readonly text: string;
  readonly builder: PointSink | null;
  next: TagCell | undefined;
}

/** The tags met so far, each with its sink (made by `create` the first time a tag is met). */
class TagTable<Sink extends PointSink> {
  private readonly cells = new Map<string, TagCell>();
  readonly sinks = new Map<string, Sink>();

  constructor(
    private readonly only: ReadonlySet<string> | undefined,
    private readonly create: (tag: string) => Sink,
  ) {}

  cell(text: string): TagCell {
    let cell = this.cells.get(text);
    if (cell === undefined) {
      const tag = decodeTextCell(text);
      let builder: Sink | null = null;
      if (this.only === undefined || this.only.has(tag)) {
        builder = this.sinks.get(tag) ?? this.create(tag);
        this.sinks.set(tag, builder);
      }
      cell = { text, builder, next: undefined };
      this.cells.set(text, cell);
    }
    return cell;
  }
}

/** The text of the complete lines: a file being appended to may end halfway through one. */
function completeLines(bytes: Uint8Array): string {
  const lines = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.lastIndexOf(LINE_FEED) + 1);
  // Latin-1 is a plain copy, and the same text when every byte is ASCII (the usual case).
  const text = lines.toString(isAscii(lines) ? 'latin1' : 'utf8');
  return text.startsWith('\uFEFF') ? text.slice(1) : text;
}

/**
 * Decodes a scalars CSV into one series per tag, each sorted by step (stably: points of equal
 * steps keep their file order; a file already in order, the usual case, is not sorted again).
 * Everything after the last line end is ignored: a file being appended to may be read while a
 * line is half written. An empty `value` or `wall_time` cell reads as NaN, and `-0` reads as `0`
 * (the writer writes it as `0`). The `run_id` column is not read: the file is one run's.
 * @throws MlTrackingError (`ERR_CORRUPT_SCALARS`) on a line that is not a scalars row, or when
 * the first line is not the header (unless `headerless`).
 * @example decodeScalars(await store.read(scalarsPath(runId)), { tags: new Set(['loss']) })
 */
export function decodeScalars(
  bytes: Uint8Array,
  options: DecodeScalarsOptions = {},
): Record<string, ScalarSeries> {
  const tags = new TagTable(options.tags, () => new SeriesBuilder());
  decodeInto(bytes, options, tags);
  const series: Record<string, ScalarSeries> = {};
  // A builder without points is that of a header's `tag` cell, met before the line turned out
  // to be a header.
  for (const [tag, builder] of tags.sinks) {
    if (builder.length > 0) series[tag] = builder.finish();
  }
  return series;
}

/**
 * {@link decodeScalars} without collecting: each point goes to its tag's sink, in file order, as
 * it is read (a sink made by `sinkFor` when its tag is first met; a tag met only in a header line
 * gets a sink and no point). What a reader that keeps only a summary of each tag uses, so that
 * decoding a part of a large file costs memory for that part only.
 * @throws MlTrackingError (`ERR_CORRUPT_SCALARS`) as {@link decodeScalars} does.
 */
export function decodeScalarPoints<Sink extends PointSink>(
  bytes: Uint8Array,
  options: DecodeScalarsOptions,
  sinkFor: (tag: string) => Sink,
): Map<string, Sink> {
  const tags = new TagTable(options.tags, sinkFor);
  decodeInto(bytes, options, tags);
  return tags.sinks;
}

function decodeInto(
  bytes: Uint8Array,
  options: DecodeScalarsOptions,
  tags: TagTable<PointSink>,
): void {
  const text = completeLines(bytes);
  const wallTimes = new WallTimeReader();
  const fail = (at: number, problem: string): never => {
    const line = text.slice(0, at).split('\n').length;
    throw new MlTrackingError(
      `Cannot read line ${line} of the scalars table: ${problem}. Every line after the header must be a row of ${HEADER_TEXT}; repair or remove the line.`,
      { code: 'ERR_CORRUPT_SCALARS' },
    );
  };
  /** The careful path, for lines the fast one does not take: a record split into cells. */
  const addRecord = (cells: readonly string[], at: number): void => {
    if (cells.length === 1 && cells[0] === '') return;
    if (cells.join(',') === HEADER_TEXT) return;
    if (cells.length !== 5) fail(at, `it has ${cells.length} cells, not 5`);
    const [, tagCell = '', stepCell = '', valueCell = '', wallCell = ''] = cells;
    const builder = tags.cell(tagCell).builder;
    if (builder === null) return;
    const step = stepCell === '' ? Number.NaN : Number(stepCell);
    if (!Number.isInteger(step) || step < 0) fail(at, `step "${stepCell}" is not a whole number`);
    const value = parseNumber(valueCell, 0, valueCell.length);
    if (Number.isNaN(value) && valueCell !== '') fail(at, `value "${valueCell}" is not a number`);
    const wallTime = wallTimes.read(wallCell, 0, wallCell.length);
    if (Number.isNaN(wallTime) && wallCell !== '') fail(at, `wall_time "${wallCell}" is no date`);
    builder.push(step, value, wallTime);
  };

  let position = 0;
  if (options.headerless !== true && text !== '') {
    const end = text.indexOf('\n');
    const header = text.slice(0, text.charCodeAt(end - 1) === CARRIAGE_RETURN ? end - 1 : end);
    if (header !== HEADER_TEXT) fail(0, `the header is "${header}", not "${HEADER_TEXT}"`);
    position = end + 1;
  }
  // Where the next `"` is, found once rather than looked for on every line.
  let nextQuote = text.indexOf('"', position);
  if (nextQuote < 0) nextQuote = Infinity;
  let previous: TagCell | undefined;
  while (position < text.length) {
    const lineEnd = text.indexOf('\n', position);
    if (nextQuote < lineEnd) {
      const record = parseRecord(text, position);
      // A quote still open at the end: the last line is being written.
      if (record === undefined) break;
      addRecord(record.cells, position);
      position = record.next;
      nextQuote = text.indexOf('"', position);
      if (nextQuote < 0) nextQuote = Infinity;
      continue;
    }
    const stop = text.charCodeAt(lineEnd - 1) === CARRIAGE_RETURN ? lineEnd - 1 : lineEnd;
    const runEnd = text.indexOf(',', position);
    const tagEnd = runEnd < 0 ? -1 : text.indexOf(',', runEnd + 1);
    if (tagEnd < 0 || tagEnd >= stop) {
      addRecord(text.slice(position, stop).split(','), position);
      position = lineEnd + 1;
      continue;
    }
    let cell = previous?.next;
    if (cell?.text.length !== tagEnd - runEnd - 1 || !text.startsWith(cell.text, runEnd + 1)) {
      cell = tags.cell(text.slice(runEnd + 1, tagEnd));
      if (previous !== undefined) previous.next = cell;
    }
    previous = cell;
    const builder = cell.builder;
    if (builder !== null) {
      let cursor = tagEnd + 1;
      let step = 0;
      let code = text.charCodeAt(cursor);
      while (code >= 48 && code <= 57) {
        step = step * 10 + (code - 48);
        code = text.charCodeAt((cursor += 1));
      }
      const valueEnd = code === COMMA && cursor > tagEnd + 1 ? text.indexOf(',', cursor + 1) : -1;
      const value =
        valueEnd < 0 || valueEnd >= stop ? Number.NaN : parseNumber(text, cursor + 1, valueEnd);
      const wallTime = Number.isNaN(value) ? Number.NaN : wallTimes.read(text, valueEnd + 1, stop);
      // NaN: an empty cell, a cell too many, a date of another form; the careful path decides.
      if (Number.isNaN(wallTime)) addRecord(text.slice(position, stop).split(','), position);
      else builder.push(step, value, wallTime);
    }
    position = lineEnd + 1;
  }
}

// Values are formatted this many at a time (see encodeScalarRows).
const VALUE_BATCH = 4096;
// More than a line holds besides its run and tag: a step and a value of at most 24 characters
// each (`-1.7976931348623157e+308`), a wall time of at most 27 (six-digit years), separators.
const MOST_NUMBER_BYTES = 100;

/**
 * Encodes points as scalars rows (no header) for one run: point `i` is of tag
 * `tags[tagIndex[i]]`. Only the first `count` entries of each array are read (the writer's
 * buffers are larger than what they hold). Values are written as `String` writes them (shortest
 * round trip; `-0` as `0`), NaN as an empty cell; steps and wall times were checked when they
 * were logged. The rows are written as bytes and made a string once (joining a million line
 * strings takes twice as long), and values are formatted a batch at a time by `JSON.stringify`,
 * which writes exactly `String`'s text for a finite number without making a string per number.
 * @throws RangeError when an array is shorter than `count`, a tag index points past `tags`, or a
 * wall time is not a valid date.
 */
export function encodeScalarRows(
  runId: string,
  tags: readonly string[],
  tagIndex: Uint32Array | readonly number[],
  step: Float64Array,
  value: Float64Array,
  wallTime: Float64Array,
  count: number,
): string {
  if (Math.min(tagIndex.length, step.length, value.length, wallTime.length) < count) {
    throw new RangeError(`encodeScalarRows: ${count} points asked for, but an array is shorter`);
  }
  const run = encodeCell(runId);
  const prefixes = tags.map((tag) => Buffer.from(`${run},${encodeCell(tag)},`));
  const longestPrefix = Math.max(0, ...prefixes.map((prefix) => prefix.length));
  let bytes = Buffer.allocUnsafe(Math.max(4096, count * (longestPrefix + 60)));
  let at = 0;
  const batch: number[] = [];
  const formatted = Buffer.allocUnsafe(VALUE_BATCH * 25 + 2);
  let batchEnd = 0;
  let cursor = 0;
  let second = Number.NaN;
  let secondText = Buffer.alloc(0);
  for (let index = 0; index < count; index += 1) {
    const prefix = prefixes[tagIndex[index]!];
    if (prefix === undefined) {
      throw new RangeError(`encodeScalarRows: point ${index} has tag index ${tagIndex[index]}`);
    }
    if (at + prefix.length + MOST_NUMBER_BYTES > bytes.length) {
      const grown = Buffer.allocUnsafe(bytes.length * 2);
      bytes.copy(grown, 0, 0, at);
      bytes = grown;
    }
    bytes.set(prefix, at);
    at = writeStep(bytes, at + prefix.length, step[index]!);
    bytes[at++] = COMMA;

    if (index === batchEnd) {
      batchEnd = Math.min(count, index + VALUE_BATCH);
      batch.length = batchEnd - index;
      for (let from = index; from < batchEnd; from += 1) batch[from - index] = value[from]!;
      formatted.write(JSON.stringify(batch), 'latin1');
      cursor = 1;
    }
    let code = formatted[cursor]!;
    if (code === 110) {
      // `null`: NaN, written as an empty cell, or an infinity.
      const infinite = value[index]!;
      if (!Number.isNaN(infinite)) at = writeAscii(bytes, at, String(infinite));
      cursor += 5;
    } else {
      while (code !== COMMA && code !== 93) {
        bytes[at++] = code;
        code = formatted[(cursor += 1)]!;
      }
      cursor += 1;
    }
    bytes[at++] = COMMA;

    // Date truncates a fractional time towards zero; so does the text here.
    const time = Math.trunc(wallTime[index]!);
    const timeSecond = Math.floor(time / 1000);
    if (timeSecond !== second) {
      // `YYYY-MM-DDTHH:MM:SS.`, the same for every point of that second.
      secondText = Buffer.from(new Date(timeSecond * 1000).toISOString().slice(0, -4), 'latin1');
      second = timeSecond;
    }
    bytes.set(secondText, at);
    at += secondText.length;
    const milliseconds = time - timeSecond * 1000;
    bytes[at] = 48 + Math.floor(milliseconds / 100);
    bytes[at + 1] = 48 + (Math.floor(milliseconds / 10) % 10);
    bytes[at + 2] = 48 + (milliseconds % 10);
    bytes[at + 3] = 90;
    bytes[at + 4] = LINE_FEED;
    at += 5;
  }
  const ascii = prefixes.every((prefix) => isAscii(prefix));
  return bytes.toString(ascii ? 'latin1' : 'utf8', 0, at);
}

/** Writes a step; a whole number below 2^31 (every real step) without making a string. */
function writeStep(bytes: Buffer, at: number, step: number): number {
  if (!(step >= 0 && step < 2 ** 31 && Number.isInteger(step))) {
    return writeAscii(bytes, at, String(step));
  }
  let end = at + 1;
  for (let rest = step; rest >= 10; rest = Math.floor(rest / 10)) end += 1;
  let rest = step;
  for (let index = end - 1; index >= at; index -= 1) {
    const next = Math.floor(rest / 10);
    bytes[index] = 48 + rest - next * 10;
    rest = next;
  }
  return end;
}

/** Writes text known to be ASCII (numbers); returns where it ends. */
function writeAscii(bytes: Buffer, at: number, text: string): number {
  for (let index = 0; index < text.length; index += 1) bytes[at + index] = text.charCodeAt(index);
  return at + text.length;
}
