// A person using the dashboard at /ui in a real browser (headless Chromium,
// Debian's /usr/bin/chromium): signing in through the server's own pages,
// opening a project, watching an import that a CLI starts meanwhile fill
// both its bars without reloading, opening it with the keyboard, reading its
// rejections, filtering its files by metadata, at a phone's width too; then
// reloading (the session stays) and signing out (the refresh token is
// revoked). Driven by a Rust test, which checks what this prints.
//
// usage: node dashboard.mjs '<json>' with
//   {server, username, password,
//    mode?: "full" (default) | "session" (sign in, the FHIR servers page, reload, sign out),
//    project: "owner/name" (optional in "session" mode),
//    import_command: [argv...], import_env?: {NAME: value},
//    expected: {accepted, rejected},
//    filter?: {key, value, expect_files},  // files of the new import matching key = value; the
//                                          // project page's Files must list at least expect_files
//                                          // once the import finished, without "Refresh files"
//    screenshots: dir, viewport?: {width, height} (default 1280x800),
//    reload?: bool (default true), sign_out?: bool (default true),
//    timeout_ms?: how long the import may take to finish on the page (default 240000)}
// Prints one JSON object of what the page showed; exits 1 with the reason
// otherwise, including any Content-Security-Policy violation or page error.

import { chromium } from "playwright-core";
import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";

const job = JSON.parse(process.argv[2]);
const mode = job.mode ?? "full";
const viewport = job.viewport ?? { width: 1280, height: 800 };
const timeout = job.timeout_ms ?? 240000;
mkdirSync(job.screenshots, { recursive: true });
let step = 0;
const shot = (page, name) =>
  page.screenshot({ path: `${job.screenshots}/dashboard-${String(++step).padStart(2, "0")}-${name}.png`, fullPage: true });
// The README's pictures: exactly the viewport (1280x800 unless told).
const readmeShot = (page, name) => page.screenshot({ path: `${job.screenshots}/${name}.png` });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
  ],
});
const violations = [];
const pageErrors = [];
const consoleErrors = [];
const result = { mode };
let importProcess;

const fail = (message) => {
  throw new Error(message);
};
const text = async (locator) => (await locator.innerText()).replace(/\s+/g, " ").trim();

// The page fits the screen: nothing wider than the viewport but inside its own scrolling box.
const fits = (page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

async function signedIn(page) {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Projects" }).waitFor({ timeout: 60000 });
}

async function signIn(page) {
  await page.goto(`${job.server}/ui/`);
  const signInButton = page.getByRole("button", { name: "Sign in", exact: true });
  await signInButton.waitFor();
  result.signed_out_text = await text(page.locator("main"));
  await shot(page, "signed-out");
  await Promise.all([page.waitForURL((url) => url.pathname === "/oauth/authorize"), signInButton.click()]);
  await page.getByLabel("Username").fill(job.username);
  await page.getByLabel("Password").fill(job.password);
  await shot(page, "server-sign-in");
  await Promise.all([
    page.waitForURL((url) => url.pathname.startsWith("/ui/"), { timeout: 60000 }),
    page.getByRole("button", { name: "Sign in" }).click(),
  ]);
  await signedIn(page);
  const url = new URL(page.url());
  if (url.searchParams.has("code") || url.searchParams.has("state")) fail(`the code stayed in the address bar: ${url}`);
  result.signed_in_url = page.url();
  result.admin_link = await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "FHIR servers" }).isVisible();
  result.refresh_token_stored = Boolean(await refreshToken(page));
}

const refreshToken = (page) => page.evaluate(() => sessionStorage.getItem("fhir-import.refresh_token"));

// One look at an import's card (list) or page: its state, bars and counts.
function lookAtImport({ root, id }) {
  const card = document.querySelector(`${root}[data-import-id="${id}"]`);
  if (!card) return null;
  const holder = root === ".import-card" ? card : document.querySelector("main");
  const bar = (stage) => {
    const progress = holder.querySelector(`.stage-${stage} progress`);
    if (!progress) return null;
    return { value: progress.hasAttribute("value") ? progress.value : null, max: progress.max, label: progress.getAttribute("aria-label") };
  };
  const counts = {};
  for (const dd of holder.querySelectorAll("dd[data-count]")) counts[dd.dataset.count] = dd.textContent.trim();
  return {
    state: card.dataset.state,
    imported: bar("imported"),
    scraped: bar("scraped"),
    scrape_not_requested: Boolean(holder.querySelector('[data-stage="scraped-none"]')),
    counts,
    counts_text: holder.querySelector(".counts")?.innerText.replace(/\s+/g, " ").trim() ?? "",
  };
}

