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

// Cheap test before JSON.parse: most lines of a training script are not messages. The key may
// come anywhere in the object (a dict printed by another JSON library, keys sorted).
const MARKER = /^\s*\{.*"ml_tracking"\s*:/;

/** Reads one line (without its line end). */
export function parseProtocolLine(line: string): ParsedLine {
  if (!MARKER.test(line)) return { kind: 'output' };
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
