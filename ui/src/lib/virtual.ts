// Window arithmetic for the virtualized grid: which rows of a long list are
// on screen (plus a few above and below), so 60,000 rows cost as much to
// render as thirty.

export interface VisibleRange {
  /** First row index to render (inclusive). */
  start: number;
  /** Last row index to render (exclusive). */
  end: number;
  /** Pixel offset of row `start` from the top of the scrolled content. */
  offset: number;
}

export function visibleRange(
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
  rowCount: number,
  overscan = 8,
): VisibleRange {
  if (rowCount <= 0 || rowHeight <= 0) return { start: 0, end: 0, offset: 0 };
  const firstVisible = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const visibleCount = Math.ceil(Math.max(0, viewportHeight) / rowHeight) + 1;
  const start = Math.min(rowCount, Math.max(0, firstVisible - overscan));
  const end = Math.min(rowCount, firstVisible + visibleCount + overscan);
  return { start, end, offset: start * rowHeight };
}

/** The scrollTop that brings row `index` into view, or null when it already is. */
export function scrollToReveal(index: number, scrollTop: number, viewportHeight: number, rowHeight: number): number | null {
  const top = index * rowHeight;
  const bottom = top + rowHeight;
  if (top < scrollTop) return top;
  if (bottom > scrollTop + viewportHeight) return bottom - viewportHeight;
  return null;
}
