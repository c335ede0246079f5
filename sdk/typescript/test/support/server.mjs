// The real fhir-import server for the SDK's tests: the binary with a fresh
// SQLite file, an admin user, a portal and a token made with
// `fhir-import admin`, as an operator would. It can be restarted on the
// same address and database.
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";

const REPO = resolve(import.meta.dirname, "../../../..");
const BINARY = process.env.FHIR_IMPORT_BIN ?? join(REPO, "target/debug/fhir-import");
const ISSUER = "http://fhir-import.sdk-tests";
export const SCOPES = ["projects", "import:write", "import:read", "files:read", "admin"];
/** The user `sdk` signs in with this on the authorization page. */
export const PASSWORD = "a long passphrase for the sdk tests";
/** Where the test portal's authorization codes go. */
export const REDIRECT_URI = "https://portal.example.org/callback";

/** `extraEnv`: more `FHIR_IMPORT__…` configuration for the server. */
export async function startServer(extraEnv = {}) {
  const work = mkdtempSync(join(tmpdir(), "fhir-import-ts-sdk-"));
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith("FHIR_IMPORT")),
  );
  Object.assign(env, extraEnv, {
    FHIR_IMPORT__AUTH__ISSUER: ISSUER,
    FHIR_IMPORT__DATABASE_URL: `sqlite://${join(work, "sdk.db")}`,
  });
  let child;
  const launch = async (listen) => {
    child = spawn(BINARY, ["serve", "--listen", listen], {
      cwd: work,
      env,
      stdio: ["ignore", "pipe", "inherit"],
    });
    const started = child;
    return new Promise((resolveAddress, reject) => {
      const lines = createInterface({ input: started.stdout });
      const timer = setTimeout(() => reject(new Error("the server did not start in 60 s")), 60_000);
      lines.on("line", (line) => {
        if (line.startsWith("listening on ")) {
          clearTimeout(timer);
          resolveAddress(line.slice("listening on ".length).trim());
        }
      });
      started.on("exit", (code) => reject(new Error(`the server exited with ${code}`)));
    });
  };
  const terminate = async () => {
    const running = child;
    if (running.exitCode !== null || running.signalCode !== null) {
      return;
    }
    const exited = new Promise((done) => running.on("exit", (code) => done(code)));
    running.kill("SIGTERM");
    const code = await exited;
    if (code !== 0) throw new Error(`the server exited with ${code} on SIGTERM`);
  };
  const address = await launch("127.0.0.1:0");
  const admin = (args, input) =>
    JSON.parse(execFileSync(BINARY, ["admin", ...args], { cwd: work, env, encoding: "utf8", input }));
  admin(["create-user", "sdk", "--admin", "--password-stdin"], `${PASSWORD}\n`);
  const portal = admin([
    "create-client", "--name", "TypeScript SDK tests", "--owner", "sdk",
    ...SCOPES.flatMap((scope) => ["--scope", scope]),
    "--redirect-uri", REDIRECT_URI,
  ]);
  const token = admin(["issue-token", "--user", "sdk", "--client", portal.client_id]).access_token;
  return {
    baseUrl: `http://${address}`,
    token,
    portal,
    /** SIGTERM (which must exit 0), then the same server again on the same address. */
    async restart() {
      await terminate();
      await launch(address);
    },
    /** SIGKILL: no drain, no goodbye; its connections die with it. */
    async kill() {
      const running = child;
      if (running.exitCode !== null || running.signalCode !== null) return;
      const exited = new Promise((done) => running.on("exit", done));
      running.kill("SIGKILL");
      await exited;
    },
    /** Stops the server (SIGTERM); `up()` starts it again on the same address. */
    async down() {
      await terminate();
    },
    async up() {
      if (child.exitCode === null && child.signalCode === null) return;
      await launch(address);
    },
    async stop() {
      try {
        await terminate();
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    },
  };
}
