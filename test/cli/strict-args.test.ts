import { parseArgs, type ArgsDef } from 'citty';
import { describe, expect, it } from 'vitest';
import { globalArgs, parseCommandLine } from '../../src/cli/_command-line.js';
import { commands, loadCommand, resolved, type CommandName } from '../../src/cli/_commands.js';
import { verboseArg } from '../../src/cli/_shared-args.js';
import { checkArgs, commandOwner } from '../../src/cli/_strict-args.js';
import { closest, editDistance } from '../../src/_suggest.js';

const names = Object.keys(commands()) as CommandName[];

/** A command's own arguments plus those every command takes, as main.ts checks them. */
async function argsOf(name: string): Promise<ArgsDef> {
  const command = await loadCommand(name);
  return { ...(await resolved(command.args)), ...verboseArg };
}

const check = (args: string[], argsDef: ArgsDef) => () => {
  checkArgs(args, argsDef, commandOwner('test'));
};

describe('checkArgs', () => {
  const argsDef: ArgsDef = {
    id: { type: 'positional', description: '' },
    project: { type: 'string', description: '' },
    'y-true': { type: 'string', description: '' },
    plots: { type: 'boolean', default: true, description: '' },
    limit: { type: 'string', alias: ['l'], description: '' },
  };

  it('accepts every form citty reads', () => {
    for (const args of [
      ['abc', '--project', 'p'],
      ['--project=p', 'abc'],
      ['--y-true', 'col', '--yTrue=col'],
      ['--no-plots', '--plots', '--plots=false'],
      ['-l', '5', '--limit', '5', '--l=5'],
      ['--project', '-1'],
      ['--', '--not-a-flag'],
    ]) {
      expect(check(args, argsDef), args.join(' ')).not.toThrow();
    }
  });

  it('rejects, with the closest flag, what citty would ignore or misread', () => {
    const cases: [string[], RegExp][] = [
      [['--projetc', 'p'], /^unknown flag --projetc for "test"; did you mean --project\?$/],
      [['--projetc=p'], /^unknown flag --projetc for "test"; did you mean --project\?$/],
      [['--no-plot'], /did you mean --no-plots\?$/],
      [['--no-project'], /^unknown flag --no-project for "test"/],
      [['--no-plots=false'], /^flag --no-plots of "test" takes no value$/],
      [['-x'], /^unknown flag -x for "test"; run ml-tracking test --help to see its flags$/],
      [['--limit'], /^flag --limit of "test" needs a value$/],
      [['--project', '--limit', '5'], /needs a value, not the flag --limit$/],
      [['a', 'b'], /^unexpected argument "b" for "test", which takes one: <ID>$/],
      [['a', '--', 'b'], /^unexpected argument "b"/],
    ];
    for (const [args, message] of cases) {
      expect(check(args, argsDef), args.join(' ')).toThrow(message);
    }
  });

  it('agrees with citty: each flag a command declares, in each spelling, is parsed to that flag', async () => {
    for (const name of names) {
      const argsDef = await argsOf(name);
      // Only how citty reads the flags matters here, not whether the others were given.
      const optional = Object.fromEntries(
        Object.entries(argsDef).map(([flag, def]) => [flag, { ...def, required: false }]),
      ) as ArgsDef;
      for (const [flag, def] of Object.entries(argsDef)) {
        if (def.type === 'positional') continue;
        const camel = flag.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
        for (const spelling of new Set([flag, camel])) {
          const args = def.type === 'boolean' ? [`--${spelling}`] : [`--${spelling}`, 'value'];
          expect(check(args, argsDef), `${name} ${args.join(' ')}`).not.toThrow();
          const parsed = parseArgs(args, optional);
          expect(parsed[flag], `${name} ${args.join(' ')}`).toBe(
            def.type === 'boolean' ? true : 'value',
          );
        }
      }
    }
  });

  it('every command rejects a flag it does not declare', async () => {
    for (const name of names) {
      const argsDef = await argsOf(name);
      expect(() => {
        checkArgs(['--bogus'], argsDef, commandOwner(name));
      }).toThrow(`unknown flag --bogus for "${name}"`);
    }
  });
});

describe('parseCommandLine', () => {
  it('finds the command after global flags, knowing which of them take a value', () => {
    expect(parseCommandLine(['--store', 'list', 'show', 'x'])).toEqual({
      command: 'show',
      args: ['--store', 'list', 'x'],
      help: false,
      version: false,
    });
    expect(parseCommandLine(['--verbose', 'list', '--project', 'p', '-h'])).toMatchObject({
      command: 'list',
      args: ['--verbose', '--project', 'p', '-h'],
      help: true,
    });
    expect(parseCommandLine(['-v'])).toMatchObject({ command: undefined, version: true });
    expect(parseCommandLine(['--', 'list'])).toMatchObject({ command: undefined, args: [] });
  });

  it('accepts only global flags before the command', () => {
    expect(() => parseCommandLine(['--project', 'p', 'list'])).toThrow(
      /^unknown flag --project before the command; only --store/,
    );
    expect(() => parseCommandLine(['--stroe', 'x', 'list'])).toThrow(/did you mean --store\?$/);
    expect(Object.keys(globalArgs)).toEqual(['store', 'verbose', 'help', 'version']);
  });
});

describe('closest', () => {
  it('counts a swap of two neighbours as one typo', () => {
    expect(editDistance('modle', 'model')).toBe(1);
    expect(editDistance('paramz', 'params')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });

  it('suggests a likely typo or the one name a prefix starts, and nothing far off', () => {
    const flags = ['--dataset-uri', '--target-column', '--model', '--params', '--store'];
    expect(closest('--modle', flags)).toBe('--model');
    expect(closest('--Params', flags)).toBe('--params');
    expect(closest('--dataset', flags)).toBe('--dataset-uri');
    expect(closest('--banana', flags)).toBeUndefined();
    expect(closest('-x', ['-h'])).toBeUndefined();
    expect(closest('lst', ['list', 'show', 'log'])).toBe('list');
  });
});
