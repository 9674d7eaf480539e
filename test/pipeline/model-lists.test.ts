import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import {
  type ModelLists,
  parseModelLists,
  readModelLists,
  selectScripts,
} from '../../src/pipeline/model-lists.js';

const FILE = 'models_test.config';

/** The example of the Python original, as its users write it. */
const EXAMPLE = `; models that \`ml-tracking pipeline -r\` runs
use_blacklist = false

[WHITELISTED_MODELS]
iris_forest
iris_softmax

[BLACKLISTED_MODELS]
`;

/** The ValidationError `parseModelLists` throws for `text` (fails the test if none). */
function rejection(text: string): ValidationError {
  try {
    parseModelLists(text, FILE);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error(`parseModelLists accepted:\n${text}`);
}

function lists(partial: Partial<ModelLists>): ModelLists {
  return { file: FILE, useBlacklist: false, allowed: [], denied: [], ...partial };
}

const at = (line: number) => (name: string) => ({ name, line });

let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'model-lists-'));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('reading the original format', () => {
  it('reads the example: the allow-list in file order, with lines', () => {
    expect(parseModelLists(EXAMPLE, FILE)).toEqual({
      file: FILE,
      useBlacklist: false,
      allowed: [
        { name: 'iris_forest', line: 5 },
        { name: 'iris_softmax', line: 6 },
      ],
      denied: [],
    });
  });

  it('reads use_blacklist = true and the deny-list', () => {
    const text = EXAMPLE.replace('= false', '= true') + 'iris_softmax\n';
    expect(parseModelLists(text, FILE)).toEqual({
      file: FILE,
      useBlacklist: true,
      allowed: [at(5)('iris_forest'), at(6)('iris_softmax')],
      denied: [at(9)('iris_softmax')],
    });
  });

  it('skips comments (; and #, whole-line and after a name), blank lines and indentation', () => {
    const text = [
      '# deny-list mode',
      '   ; indented comment',
      'use_blacklist = yes ; as getboolean reads it',
      '',
      '[BLACKLISTED_MODELS]',
      '',
      '  iris_slow   # takes an hour',
      '\t# iris_commented_out',
      'iris_broken ; see issue 3',
    ].join('\n');
    const read = parseModelLists(text, FILE);
    expect(read.useBlacklist).toBe(true);
    expect(read.denied).toEqual([at(7)('iris_slow'), at(9)('iris_broken')]);
  });

  it('counts lines the same with Windows line endings and a byte-order mark', () => {
    const read = parseModelLists(`\uFEFF${EXAMPLE.replaceAll('\n', '\r\n')}`, FILE);
    expect(read.allowed).toEqual([at(5)('iris_forest'), at(6)('iris_softmax')]);
  });

  it('is false without use_blacklist', () => {
    expect(parseModelLists('[WHITELISTED_MODELS]\na\n', FILE).useBlacklist).toBe(false);
  });

  it.each([
    ['1', true],
    ['YES', true],
    ['True', true],
    ['on', true],
    ['0', false],
    ['No', false],
    ['FALSE', false],
    ['off', false],
  ])('reads use_blacklist = %s as getboolean does (%s)', (word, expected) => {
    expect(parseModelLists(`use_blacklist = ${word}\n`, FILE).useBlacklist).toBe(expected);
  });

  it('accepts use_blacklist inside either section, in any case', () => {
    const text = '[WHITELISTED_MODELS]\na\nUse_Blacklist = on\nb\n';
    const read = parseModelLists(text, FILE);
    expect(read.useBlacklist).toBe(true);
    expect(read.allowed).toEqual([at(2)('a'), at(4)('b')]);
  });

  it('merges a section given twice or in another case, keeping file order', () => {
    const text = [
      '[WHITELISTED_MODELS]',
      'zeta',
      '[BLACKLISTED_MODELS]',
      'slow',
      '[whitelisted_models]',
      'alpha',
      '[WHITELISTED_MODELS]',
      'beta',
    ].join('\n');
    const read = parseModelLists(text, FILE);
    expect(read.allowed).toEqual([at(2)('zeta'), at(6)('alpha'), at(8)('beta')]);
    expect(read.denied).toEqual([at(4)('slow')]);
  });

  it('keeps the file order of names that look like numbers (which JS objects put first)', () => {
    const read = parseModelLists('[WHITELISTED_MODELS]\nzeta\n2024\n7\nalpha\n', FILE);
    expect(read.allowed.map((each) => each.name)).toEqual(['zeta', '2024', '7', 'alpha']);
  });

  it('removes script extensions and duplicates, keeping the first line', () => {
    const text = '[WHITELISTED_MODELS]\nb.ts\na.mjs\nb\nc.js\na.mts\nd.v2\n';
    expect(parseModelLists(text, FILE).allowed).toEqual([
      at(2)('b'),
      at(3)('a'),
      at(5)('c'),
      at(7)('d.v2'),
    ]);
  });

  it('accepts names of 1 and of 100 characters, with . _ and -', () => {
    const long = `A${'b'.repeat(99)}`;
    const read = parseModelLists(`[BLACKLISTED_MODELS]\nx\n${long}\n9-iris_v1.2\n`, FILE);
    expect(read.denied.map((each) => each.name)).toEqual(['x', long, '9-iris_v1.2']);
  });

  it('reads a quoted name as ini does, a number included (it used to stop on a TypeError)', () => {
    const read = parseModelLists(`[WHITELISTED_MODELS]\n'5'\n"iris_forest"\n`, FILE);
    expect(read.allowed).toEqual([at(2)('5'), at(3)('iris_forest')]);
  });

  it('reads an empty file as empty lists', () => {
    expect(parseModelLists('', FILE)).toEqual(lists({}));
  });
});

