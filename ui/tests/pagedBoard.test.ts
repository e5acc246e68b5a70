import { describe, expect, it } from "vitest";
import { type PageAnswer, PageStore, PagedBoard, pagesCovering } from "../src/lib/pagedBoard";

/** A backend board of `total` rows named by index, at `stamp`. */
function answer(stamp: number, total: number, offset: number, limit: number, label = "r"): PageAnswer<string> {
  const rows: string[] = [];
  for (let index = offset; index < Math.min(total, offset + limit); index++) rows.push(`${label}${index}`);
  return { stamp, total, offset, rows };
}

describe("pagesCovering", () => {
  it("lists the pages a window touches", () => {
    expect(pagesCovering(0, 30, 100)).toEqual([0]);
    expect(pagesCovering(90, 130, 100)).toEqual([0, 1]);
    expect(pagesCovering(59_950, 60_000, 100)).toEqual([599]);
    expect(pagesCovering(10, 10, 100)).toEqual([]);
  });
});

describe("PageStore", () => {
  it("holds pages of one stamp and answers rows by index", () => {
    const store = new PageStore<string>(100);
    expect(store.missing(0, 30)).toEqual([0]);
    store.markRequested([0]);
    expect(store.missing(0, 30)).toEqual([]);
    expect(store.accept(0, answer(1, 60_000, 0, 100))).toBe(true);
    expect(store.total).toBe(60_000);
    expect(store.rowAt(42)).toBe("r42");
    expect(store.rowAt(142)).toBeUndefined();
    expect(store.missing(120, 260)).toEqual([1, 2]);
    expect(store.ready(0, 30)).toBe(true);
    expect(store.ready(0, 130)).toBe(false);
    expect(store.missing(59_990, 60_050)).toEqual([599]);
  });

  it("drops older-stamp answers and keeps old pages only as stand-ins for a newer ranking", () => {
    const store = new PageStore<string>(100);
    store.accept(0, answer(5, 1000, 0, 100, "old"));
    store.accept(1, answer(5, 1000, 100, 100, "old"));
    // A newer ranking arrives for page 0: page 1 is now a stand-in, shown but due a refetch.
    expect(store.accept(0, answer(6, 1001, 0, 100, "new"))).toBe(true);
    expect(store.rowAt(5)).toBe("new5");
    expect(store.rowAt(105)).toBe("old105");
    expect(store.missing(0, 200)).toEqual([1]);
    expect(store.total).toBe(1001);
    // A late answer of the older ranking is dropped.
    expect(store.accept(1, answer(5, 1000, 100, 100, "old"))).toBe(false);
    expect(store.missing(0, 200)).toEqual([1]);
    expect(store.accept(1, answer(6, 1001, 100, 100, "new"))).toBe(true);
    expect(store.rowAt(105)).toBe("new105");
  });

  it("invalidate keeps rows on screen but asks for them again", () => {
    const store = new PageStore<string>(100);
    store.markRequested([0]);
    store.accept(0, answer(1, 50, 0, 100));
    store.invalidate();
    expect(store.rowAt(3)).toBe("r3");
    expect(store.ready(0, 30)).toBe(false);
    expect(store.missing(0, 30)).toEqual([0]);
    // The same stamp again means nothing moved; the page is fresh again.
    store.accept(0, answer(1, 50, 0, 100));
    expect(store.ready(0, 30)).toBe(true);
  });

  it("rows past a shrunken board are gone", () => {
    const store = new PageStore<string>(10);
    store.accept(0, answer(1, 10, 0, 10));
    store.accept(0, answer(2, 4, 0, 10));
    expect(store.rowAt(3)).toBe("r3");
    expect(store.rowAt(7)).toBeUndefined();
  });

  it("trims far pages so memory stays bounded", () => {
    const store = new PageStore<string>(10);
    for (let page = 0; page < 40; page++) store.accept(page, answer(1, 400, page * 10, 10));
    store.trim(200, 5);
    expect(store.heldPages()).toBe(5);
    expect(store.rowAt(200)).toBe("r200");
    expect(store.rowAt(0)).toBeUndefined();
  });
});

