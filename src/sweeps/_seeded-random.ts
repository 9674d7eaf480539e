/**
 * A small seeded random generator for the model-based search: every agent must draw the same
 * candidates from the same (seed, trial), on every machine and Node version, and Math.random cannot
 * be seeded. sfc32 (from PractRand) is four 32-bit words of state, fast and well tested; its state
 * comes from SHA-256 of a label, so nearby seeds give unrelated streams.
 */
import { createHash } from 'node:crypto';
import { sfc32 } from '../_sfc32.js';

/** Uniform numbers in [0, 1) and standard normal numbers, from one seeded stream. */
export interface SeededRandom {
  uniform(): number;
  normal(): number;
}

/** A generator whose stream is a pure function of `label`. */
export function createSeededRandom(label: string): SeededRandom {
  const digest = createHash('sha256').update(label, 'utf8').digest();
  const next = sfc32(
    [0, 4, 8, 12].map((at) => digest.readUInt32BE(at)) as [number, number, number, number],
  );
  return {
    uniform: next,
    normal: () => {
      // Box-Muller; 1 - u keeps the logarithm's argument above 0.
      const radius = Math.sqrt(-2 * Math.log(1 - next()));
      return radius * Math.cos(2 * Math.PI * next());
    },
  };
}
