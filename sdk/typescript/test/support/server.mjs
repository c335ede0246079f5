// The real fhir-import server for the SDK's tests: the binary on a free
// port with a fresh SQLite file, an admin user, a portal and a token made
// with `fhir-import admin`, as an operator would.
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";

const REPO = resolve(import.meta.dirname, "../../../..");
const BINARY = process.env.FHIR_IMPORT_BIN ?? join(REPO, "target/debug/fhir-import");
const ISSUER = "http://fhir-import.sdk-tests";

export async function startServer() {
  const work = mkdtempSync(join(tmpdir(), "fhir-import-ts-sdk-"));
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith("FHIR_IMPORT")),
  );
  env.FHIR_IMPORT__AUTH__ISSUER = ISSUER;
  env.FHIR_IMPORT__DATABASE_URL = `sqlite://${join(work, "sdk.db")}`;
  const child = spawn(BINARY, ["serve", "--listen", "127.0.0.1:0"], {
    cwd: work,
    env,
    stdio: ["ignore", "pipe", "inherit"],
  });
  const address = await new Promise((resolveAddress, reject) => {
    const lines = createInterface({ input: child.stdout });
    const timer = setTimeout(() => reject(new Error("the server did not start in 60 s")), 60_000);
    lines.on("line", (line) => {
      if (line.startsWith("listening on ")) {
        clearTimeout(timer);
        resolveAddress(line.slice("listening on ".length).trim());
      }
    });
    child.on("exit", (code) => reject(new Error(`the server exited with ${code}`)));
  });
  const admin = (...args) =>
    JSON.parse(execFileSync(BINARY, ["admin", ...args], { cwd: work, env, encoding: "utf8" }));
  admin("create-user", "sdk", "--admin");
  const scopes = ["projects", "import:write", "import:read", "files:read"];
  const portal = admin(
    "create-client", "--name", "TypeScript SDK tests", "--owner", "sdk",
    ...scopes.flatMap((scope) => ["--scope", scope]),
  );
  const token = admin("issue-token", "--user", "sdk", "--client", portal.client_id).access_token;
  return {
    baseUrl: `http://${address}`,
    token,
    async stop() {
      const exited = new Promise((done) => child.on("exit", (code) => done(code)));
      child.kill("SIGTERM");
      const code = await exited;
      rmSync(work, { recursive: true, force: true });
      if (code !== 0) throw new Error(`the server exited with ${code} on SIGTERM`);
    },
  };
}
