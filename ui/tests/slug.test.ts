import { describe, expect, it } from "vitest";

import { slugFromName } from "../src/api/mock";
import samples from "../src/api/slug.fixture.json";

// The same table is checked against the Rust rule in crates/usecase/tests/it/workflows.rs.
describe("the mock's slug rule", () => {
  it("gives the backend's slug for every shared sample", () => {
    expect(samples.length).toBeGreaterThanOrEqual(6);
    for (const [name, slug] of samples as [string, string][]) {
      expect(slugFromName(name), name).toBe(slug);
    }
  });
});
