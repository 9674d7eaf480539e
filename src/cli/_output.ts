import { terminalText } from './_terminal-text.js';

/** Where commands print; the entry point passes stdout, tests pass a collector. */
export interface Output {
  line(text: string): void;
}

/**
 * `output` with every line made safe for a terminal ({@link terminalText}, line breaks kept):
 * what commands print through, so no command can forget to escape a name, a tag or a trial's
 * output. JSON printed through it parses to the same data.
 */
export function terminalOutput(output: Output): Output {
  return {
    line: (text) => {
      output.line(terminalText(text, { lineBreaks: true }));
    },
  };
}
