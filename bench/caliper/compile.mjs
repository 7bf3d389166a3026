// Compiles simple.sol into simple.json, the contract file Caliper's
// Ethereum connector deploys ({ name, abi, bytecode, gas }). Run from the
// repository root after npm ci: node bench/caliper/compile.mjs
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import solc from "solc";

const here = path.dirname(fileURLToPath(import.meta.url));
const input = {
  language: "Solidity",
  sources: { "simple.sol": { content: fs.readFileSync(path.join(here, "simple.sol"), "utf8") } },
  settings: { optimizer: { enabled: true, runs: 200 }, evmVersion: "cancun", outputSelection: { "*": { "*": ["abi", "evm.bytecode.object"] } } },
};
const out = JSON.parse(solc.compile(JSON.stringify(input)));
for (const e of out.errors || []) {
  if (e.severity === "error") throw new Error(e.formattedMessage);
}
const c = out.contracts["simple.sol"].simple;
const artifact = { name: "simple", abi: c.abi, bytecode: "0x" + c.evm.bytecode.object, gas: 1000000 };
fs.writeFileSync(path.join(here, "simple.json"), JSON.stringify(artifact, null, 2) + "\n");
console.log(`wrote ${path.join(here, "simple.json")} (${c.evm.bytecode.object.length / 2} bytes of creation code)`);
