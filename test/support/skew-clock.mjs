// Preloaded with NODE_OPTIONS="--import <this file>": shifts this process's wall clock (Date.now
// and new Date()) by ML_TRACKING_TEST_SKEW_MS milliseconds, as a machine whose clock is wrong.
// The monotonic clock (performance.now) is left alone, as it is on such a machine.
const skewMs = Number(process.env.ML_TRACKING_TEST_SKEW_MS ?? 0);
const RealDate = Date;
const realNow = RealDate.now.bind(RealDate);

class SkewedDate extends RealDate {
  constructor(...args) {
    if (args.length === 0) super(realNow() + skewMs);
    else super(...args);
  }

  static now() {
    return realNow() + skewMs;
  }
}

globalThis.Date = SkewedDate;
