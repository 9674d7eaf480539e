import { runCommand } from 'citty';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { bigqueryCommand } from '../../src/cli/commands/bigquery.js';
import { lookerCommand } from '../../src/cli/commands/looker.js';
import { ValidationError } from '../../src/errors.js';

function collector() {
  const lines: string[] = [];
  return { output: { line: (text: string) => lines.push(text) }, lines };
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('ml-tracking looker', () => {
  it('prints the linking URL for --store', async () => {
    const { output, lines } = collector();
    await runCommand(lookerCommand(output), {
      rawArgs: ['--template', 'tmpl', '--store', 'gs://my-bucket/ml', '--explain', '--name', 'R'],
    });
    expect(lines).toHaveLength(1);
    const url = new URL(lines[0]!);
    expect(url.searchParams.get('c.reportId')).toBe('tmpl');
    expect(url.searchParams.get('c.explain')).toBe('true');
    expect(url.searchParams.get('r.reportName')).toBe('R');
    expect(url.searchParams.get('ds.scoring.path')).toBe('my-bucket/ml/scoring');
  });

  it('defaults to $ML_TRACKING_STORE, and rejects a local store', async () => {
    const { output, lines } = collector();
    vi.stubEnv('ML_TRACKING_STORE', 'gs://env-bucket');
    await runCommand(lookerCommand(output), { rawArgs: ['--template', 'tmpl'] });
    expect(new URL(lines[0]!).searchParams.get('ds.confusion.path')).toBe('env-bucket/confusion');
    vi.stubEnv('ML_TRACKING_STORE', './ml-tracking');
    await expect(
      runCommand(lookerCommand(output), { rawArgs: ['--template', 'tmpl'] }),
    ).rejects.toThrow(ValidationError);
  });
});

describe('ml-tracking bigquery', () => {
  it('prints the DDL', async () => {
    const { output, lines } = collector();
    await runCommand(bigqueryCommand(output), {
      rawArgs: ['--dataset', 'proj.ml', '--store', 'gs://my-bucket/x'],
    });
    const ddl = lines.join('\n');
    expect(ddl.match(/CREATE OR REPLACE EXTERNAL TABLE/g)).toHaveLength(10);
    expect(ddl).toContain("uris = ['gs://my-bucket/x/confusion/*.csv']");
  });

  it('rejects a bad --json type', async () => {
    const { output } = collector();
    await expect(
      runCommand(bigqueryCommand(output), {
        rawArgs: ['--dataset', 'ml', '--store', 'gs://my-bucket', '--json', 'xml'],
      }),
    ).rejects.toThrow(ValidationError);
  });
});
