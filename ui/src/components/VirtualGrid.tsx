// A virtualized, accessible grid: only the rows in view (plus an overscan)
// are in the DOM, so 60,000 rows scroll as smoothly as 30. Rows have a fixed
// height; the header stays put while the body scrolls.

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
  rows: Row[];
  rowKey: (row: Row, index: number) => string;
  rowClass?: (row: Row) => string;
  rowHeight?: number;
  /** Shown in place of the body when there are no rows. */
  empty?: ComponentChildren;
  /** Called with the rows once they have been painted after `rows` changed. */
  onPainted?: (rows: Row[]) => void;
}

export function VirtualGrid<Row>({
  label,
  columns,
  rows,
  rowKey,
  rowClass,
  rowHeight = 36,
  empty,
  onPainted,
}: VirtualGridProps<Row>) {
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
    const frame = requestAnimationFrame(() => requestAnimationFrame(() => onPainted(rows)));
    return () => cancelAnimationFrame(frame);
  }, [rows]);

  const template = columns.map((column) => column.width).join(" ");
  const range = visibleRange(scrollTop, height, rowHeight, rows.length);
  const visible = rows.slice(range.start, range.end);

  return (
    <div class="grid" role="grid" aria-label={label} aria-rowcount={rows.length + 1} aria-colcount={columns.length}>
      <div class="grid-header" role="row" aria-rowindex={1} style={{ gridTemplateColumns: template }}>
        {columns.map((column) => (
          <div key={column.key} role="columnheader" class={column.align === "end" ? "cell end" : "cell"}>
            {column.header}
          </div>
        ))}
      </div>
      <div
        class="grid-viewport"
        ref={viewport}
        tabIndex={0}
        aria-label={`${label}, ${rows.length} rows; scroll with the arrow keys`}
        onScroll={(event) => setScrollTop((event.currentTarget as HTMLDivElement).scrollTop)}
      >
        {rows.length === 0 ? (
          <div class="grid-empty">{empty}</div>
        ) : (
          <div class="grid-spacer" style={{ height: `${rows.length * rowHeight}px` }}>
            <div class="grid-window" style={{ transform: `translateY(${range.offset}px)` }}>
              {visible.map((row, offset) => {
                const index = range.start + offset;
                return (
                  <div
                    key={rowKey(row, index)}
                    role="row"
                    aria-rowindex={index + 2}
                    class={`grid-row ${index % 2 ? "odd" : "even"} ${rowClass?.(row) ?? ""}`}
                    style={{ gridTemplateColumns: template, height: `${rowHeight}px` }}
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
