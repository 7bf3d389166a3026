// The pledge book's page, served by every node under /pledge/. It talks to
// the node that served it: JSON-RPC at its origin, drand's API at /drand.
// Plaintexts never leave the browser: pledges and capsules are sealed here
// with tlock-js, and opened here once their round's key is released.
import { ethers } from "ethers";
import { timelockEncrypt, timelockDecrypt, Buffer } from "tlock-js";
import { HttpChainClient, HttpCachingChain } from "drand-client";
import { encrypt as eciesEncrypt, decrypt as eciesDecrypt, publicKeyOf } from "./ecies.js";
import { abi as capsulesABI } from "../../../contracts/artifacts/Capsules.json";
import { abi as pledgeABI } from "../contracts/artifacts/PledgeBook.json";

const $ = (id) => document.getElementById(id);
const rpcURL = window.location.origin;
const provider = new ethers.JsonRpcProvider(rpcURL, undefined, { pollingInterval: 250, cacheTimeout: -1 });
const beacon = new HttpChainClient(new HttpCachingChain(`${rpcURL}/drand`), { noCache: true });
const DEV_MNEMONIC = "test test test test test test test test test test test junk";

let info; // chuxin_capsuleInfo
let book; // pledge_info
let wallet; // the connected account
const shown = new Map(); // what is opened already, by key

function say(id, text, error = false) {
  $(id).textContent = text;
  $(id).className = "status" + (error ? " error" : "");
}

async function rpc(method, params = []) {
  return provider.send(method, params);
}

function left(unix) {
  let s = Math.max(0, Math.round(unix - Date.now() / 1000));
  const d = Math.floor(s / 86400); s -= d * 86400;
  const h = Math.floor(s / 3600); s -= h * 3600;
  const m = Math.floor(s / 60); s -= m * 60;
  return (d ? `${d} d ` : "") + `${h} h ${m} min ${s} s`;
}

async function seal(round, bytes) {
  // tlock-js: an armored age file with a tlock stanza to this chain's round.
  return timelockEncrypt(round, Buffer.from(bytes), beacon);
}

async function open(ciphertextHex) {
  const log = console.log;
  console.log = () => {}; // tlock-js logs the beacon it fetched
  try {
    return new Uint8Array(await timelockDecrypt(ethers.toUtf8String(ciphertextHex), beacon));
  } finally {
    console.log = log;
  }
}

async function connect() {
  const key = $("private-key").value.trim();
  const dev = $("dev-account").value;
  try {
    if (key) wallet = new ethers.Wallet(key.startsWith("0x") ? key : "0x" + key, provider);
    else if (dev !== "") wallet = new ethers.Wallet(ethers.HDNodeWallet.fromPhrase(DEV_MNEMONIC, undefined, `m/44'/60'/0'/0/${dev}`).privateKey, provider);
    else throw new Error("choose a development account or give a private key");
    say("account", `connected as ${wallet.address}`);
    await refresh();
  } catch (e) {
    say("account", e.message, true);
  }
}

async function writePledge() {
  try {
    if (!wallet) throw new Error("connect an account first");
    const joined = $("joined").value;
    const text = $("pledge-text").value;
    if (!joined || !text) throw new Error("give the day you joined and your pledge");
    const when = await rpc("pledge_opensAt", [joined, Number($("years").value || 0)]);
    const round = Number(when.round);
    let bytes = new TextEncoder().encode(text);
    const isPrivate = $("private").checked;
    if (isPrivate) bytes = await eciesEncrypt(publicKeyOf(ethers.getBytes(wallet.privateKey)), bytes);
    say("write-status", "sealing in this browser…");
    const sealed = await seal(round, bytes);
    const contract = new ethers.Contract(book.contract, pledgeABI, wallet);
    const joinedOn = Number(joined.replaceAll("-", ""));
    const receipt = await (await contract.write(joinedOn, round, Number(when.unix), isPrivate, ethers.toUtf8Bytes(sealed))).wait();
    const ev = receipt.logs.map((l) => contract.interface.parseLog(l)).find((e) => e && e.name === "Written");
    say("write-status", `pledge ${ev.args.id} written${isPrivate ? " (private)" : ""}: sealed until ${new Date(Number(when.unix) * 1000).toLocaleString()} (${info.timeZone} midnight)`);
    await refresh();
  } catch (e) {
    say("write-status", e.shortMessage || e.message, true);
  }
}

