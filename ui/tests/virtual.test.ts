import { describe, expect, it } from "vitest";
import { scrollToReveal, visibleRange } from "../src/lib/virtual";

describe("visibleRange", () => {
  it("renders only the rows in view plus the overscan", () => {
    const range = visibleRange(0, 600, 36, 60_000, 8);
    expect(range.start).toBe(0);
    expect(range.end).toBe(Math.ceil(600 / 36) + 1 + 8);
    expect(range.offset).toBe(0);
  });

  it("follows the scroll position deep into a 60,000-row list", () => {
    const range = visibleRange(36 * 50_000, 600, 36, 60_000, 8);
    expect(range.start).toBe(50_000 - 8);
    expect(range.end - range.start).toBeLessThan(40);
    expect(range.offset).toBe((50_000 - 8) * 36);
  });

  it("clamps at the end of the list and for empty lists", () => {
    expect(visibleRange(36 * 59_990, 600, 36, 60_000).end).toBe(60_000);
    expect(visibleRange(1000, 600, 36, 0)).toEqual({ start: 0, end: 0, offset: 0 });
    expect(visibleRange(-50, 600, 36, 10).start).toBe(0);
  });
});

describe("scrollToReveal", () => {
  it("scrolls up or down only when the row is outside the viewport", () => {
    expect(scrollToReveal(5, 360, 360, 36)).toBe(180);
    expect(scrollToReveal(20, 0, 360, 36)).toBe(21 * 36 - 360);
    expect(scrollToReveal(3, 0, 360, 36)).toBeNull();
  });
});
