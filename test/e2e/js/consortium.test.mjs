// ethers.js v6 against a permissioned chuxin devnet (CHUXIN_PERMISSIONED_RPC):
// the Consortium contract's published ABI works through ethers; an account
// without roles is refused with the missing role; an admin grants roles; a
// regulator freezes and unfreezes an account and a contract, and every
// refusal reaches the client in words.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ethers } from "ethers";

const here = path.dirname(fileURLToPath(import.meta.url));
const load = (name) => JSON.parse(fs.readFileSync(path.join(here, `../../../contracts/artifacts/${name}.json`), "utf8"));
const consortiumABI = load("Consortium").abi;
const token = load("ChuxinToken");
const RPC = process.env.CHUXIN_PERMISSIONED_RPC;
const CONSORTIUM = "0xC415000000000000000000000000000000000001";
const KEY0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"; // admin and regulator

let provider, admin, stranger, consortium;

// refused: the promise fails with the words of the refusal.
const refused = (promise, words) =>
  assert.rejects(promise, (e) => {
    const text = `${e.message} ${e.info?.error?.message ?? ""} ${e.error?.message ?? ""}`;
    assert.match(text, words);
    return true;
  });

before(async () => {
  if (!RPC) return;
  provider = new ethers.JsonRpcProvider(RPC, undefined, { pollingInterval: 100, cacheTimeout: -1 });
  // A plain wallet asks for the pending nonce each time (the cache is off):
  // a refused transaction uses up no nonce.
  admin = new ethers.Wallet(KEY0, provider);
  stranger = ethers.Wallet.createRandom().connect(provider);
  consortium = new ethers.Contract(CONSORTIUM, consortiumABI, admin);
  await (await admin.sendTransaction({ to: stranger.address, value: ethers.parseEther("10") })).wait();
});

after(() => provider?.destroy());

test("an account without roles cannot send or deploy", { skip: !RPC }, async () => {
  assert.equal(await consortium.permissioned(), true);
  await refused(stranger.sendTransaction({ to: admin.getAddress(), value: 1 }), /account 0x[0-9a-fA-F]{40} lacks role transactor/);
  const factory = new ethers.ContractFactory(token.abi, token.bytecode, stranger);
  await refused(factory.deploy(1000n), /lacks role deployer/);
});

test("an admin grants roles through the published ABI", { skip: !RPC }, async () => {
  const TRANSACTOR = await consortium.TRANSACTOR();
  const receipt = await (await consortium.grantRoles(stranger.address, TRANSACTOR)).wait();
  const ev = receipt.logs.map((l) => consortium.interface.parseLog(l)).find((e) => e?.name === "RolesChanged");
  assert.equal(ev.args.account, stranger.address);
  assert.equal(ev.args.roles, TRANSACTOR);
  const tx = await stranger.sendTransaction({ to: await admin.getAddress(), value: 1 });
  assert.equal((await tx.wait()).status, 1);
  // A non-admin cannot grant: the contract's reason reaches ethers.
  await refused(consortium.connect(stranger).grantRoles(stranger.address, 1n), /lacks role admin/);
});

test("a regulator freezes and unfreezes an account and a contract", { skip: !RPC }, async () => {
  await (await consortium.freeze(stranger.address, "case 12")).wait();
  await refused(stranger.sendTransaction({ to: await admin.getAddress(), value: 1 }), /is frozen since block \d+ by 0x/);
  await refused(admin.sendTransaction({ to: stranger.address, value: 1 }), /is frozen since block/);

  const erc20 = await new ethers.ContractFactory(token.abi, token.bytecode, admin).deploy(1000n);
  await erc20.waitForDeployment();
  await (await consortium.freeze(await erc20.getAddress(), "recall")).wait();
  await refused(erc20.transfer(stranger.address, 1n), /is frozen since block/);

  await (await consortium.unfreeze(stranger.address)).wait();
  await (await consortium.unfreeze(await erc20.getAddress())).wait();
  assert.equal((await (await stranger.sendTransaction({ to: await admin.getAddress(), value: 1 })).wait()).status, 1);
  assert.equal((await (await erc20.transfer(stranger.address, 1n)).wait()).status, 1);
});
