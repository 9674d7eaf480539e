import type { ResvgRenderOptions } from '@resvg/resvg-js';
import type * as Vega from 'vega';
import type { TopLevelSpec } from 'vega-lite';
import { RenderError } from '../errors.js';
import { FONT_FAMILY, FONT_FILES, isBold, measureText } from './fonts.js';

/** Options of {@link renderPng}. */
export interface RenderPngOptions {
  /** Pixels per CSS pixel of the spec's layout. Default 2 (sharp on high-density screens). */
  scale?: number;
  /** The plot's name, used in error messages. Default: the spec's title, or `vega-lite`. */
  plot?: string;
}

/** The item fields vega's text measurement reads (vega-scenegraph's `textMetrics`). */
interface TextItem {
  fontSize?: number | string | null;
  fontWeight?: string | number | null;
  limit?: number;
  ellipsis?: string;
  dir?: string;
}

interface TextMetrics {
  width: (item: TextItem, text: string | number | null | undefined) => number;
}

function itemSize(item: TextItem): number {
  return item.fontSize == null ? 11 : Number(item.fontSize) || 0;
}

/** Measures like vega's canvas path: trimmed text, truncated with an ellipsis to `limit`. */
function textWidth(item: TextItem, text: string | number | null | undefined): number {
  const size = itemSize(item);
  const bold = isBold(item.fontWeight);
  const width = (value: string) => measureText(value, size, bold);
  let value = text == null ? '' : String(text).trim();
  const limit = Number(item.limit);
  if (limit > 0 && value.length > 0 && width(value) >= limit) {
    const ellipsis = item.ellipsis ?? '\u2026';
    const room = limit - width(ellipsis);
    const rtl = item.dir === 'rtl';
    let lo = 0;
    let hi = value.length;
    if (rtl) {
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (width(value.slice(mid)) > room) lo = mid + 1;
        else hi = mid;
      }
      value = ellipsis + value.slice(hi);
    } else {
      while (lo < hi) {
        const mid = 1 + ((lo + hi) >>> 1);
        if (width(value.slice(0, mid)) < room) lo = mid;
        else hi = mid - 1;
      }
      value = value.slice(0, lo) + ellipsis;
    }
  }
  return width(value);
}

interface Engine {
  vega: typeof Vega;
  compile: typeof import('vega-lite').compile;
  Resvg: typeof import('@resvg/resvg-js').Resvg;
}

let engine: Promise<Engine> | undefined;

/**
 * vega, vega-lite and resvg, loaded at the first render rather than with the package: they cost
 * about 0.3 s to import, and vega's module graph holds a top-level await (vega-canvas), which
 * would make `require('ml-tracking')` fail for every CommonJS user.
 */
function loadEngine(): Promise<Engine> {
  engine ??= Promise.all([import('vega'), import('vega-lite'), import('@resvg/resvg-js')]).then(
    ([vega, vegaLite, resvg]) => {
      // Lay text out with widths read from the TTF files resvg draws with. `textMetrics` is
      // exported by vega-scenegraph but missing from vega's type declarations.
      (vega as unknown as { textMetrics: TextMetrics }).textMetrics.width = textWidth;
      return { vega, compile: vegaLite.compile, Resvg: resvg.Resvg };
    },
  );
  return engine;
}

/** The resvg options renderPng uses: the bundled DejaVu fonts only, never the system's. */
export function resvgOptions(scale = 2): ResvgRenderOptions {
  return {
    fitTo: { mode: 'zoom', value: scale },
    font: {
      loadSystemFonts: false,
      fontFiles: [...FONT_FILES],
      defaultFontFamily: FONT_FAMILY,
      sansSerifFamily: FONT_FAMILY,
    },
  };
}

function plotName(spec: TopLevelSpec, options: RenderPngOptions): string {
  if (options.plot !== undefined) return options.plot;
  const title: unknown = (spec as { title?: unknown }).title;
  if (typeof title === 'string') return title;
  if (typeof title === 'object' && title !== null) {
    const text = (title as { text?: unknown }).text;
    if (typeof text === 'string') return text;
  }
  return 'vega-lite';
}

/** Lays a Vega-Lite spec out (fonts measured from the bundled TTFs) and returns its SVG. */
export async function specToSvg(spec: TopLevelSpec): Promise<string> {
  const { vega, compile } = await loadEngine();
  const { spec: compiled } = compile(spec);
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * Renders a Vega-Lite spec to PNG without a browser: vega-lite → vega (headless view) → SVG →
 * resvg, with text in DejaVu Sans from `dejavu-fonts-ttf` (system fonts are not loaded, so the
 * output is the same on every machine). Throws a {@link RenderError} on failure.
 */
export async function renderPng(
  spec: TopLevelSpec,
  options: RenderPngOptions = {},
): Promise<Uint8Array> {
  const plot = plotName(spec, options);
  const scale = options.scale ?? 2;
  if (!(Number.isFinite(scale) && scale > 0 && scale <= 16)) {
    throw new RenderError(plot, `scale must be a number in (0, 16], got ${String(scale)}`);
  }
  let svg: string;
  try {
    svg = await specToSvg(spec);
  } catch (error) {
    throw new RenderError(plot, `Vega could not lay the spec out (${message(error)})`, {
      cause: error,
    });
  }
  try {
    const { Resvg } = await loadEngine();
    const png = new Resvg(svg, resvgOptions(scale)).render().asPng();
    return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
  } catch (error) {
    throw new RenderError(plot, `resvg could not rasterise the SVG (${message(error)})`, {
      cause: error,
    });
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
