/**
 * The sweep's early-stopping rule, as in the original system: a trial stops when its
 * optimisation metric has not improved for `patience` logged values in a row.
 */
export class EarlyStopping {
  private best: number | undefined;
  private sinceBest = 0;

  constructor(
    private readonly goal: 'max' | 'min',
    private readonly patience: number,
  ) {}

  /** The best value so far, if any. */
  get bestValue(): number | undefined {
    return this.best;
  }

  /** Takes the next logged value; `true` once the trial should stop. */
  observe(value: number): boolean {
    const improved =
      this.best === undefined || (this.goal === 'max' ? value > this.best : value < this.best);
    if (improved) {
      this.best = value;
      this.sinceBest = 0;
      return false;
    }
    this.sinceBest += 1;
    return this.sinceBest >= this.patience;
  }
}
