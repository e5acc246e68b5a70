// Unmounts every rendered app after each test so screens never leak into the next one.
import { cleanup } from "@testing-library/preact";
import { afterEach } from "vitest";

afterEach(() => cleanup());
