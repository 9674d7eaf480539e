import { measureText } from '../fonts.js';

/** Labels as drawn, each measured with the fonts the PNG is drawn with. */
export interface FittedLabels {
  /** The text to draw for each name, in the same order: the name, or a shortened form. */
  texts: string[];
  /** Width of the widest text, in px. */
  width: number;
  /** Whether any name was shortened (then show the full names somewhere else). */
  shortened: boolean;
}

const ELLIPSIS = '\u2026';
const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * `text`, or its start and end around an ellipsis, as wide as fits in `maxWidth` px at `size`
 * px. The middle goes because class names tend to share a prefix (`soil_texture_…`) and differ
 * at the end, where a cut at the end would make them all look alike.
 */
export function shortenMiddle(text: string, size: number, maxWidth: number): string {
  if (measureText(text, size) <= maxWidth) return text;
  // Cut between graphemes, never inside an emoji or an accented letter.
  const chars = Array.from(graphemes.segment(text), (part) => part.segment);
  // The longest cut that fits, by bisection on the number of characters kept.
  let lo = 0;
  let hi = chars.length - 1;
  const cut = (kept: number) => {
    const head = Math.ceil(kept / 2);
    return `${chars.slice(0, head).join('')}${ELLIPSIS}${chars.slice(chars.length - (kept - head)).join('')}`;
  };
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (measureText(cut(mid), size) <= maxWidth) lo = mid;
    else hi = mid - 1;
  }
  return cut(lo);
}

/**
 * Fits labels into `maxWidth` px at `size` px: names that fit are kept whole, longer ones lose
 * their middle (see {@link shortenMiddle}). Shortened texts that would read alike are numbered
 * by position (`#3 …`), so no two labels are ever drawn the same.
 */
export function fitLabels(names: readonly string[], size: number, maxWidth: number): FittedLabels {
  let texts = names.map((name) => shortenMiddle(name, size, maxWidth));
  if (new Set(texts).size !== texts.length) {
    texts = names.map((name, index) => {
      const number = `#${index + 1} `;
      return texts[index] === name
        ? name
        : `${number}${shortenMiddle(name, size, maxWidth - measureText(number, size))}`;
    });
  }
  return {
    texts,
    width: Math.max(0, ...texts.map((text) => measureText(text, size))),
    shortened: texts.some((text, index) => text !== names[index]),
  };
}

/**
 * The `labelLimit` to give an axis or legend whose labels are already fitted: a little above
 * their width, so that vega never cuts them again (and lays them out as wide as they are drawn).
 */
export const labelLimitFor = (labels: FittedLabels): number => Math.ceil(labels.width) + 4;
