import type { Config } from 'vega-lite';
import { FONT_FAMILY } from '../fonts.js';

/** The look shared by every plot: DejaVu Sans, a white background, quiet axes. */
export const PLOT_CONFIG: Config = {
  font: FONT_FAMILY,
  background: 'white',
  padding: 16,
  view: { stroke: '#d0d0d0' },
  title: {
    anchor: 'start',
    fontSize: 15,
    fontWeight: 'bold',
    color: '#222',
    subtitleFontSize: 11,
    subtitleColor: '#555',
    subtitlePadding: 4,
    offset: 12,
  },
  axis: {
    labelFontSize: 11,
    labelColor: '#333',
    titleFontSize: 12,
    titleFontWeight: 'bold',
    titleColor: '#222',
    titlePadding: 10,
    gridColor: '#ececec',
    domainColor: '#888',
    tickColor: '#888',
  },
  legend: { labelFontSize: 11, titleFontSize: 11, titleColor: '#222', labelColor: '#333' },
};

/** A plot title: the caller's title (if any) above a line that says what the plot shows. */
export function plotTitle(
  kind: string,
  title: string | undefined,
  details: string[],
): { text: string; subtitle?: string[] } {
  const text = title ?? kind;
  const subtitle = [
    [title === undefined ? undefined : kind, ...details].filter(Boolean).join(' · '),
  ];
  return subtitle[0] === '' ? { text } : { text, subtitle };
}

/** `1234567` → `1,234,567`. */
export function formatInteger(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}
