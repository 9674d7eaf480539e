/**
 * User data made safe to print on a terminal. Run names, tags, hyperparameter values, a trial's
 * output and the error messages that quote them may carry control characters, which a terminal
 * obeys instead of showing: ESC and C1 sequences that clear the screen, move the cursor, set the
 * window title (OSC) or conceal text, backspaces and carriage returns that write over what came
 * before, bidirectional overrides that reorder it.
 */

/**
 * C0 but tab and newline, DEL, C1, and the bidirectional embeddings, overrides and isolates
 * (U+202A–U+202E, U+2066–U+2069: "Trojan Source" reordering).
 */
// eslint-disable-next-line no-control-regex
const CONTROL_IN_LINES = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
/** The same, and tab and newline too: for text that must stay on one line (a table's cell). */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** Options of {@link terminalText}. */
export interface TerminalTextOptions {
  /**
   * Keep newlines and tabs: the text is lines meant to be broken there (a message that lists
   * problems, pretty-printed JSON). Off for a value that belongs on one line.
   * @default false
   */
  lineBreaks?: boolean;
}

/**
 * `text` with each control character written as its escape (`\u001b`), so no sequence reaches
 * the terminal whole. Escaped rather than dropped: the reader sees that the value carries
 * something, and JSON printed through this still parses to the same data (`JSON.stringify`
 * escapes C0 itself, and `\u009b` is the same string as a raw U+009B to a JSON parser).
 * Idempotent: its output has no control character left.
 * @example terminalText('a\x1b[2Jb') // 'a\\u001b[2Jb'
 */
export function terminalText(text: string, options: TerminalTextOptions = {}): string {
  return text.replace(options.lineBreaks === true ? CONTROL_IN_LINES : CONTROL, escape);
}

function escape(character: string): string {
  return `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`;
}
