// Keystore files, both ways: what `chuxin keys new` writes, ethers.js
// decrypts (Wallet.fromEncryptedJson); what ethers encrypts (Wallet.encrypt),
// `chuxin keys address` and `chuxin keys export` read. CHUXIN_BIN names the
// chuxin binary.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { ethers } from "ethers";

const BIN = process.env.CHUXIN_BIN;
const run = (...args) => execFileSync(BIN, args, { encoding: "utf8" });

test("ethers decrypts a keystore file chuxin made", { skip: !BIN && "CHUXIN_BIN is not set" }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chuxin-keys-"));
  const pw = path.join(dir, "pw");
  fs.writeFileSync(pw, "ethers reads this\n", { mode: 0o600 });
  const out = run("keys", "new", "--dir", path.join(dir, "ks"), "--password", pw, "--light-kdf");
  const [, address] = out.match(/^address (0x[0-9a-fA-F]{40})$/m);
  const [, file] = out.match(/^keystore (.+)$/m);
  const wallet = await ethers.Wallet.fromEncryptedJson(fs.readFileSync(file, "utf8"), "ethers reads this");
  assert.equal(wallet.address, ethers.getAddress(address));
  await assert.rejects(ethers.Wallet.fromEncryptedJson(fs.readFileSync(file, "utf8"), "wrong"), /incorrect password/);
  // Exported in the clear, the key is the one ethers decrypted.
  run("keys", "export", "--keystore", file, "--password", pw, "--out", path.join(dir, "k.hex"));
  assert.equal("0x" + fs.readFileSync(path.join(dir, "k.hex"), "utf8").trim(), wallet.privateKey);
  assert.equal(fs.statSync(path.join(dir, "k.hex")).mode & 0o777, 0o600);
  fs.rmSync(dir, { recursive: true });
});

test("chuxin reads a keystore file ethers made", { skip: !BIN && "CHUXIN_BIN is not set" }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chuxin-keys-"));
  const wallet = ethers.Wallet.createRandom();
  const file = path.join(dir, "ethers.json");
  fs.writeFileSync(file, await ethers.encryptKeystoreJson(wallet, "made by ethers", { scrypt: { N: 1 << 12 } }));
  fs.writeFileSync(path.join(dir, "pw"), "made by ethers\n");
  assert.equal(run("keys", "address", file).trim(), wallet.address);
  run("keys", "export", "--keystore", file, "--password", path.join(dir, "pw"), "--out", path.join(dir, "k.hex"));
  assert.equal("0x" + fs.readFileSync(path.join(dir, "k.hex"), "utf8").trim(), wallet.privateKey);
  fs.rmSync(dir, { recursive: true });
});
