/**
 * Parsing a configuration file's JSON, with a syntax error reported at its line and column, which
 * JSON.parse does not always give. Shared by the sweep and pipeline configurations.
 */
import { ValidationError } from './errors.js';

/**
 * `JSON.parse(text)`, or a ValidationError naming `source` and the line and column of the first
 * syntax error.
 */
export function parseJsonText(text: string, source: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const offset = firstSyntaxErrorOffset(text);
    const before = text.slice(0, offset);
    const where = `line ${before.split('\n').length}, column ${offset - before.lastIndexOf('\n')}`;
    let problem: string;
    if (text.trim() === '') problem = 'the file is empty';
    else if (offset >= text.length) problem = `it ends before the JSON does (${where})`;
    else
      problem = `it is not valid JSON: unexpected ${JSON.stringify(text.charAt(offset))} at ${where}`;
    throw new ValidationError(
      source,
      problem,
      'Fix the syntax there: a missing or extra comma, an unclosed quote or bracket, single quotes or a comment (JSON allows none) are the usual causes.',
      { cause: error },
    );
  }
}

// JSON forbids raw control characters (U+0000 to U+001F) in strings: matching them is the point.
// eslint-disable-next-line no-control-regex
const STRING_CHARACTERS = /(?:[^"\\\u0000-\u001f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*/y;
const STRING = new RegExp(`"${STRING_CHARACTERS.source}"`, 'y');

/**
 * Where `text` stops being JSON, as an offset (its length when it ends too early). JSON.parse
 * does not say for every error on Node 20 (`Unexpected token 'x', "…" is not valid JSON`), and a
 * user needs a line and column to find the mistake.
 */
function firstSyntaxErrorOffset(text: string): number {
  let at = 0;
  const skipSpace = () => {
    while (at < text.length && ' \t\n\r'.includes(text.charAt(at))) at += 1;
  };
  const matches = (pattern: RegExp) => {
    pattern.lastIndex = at;
    const match = pattern.exec(text);
    if (match !== null) at += match[0].length;
    return match !== null;
  };
  const value = (): boolean => {
    skipSpace();
    const next = text.charAt(at);
    if (next === '{') return container('}', true);
    if (next === '[') return container(']', false);
    if (next === '"') {
      if (matches(STRING)) return true;
      // Point inside the string, at the character at fault (or the end, if it is unclosed).
      at += 1;
      matches(STRING_CHARACTERS);
      return false;
    }
    return matches(/true|false|null/y) || matches(/-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y);
  };
  const container = (close: string, keyed: boolean): boolean => {
    at += 1;
    skipSpace();
    if (text.charAt(at) === close) {
      at += 1;
      return true;
    }
    for (;;) {
      if (keyed) {
        skipSpace();
        if (text.charAt(at) !== '"' || !value()) return false;
        skipSpace();
        if (text.charAt(at) !== ':') return false;
        at += 1;
      }
      if (!value()) return false;
      skipSpace();
      if (text.charAt(at) === close) {
        at += 1;
        return true;
      }
      if (text.charAt(at) !== ',') return false;
      at += 1;
    }
  };
  if (value()) skipSpace();
  return at;
}