describe('mistakes, each at its line', () => {
  it.each([
    [
      'a section other than the two, suggesting the closest',
      'use_blacklist = false\n[WHITELISTED_MODEL]\niris\n',
      2,
      /\[WHITELISTED_MODEL\] is not a section of a model list\. Did you mean \[WHITELISTED_MODELS\]\?/,
    ],
    [
      'a section far from both',
      '[WHITELISTED_MODELS]\na\n\n[models]\nb\n',
      4,
      /\[models\] is not a section.*The sections are \[WHITELISTED_MODELS\] and \[BLACKLISTED_MODELS\]/,
    ],
    [
      'a section with a dot (which ini would nest inside the allow-list)',
      '[WHITELISTED_MODELS]\na\n[WHITELISTED_MODELS.extra]\nb\n',
      3,
      /\[WHITELISTED_MODELS\.extra\] is not a section/,
    ],
    [
      'a header without "]"',
      '; comment\n[WHITELISTED_MODELS\niris_forest\n',
      2,
      /the section header "\[WHITELISTED_MODELS" has no closing "\]"\. Close it: \[WHITELISTED_MODELS\]/,
    ],
    [
      'an indented header (ini reads it as a name)',
      '[WHITELISTED_MODELS]\na\n  [BLACKLISTED_MODELS]\nb\n',
      3,
      /is indented.*Start the line with "\["/,
    ],
    [
      'text after a header',
      '\n[BLACKLISTED_MODELS] ; slow ones\na\n',
      2,
      /text after the section header's "\]".*comment on a line of its own/,
    ],
    [
      'key = value in a list section',
      '[WHITELISTED_MODELS]\niris_forest\niris_softmax = 1\n',
      3,
      /"iris_softmax = 1" is a setting, but \[WHITELISTED_MODELS\] lists scripts: one script name per line, no "="\. Write the script's name alone on the line, e.g\. iris_softmax/,
    ],
    [
      'key = true in a list section (which ini reads as a bare name)',
      '[BLACKLISTED_MODELS]\n\niris = true\n',
      3,
      /"iris = true" is a setting.*no "="/,
    ],
    [
      'a misspelt use_blacklist in a list section',
      '[BLACKLISTED_MODELS]\nuse_blacklst = true\n',
      2,
      /is a setting.*Did you mean use_blacklist\?/,
    ],
    [
      'use_blacklist that is not a boolean',
      '; header\n\nuse_blacklist = maybe\n',
      3,
      /use_blacklist is "maybe", not true or false\. Write "use_blacklist = true"/,
    ],
    ['use_blacklist that is empty', 'use_blacklist =\n', 1, /use_blacklist is "", not true/],
    ['use_blacklist = null', 'use_blacklist = null\n', 1, /use_blacklist is "null"/],
    [
      'use_blacklist without a value (which ini reads as true)',
      '\nuse_blacklist\n',
      2,
      /use_blacklist has no value\. Write "use_blacklist = true"/,
    ],
    [
      'use_blacklist twice, at the second line',
      'use_blacklist = true\n[BLACKLISTED_MODELS]\na\nUSE_BLACKLIST = true\n',
      4,
      /use_blacklist is set a second time \(first on line 1\)/,
    ],
    [
      'use_blacklist twice in one place',
      'use_blacklist = true\nuse_blacklist = false\n',
      2,
      /set a second time \(first on line 1\)/,
    ],
    [
      'an unknown top-level setting close to use_blacklist',
      'UseBlacklist = true\n',
      1,
      /"UseBlacklist" is not a setting of a model list\. Did you mean use_blacklist\?/,
    ],
    [
      'an unknown top-level setting',
      '\n\nparallel = 4\n',
      3,
      /"parallel" is not a setting.*The only setting is "use_blacklist = true" or "use_blacklist = false"/,
    ],
    [
      'a name before any section',
      'iris_forest\n[WHITELISTED_MODELS]\n',
      1,
      /"iris_forest" is outside any section.*move the line below one of them/,
    ],
    ['a name with a space', '[WHITELISTED_MODELS]\niris forest\n', 2, /it contains " "/],
    [
      'a name starting with "_"',
      '[WHITELISTED_MODELS]\n_private\n',
      2,
      /"_private" is not a script name: it does not start with a letter or digit/,
    ],
    [
      'a name of 101 characters',
      `[BLACKLISTED_MODELS]\n${'a'.repeat(101)}\n`,
      2,
      /it is 101 characters long, over 100/,
    ],
    [
      'an extension alone',
      '[WHITELISTED_MODELS]\n.ts\n',
      2,
      /nothing is left once its extension is removed/,
    ],
    [
      'a Python-style "key: value"',
      '[WHITELISTED_MODELS]\nuse_blacklist: true\n',
      2,
      /it contains ":".*"use_blacklist = true"/,
    ],
    [
      'a name ending in [] (which ini reads as a list)',
      '[WHITELISTED_MODELS]\niris[]\n',
      2,
      /"iris\[\]" ends with "\[\]".*Remove the "\[\]"/,
    ],
    ['a line starting with "="', '[WHITELISTED_MODELS]\n= iris\n', 2, /has nothing before its "="/],
    [
      '__proto__ (which ini drops)',
      '[WHITELISTED_MODELS]\n__proto__\n',
      2,
      /"__proto__" is not a script name/,
    ],
  ])('reports %s', (_, text, line, message) => {
    const error = rejection(text);
    expect(error.parameter).toBe(`${FILE}:${line}`);
    expect(error.message).toMatch(message);
    expect(error.message).toContain(`Invalid ${FILE}:${line}: `);
    expect(error.code).toBe('ERR_VALIDATION');
  });

  it('reports every mistake at once, in line order, each with its line', () => {
    const text = [
      'use_blacklist = perhaps', // 1
      '[WHITELISTED_MODELS]', // 2
      'good_one', // 3
      'bad name', // 4
      '[DENIED]', // 5
      'x', // 6
      '[BLACKLISTED_MODELS]', // 7
      'y = 2', // 8
    ].join('\n');
    const error = rejection(text);
    expect(error.parameter).toBe(`${FILE}:1`);
    expect(error.message).toMatch(/\(and 3 more problems; all 4 are listed below\)/);
    const listed = [...error.message.matchAll(/^ {2}- models_test\.config:(\d+): /gm)].map(
      (match) => Number(match[1]),
    );
    expect(listed).toEqual([1, 4, 5, 8]);
  });

  it('does not also report the names under a broken header', () => {
    const error = rejection('[WHITELISTED_MODELS\niris_forest\niris_softmax\n');
    expect(error.message).not.toMatch(/more problem/);
  });
});

