/**
 * The allow/deny lists of the pipeline, `models.config` (execution mode) and `models_test.config`
 * (test mode), in the Python original's INI format so that its projects move over unchanged:
 *
 * ```ini
 * use_blacklist = false
 *
 * [WHITELISTED_MODELS]
 * iris_forest
 *
 * [BLACKLISTED_MODELS]
 * ```
 *
 * The file is read once, line by line, each line as the `ini` package reads it (the same
 * header and key patterns, its `unsafe` for names and values, the last value of a key repeated in
 * a section), so that every item keeps its line. `ini.parse` itself gives no line numbers and
 * reads some mistakes silently (an unclosed section header becomes a script name, `name[]` a
 * list, a key without `=` the value `true`): those lines are reported here instead. The pipeline
 * re-reads the file between models, so a mistake made while it runs is reported with its line
 * rather than changing what runs.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import ini from 'ini';
import { closest } from '../_suggest.js';
import { Problems, ValidationError } from '../errors.js';
import { MODEL_LIST_FILES } from './pipeline-config.js';

/** A script named in a list. */
export interface ListedScript {
  /** As written, without a script extension (.ts .mts .js .mjs). */
  name: string;
  /** 1-based line in the file. */
  line: number;
}

/** A validated allow/deny list file. */
export interface ModelLists {
  /** The file, as given (messages name it). */
  file: string;
  /** `true`: every script but the deny-listed runs; `false` (the default): only the allow-listed. */
  useBlacklist: boolean;
  /** `[WHITELISTED_MODELS]`, in file order, duplicates removed (the first kept). */
  allowed: ListedScript[];
  /** `[BLACKLISTED_MODELS]`, in file order, duplicates removed (the first kept). */
  denied: ListedScript[];
}

/** What {@link selectScripts} returns. */
export interface ScriptSelection {
  /** The scripts to run, in order, each once. */
  queue: string[];
  /** Listed names (in either list) that no available script has, in file order. */
  unknown: (ListedScript & { suggestion?: string })[];
}

const ALLOW_SECTION = 'WHITELISTED_MODELS';
const DENY_SECTION = 'BLACKLISTED_MODELS';
const LIST_SECTIONS = [ALLOW_SECTION, DENY_SECTION];
const SETTING = 'use_blacklist';
/** What Python's `ConfigParser.getboolean` accepts, which the original read the setting with. */
const BOOLEANS = new Map([
  ...['1', 'yes', 'true', 'on'].map((word) => [word, true] as const),
  ...['0', 'no', 'false', 'off'].map((word) => [word, false] as const),
]);
const SCRIPT_EXTENSION = /\.(?:ts|mts|js|mjs)$/;
const MAX_NAME_LENGTH = 100;
const EXAMPLE = `use_blacklist = false

[${ALLOW_SECTION}]
iris_forest

[${DENY_SECTION}]`;

/**
 * Reads and validates an allow/deny list file.
 *
 * @throws ValidationError naming the file and the mode that needs it, with the minimal content,
 *   when it does not exist; otherwise as {@link parseModelLists}.
 * @example const lists = await readModelLists(modelListFile(config, 'test'));
 */
export async function readModelLists(file: string): Promise<ModelLists> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') {
      throw new ValidationError(
        file,
        `it cannot be read (${code ?? String(error)})`,
        'Check that it is a file you may read.',
        { cause: error },
      );
    }
    const name = basename(file);
    const mode =
      name === MODEL_LIST_FILES.test
        ? 'test mode (`ml-tracking pipeline` without -r) reads the scripts to run from it'
        : name === MODEL_LIST_FILES.execution
          ? 'execution mode (`ml-tracking pipeline -r`) reads the scripts to run from it'
          : 'the pipeline reads the scripts to run from it';
    throw new ValidationError(
      file,
      `there is no such file, and ${mode}`,
      `Create it, with one script name per line under [${ALLOW_SECTION}], e.g.:\n\n${EXAMPLE}\n\n(use_blacklist = true runs every script but those under [${DENY_SECTION}].)`,
      { cause: error },
    );
  }
  return parseModelLists(text, file);
}

/**
 * Validates the text of an allow/deny list file.
 *
 * @param file names the file in messages.
 * @throws ValidationError listing every problem at once, each at its line: `parameter` is the
 *   first one's `<file>:<line>`.
 * @example parseModelLists('[WHITELISTED_MODELS]\niris_forest\n', 'models_test.config')
 */