const full = (bar) => bar !== null && bar.value !== null && bar.max > 0 && bar.value >= bar.max;
const finished = (look) =>
  look !== null &&
  ["COMPLETED", "COMPLETED_WITH_ERRORS"].includes(look.state) &&
  full(look.imported) &&
  (full(look.scraped) || look.scrape_not_requested);

async function importsOnPage(page) {
  return page.evaluate(() => [...document.querySelectorAll(".import-card")].map((card) => card.dataset.importId));
}

async function runImport(page) {
  await page.getByRole("link", { name: job.project, exact: true }).click();
  await page.getByRole("heading", { level: 1, name: job.project }).waitFor();
  await page.locator("#imports-status").filter({ hasNotText: "Loading" }).waitFor();
  const before = new Set(await importsOnPage(page));
  await shot(page, "project-before");

  // Reloading would lose this: the page must update by itself.
  await page.evaluate(() => {
    window.__notReloaded = true;
  });
  const [command, ...args] = job.import_command;
  importProcess = spawn(command, args, { env: { ...process.env, ...(job.import_env ?? {}) }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  importProcess.stdout.on("data", (chunk) => (output += chunk));
  importProcess.stderr.on("data", (chunk) => (output += chunk));
  const exited = new Promise((resolve) => importProcess.on("close", (code) => resolve(code)));

  const deadline = Date.now() + timeout;
  let id;
  let last = "";
  const observations = [];
  let pictured = false;
  for (;;) {
    if (Date.now() > deadline) {
      fail(`the import did not finish on the page within ${timeout} ms; last seen ${last || "nothing"}; CLI said: ${output.slice(-2000)}`);
    }
    if (!id) id = (await importsOnPage(page)).find((candidate) => !before.has(candidate));
    if (id) {
      const look = await page.evaluate(lookAtImport, { root: ".import-card", id });
      const seen = JSON.stringify(look);
      if (seen !== last) {
        last = seen;
        observations.push({ at_ms: timeout - (deadline - Date.now()), ...look });
      }
      if (finished(look)) break;
      // A running import makes the better picture, when the page shows one midway.
      // Midway: the import still running, one of its stages between a fifth and nine tenths.
      const share = (bar) => (bar?.value != null && bar.max > 0 ? bar.value / bar.max : null);
      const midway = [share(look?.imported), share(look?.scraped)].some((s) => s !== null && s >= 0.2 && s <= 0.9);
      const running = look && ["RECEIVING", "PROCESSING"].includes(look.state);
      if (!pictured && running && midway) {
        await readmeShot(page, "dashboard-project");
        pictured = true;
        result.readme_project_shot = "while running";
      }
    }
    await page.waitForTimeout(200);
  }
  if (!(await page.evaluate(() => window.__notReloaded === true))) fail("the project page reloaded while the import ran");
  result.import_id = id;
  result.observations = observations;
  result.import_exit_code = await Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve("still running"), 60000))]);
  result.import_output = output.slice(-2000);
  const final = observations[observations.length - 1];
  result.project_card = final;
  const received = Number(final.counts.received.replace(/,/g, ""));
  const rejected = Number(final.counts.rejected.replace(/,/g, ""));
  if (rejected !== job.expected.rejected) fail(`the card says ${rejected} rejected, expected ${job.expected.rejected}`);
  if (received !== job.expected.accepted + job.expected.rejected) {
    fail(`the card says ${received} received, expected ${job.expected.accepted + job.expected.rejected}`);
  }
  if (final.imported.max !== job.expected.accepted) fail(`the imported bar's max is ${final.imported.max}, expected ${job.expected.accepted}`);
  if (job.filter) result.project_files = await projectFiles(page, job.filter.expect_files);
  if (!(await page.evaluate(() => window.__notReloaded === true))) fail("the project page reloaded while its files were refreshed");
  await page.waitForTimeout(300);
  await shot(page, "project-finished");
  if (!pictured) {
    await readmeShot(page, "dashboard-project");
    result.readme_project_shot = "finished";
  }
  return id;
}

