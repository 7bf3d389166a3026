// ethers.js v6 against a running chuxin devnet (CHUXIN_RPC=http://host:port):
// deploy an OpenZeppelin ERC-20, transfer, read balances, wait for receipts,
// query logs with a filter, subscribe to newHeads over WebSocket, and check
// that refusals reach the client as the errors ethers knows.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ethers } from "ethers";

const here = path.dirname(fileURLToPath(import.meta.url));
const artifact = JSON.parse(fs.readFileSync(path.join(here, "../../../contracts/artifacts/ChuxinToken.json"), "utf8"));
const RPC = process.env.CHUXIN_RPC || "http://127.0.0.1:8545";
const WS = RPC.replace(/^http/, "ws");
// The first two development accounts of "test test … junk".
const KEY0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const KEY1 = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";

let provider, ws, owner, other, token;
const supply = ethers.parseUnits("1000000", 18);

before(async () => {
  // Blocks commit faster than ethers' default 250 ms request cache, which
  // would serve a stale pending nonce: turn the cache off.
  provider = new ethers.JsonRpcProvider(RPC, undefined, { pollingInterval: 100, cacheTimeout: -1 });
  ws = new ethers.WebSocketProvider(WS);
  owner = new ethers.Wallet(KEY0, provider);
  other = new ethers.Wallet(KEY1, provider);
  const factory = new ethers.ContractFactory(artifact.abi, artifact.bytecode, owner);
  token = await factory.deploy(supply);
  await token.waitForDeployment();
});

after(async () => {
  await ws.destroy();
  provider.destroy();
});

test("chain id and network", async () => {
  const net = await provider.getNetwork();
  assert.equal(net.chainId, 1337n);
});

test("deployed token reads back", async () => {
  assert.equal(await token.name(), "Chuxin Token");
  assert.equal(await token.symbol(), "CXT");
  assert.equal(await token.totalSupply(), supply);
  assert.equal(await token.balanceOf(owner.address), supply);
  const code = await provider.getCode(await token.getAddress());
  assert.ok(code.length > 2, "contract has code");
});

test("transfer, receipt, balances", async () => {
  const amount = ethers.parseUnits("1234.5", 18);
  const tx = await token.transfer(other.address, amount);
  const receipt = await tx.wait();
  assert.equal(receipt.status, 1);
  assert.equal(receipt.from, owner.address);
  assert.equal(receipt.to, await token.getAddress());
  assert.equal(receipt.logs.length, 1);
  assert.equal(await token.balanceOf(other.address), amount);
  assert.equal(await token.balanceOf(owner.address), supply - amount);
  const fetched = await provider.getTransaction(tx.hash);
  assert.equal(fetched.blockNumber, receipt.blockNumber);
  const block = await provider.getBlock(receipt.blockNumber);
  assert.ok(block.transactions.includes(tx.hash));
});

test("logs by filter", async () => {
  const amount = 42n;
  const receipt = await (await token.connect(other).transfer(owner.address, amount)).wait();
  const events = await token.queryFilter(token.filters.Transfer(other.address, owner.address), 0, "latest");
  assert.ok(events.length >= 1);
  const last = events[events.length - 1];
  assert.equal(last.args.value, amount);
  assert.equal(last.transactionHash, receipt.hash);
  const raw = await provider.getLogs({
    address: await token.getAddress(),
    topics: [ethers.id("Transfer(address,address,uint256)"), ethers.zeroPadValue(other.address, 32)],
    fromBlock: 0,
    toBlock: "latest",
  });
  assert.ok(raw.some((l) => l.transactionHash === receipt.hash));
});

test("newHeads over WebSocket", async () => {
  const start = await provider.getBlockNumber();
  const seen = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no new head within 20s")), 20000);
    ws.on("block", (n) => {
      if (n > start) {
        clearTimeout(timer);
        ws.off("block");
        resolve(n);
      }
    });
  });
  // A transaction makes sure a block comes even on an idle chain.
  await (await owner.sendTransaction({ to: other.address, value: 1n })).wait();
  assert.ok((await seen) > start);
});

test("refusals are the errors ethers knows", async () => {
  const nonce = await provider.getTransactionCount(owner.address, "latest");
  await assert.rejects(
    owner.sendTransaction({ to: other.address, value: 1n, nonce: nonce - 1 }),
    (e) => e.code === "NONCE_EXPIRED" && /nonce too low/.test(e.message),
  );
  const poor = ethers.Wallet.createRandom(provider);
  await assert.rejects(
    poor.sendTransaction({ to: other.address, value: 1n, gasLimit: 21000n }),
    (e) => e.code === "INSUFFICIENT_FUNDS",
  );
  // A revert with a custom error is decoded from eth_estimateGas.
  await assert.rejects(
    token.connect(poor).transfer(other.address, 1n),
    (e) => e.code === "CALL_EXCEPTION" && token.interface.parseError(e.data)?.name === "ERC20InsufficientBalance",
  );
});
