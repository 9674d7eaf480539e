import { describe, expect, it } from 'vitest';
import { decodeRunRecord, encodeRunRecord, type RunRecord } from '../../src/runs/run-record.js';

const record: RunRecord = {
  id: '20261124T101530123Z-1a2b3c4d',
  project: 'soil',
  name: '-lr=0.1, "fast"',
  status: 'failed',
  origin: 'pipeline',
  startedAt: new Date('2026-11-24T10:15:30.123Z'),
  endedAt: new Date('2026-11-24T10:20:00.000Z'),
  heartbeatAt: new Date('2026-11-24T10:20:00.000Z'),
  heartbeatIntervalSeconds: 2.5,
  host: 'worker-1',
  gitCommit: 'abc123',
  gitDirty: false,
  hyperparameters: { lr: 0.1, layers: [64, 32], optimizer: { name: 'adam' }, note: null },
  summary: {
    loss: { last: 0.25, lastStep: 9, min: 0.2, minStep: 7, max: 0.9, maxStep: 0, count: 10 },
  },
  sweepId: '20261124T100000000Z-0badc0de',
  trial: 0,
  experiment: '=HYPERLINK("x")',
  pipelineScript: 'models/rf.ts',
  pipelineVersion: '+large',
  command: ['python3', 'train.py', '--lr=0.1'],
  error: '@line 3: diverged,\nat "step" 7',
  predictionIds: ['3f1c9a0e-8d2b-4c6a-9e7f-1a2b3c4d5e6f'],
  scalarsUri: 'gs://bucket/x/scalars/20261124T101530123Z-1a2b3c4d.csv',
  logUri: 'gs://bucket/x/run-logs/20261124T101530123Z-1a2b3c4d.log',
};

describe('the run record file', () => {
  it('reads back exactly what was written, free text that looks like a formula included', () => {
    const text = encodeRunRecord(record);
    // Spreadsheets must not run it: the formula-like cells are written with a leading '.
    expect(text).toContain(`"'=HYPERLINK(""x"")"`);
    expect(decodeRunRecord(text)).toEqual(record);
  });

  it('leaves optional fields out when they are empty, and refuses a file that is no run', () => {
    const minimal: RunRecord = {
      id: record.id,
      project: 'p',
      name: 'n',
      status: 'running',
      origin: 'logger',
      startedAt: record.startedAt,
      heartbeatAt: record.startedAt,
      heartbeatIntervalSeconds: 10,
      host: 'h',
      hyperparameters: {},
      summary: {},
      predictionIds: [],
      scalarsUri: 'memory://x/scalars/a.csv',
    };
    expect(decodeRunRecord(encodeRunRecord(minimal))).toEqual(minimal);
    expect(decodeRunRecord('run_id,status\nx,unknown\n')).toBeUndefined();
    expect(decodeRunRecord('')).toBeUndefined();
  });
});
