/** Where commands print; the entry point passes stdout, tests pass a collector. */
export interface Output {
  line(text: string): void;
}
