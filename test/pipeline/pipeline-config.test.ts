import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import {
  PIPELINE_CONFIG_FILE,
  modelListFile,
  readPipelineConfig,
  type ReadPipelineConfigOptions,
} from '../../src/pipeline/pipeline-config.js';

let root: string;
let count = 0;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'pipeline-config-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/**
 * A fresh project folder with a `models` folder and, unless `content` is undefined, the
 * configuration file (an object is written as JSON, a string as it is).
 */
async function project(content: unknown, name = `project ${++count}`): Promise<string> {
  const folder = join(root, name);
  await mkdir(join(folder, 'models'), { recursive: true });
  if (content !== undefined) {
    const text = typeof content === 'string' ? content : JSON.stringify(content, null, 2);
    await writeFile(join(folder, PIPELINE_CONFIG_FILE), text);
  }
  return folder;
}

async function rejection(options: ReadPipelineConfigOptions): Promise<ValidationError> {
  const error: unknown = await readPipelineConfig(options).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ValidationError);
  return error as ValidationError;
}

async function rejectionOf(content: unknown) {
  const folder = await project(content);
  const error = await rejection({ cwd: folder });
  return { error, file: join(folder, PIPELINE_CONFIG_FILE), folder };
}

describe('reading the configuration', () => {
  it('fills in the defaults: project from the folder name, slugified; checkpoints beside it', async () => {
    const folder = await project({ modelDirs: ['models'] }, 'My Iris_Pipeline 2');
    const config = await readPipelineConfig({ cwd: folder });
    expect(config).toEqual({
      file: join(folder, PIPELINE_CONFIG_FILE),
      folder,
      project: 'my-iris-pipeline-2',
      modelDirs: [join(folder, 'models')],
      checkpointDir: join(folder, 'checkpoints'),
    });
  });

  it('reads every key, relative to the file, keeping the order of the models folders', async () => {
    const folder = await project({
      project: 'Iris Pipeline',
      modelDirs: ['models', 'more/models', './models/..'],
      checkpointDir: '../shared/checkpoints',
    });
    await mkdir(join(folder, 'more', 'models'), { recursive: true });
    const config = await readPipelineConfig({ cwd: folder });
    expect(config.project).toBe('iris-pipeline');
    expect(config.modelDirs).toEqual([
      join(folder, 'models'),
      join(folder, 'more', 'models'),
      folder,
    ]);
    expect(config.checkpointDir).toBe(join(root, 'shared', 'checkpoints'));
  });

  it('takes --config relative to cwd, and paths in it relative to its own folder', async () => {
    const folder = await project(undefined);
    await mkdir(join(folder, 'pipelines', 'models'), { recursive: true });
    await writeFile(
      join(folder, 'pipelines', 'iris.json'),
      JSON.stringify({ modelDirs: ['models'] }),
    );
    const config = await readPipelineConfig({ cwd: folder, config: 'pipelines/iris.json' });
    expect(config.file).toBe(join(folder, 'pipelines', 'iris.json'));
    expect(config.folder).toBe(join(folder, 'pipelines'));
    expect(config.project).toBe('pipelines');
    expect(config.modelDirs).toEqual([join(folder, 'pipelines', 'models')]);
    expect(config.checkpointDir).toBe(join(folder, 'pipelines', 'checkpoints'));
  });

  it('accepts an absolute --config', async () => {
    const folder = await project({ modelDirs: ['models'] });
    const config = await readPipelineConfig({
      cwd: root,
      config: join(folder, PIPELINE_CONFIG_FILE),
    });
    expect(config.folder).toBe(folder);
  });

  it('accepts a file saved with a byte-order mark', async () => {
    const folder = await project(`\uFEFF${JSON.stringify({ modelDirs: ['models'] })}`);
    await expect(readPipelineConfig({ cwd: folder })).resolves.toMatchObject({ folder });
  });

  it('puts the list files beside the configuration file', async () => {
    const folder = await project({ modelDirs: ['models'] });
    const config = await readPipelineConfig({ cwd: folder });
    expect(modelListFile(config, 'test')).toBe(join(folder, 'models_test.config'));
    expect(modelListFile(config, 'execution')).toBe(join(folder, 'models.config'));
  });
});