export function parseModelLists(text: string, file: string): ModelLists {
  // Some Windows editors start UTF-8 files with a byte-order mark, which would join the first key.
  const content = text.replace(/^\uFEFF/, '');
  const problems = new Problems(file);
  const scan = scanLines(content, problems);

  for (const header of scan.headers) {
    if (canonicalSection(header.name) !== undefined) continue;
    const suggestion = closest(header.name, LIST_SECTIONS);
    problems.add(
      header.line,
      `[${header.name}] is not a section of a model list`,
      suggestion === undefined
        ? `The sections are [${ALLOW_SECTION}] and [${DENY_SECTION}]; rename it to one of them, or remove it.`
        : `Did you mean [${suggestion}]? Rename it.`,
    );
  }
  checkTopLevel(scan, problems);
  const useBlacklist = readSetting(scan, problems);
  const lists = { allowed: [] as ListedScript[], denied: [] as ListedScript[] };
  // A section may appear twice, or in another case: `ini` keeps each spelling apart, so each is read.
  for (const [section, keys] of scan.inSection) {
    const canonical = canonicalSection(section);
    if (canonical === undefined) continue;
    const list = canonical === ALLOW_SECTION ? lists.allowed : lists.denied;
    for (const [key, occurrences] of keys) {
      if (key.toLowerCase() === SETTING) continue;
      // Lines `ini` would misread give no entry (they are reported): every key has a first line.
      const first = occurrences[0];
      if (first === undefined) continue;
      const assigned = occurrences.find((entry) => entry.hasValue);
      if (assigned !== undefined) {
        problems.add(
          assigned.line,
          `"${assigned.text}" is a setting, but [${section}] lists scripts: one script name per line, no "="`,
          closest(key, [SETTING]) === undefined
            ? `Write the script's name alone on the line, e.g. ${key}.`
            : `Did you mean ${SETTING}? Rename it.`,
        );
        continue;
      }
      const name = key.replace(SCRIPT_EXTENSION, '');
      const problem = scriptNameProblem(name);
      if (problem === undefined) list.push({ name, line: first.line });
      else
        problems.add(first.line, `"${key}" is not a script name: ${problem.problem}`, problem.fix);
    }
  }
  problems.throwIfAny();
  return {
    file,
    useBlacklist,
    allowed: inFileOrder(lists.allowed),
    denied: inFileOrder(lists.denied),
  };
}

/**
 * The scripts to run, in order: useBlacklist false → the allow-list's order, restricted to
 * `available`; true → `available` in the order given, minus the deny-listed. `unknown`: listed
 * names (in either list) that are not among `available`, each with the closest available name as
 * `suggestion` when there is one.
 *
 * A name matches exactly, else case-insensitively when exactly one available script matches that
 * way (the Python original lower-cased keys), so `IrisForest` still finds `irisforest` files and
 * vice versa.
 *
 * @param available the scripts found in the models folders, by name without extension, in the
 *   order they run in deny-list mode.
 * @example selectScripts(lists, ['iris_forest', 'iris_softmax']).queue
 */
export function selectScripts(lists: ModelLists, available: readonly string[]): ScriptSelection {
  const exact = new Set(available);
  const byLowerCase = new Map<string, string[]>();
  for (const name of exact) {
    const lower = name.toLowerCase();
    byLowerCase.set(lower, [...(byLowerCase.get(lower) ?? []), name]);
  }
  const unknown: ScriptSelection['unknown'] = [];
  const find = (listed: readonly ListedScript[]) =>
    listed.flatMap((each) => {
      if (exact.has(each.name)) return [each.name];
      const matches = byLowerCase.get(each.name.toLowerCase()) ?? [];
      if (matches.length === 1) return matches;
      const suggestion = closest(each.name, [...exact]);
      unknown.push(suggestion === undefined ? { ...each } : { ...each, suggestion });
      return [];
    });
  const allowed = find(lists.allowed);
  const denied = new Set(find(lists.denied));
  const queue = lists.useBlacklist
    ? [...exact].filter((name) => !denied.has(name))
    : [...new Set(allowed)];
  unknown.sort((a, b) => a.line - b.line);
  return { queue, unknown };
}

/** A key line, read as `ini` reads it. */
interface Entry {
  /** The section it is in, as `ini` names it; `undefined` before any; BROKEN after a misread header. */
  section: string | undefined | typeof BROKEN;
  key: string;
  /** Whether it has `=` (`ini` gives a key without one the value `true`, as it does `key = true`). */
  hasValue: boolean;
  /** Its value as `ini` reads it: `true` without `=`; `"true"`, `"false"` and `"null"` as JSON. */
  value: unknown;
  line: number;
  /** The line, trimmed, for messages. */
  text: string;
}

