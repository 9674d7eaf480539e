/*
 * The line protocol a program in any language reports through: every message written by
 * formatProtocolLine reads back the same, ordinary output stays output, and a line that means to
 * be a message but is not one is malformed (never silently taken for output).
 */
import { describe, expect, it } from 'vitest';
import {
  formatProtocolLine,
  MAX_MESSAGE_DEPTH,
  parseProtocolLine,
  type ProtocolMessage,
} from '../../src/runs/line-protocol.js';

const MESSAGES: ProtocolMessage[] = [
  { type: 'scalar', tag: 'loss', value: 0.25 },
  { type: 'scalar', tag: 'val/accuracy', value: 0.1 + 0.2, step: 12 },
  { type: 'scalar', tag: 'a "quoted", comma\'d tag — ünïcode', value: -1e-300, step: 0 },
  { type: 'scalar', tag: 'big', value: Number.MAX_VALUE, step: Number.MAX_SAFE_INTEGER },
  { type: 'summary', values: { test_accuracy: 0.91, 'f1 macro': 0.5 } },
  { type: 'summary', values: {} },
  { type: 'prediction', predictionId: '2c7a3a9e-8f0b-4d44-9d1f-1b2d3c4e5f60' },
  {
    type: 'hyperparameters',
    values: { lr: 1e-3, layers: [64, 32], optimizer: { name: 'adam' }, note: 'a\nb', none: null },
  },
  { type: 'status', status: 'finished' },
  { type: 'status', status: 'early_stopped' },
  { type: 'status', status: 'failed', error: 'CUDA out of memory\n  at line 3' },
];

