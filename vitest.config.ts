import { availableParallelism } from "node:os";
import { configDefaults, defineConfig } from "vitest/config";

/** The slow reliability suites: in `npm test` (vitest run), not in `npm run test:quick`. */
const RELIABILITY = [
  "test/soak.test.ts",
  "test/fuzz.test.ts",
  "test/faults.test.ts",
  "test/protocol.test.ts",
  "test/no-double-send.test.ts",
  "test/send-state-load.test.ts",
];

export default defineConfig({
  test: {
    // Most files wait on processes they spawn (servers, the CLI, npm, a browser): a second
    // worker overlaps those waits. vitest's default, one fewer than the CPUs, runs a 2-CPU
    // machine's files one at a time (test:quick 159 s there, 133 s with two, on a busy machine).
    maxWorkers: Math.max(2, availableParallelism() - 1),
    // Bounds that only turn a hang into a failure, with room for a loaded machine: the process
    // tests take 5-25 s each there. No test waits on a wall-clock margin (test/support/wait.ts).
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // expect.poll's default of 1 s is a margin a busy machine blows (a browser, a hang-up).
    expect: { poll: { timeout: 30_000 } },
    globalSetup: ["test/support/global-setup.ts"],
    projects: [
      {
        extends: true,
        test: {
          name: "quick",
          include: ["test/**/*.test.ts"],
          exclude: [...configDefaults.exclude, ...RELIABILITY],
          // Files share one module graph per worker instead of importing src/, the SDK and the
          // sandbox again each (about half the run). Safe while no test mocks modules or
          // changes module state; each file still starts its own sandboxes and servers.
          isolate: false,
        },
      },
      { extends: true, test: { name: "reliability", include: RELIABILITY } },
    ],
  },
});
