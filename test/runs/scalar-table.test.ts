import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { encodeCell, encodeRow } from '../../src/csv/encode.js';
import { MlTrackingError } from '../../src/errors.js';
import {
  decodeScalars,
  encodeScalarRows,
  SCALARS_HEADER,
  type ScalarSeries,
} from '../../src/runs/scalar-table.js';

const RUN_ID = '20261124T101530123Z-1a2b3c4d';
const T0 = Date.parse('2026-11-24T10:15:30.123Z');

interface Point {
  tag: string;
  step: number;
  value: number;
  wallTime: number;
}

/** The rows of `points`, as the run writer writes them. */
function encode(points: readonly Point[]): string {
  const tags = [...new Set(points.map((point) => point.tag))];
  const column = (pick: (point: Point) => number) => Float64Array.from(points, pick);
  return encodeScalarRows(
    RUN_ID,
    tags,
    points.map((point) => tags.indexOf(point.tag)),
    column((point) => point.step),
    column((point) => point.value),
    column((point) => point.wallTime),
    points.length,
  );
}

const bytes = (text: string) => Buffer.from(text);
const decode = (text: string, options?: Parameters<typeof decodeScalars>[1]) =>
  decodeScalars(bytes(text), options);

/** The series `points` should decode to (already in step order, file order on equal steps). */
function expected(points: readonly Point[]): Record<string, ScalarSeries> {
  const series: Record<string, ScalarSeries> = {};
  for (const tag of new Set(points.map((point) => point.tag))) {
    const own = points.filter((point) => point.tag === tag);
    series[tag] = {
      step: Float64Array.from(own, (point) => point.step),
      value: Float64Array.from(own, (point) => point.value),
      wallTime: Float64Array.from(own, (point) => Math.trunc(point.wallTime)),
    };
  }
  return series;
}

/** Exact equality, value by value: `Object.is`, so that -0 and 0 differ and NaN equals NaN. */
function expectSame(actual: Record<string, ScalarSeries>, wanted: Record<string, ScalarSeries>) {
  expect(Object.keys(actual).sort()).toEqual(Object.keys(wanted).sort());
  for (const [tag, series] of Object.entries(wanted)) {
    for (const key of ['step', 'value', 'wallTime'] as const) {
      const got = [...actual[tag]![key]];
      const want = [...series[key]];
      expect(got.length, `${tag} ${key}`).toBe(want.length);
      const first = got.findIndex((value, index) => !Object.is(value, want[index]));
      expect(first, `${tag} ${key}[${first}]: ${got[first]} instead of ${want[first]}`).toBe(-1);
    }
  }
}

/** A seeded generator, so that a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    return state / 2 ** 32;
  };
}

const AWKWARD_TAGS = [
  'loss',
  'val/accuracy',
  'a,b',
  'say "hi"',
  '-neg',
  '=SUM()',
  '=SUM(A1:A9)',
  '+A1',
  '@cmd',
  '\ttab',
  '\rcarriage',
  'two\nlines',
  '-1',
  '+0.5',
  "'quoted",
  'ünïcödé/日本語 🚀',
  '',
];

describe('encodeScalarRows', () => {
  it('writes what encodeRow writes for the same cells', () => {
    const next = random(1);
    const points = AWKWARD_TAGS.flatMap((tag, index) =>
      [0, 1, 2].map((step) => ({
        tag,
        step: step * 1000 + index,
        value: (next() - 0.5) * 10 ** Math.floor(next() * 40 - 20),
        wallTime: T0 + Math.floor(next() * 1e9),
      })),
    );
    points.push({ tag: 'loss', step: 1e21, value: Number.NaN, wallTime: -1 });
    const rows = points.map((point) =>
      encodeRow([
        RUN_ID,
        point.tag,
        point.step,
        point.value,
        new Date(point.wallTime).toISOString(),
      ]),
    );
    expect(encode(points)).toBe(rows.join(''));
    expect(SCALARS_HEADER).toBe('run_id,tag,step,value,wall_time\n');
  });

  it('writes RFC 4180 that csv-parse reads back cell for cell', () => {
    const points = AWKWARD_TAGS.map((tag, step) => ({ tag, step, value: -0.5, wallTime: T0 }));
    const records = parse<Record<string, string>>(SCALARS_HEADER + encode(points), {
      columns: true,
    });
    expect(records.map((record) => record.tag)).toEqual(AWKWARD_TAGS.map(encodeCellText));
    expect(records[0]).toEqual({
      run_id: RUN_ID,
      tag: 'loss',
      step: '0',
      value: '-0.5',
      wall_time: '2026-11-24T10:15:30.123Z',
    });
  });

  it('refuses arrays shorter than the count and tag indexes past the tags', () => {
    const one = new Float64Array(1);
    expect(() => encodeScalarRows(RUN_ID, ['a'], [0], one, one, one, 2)).toThrow(RangeError);
    expect(() => encodeScalarRows(RUN_ID, ['a'], [1], one, one, one, 1)).toThrow(RangeError);
    expect(encodeScalarRows(RUN_ID, ['a'], [0], one, one, one, 0)).toBe('');
  });
});

/** A tag cell's text once csv-parse has taken the quotes off: what encodeCell wrote. */
function encodeCellText(tag: string): string {
  const cell = encodeCell(tag);
  return cell.startsWith('"') ? cell.slice(1, -1).replaceAll('""', '"') : cell;
}

