// Compiles every contract under contracts/ and under each module's
// x/MODULE/contracts/ with solc-js (npm "solc") and writes one artifact per
// contract beside its sources, to contracts/artifacts/NAME.json or
// x/MODULE/contracts/artifacts/NAME.json, with its ABI, creation bytecode,
// deployed bytecode and the compiler settings.
//
//   npm ci && npm run compile
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const solc = require("solc");
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.dirname(here);

function sources(dir) {
  const out = {};
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== "artifacts") Object.assign(out, sources(p));
    else if (entry.name.endsWith(".sol")) out[path.relative(root, p)] = { content: fs.readFileSync(p, "utf8") };
  }
  return out;
}

function findImport(p) {
  for (const base of [root, path.join(root, "node_modules")]) {
    const f = path.join(base, p);
    if (fs.existsSync(f)) return { contents: fs.readFileSync(f, "utf8") };
  }
  return { error: `import not found: ${p} (run npm ci in ${root})` };
}

// The system contracts are compiled for size (optimizer runs 1, the IR
// pipeline): the
// Consortium contract is deployed by running its constructor, which the
// EIP-170 code size limit applies to. Applications keep runs 200.
function compile(only, runs) {
  const all = sources(here);
  const modules = path.join(root, "x");
  for (const name of fs.readdirSync(modules).sort()) {
    const dir = path.join(modules, name, "contracts");
    if (fs.existsSync(dir)) Object.assign(all, sources(dir));
  }
  const input = {
    language: "Solidity",
    sources: Object.fromEntries(Object.entries(all).filter(([f]) => only(f))),
    settings: {
      optimizer: { enabled: true, runs },
      viaIR: runs === 1, // the system contracts: the IR pipeline makes them about 4 % smaller
      outputSelection: { "*": { "*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object", "storageLayout"] } },
    },
  };
  const out = JSON.parse(solc.compile(JSON.stringify(input), { import: findImport }));
  const errors = (out.errors || []).filter((e) => e.severity === "error");
  for (const e of out.errors || []) console.error(e.formattedMessage);
  if (errors.length) process.exit(1);
  return out.contracts;
}
const isSystem = (f) => f.startsWith("contracts/system/");
const output = { contracts: { ...compile((f) => !isSystem(f), 200), ...compile(isSystem, 1) } };

// A contract that serves others' functions from its fallback (by
// DELEGATECALL, as Consortium serves its parts') gets their ABI too, so that
// callers see one interface at its address: all but the functions only its
// own proposals reach (named byProposal…).
const served = { Consortium: ["ConsortiumViews", "ConsortiumPermissions", "ConsortiumValidators", "ConsortiumNetwork"] };
for (const contracts of Object.values(output.contracts)) {
  for (const [name, parts] of Object.entries(served)) {
    for (const from of parts) {
      if (!contracts[name] || !contracts[from]) continue;
      const own = new Set(contracts[name].abi.map((e) => `${e.type} ${e.name}`));
      contracts[name].abi = [...contracts[name].abi, ...contracts[from].abi.filter((e) => e.type === "function" && !e.name.startsWith("byProposal") && !own.has(`${e.type} ${e.name}`))];
    }
  }
}

// Where a source's artifacts go: contracts/artifacts, or its module's.
function outDirOf(file) {
  if (file.startsWith("contracts/")) return path.join(here, "artifacts");
  const m = /^x\/([a-z0-9]+)\/contracts\//.exec(file);
  return m && path.join(root, "x", m[1], "contracts", "artifacts");
}
for (const [file, contracts] of Object.entries(output.contracts)) {
  const outDir = outDirOf(file);
  if (!outDir) continue;
  fs.mkdirSync(outDir, { recursive: true });
  for (const [name, c] of Object.entries(contracts)) {
    const artifact = {
      contractName: name,
      sourceName: file,
      compiler: `solc ${solc.version()}`,
      abi: c.abi,
      bytecode: "0x" + c.evm.bytecode.object,
      deployedBytecode: "0x" + c.evm.deployedBytecode.object,
      storage: (c.storageLayout?.storage || []).map(({ label, slot, offset }) => ({ label, slot: Number(slot), offset })),
    };
    fs.writeFileSync(path.join(outDir, `${name}.json`), JSON.stringify(artifact, null, 2) + "\n");
    console.log(`compiled ${file}:${name}`);
  }
}