describe('readModelLists', () => {
  it('reads a file', async () => {
    const file = join(folder, 'models.config');
    await writeFile(file, EXAMPLE);
    const read = await readModelLists(file);
    expect(read.file).toBe(file);
    expect(read.allowed.map((each) => each.name)).toEqual(['iris_forest', 'iris_softmax']);
  });

  it('names the file and its line in errors', async () => {
    const file = join(folder, 'broken.config');
    await writeFile(file, '[WHITELISTED_MODELS]\na = b\n');
    await expect(readModelLists(file)).rejects.toMatchObject({ parameter: `${file}:2` });
  });

  it.each([
    ['models_test.config', /test mode \(`ml-tracking pipeline` without -r\)/],
    ['models.config', /execution mode \(`ml-tracking pipeline -r`\)/],
  ])('says which mode needs a missing %s, and shows the minimal content', async (name, mode) => {
    const file = join(folder, 'missing', name);
    const error: unknown = await readModelLists(file).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).parameter).toBe(file);
    const message = (error as ValidationError).message;
    expect(message).toMatch(/there is no such file/);
    expect(message).toMatch(mode);
    expect(message).toContain(
      'use_blacklist = false\n\n[WHITELISTED_MODELS]\niris_forest\n\n[BLACKLISTED_MODELS]',
    );
    // The content shown is itself a valid list file.
    const shown = /e\.g\.:\n\n([\s\S]*?)\n\n\(/.exec(message)?.[1];
    expect(parseModelLists(shown ?? '', FILE).allowed).toEqual([at(4)('iris_forest')]);
  });
});

