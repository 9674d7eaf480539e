/**
 * A run's colour, derived from its id alone, so a run keeps its colour whatever else is
 * selected, on every chart and after a reload.
 */

// Tableau 10 and a darker and a lighter variant of each: colours that read on white and that
// are far apart. A hash picks one; two runs may share a colour, as with any fixed palette.
export const RUN_PALETTE: readonly string[] = [
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

/** Where a run's colour is in the palette, from its id alone. */
function paletteIndex(runId: string): number {
  // FNV-1a: cheap, and spreads ids that differ in one character (same prefix) far apart.
  let hash = 0x811c9dc5;
  for (let index = 0; index < runId.length; index += 1) {
    hash ^= runId.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % RUN_PALETTE.length;
}

/** A run's own colour, when it is drawn with no other run. */
export function runColor(runId: string): string {
  return RUN_PALETTE[paletteIndex(runId)]!;
}

/**
 * The colours of runs drawn together, in selection order: each run its own colour unless an
 * earlier run has it, then the next free one in the palette. Two overlaid runs never share a
 * colour (one of 25 pairs did, e.g. in the README's screenshot) until the palette runs out, and a
 * run keeps its colour while only runs selected after it change.
 */
export function runColors(runIds: readonly string[]): Map<string, string> {
  const colors = new Map<string, string>();
  const taken = new Set<number>();
  for (const runId of runIds) {
    if (colors.has(runId)) continue;
    let index = paletteIndex(runId);
    for (let tries = 0; tries < RUN_PALETTE.length && taken.has(index); tries += 1) {
      index = (index + 1) % RUN_PALETTE.length;
    }
    taken.add(index);
    colors.set(runId, RUN_PALETTE[index]!);
  }
  return colors;
}
