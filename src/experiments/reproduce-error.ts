import { MlTrackingError } from '../errors.js';

/** The reproduction's child process failed, or ended without a result. */
export class ReproduceError extends MlTrackingError {
  override name = 'ReproduceError' as const;
  readonly runId: string;
  /** The commit of the code that ran; `undefined` outside a git repository. */
  readonly commit: string | undefined;
  /** The child's exit code; `null` when a signal ended it. */
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  /** The `code` of the error the child reported, when it reported one. */
  readonly childErrorCode: string | undefined;
  /** The last lines of the child's standard error. */
  readonly outputTail: string[];
  /** The signal (SIGINT, SIGTERM) this process received, which stopped the reproduction. */
  readonly interruptedBy: NodeJS.Signals | undefined;

  constructor(context: {
    runId: string;
    commit: string | undefined;
    problem: string;
    exitCode: number | null;
    signal: NodeJS.Signals | null;
    childErrorCode?: string | undefined;
    outputTail: string[];
    interruptedBy?: NodeJS.Signals;
  }) {
    const tail =
      context.outputTail.length === 0
        ? ''
        : `\nLast lines of its output:\n${context.outputTail.map((line) => `  ${line}`).join('\n')}`;
    super(
      `Cannot reproduce run ${context.runId}${context.commit === undefined ? '' : ` at commit ${context.commit}`}: ${context.problem}${/[.!?]$/.test(context.problem) ? '' : '.'}${tail}`,
      { code: 'ERR_REPRODUCE' },
    );
    this.runId = context.runId;
    this.commit = context.commit;
    this.exitCode = context.exitCode;
    this.signal = context.signal;
    this.childErrorCode = context.childErrorCode;
    this.outputTail = context.outputTail;
    this.interruptedBy = context.interruptedBy;
  }
}
