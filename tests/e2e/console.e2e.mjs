// The web console in real Chromium (Debian's /usr/bin/chromium) against a
// real Sentinel, Prometheus and fixture host started by run_e2e.py.
// Controls are found by their accessible names (product.md §8); any console
// error or CSP violation fails the test; axe-core runs on every page in both
// themes; screenshots go to $E2E_ARTIFACTS.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set (run through run_e2e.py)`);
  return v;
};
const require = createRequire(join(env("E2E_NODE_MODULES"), "noop.js"));
const { chromium } = require("playwright-core");
const AXE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

const BASE = env("SENTINEL_URL");
const ARTIFACTS = env("E2E_ARTIFACTS");
const HOST = { name: env("HOST_NAME"), instance: env("HOST_INSTANCE"), job: env("HOST_JOB") };
const SERVER_NAME = "web-e2e";
const RULE_NAME = "Load above a tenth";
const HOOK = env("E2E_HOOK_URL"); // records what it is sent (tests/fakes/webhook_receiver.py)
const SLACK_PATH = "/services/T0E2E/B0E2E/hookSecret";
const CHANNEL = "ops-slack";
// A Prometheus rule file, imported through the console: a rule kept whole
// (absent: every series fires), one whose `> 1` is split off, and a
// recording rule (skipped). Neither fires while the test runs.
const RULE_FILE = `groups:
  - name: e2e-host
    rules:
      - alert: E2EHostGone
        expr: absent(up{job="no-such-job-e2e"})
        for: 10m
        labels:
          severity: info
          team: ops
        annotations:
          summary: "{{ $labels.job }} has no targets"
      - alert: E2EHighLoad
        expr: node_load1 > 1
        for: 5m
        labels:
          severity: warning
        annotations:
          summary: "{{ $labels.instance }}: load {{ $value | humanize }}"
      - record: job:node_load1:max
        expr: max by (job) (node_load1)
`;
const EVERY_RULE = "Any target down";

let browser;
const problems = [];
// HTTP error statuses a test provokes on purpose: the browser logs a failed
// request as a console error, which is expected for these.
const expectedStatuses = new Set();

function expectHttpErrors(...statuses) {
  for (const s of statuses) expectedStatuses.add(s);
}

// A page whose console errors, uncaught exceptions and CSP violations are
// collected in `problems`.
async function newPage(colorScheme = "light") {
  const context = await browser.newContext({ colorScheme, viewport: { width: 1280, height: 860 } });
  await context.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI}`);
    });
  });
  const page = await context.newPage();
  page.on("console", (m) => {
    if (m.type() !== "error") return;
    const status = /Failed to load resource: the server responded with a status of (\d+)/.exec(m.text());
    if (status && expectedStatuses.has(Number(status[1]))) return;
    problems.push(`console error on ${page.url()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`uncaught on ${page.url()}: ${e.message}`));
  page.on("requestfailed", (r) => {
    const why = r.failure()?.errorText ?? "";
    // Requests cut short by navigation or by a closed page are not failures of the console.
    if (!/ERR_ABORTED/.test(why)) problems.push(`request failed: ${r.url()} ${why}`);
  });
  page.setDefaultTimeout(15000);
  return page;
}

function assertNoProblems() {
  expectedStatuses.clear();
  const found = problems.splice(0);
  assert.deepEqual(found, [], found.join("\n"));
}

// axe-core is evaluated through the DevTools protocol (never as a page
// script: the CSP would rightly refuse an inline one).
async function checkA11y(page, label) {
  await page.evaluate(AXE);
  const result = await page.evaluate(async () => {
    const r = await globalThis.axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 5) }));
  });
  const bad = result.filter((v) => v.impact === "critical" || v.impact === "serious");
  assert.deepEqual(bad, [], `${label}: ${JSON.stringify(bad, null, 2)}`);
}