async function sealCapsule() {
  try {
    if (!wallet) throw new Error("connect an account first");
    const text = $("capsule-text").value;
    if (!text) throw new Error("write a message");
    const at = Date.now() / 1000 + Number($("capsule-in").value || 60);
    const genesis = Number(info.genesisTime), period = Number(info.period);
    const round = Math.max(1, Math.ceil((at - genesis) / period) + 1);
    say("seal-status", "sealing in this browser…");
    const sealed = await seal(round, new TextEncoder().encode(text));
    const capsules = new ethers.Contract(info.contract, capsulesABI, wallet);
    const receipt = await (await capsules.seal(round, ethers.toUtf8Bytes(sealed), $("capsule-label").value)).wait();
    const ev = receipt.logs.map((l) => capsules.interface.parseLog(l)).find((e) => e && e.name === "Sealed");
    say("seal-status", `capsule ${ev.args.id} sealed to round ${round}`);
    await refresh();
  } catch (e) {
    say("seal-status", e.shortMessage || e.message, true);
  }
}

function item(key, title, opensAt, isOpen, reader) {
  const div = document.createElement("div");
  div.className = "item";
  div.dataset.key = key;
  div.innerHTML = `<div><b></b> <span class="state"></span></div>`;
  div.querySelector("b").textContent = title;
  div.querySelector(".state").textContent = isOpen ? "open" : `sealed — opens in ${left(opensAt)}`;
  div.dataset.opensAt = opensAt;
  if (isOpen) {
    const btn = document.createElement("button");
    btn.textContent = "Read";
    btn.className = "read";
    btn.onclick = async () => {
      try {
        const text = await reader();
        shown.set(key, text);
        show(div, text);
      } catch (e) {
        show(div, e.message, true);
      }
    };
    div.appendChild(btn);
    if (shown.has(key)) show(div, shown.get(key));
  }
  return div;
}

function show(div, text, error = false) {
  let p = div.querySelector(".plaintext");
  if (!p) { p = document.createElement("div"); p.className = "plaintext"; div.appendChild(p); }
  p.textContent = text;
  if (error) p.classList.add("error");
}

async function refresh() {
  if (!wallet) return;
  const pledges = new ethers.Contract(book.contract, pledgeABI, provider);
  const capsules = new ethers.Contract(info.contract, capsulesABI, provider);
  const items = [];
  for (const id of await pledges.pledgesOf(wallet.address)) {
    const [p, isOpen] = await pledges.pledge(id);
    const c = await rpc("chuxin_getCapsule", [ethers.toQuantity(p.capsule)]);
    const title = `pledge ${id}${p.isPrivate ? " (private)" : ""}`;
    items.push(item(`p${id}`, title, Number(p.opensAt), isOpen, async () => {
      let bytes = await open(c.ciphertext);
      if (p.isPrivate) bytes = await eciesDecrypt(ethers.getBytes(wallet.privateKey), bytes);
      return new TextDecoder().decode(bytes);
    }));
  }
  for (const id of await capsules.capsulesOf(wallet.address)) {
    const c = await rpc("chuxin_getCapsule", [ethers.toQuantity(id)]);
    const title = `capsule ${id}${c.label ? ` “${c.label}”` : ""}`;
    items.push(item(`c${id}`, title, Date.parse(c.opensAt) / 1000, c.open, async () => new TextDecoder().decode(await open(c.ciphertext))));
  }
  const mine = $("mine");
  mine.className = "";
  mine.replaceChildren(...items);
  if (!items.length) mine.textContent = "no pledges or capsules yet";
}

function tick() { // the countdowns
  for (const div of document.querySelectorAll(".item")) {
    const state = div.querySelector(".state");
    if (state.textContent.startsWith("sealed")) state.textContent = `sealed — opens in ${left(Number(div.dataset.opensAt))}`;
  }
}

async function start() {
  for (let i = 0; i < 10; i++) $("dev-account").add(new Option(`development account ${i}`, String(i)));
  try {
    info = await rpc("chuxin_capsuleInfo");
    book = await rpc("pledge_info");
  } catch (e) {
    $("network").textContent = `this node serves no time capsules: ${e.message}`;
    return;
  }
  const t = Number(info.threshold), n = Number(info.holders);
  $("network").textContent = `beacon ${info.chainHash.slice(0, 16)}…, opened by any ${t} of its ${n} validators together, an epoch every ${Number(info.period)} s, time zone ${info.timeZone}`;
  if (t > 1) {
    $("who").textContent = `fewer than ${t} of its ${n} validators together`;
  } else if (n > 1) {
    $("who").textContent = "an operator's script";
    $("beacon-warning").textContent = `This network's beacon has threshold 1: any one of its ${n} validators can read every pledge and capsule at once.`;
    $("beacon-warning").hidden = false;
  }
  $("connect").onclick = connect;
  $("write-pledge").onclick = writePledge;
  $("seal-capsule").onclick = sealCapsule;
  setInterval(tick, 1000);
  setInterval(() => refresh().catch(() => {}), 2000);
  document.body.dataset.ready = "1";
}

start();
