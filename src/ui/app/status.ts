import type { RunItem } from '../api.js';

/** A run's status (`running`, `finished`, …), as the API reports it. */
export type RunStatus = RunItem['status'];