describe('selectScripts', () => {
  const available = ['iris_softmax', 'iris_forest', 'iris_knn', 'wine_forest'];

  it('allow-list mode: the allow-list order, restricted to the available scripts', () => {
    const selection = selectScripts(
      lists({
        allowed: [at(2)('iris_knn'), at(3)('iris_forest'), at(4)('gone')],
        denied: [at(6)('iris_knn')],
      }),
      available,
    );
    expect(selection.queue).toEqual(['iris_knn', 'iris_forest']);
    expect(selection.unknown).toEqual([{ name: 'gone', line: 4 }]);
  });

  it('deny-list mode: the available order, minus the deny-listed', () => {
    const selection = selectScripts(
      lists({
        useBlacklist: true,
        allowed: [at(2)('wine_forest')],
        denied: [at(5)('iris_forest')],
      }),
      available,
    );
    expect(selection.queue).toEqual(['iris_softmax', 'iris_knn', 'wine_forest']);
    expect(selection.unknown).toEqual([]);
  });

  it('deny-list mode with an empty deny-list runs everything, each once', () => {
    expect(selectScripts(lists({ useBlacklist: true }), [...available, 'iris_knn']).queue).toEqual(
      available,
    );
  });

  it('reports unknown names from both lists in line order, with the closest available name', () => {
    const selection = selectScripts(
      lists({
        allowed: [at(3)('iris_forst'), at(4)('iris_softmax')],
        denied: [at(7)('something_else'), at(8)('wine_forrest')],
      }),
      available,
    );
    expect(selection.queue).toEqual(['iris_softmax']);
    expect(selection.unknown).toEqual([
      { name: 'iris_forst', line: 3, suggestion: 'iris_forest' },
      { name: 'something_else', line: 7 },
      { name: 'wine_forrest', line: 8, suggestion: 'wine_forest' },
    ]);
    expect(selection.unknown[1]).not.toHaveProperty('suggestion');
  });

  it('matches case-insensitively when exactly one script matches, both ways', () => {
    const selection = selectScripts(
      lists({ allowed: [at(2)('IrisForest'), at(3)('wineforest')] }),
      ['irisforest', 'WineForest'],
    );
    expect(selection.queue).toEqual(['irisforest', 'WineForest']);
    expect(selection.unknown).toEqual([]);
  });

  it('denies case-insensitively too', () => {
    const selection = selectScripts(
      lists({ useBlacklist: true, denied: [at(2)('IRIS_KNN')] }),
      available,
    );
    expect(selection.queue).toEqual(['iris_softmax', 'iris_forest', 'wine_forest']);
  });

  it('prefers the exact match, and does not guess between two case-insensitive matches', () => {
    const both = ['Iris', 'iris'];
    expect(selectScripts(lists({ allowed: [at(2)('iris')] }), both).queue).toEqual(['iris']);
    const ambiguous = selectScripts(lists({ allowed: [at(2)('IRIS')] }), both);
    expect(ambiguous.queue).toEqual([]);
    expect(ambiguous.unknown).toEqual([{ name: 'IRIS', line: 2, suggestion: 'Iris' }]);
  });

  it('queues a script once when two spellings in the allow-list reach it', () => {
    const selection = selectScripts(
      lists({ allowed: [at(2)('iris_knn'), at(3)('IRIS_KNN'), at(4)('iris_forest')] }),
      available,
    );
    expect(selection.queue).toEqual(['iris_knn', 'iris_forest']);
  });

  it('works on the parsed example', () => {
    const selection = selectScripts(parseModelLists(EXAMPLE, FILE), available);
    expect(selection.queue).toEqual(['iris_forest', 'iris_softmax']);
  });
});
