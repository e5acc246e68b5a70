// A window onto a ranked board that lives in the backend. The grid says which
// rows are on screen; this fetches only the pages covering them, keeps the
// pages it has per board stamp, and on a change notice refetches the window.
//
// Pages answered with a newer stamp replace everything held: the older pages
// are kept only as a stand-in, shown until their fresh copy arrives, so a
// re-rank never blanks the screen. An answer with an older stamp than the
// newest seen is dropped (it raced a newer one). Nothing here ranks: rows
// are shown exactly as the backend sent them.

/** What every page answer carries (LeaderboardPage and OverallPage both do). */
export interface PageAnswer<Row> {
  stamp: number;
  total: number;
  offset: number;
  rows: Row[];
}

/** Rows per page: a few screenfuls, small enough to cross the bridge in a blink. */
export const DEFAULT_PAGE_SIZE = 100;

/** The page indices covering rows `start..end` (end exclusive). */
export function pagesCovering(start: number, end: number, pageSize: number): number[] {
  if (end <= start || pageSize <= 0) return [];
  const first = Math.floor(Math.max(0, start) / pageSize);
  const last = Math.floor((end - 1) / pageSize);
  const pages: number[] = [];
  for (let page = first; page <= last; page++) pages.push(page);
  return pages;
}

/**
 * The pages held for one board, with the rules above. Pure bookkeeping: no
 * fetching, so it can be tested on its own.
 */
export class PageStore<Row> {
  readonly pageSize: number;
  /** The newest stamp seen, or null before the first answer. */
  stamp: number | null = null;
  /** Rows in the board, as of `stamp`. */
  total = 0;
  private fresh = new Map<number, Row[]>();
  private standIns = new Map<number, Row[]>();
  private requested = new Set<number>();

  constructor(pageSize = DEFAULT_PAGE_SIZE) {
    this.pageSize = pageSize;
  }

  /** Pages of rows `start..end` neither held fresh nor already requested. */
  missing(start: number, end: number): number[] {
    const last = this.stamp === null ? end : Math.min(end, Math.max(this.total, 1));
    return pagesCovering(start, last, this.pageSize).filter((page) => !this.fresh.has(page) && !this.requested.has(page));
  }

  /** Notes that `pages` have been asked for, so they are not asked for twice. */
  markRequested(pages: number[]): void {
    for (const page of pages) this.requested.add(page);
  }

  /**
   * Takes a page answer. Returns false when it was dropped because a newer
   * ranking has already been seen.
   */
  accept(page: number, answer: PageAnswer<Row>): boolean {
    if (this.stamp !== null && answer.stamp < this.stamp) return false;
    if (this.stamp === null || answer.stamp > this.stamp) {
      // A new ranking: what is held becomes a stand-in until replaced.
      for (const [index, rows] of this.fresh) this.standIns.set(index, rows);
      this.fresh = new Map();
      this.stamp = answer.stamp;
    }
    this.total = answer.total;
    this.fresh.set(page, answer.rows);
    this.standIns.delete(page);
    this.requested.delete(page);
    return true;
  }

  /** Forgets that a request for `page` is on its way (it failed). */
  failed(page: number): void {
    this.requested.delete(page);
  }

  /**
   * The scores may have changed: every page held becomes a stand-in, to be
   * fetched again when on screen. The stamp is kept, so answers already on
   * their way are still accepted.
   */
  invalidate(): void {
    for (const [index, rows] of this.fresh) this.standIns.set(index, rows);
    this.fresh = new Map();
    this.requested.clear();
  }

  /** The row at `index`: fresh when held, else the stand-in, else undefined (still loading). */
  rowAt(index: number): Row | undefined {
    if (index < 0 || (this.stamp !== null && index >= this.total)) return undefined;
    const page = Math.floor(index / this.pageSize);
    const rows = this.fresh.get(page) ?? this.standIns.get(page);
    return rows?.[index - page * this.pageSize];
  }

