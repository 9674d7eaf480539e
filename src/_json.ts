/** `JSON.stringify` typed as it behaves: `undefined` for functions, symbols and `undefined`. */
export const jsonText: (
  value: unknown,
  replacer?: (key: string, value: unknown) => unknown,
) => string | undefined = JSON.stringify;
