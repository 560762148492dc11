/**
 * The shipped bin: dist/cli.js, one ESM file that esbuild bundles with everything a start needs,
 * plus chunks under dist/chunks/ that load only when used (ky on the first request, the sandbox
 * with --sandbox, the HTTP transport with --http, phone metadata on the first send). Run by
 * `npm run build` after tsc; test/support/build.ts calls bundle() so the spawned-server tests run the same
 * output.
 *
 * Two things keep the start small:
 * - tools/list is computed here, from the registry, and takes the place of src/startup/listing.ts, so a
 *   start does not convert every tool's zod schema to JSON Schema;
 * - the SDK's Ajv validator is left out: the server gives the SDK its own (src/protocol/server.ts) and
 *   reads elicitation answers with zod, so Ajv, its formats and fast-uri (about 270 kB) would
 *   load for nothing.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type BuildOptions, build, type Metafile, type Plugin } from "esbuild";
import type { PrebuiltCatalogue } from "../src/startup/listing.js";

export interface BundleResult {
  /** The entry and the chunks it imports statically: what `node dist/cli.js` loads at start. */
  startFiles: string[];
  startBytes: number;
  /** What a start loads that the first tools/list does not need (NOT_AT_START); ideally none. */
  unneededAtStart: string[];
  /** Every output file with its size. */
  outputs: Record<string, number>;
}

