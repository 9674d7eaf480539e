// The one heartbeat rule that runs, sweep agents and pipelines read: a number of seconds in
// (0, 3600], from the option or ML_TRACKING_HEARTBEAT_SECONDS, refused by name otherwise (1e300
// overflowed Node's timers into a 1 ms heartbeat that hammered the store).
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  checkHeartbeatSeconds,
  isSilent,
  LOST_AFTER_HEARTBEATS,
} from '../../src/records/liveness.js';
import { ValidationError } from '../../src/errors.js';
import { startRun } from '../../src/runs/start-run.js';
import { runSweepAgent } from '../../src/sweeps/sweep-agent.js';

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('checkHeartbeatSeconds', () => {
  it('takes the option, else the environment, else 10', () => {
    expect(checkHeartbeatSeconds(2.5)).toBe(2.5);
    vi.stubEnv('ML_TRACKING_HEARTBEAT_SECONDS', '0.3');
    expect(checkHeartbeatSeconds()).toBe(0.3);
    vi.stubEnv('ML_TRACKING_HEARTBEAT_SECONDS', '');
    expect(checkHeartbeatSeconds()).toBe(10);
  });

  it.each([0, -1, Number.NaN, Infinity, 1e300, 3601])('refuses the option %s by name', (value) => {
    expect(() => checkHeartbeatSeconds(value)).toThrow(
      expect.objectContaining({ parameter: 'heartbeatIntervalSeconds' }),
    );
  });

  it.each(['1e300', 'abc', '-2', '0'])(
    'refuses ML_TRACKING_HEARTBEAT_SECONDS=%s by name',
    (text) => {
      vi.stubEnv('ML_TRACKING_HEARTBEAT_SECONDS', text);
      expect(() => checkHeartbeatSeconds()).toThrow(ValidationError);
      expect(() => checkHeartbeatSeconds()).toThrow(/ML_TRACKING_HEARTBEAT_SECONDS/);
    },
  );

  it('is what startRun and the sweep agent check, before anything is written', async () => {
    vi.stubEnv('ML_TRACKING_HEARTBEAT_SECONDS', '1e300');
    await expect(startRun({ project: 'p', store: 'memory://heartbeat' })).rejects.toThrow(
      /ML_TRACKING_HEARTBEAT_SECONDS/,
    );
    await expect(
      runSweepAgent({ sweepId: 'x', store: 'memory://heartbeat', heartbeatIntervalSeconds: 1e300 }),
    ).rejects.toBeInstanceOf(ValidationError);
  });
});

describe('isSilent', () => {
  const at = new Date('2026-12-06T10:00:00.000Z');
  const later = (ms: number) => new Date(at.getTime() + ms);

  it(`gives a writer ${LOST_AFTER_HEARTBEATS} heartbeats, by the store's times only`, () => {
    expect(isSilent(at, later(LOST_AFTER_HEARTBEATS * 1000), 1)).toBe(false);
    expect(isSilent(at, later(LOST_AFTER_HEARTBEATS * 1000 + 1), 1)).toBe(true);
  });
});
