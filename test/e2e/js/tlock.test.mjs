// tlock-js and drand-client against a chuxin devnet's beacon (CHUXIN_RPC):
// the node's /drand is a drand network to them. A message sealed to a round
// a few seconds ahead stays sealed (the node answers the round as drand does
// a future one) until the validators release the round's key; then tlock-js
// opens it, having verified the key against the chain's master public key.
import { test } from "node:test";
import assert from "node:assert/strict";
import { timelockEncrypt, timelockDecrypt, roundAt, roundTime, Buffer } from "tlock-js";
import { HttpChainClient, HttpCachingChain } from "drand-client";
import { ethers } from "ethers";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const capsulesABI = JSON.parse(fs.readFileSync(path.join(here, "../../../contracts/artifacts/Capsules.json"), "utf8")).abi;
const CAPSULES = "0xC415000000000000000000000000000000000002";
// The third development account of "test test … junk".
const KEY2 = "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a";

const rpc = process.env.CHUXIN_RPC;

test("tlock-js seals to a chuxin round and opens it once the chain releases its key", { skip: !rpc, timeout: 120_000 }, async () => {
  const client = new HttpChainClient(new HttpCachingChain(`${rpc}/drand`), { disableBeaconVerification: false, noCache: true });
  const info = await client.chain().info();
  assert.equal(info.schemeID, "bls-unchained-g1-rfc9380");
  const round = roundAt(Date.now(), info) + 2;
  const message = "初心 — the day I joined, sealed by tlock-js";
  const sealed = await timelockEncrypt(round, Buffer.from(message, "utf8"), client);
  assert.match(sealed, /BEGIN AGE ENCRYPTED FILE/);

  // Before its time the round is not there, and the capsule stays shut.
  const early = await fetch(`${rpc}/drand/public/${round}`);
  assert.equal(early.status, 425);
  await assert.rejects(timelockDecrypt(sealed, client), /too early/i);

  // The validators release it once a block's time has reached the round.
  const deadline = Date.now() + 90_000;
  for (;;) {
    const res = await fetch(`${rpc}/drand/public/${round}`);
    if (res.status === 200) break;
    assert.ok(Date.now() < deadline, `round ${round} (due ${new Date(roundTime(info, round)).toISOString()}) not released within 90 s`);
    await new Promise((r) => setTimeout(r, 500));
  }
  const log = console.log;
  console.log = () => {}; // tlock-js logs the beacon it fetched
  try {
    const opened = await timelockDecrypt(sealed, client);
    assert.equal(opened.toString("utf8"), message);
  } finally {
    console.log = log;
  }
  // The same round under the chain hash, as drand serves it.
  const byHash = await (await fetch(`${rpc}/drand/${info.hash}/public/${round}`)).json();
  assert.equal(byHash.round, round);
});

test("a capsule sealed by tlock-js and kept through ethers opens through JSON-RPC and tlock-js", { skip: !rpc, timeout: 120_000 }, async () => {
  const client = new HttpChainClient(new HttpCachingChain(`${rpc}/drand`), { noCache: true });
  const info = await client.chain().info();
  const provider = new ethers.JsonRpcProvider(rpc, undefined, { pollingInterval: 100, cacheTimeout: -1 });
  const wallet = new ethers.Wallet(KEY2, provider);
  const capsules = new ethers.Contract(CAPSULES, capsulesABI, wallet);
  const round = roundAt(Date.now(), info) + 3;
  const message = "我的时间胶囊 — kept on chain";
  const sealed = await timelockEncrypt(round, Buffer.from(message, "utf8"), client);
  const receipt = await (await capsules.seal(round, ethers.toUtf8Bytes(sealed), "from tlock-js")).wait();
  const ev = receipt.logs.map((l) => capsules.interface.parseLog(l)).find((e) => e && e.name === "Sealed");
  const id = ev.args.id;
  const rpcCall = async (method, params) => {
    const res = await fetch(rpc, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }) });
    return res.json();
  };
  const early = await rpcCall("chuxin_openCapsule", [ethers.toQuantity(id)]);
  assert.match(early.error.message, /sealed until/);
  const deadline = Date.now() + 90_000;
  let c;
  for (;;) {
    c = (await rpcCall("chuxin_getCapsule", [ethers.toQuantity(id)])).result;
    if (c.open) break;
    assert.ok(Date.now() < deadline, `capsule ${id} not open within 90 s`);
    await new Promise((r) => setTimeout(r, 500));
  }
  const opened = (await rpcCall("chuxin_openCapsule", [ethers.toQuantity(id)])).result;
  assert.equal(opened.text, message);
  const log = console.log;
  console.log = () => {};
  try {
    const again = await timelockDecrypt(ethers.toUtf8String(c.ciphertext), client);
    assert.equal(again.toString("utf8"), message);
  } finally {
    console.log = log;
  }
});
