// tlock-interop.mjs: drand's tlock-js against a chuxin beacon, offline.
// Reads a JSON request on stdin: the chain info (drand's /info shape), a
// round, its key (the beacon signature, hex), a ciphertext sealed by chuxin
// and a message. Opens the ciphertext with tlock-js (which verifies the
// beacon with noble-curves), seals the message to the round with tlock-js,
// and prints {"opened": …, "sealed": …} as JSON.
import { timelockDecrypt, timelockEncrypt, Buffer } from "tlock-js";

const input = JSON.parse(await new Promise((resolve) => {
  let s = "";
  process.stdin.on("data", (d) => (s += d));
  process.stdin.on("end", () => resolve(s));
}));

const client = {
  options: { disableBeaconVerification: false, noCache: true },
  chain: () => ({ baseUrl: "offline", info: async () => input.info }),
  latest: async () => { throw new Error("offline: no latest round"); },
  get: async (round) => {
    if (round !== input.round) throw new Error(`offline: no round ${round}`);
    return { round, signature: input.signature, randomness: input.randomness };
  },
};

const log = console.log;
console.log = () => {}; // tlock-js logs the beacons it fetches
const opened = await timelockDecrypt(input.ciphertext, client);
const sealed = await timelockEncrypt(input.round, Buffer.from(input.message, "utf8"), client);
log(JSON.stringify({ opened: opened.toString("utf8"), sealed }));
