/** The inputs of reading a predictions CSV, as error messages and warnings name them. */
export interface PredictionsCsvInputNames {
  /** The file. @default 'file' */
  file: string;
  /** @default 'yTrue' */
  yTrue: string;
  /** @default 'yPred' */
  yPred: string;
  /** @default 'sampleId' */
  sampleId: string;
  /** @default 'yScore' */
  yScore: string;
  /** @default 'yScorePrefix' */
  yScorePrefix: string;
  /** @default 'positiveLabel' */
  positiveLabel: string;
}

/** The options' own names: what a library caller typed. */
export const OPTION_NAMES: PredictionsCsvInputNames = {
  file: 'file',
  yTrue: 'yTrue',
  yPred: 'yPred',
  sampleId: 'sampleId',
  yScore: 'yScore',
  yScorePrefix: 'yScorePrefix',
  positiveLabel: 'positiveLabel',
};

/** The names to use: the caller's (a command line passes its flags) over the options' own. */
export function inputNames(
  names: Partial<PredictionsCsvInputNames> | undefined,
): PredictionsCsvInputNames {
  return { ...OPTION_NAMES, ...names };
}

/**
 * A fix worded for the caller: flags (names that start with `--`, as a command line passes them)
 * are written as a user types them on a command line, options as code.
 */
export function worded(
  names: PredictionsCsvInputNames,
  forFlags: string,
  forOptions: string,
): string {
  return names.file.startsWith('--') ? forFlags : forOptions;
}
