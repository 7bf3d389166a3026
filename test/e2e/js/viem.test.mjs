// viem 2 against a running chuxin devnet (CHUXIN_RPC=http://host:port): what
// viem's users do (deploy, write, read, events, multicall through Multicall3,
// state overrides, access lists, pending-transaction watchers, WebSocket
// blocks, tracing through client.request), each checked against what the
// chain did.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  createPublicClient, createWalletClient, defineChain, encodeFunctionData, http, webSocket,
  parseEther, parseUnits, getAddress, keccak256, toHex,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";

const here = path.dirname(fileURLToPath(import.meta.url));
const artifact = JSON.parse(fs.readFileSync(path.join(here, "../../../contracts/artifacts/ChuxinToken.json"), "utf8"));
const RPC = process.env.CHUXIN_RPC || "http://127.0.0.1:8545";
const WS = RPC.replace(/^http/, "ws");
// Development accounts 3 and 4 of "test test … junk": the other suites use
// 0 to 2.
const KEY3 = "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6";
const KEY4 = "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a";
const MULTICALL3 = "0xcA11bde05977b3631167028862bE2a173976CA11";

const chuxin = defineChain({
  id: 1337,
  name: "chuxin devnet",
  nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
  rpcUrls: { default: { http: [RPC], webSocket: [WS] } },
  contracts: { multicall3: { address: MULTICALL3 } },
});

let client, wallet, other, token;
const supply = parseUnits("1000000", 18);

before(async () => {
  client = createPublicClient({ chain: chuxin, transport: http(RPC), pollingInterval: 100 });
  wallet = createWalletClient({ chain: chuxin, transport: http(RPC), account: privateKeyToAccount(KEY3) });
  other = privateKeyToAccount(KEY4);
  const hash = await wallet.deployContract({ abi: artifact.abi, bytecode: artifact.bytecode, args: [supply] });
  const receipt = await client.waitForTransactionReceipt({ hash });
  assert.equal(receipt.status, "success");
  token = receipt.contractAddress;
});


test("chain, blocks, balances: the calls that already worked", async () => {
  assert.equal(await client.getChainId(), 1337);
  const n = await client.getBlockNumber();
  const block = await client.getBlock({ blockNumber: n });
  assert.equal(block.number, n);
  assert.ok((await client.getBalance({ address: wallet.account.address })) > 0n);
  const history = await client.getFeeHistory({ blockCount: 2, rewardPercentiles: [50] });
  assert.equal(history.baseFeePerGas.length, 3);
  const proof = await client.getProof({ address: token, storageKeys: [toHex(0n, { size: 32 })] });
  assert.equal(getAddress(proof.address), getAddress(token));
});

test("write, read and events of an ERC-20", async () => {
  const amount = parseUnits("12.5", 18);
  const hash = await wallet.writeContract({ address: token, abi: artifact.abi, functionName: "transfer", args: [other.address, amount] });
  const receipt = await client.waitForTransactionReceipt({ hash });
  assert.equal(receipt.status, "success");
  assert.equal(await client.readContract({ address: token, abi: artifact.abi, functionName: "balanceOf", args: [other.address] }), amount);
  const events = await client.getContractEvents({ address: token, abi: artifact.abi, eventName: "Transfer", fromBlock: receipt.blockNumber, toBlock: receipt.blockNumber });
  assert.equal(events.length, 1);
  assert.equal(getAddress(events[0].args.to), getAddress(other.address));
  assert.equal(events[0].args.value, amount);
});

test("multicall batches reads through Multicall3", async () => {
  assert.ok((await client.getCode({ address: MULTICALL3 })).length > 2, "Multicall3 is deployed");
  const results = await client.multicall({
    contracts: [
      { address: token, abi: artifact.abi, functionName: "name" },
      { address: token, abi: artifact.abi, functionName: "totalSupply" },
      { address: token, abi: artifact.abi, functionName: "balanceOf", args: [wallet.account.address] },
    ],
  });
  assert.deepEqual(results.map((r) => r.status), ["success", "success", "success"]);
  assert.equal(results[0].result, "Chuxin Token");
  assert.equal(results[1].result, supply);
});

