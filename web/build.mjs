// Builds the pages of every module that has one: x/NAME/web/main.js and
// index.html → x/NAME/web/static/ (index.html and one bundled NAME.js with
// its dependencies, such as ethers, tlock-js and drand-client). The output
// is committed and embedded in the binary; CI rebuilds it and checks it did
// not change.
//
//   npm ci && npm run build:web
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const here = path.dirname(fileURLToPath(import.meta.url));
const modules = path.join(here, "..", "x");
for (const name of fs.readdirSync(modules).sort()) {
  const src = path.join(modules, name, "web");
  if (!fs.existsSync(path.join(src, "main.js"))) continue;
  const out = path.join(src, "static");
  fs.mkdirSync(out, { recursive: true });
  await esbuild.build({
    entryPoints: [path.join(src, "main.js")],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify: true,
    legalComments: "none",
    define: { global: "globalThis" },
    outfile: path.join(out, `${name}.js`),
    logLevel: "warning",
  });
  fs.copyFileSync(path.join(src, "index.html"), path.join(out, "index.html"));
  console.log(`built ${path.relative(process.cwd(), out)}`);
}
