// A person in a real browser (headless Chromium, Debian's /usr/bin/chromium)
// going through fhir-import's pages: optionally signing up, then signing in,
// then allowing or denying on the consent page, until the browser lands on
// the redirect URI. Driven by tests/browser.rs, which checks what the portal
// or CLI received.
//
// usage: node signin.mjs '<json>' with
//   {server, signup: bool, username, password, authorize_url, decision,
//    expect_prefix, screenshots, name,
//    again_url?: a second authorization in the same browser session,
//    forged_url?: a page on another site whose button posts "allow"}
// Prints {"final_url", "again_url"?, "forged"?, "cookies", "pages"} on
// success; exits 1 with the reason otherwise, including any
// Content-Security-Policy violation a page reported.

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
const result = { pages: {} };

// What a person would check on a page: it fits a phone's width, and its text.
async function look(page, key) {
  const fits = await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
  if (!fits) throw new Error(`${key}: the page is wider than a phone's screen`);
  result.pages[key] = (await page.locator("main").innerText()).replace(/\s+/g, " ");
}

async function decide(page, decision, expectPrefix, step) {
  const button = page.getByRole("button", { name: decision === "allow" ? "Allow" : "Deny" });
  await Promise.all([
    page.waitForURL((url) => url.href.startsWith(expectPrefix), { timeout: 60000 }),
    button.click(),
  ]);
  await shot(page, step);
  return page.url();
}

try {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  // Shares two cores with the whole suite: generous waits.
  context.setDefaultTimeout(60000);
  const page = await context.newPage();
  page.on("console", (message) => {
    if (/Content Security Policy|violates/i.test(message.text())) violations.push(message.text());
  });

  if (job.signup) {
    await page.goto(`${job.server}/signup`);
    await look(page, "signup");
    await shot(page, "1-signup");
    await page.getByLabel("Username").fill(job.username);
    await page.getByLabel("Password").fill(job.password);
    await Promise.all([page.waitForLoadState("load"), page.getByRole("button", { name: "Sign up" }).click()]);
    await look(page, "signed_up");
    await shot(page, "2-signed-up");
  }

  await page.goto(job.authorize_url);
  await look(page, "sign_in");
  await shot(page, "3-sign-in");
  await page.getByLabel("Username").fill(job.username);
  await page.getByLabel("Password").fill(job.password);
  await Promise.all([
    page.waitForURL((url) => url.pathname === "/oauth/authorize"),
    page.getByRole("button", { name: "Sign in" }).click(),
  ]);
  await page.getByRole("button", { name: "Allow" }).waitFor();
  await look(page, "consent");
  await shot(page, "4-consent");
  result.final_url = await decide(page, job.decision, job.expect_prefix, "5-back-at-the-portal");
  result.cookies = (await context.cookies()).map(({ name, secure, httpOnly, sameSite, expires }) =>
    ({ name, secure, httpOnly, sameSite, expires }));

  if (job.again_url) {
    // Signed in once per browser session: straight to the consent page.
    await page.goto(job.again_url);
    if (await page.getByLabel("Password").count()) throw new Error("asked to sign in again");
    await look(page, "consent_again");
    await shot(page, "6-consent-again");
    result.again_url = await decide(page, "allow", job.expect_prefix, "7-back-again");
  }

  if (job.forged_url) {
    // Another site's page posts the consent form for the signed-in user.
    await page.goto(job.forged_url);
    await Promise.all([page.waitForLoadState("load"), page.getByRole("button").click()]);
    await shot(page, "8-forged");
    result.forged = { url: page.url(), text: (await page.locator("body").innerText()).replace(/\s+/g, " ") };
  }

  if (violations.length) throw new Error(`a page broke its own CSP: ${violations.join("; ")}`);
  console.log(JSON.stringify(result));
} catch (error) {
  console.error(`${error.message}${violations.length ? `\nCSP: ${violations.join("; ")}` : ""}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