describe('mistakes', () => {
  it('names the path looked for when there is no file, and how to create it', async () => {
    const folder = await project(undefined);
    const error = await rejection({ cwd: folder });
    expect(error.parameter).toBe('config');
    expect(error.message).toContain(join(folder, PIPELINE_CONFIG_FILE));
    expect(error.message).toContain('{ "modelDirs": ["models"] }');
    expect(error.message).toContain('--config FILE');
  });

  it('names the --config path looked for, made absolute', async () => {
    const folder = await project({ modelDirs: ['models'] });
    const error = await rejection({ cwd: folder, config: 'pipelines/typo.json' });
    expect(error.parameter).toBe('config');
    expect(error.message).toContain(join(folder, 'pipelines', 'typo.json'));
  });

  it('reports a folder given as --config as unreadable', async () => {
    const folder = await project({ modelDirs: ['models'] });
    const error = await rejection({ cwd: folder, config: 'models' });
    expect(error.parameter).toBe('config');
    expect(error.message).toMatch(/cannot be read \(EISDIR\)/);
  });

  it('reports a JSON syntax error at its line and column', async () => {
    const { error, file } = await rejectionOf('{\n  "modelDirs": ["models",]\n}');
    expect(error.parameter).toBe(file);
    expect(error.message).toMatch(/unexpected "\]" at line 2, column 26/);
  });

  it.each([
    [[], 'an array'],
    ['"models"', '"models"'],
  ])('rejects %j, which is not an object', async (content, shown) => {
    const { error, file } = await rejectionOf(
      typeof content === 'string' ? content : JSON.stringify(content),
    );
    expect(error.parameter).toBe(file);
    expect(error.message).toContain(`it is ${shown}, not a JSON object`);
  });

  it('names an unknown key and the closest known one', async () => {
    const { error, file } = await rejectionOf({ modelDirs: ['models'], modelDir: 'models' });
    expect(error.parameter).toBe(`${file}: modelDir`);
    expect(error.message).toMatch(
      /not a key of a pipeline configuration\. Did you mean "modelDirs"\?/,
    );
  });

  it('lists the known keys for an unknown key close to none', async () => {
    const { error } = await rejectionOf({ modelDirs: ['models'], workers: 4 });
    expect(error.message).toMatch(/use one of: project, modelDirs, checkpointDir/);
  });

  it.each([
    [{}, 'modelDirs', /it is missing/],
    [{ modelDirs: [] }, 'modelDirs', /it is empty/],
    [{ modelDirs: 'models' }, 'modelDirs', /it is "models", not an array of folder names/],
    [{ modelDirs: ['models', 3] }, 'modelDirs[1]', /it is 3, not a non-empty string/],
    [{ modelDirs: [''] }, 'modelDirs[0]', /it is empty/],
    [{ modelDirs: ['models', './models/'] }, 'modelDirs[1]', /again, as modelDirs\[0\] does/],
    [{ modelDirs: ['models'], project: '' }, 'project', /it is empty/],
    [{ modelDirs: ['models'], project: 7 }, 'project', /it is 7, not a non-empty string/],
    [{ modelDirs: ['models'], project: '¿?' }, 'project', /"¿\?" cannot name a project/],
    [{ modelDirs: ['models'], checkpointDir: '' }, 'checkpointDir', /it is empty/],
    [
      { modelDirs: ['models'], checkpointDir: ['a'] },
      'checkpointDir',
      /it is an array, not a non-empty string/,
    ],
    [{ modelDirs: ['models'], checkpointDir: null }, 'checkpointDir', /it is null/],
  ])('rejects %j at %s', async (content, key, message) => {
    const { error, file } = await rejectionOf(content);
    expect(error.parameter).toBe(`${file}: ${key}`);
    expect(error.message).toMatch(message);
    expect(error.code).toBe('ERR_VALIDATION');
  });

  it('names the absolute path of a models folder that does not exist', async () => {
    const { error, file, folder } = await rejectionOf({ modelDirs: ['models', 'modles'] });
    expect(error.parameter).toBe(`${file}: modelDirs[1]`);
    expect(error.message).toContain(`the folder ${join(folder, 'modles')} does not exist`);
    expect(error.message).toContain(`relative to the configuration file's folder, ${folder}`);
  });

  it('rejects a models "folder" that is a file', async () => {
    const folder = await project({ modelDirs: ['models/iris_forest.ts'] });
    await writeFile(join(folder, 'models', 'iris_forest.ts'), 'export {};\n');
    const error = await rejection({ cwd: folder });
    expect(error.parameter).toBe(`${join(folder, PIPELINE_CONFIG_FILE)}: modelDirs[0]`);
    expect(error.message).toContain(
      `${join(folder, 'models', 'iris_forest.ts')} is a file, not a folder`,
    );
  });

  it('rejects a folder name that cannot name a project, when project is not set', async () => {
    const folder = await project({ modelDirs: ['models'] }, '___');
    const error = await rejection({ cwd: folder });
    expect(error.parameter).toBe(`${join(folder, PIPELINE_CONFIG_FILE)}: project`);
    expect(error.message).toMatch(
      /it is missing, and the folder's name "___" cannot name a project/,
    );
    expect(error.message).toMatch(/Set "project" to a name such as "iris-pipeline"/);
  });

  it('reports every problem at once', async () => {
    const { error, file } = await rejectionOf({
      project: '',
      modelDirs: ['missing-one', 42],
      checkpointDir: 5,
      extra: true,
    });
    expect(error.message).toMatch(/and 4 more problems; all 5 are listed below/);
    for (const key of ['extra', 'project', 'modelDirs[0]', 'modelDirs[1]', 'checkpointDir'])
      expect(error.message).toContain(`  - ${file}: ${key}: `);
  });
});
