/**
 * A run's command as a person pastes it into a shell: words that need it single-quoted, so the
 * line reproduces the argv exactly (spaces, quotes and `$` included).
 */

/** One shell word. */
export const shellWord = (word: string): string =>
  /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;

/** An argv as one shell line. @example shellCommand(['python', 'train.py', '--lr', '0.1']) */
export const shellCommand = (argv: readonly string[]): string => argv.map(shellWord).join(' ');
