import { ValidationError } from '../errors.js';

/**
 * A flag's JSON object (`--params '{"max_depth": 5}'`); `{}` when the flag is absent.
 * @throws ValidationError naming the flag when the text is not JSON or not an object.
 */
export function parseJsonObject(flag: string, text: string | undefined): Record<string, unknown> {
  if (text === undefined) return {};
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value))
      return value as Record<string, unknown>;
  } catch (error) {
    throw new ValidationError(
      flag,
      `${text} is not valid JSON`,
      `Pass a JSON object, e.g. ${flag} '{"max_depth": 5}'.`,
      { cause: error },
    );
  }
  throw new ValidationError(
    flag,
    `${text} is not a JSON object`,
    `Pass a JSON object, e.g. ${flag} '{"max_depth": 5}'.`,
  );
}
