// web3.js 4 against a running chuxin devnet (CHUXIN_RPC=http://host:port):
// the helpers older dapps call (accounts, mining, hash rate, coinbase,
// protocol version, uncles), contracts, logs, pending-transaction and
// block subscriptions over WebSocket, access lists, and the txpool and
// debug namespaces through the request manager.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Web3 } from "web3";

const here = path.dirname(fileURLToPath(import.meta.url));
const artifact = JSON.parse(fs.readFileSync(path.join(here, "../../../contracts/artifacts/ChuxinToken.json"), "utf8"));
const RPC = process.env.CHUXIN_RPC || "http://127.0.0.1:8545";
const WS = RPC.replace(/^http/, "ws");
// Development accounts 5 and 6 of "test test … junk": the other suites use
// 0 to 4.
const KEY5 = "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba";
const KEY6 = "0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e";
// The devnet's fee recipient: development account 0.
const COINBASE = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";

let web3, ws, me, other, token;
const supply = 10n ** 24n;

before(async () => {
  web3 = new Web3(RPC);
  me = web3.eth.accounts.wallet.add(KEY5)[0];
  other = web3.eth.accounts.privateKeyToAccount(KEY6);
  const contract = new web3.eth.Contract(artifact.abi);
  token = await contract.deploy({ data: artifact.bytecode, arguments: [supply] }).send({ from: me.address });
  ws = new Web3(WS);
});

after(async () => {
  await ws.provider.disconnect();
});

test("the helpers older code calls", async () => {
  assert.deepEqual(await web3.eth.getAccounts(), []);
  assert.equal(await web3.eth.isMining(), false);
  assert.equal(await web3.eth.getHashRate(), 0n);
  assert.equal(await web3.eth.getProtocolVersion(), "0x44");
  assert.equal(web3.utils.toChecksumAddress(await web3.eth.getCoinbase()), COINBASE);
  const n = await web3.eth.getBlockNumber();
  assert.equal(await web3.eth.getBlockUncleCount(n), 0n);
  assert.equal(await web3.eth.getUncle(n, 0), null);
  assert.equal(await web3.eth.getChainId(), 1337n);
  assert.equal(await web3.eth.net.getId(), 1337n);
});

test("contract: deploy, send, call, past events", async () => {
  assert.equal(await token.methods.name().call(), "Chuxin Token");
  const receipt = await token.methods.transfer(other.address, 1000n).send({ from: me.address });
  assert.equal(receipt.status, 1n);
  assert.equal(await token.methods.balanceOf(other.address).call(), 1000n);
  const events = await token.getPastEvents("Transfer", { fromBlock: receipt.blockNumber, toBlock: receipt.blockNumber });
  assert.equal(events.length, 1);
  assert.equal(events[0].returnValues.value, 1000n);
  const logs = await web3.eth.getPastLogs({ address: token.options.address, fromBlock: receipt.blockNumber, toBlock: receipt.blockNumber });
  assert.equal(logs.length, 1);
  await assert.rejects(web3.eth.getPastLogs({ fromBlock: 5, toBlock: 4 }), /invalid block range params/);
});

test("value transfer and the pending block", async () => {
  const before = await web3.eth.getBalance(other.address);
  const receipt = await web3.eth.sendTransaction({ from: me.address, to: other.address, value: 12345n });
  assert.equal(receipt.status, 1n);
  assert.equal(await web3.eth.getBalance(other.address), before + 12345n);
  const pending = await web3.eth.getBlock("pending");
  assert.ok(pending.number >= receipt.blockNumber);
});

test("subscribe: pendingTransactions and newBlockHeaders", async () => {
  const pendingSub = await ws.eth.subscribe("pendingTransactions");
  const headSub = await ws.eth.subscribe("newBlockHeaders");
  const seen = new Set();
  const gotPending = new Promise((resolve) => pendingSub.on("data", (h) => { seen.add(h); resolve(); }));
  const gotHead = new Promise((resolve) => headSub.on("data", (b) => resolve(b)));
  const receipt = await web3.eth.sendTransaction({ from: me.address, to: other.address, value: 1n });
  const timeout = (what) => new Promise((_, rej) => setTimeout(() => rej(new Error(`no ${what} within 10s`)), 10000));
  await Promise.race([gotPending, timeout("pending transaction")]);
  const head = await Promise.race([gotHead, timeout("new head")]);
  assert.ok(seen.has(receipt.transactionHash), `${receipt.transactionHash} among ${[...seen]}`);
  assert.ok(BigInt(head.number) > 0n);
  await pendingSub.unsubscribe();
  await headSub.unsubscribe();
});

test("createAccessList", async () => {
  const data = token.methods.transfer(other.address, 1n).encodeABI();
  const res = await web3.eth.createAccessList({ from: me.address, to: token.options.address, data });
  assert.equal(res.accessList.length, 1);
  assert.equal(res.accessList[0].storageKeys.length, 2);
  assert.ok(BigInt(res.gasUsed) > 21000n);
});

test("txpool and debug namespaces", async () => {
  const rm = web3.requestManager;
  const content = await rm.send({ method: "txpool_content", params: [] });
  assert.ok(content.pending && content.queued);
  const inspect = await rm.send({ method: "txpool_inspect", params: [] });
  assert.ok(inspect.pending && inspect.queued);
  const from = await rm.send({ method: "txpool_contentFrom", params: [me.address] });
  assert.ok(from.pending && from.queued);
  const receipt = await token.methods.transfer(other.address, 7n).send({ from: me.address });
  const trace = await rm.send({ method: "debug_traceTransaction", params: [receipt.transactionHash, { tracer: "prestateTracer", tracerConfig: { diffMode: true } }] });
  const addr = token.options.address.toLowerCase();
  assert.ok(trace.pre[addr] && trace.post[addr], "the token's storage changed");
  const blockTraces = await rm.send({ method: "debug_traceBlockByNumber", params: [web3.utils.toHex(receipt.blockNumber), { tracer: "callTracer" }] });
  assert.ok(blockTraces.some((t) => t.txHash === receipt.transactionHash));
});