test("stateOverride in call and estimateGas", async () => {
  const poor = privateKeyToAccount(keccak256(toHex("an account with nothing")));
  const rich = parseEther("1000000000");
  const to = other.address;
  await assert.rejects(client.call({ account: poor, to, value: rich }), /insufficient/i);
  const res = await client.call({ account: poor, to, value: rich, stateOverride: [{ address: poor.address, balance: rich * 2n }] });
  assert.equal(res.data, undefined);
  const gas = await client.estimateGas({ account: poor, to, value: rich, stateOverride: [{ address: poor.address, balance: rich * 2n }] });
  assert.equal(gas, 21000n);
  // The token's code at another address, with the overridden code's storage empty.
  const code = await client.getCode({ address: token });
  const ghost = "0x00000000000000000000000000000000000000aa";
  const data = encodeFunctionData({ abi: artifact.abi, functionName: "totalSupply" });
  const out = await client.call({ to: ghost, data, stateOverride: [{ address: ghost, code }] });
  assert.equal(BigInt(out.data), 0n);
});

test("createAccessList", async () => {
  const data = encodeFunctionData({ abi: artifact.abi, functionName: "transfer", args: [other.address, 1n] });
  const { accessList, gasUsed } = await client.createAccessList({ account: wallet.account, to: token, data });
  assert.ok(gasUsed > 21000n);
  // The token's two balance slots (sender's, recipient's), as geth lists
  // them: the token itself is warm anyway, its slots are not.
  assert.equal(accessList.length, 1);
  assert.equal(getAddress(accessList[0].address), getAddress(token));
  assert.equal(accessList[0].storageKeys.length, 2);
});

test("watchPendingTransactions sees a transaction before its block", async () => {
  let seen;
  const got = new Promise((resolve) => { seen = resolve; });
  const unwatch = client.watchPendingTransactions({ onTransactions: (hashes) => seen(hashes), poll: true, pollingInterval: 50 });
  await new Promise((r) => setTimeout(r, 300)); // the filter is installed
  const hash = await wallet.sendTransaction({ to: other.address, value: 1n });
  const hashes = await Promise.race([got, new Promise((_, rej) => setTimeout(() => rej(new Error("no pending transaction within 10s")), 10000))]);
  unwatch();
  assert.ok(hashes.includes(hash), `${hash} among ${hashes}`);
  await client.waitForTransactionReceipt({ hash });
});

test("pending block, blob base fee, inverted log range", async () => {
  const pending = await client.getBlock({ blockTag: "pending" });
  const latest = await client.getBlock({ blockTag: "latest" });
  assert.ok(pending.number >= latest.number - 1n);
  assert.equal(await client.getBlobBaseFee(), 1n);
  await assert.rejects(client.getLogs({ fromBlock: 5n, toBlock: 4n }), /invalid block range params/);
});

test("WebSocket: watchBlockNumber", async () => {
  const ws = createPublicClient({ chain: chuxin, transport: webSocket(WS) });
  const first = await client.getBlockNumber();
  const n = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no block within 20s")), 20000);
    const unwatch = ws.watchBlockNumber({
      onBlockNumber: (n) => { if (n > first) { clearTimeout(timer); unwatch(); resolve(n); } },
    });
    wallet.sendTransaction({ to: other.address, value: 2n }).catch(reject);
  });
  assert.ok(n > first);
  await ws.transport.getRpcClient().then((c) => c.close());
});

test("debug_traceTransaction with callTracer", async () => {
  const hash = await wallet.writeContract({ address: token, abi: artifact.abi, functionName: "transfer", args: [other.address, 3n] });
  const receipt = await client.waitForTransactionReceipt({ hash });
  const frame = await client.request({ method: "debug_traceTransaction", params: [hash, { tracer: "callTracer", tracerConfig: { withLog: true } }] });
  assert.equal(frame.type, "CALL");
  assert.equal(getAddress(frame.to), getAddress(token));
  assert.equal(BigInt(frame.gasUsed), receipt.gasUsed);
  assert.equal(frame.logs.length, 1);
  const call = await client.request({ method: "debug_traceCall", params: [{ from: wallet.account.address, to: token, data: encodeFunctionData({ abi: artifact.abi, functionName: "balanceOf", args: [other.address] }) }, "latest", { tracer: "callTracer" }] });
  assert.equal(BigInt(call.output), await client.readContract({ address: token, abi: artifact.abi, functionName: "balanceOf", args: [other.address] }));
});

test("simulateCalls (eth_simulateV1)", async () => {
  const data = encodeFunctionData({ abi: artifact.abi, functionName: "transfer", args: [other.address, 5n] });
  const { results } = await client.simulateCalls({
    account: wallet.account.address,
    calls: [{ to: token, data }, { to: other.address, value: 7n }],
    traceTransfers: true,
  });
  assert.equal(results.length, 2);
  assert.deepEqual(results.map((r) => r.status), ["success", "success"]);
  assert.equal(results[0].logs.length, 1, "the token's Transfer");
  assert.equal(results[1].logs.length, 1, "the ether transfer, as traceTransfers reports it");
  assert.ok(results[0].gasUsed > 21000n);
});