describe('decodeScalars', () => {
  it('gives back random series of awkward tags exactly', () => {
    const next = random(2);
    const points: Point[] = [];
    for (let step = 0; step < 300; step += 1) {
      for (const tag of AWKWARD_TAGS) {
        if (next() < 0.3) continue;
        const scale = 10 ** Math.floor(next() * 60 - 30);
        const value = next() < 0.5 ? Math.fround(next() - 0.5) * scale : (next() - 0.5) * scale;
        points.push({ tag, step, value, wallTime: T0 + step * 1500 + Math.floor(next() * 1000) });
      }
    }
    expectSame(decode(SCALARS_HEADER + encode(points)), expected(points));
  });

  it('reads every double back exactly, whatever its digits', () => {
    const next = random(3);
    const values = [
      1e-300,
      5e-324,
      -5e-324,
      2.2250738585072014e-308,
      1.7976931348623157e308,
      -1.7976931348623157e308,
      0.1 + 0.2,
      0.6931471805599453,
      1e-7,
      -3.5e21,
      1e21,
      123456789012345680000,
      Number.MAX_SAFE_INTEGER,
      2 ** 53 + 2,
      9007199254740993e-20,
      0,
      ...Array.from({ length: 20_000 }, () => (next() - 0.5) * 10 ** Math.floor(next() * 50 - 25)),
      ...Array.from({ length: 20_000 }, () => Math.fround(next() * 4)),
      ...Array.from({ length: 5000 }, () => Math.round(next() * 1e6) / 1e4),
      ...Array.from({ length: 5000 }, () => next() * 2 ** (Math.floor(next() * 2000) - 1000)),
    ];
    const points = values.map((value, step) => ({ tag: 'v', step, value, wallTime: T0 }));
    expectSame(decode(SCALARS_HEADER + encode(points)), expected(points));
  });

  it('reads -0 back as 0 (String writes it as 0), NaN as NaN and infinities as they are', () => {
    const values = [-0, Number.NaN, Infinity, -Infinity];
    const points = values.map((value, step) => ({ tag: 'v', step, value, wallTime: T0 }));
    const text = encode(points);
    expect(text.split('\n').map((line) => line.split(',')[3])).toEqual([
      '0',
      '',
      'Infinity',
      '-Infinity',
      undefined,
    ]);
    const { v } = decode(SCALARS_HEADER + text);
    expect([...v!.value]).toEqual([0, Number.NaN, Infinity, -Infinity]);
    expect(Object.is(v!.value[0], 0)).toBe(true);
  });

  it('reads wall times to the millisecond, across days, years and 1970', () => {
    const times = [
      '2026-11-24T10:15:30.000Z',
      '2026-11-24T10:15:30.999Z',
      '2026-11-24T23:59:59.999Z',
      '2026-11-25T00:00:00.001Z',
      '2000-02-29T12:00:00.500Z',
      '1999-12-31T23:59:59.999Z',
      '1970-01-01T00:00:00.000Z',
      '1969-12-31T23:59:59.999Z',
      '0001-01-01T00:00:00.001Z',
      '9999-12-31T23:59:59.999Z',
    ].map(Date.parse);
    const points = times.map((wallTime, step) => ({ tag: 'x', step, value: 1, wallTime }));
    points.push({ tag: 'x', step: 99, value: 1, wallTime: T0 + 0.9 });
    expectSame(decode(SCALARS_HEADER + encode(points)), expected(points));
    // Date.parse does the same for other forms of date than the writer's.
    const other = `${SCALARS_HEADER}r,x,0,1,2026-11-24T10:15:30Z\nr,x,1,1,2026-11-24T10:15:30.5+01:00\n`;
    expect([...decode(other).x!.wallTime]).toEqual([
      Date.parse('2026-11-24T10:15:30Z'),
      Date.parse('2026-11-24T10:15:30.5+01:00'),
    ]);
  });

  it('ignores a last line cut anywhere, also inside a quoted cell or a UTF-8 character', () => {
    const points: Point[] = [
      { tag: 'loss', step: 0, value: 0.5, wallTime: T0 },
      { tag: 'a,b', step: 0, value: 1.5, wallTime: T0 },
    ];
    const whole = bytes(SCALARS_HEADER + encode(points));
    for (const last of [
      { tag: 'loss', step: 1, value: 0.25, wallTime: T0 + 1 },
      { tag: 'two\nlines, "quoted"', step: 1, value: -7, wallTime: T0 + 2 },
      { tag: '日本語 🚀', step: 1, value: 1e-7, wallTime: T0 + 3 },
    ]) {
      const line = bytes(encode([last]));
      for (let cut = 0; cut < line.length; cut += 1) {
        const text = Buffer.concat([whole, line.subarray(0, cut)]);
        expectSame(decodeScalars(text), expected(points));
      }
      expectSame(decodeScalars(Buffer.concat([whole, line])), expected([...points, last]));
    }
  });

  it('reads only the tags asked for, by their names as logged', () => {
    const points = ['loss', '=SUM()', 'a,b', 'acc'].map((tag, step) => ({
      tag,
      step,
      value: step,
      wallTime: T0,
    }));
    const text = SCALARS_HEADER + encode(points);
    const wanted = expected(points);
    expectSame(decode(text, { tags: new Set(['=SUM()', 'a,b', 'absent']) }), {
      '=SUM()': wanted['=SUM()']!,
      'a,b': wanted['a,b']!,
    });
    expect(decode(text, { tags: new Set() })).toEqual({});
  });

  it('sorts by step, stably: points of equal steps keep their file order', () => {
    // A run resumed from a checkpoint logs steps 2 and 3 again.
    const steps = [0, 1, 2, 3, 2, 3, 4, 1];
    const points = steps.map((step, index) => ({
      tag: index % 2 === 0 ? 'loss' : 'acc',
      step,
      value: index,
      wallTime: T0 + index,
    }));
    const { loss, acc } = decode(SCALARS_HEADER + encode(points));
    expect([...loss!.step]).toEqual([0, 2, 2, 4]);
    expect([...loss!.value]).toEqual([0, 2, 4, 6]);
    expect([...loss!.wallTime]).toEqual([T0, T0 + 2, T0 + 4, T0 + 6]);
    expect([...acc!.step]).toEqual([1, 1, 3, 3]);
    expect([...acc!.value]).toEqual([1, 7, 3, 5]);
    expect([...acc!.wallTime]).toEqual([T0 + 1, T0 + 7, T0 + 3, T0 + 5]);
  });

  it('reads a file of several appends, and an append on its own with headerless', () => {
    const first = [0, 1, 2].map((step) => ({ tag: 'loss', step, value: step, wallTime: T0 }));
    const second = [3, 4].map((step) => ({ tag: 'loss', step, value: -step, wallTime: T0 + 5 }));
    const text = SCALARS_HEADER + encode(first) + encode(second);
    expectSame(decode(text), expected([...first, ...second]));
    expectSame(decode(encode(second), { headerless: true }), expected(second));
    // A header met again (two writers created the file) is no row; repeated steps sort stably.
    const [three, four] = second as [Point, Point];
    expectSame(
      decode(text + SCALARS_HEADER + encode(second)),
      expected([...first, three, three, four, four]),
    );
    expectSame(decode(text, { headerless: true }), expected([...first, ...second]));
  });

  it('gives nothing for an empty file, a header alone, or a header still being written', () => {
    expect(decode('')).toEqual({});
    expect(decode(SCALARS_HEADER)).toEqual({});
    expect(decode(SCALARS_HEADER.slice(0, 10))).toEqual({});
    expect(decode('', { headerless: true })).toEqual({});
  });

  it('reads CRLF line ends, a byte order mark and empty lines', () => {
    const text = `\uFEFF${SCALARS_HEADER}r,loss,0,1.5,2026-11-24T10:15:30.123Z\n\nr,"a,b",1,2,2026-11-24T10:15:30.124Z\n`;
    expectSame(decode(text.replaceAll('\n', '\r\n')), {
      loss: {
        step: Float64Array.of(0),
        value: Float64Array.of(1.5),
        wallTime: Float64Array.of(T0),
      },
      'a,b': {
        step: Float64Array.of(1),
        value: Float64Array.of(2),
        wallTime: Float64Array.of(T0 + 1),
      },
    });
  });

  it('reads empty value and wall_time cells as NaN', () => {
    const { loss } = decode(`${SCALARS_HEADER}r,loss,0,,\nr,loss,1,2,\n`);
    expect([...loss!.value]).toEqual([Number.NaN, 2]);
    expect([...loss!.wallTime]).toEqual([Number.NaN, Number.NaN]);
  });

  it('takes off exactly the quote encodeCell puts on', () => {
    const tags = [
      ...['=', '+', '-', '@', '\t', '\r'].flatMap((start) => [start, `${start}x`, `${start}1+1`]),
      ...['-1', '+1', '-.5', '-1e-3', '+2E+10', '-007', "'", "''", "'x", "'-1", "'1", 'x'],
    ];
    const points = tags.map((tag, step) => ({ tag, step, value: 0, wallTime: T0 }));
    expect(Object.keys(decode(SCALARS_HEADER + encode(points))).sort()).toEqual(tags.sort());
    // The one tag that cannot come back: written as '=x, like =x is, it is read as =x.
    expect(encodeCell("'=x")).toBe(encodeCell('=x'));
    const { '=x': back } = decode(
      SCALARS_HEADER + encode([{ tag: "'=x", step: 0, value: 1, wallTime: T0 }]),
    );
    expect(back?.value[0]).toBe(1);
  });

  it('says which line is not a scalars row', () => {
    const row = 'r,loss,0,1,2026-11-24T10:15:30.123Z\n';
    for (const [text, problem] of [
      ['run,tag,step\n', /header/],
      [`${SCALARS_HEADER}${row}r,loss,1,2\n`, /line 3.*4 cells/],
      [`${SCALARS_HEADER}${row}r,loss,1,2,2026-11-24T10:15:30.123Z,x\n`, /line 3.*6 cells/],
      [`${SCALARS_HEADER}r,loss,-1,2,2026-11-24T10:15:30.123Z\n`, /line 2.*step "-1"/],
      [`${SCALARS_HEADER}r,loss,1.5,2,2026-11-24T10:15:30.123Z\n`, /step "1.5"/],
      [`${SCALARS_HEADER}r,loss,1,abc,2026-11-24T10:15:30.123Z\n`, /value "abc"/],
      [`${SCALARS_HEADER}r,loss,1,2,yesterday\n`, /wall_time "yesterday"/],
      [`${SCALARS_HEADER}r,"lo""ss",1,2\n`, /4 cells/],
    ] as const) {
      const error = (() => {
        try {
          decode(text);
        } catch (caught) {
          return caught;
        }
        return undefined;
      })();
      expect(error, text).toBeInstanceOf(MlTrackingError);
      expect((error as MlTrackingError).code).toBe('ERR_CORRUPT_SCALARS');
      expect((error as Error).message).toMatch(problem);
    }
  });
});
