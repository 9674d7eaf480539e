/** The page URLs (see src/ui/README.md) and what each one's path holds. */

export type RouteMatch =
  | { page: 'projects' }
  | { page: 'experiments'; project: string }
  | { page: 'compare' }
  | { page: 'experiment'; predictionId: string }
  | { page: 'runs' }
  | { page: 'runs-compare' }
  | { page: 'run'; runId: string }
  | { page: 'sweeps' }
  | { page: 'sweep'; sweepId: string }
  | { page: 'redirect'; to: string }
  | { page: 'not-found' };

const decode = (segment: string): string | null => {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
};

export function matchRoute(path: string): RouteMatch {
  const parts = path.split('/').filter((part) => part !== '');
  const [first, second, ...rest] = parts;
  if (rest.length > 0) return { page: 'not-found' };
  const id = second === undefined ? null : decode(second);
  if (first === undefined) return { page: 'redirect', to: '/projects' };
  if (second === undefined) {
    if (first === 'projects') return { page: 'projects' };
    if (first === 'compare') return { page: 'compare' };
    if (first === 'runs') return { page: 'runs' };
    if (first === 'sweeps') return { page: 'sweeps' };
    return { page: 'not-found' };
  }
  // Before `/runs/:id`: a run id is a timestamp and a random suffix, never `compare`.
  if (first === 'runs' && second === 'compare') return { page: 'runs-compare' };
  if (id === null || id === '') return { page: 'not-found' };
  if (first === 'projects') return { page: 'experiments', project: id };
  if (first === 'experiments') return { page: 'experiment', predictionId: id };
  if (first === 'runs') return { page: 'run', runId: id };
  if (first === 'sweeps') return { page: 'sweep', sweepId: id };
  return { page: 'not-found' };
}

/** Which tab a page belongs to. */
export function tabOf(match: RouteMatch): 'projects' | 'runs' | 'sweeps' | null {
  switch (match.page) {
    case 'projects':
    case 'experiments':
    case 'compare':
    case 'experiment':
      return 'projects';
    case 'runs':
    case 'runs-compare':
    case 'run':
      return 'runs';
    case 'sweeps':
    case 'sweep':
      return 'sweeps';
    default:
      return null;
  }
}
