// The pledge book's page, served by a devnet node (CHUXIN_RPC), in headless
// Chromium (Debian's, driven by playwright-core): connect with a
// development account, write a pledge (sealed in the browser with
// tlock-js), see it sealed with the time left, seal a capsule a few seconds
// ahead, and read it in the page once the chain releases its round: the
// same bytes the node's chuxin_openCapsule returns.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { chromium } from "playwright-core";

const rpc = process.env.CHUXIN_RPC;
const browserPath = process.env.CHROMIUM || "/usr/bin/chromium";
const skip = !rpc ? "no devnet (CHUXIN_RPC)" : !fs.existsSync(browserPath) ? `no Chromium at ${browserPath}` : false;
if (skip && rpc && process.env.CI) throw new Error(`the page test needs Chromium (apt-get install chromium): ${skip}`);

test("the pledge book's page writes a pledge and opens a capsule in the browser", { skip, timeout: 150_000 }, async () => {
  const browser = await chromium.launch({
    executablePath: browserPath,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${rpc}/pledge/`);
    await page.waitForSelector("body[data-ready='1']", { timeout: 30_000 });
    assert.match(await page.textContent("#network"), /time zone Asia\/Shanghai/);
    assert.match(await page.textContent("#network"), /opened by any 1 of its 1 validators together/);

    await page.selectOption("#dev-account", "3");
    await page.click("#connect");
    await page.waitForFunction(() => document.querySelector("#account").textContent.startsWith("connected as 0x"));

    // A pledge: sealed until the next anniversary, shown with the time left.
    const joined = new Date(Date.now() - 400 * 86400_000).toISOString().slice(0, 10);
    await page.fill("#joined", joined);
    await page.fill("#pledge-text", "为人民服务 — written in the browser");
    await page.click("#write-pledge");
    await page.waitForFunction(() => /pledge \d+ written/.test(document.querySelector("#write-status").textContent), null, { timeout: 60_000 });
    await page.waitForFunction(() => [...document.querySelectorAll(".item")].some((d) => /pledge \d+/.test(d.textContent) && /sealed — opens in \d+ d/.test(d.textContent)));

    // A capsule a few seconds ahead: sealed, then readable in the page.
    const message = "时间胶囊 — sealed in Chromium, opened in Chromium";
    await page.fill("#capsule-in", "4");
    await page.fill("#capsule-label", "from the page");
    await page.fill("#capsule-text", message);
    await page.click("#seal-capsule");
    await page.waitForFunction(() => /capsule \d+ sealed/.test(document.querySelector("#seal-status").textContent), null, { timeout: 60_000 });
    const id = Number((await page.textContent("#seal-status")).match(/capsule (\d+)/)[1]);
    const read = page.locator(`.item[data-key='c${id}'] button.read`);
    await read.waitFor({ timeout: 90_000 });
    await read.click();
    const shown = page.locator(`.item[data-key='c${id}'] .plaintext`);
    await shown.waitFor({ timeout: 30_000 });
    assert.equal(await shown.textContent(), message);

    // The node opens the same ciphertext to the same bytes.
    const res = await (await fetch(rpc, { method: "POST", headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "chuxin_openCapsule", params: [`0x${id.toString(16)}`] }) })).json();
    assert.equal(res.result.text, message);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