describe('formatProtocolLine and parseProtocolLine', () => {
  for (const message of MESSAGES) {
    it(`round-trips ${message.type} ${JSON.stringify(message).slice(0, 60)}`, () => {
      const line = formatProtocolLine(message);
      expect(line.endsWith('\n')).toBe(true);
      // One line: a reader splits output on line ends.
      expect(line.slice(0, -1)).not.toMatch(/[\n\r]/);
      expect(parseProtocolLine(line.slice(0, -1))).toEqual({ kind: 'message', message });
      // A Windows line end left on the line changes nothing.
      expect(parseProtocolLine(`${line.slice(0, -1)}\r`)).toEqual({ kind: 'message', message });
    });
  }

  it('writes the documented shape, the marker first', () => {
    expect(formatProtocolLine({ type: 'scalar', tag: 'loss', value: 0.25, step: 3 })).toBe(
      '{"ml_tracking":"scalar","tag":"loss","value":0.25,"step":3}\n',
    );
    expect(formatProtocolLine({ type: 'prediction', predictionId: 'p' })).toBe(
      '{"ml_tracking":"prediction","prediction_id":"p"}\n',
    );
  });

  it('reads lines written by hand, in other languages, with spaces', () => {
    expect(
      parseProtocolLine('  { "ml_tracking" : "scalar", "tag": "loss", "value": 3, "step": null }'),
    ).toEqual({ kind: 'message', message: { type: 'scalar', tag: 'loss', value: 3 } });
    expect(parseProtocolLine('{"ml_tracking": "status", "status": "failed"}')).toEqual({
      kind: 'message',
      message: { type: 'status', status: 'failed' },
    });
  });

  const OUTPUT = [
    '',
    'epoch 1/10 - loss: 0.3000',
    '{"loss": 0.3}',
    '[{"ml_tracking": "scalar", "tag": "loss", "value": 1}]',
    'ml_tracking scalar loss 0.3',
    '"ml_tracking": "scalar"',
  ];
  for (const line of OUTPUT) {
    it(`takes ${JSON.stringify(line)} for ordinary output`, () => {
      expect(parseProtocolLine(line)).toEqual({ kind: 'output' });
    });
  }

  const MALFORMED: [string, string][] = [
    // Python's json.dumps writes NaN and Infinity like this; JSON has no such numbers.
    ['{"ml_tracking": "scalar", "tag": "loss", "value": NaN}', 'not valid JSON'],
    ['{"ml_tracking": "scalar", "tag": "loss", "value": Infinity}', 'not valid JSON'],
    ['{"ml_tracking": "scalar", "tag": "loss", "val', 'not valid JSON'],
    ['{"ml_tracking": "scalar", "tag": 3, "value": 1}', '"tag"'],
    ['{"ml_tracking": "scalar", "tag": "loss"}', '"value"'],
    ['{"ml_tracking": "scalar", "tag": "loss", "value": "0.3"}', '"value"'],
    ['{"ml_tracking": "scalar", "tag": "loss", "value": 1, "step": "3"}', '"step"'],
    ['{"ml_tracking": "summary", "values": [1, 2]}', '"values"'],
    ['{"ml_tracking": "summary"}', '"values"'],
    ['{"ml_tracking": "hyperparameters", "values": null}', '"values"'],
    ['{"ml_tracking": "prediction", "prediction_id": 7}', '"prediction_id"'],
    ['{"ml_tracking": "status", "status": "paused"}', '"status"'],
    ['{"ml_tracking": "metric", "name": "loss"}', 'unknown message type "metric"'],
    ['{"ml_tracking": null}', 'unknown message type'],
  ];
  for (const [line, problem] of MALFORMED) {
    it(`says ${line} is malformed (${problem})`, () => {
      const parsed = parseProtocolLine(line);
      expect(parsed.kind).toBe('malformed');
      expect(parsed.kind === 'malformed' && parsed.problem).toContain(problem);
    });
  }

  it('reads a message whose ml_tracking key is not the first (keys sorted by the printer)', () => {
    expect(
      parseProtocolLine('{"step": 2, "tag": "loss", "value": 0.5, "ml_tracking": "scalar"}'),
    ).toEqual({
      kind: 'message',
      message: { type: 'scalar', tag: 'loss', value: 0.5, step: 2 },
    });
    expect(parseProtocolLine('{"tag": "loss", "ml_tracking": "scalar"}')).toMatchObject({
      kind: 'malformed',
    });
  });

  /** A hyperparameters line whose value nests `depth - 2` arrays (the message and values count). */
  const nested = (depth: number) =>
    `{"ml_tracking": "hyperparameters", "values": {"deep": ${'['.repeat(depth - 2)}${']'.repeat(depth - 2)}}}`;

  it(`reads a message nested ${MAX_MESSAGE_DEPTH} deep, and calls one level deeper malformed`, () => {
    expect(MAX_MESSAGE_DEPTH).toBe(64);
    expect(parseProtocolLine(nested(64))).toMatchObject({ kind: 'message' });
    expect(parseProtocolLine(nested(65))).toEqual({
      kind: 'malformed',
      problem: 'nested deeper than 64 levels of arrays and objects',
    });
  });

  it('calls a line nested 100,000 deep malformed without a stack overflow', () => {
    expect(parseProtocolLine(nested(100_000))).toMatchObject({ kind: 'malformed' });
    // Unbalanced too: only the depth reached counts.
    expect(
      parseProtocolLine(`{"ml_tracking": "summary", "values": ${'{"a":'.repeat(100_000)}`),
    ).toMatchObject({
      kind: 'malformed',
      problem: expect.stringContaining('nested deeper') as string,
    });
  });

  it('does not count brackets inside strings, escaped quotes included', () => {
    const line = `{"ml_tracking": "hyperparameters", "values": {"note": "${'[{'.repeat(1000)} \\" ${'[{'.repeat(1000)}"}}`;
    const parsed = parseProtocolLine(line);
    expect(parsed).toMatchObject({ kind: 'message', message: { type: 'hyperparameters' } });
  });

  it('refuses a "__proto__" key in values, at any depth and however it is spelt, rather than losing it', () => {
    for (const line of [
      '{"ml_tracking": "hyperparameters", "values": {"__proto__": {"lr": 1}}}',
      '{"ml_tracking": "hyperparameters", "values": {"optimizer": [{"__proto__": 1}]}}',
      '{"ml_tracking": "hyperparameters", "values": {"\\u005f_proto__": 1}}',
      '{"ml_tracking": "summary", "values": {"__proto__": 0.5}}',
    ]) {
      expect(parseProtocolLine(line), line).toEqual({
        kind: 'malformed',
        problem: 'a key named "__proto__" is not accepted (rename it, e.g. "proto")',
      });
    }
    // A value that says "__proto__" is only a string.
    expect(
      parseProtocolLine('{"ml_tracking": "hyperparameters", "values": {"name": "__proto__"}}'),
    ).toMatchObject({ kind: 'message' });
  });
});
