/** Deterministic synthetic experiments for the benchmarks. */
export function syntheticClassification(samples: number, classes = 10) {
  const names = Array.from(
    { length: classes },
    (_, index) => `class-${String(index).padStart(2, '0')}`,
  );
  const yTrue: string[] = new Array<string>(samples);
  const yPred: string[] = new Array<string>(samples);
  let state = 12345;
  const random = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32;
  for (let index = 0; index < samples; index += 1) {
    const actual = Math.floor(random() * classes);
    yTrue[index] = names[actual]!;
    yPred[index] = names[random() < 0.8 ? actual : Math.floor(random() * classes)]!;
  }
  return {
    yTrue,
    yPred,
    testSet: Array.from({ length: samples }, (_, index) => `sample-${index}`),
  };
}

export function syntheticRegression(samples: number) {
  const yTrue = new Float64Array(samples);
  const yPred = new Float64Array(samples);
  let state = 6789;
  const random = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32;
  for (let index = 0; index < samples; index += 1) {
    yTrue[index] = random() * 100 + Math.PI;
    yPred[index] = yTrue[index]! + (random() - 0.5) * 10 + Math.E / 1000;
  }
  return {
    yTrue,
    yPred,
    testSet: Array.from({ length: samples }, (_, index) => `sample-${index}`),
  };
}

/**
 * What the benchmarks pass to `logExperiment` for one synthetic experiment of `samples` (without
 * plots, which have their own bench), so that every bench logs the same experiment.
 */
export function benchExperiment(
  kind: 'classification' | 'regression',
  samples: number,
  store: string,
  classes = 10,
) {
  const data =
    kind === 'classification'
      ? syntheticClassification(samples, classes)
      : syntheticRegression(samples);
  return {
    kind,
    project: 'bench',
    parameters: {
      datasetUri: 'bench://data',
      targetColumn: 'y',
      testSet: data.testSet,
      model: { name: 'Bench', params: {} },
    },
    yTrue: data.yTrue,
    yPred: data.yPred,
    plots: false,
    store,
  };
}