/** The items under a header `ini` does not read as one: their section is unknown. */
const BROKEN = Symbol('after a misread section header');

/** `ini`'s own reading of a line: a section header, or a key with an optional `= value`. */
const SECTION_HEADER = /^\[([^\]]*)\]\s*$/;
const KEY_LINE = /^([^=]+)(=(.*))?$/;
const COMMENT = /^\s*[;#]/;

/**
 * The one reading of the file: each section header and key with its line and value, and a
 * problem for each line `ini` would misread (which then yields no entry, so nothing else is
 * reported about it).
 */
function scanLines(text: string, problems: Problems) {
  const headers: { name: string; line: number }[] = [];
  const entries: Entry[] = [];
  let section: Entry['section'];
  for (const [index, raw] of text.split(/\r\n|\r|\n/).entries()) {
    const line = index + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || COMMENT.test(raw)) continue;
    if (trimmed.startsWith('[')) {
      const header = SECTION_HEADER.exec(raw);
      if (header !== null) {
        section = iniName(header[1] ?? '');
        headers.push({ name: section, line });
        continue;
      }
      section = BROKEN;
      problems.add(line, ...misreadHeader(raw, trimmed));
      continue;
    }
    const keyLine = KEY_LINE.exec(raw);
    const key = keyLine === null ? '' : iniName(keyLine[1] ?? '');
    if (keyLine === null || key === '') {
      problems.add(
        line,
        `"${trimmed}" has nothing before its "="`,
        `Write a script name alone on the line, or "${SETTING} = true" or "${SETTING} = false".`,
      );
    } else if (key.length > 2 && key.endsWith('[]')) {
      problems.add(
        line,
        `"${key}" ends with "[]", which the INI parser reads as a list, not a name`,
        `Remove the "[]".`,
      );
    } else if (key === '__proto__') {
      // `ini` drops this key, so it would vanish instead of being reported.
      problems.add(
        line,
        `"${key}" is not a script name: ${scriptNameProblem(key)!.problem}`,
        'Rename the script.',
      );
    } else {
      const hasValue = keyLine[2] !== undefined;
      const value = hasValue ? iniValue(keyLine[3] ?? '') : true;
      entries.push({ section, key, hasValue, value, line, text: trimmed });
    }
  }
  // Looked up once per key that `ini` returns: an index keeps a long list linear.
  const inSection = new Map<string, Map<string, Entry[]>>();
  for (const entry of entries) {
    if (typeof entry.section !== 'string') continue;
    const keys = inSection.get(entry.section) ?? new Map<string, Entry[]>();
    inSection.set(entry.section, keys);
    const same = keys.get(entry.key);
    if (same === undefined) keys.set(entry.key, [entry]);
    else same.push(entry);
  }
  return { headers, entries, inSection };
}

/**
 * A section or key name as `ini` reads it. Its `unsafe` JSON-parses a quoted name, so `'5'` comes
 * back as the number 5 (whatever its declared type says); `ini` then uses it as a property key.
 */
function iniName(raw: string): string {
  const name: unknown = ini.unsafe(raw);
  return typeof name === 'string' ? name : String(name);
}

/** A value as `ini` reads it: unquoted, its comment cut, `true`, `false` and `null` as JSON. */
function iniValue(raw: string): unknown {
  const value = ini.unsafe(raw) as unknown;
  return value === 'true' || value === 'false' || value === 'null' ? JSON.parse(value) : value;
}

function misreadHeader(raw: string, trimmed: string): [problem: string, fix: string] {
  if (SECTION_HEADER.test(trimmed)) {
    return [
      `the section header ${trimmed} is indented, and the INI parser reads an indented header as a script name`,
      'Start the line with "[".',
    ];
  }
  const closing = trimmed.indexOf(']');
  if (closing === -1) {
    const suggestion = closest(trimmed.slice(1).trim(), LIST_SECTIONS);
    return [
      `the section header "${trimmed}" has no closing "]"`,
      `Close it${suggestion === undefined ? '' : `: [${suggestion}]`}.`,
    ];
  }
  return [
    `there is text after the section header's "]" ("${raw.trim()}")`,
    'Put the header alone on its line, and a comment on a line of its own (starting with ; or #).',
  ];
}

