import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Font, Glyph, KerningLookups } from 'opentype.js';

const require = createRequire(import.meta.url);

/** The family every spec sets in `config.font` and the renderer maps `sans-serif` to. */
export const FONT_FAMILY = 'DejaVu Sans';

/** Absolute paths of the TTF files handed to resvg (regular, bold). */
export const FONT_FILES: readonly string[] = [
  require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf'),
  require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf'),
];

interface MeasuredFont {
  font: Font;
  kerning: KerningLookups | undefined;
  glyphs: Map<string, Glyph>;
}

let fonts: { regular: MeasuredFont; bold: MeasuredFont } | undefined;

function load(path: string): MeasuredFont {
  // Required at the first measurement (the first plot), not when the package is imported.
  const opentype = require('opentype.js') as (typeof import('opentype.js'))['default'];
  const bytes = readFileSync(path);
  const font = opentype.parse(
    bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
  );
  // DejaVu keeps its Latin kerning under the `latn` script; the DFLT lookups miss most pairs.
  const kerning = font.position.getKerningTables('latn') ?? font.position.defaultKerningTables;
  return { font, kerning, glyphs: new Map() };
}

function loaded(): { regular: MeasuredFont; bold: MeasuredFont } {
  fonts ??= { regular: load(FONT_FILES[0]!), bold: load(FONT_FILES[1]!) };
  return fonts;
}

/** Whether a CSS font weight selects the bold face (as resvg's font matching does). */
export function isBold(weight: unknown): boolean {
  if (weight === 'bold' || weight === 'bolder') return true;
  const numeric = Number(weight);
  return Number.isFinite(numeric) && numeric >= 600;
}

/**
 * The advance width of `text` in DejaVu Sans at `size` px: glyph advances plus GPOS kerning,
 * read from the same TTF files resvg draws with. Fonts are parsed once, on first use.
 */
export function measureText(text: string, size: number, bold = false): number {
  if (size <= 0 || text.length === 0) return 0;
  const measured = bold ? loaded().bold : loaded().regular;
  const { font, kerning, glyphs } = measured;
  let units = 0;
  let previous: Glyph | undefined;
  for (const char of text) {
    let glyph = glyphs.get(char);
    if (glyph === undefined) {
      glyph = font.charToGlyph(char);
      glyphs.set(char, glyph);
    }
    units += glyph.advanceWidth ?? 0;
    if (previous !== undefined && kerning !== undefined) {
      units += font.position.getKerningValue(kerning, previous.index, glyph.index);
    }
    previous = glyph;
  }
  return (units * size) / font.unitsPerEm;
}
