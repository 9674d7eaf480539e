/**
 * A Python model script as its harness process described it (`MODEL`, `VERSIONS`, each version's
 * fields as the script gave them), checked with the messages TypeScript scripts get, naming the
 * fields as Python spells them (`batch_size`, `epoc_count`, the original mlpipeline's names).
 */
import { ValidationError } from '../errors.js';
import type { JsonValue } from '../runs/run-record.js';
import type { DescribedVersion } from './_version-job.js';
import { checkVersions, dataLoaderElsewhere, type VersionVocabulary } from './versions.js';

/** Python's names for a version's fields, and fixes written in Python. */
export const PYTHON_VOCABULARY: VersionVocabulary = {
  versions: 'VERSIONS',
  fields: {
    dataLoader: 'dataloader',
    batchSize: 'batch_size',
    epochCount: 'epoc_count',
    modelDirSuffix: 'model_dir_suffix',
    order: 'order',
  },
  declare:
    'Set `VERSIONS = Versions()` (from ml_tracking.pipeline) and add at least one version, e.g. `VERSIONS.add_version("small", dataloader=Loader(), batch_size=8, epoc_count=2)`.',
  dataLoader:
    'Pass an instance of a subclass of ml_tracking.pipeline.DataLoader (get_train_sample_count, get_test_sample_count, get_train_input, get_test_input).',
};

/** One version as the harness saw it: JSON values as given, anything else as its `repr`. */
export interface PythonVersionFields {
  name: JsonValue;
  batch_size: JsonValue;
  epoc_count: JsonValue;
  model_dir_suffix: JsonValue;
  order: JsonValue;
  /** `null` when none was given. */
  dataloader: { ok: boolean; type: string } | null;
  /** The fields JSON can hold, the data loader as its class name: the run's hyperparameters. */
  parameters: Record<string, JsonValue>;
}

/** What the harness answers to `describe`. */
export type PythonDescription =
  | {
      ok: true;
      /** `type` is `null` when the script sets no `MODEL`. */
      model: { ok: boolean; type: string | null };
      /** `null` when `VERSIONS` is not a `Versions` (`versions_type`: what it is, or `null`). */
      versions: PythonVersionFields[] | null;
      versions_type?: string | null;
    }
  | { ok: false; message: string; stack?: string };

/**
 * The versions of a described Python script, checked.
 * @throws ValidationError naming `<script>: VERSIONS[i] "<name>".<field>` (or `MODEL`) and the fix.
 */
export function checkPythonDescription(
  description: Extract<PythonDescription, { ok: true }>,
  script: string,
): DescribedVersion[] {
  if (description.versions === null) {
    const type = description.versions_type ?? null;
    throw new ValidationError(
      `${script}: VERSIONS`,
      type === null ? 'the script sets no VERSIONS' : `it is a ${type}, not a Versions`,
      PYTHON_VOCABULARY.declare,
    );
  }
  const given = description.versions;
  const checked = checkVersions(
    given.map((version) => ({
      name: version.name ?? undefined,
      dataLoader:
        version.dataloader === null
          ? undefined
          : version.dataloader.ok
            ? dataLoaderElsewhere()
            : version.dataloader.type,
      batchSize: version.batch_size ?? undefined,
      epochCount: version.epoc_count ?? undefined,
      modelDirSuffix: version.model_dir_suffix ?? undefined,
      order: version.order ?? undefined,
    })),
    script,
    PYTHON_VOCABULARY,
  );
  const { model } = description;
  if (!model.ok) {
    throw new ValidationError(
      `${script}: MODEL`,
      model.type === null
        ? 'the script sets no MODEL'
        : `a ${model.type} has no train_model(ctx) and evaluate_model(ctx) methods`,
      'Set `MODEL = YourModel()`, an instance of a subclass of ml_tracking.pipeline.Model that defines train_model(self, ctx) and evaluate_model(self, ctx).',
    );
  }
  return checked.map((version, index) => {
    const described: DescribedVersion = {
      name: version.name,
      batchSize: version.batchSize,
      epochCount: version.epochCount,
      parameters: given[index]?.parameters ?? {},
    };
    if (version.order !== undefined) described.order = version.order;
    if (version.modelDirSuffix !== undefined) described.modelDirSuffix = version.modelDirSuffix;
    return described;
  });
}
