// A person in a real browser (headless Chromium, Debian's /usr/bin/chromium)
// going through fhir-import's pages: optionally signing up, then signing in
// on the authorization page and allowing or denying, until the browser lands
// on the redirect URI. Driven by tests/browser.rs, which checks what the
// portal or CLI received.
//
// usage: node signin.mjs '<json>' with
//   {server, signup: bool, username, password, authorize_url, decision,
//    expect_prefix, screenshots, name}
// Prints {"final_url": …} on success; exits 1 with the reason otherwise,
// including any Content-Security-Policy violation the page reported.

import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";

const job = JSON.parse(process.argv[2]);
mkdirSync(job.screenshots, { recursive: true });
const shot = (page, step) =>
  page.screenshot({ path: `${job.screenshots}/${job.name}-${step}.png`, fullPage: true });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
  ],
});
const violations = [];
try {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  page.on("console", (message) => {
    if (/Content Security Policy|violates/i.test(message.text())) violations.push(message.text());
  });

  if (job.signup) {
    await page.goto(`${job.server}/signup`);
    await shot(page, "1-signup");
    await page.getByLabel("Username").fill(job.username);
    await page.getByLabel("Password").fill(job.password);
    await Promise.all([page.waitForLoadState("load"), page.getByRole("button").first().click()]);
    await shot(page, "2-signed-up");
  }

  await page.goto(job.authorize_url);
  await shot(page, "3-authorize");
  await page.getByLabel("Username").fill(job.username);
  await page.getByLabel("Password").fill(job.password);
  const button = page.getByRole("button", { name: job.decision === "allow" ? "Allow" : "Deny" });
  await Promise.all([
    page.waitForURL((url) => url.href.startsWith(job.expect_prefix), { timeout: 15000 }),
    button.click(),
  ]);
  await shot(page, "4-back-at-the-portal");
  if (violations.length) throw new Error(`the page broke its own CSP: ${violations.join("; ")}`);
  console.log(JSON.stringify({ final_url: page.url() }));
} catch (error) {
  console.error(`${error.message}${violations.length ? `\nCSP: ${violations.join("; ")}` : ""}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
