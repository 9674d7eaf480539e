/** `--store`, accepted by every command. */
export const storeArg = {
  store: {
    type: 'string',
    description:
      'Store URL: gs://bucket[/folder], a folder or file:// URL, memory://. Default: $ML_TRACKING_STORE, else ./ml-tracking',
  },
} as const;

/** `--verbose`, accepted by every command: errors print their stack and causes. */
export const verboseArg = {
  verbose: { type: 'boolean', description: 'Print the stack and causes of an error' },
} as const;
