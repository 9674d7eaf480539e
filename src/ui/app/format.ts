/**
 * How values read on screen. One locale (en-US) so the page reads the same on every machine and
 * tests can match text; times are shown in the viewer's time zone.
 */

const significant = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 4 });
const large = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });
const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** A metric or scalar value: four significant digits, thousands grouped; `null` as a dash. */
export function formatNumber(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return integer.format(value);
  const magnitude = Math.abs(value);
  if (magnitude >= 1000) return large.format(value);
  if (magnitude !== 0 && magnitude < 1e-4) return value.toExponential(2);
  return significant.format(value);
}

export const formatCount = (value: number): string => integer.format(value);

const pad = (value: number): string => String(value).padStart(2, '0');

/** `2025-11-24 15:28:01`, local time; `—` for none. */
export function formatTime(iso: string | null | undefined): string {
  if (iso === null || iso === undefined || iso === '') return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
  );
}

/** `4.2 s`, `3 m 12 s`, `1 h 02 m`, `2 d 3 h`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  if (seconds < 60) return `${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} m ${pad(Math.floor(seconds % 60))} s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ${pad(minutes % 60)} m`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** Any stored value as text: strings as they are, the rest as JSON. */
export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return JSON.stringify(value);
}

/** A run id's distinctive part: the random suffix of `20261124T153630108Z-62f22a74`. */
export function shortRunId(id: string): string {
  return /-([0-9a-f]{6,})$/i.exec(id)?.[1] ?? id.slice(0, 12);
}

/** The first 8 characters of an id, enough to tell ids apart in a table. */
export const shortId = (id: string): string => id.slice(0, 8);