// The project page's Files, never told to refresh, lists the finished import's files: at
// least `expected` rows on its first page, no filter applied (earlier imports' files count too).
async function projectFiles(page, expected) {
  const section = page.locator("section.files");
  const rows = () => section.locator("tbody tr[data-file-id]").count();
  const status = section.locator("p[role=status]");
  // A page holds at most "Files per page" of them.
  const perPage = Number(await section.getByLabel("Files per page").inputValue());
  if (perPage > 0) expected = Math.min(expected, perPage);
  const started = Date.now();
  for (;;) {
    const count = await rows();
    const said = await text(status);
    if (count >= expected && !said.includes("Loading")) {
      return { count, status: said, waited_ms: Date.now() - started, filters_applied: said.includes(" where ") };
    }
    if (Date.now() - started > 60000) {
      fail(`the project's Files section shows ${count} files 60 s after the import finished (expected at least ${expected}, without pressing Refresh files): ${said}`);
    }
    await page.waitForTimeout(200);
  }
}

// Tab from the skip link through the header to the new import's link, then Enter.
async function keyboard(page, id) {
  const focused = () =>
    page.evaluate(() => {
      const el = document.activeElement;
      const style = el ? getComputedStyle(el) : null;
      return {
        tag: el?.tagName.toLowerCase() ?? "",
        text: (el?.textContent ?? "").replace(/\s+/g, " ").trim().slice(0, 60),
        href: el?.getAttribute("href") ?? "",
        nav: Boolean(el?.closest('nav[aria-label="Main"]')),
        outline: style ? `${style.outlineStyle} ${style.outlineWidth}` : "",
        top: el?.getBoundingClientRect().top ?? -1,
      };
    });
  await page.locator("a.skip").focus();
  const skip = await focused();
  if (skip.text !== "Skip to content" || skip.top < 0) fail(`the skip link is not first or not visible when focused: ${JSON.stringify(skip)}`);
  const sequence = [skip];
  let reachedNav = false;
  let onImport = false;
  for (let i = 0; i < 60 && !onImport; i++) {
    await page.keyboard.press("Tab");
    const now = await focused();
    sequence.push(now);
    if (now.nav && now.tag === "a" && now.text === "Projects") reachedNav = true;
    onImport = now.tag === "a" && now.href === `#/imports/${id}`;
  }
  if (!reachedNav) fail(`Tab never reached the Projects link: ${JSON.stringify(sequence)}`);
  if (!onImport) fail(`Tab never reached the import's link: ${JSON.stringify(sequence)}`);
  const last = sequence[sequence.length - 1];
  if (last.outline.startsWith("none") || last.outline.endsWith(" 0px")) fail(`no visible focus on the import link: ${last.outline}`);
  const before = await focused();
  await page.keyboard.press("Enter");
  try {
    await page.waitForURL((url) => url.hash === `#/imports/${id}`, { timeout: 15000 });
  } catch {
    const after = await focused();
    fail(`Enter on the import's link did not open it: focus was ${JSON.stringify(before)} before Enter and ${JSON.stringify(after)} after; URL ${page.url()}; Tab sequence ${JSON.stringify(sequence.slice(-5))}`);
  }
  result.keyboard = { sequence: sequence.map(({ tag, text, nav, outline }) => ({ tag, text, nav, outline })), reached_nav: reachedNav, opened_with_enter: true };
}

async function readRejections(page) {
  const section = page.locator("section.rejections");
  await section.locator("table, .empty").first().waitFor();
  const rows = [];
  for (let pageNumber = 1; ; pageNumber++) {
    const onPage = await section.locator("tbody tr").evaluateAll((trs) =>
      trs.map((tr) => {
        const cells = [...tr.querySelectorAll("td")].map((td) => td.textContent.trim());
        return { index: Number(cells[0]), document_id: cells[1] === "none" ? "" : cells[1], state: cells[2], code: cells[3], message: cells[4] };
      }),
    );
    rows.push(...onPage);
    const next = section.getByRole("button", { name: "Next page" });
    if (!(await next.count()) || (await next.isDisabled())) break;
    const first = onPage[0]?.index;
    await next.click();
    await page.waitForFunction(
      (before) => document.querySelector("section.rejections tbody tr td")?.textContent.trim() !== String(before),
      first,
    );
  }
  for (const row of rows) {
    if (!Number.isInteger(row.index) || !row.code || !row.message) fail(`a rejection row lacks index, code or message: ${JSON.stringify(row)}`);
  }
  if (rows.length !== job.expected.rejected) fail(`the rejections table lists ${rows.length} rows, expected ${job.expected.rejected}: ${JSON.stringify(rows)}`);
  return rows;
}

