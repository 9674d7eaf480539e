/**
 * Files a reader could not read. One unreadable file (a tracker edited by hand, a record cut
 * short, a foreign file dropped into a folder) must not take a whole listing down: listings leave
 * it out and name it through {@link OnSkipped}; a function about that one object throws a
 * {@link CorruptFileError} naming it instead of pretending the object does not exist.
 *
 * Why a callback rather than a `skipped` array in each result: `listRuns`, `listSweeps` and
 * `listTrackers` return arrays that callers already use, and readers call one another (a sweep
 * listing reads runs, a project page reads trackers, runs and sweeps); one option passed down
 * reaches every nested reader without changing a return type, and each front end decides how to
 * show it (the CLI prints a line per file as it comes, the dashboard collects them into its
 * answers' `skipped` field).
 */
import { CorruptFileError } from './errors.js';

// Its home is errors.ts, with the other error classes; readers import it from here.
export { CorruptFileError };

/** A file a reader left out, and why. */
export interface SkippedFile {
  /** The file's path in the store. */
  path: string;
  /** What is wrong with it, e.g. `Quote Not Closed: the parsing is finished with an opening quote at line 3`. */
  problem: string;
}

/** Told about each file a reader left out, once per file and read. */
export type OnSkipped = (skipped: SkippedFile) => void;

/** The option every reading function takes. */
export interface SkippedFilesOptions {
  /**
   * Told about each file that could not be read and was left out of the answer. Without it, such
   * files are left out silently.
   */
  onSkipped?: OnSkipped;
}

/**
 * `read()`'s value, or `undefined` after telling `onSkipped` when it threw a
 * {@link CorruptFileError}. Any other failure still throws.
 */
export async function skipIfCorrupt<T>(
  read: () => Promise<T>,
  onSkipped: OnSkipped | undefined,
): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    if (!(error instanceof CorruptFileError)) throw error;
    onSkipped?.(error.skipped);
    return undefined;
  }
}

// A parser's message may quote a whole field of the bad file: enough to find the place.
const MOST_PROBLEM_CHARACTERS = 200;

/** The first line of a parser's message, without a trailing period and shortened: a problem to quote. */
export function problemOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const line = (message.split('\n')[0] ?? message).replace(/\.\s*$/, '');
  return line.length > MOST_PROBLEM_CHARACTERS
    ? `${line.slice(0, MOST_PROBLEM_CHARACTERS)}…`
    : line;
}
