/**
 * A small seeded random generator for the model-based search: every agent must draw the same
 * candidates from the same (seed, trial), on every machine and Node version, and Math.random cannot
 * be seeded. sfc32 (from PractRand) is four 32-bit words of state, fast and well tested; its state
 * comes from SHA-256 of a label, so nearby seeds give unrelated streams.
 */
import { createHash } from 'node:crypto';

/** Uniform numbers in [0, 1) and standard normal numbers, from one seeded stream. */
export interface SeededRandom {
  uniform(): number;
  normal(): number;
}

/** A generator whose stream is a pure function of `label`. */
export function createSeededRandom(label: string): SeededRandom {
  const digest = createHash('sha256').update(label, 'utf8').digest();
  let a = digest.readUInt32BE(0);
  let b = digest.readUInt32BE(4);
  let c = digest.readUInt32BE(8);
  let d = digest.readUInt32BE(12);
  const next = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  // The first outputs of sfc32 still echo the seed words; the reference discards 12.
  for (let warm = 0; warm < 12; warm += 1) next();
  return {
    uniform: next,
    normal: () => {
      // Box-Muller; 1 - u keeps the logarithm's argument above 0.
      const radius = Math.sqrt(-2 * Math.log(1 - next()));
      return radius * Math.cos(2 * Math.PI * next());
    },
  };
}