/** A top-level key is `use_blacklist` (read by {@link readSetting}) or a mistake, told once. */
function checkTopLevel(scan: ReturnType<typeof scanLines>, problems: Problems) {
  const told = new Set<string>();
  for (const entry of scan.entries) {
    const { key } = entry;
    if (entry.section !== undefined || key.toLowerCase() === SETTING || told.has(key)) continue;
    told.add(key);
    if (!entry.hasValue) {
      problems.add(
        entry.line,
        `"${key}" is outside any section, where only the ${SETTING} setting may be`,
        `List a script under [${ALLOW_SECTION}] or [${DENY_SECTION}]: move the line below one of them.`,
      );
      continue;
    }
    const suggestion = closest(key, [SETTING]);
    problems.add(
      entry.line,
      `"${key}" is not a setting of a model list`,
      suggestion === undefined
        ? `The only setting is "${SETTING} = true" or "${SETTING} = false"; remove the line.`
        : `Did you mean ${suggestion}? Rename it.`,
    );
  }
}

/** `use_blacklist`, at the top or in either list section, once; false when it is missing. */
function readSetting(scan: ReturnType<typeof scanLines>, problems: Problems): boolean {
  const occurrences = scan.entries.filter(
    (entry) =>
      entry.key.toLowerCase() === SETTING &&
      (entry.section === undefined ||
        (typeof entry.section === 'string' && canonicalSection(entry.section) !== undefined)),
  );
  const [first, second] = occurrences;
  if (second !== undefined) {
    problems.add(
      second.line,
      `${SETTING} is set a second time (first on line ${first!.line})`,
      'Keep one of the two lines.',
    );
  }
  let useBlacklist: boolean | undefined;
  for (const [index, entry] of occurrences.entries()) {
    // `ini` keeps the last value of a key repeated in one section: only that line's counts.
    const repeated = occurrences
      .slice(index + 1)
      .some((later) => later.section === entry.section && later.key === entry.key);
    if (repeated) continue;
    const { value } = entry;
    const word =
      entry.hasValue && (typeof value === 'string' || typeof value === 'boolean' || value === null)
        ? String(value).trim()
        : '';
    const meaning = BOOLEANS.get(word.toLowerCase());
    if (meaning === undefined) {
      problems.add(
        entry.line,
        entry.hasValue ? `${SETTING} is "${word}", not true or false` : `${SETTING} has no value`,
        `Write "${SETTING} = true" to run every script but those under [${DENY_SECTION}], or "${SETTING} = false" to run only those under [${ALLOW_SECTION}] (yes/no, on/off and 1/0 work too).`,
      );
    } else if (entry === first) useBlacklist = meaning;
  }
  return useBlacklist ?? false;
}

/** What is wrong with a script name (without its extension), if anything. */
function scriptNameProblem(name: string): { problem: string; fix: string } | undefined {
  const fix = `Use the script's file name without its extension: 1 to ${MAX_NAME_LENGTH} letters, digits, ".", "_" or "-", starting with a letter or digit.`;
  if (name === '') return { problem: 'nothing is left once its extension is removed', fix };
  if (name.length > MAX_NAME_LENGTH)
    return { problem: `it is ${name.length} characters long, over ${MAX_NAME_LENGTH}`, fix };
  const wrong = /[^A-Za-z0-9._-]/.exec(name);
  if (wrong !== null) {
    // `key: value` is the other separator Python's configparser reads; `ini` reads only "=".
    if (wrong[0] === ':')
      return {
        problem: 'it contains ":"',
        fix: `Write one script name per line, and the setting with "=": "${SETTING} = true".`,
      };
    return { problem: `it contains ${JSON.stringify(wrong[0])}`, fix };
  }
  if (!/^[A-Za-z0-9]/.test(name))
    return { problem: 'it does not start with a letter or digit', fix };
  return undefined;
}

/** The list section a header names, in any case (the original's users wrote it in capitals). */
function canonicalSection(name: string): string | undefined {
  return LIST_SECTIONS.find((section) => section.toLowerCase() === name.toLowerCase());
}

/** Sorted by line, each name once (its first line kept). */
function inFileOrder(list: ListedScript[]): ListedScript[] {
  const seen = new Set<string>();
  return [...list]
    .sort((a, b) => a.line - b.line)
    .filter((each) => {
      if (seen.has(each.name)) return false;
      seen.add(each.name);
      return true;
    });
}
