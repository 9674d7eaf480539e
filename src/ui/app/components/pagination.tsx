import type { JSX } from 'preact';
import { formatCount } from '../format.js';

interface PaginationProps {
  offset: number;
  shown: number;
  total: number;
  onPage: (direction: -1 | 1) => void;
}

/** Previous / next and "21–40 of 100". */
export function Pagination({ offset, shown, total, onPage }: PaginationProps): JSX.Element {
  const first = total === 0 ? 0 : offset + 1;
  return (
    <div class="pagination">
      <button
        type="button"
        class="button"
        data-testid="page-prev"
        disabled={offset === 0}
        onClick={() => {
          onPage(-1);
        }}
      >
        ← Previous
      </button>
      <span data-testid="page-info" class="num">
        {formatCount(first)}–{formatCount(offset + shown)} of {formatCount(total)}
      </span>
      <button
        type="button"
        class="button"
        data-testid="page-next"
        disabled={offset + shown >= total}
        onClick={() => {
          onPage(1);
        }}
      >
        Next →
      </button>
    </div>
  );
}