/** What a start should not load, each needed only by some later request, by bundle input. */
const NOT_AT_START: Array<[string, RegExp]> = [
  [
    "ajv (the SDK's elicitation validator)",
    /node_modules\/(ajv|ajv-formats|fast-uri)\/|\/ajvProvider-[\w-]+\.mjs$/,
  ],
  ["ky (first request)", /node_modules\/ky\//],
  ["libphonenumber-js (sends)", /node_modules\/libphonenumber-js\//],
  ["sms-segments-calculator (sends)", /node_modules\/sms-segments-calculator\//],
  ["src/sending/time-zone-data.ts (sends under quiet hours)", /^src\/sending\/time-zone-data\.ts$/],
  ["hono (--http)", /node_modules\/(hono|@hono)\//],
  ["src/transport/http.ts (--http)", /^src\/transport\/http\.ts$/],
  ["@redis/client (CLICKSEND_REDIS_URL)", /node_modules\/@redis\//],
  ["src/state/sqlite*.ts and redis.ts (first send)", /^src\/state\/(sqlite[\w-]*|redis)\.ts$/],
  ["sandbox/ (--sandbox)", /^sandbox\//],
  ["src/setup/ (the setup subcommand)", /^src\/setup\//],
  [
    "jose, oauth4webapi and the resource server (--oauth)",
    /node_modules\/(jose|oauth4webapi)\/|^src\/oauth\/(verifier|resource-server|protect)\.ts$/,
  ],
  [
    "oidc-provider and koa (CLICKSEND_MCP_OAUTH_ISSUER=builtin)",
    /node_modules\/(oidc-provider|koa|@koa)\/|^src\/oauth\/builtin\/(?!index\.ts$)/,
  ],
  [
    'zod locales (a file imports { z } from "zod": write import * as z)',
    /node_modules\/zod\/v4\/locales\/(?!en\.js)/,
  ],
];

const withoutAjv: Plugin = {
  name: "without-ajv",
  setup(build) {
    // The SDK's dist imports its vendored Ajv as ./ajvProvider-<hash>.mjs, exporting the
    // validator as `n` (and Ajv, addFormats as `t`, `r`).
    build.onResolve({ filter: /\/ajvProvider-[\w-]+\.mjs$/ }, () => ({
      path: "ajv-provider",
      namespace: "without-ajv",
    }));
    build.onLoad({ filter: /.*/, namespace: "without-ajv" }, () => ({
      contents:
        "class NotBundled { constructor() { throw new Error('Ajv is not bundled: pass a jsonSchemaValidator.'); } }\nexport { NotBundled as n, NotBundled as t, NotBundled as r };",
      loader: "js",
    }));
  },
};

/** src/startup/listing.ts, with the listing and catalogue computed at build time in place of undefined. */
function withListing({ listing, catalogue }: Prebuilt): Plugin {
  return {
    name: "prebuilt-listing",
    setup(build) {
      build.onLoad({ filter: /[\\/]src[\\/]startup[\\/]listing\.ts$/ }, () => ({
        // JSON.parse of a string literal: faster for V8 to load than the same object literal.
        contents: `export const prebuiltListing = new Map(JSON.parse(${JSON.stringify(
          JSON.stringify(listing),
        )}).map((tool) => [tool.name, tool]));
export const prebuiltCatalogue = JSON.parse(${JSON.stringify(JSON.stringify(catalogue))});`,
        loader: "js",
      }));
    },
  };
}

const common = {
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node22",
  // Bundled CommonJS dependencies may call require() for Node built-ins.
  banner: {
    js: 'import { createRequire as __createRequire } from "node:module";\nconst require = __createRequire(import.meta.url);',
  },
  plugins: [withoutAjv],
  logLevel: "warning",
  // Less for V8 to read at every start; names kept for error names in logs and stack traces.
  minify: true,
  keepNames: true,
} satisfies BuildOptions;

/**
 * tools/list of the whole catalogue, computed by the server's own toolListing from the registry
 * in the same sources the bundle is built from: bundled and run in a child process, so a
 * caller's module cache (vitest's, in test/support/build.ts) can never hand over a stale registry.
 */
interface Prebuilt {
  listing: unknown[];
  catalogue: PrebuiltCatalogue;
}

async function computeListing(root: string): Promise<Prebuilt> {
  const dir = mkdtempSync(join(tmpdir(), "clicksend-mcp-listing-"));
  try {
    const file = join(dir, "listing.mjs");
    await build({
      ...common,
      absWorkingDir: root,
      stdin: {
        contents: `import { toolListing } from "./src/protocol/server.js";
import { tools } from "./tools/index.js";
process.stdout.write(JSON.stringify({
  listing: tools.map(toolListing),
  catalogue: {
    toolsets: Object.fromEntries(tools.map((t) => [t.name, t.toolset])),
    previews: Object.fromEntries(tools.flatMap((t) => (t.previews ? [[t.name, t.previews.send]] : []))),
  },
}));`,
        resolveDir: root,
        loader: "ts",
      },
      outfile: file,
    });
    const json = execFileSync(process.execPath, [file], { encoding: "utf8", maxBuffer: 1 << 26 });
    return JSON.parse(json) as Prebuilt;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Bundles src/cli.ts into outdir/cli.js and outdir/chunks/. With clean, the previous build's
 * chunks (named by content hash) are removed first; without it they stay, so a server started
 * from an earlier build can still load its lazy chunks.
 */
export async function bundle(options: {
  root: string;
  outdir: string;
  clean?: boolean;
}): Promise<BundleResult> {
  const { root, outdir } = options;
  const listing = await computeListing(root);
  if (options.clean) rmSync(join(outdir, "chunks"), { recursive: true, force: true });
  const result = await build({
    ...common,
    absWorkingDir: root,
    entryPoints: { cli: "src/cli.ts" },
    outdir,
    chunkNames: "chunks/[name]-[hash]",
    splitting: true,
    plugins: [...common.plugins, withListing(listing)],
    metafile: true,
  });
  return summarise(result.metafile, root, outdir);
}

function summarise(metafile: Metafile, root: string, outdir: string): BundleResult {
  const outputs: Record<string, number> = {};
  for (const [file, output] of Object.entries(metafile.outputs)) outputs[file] = output.bytes;
  const entry = Object.keys(metafile.outputs).find(
    (file) => join(root, file) === join(outdir, "cli.js"),
  );
  if (!entry) throw new Error("esbuild wrote no cli.js");
  const startFiles = staticClosure(metafile, entry);
  const loaded = startFiles.flatMap((file) => Object.keys(metafile.outputs[file]?.inputs ?? {}));
  return {
    startFiles,
    startBytes: startFiles.reduce((sum, file) => sum + (outputs[file] ?? 0), 0),
    unneededAtStart: NOT_AT_START.filter(([, pattern]) =>
      loaded.some((input) => pattern.test(input)),
    ).map(([label]) => label),
    outputs,
  };
}

/** The output file and every output it imports statically, transitively. */
function staticClosure(metafile: Metafile, entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const imported of metafile.outputs[file]?.imports ?? []) {
      if (imported.kind === "import-statement" && !imported.external) visit(imported.path);
    }
  };
  visit(entry);
  return [...seen];
}

/** The project root, seen from dist/scripts/build-bin.js. */
const ROOT = fileURLToPath(new URL("../..", import.meta.url));

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const outdir = join(ROOT, "dist");
  const result = await bundle({ root: ROOT, outdir, clean: true });
  // For npm run bench; not shipped ("files" in package.json).
  writeFileSync(join(outdir, "bundle-meta.json"), `${JSON.stringify(result, null, 2)}\n`);
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} kB`;
  const chunks = readdirSync(join(outdir, "chunks")).length;
  console.log(
    `dist/cli.js: ${kb(result.startBytes)} loaded at start (${result.startFiles.length} files), ${chunks} chunks in all`,
  );
  for (const line of result.unneededAtStart) {
    console.warn(`warning: loaded at start but not needed by tools/list (use import()): ${line}`);
  }
}
