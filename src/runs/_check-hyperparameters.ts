/**
 * The one check of hyperparameters, for `startRun({ hyperparameters })` and
 * `setHyperparameters()`: what JSON cannot hold is refused with a ValidationError naming where,
 * rather than written as null, dropped, or left to make every later record write fail.
 */
import { ValidationError } from '../errors.js';
import { jsonText } from '../_json.js';
import type { JsonValue } from './run-record.js';

const FIX = 'Pass a plain object of JSON values (numbers, strings, booleans, arrays, objects).';

/**
 * A deep copy of `value` as JSON reads it back, so that changing the caller's object later
 * changes nothing recorded. `undefined` is `{}` unless `required`.
 * @throws ValidationError for a value that is not an object, a cycle, a BigInt, NaN, an Infinity,
 *   a function, `undefined`, an inherited property, or a `__proto__` key, at any depth.
 */
export function checkHyperparameters(value: unknown, required = false): Record<string, JsonValue> {
  if (value === undefined && !required) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ValidationError('hyperparameters', 'not an object', FIX);
  }
  let text: string | undefined;
  try {
    text = jsonText(value);
  } catch (error) {
    // Cycles, BigInts and nesting deeper than the stack.
    throw new ValidationError('hyperparameters', 'cannot be written as JSON', FIX, {
      cause: error,
    });
  }
  // JSON writes NaN and Infinity as null and drops undefined, functions and inherited keys, at
  // any depth: say so rather than lose them.
  const lost = notJson(value, 'hyperparameters');
  if (lost !== undefined) throw new ValidationError(lost.path, lost.problem, lost.fix ?? FIX);
  return JSON.parse(text ?? '{}') as Record<string, JsonValue>;
}

interface Problem {
  path: string;
  problem: string;
  fix?: string;
}

/** Where `value` holds something JSON would turn into null or drop, and what. */
function notJson(value: unknown, path: string): Problem | undefined {
  if (typeof value === 'number') {
    return Number.isFinite(value) ? undefined : { path, problem: `${value} is not finite` };
  }
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return undefined;
  if (typeof value !== 'object') return { path, problem: `${typeof value} is not JSON` };
  if (!Array.isArray(value)) {
    for (const key in value) {
      if (!Object.hasOwn(value, key)) {
        return { path: `${path}.${key}`, problem: 'is inherited (JSON keeps own properties only)' };
      }
    }
    // An own "__proto__" survives JSON, but any reader that assigns it (Object.assign, obj[key])
    // sets a prototype instead and loses it: refused, rather than kept for some readers only.
    if (Object.hasOwn(value, '__proto__')) {
      return {
        path: `${path}.__proto__`,
        problem: '"__proto__" is not accepted as a name',
        fix: 'Rename the key, e.g. "proto".',
      };
    }
  }
  const entries = Array.isArray(value) ? value.entries() : Object.entries(value);
  for (const [key, item] of entries) {
    const found = notJson(item, `${path}.${key}`);
    if (found !== undefined) return found;
  }
  return undefined;
}
