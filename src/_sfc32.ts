/**
 * sfc32, Chris Doty-Humphrey's small fast counting generator (from PractRand): uniform numbers in
 * [0, 1) from four 32-bit words of state. Math.random cannot be seeded; the seeded split and the
 * model-based sweep search each derive the four words from a SHA-256 of their own label.
 */
export function sfc32([first, second, third, fourth]: readonly [
  number,
  number,
  number,
  number,
]): () => number {
  let a = first;
  let b = second;
  let c = third;
  let d = fourth;
  const next = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  // The first outputs still echo the seed's bits: discard them, as the author advises.
  for (let index = 0; index < 12; index += 1) next();
  return next;
}
