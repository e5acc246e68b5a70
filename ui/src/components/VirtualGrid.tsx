// A virtualized, accessible grid: only the rows in view (plus an overscan)
// are in the DOM, so 60,000 rows scroll as smoothly as 30. Rows have a fixed
// height; the header stays put while the body scrolls.
//
// The rows come either as an array (`rows`) or, for boards that live in the
// backend, as a count and a lookup (`rowCount`, `rowAt`): the grid then
// reports the window it shows (`onWindow`) so the caller fetches just those
// rows, and draws a placeholder for a row that has not arrived yet.

import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { visibleRange } from "../lib/virtual";

export interface GridColumn<Row> {
  key: string;
  header: string;
  /** CSS grid track size, e.g. `5rem` or `1fr`. */
  width: string;
  align?: "start" | "end";
  render: (row: Row) => ComponentChildren;
}

interface VirtualGridProps<Row> {
  label: string;
  columns: GridColumn<Row>[];
  /** All rows, when the caller holds them. */
  rows?: Row[];
  /** The number of rows, when the caller fetches them by window (with `rowAt`). */
  rowCount?: number;
  /** The row at an index, or undefined while it is still on its way. */
  rowAt?: (index: number) => Row | undefined;
  /** Called with the rows in view (plus overscan), `start` inclusive, `end` exclusive. */
  onWindow?: (start: number, end: number) => void;
  rowKey: (row: Row, index: number) => string;
  rowClass?: (row: Row) => string;
  rowHeight?: number;
  /** Shown in place of the body when there are no rows. */
  empty?: ComponentChildren;
  /** Changes whenever what is shown changed; defaults to `rows`. */
  paintKey?: unknown;
  /** Called with `paintKey` once the grid has been painted after it changed. */
  onPainted?: (paintKey: unknown) => void;
  /** Scrolls row `index` into the middle of the view whenever a new request object is given. */
  scrollRequest?: { index: number } | null;
  /** A row to mark (found by a search), by index. */
  highlightIndex?: number | null;
  /** The row the user picked (click), by index. */
  selectedIndex?: number | null;
  /** A click on a row. */
  onRowClick?: (index: number) => void;
  /** A right click on a row (the browser's menu is suppressed). */
  onRowContextMenu?: (index: number, event: MouseEvent) => void;
}

export function VirtualGrid<Row>({
  label,
  columns,
  rows,
  rowCount,
  rowAt,
  onWindow,
  rowKey,
  rowClass,
  rowHeight = 36,
  empty,
  paintKey,
  onPainted,
  scrollRequest,
  highlightIndex,
  selectedIndex,
  onRowClick,
  onRowContextMenu,
}: VirtualGridProps<Row>) {
  const count = rows ? rows.length : rowCount ?? 0;
  const lookup = (index: number): Row | undefined => (rows ? rows[index] : rowAt?.(index));
  const painted = paintKey === undefined ? rows : paintKey;
  const viewport = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);

  useEffect(() => {
    const element = viewport.current;
    if (!element) return;
    // Never trust a viewport taller than the window: if a layout ever lets
    // the viewport grow to its content, the grid still renders one screenful.
    const measure = () => setHeight(Math.min(element.clientHeight || 600, window.innerHeight || 1080));
    measure();
    if (typeof ResizeObserver === "undefined") return;
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  useEffect(() => {
    if (!onPainted) return;
    // Two animation frames: the first runs before the paint of this commit,
    // the second after it, so the callback sees the rows on screen.
    let inner = 0;
    const outer = requestAnimationFrame(() => {
      inner = requestAnimationFrame(() => onPainted(painted));
    });
    return () => {
      cancelAnimationFrame(outer);
      cancelAnimationFrame(inner);
    };
  }, [painted]);

  const template = columns.map((column) => column.width).join(" ");
  const range = visibleRange(scrollTop, height, rowHeight, count);

  // A new `onWindow` (another board) hears the window at once too.
  useEffect(() => {
    onWindow?.(range.start, range.end);
  }, [range.start, range.end, count, onWindow]);

  useEffect(() => {
    const element = viewport.current;
    if (!scrollRequest || !element) return;
    const top = Math.max(0, scrollRequest.index * rowHeight - Math.max(0, height - rowHeight) / 2);
    element.scrollTop = top;
    // jsdom and some webviews do not fire a scroll event for a scripted scroll.
    setScrollTop(top);
  }, [scrollRequest]);

  const visibleIndices: number[] = [];
  for (let index = range.start; index < range.end; index++) visibleIndices.push(index);

  return (
    <div class="grid" role="grid" aria-label={label} aria-rowcount={count + 1} aria-colcount={columns.length}>
      <div class="grid-header" role="row" aria-rowindex={1} style={{ gridTemplateColumns: template }}>
        {columns.map((column) => (
          <div key={column.key} role="columnheader" title={column.header} class={column.align === "end" ? "cell end" : "cell"}>
            {column.header}
          </div>
        ))}
      </div>
      <div
        class="grid-viewport"
        ref={viewport}
        tabIndex={0}
        aria-label={`${label}, ${count} rows; scroll with the arrow keys`}
        onScroll={(event) => setScrollTop((event.currentTarget as HTMLDivElement).scrollTop)}
      >
        {count === 0 ? (
          <div class="grid-empty">{empty}</div>
        ) : (
          <div class="grid-spacer" style={{ height: `${count * rowHeight}px` }}>
            <div class="grid-window" style={{ transform: `translateY(${range.offset}px)` }}>
              {visibleIndices.map((index) => {
                const row = lookup(index);
                const parity = index % 2 ? "odd" : "even";
                const found = index === highlightIndex ? "found" : "";
                const picked = index === selectedIndex ? "picked" : "";
                if (row === undefined) {
                  return (
                    <div
                      key={`loading-${index}`}
                      role="row"
                      aria-rowindex={index + 2}
                      aria-busy="true"
                      class={`grid-row ${parity} loading ${found}`}
                      style={{ gridTemplateColumns: template, height: `${rowHeight}px` }}
                    >
                      {columns.map((column) => (
                        <div key={column.key} role="gridcell" class={column.align === "end" ? "cell end" : "cell"} />
                      ))}
                    </div>
                  );
                }
                return (
                  <div
                    key={rowKey(row, index)}
                    role="row"
                    aria-rowindex={index + 2}
                    aria-selected={found || picked ? true : undefined}
                    class={`grid-row ${parity} ${rowClass?.(row) ?? ""} ${found} ${picked}`}
                    style={{ gridTemplateColumns: template, height: `${rowHeight}px` }}
                    onClick={onRowClick ? () => onRowClick(index) : undefined}
                    onContextMenu={
                      onRowContextMenu
                        ? (event) => {
                            event.preventDefault();
                            onRowContextMenu(index, event as unknown as MouseEvent);
                          }
                        : undefined
                    }
                  >
                    {columns.map((column) => (
                      <div key={column.key} role="gridcell" class={column.align === "end" ? "cell end" : "cell"}>
                        {column.render(row)}
                      </div>
                    ))}
                  </div>
                );
              })}
            </div>
          </div>
        )}
      </div>
    </div>
  );
}