describe("PagedBoard", () => {
  /** A fake backend board whose answers the test releases by hand. */
  function fakeBackend(total: number) {
    const state = { stamp: 1, total, label: "a" };
    const calls: Array<{ offset: number; limit: number; resolve: () => void }> = [];
    const fetchPage = (offset: number, limit: number) =>
      new Promise<PageAnswer<string>>((resolve) => {
        // The answer reflects the backend at the moment it is released.
        calls.push({ offset, limit, resolve: () => resolve(answer(state.stamp, state.total, offset, limit, state.label)) });
      });
    return { state, calls, fetchPage };
  }
  const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

  it("fetches only the pages of the window, once each", async () => {
    const backend = fakeBackend(60_000);
    let changes = 0;
    const board = new PagedBoard<string, PageAnswer<string>>(backend.fetchPage, () => changes++, 100);
    void board.show(0, 0);
    expect(backend.calls.map((call) => call.offset)).toEqual([0]);
    backend.calls[0].resolve();
    await flush();
    expect(board.total).toBe(60_000);
    expect(changes).toBe(1);
    void board.show(0, 34);
    expect(backend.calls.length).toBe(1);
    // Scroll to the bottom of 60,000 rows: one page, not 600.
    void board.show(59_970, 60_000);
    expect(backend.calls.map((call) => call.offset)).toEqual([0, 59_900]);
    void board.show(59_972, 60_000);
    expect(backend.calls.length).toBe(2);
    backend.calls[1].resolve();
    await flush();
    expect(board.rowAt(59_999)).toBe("a59999");
    expect(board.ready()).toBe(true);
  });

  it("refresh refetches the window and shows the new ranking", async () => {
    const backend = fakeBackend(500);
    const board = new PagedBoard<string, PageAnswer<string>>(backend.fetchPage, () => {}, 100);
    void board.show(120, 150);
    backend.calls[0].resolve();
    await flush();
    expect(board.rowAt(130)).toBe("a130");
    backend.state.stamp = 2;
    backend.state.label = "b";
    void board.refresh();
    expect(board.ready()).toBe(false);
    expect(board.rowAt(130)).toBe("a130");
    expect(backend.calls.map((call) => call.offset)).toEqual([100, 100]);
    backend.calls[1].resolve();
    await flush();
    expect(board.rowAt(130)).toBe("b130");
    expect(board.latest?.stamp).toBe(2);
  });

  it("the first answer can reveal more pages in the window", async () => {
    const backend = fakeBackend(500);
    const board = new PagedBoard<string, PageAnswer<string>>(backend.fetchPage, () => {}, 10);
    const loaded = board.show(0, 25);
    // Before the total is known the whole window is asked for.
    expect(backend.calls.map((call) => call.offset)).toEqual([0, 10, 20]);
    backend.calls.forEach((call) => call.resolve());
    await loaded;
    expect(board.ready()).toBe(true);
  });

  it("a failed page is reported and asked for again on the next show", async () => {
    let fail = true;
    const fetchPage = async (offset: number, limit: number) => {
      if (fail) throw new Error("no competition open");
      return answer(1, 20, offset, limit);
    };
    const board = new PagedBoard<string, PageAnswer<string>>(fetchPage, () => {}, 10);
    await board.show(0, 5);
    expect(String(board.error)).toContain("no competition open");
    fail = false;
    await board.show(0, 5);
    expect(board.error).toBeNull();
    expect(board.rowAt(4)).toBe("r4");
  });

  it("ignores answers after dispose", async () => {
    const backend = fakeBackend(50);
    let changes = 0;
    const board = new PagedBoard<string, PageAnswer<string>>(backend.fetchPage, () => changes++, 10);
    void board.show(0, 5);
    board.dispose();
    backend.calls[0].resolve();
    await flush();
    expect(changes).toBe(0);
    expect(board.latest).toBeNull();
  });
});