async function shot(page, name) {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

async function signIn(page, email, password, { keyboard = false } = {}) {
  await page.getByRole("heading", { name: "Sentinel" }).waitFor();
  if (keyboard) {
    // The email field has the focus: type, Tab, type, Enter.
    await page.keyboard.type(email);
    await page.keyboard.press("Tab");
    await page.keyboard.type(password);
    await page.keyboard.press("Enter");
  } else {
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Sign in" }).click();
  }
}

async function patchHost(values) {
  const res = await fetch(`http://${env("FIXTURE_EXPORTER")}/hosts/${HOST.name}`, {
    method: "PATCH",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(values),
  });
  assert.equal(res.status, 200, await res.text());
}

// What the webhook receiver was sent: at least `count` requests, waiting up to 10 s.
async function hookRequests(count) {
  const res = await fetch(`${HOOK}/_requests?wait=10&count=${count}`);
  return (await res.json()).requests;
}

// The API as the signed-in page calls it (its token).
async function apiFromPage(page, path) {
  return page.evaluate(async (p) => {
    const r = await fetch(p, { headers: { Authorization: `Bearer ${sessionStorage.getItem("sentinel.token")}` } });
    return r.json();
  }, path);
}

// A channel made through the API (as the admin), for the viewer to look at.
async function createChannelAsAdmin(body) {
  const login = await fetch(`${BASE}/api/v1/auth/login`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ username: env("ADMIN_EMAIL"), password: env("ADMIN_PASSWORD") }).toString(),
  });
  const { access_token } = await login.json();
  const res = await fetch(`${BASE}/api/v1/alerts/channels/`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${access_token}` },
    body: JSON.stringify(body),
  });
  assert.equal(res.status, 201, await res.text());
}

const fleetRow = (page, name) => page.getByRole("row").filter({ has: page.getByRole("link", { name, exact: true }) });

before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
});

after(async () => {
  await browser?.close();
});

describe("the console as an admin", () => {
  let page;
  let serverPath;

  before(async () => {
    page = await newPage("light");
  });
  after(async () => {
    await page?.context().close();
  });

  it("signs in with the keyboard alone and lands on the page it was asked for", async () => {
    const res = await page.goto(`${BASE}/servers`);
    assert.equal(res.status(), 200);
    await checkA11y(page, "sign-in (light)");
    await shot(page, "signin-light");
    await signIn(page, env("ADMIN_EMAIL"), env("ADMIN_PASSWORD"), { keyboard: true });
    await page.getByRole("heading", { name: "Servers", level: 1 }).waitFor();
    assert.equal(new URL(page.url()).pathname, "/servers");
    const stored = await page.evaluate(() => ({ session: !!sessionStorage.getItem("sentinel.token"), local: localStorage.length }));
    assert.deepEqual(stored, { session: true, local: 0 }, "the token lives in sessionStorage only");
    assertNoProblems();
  });

  it("shows the admin's navigation and a Sign out button", async () => {
    const nav = page.getByRole("navigation", { name: "Main" });
    for (const name of ["Servers", "Rules", "Events", "Silences", "Channels", "Users", "Tokens", "Audit"])
      await nav.getByRole("link", { name, exact: true }).waitFor();
    await page.getByRole("button", { name: "Sign out" }).waitFor();
  });

  it("lists the fleet live, with a down server shown as down", async () => {
    const row = fleetRow(page, "db-down");
    await row.waitFor();
    await row.getByText("Down", { exact: true }).waitFor();
    await page.getByText(/^Live · 1 servers, 1 down/).waitFor();
    assertNoProblems();
  });

  it("adds a server with the keyboard, fixing a field error first", async () => {
    await page.getByRole("button", { name: "Add server" }).focus();
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Add server" }).waitFor();
    await page.getByLabel("Name").focus();
    await page.keyboard.type(SERVER_NAME);
    await page.keyboard.press("Tab");
    await page.keyboard.type("not an instance");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Control+A");
    await page.keyboard.type(HOST.job);
    expectHttpErrors(422);
    await page.getByRole("button", { name: "Save" }).click();
    // The 422 names the instance: the message is shown at that field.
    const instance = page.getByLabel("Instance");
    await page.locator("input[name=instance][aria-invalid=true]").waitFor();
    const described = await instance.getAttribute("aria-describedby");
    assert.ok(described, "the error is tied to the field");
    await checkA11y(page, "add server with an error (light)");
    await instance.fill(HOST.instance);
    await page.getByLabel("Description").fill("added by the end-to-end test");
    await page.getByLabel("Description").press("Enter");
    await page.getByText(`Server ${SERVER_NAME} added`).waitFor();
    const row = fleetRow(page, SERVER_NAME);
    await row.waitFor();
    // Its values arrive with the fleet's next update: 75 % memory (8 GB, 2 GB available).
    await row.getByText("75.0 %").waitFor({ timeout: 20000 });
    await row.getByText("Up", { exact: true }).waitFor();
    assertNoProblems();
  });

  it("searches and sorts the fleet", async () => {
    const search = page.getByLabel("Search servers");
    await search.fill("db-");
    await fleetRow(page, "db-down").waitFor();
    assert.equal(await fleetRow(page, SERVER_NAME).count(), 0);
    await search.fill("nothing-like-this");
    await page.getByText("No server matches").waitFor();
    await search.fill("");
    const cpu = page.getByRole("button", { name: "CPU" });
    await cpu.click();
    assert.equal(await page.getByRole("columnheader", { name: "CPU" }).getAttribute("aria-sort"), "descending");
    const first = await page.locator("tbody tr").first().getByRole("link").textContent();
    assert.equal(first, SERVER_NAME, "the server with values sorts before the one without");
    await cpu.click();
    assert.equal(await page.getByRole("columnheader", { name: "CPU" }).getAttribute("aria-sort"), "ascending");
    await page.getByRole("button", { name: "Name" }).click();
    await checkA11y(page, "fleet (light)");
    await shot(page, "fleet-light");
    assertNoProblems();
  });

  it("opens a server's page with live values that change", async () => {
    await fleetRow(page, SERVER_NAME).getByRole("link", { name: SERVER_NAME }).click();
    await page.getByRole("heading", { name: SERVER_NAME, level: 1 }).waitFor();
    serverPath = new URL(page.url()).pathname;
    assert.match(serverPath, /^\/servers\/\d+$/);
    const memory = page.locator("[data-metric=memory_usage_percent]");
    await page.getByText("75.0 %").first().waitFor();
    assert.equal(await memory.textContent(), "75.0 %");
    await patchHost({ mem_available_bytes: 4e9 });
    await page.locator("[data-metric=memory_usage_percent]", { hasText: "50.0 %" }).waitFor({ timeout: 20000 });
    await page.getByRole("img", { name: "CPU chart" }).waitFor();
    await page.getByRole("img", { name: "Memory chart" }).waitFor();
    await page.getByRole("button", { name: "6 h" }).click();
    assert.equal(await page.getByRole("button", { name: "6 h" }).getAttribute("aria-pressed"), "true");
    await page.getByRole("img", { name: "Load chart" }).waitFor();
    await page.getByRole("button", { name: "1 h" }).click();
    await page.waitForTimeout(2500); // a few live points on the charts
    await checkA11y(page, "server page (light)");
    await shot(page, "server-light");
    assertNoProblems();
  });

  it("writes a rule: a field error first, then a preview, then saves it", async () => {
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Rules" }).click();
    await page.getByRole("heading", { name: "Rules", level: 1 }).waitFor();
    await page.getByRole("button", { name: "New rule" }).click();
    await page.getByLabel("Name").fill(RULE_NAME);
    await page.getByLabel("Server").selectOption({ label: SERVER_NAME });
    const serverChoices = await page.getByLabel("Server").locator("option").allTextContents();
    assert.ok(serverChoices.includes("All servers"), serverChoices.join());
    await page.getByLabel("PromQL").fill('node_load1{instance="$instance"}');
    await page.getByLabel("Comparison").selectOption(">");
    await page.getByLabel("Threshold").fill("a tenth");
    await page.getByLabel("For (seconds)").fill("6");
    await page.getByLabel("Severity").selectOption("critical");
    expectHttpErrors(422);
    await page.getByRole("button", { name: "Preview" }).click();
    await page.locator("input[name=threshold][aria-invalid=true]").waitFor();
    const described = await page.getByLabel("Threshold").getAttribute("aria-describedby");
    assert.match(await page.locator(`#${described}`).textContent(), /number/i);
    await checkA11y(page, "rule form with an error (light)");
    await page.getByLabel("Threshold").fill("0.1");
    await page.getByRole("button", { name: "Preview" }).click();
    await page.getByRole("heading", { name: /Preview: 1 series, would fire/ }).waitFor();
    await shot(page, "rule-preview-light");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByRole("row").filter({ hasText: RULE_NAME }).waitFor();
    assertNoProblems();
  });

  it("shows the rule's event arriving live, acknowledges and silences it", async () => {
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Events" }).click();
    await page.getByRole("heading", { name: "Events", level: 1 }).waitFor();
    // The page is open before the rule fires (it waits 6 s): the event comes over /ws/events.
    await page.getByText("No alert events yet.").waitFor();
    const row = page.getByRole("row").filter({ hasText: RULE_NAME });
    await row.waitFor({ timeout: 30000 });
    await row.getByText("firing", { exact: true }).waitFor();
    await checkA11y(page, "events (light)");
    await row.getByRole("button", { name: "Acknowledge" }).click();
    await row.getByText("acknowledged", { exact: true }).waitFor();
    assert.equal(await row.getByRole("button", { name: "Acknowledge" }).count(), 0);
    await row.getByLabel("Silence for").selectOption("4");
    await row.getByRole("button", { name: "Silence" }).click();
    await row.getByText("Silenced for 4 h").waitFor();
    // The silence ends "in 4 h" (a time ahead rounds to the nearest hour).
    await shot(page, "events-light");
    // The event's own page (where notifications link to): its labels and actions.
    await row.getByRole("link", { name: RULE_NAME }).click();
    await page.getByRole("heading", { name: RULE_NAME, level: 1 }).waitFor();
    await page.getByRole("heading", { name: "Labels" }).waitFor();
    await page.getByRole("link", { name: SERVER_NAME }).waitFor();
    await page.getByText("Silenced until").waitFor(); // the silence made from the list, not offered again
    assert.equal(await page.getByRole("button", { name: "Silence" }).count(), 0);
    await page.waitForURL(/\/events\/\d+$/); // page.url() follows history.pushState asynchronously
    await checkA11y(page, "event page (light)");
    await shot(page, "event-light");
    await page.getByRole("link", { name: "← All events" }).click();
    await row.waitFor();
    // Filters go to the address: a reload keeps them; nothing resolved yet.
    await page.getByLabel("Status").selectOption("resolved");
    await page.getByText("No event matches these filters.").waitFor();
    await page.waitForURL(/\/events\?status=resolved$/);
    await page.reload();
    await page.getByText("No event matches these filters.").waitFor();
    await page.getByRole("button", { name: "Clear filters" }).click();
    await row.waitFor();
    await page.getByLabel("Server").selectOption({ label: SERVER_NAME });
    await row.waitFor();
    await page.waitForURL(/\/events\?server=\d+$/);
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Silences" }).click();
    await page.getByRole("cell", { name: `Silenced from the console: ${RULE_NAME}` }).waitFor();
    // A custom length, typed as in Alertmanager; a wrong one is explained at its field.
    await page.getByRole("button", { name: "New silence" }).click();
    await page.getByLabel("Duration").selectOption("custom");
    await page.getByLabel("Custom length").fill("soon");
    await page.getByLabel("Comment").fill("maintenance window");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("Write a length such as 90m, 2h30m, 3d or 1w.").waitFor();
    await page.getByLabel("Custom length").fill("2h30m");
    await page.getByRole("button", { name: "Save" }).click();
    const custom = page.getByRole("row").filter({ hasText: "maintenance window" });
    await custom.getByText(/^2 h (30|29) min left$/).waitFor();
    await checkA11y(page, "silences (light)");
    assertNoProblems();
  });

  it("adds a Slack channel, sends a test, renames it keeping its secret, and deletes it", async () => {
    const nav = page.getByRole("navigation", { name: "Main" });
    await nav.getByRole("link", { name: "Channels" }).click();
    await page.getByRole("heading", { name: "Channels", level: 1 }).waitFor();
    await page.getByText("No channels yet.").waitFor();
    await page.getByRole("button", { name: "New channel" }).click();
    await page.getByRole("heading", { name: "New channel" }).waitFor();
    await page.getByLabel("Name", { exact: true }).fill(CHANNEL);
    await page.getByLabel("Type").selectOption("slack");
    // The API's 422 at settings.webhook_url is shown at that field.
    await page.getByLabel("Webhook URL").fill("hooks.slack.com/no-scheme");
    expectHttpErrors(422);
    await page.getByRole("button", { name: "Save" }).click();
    await page.locator("input[name='settings.webhook_url'][aria-invalid=true]").waitFor();
    const described = await page.getByLabel("Webhook URL").getAttribute("aria-describedby");
    assert.match(await page.locator(`#${described.split(" ").at(-1)}`).textContent(), /URL/);
    await page.getByLabel("Webhook URL").fill(`${HOOK}${SLACK_PATH}`);
    await page.getByLabel("critical", { exact: true }).check();
    await page.getByRole("button", { name: "Save" }).click();
    const card = page.getByRole("article", { name: CHANNEL, exact: true });
    await card.waitFor();
    await card.getByText("•••• set").waitFor(); // the webhook URL is a secret: never shown
    assert.equal(await card.getByText(HOOK).count(), 0);
    await card.getByText("critical", { exact: true }).waitFor();

    // Send test: the receiver gets Slack's Block Kit, the card says "Delivered".
    await card.getByRole("button", { name: "Send test" }).click();
    await card.getByRole("status").filter({ hasText: /^Delivered$/ }).waitFor();
    const [sent] = await hookRequests(1);
    assert.equal(sent.method, "POST");
    assert.equal(sent.path, SLACK_PATH);
    assert.ok(Array.isArray(sent.json?.blocks) && sent.json.blocks.length > 0, JSON.stringify(sent.json));
    assert.match(sent.json.text, /Sentinel test notification/);

    // Its last deliveries: none, no rule sent through it (a test message is not recorded).
    await card.getByRole("button", { name: "Last deliveries" }).click();
    assert.equal(await card.getByRole("button", { name: "Last deliveries" }).getAttribute("aria-expanded"), "true");
    await card.getByText("No deliveries recorded yet.").waitFor();
    await checkA11y(page, "channels (light)");
    await shot(page, "channels-light");
    await page.emulateMedia({ colorScheme: "dark" });
    await checkA11y(page, "channels (dark)");
    await shot(page, "channels-dark");
    await page.emulateMedia({ colorScheme: "light" });

    // Rename: the PATCH carries the name alone, and the stored secret stays.
    await card.getByRole("button", { name: "Edit" }).click();
    await page.getByRole("heading", { name: `Edit channel ${CHANNEL}` }).waitFor();
    await page.getByText("•••• set — leave empty to keep").waitFor();
    assert.equal(await page.getByLabel("Webhook URL").inputValue(), "");
    await checkA11y(page, "channel form (light)");
    await shot(page, "channel-form-light");
    await page.emulateMedia({ colorScheme: "dark" });
    await checkA11y(page, "channel form (dark)");
    await shot(page, "channel-form-dark");
    await page.emulateMedia({ colorScheme: "light" });
    await page.getByLabel("Name", { exact: true }).fill(`${CHANNEL}-2`);
    const patch = page.waitForRequest((r) => r.method() === "PATCH" && r.url().includes("/api/v1/alerts/channels/"));
    await page.getByRole("button", { name: "Save" }).click();
    assert.deepEqual((await patch).postDataJSON(), { name: `${CHANNEL}-2` });
    const renamed = page.getByRole("article", { name: `${CHANNEL}-2`, exact: true });
    await renamed.waitFor();
    const stored = (await apiFromPage(page, "/api/v1/alerts/channels/")).find((c) => c.name === `${CHANNEL}-2`);
    assert.deepEqual(stored.settings, { webhook_url: "***" });
    await renamed.getByRole("button", { name: "Send test" }).click();
    await renamed.getByRole("status").filter({ hasText: /^Delivered$/ }).waitFor();
    assert.equal((await hookRequests(2))[1].path, SLACK_PATH, "the secret URL is still the one typed");

    // A rule can name it.
    await nav.getByRole("link", { name: "Rules" }).click();
    await page.getByRole("button", { name: "New rule" }).click();
    await page.getByRole("group", { name: "Channels" }).getByLabel(`${CHANNEL}-2 (Slack)`).waitFor();
    await page.getByLabel("Group wait (seconds)").waitFor();
    await page.getByRole("button", { name: "Cancel" }).click();

    // Delete asks once more, in place.
    await nav.getByRole("link", { name: "Channels" }).click();
    await renamed.getByRole("button", { name: "Delete" }).click();
    await renamed.getByRole("button", { name: "Delete now?" }).click();
    await renamed.waitFor({ state: "detached" });
    await page.getByText("No channels yet.").waitFor();
    assertNoProblems();
  });

  it("reads well in the dark theme too", async () => {
    await page.goto(`${BASE}${serverPath}`);
    await page.getByRole("heading", { name: SERVER_NAME, level: 1 }).waitFor();
    await page.locator("[data-metric=cpu_usage_percent]").waitFor();
    await page.emulateMedia({ colorScheme: "dark" });
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.equal(bg, "rgb(15, 18, 23)", "the dark palette applies");
    await page.waitForTimeout(500);
    await checkA11y(page, "server page (dark)");
    await shot(page, "server-dark");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Servers" }).click();
    await fleetRow(page, SERVER_NAME).waitFor();
    await fleetRow(page, SERVER_NAME).getByText("Up", { exact: true }).waitFor();
    await checkA11y(page, "fleet (dark)");
    await shot(page, "fleet-dark");
    for (const name of ["Rules", "Events", "Silences", "Channels", "Users", "Tokens", "Audit"]) {
      await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name, exact: true }).click();
      await page.getByRole("heading", { name, level: 1 }).waitFor();
      await page.getByText(/^Loading/).waitFor({ state: "detached" });
      await checkA11y(page, `${name} (dark)`);
    }
    await page.emulateMedia({ colorScheme: "light" });
    assertNoProblems();
  });

  it("creates an API token whose secret is shown once, and revokes it", async () => {
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Tokens" }).click();
    await page.getByRole("button", { name: "New token" }).click();
    await page.getByLabel("Name").fill("ci deploy");
    await page.getByLabel("Role").selectOption("viewer");
    await page.getByRole("button", { name: "Save" }).click();
    const secret = await page.getByLabel("New token").inputValue();
    assert.match(secret, /^snt_/);
    await page.getByRole("button", { name: "Copy" }).waitFor();
    const row = page.getByRole("row").filter({ hasText: "ci deploy" });
    await row.getByText("viewer", { exact: true }).waitFor();
    await checkA11y(page, "tokens (light)");
    await page.reload();
    await row.waitFor();
    assert.equal(await page.getByLabel("New token").count(), 0, "the secret is gone after a reload");
    // Revoking asks once more, in place.
    await row.getByRole("button", { name: "Revoke" }).click();
    await row.getByRole("button", { name: "Revoke now?" }).click();
    await page.getByText("No API tokens.").waitFor();
    // The audit log, filtered by action, shows the revocation.
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Audit" }).click();
    await page.getByRole("cell", { name: "token.create" }).first().waitFor();
    await page.getByLabel("Action").selectOption("token.delete");
    await page.getByRole("cell", { name: "token.create" }).waitFor({ state: "detached" });
    await page.getByRole("cell", { name: "token.delete" }).waitFor();
    assertNoProblems();
  });

  it("adds a user and deletes it, after asking", async () => {
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Users" }).click();
    await page.getByRole("button", { name: "New user" }).click();
    await page.getByLabel("Email").fill("temp-e2e@example.com");
    await page.getByLabel("Password").fill("short");
    expectHttpErrors(422);
    await page.getByRole("button", { name: "Save" }).click();
    await page.locator("input[name=password][aria-invalid=true]").waitFor();
    await page.getByLabel("Password").fill("a long enough password");
    await page.getByRole("button", { name: "Save" }).click();
    const row = page.getByRole("row").filter({ hasText: "temp-e2e@example.com" });
    await row.waitFor();
    await row.getByRole("button", { name: "Delete" }).click();
    await row.getByRole("button", { name: "Cancel" }).click();
    await row.getByRole("button", { name: "Delete" }).click();
    await row.getByRole("button", { name: "Delete now?" }).click();
    await row.waitFor({ state: "detached" });
    await checkA11y(page, "users (light)");
    assertNoProblems();
  });

  it("imports a Prometheus rule file: a dry run's report first, then the import", async () => {
    const nav = page.getByRole("navigation", { name: "Main" });
    await nav.getByRole("link", { name: "Rules" }).click();
    await page.getByRole("heading", { name: "Rules", level: 1 }).waitFor();
    await page.getByRole("button", { name: "Import rule file" }).click();
    const card = page.getByRole("form", { name: "Import rule file" });
    await card.waitFor();
    // A file that is not a rule file: the server's message, with its line.
    await card.getByLabel("Rule file contents").fill("groups:\n  - name: x\n    rulez: []\n");
    expectHttpErrors(422);
    await card.getByRole("button", { name: "Check (dry run)" }).click();
    await card.getByRole("alert").filter({ hasText: "cannot be read as a rule file" }).getByText(/line 3/).waitFor();
    // The file, picked: the dry run reports each rule and writes nothing.
    await card.getByLabel("Rule file", { exact: true }).setInputFiles({ name: "host-rules.yml", mimeType: "application/yaml", buffer: Buffer.from(RULE_FILE) });
    await card.getByText("Read from host-rules.yml").waitFor(); // read asynchronously
    assert.equal(await card.getByLabel("Rule file contents").inputValue(), RULE_FILE);
    await card.getByRole("button", { name: "Check (dry run)" }).click();
    await card.getByRole("heading", { name: "Dry run: 2 to create, 1 to skip" }).waitFor();
    const report = card.getByRole("table");
    const gone = report.getByRole("row").filter({ hasText: "E2EHostGone" });
    await gone.getByText("created", { exact: true }).waitFor();
    await gone.getByText("every series", { exact: true }).waitFor();
    await gone.getByRole("cell", { name: "4", exact: true }).waitFor(); // its line in the file
    const load = report.getByRole("row").filter({ hasText: "E2EHighLoad" });
    await load.getByText("> 1", { exact: true }).waitFor();
    await load.getByText(/condition `> 1` split off/).waitFor();
    const rec = report.getByRole("row").filter({ hasText: "job:node_load1:max" });
    await rec.getByText("skipped", { exact: true }).waitFor();
    const stored = await apiFromPage(page, "/api/v1/alerts/rules/?limit=1000");
    assert.equal(stored.filter((r) => r.name.startsWith("E2E")).length, 0, "a dry run writes nothing");
    await checkA11y(page, "rule file dry run (light)");
    await shot(page, "rules-import-light");
    await page.emulateMedia({ colorScheme: "dark" });
    await checkA11y(page, "rule file dry run (dark)");
    await shot(page, "rules-import-dark");
    await page.emulateMedia({ colorScheme: "light" });
    await card.getByRole("button", { name: "Import", exact: true }).click();
    await card.getByRole("heading", { name: "Imported: 2 created, 1 skipped" }).waitFor();
    await card.getByRole("button", { name: "Close" }).click();
    await card.waitFor({ state: "detached" });
    // The list: the rule kept whole fires for every series, the other compares.
    const goneRow = page.getByRole("row").filter({ has: page.getByRole("rowheader", { name: /^E2EHostGone/ }) });
    await goneRow.getByText("every series", { exact: true }).waitFor();
    await goneRow.getByText("group e2e-host").waitFor();
    const loadRow = page.getByRole("row").filter({ has: page.getByRole("rowheader", { name: /^E2EHighLoad/ }) });
    await loadRow.getByText("> 1", { exact: true }).waitFor();
    // Importing the same file again changes nothing.
    await page.getByRole("button", { name: "Import rule file" }).click();
    await card.getByLabel("Rule file contents").fill(RULE_FILE);
    await card.getByRole("button", { name: "Check (dry run)" }).click();
    await card.getByRole("heading", { name: "Dry run: 2 unchanged, 1 to skip" }).waitFor();
    assert.equal(await card.getByRole("button", { name: "Import", exact: true }).count(), 0);
    // A rule Prometheus refuses: all or nothing, unless the valid ones alone are asked for.
    await card.getByLabel("Rule file contents").fill(`groups:
  - name: e2e-partial
    rules:
      - alert: E2EBroken
        expr: rate(node_load1[5m]
      - alert: E2EPartialOk
        expr: up == 0
`);
    expectHttpErrors(422);
    await card.getByRole("button", { name: "Check (dry run)" }).click();
    await card.getByRole("alert").filter({ hasText: "1 rule cannot be imported; nothing was written." }).waitFor();
    const broken = card.getByRole("row").filter({ hasText: "E2EBroken" });
    await broken.getByText("failed", { exact: true }).waitFor();
    await broken.getByRole("cell", { name: "4", exact: true }).waitFor(); // its line
    await broken.getByText(/Prometheus rejected the (query|expression)/).waitFor(); // its reason
    assert.equal(await card.getByRole("button", { name: "Import", exact: true }).count(), 0);
    await checkA11y(page, "rule file with a failed rule (light)");
    await shot(page, "rules-import-failed-light");
    await page.emulateMedia({ colorScheme: "dark" });
    await checkA11y(page, "rule file with a failed rule (dark)");
    await shot(page, "rules-import-failed-dark");
    await page.emulateMedia({ colorScheme: "light" });
    await card.getByRole("button", { name: "Import valid rules only" }).click();
    await card.getByRole("heading", { name: "Imported: 1 created, 1 failed" }).waitFor();
    await card.getByRole("button", { name: "Close" }).click();
    await page.getByRole("row").filter({ has: page.getByRole("rowheader", { name: /^E2EPartialOk/ }) }).getByText("== 0", { exact: true }).waitFor();
    assert.equal(await page.getByRole("rowheader", { name: /^E2EBroken/ }).count(), 0);
    assertNoProblems();
  });

  it("exports the rules as a Prometheus rule file", async () => {
    const download = page.waitForEvent("download");
    await page.getByRole("button", { name: "Export rules" }).click();
    const file = await download;
    assert.equal(file.suggestedFilename(), "sentinel-rules.yml");
    const yaml = readFileSync(await file.path(), "utf8");
    assert.match(yaml, /^groups:/m);
    assert.match(yaml, /alert: E2EHostGone/);
    assert.match(yaml, /expr: absent\(up\{job="no-such-job-e2e"\}\)/);
    assert.match(yaml, /alert: E2EHighLoad/);
    assertNoProblems();
  });

  it("writes an every-series rule, Prometheus style, with a summary template", async () => {
    await page.getByRole("button", { name: "New rule" }).click();
    await page.getByLabel("Name").fill(EVERY_RULE);
    await page.getByLabel("PromQL").fill('up{job="no-such-job-e2e"} == 0');
    await page.getByLabel("Comparison").waitFor();
    await page.getByLabel("Every series the query returns (Prometheus style)").check();
    for (const name of ["Comparison", "Threshold", "Recovery value"])
      assert.equal(await page.getByLabel(name, { exact: true }).count(), 0, `${name} is hidden`);
    await page.getByLabel("Keep firing (seconds)").fill("120");
    // A template that does not parse: the server's 422 at the Summary field.
    await page.getByLabel("Summary").fill("{{ $labels.instance is down");
    await page.getByLabel("Labels").fill("team=ops");
    expectHttpErrors(422);
    await page.getByRole("button", { name: "Save" }).click();
    await page.locator("textarea[name=summary][aria-invalid=true]").waitFor();
    const described = await page.getByLabel("Summary").getAttribute("aria-describedby");
    assert.match(await page.locator(`#${described.split(" ").at(-1)}`).textContent(), /line 1, column \d+/);
    await checkA11y(page, "every-series rule form (light)");
    await shot(page, "rule-form-every-light");
    await page.emulateMedia({ colorScheme: "dark" });
    await checkA11y(page, "every-series rule form (dark)");
    await shot(page, "rule-form-every-dark");
    await page.emulateMedia({ colorScheme: "light" });
    await page.getByLabel("Summary").fill("{{ $labels.instance }} is down ({{ $value | humanize }})");
    const post = page.waitForRequest((r) => r.method() === "POST" && r.url().endsWith("/api/v1/alerts/rules/"));
    await page.getByRole("button", { name: "Save" }).click();
    const body = (await post).postDataJSON();
    assert.deepEqual([body.threshold, body.comparison, body.recovery_threshold, body.keep_firing_for_sec, body.labels],
      [null, null, null, 120, { team: "ops" }]);
    const row = page.getByRole("row").filter({ has: page.getByRole("rowheader", { name: EVERY_RULE }) });
    await row.getByText("every series", { exact: true }).waitFor();
    // Edited again: the form opens on the every-series choice.
    await row.getByRole("button", { name: `Edit ${EVERY_RULE}` }).click();
    assert.equal(await page.getByLabel("Every series the query returns (Prometheus style)").isChecked(), true);
    assert.equal(await page.getByLabel("Summary").inputValue(), "{{ $labels.instance }} is down ({{ $value | humanize }})");
    await page.getByRole("button", { name: "Cancel" }).click();
    // An imported rule, saved unchanged from the form: its labels stay as stored, its condition null.
    const imported = page.getByRole("row").filter({ has: page.getByRole("rowheader", { name: /^E2EHostGone/ }) });
    await imported.getByRole("button", { name: "Edit E2EHostGone" }).click();
    await page.getByText("From the rule file group").waitFor();
    assert.equal(await page.getByLabel("Labels").inputValue(), "team=ops");
    const patch = page.waitForRequest((r) => r.method() === "PATCH" && r.url().includes("/api/v1/alerts/rules/"));
    await page.getByRole("button", { name: "Save" }).click();
    const sent = (await patch).postDataJSON();
    assert.deepEqual([sent.threshold, sent.comparison, "labels" in sent, sent.summary], [null, null, false, "{{ $labels.job }} has no targets"]);
    await imported.getByText("every series", { exact: true }).waitFor();
    assertNoProblems();
  });

  it("after the session ends, signs in again and returns to the page it was on", async () => {
    await page.goto(`${BASE}${serverPath}`);
    await page.getByRole("heading", { name: SERVER_NAME, level: 1 }).waitFor();
    // The token stops being valid (as when it expires): the next call answers 401.
    await page.evaluate(() => sessionStorage.setItem("sentinel.token", "expired.token.value"));
    expectHttpErrors(401);
    await page.getByRole("button", { name: "24 h" }).click();
    await page.getByText("Your session has ended").waitFor();
    await signIn(page, env("ADMIN_EMAIL"), env("ADMIN_PASSWORD"));
    await page.getByRole("heading", { name: SERVER_NAME, level: 1 }).waitFor();
    assert.equal(new URL(page.url()).pathname, serverPath);
    assertNoProblems();
  });

  it("signs out", async () => {
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("button", { name: "Sign in" }).waitFor();
    assert.equal(await page.evaluate(() => sessionStorage.getItem("sentinel.token")), null);
    // A reload stays signed out.
    await page.reload();
    await page.getByRole("button", { name: "Sign in" }).waitFor();
    assertNoProblems();
  });
});

