// ECIES on secp256k1 exactly as go-ethereum's crypto/ecies does it
// (ECIES_AES128_SHA256, no shared info): what `chuxin pledge write
// --private` seals, this opens, and the other way round.
//
//   ciphertext = R (65 bytes, uncompressed) ‖ IV (16) ‖ AES-128-CTR(Ke, IV, m) ‖ HMAC-SHA256(Km', IV ‖ c)
//   Ke ‖ Km = ConcatKDF-SHA256(x(r·P), 32 bytes), Km' = SHA-256(Km)
import { secp256k1 } from "@noble/curves/secp256k1";

const subtle = globalThis.crypto.subtle;

async function sha256(b) {
  return new Uint8Array(await subtle.digest("SHA-256", b));
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let i = 0;
  for (const p of parts) { out.set(p, i); i += p.length; }
  return out;
}

async function kdf(z) { // NIST SP 800-56 concatenation KDF, one SHA-256 block: 32 bytes
  return sha256(concat(new Uint8Array([0, 0, 0, 1]), z));
}

async function keys(shared) {
  const k = await kdf(shared);
  return { ke: k.slice(0, 16), km: await sha256(k.slice(16, 32)) };
}

async function aesCtr(key, iv, data) {
  const k = await subtle.importKey("raw", key, { name: "AES-CTR" }, false, ["encrypt"]);
  return new Uint8Array(await subtle.encrypt({ name: "AES-CTR", counter: iv, length: 128 }, k, data));
}

async function hmac(key, data) {
  const k = await subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return new Uint8Array(await subtle.sign("HMAC", k, data));
}

function sharedX(priv, pub) {
  return secp256k1.getSharedSecret(priv, pub, false).slice(1, 33);
}

/** Encrypts message to an uncompressed (65-byte) secp256k1 public key. */
export async function encrypt(publicKey, message) {
  const eph = secp256k1.utils.randomPrivateKey();
  const { ke, km } = await keys(sharedX(eph, publicKey));
  const iv = globalThis.crypto.getRandomValues(new Uint8Array(16));
  const em = concat(iv, await aesCtr(ke, iv, message));
  return concat(secp256k1.getPublicKey(eph, false), em, await hmac(km, em));
}

/** Decrypts what encrypt (or go-ethereum's ecies.Encrypt) made for privateKey. */
export async function decrypt(privateKey, ciphertext) {
  if (ciphertext.length < 65 + 16 + 32 || ciphertext[0] !== 4) throw new Error("not an ECIES ciphertext");
  const r = ciphertext.slice(0, 65);
  const em = ciphertext.slice(65, ciphertext.length - 32);
  const tag = ciphertext.slice(ciphertext.length - 32);
  const { ke, km } = await keys(sharedX(privateKey, r));
  const want = await hmac(km, em);
  if (want.length !== tag.length || want.some((b, i) => b !== tag[i])) throw new Error("this private pledge is not sealed to this key");
  return aesCtr(ke, em.slice(0, 16), em.slice(16));
}

/** The uncompressed public key of a private key. */
export function publicKeyOf(privateKey) {
  return secp256k1.getPublicKey(privateKey, false);
}
