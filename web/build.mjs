// Builds the pages the node serves: web/pledge → internal/web/static/pledge
// (index.html and one bundled pledge.js with ethers, tlock-js and
// drand-client). The output is committed; CI rebuilds it and checks it did
// not change.
//
//   npm ci && npm run build:web
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.join(here, "..", "internal", "web", "static", "pledge");
fs.mkdirSync(out, { recursive: true });
await esbuild.build({
  entryPoints: [path.join(here, "pledge", "main.js")],
  bundle: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  minify: true,
  legalComments: "none",
  define: { global: "globalThis" },
  outfile: path.join(out, "pledge.js"),
  logLevel: "warning",
});
fs.copyFileSync(path.join(here, "pledge", "index.html"), path.join(out, "index.html"));
console.log(`built ${path.relative(process.cwd(), out)}`);