async function filterFiles(page) {
  const section = page.locator("section.files");
  await section.getByLabel("Key", { exact: true }).fill(job.filter.key);
  await section.getByLabel("Value", { exact: true }).fill(job.filter.value);
  await section.getByLabel("Files per page").selectOption("100");
  await section.getByRole("button", { name: "Apply filters" }).click();
  const status = section.locator("p[role=status]");
  await page.waitForFunction(
    (key) => {
      const el = document.querySelector("section.files p[role=status]");
      return el && !el.textContent.includes("Loading") && el.textContent.includes(key);
    },
    job.filter.key,
  );
  let count = 0;
  const names = [];
  for (;;) {
    const found = await section.locator("tbody tr[data-file-id]").evaluateAll((trs) => trs.map((tr) => tr.querySelector("th")?.firstChild?.textContent.trim()));
    count += found.length;
    names.push(...found);
    const next = section.getByRole("button", { name: "Next page" });
    if (!(await next.count()) || (await next.isDisabled())) break;
    const pageBefore = await text(status);
    await next.click();
    await page.waitForFunction((before) => {
      const el = document.querySelector("section.files p[role=status]");
      return el && !el.textContent.includes("Loading") && el.textContent !== before;
    }, pageBefore);
  }
  if (count !== job.filter.expect_files) fail(`${job.filter.key} = ${job.filter.value} shows ${count} files, expected ${job.filter.expect_files}`);
  return { key: job.filter.key, value: job.filter.value, count, status: await text(status), names: names.slice(0, 20) };
}

async function importPage(page, id) {
  await page.getByRole("heading", { level: 1, name: /^Import / }).waitFor();
  await page.locator("#import-status").filter({ hasText: "Finished" }).waitFor({ timeout: 60000 });
  const look = await page.evaluate(lookAtImport, { root: ".title-row", id });
  if (!finished(look)) fail(`the import page does not show the import finished: ${JSON.stringify(look)}`);
  result.import_page = { status: await text(page.locator("#import-status")), ...look };
  result.rejections = await readRejections(page);
  await page.waitForTimeout(300);
  await shot(page, "import");
  await readmeShot(page, "dashboard-import");
  if (job.filter) {
    result.files = await filterFiles(page);
    await shot(page, "import-files-filtered");
  }

  // The skip link moves focus to the content.
  await page.locator("a.skip").focus();
  await page.keyboard.press("Enter");
  if ((await page.evaluate(() => document.activeElement?.id)) !== "main") fail("the skip link does not move focus to the content");
}

async function phone(page, id) {
  await page.setViewportSize({ width: 375, height: 800 });
  await page.waitForTimeout(300);
  const out = { import_fits: await fits(page) };
  await shot(page, "phone-import");
  await page.goto(`${job.server}/ui/#/projects/${job.project}`);
  await signedIn(page);
  await page.locator(`.import-card[data-import-id="${id}"]`).waitFor();
  await page.locator("section.files p[role=status]").filter({ hasNotText: "Loading" }).waitFor();
  out.project_fits = await fits(page);
  await shot(page, "phone-project");
  await page.setViewportSize(viewport);
  if (!out.import_fits || !out.project_fits) fail(`a page is wider than a phone's screen: ${JSON.stringify(out)}`);
  return out;
}

async function servers(page) {
  await page.goto(`${job.server}/ui/#/servers`);
  await signedIn(page);
  await page.getByRole("heading", { level: 1, name: "FHIR servers" }).waitFor();
  await page.locator("main table, main .empty, main .note").first().waitFor();
  const out = { text: (await text(page.locator("main"))).slice(0, 600) };
  out.admins_only = out.text.includes("Admins only");
  out.rows = await page.locator("main tbody tr").count();
  if (result.admin_link === out.admins_only) fail(`the FHIR servers link (${result.admin_link}) disagrees with the page: ${out.text}`);
  await shot(page, "servers");
  return out;
}