describe("the console as a viewer", () => {
  it("shows no button a viewer cannot use", async () => {
    const page = await newPage("dark");
    try {
      await page.goto(`${BASE}/`);
      await checkA11y(page, "sign-in (dark)");
      await shot(page, "signin-dark");
      await signIn(page, env("VIEWER_EMAIL"), env("VIEWER_PASSWORD"));
      await page.getByRole("heading", { name: "Servers", level: 1 }).waitFor();
      await fleetRow(page, SERVER_NAME).waitFor();
      assert.equal(await page.getByRole("button", { name: "Add server" }).count(), 0);
      const nav = page.getByRole("navigation", { name: "Main" });
      for (const name of ["Servers", "Rules", "Events", "Silences", "Channels", "Tokens"]) await nav.getByRole("link", { name, exact: true }).waitFor();
      for (const name of ["Users", "Audit"]) assert.equal(await nav.getByRole("link", { name }).count(), 0, name);
      await fleetRow(page, SERVER_NAME).getByRole("link", { name: SERVER_NAME }).click();
      await page.getByRole("heading", { name: SERVER_NAME, level: 1 }).waitFor();
      await page.locator("[data-metric=cpu_usage_percent]").waitFor();
      assert.equal(await page.getByRole("button", { name: "Edit" }).count(), 0);
      assert.equal(await page.getByRole("button", { name: "Delete" }).count(), 0);
      await nav.getByRole("link", { name: "Rules" }).click();
      await page.getByRole("row").filter({ hasText: RULE_NAME }).waitFor();
      assert.equal(await page.getByRole("button", { name: "New rule" }).count(), 0);
      // Rule files: out for everyone, in for editors.
      await page.getByRole("button", { name: "Export rules" }).waitFor();
      assert.equal(await page.getByRole("button", { name: "Import rule file" }).count(), 0);
      await page.getByRole("row").filter({ hasText: "E2EHostGone" }).getByText("every series", { exact: true }).waitFor();
      assert.equal(await page.getByRole("button", { name: /Edit|Delete/ }).count(), 0);
      await nav.getByRole("link", { name: "Events" }).click();
      await page.getByRole("row").filter({ hasText: RULE_NAME }).waitFor();
      assert.equal(await page.getByRole("button", { name: /Acknowledge|Silence/ }).count(), 0);
      await checkA11y(page, "events as a viewer (dark)");
      // Channels, read-only: secrets only as "set", no button that changes or sends.
      await createChannelAsAdmin({ name: "ops-webhook", type: "webhook", settings: { url: `${HOOK}/viewer`, bearer_token: "tok-e2e" } });
      await nav.getByRole("link", { name: "Channels" }).click();
      const card = page.getByRole("article", { name: "ops-webhook" });
      await card.waitFor();
      assert.equal(await card.getByText("•••• set").count(), 2, "the URL and the bearer token");
      assert.equal(await page.getByText("tok-e2e").count(), 0);
      assert.equal(await page.getByRole("button", { name: /New channel|Send test|Edit|Delete/ }).count(), 0);
      expectHttpErrors(404);
      await card.getByRole("button", { name: "Last deliveries" }).click();
      await card.getByText("No deliveries recorded yet.").waitFor();
      await checkA11y(page, "channels as a viewer (dark)");
      // A viewer manages its own tokens, which can be at most viewers.
      await nav.getByRole("link", { name: "Tokens" }).click();
      await page.getByRole("button", { name: "New token" }).click();
      assert.deepEqual(await page.getByLabel("Role").locator("option").allTextContents(), ["viewer"]);
      await page.getByRole("button", { name: "Cancel" }).click();
      assertNoProblems();
    } finally {
      await page.context().close();
    }
  });
});

describe("the console when Prometheus is unavailable", () => {
  it("says so clearly on the fleet view", async () => {
    const page = await newPage("light");
    try {
      await page.goto(`${env("SENTINEL_DARK_URL")}/servers`);
      await signIn(page, env("ADMIN_EMAIL"), env("ADMIN_PASSWORD"));
      await page.getByRole("alert").filter({ hasText: "Prometheus unavailable" }).waitFor();
      await checkA11y(page, "fleet, Prometheus unavailable");
      await shot(page, "fleet-prometheus-unavailable");
      // The server still answers the WebSocket: its error frame is not a browser error.
      assertNoProblems();
    } finally {
      await page.context().close();
    }
  });
});
