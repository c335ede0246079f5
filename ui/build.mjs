// Builds the dashboard into dist/ (or the folder given as the first
// argument): index.html, assets/app.js, assets/app.css. Deterministic: the
// same sources and packages give byte-identical files (no timestamps; the
// `?v=` in index.html is a digest of each asset, so browsers fetch a
// changed asset again). The server embeds dist/ and serves it at /ui.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import * as esbuild from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const out = resolve(process.argv[2] ?? join(here, "dist"));
const assets = join(out, "assets");

const common = {
  absWorkingDir: here,
  bundle: true,
  minify: true,
  legalComments: "none",
  charset: "utf8",
  logLevel: "warning",
  write: false,
};

const [script, style] = await Promise.all([
  esbuild.build({
    ...common,
    entryPoints: ["src/main.tsx"],
    outfile: "app.js",
    format: "esm",
    platform: "browser",
    target: ["es2022", "chrome100", "firefox100", "safari16"],
    conditions: ["browser"],
    jsx: "automatic",
    jsxImportSource: "preact",
    define: { "process.env.NODE_ENV": '"production"' },
  }),
  esbuild.build({
    ...common,
    entryPoints: ["src/styles.css"],
    outfile: "app.css",
    target: ["chrome100", "firefox100", "safari16"],
  }),
]);

const js = script.outputFiles[0].contents;
const css = style.outputFiles[0].contents;
const digest = (bytes) => createHash("sha256").update(bytes).digest("hex").slice(0, 16);
const html = readFileSync(join(here, "src/index.html"), "utf8")
  .replace("%JS_VERSION%", digest(js))
  .replace("%CSS_VERSION%", digest(css));

rmSync(out, { recursive: true, force: true });
mkdirSync(assets, { recursive: true });
writeFileSync(join(assets, "app.js"), js);
writeFileSync(join(assets, "app.css"), css);
writeFileSync(join(out, "index.html"), html);
console.log(`dashboard built into ${out}: app.js ${js.length} bytes, app.css ${css.length} bytes`);