async function reload(page) {
  const before = await refreshToken(page);
  await page.goto(`${job.server}/ui/${job.project ? `#/projects/${job.project}` : "#/"}`);
  await page.reload();
  await signedIn(page);
  await page.getByRole("heading", { level: 1, name: job.project ?? "Projects", exact: true }).waitFor();
  const after = await refreshToken(page);
  if (!after || after === before) fail("the refresh token was not rotated by the reload's refresh");
  await shot(page, "reloaded");
  return { kept_session: true, refresh_token_rotated: true };
}

async function signOut(page) {
  const spent = await refreshToken(page);
  // On a slow connection (the server's answers to signing out take 2 s), a
  // person who signs out and, once the page says so, reloads or closes the
  // tab at once must be signed out on the server too: nothing may still be
  // on its way.
  const slow = async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 2000));
    await route.continue().catch(() => undefined);
  };
  await page.route(/\/oauth\/(revoke|logout)$/, slow);
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByRole("button", { name: "Sign in", exact: true }).waitFor();
  const said = await text(page.locator("main"));
  if (await refreshToken(page)) fail("the refresh token stayed in sessionStorage after signing out");
  if (!said.includes("You signed out.")) fail(`the page does not say the person signed out: ${said}`);
  await page.reload();
  await page.unroute(/\/oauth\/(revoke|logout)$/, slow);
  await shot(page, "signed-out-again");
  await page.getByRole("button", { name: "Sign in", exact: true }).waitFor();
  const stillOut = !(await page.getByRole("navigation", { name: "Main" }).count());
  // The refresh token was revoked: the token endpoint refuses it.
  const config = await (await page.request.get(`${job.server}/ui/config.json`)).json();
  const answer = await page.request.post(config.token_endpoint, {
    form: { grant_type: "refresh_token", refresh_token: spent, client_id: config.client_id },
  });
  const body = await answer.json().catch(() => ({}));
  if (answer.status() !== 400 || body.error !== "invalid_grant") {
    fail(`the signed-out refresh token still works or fails oddly: ${answer.status()} ${body.error ?? (body.access_token ? "(it gave a new access token)" : "")}`);
  }
  // Out of the server's sign-in session too: signing in again asks for the password.
  // A live server session would send the browser straight back with a code.
  const landed = [];
  await Promise.all([
    page.waitForURL(
      (url) => {
        landed.push(url.href.replace(/code=[^&#]+/, "code=…"));
        return url.pathname.endsWith("/oauth/authorize") || url.searchParams.has("code");
      },
      { timeout: 60000 },
    ),
    page.getByRole("button", { name: "Sign in", exact: true }).click(),
  ]);
  const asksPassword = new URL(page.url()).pathname.endsWith("/oauth/authorize") && (await page.locator('input[type="password"]').isVisible());
  if (!asksPassword) fail(`signing in after signing out did not ask for the password: went ${JSON.stringify(landed)}`);
  await shot(page, "sign-in-again");
  return {
    text: said,
    stays_signed_out_after_reload: stillOut,
    revoked_refresh_token: `${answer.status()} ${body.error}`,
    sign_in_asks_password: asksPassword,
  };
}

try {
  const context = await browser.newContext({ viewport });
  // The tests share two cores with the whole suite: waits are generous, a
  // page that never gets there still fails.
  context.setDefaultTimeout(60000);
  await context.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || "inline"} at ${event.sourceFile}:${event.lineNumber}`);
    });
  });
  const page = await context.newPage();
  page.on("console", (message) => {
    const said = message.text();
    if (/Content Security Policy|violates|CSP violation/i.test(said)) violations.push(said);
    else if (message.type() === "error") consoleErrors.push(said);
  });
  page.on("pageerror", (error) => pageErrors.push(error.message));
  const first = await page.request.get(`${job.server}/ui/`);
  result.csp = first.headers()["content-security-policy"] ?? "";

  await signIn(page);
  await shot(page, "projects");
  result.projects_text = (await text(page.locator("main"))).slice(0, 600);

  if (mode === "full") {
    const id = await runImport(page);
    await keyboard(page, id);
    await importPage(page, id);
    result.phone = await phone(page, id);
  }
  result.servers = await servers(page);
  if (job.reload ?? true) result.reload = await reload(page);
  if (job.sign_out ?? true) result.sign_out = await signOut(page);

  result.console_errors = consoleErrors;
  if (violations.length) fail(`the dashboard broke its own CSP: ${violations.join("; ")}`);
  if (pageErrors.length) fail(`the dashboard threw: ${pageErrors.join("; ")}`);
  console.log(JSON.stringify(result));
} catch (error) {
  const extra = [
    violations.length ? `CSP: ${violations.join("; ")}` : "",
    pageErrors.length ? `page errors: ${pageErrors.join("; ")}` : "",
  ].filter(Boolean);
  console.error([error.message, ...extra].join("\n"));
  process.exitCode = 1;
} finally {
  if (importProcess && importProcess.exitCode === null) importProcess.kill();
  await browser.close();
}
