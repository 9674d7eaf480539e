import { spawnSync } from 'node:child_process';
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listRuns, openStore, readScalars } from '../../src/index.js';
import { runProcess, type ProcessResult } from '../support/processes.js';
import { pairwiseAuc } from '../support/pairwise-auc.js';
import { BUILT_CLI } from '../support/programs.js';

// The Python client (clients/python) against this repository's built CLI.
const root = fileURLToPath(new URL('../..', import.meta.url));
const quote = (part: string) => `'${part.replaceAll("'", `'\\''`)}'`;
const cliCommand = [process.execPath, BUILT_CLI].map(quote).join(' ');

/** The first of `candidates` that runs `import` without error. */
function findPython(candidates: string[], imports: string): string | undefined {
  return candidates.find(
    (python) => spawnSync(python, ['-c', imports], { stdio: 'ignore' }).status === 0,
  );
}

const python = findPython(['python3'], 'import sys; assert sys.version_info >= (3, 8)');
const pythonWithSklearn = findPython(['python3', '/usr/bin/python3'], 'import sklearn, pandas');
// pip builds the package offline (--no-build-isolation) with the setuptools and wheel it has.
const pythonWithBuildTools = findPython(
  ['python3', '/usr/bin/python3'],
  'from importlib.metadata import version as v; v("pip"), v("wheel"); assert int(v("setuptools").split(".")[0]) >= 61',
);

function runPython(
  interpreter: string,
  script: string,
  args: string[],
  cwd: string,
): Promise<ProcessResult> {
  return runProcess(interpreter, ['-c', script, ...args], {
    cwd,
    env: {
      PYTHONPATH: join(root, 'clients/python'),
      PYTHONDONTWRITEBYTECODE: '1',
      ML_TRACKING_CLI: cliCommand,
      ML_TRACKING_STORE: '',
    },
  });
}

/** Runs a script that prints one JSON object, and returns it. */
async function pythonJson<T>(
  interpreter: string,
  script: string,
  args: string[],
  cwd: string,
): Promise<T> {
  const result = await runPython(interpreter, script, args, cwd);
  if (result.code !== 0) throw new Error(`python exited with ${result.code}:\n${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

interface LogResult {
  predictionId: string;
  project: string;
  tracker: string;
  scores: Record<string, number | null>;
  files: Record<string, { path: string; url: string }>;
  plots: Record<string, { path: string; url: string }>;
  warnings: string[];
}

const SKIP_NO_PYTHON =
  'python3 (3.8+) is not on the PATH: the Python client (clients/python) needs it';

// Plain lists and objects that only quack like numpy (tolist(), item()), so that the test runs
// on a bare python3.
const FAKES = `
import json, math, sys, warnings
from ml_tracking import log_experiment, MlTrackingError, MlTrackingWarning, ValidationError

class FakeArray:
    """numpy-like: tolist() only."""
    def __init__(self, values): self.values = values
    def tolist(self): return list(self.values)

class FakeScalar:
    """A numpy scalar: item(), dtype, ndim 0."""
    dtype = "float64"
    ndim = 0
    def __init__(self, value): self.value = value
    def item(self): return self.value

class Inner:
    def get_params(self, deep=True): return {"alpha": FakeScalar(0.5)}

class FakeClassifier:
    classes_ = FakeArray(["b", "a", "c"])  # not sorted: the y_score columns follow classes_
    def get_params(self, deep=True):
        return {"C": FakeScalar(1.0), "tol": float("nan"), "layers": (3, 4), "base": Inner(),
                "kind": dict, "weights": FakeArray([1, 2])}

PARAMETERS = {"dataset_uri": "gs://bucket/iris.csv", "target_column": "species",
              "test_set": [10, 11, 12, 13, 14, 15], "model": FakeClassifier()}
`;

describe('Python client (clients/python)', () => {
  let cwd: string;
  beforeAll(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'ml-tracking-python-'));
  });
  afterAll(() => rm(cwd, { recursive: true, force: true }));

  // Rows in the order of FakeClassifier.classes_: P(b), P(a), P(c).
  const yTrue = ['a', 'b', 'c', 'a', 'b', 'c'];
  const proba = [
    [0.2, 0.7, 0.1],
    [0.5, 0.2, 0.3],
    [0.6, 0.1, 0.3],
    [0.25, 0.5, 0.25],
    [0.3, 0.3, 0.4],
    [0.15, 0.05, 0.8],
  ];

  it('logs a classification with probabilities and a regression; returns the CLI result', async (context) => {
    context.skip(python === undefined, SKIP_NO_PYTHON);
    const store = join(cwd, 'store');
    const script = `${FAKES}
store = sys.argv[1]
proba = FakeArray(${JSON.stringify(proba)})
classification = log_experiment(
    "classification", "python client", PARAMETERS, ${JSON.stringify(yTrue)},
    FakeArray(["a", "b", "b", "a", "c", "c"]), extra_parameters={"seed": FakeScalar(7)},
    y_score=proba, store=store, plots=False)
regression = log_experiment(
    "regression", "python client",
    dict(PARAMETERS, test_set=FakeArray(["r1", "r2", "r3"]),
         model={"name": "LinearModel", "params": {"fit_intercept": True}}),
    FakeArray([1.5, 2.0, 3.25]), [1.0, 2.5, FakeScalar(3.25)], store=store)
print(json.dumps({"classification": classification, "regression": regression}))
`;
    const { classification, regression } = await pythonJson<{
      classification: LogResult;
      regression: LogResult;
    }>(python!, script, [store], cwd);

    // Columns were matched to classes by model.classes_, not by position.
    const columnOf = { b: 0, a: 1, c: 2 };
    const macroAuc =
      (['a', 'b', 'c'] as const)
        .map((label) =>
          pairwiseAuc(
            yTrue.map((value) => value === label),
            proba.map((row) => row[columnOf[label]]!),
          ),
        )
        .reduce((sum, value) => sum + value, 0) / 3;
    const logLoss =
      -yTrue.reduce(
        (sum, label, i) => sum + Math.log(proba[i]![columnOf[label as 'a' | 'b' | 'c']]!),
        0,
      ) / yTrue.length;
    expect(classification.project).toBe('python-client');
    expect(classification.scores.roc_auc).toBeCloseTo(macroAuc, 12);
    expect(classification.scores.log_loss).toBeCloseTo(logLoss, 12);
    expect(classification.scores.overall_accuracy).toBeCloseTo(4 / 6, 12);
    expect(classification.warnings).toEqual([]);
    expect(classification.plots).toEqual({});
    expect(regression.scores.mae).toBeCloseTo(1 / 3, 12);
    expect(regression.scores.roc_auc).toBeUndefined();
    expect(Object.keys(regression.plots).sort()).toEqual(['regression', 'residuals']);

    const opened = await openStore(store);
    const row = async (logged: LogResult) => {
      const rows = parse<Record<string, string>>(await opened.readText(logged.tracker), {
        columns: true,
      });
      return rows.find((candidate) => candidate.prediction_id === logged.predictionId)!;
    };
    const classificationRow = await row(classification);
    expect(classificationRow.model).toBe('FakeClassifier');
    expect(JSON.parse(classificationRow.hyperparameters!)).toEqual({
      C: 1,
      tol: 'nan',
      layers: [3, 4],
      base: { class: 'Inner', params: { alpha: 0.5 } },
      kind: 'dict',
      weights: [1, 2],
    });
    expect(JSON.parse(classificationRow.extra_parameters!)).toEqual({ seed: 7 });
    expect(Number(classificationRow.roc_auc)).toBeCloseTo(macroAuc, 12);
    const predictions = parse<Record<string, string>>(
      await opened.readText(classification.files.predictions!.path),
      { columns: true },
    );
    expect(predictions.map((prediction) => prediction.sample_id)).toEqual([
      '10',
      '11',
      '12',
      '13',
      '14',
      '15',
    ]);

    const regressionRow = await row(regression);
    expect(regressionRow).toMatchObject({ model: 'LinearModel', test_set_size: '3' });
    expect(JSON.parse(regressionRow.hyperparameters!)).toEqual({ fit_intercept: true });
  }, 60_000);

  it("raises ValidationError with the CLI's one-line message; other failures MlTrackingError", async (context) => {
    context.skip(python === undefined, SKIP_NO_PYTHON);
    const script = `${FAKES}
import os
store = sys.argv[1]
out = {}
def attempt(name, call):
    try:
        call()
        out[name] = None
    except MlTrackingError as error:
        out[name] = {"type": type(error).__name__, "message": str(error),
                     "exit_code": error.exit_code, "parameter": getattr(error, "parameter", None),
                     "code": error.code, "hint": error.hint,
                     "value_error": isinstance(error, ValueError)}

regression = dict(PARAMETERS, test_set=[1, 2, 3], model={"name": "M"})
attempt("nan", lambda: log_experiment(
    "regression", "errors", regression, [1.0, float("nan"), 2.0], [1, 2, 3], store=store))
attempt("one_column", lambda: log_experiment(
    "classification", "errors", dict(PARAMETERS, model={"name": "M"}),
    ["a", "b", "c", "a", "b", "c"], ["a", "b", "c", "a", "b", "c"],
    y_score=[0.1, 0.2, 0.3, 0.4, 0.5, 0.6], store=store))
attempt("lengths", lambda: log_experiment(
    "regression", "errors", regression, [1.0, 2.0], [1.0, 2.0], store=store))
attempt("store_is_a_file", lambda: log_experiment(
    "regression", "errors", regression, [1.0, 2.0, 3.0], [1.0, 2.0, 3.0],
    store=os.path.join(store, "file.txt", "inside")))
os.environ["ML_TRACKING_CLI"] = os.path.join(store, "no-such-command")
attempt("no_cli", lambda: log_experiment(
    "regression", "errors", regression, [1.0, 2.0, 3.0], [1.0, 2.0, 3.0], store=store))
# Not installed at all: no variable, nothing on the PATH, no node_modules/.bin above the folder.
del os.environ["ML_TRACKING_CLI"]
os.environ["PATH"] = os.path.join(store, "empty-path")
os.chdir(store)
attempt("not_installed", lambda: log_experiment(
    "regression", "errors", regression, [1.0, 2.0, 3.0], [1.0, 2.0, 3.0], store=store))
print(json.dumps(out))
`;
    const store = join(cwd, 'errors-store');
    // A regular file where the store needs a folder: the store fails, not the input.
    await (await openStore(store)).write('file.txt', 'not a folder');
    const out = await pythonJson<
      Record<
        string,
        {
          type: string;
          message: string;
          exit_code: number | null;
          parameter: string | null;
          code: string | null;
          hint: string | null;
          value_error: boolean;
        } | null
      >
    >(python!, script, [store], cwd);

    // The code and parameter come from the CLI's --json error line, not from its message.
    expect(out.nan).toMatchObject({
      type: 'ValidationError',
      exit_code: 2,
      parameter: '--predictions',
      code: 'ERR_VALIDATION',
      value_error: true,
    });
    expect(out.nan!.message.endsWith(out.nan!.hint!)).toBe(true);
    expect(out.nan!.message).toMatch(
      /^Invalid --predictions: .*predictions\.csv, column "y_true", data row 2 \(line 3\): the cell "nan" is not a decimal number/,
    );
    expect(out.nan!.message).not.toContain('\n');
    expect(out.one_column).toMatchObject({
      type: 'ValidationError',
      parameter: '--y-score',
      code: 'ERR_VALIDATION',
    });
    expect(out.one_column!.message).toMatch(/the run has 3 classes \(a, b, c\)/);
    expect(out.lengths).toMatchObject({
      type: 'ValidationError',
      exit_code: null,
      parameter: 'y_true',
      code: 'ERR_VALIDATION',
    });
    expect(out.store_is_a_file).toMatchObject({
      type: 'MlTrackingError',
      exit_code: 1,
      code: 'ERR_STORE',
    });
    expect(out.store_is_a_file!.message).not.toBe('');
    expect(out.no_cli).toMatchObject({ type: 'MlTrackingError', exit_code: null, code: null });
    expect(out.no_cli!.message).toMatch(/Cannot run the ml-tracking command line/);
    // What to do, not npm's last log line.
    expect(out.not_installed).toMatchObject({ type: 'MlTrackingError', exit_code: null });
    expect(out.not_installed!.message).toMatch(
      /^ml-tracking command not found .*npm install -g \.\/ml-tracking-<version>\.tgz.*npm pack.*ML_TRACKING_CLI/,
    );
  }, 60_000);

  it('issues the CLI warnings as MlTrackingWarning and returns them', async (context) => {
    context.skip(python === undefined, SKIP_NO_PYTHON);
    const script = `${FAKES}
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    result = log_experiment(
        "classification", "warnings", dict(PARAMETERS, test_set=[1, 2, 3, 4], model={"name": "M"}),
        [1, 0, 1, 0], [1.0, 0.0, 1.0, 0.0], y_score=[0.1, 0.8, 0.3, 0.9], store=sys.argv[1],
        plots=False)
print(json.dumps({"result": result, "caught": [
    {"category": w.category.__name__, "message": str(w.message)} for w in caught]}))
`;
    const { result, caught } = await pythonJson<{
      result: LogResult;
      caught: { category: string; message: string }[];
    }>(python!, script, [join(cwd, 'warnings-store')], cwd);
    expect(result.scores.roc_auc).toBe(0);
    expect(result.warnings).toHaveLength(1);
    expect(caught).toEqual([{ category: 'MlTrackingWarning', message: result.warnings[0] }]);
    // 1.0 and 0.0 predictions are the integer labels 1 and 0.
    expect(result.scores.overall_accuracy).toBe(1);
  }, 60_000);

  it('report_scalar under ml-tracking exec records a step series; bad values raise before printing', async (context) => {
    context.skip(python === undefined, SKIP_NO_PYTHON);
    const script = `
import sys
from ml_tracking import report_scalar, report_scalars, report_summary, ValidationError
for epoch in range(5):
    report_scalars({"loss": 1 / (epoch + 1), "Accuracy": 0.5 + epoch / 10}, step=epoch)
report_scalar("lr", 0.001)
report_summary({"test_accuracy": 0.93})
for bad in (lambda: report_scalar("loss", float("nan")), lambda: report_scalar("", 1.0),
            lambda: report_scalar("loss", 1.0, step=-1), lambda: report_scalars({"a": 1, "b": "x"})):
    try:
        bad()
    except ValidationError as error:
        print("refused:", error.parameter)
print("done")
`;
    const store = join(cwd, 'report-store');
    const result = await runProcess(
      process.execPath,
      [
        BUILT_CLI,
        'exec',
        '--project',
        'python report',
        '--store',
        store,
        '--',
        python!,
        '-c',
        script,
      ],
      { cwd, env: { PYTHONPATH: join(root, 'clients/python'), PYTHONDONTWRITEBYTECODE: '1' } },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('refused: value of loss');
    expect(result.stdout.match(/^refused: /gm)).toHaveLength(4);
    // Protocol lines are recorded, not echoed.
    expect(result.stdout).not.toContain('ml_tracking');
    const [run] = await listRuns({ store });
    expect(run).toMatchObject({ project: 'python-report', status: 'finished', origin: 'exec' });
    expect(run!.summary.loss).toMatchObject({ count: 5, min: 0.2, max: 1, last: 0.2 });
    expect(run!.summary.test_accuracy?.last).toBe(0.93);
    const series = await readScalars(run!.id, { store, tags: ['Accuracy', 'lr'] });
    expect([...series.Accuracy!.step]).toEqual([0, 1, 2, 3, 4]);
    expect([...series.Accuracy!.value]).toEqual([0.5, 0.6, 0.7, 0.8, 0.9]);
    expect([...series.lr!.value]).toEqual([0.001]);
  }, 60_000);

  it('pip installs the package offline from its pyproject.toml', async (context) => {
    context.skip(
      pythonWithBuildTools === undefined,
      'no python3 or /usr/bin/python3 with pip, wheel and setuptools 61+ to build the package without a network',
    );
    // A copy, so that the build leaves nothing in the repository.
    const source = join(cwd, 'package-source');
    const target = join(cwd, 'site-packages');
    await cp(join(root, 'clients/python'), source, { recursive: true });
    const installed = spawnSync(
      pythonWithBuildTools!,
      [
        '-m',
        'pip',
        'install',
        '--no-build-isolation',
        '--no-index',
        '--no-deps',
        '--target',
        target,
        source,
      ],
      { encoding: 'utf8', env: { ...process.env, PIP_DISABLE_PIP_VERSION_CHECK: '1' } },
    );
    expect(installed.status, installed.stderr).toBe(0);
    expect((await readdir(join(target, 'ml_tracking'))).sort()).toEqual(
      expect.arrayContaining(['__init__.py', '_cli.py', '_log.py', 'py.typed']),
    );
    const imported = spawnSync(
      pythonWithBuildTools!,
      [
        '-c',
        'import ml_tracking; print(ml_tracking.__file__, ml_tracking.log_experiment.__name__)',
      ],
      {
        encoding: 'utf8',
        env: { ...process.env, PYTHONPATH: target, PYTHONDONTWRITEBYTECODE: '1' },
      },
    );
    expect(imported.stderr).toBe('');
    expect(imported.stdout).toBe(`${join(target, 'ml_tracking', '__init__.py')} log_experiment\n`);
  }, 120_000);

  it('scikit-learn and pandas: real models, DataFrames and predict_proba', async (context) => {
    context.skip(
      pythonWithSklearn === undefined,
      'scikit-learn and pandas are not installed for python3 or /usr/bin/python3 (Debian: apt-get install python3-sklearn python3-pandas)',
    );
    const script = `
import json, math, sys
import numpy as np
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import log_loss, mean_absolute_error, mean_squared_error, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from ml_tracking import log_experiment

store = sys.argv[1]
out = {}

iris = load_iris(as_frame=True)
X, y = iris.data, iris.target.map(lambda code: iris.target_names[code])
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.4, random_state=0)
model = LogisticRegression(max_iter=500, C=0.5).fit(X_train, y_train)
proba = model.predict_proba(X_test)
out["iris"] = {
    "result": log_experiment(
        "classification", "sklearn", {"dataset_uri": "sklearn:iris", "target_column": "species",
        "test_set": X_test, "model": model}, y_test, model.predict(X_test), y_score=proba,
        store=store, plots=False),
    "roc_auc": roc_auc_score(y_test, proba, multi_class="ovr"),
    "log_loss": log_loss(y_test, proba, labels=model.classes_),
    "test_index": [str(i) for i in X_test.index],
}

X, y = load_breast_cancer(return_X_y=True, as_frame=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=0)
pipeline = make_pipeline(StandardScaler(), LogisticRegression()).fit(X_train, y_train)
positive = pipeline.predict_proba(X_test)[:, 1]
out["cancer"] = {
    "result": log_experiment(
        "classification", "sklearn", {"dataset_uri": "sklearn:breast_cancer",
        "target_column": "target", "test_set": X_test.index, "model": pipeline},
        y_test, pipeline.predict(X_test), y_score=positive, store=store, plots=False),
    "roc_auc": roc_auc_score(y_test, positive),
}

X, y = load_diabetes(return_X_y=True, as_frame=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=0)
regressor = LinearRegression().fit(X_train, y_train)
predicted = regressor.predict(X_test)
out["diabetes"] = {
    "result": log_experiment(
        "regression", "sklearn", {"dataset_uri": "sklearn:diabetes", "target_column": "target",
        "test_set": X_test, "model": regressor}, y_test, predicted, store=store, plots=False),
    "mae": mean_absolute_error(y_test, predicted),
    "rmse": math.sqrt(mean_squared_error(y_test, predicted)),
}
print(json.dumps(out))
`;
    const store = join(cwd, 'sklearn-store');
    const out = await pythonJson<{
      iris: { result: LogResult; roc_auc: number; log_loss: number; test_index: string[] };
      cancer: { result: LogResult; roc_auc: number };
      diabetes: { result: LogResult; mae: number; rmse: number };
    }>(pythonWithSklearn!, script, [store], cwd);

    expect(Math.abs(out.iris.result.scores.roc_auc! - out.iris.roc_auc)).toBeLessThan(1e-9);
    expect(Math.abs(out.iris.result.scores.log_loss! - out.iris.log_loss)).toBeLessThan(1e-9);
    expect(Math.abs(out.cancer.result.scores.roc_auc! - out.cancer.roc_auc)).toBeLessThan(1e-9);
    expect(out.cancer.result.warnings).toEqual([]);
    expect(Math.abs(out.diabetes.result.scores.mae! - out.diabetes.mae)).toBeLessThan(1e-9);
    expect(Math.abs(out.diabetes.result.scores.rmse! - out.diabetes.rmse)).toBeLessThan(1e-9);

    const opened = await openStore(store);
    const trackerRow = async (logged: LogResult) =>
      parse<Record<string, string>>(await opened.readText(logged.tracker), {
        columns: true,
      }).find((row) => row.prediction_id === logged.predictionId)!;
    const iris = await trackerRow(out.iris.result);
    expect(iris.model).toBe('LogisticRegression');
    expect(JSON.parse(iris.hyperparameters!)).toMatchObject({ C: 0.5, max_iter: 500 });
    const predictions = parse<Record<string, string>>(
      await opened.readText(out.iris.result.files.predictions!.path),
      { columns: true },
    );
    // The test DataFrame's index is the test set.
    expect(predictions.map((row) => row.sample_id)).toEqual(out.iris.test_index);

    const cancer = await trackerRow(out.cancer.result);
    expect(cancer.model).toBe('Pipeline');
    const steps = (JSON.parse(cancer.hyperparameters!) as { steps: [string, { class: string }][] })
      .steps;
    expect(steps.map(([name, step]) => [name, step.class])).toEqual([
      ['standardscaler', 'StandardScaler'],
      ['logisticregression', 'LogisticRegression'],
    ]);
  }, 120_000);
});
