/**
 * The line protocol through which a program in any language reports to the run it runs as: one
 * JSON object on its own line of standard output. `ml-tracking exec` and sweep trials read it;
 * `startRun()` inside such a program writes it (see `start-run.ts`).
 *
 * - `{"ml_tracking": "scalar", "tag": "loss", "value": 0.25, "step": 3}` (`step` optional)
 * - `{"ml_tracking": "summary", "values": {"test_accuracy": 0.91}}`
 * - `{"ml_tracking": "prediction", "prediction_id": "<uuid>"}`
 * - `{"ml_tracking": "hyperparameters", "values": {"lr": 0.001}}`
 * - `{"ml_tracking": "status", "status": "failed", "error": "…"}`
 *
 * Limits: a line is read up to {@link MAX_LINE_BYTES} and a message may nest arrays and objects
 * {@link MAX_MESSAGE_DEPTH} deep; past either, the line is output and the reader warns.
 */
import { jsonText } from '../_json.js';
import type { JsonValue } from './run-record.js';

/** One message of the protocol. */
export type ProtocolMessage =
  | { type: 'scalar'; tag: string; value: number; step?: number }
  | { type: 'summary'; values: Record<string, number> }
  | { type: 'prediction'; predictionId: string }
  | { type: 'hyperparameters'; values: Record<string, JsonValue> }
  | { type: 'status'; status: 'finished' | 'failed' | 'early_stopped'; error?: string };

/** What one line of output is: a message, ordinary output, or a marker that is malformed. */
export type ParsedLine =
  | { kind: 'message'; message: ProtocolMessage }
  | { kind: 'output' }
  | { kind: 'malformed'; problem: string };

/**
 * The longest line of a command's output that is read whole, in bytes without its line end:
 * 1 MiB. A real message is under a kilobyte (a summary or a set of hyperparameters a few); a
 * longer line is kept as output, cut to this length, so one runaway line cannot take the parent's
 * memory (a 512 MiB line used to end it with a RangeError).
 */
export const MAX_LINE_BYTES = 1024 * 1024;

/**
 * How deep a message may nest arrays and objects, the message itself counting as 1: 64. Real
 * hyperparameters nest a few levels; the run record is written with JSON.stringify, which recurses,
 * so a line nested 100,000 deep used to end the parent with "Maximum call stack size exceeded".
 */
export const MAX_MESSAGE_DEPTH = 64;

// Cheap test before JSON.parse: most lines of a training script are not messages. The key may
// come anywhere in the object (a dict printed by another JSON library, keys sorted).
const MARKER = /^\s*\{.*"ml_tracking"\s*:/;

/** Reads one line (without its line end). */
export function parseProtocolLine(line: string): ParsedLine {
  if (!MARKER.test(line)) return { kind: 'output' };
  if (nestsDeeperThan(line, MAX_MESSAGE_DEPTH)) {
    return malformed(`nested deeper than ${MAX_MESSAGE_DEPTH} levels of arrays and objects`);
  }
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { kind: 'malformed', problem: 'not valid JSON' };
  }
  const fields = value as Record<string, unknown>;
  switch (fields.ml_tracking) {
    case 'scalar': {
      const { tag, value: number, step } = fields;
      if (typeof tag !== 'string') return malformed('"tag" must be a string');
      if (typeof number !== 'number') return malformed('"value" must be a number');
      if (step !== undefined && step !== null && typeof step !== 'number') {
        return malformed('"step" must be a number when given');
      }
      const message: ProtocolMessage = { type: 'scalar', tag, value: number };
      if (typeof step === 'number') message.step = step;
      return { kind: 'message', message };
    }
    case 'summary': {
      const values = fields.values;
      if (typeof values !== 'object' || values === null || Array.isArray(values)) {
        return malformed('"values" must be an object of numbers');
      }
      if (hasProtoKey(values)) return malformed(PROTO_KEY);
      return {
        kind: 'message',
        message: { type: 'summary', values: values as Record<string, number> },
      };
    }
    case 'hyperparameters': {
      const values = fields.values;
      if (typeof values !== 'object' || values === null || Array.isArray(values)) {
        return malformed('"values" must be an object');
      }
      if (hasProtoKey(values)) return malformed(PROTO_KEY);
      return {
        kind: 'message',
        message: { type: 'hyperparameters', values: values as Record<string, JsonValue> },
      };
    }
    case 'prediction': {
      const id = fields.prediction_id;
      if (typeof id !== 'string') return malformed('"prediction_id" must be a string');
      return { kind: 'message', message: { type: 'prediction', predictionId: id } };
    }
    case 'status': {
      const { status, error } = fields;
      if (status !== 'finished' && status !== 'failed' && status !== 'early_stopped') {
        return malformed('"status" must be finished, failed or early_stopped');
      }
      const message: ProtocolMessage = { type: 'status', status };
      if (typeof error === 'string') message.error = error;
      return { kind: 'message', message };
    }
    default:
      return malformed(`unknown message type ${jsonText(fields.ml_tracking) ?? 'undefined'}`);
  }
}

const malformed = (problem: string): ParsedLine => ({ kind: 'malformed', problem });

// JSON.parse keeps a "__proto__" key as an own property, but whoever copies it by assignment
// (Object.assign, obj[key] = …) sets a prototype instead and the value vanishes silently; the run
// logger refuses such a hyperparameter too, so the line says so rather than losing it.
const PROTO_KEY = 'a key named "__proto__" is not accepted (rename it, e.g. "proto")';

/** Whether parsed JSON has an own `__proto__` key at any depth (iterative: the input is hostile). */
function hasProtoKey(root: object): boolean {
  const pending: unknown[] = [root];
  for (let value = pending.pop(); value !== undefined; value = pending.pop()) {
    if (typeof value !== 'object' || value === null) continue;
    if (!Array.isArray(value) && Object.hasOwn(value, '__proto__')) return true;
    // One at a time: spreading an array of 500,000 numbers into push() overflows the stack.
    for (const item of Object.values(value as Record<string, unknown>)) pending.push(item);
  }
  return false;
}

/**
 * Whether JSON text nests brackets deeper than `limit`, by one pass over its characters (no
 * recursion, no parse: the text may be hostile). Brackets inside strings do not count.
 */
function nestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let at = 0; at < text.length; at += 1) {
    const code = text.charCodeAt(at);
    if (inString) {
      if (code === BACKSLASH) at += 1;
      else if (code === QUOTE) inString = false;
    } else if (code === QUOTE) {
      inString = true;
    } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      depth += 1;
      if (depth > limit) return true;
    } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
      depth -= 1;
    }
  }
  return false;
}

const BACKSLASH = 0x5c;
const QUOTE = 0x22;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;

/** Writes one message as its line, with the `\n`. */
export function formatProtocolLine(message: ProtocolMessage): string {
  switch (message.type) {
    case 'scalar':
      return `${jsonText(
        message.step === undefined
          ? { ml_tracking: 'scalar', tag: message.tag, value: message.value }
          : { ml_tracking: 'scalar', tag: message.tag, value: message.value, step: message.step },
      )}\n`;
    case 'summary':
      return `${jsonText({ ml_tracking: 'summary', values: message.values })}\n`;
    case 'hyperparameters':
      return `${jsonText({ ml_tracking: 'hyperparameters', values: message.values })}\n`;
    case 'prediction':
      return `${jsonText({ ml_tracking: 'prediction', prediction_id: message.predictionId })}\n`;
    case 'status':
      return `${jsonText({ ml_tracking: 'status', status: message.status, error: message.error })}\n`;
  }
}