  /** True when every row of `start..end` is held fresh. */
  ready(start: number, end: number): boolean {
    if (this.stamp === null) return false;
    return pagesCovering(start, Math.min(end, this.total), this.pageSize).every((page) => this.fresh.has(page));
  }

  /** How many pages are held (fresh and stand-in), to keep memory in check. */
  heldPages(): number {
    return this.fresh.size + this.standIns.size;
  }

  /** Keeps at most `limit` fresh pages, dropping those farthest from `around`, and drops stand-ins far away. */
  trim(around: number, limit: number): void {
    const centre = Math.floor(around / this.pageSize);
    const farthestFirst = (pages: Map<number, Row[]>) => [...pages.keys()].sort((a, b) => Math.abs(b - centre) - Math.abs(a - centre));
    for (const page of farthestFirst(this.fresh).slice(0, Math.max(0, this.fresh.size - limit))) this.fresh.delete(page);
    for (const page of farthestFirst(this.standIns).slice(0, Math.max(0, this.standIns.size - limit))) this.standIns.delete(page);
  }
}

/** Fresh pages kept per board: about 5,000 rows around the window. */
const PAGES_KEPT = 50;

/**
 * A board whose pages come from `fetchPage`. `onChange` runs whenever held
 * rows or the header (the latest answer) changed, so the screen re-renders.
 */
export class PagedBoard<Row, Answer extends PageAnswer<Row>> {
  readonly store: PageStore<Row>;
  /** The newest accepted answer: the header (names, state, columns) comes from it. */
  latest: Answer | null = null;
  /** The last error, for the screen to show; cleared by the next good answer. */
  error: unknown = null;
  private window = { start: 0, end: 0 };
  private disposed = false;

  constructor(
    private readonly fetchPage: (offset: number, limit: number) => Promise<Answer>,
    private readonly onChange: () => void,
    pageSize = DEFAULT_PAGE_SIZE,
  ) {
    this.store = new PageStore<Row>(pageSize);
  }

  get total(): number {
    return this.store.total;
  }

  /** The rows `start..end` are on screen: fetch what is missing. */
  show(start: number, end: number): Promise<void> {
    this.window = { start, end };
    return this.load();
  }

  /** Scores changed: refetch the window (the new stamp replaces the old pages). */
  refresh(): Promise<void> {
    this.store.invalidate();
    return this.load();
  }

  /** True once the whole window is held fresh. */
  ready(): boolean {
    return this.store.ready(this.window.start, this.window.end);
  }

  rowAt(index: number): Row | undefined {
    return this.store.rowAt(index);
  }

  /** Stops taking answers (the screen moved on to another board). */
  dispose(): void {
    this.disposed = true;
  }

  private async load(): Promise<void> {
    // Before the first answer the total is unknown: ask for the window's first page.
    const { start, end } = this.window;
    const pages = this.store.missing(start, Math.max(end, start + 1));
    if (pages.length === 0) return;
    this.store.markRequested(pages);
    await Promise.all(pages.map((page) => this.loadPage(page)));
    // The first answer may reveal that the window holds more pages than were asked for.
    // A failed page is not retried here: the next scroll or change notice asks again.
    if (!this.disposed && this.error === null && !this.ready() && this.store.missing(this.window.start, this.window.end).length > 0) {
      await this.load();
    }
  }

  private async loadPage(page: number): Promise<void> {
    const size = this.store.pageSize;
    try {
      const answer = await this.fetchPage(page * size, size);
      if (this.disposed) return;
      if (this.store.accept(page, answer)) {
        if (!this.latest || answer.stamp >= this.latest.stamp) this.latest = answer;
        this.error = null;
        this.store.trim(this.window.start, PAGES_KEPT);
        this.onChange();
      }
    } catch (error) {
      if (this.disposed) return;
      this.store.failed(page);
      this.error = error;
      this.onChange();
    }
  }
}
