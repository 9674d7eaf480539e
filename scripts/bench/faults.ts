import { startGcsFake } from '../../test/support/gcs-fake/index.js';
import { FAULT_OPERATIONS, FAULTS, runFaultCell } from '../../test/support/fault-matrix.js';

/**
 * The fault matrix of the README's reliability section: every request an append makes (part
 * upload or create, compose, metadata read) refused, or carried out with its answer lost or
 * replaced by a 503, with 1 and 16 concurrent writers on the GCS fake. What must hold: 0 lost,
 * 0 duplicated, 0 append parts left.
 */
export async function faultBenchmark(): Promise<Record<string, string | number>[]> {
  const fake = await startGcsFake();
  const rows: Record<string, string | number>[] = [];
  try {
    for (const operation of FAULT_OPERATIONS) {
      for (const { status, when } of FAULTS) {
        for (const [writers, rowsEach] of [
          [1, 96],
          [16, 6],
        ] as const) {
          const outcome = await runFaultCell(fake, 'bench-faults', {
            operation,
            status,
            when,
            writers,
            rowsEach,
          });
          rows.push({
            request: operation,
            fault: `${status} ${when} commit`,
            'writers × rows': `${writers} × ${rowsEach}`,
            'faults struck': outcome.struck,
            lost: outcome.lost,
            duplicated: outcome.duplicated,
            'parts left': outcome.partsLeft,
          });
        }
      }
    }
  } finally {
    await fake.stop();
  }
  const total = (key: string) => rows.reduce((sum, row) => sum + Number(row[key]), 0);
  rows.push({
    request: 'all',
    fault: '',
    'writers × rows': `${rows.length} cells`,
    'faults struck': total('faults struck'),
    lost: total('lost'),
    duplicated: total('duplicated'),
    'parts left': total('parts left'),
  });
  return rows;
}
