/**
 * Scalars waiting to be written, column by column in typed arrays: `addScalar` stores four
 * numbers and never allocates per point, which keeps it well under a microsecond.
 */
export class PointBuffer {
  /** Every tag seen by this run, in order of first use; `tagIndex` points into it. */
  readonly tags: string[] = [];
  private readonly tagNumbers = new Map<string, number>();
  tagIndex = new Uint32Array(1024);
  step = new Float64Array(1024);
  value = new Float64Array(1024);
  wallTime = new Float64Array(1024);
  length = 0;

  push(tag: string, step: number, value: number, wallTime: number): void {
    let index = this.tagNumbers.get(tag);
    if (index === undefined) {
      index = this.tags.length;
      this.tags.push(tag);
      this.tagNumbers.set(tag, index);
    }
    if (this.length === this.step.length) this.grow();
    const at = this.length;
    this.tagIndex[at] = index;
    this.step[at] = step;
    this.value[at] = value;
    this.wallTime[at] = wallTime;
    this.length = at + 1;
  }

  /** Hands over the buffered points and starts empty again (the tag list is kept). */
  take(): PointBatch {
    const batch: PointBatch = {
      tags: this.tags,
      tagIndex: this.tagIndex,
      step: this.step,
      value: this.value,
      wallTime: this.wallTime,
      length: this.length,
    };
    const capacity = Math.max(1024, Math.min(this.step.length, 1 << 16));
    this.tagIndex = new Uint32Array(capacity);
    this.step = new Float64Array(capacity);
    this.value = new Float64Array(capacity);
    this.wallTime = new Float64Array(capacity);
    this.length = 0;
    return batch;
  }

  private grow(): void {
    const capacity = this.step.length * 2;
    const grown = <T extends Float64Array | Uint32Array>(array: T, next: T): T => {
      next.set(array);
      return next;
    };
    this.tagIndex = grown(this.tagIndex, new Uint32Array(capacity));
    this.step = grown(this.step, new Float64Array(capacity));
    this.value = grown(this.value, new Float64Array(capacity));
    this.wallTime = grown(this.wallTime, new Float64Array(capacity));
  }
}

/** Points taken from a {@link PointBuffer}: the first `length` entries of each array. */
export interface PointBatch {
  tags: readonly string[];
  tagIndex: Uint32Array;
  step: Float64Array;
  value: Float64Array;
  wallTime: Float64Array;
  length: number;
}
