// ecies-interop.mjs: the pledge page's ECIES against go-ethereum's. Reads
// {privateKey, goSealed, message} (hex, hex, text) on stdin; prints
// {"opened": text of goSealed, "sealed": hex of message sealed to the key}.
import { encrypt, decrypt, publicKeyOf } from "../../web/ecies.js";

const input = JSON.parse(await new Promise((resolve) => {
  let s = "";
  process.stdin.on("data", (d) => (s += d));
  process.stdin.on("end", () => resolve(s));
}));
const hex = (s) => Uint8Array.from(Buffer.from(s, "hex"));
const key = hex(input.privateKey);
const opened = new TextDecoder().decode(await decrypt(key, hex(input.goSealed)));
const sealed = Buffer.from(await encrypt(publicKeyOf(key), new TextEncoder().encode(input.message))).toString("hex");
console.log(JSON.stringify({ opened, sealed }));
