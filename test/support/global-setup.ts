/** Builds the server once, before any test file starts, for every test that spawns it. */
import { ensureBuilt } from "./build.js";

export default async function setup(): Promise<void> {
  await ensureBuilt();
}
