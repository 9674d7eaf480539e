/**
 * A run's colour, derived from its id alone, so a run keeps its colour whatever else is
 * selected, on every chart and after a reload.
 */

// Tableau 10 and a darker and a lighter variant of each: colours that read on white and that
// are far apart. A hash picks one; two runs may share a colour, as with any fixed palette.
const PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#79706e',
  '#2b5b84',
  '#c25e00',
  '#a3262a',
  '#3f8a84',
  '#2f7a2a',
  '#b8941a',
  '#7f4f73',
  '#d6616b',
  '#6b4c3a',
  '#4a4543',
  '#8cb4e0',
  '#ffbe7d',
  '#ff9896',
  '#a8d8d2',
  '#98d18b',
];

export function runColor(runId: string): string {
  // FNV-1a: cheap, and spreads ids that differ in one character (same prefix) far apart.
  let hash = 0x811c9dc5;
  for (let index = 0; index < runId.length; index += 1) {
    hash ^= runId.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return PALETTE[(hash >>> 0) % PALETTE.length]!;
}
