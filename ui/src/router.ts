/**
 * Hash routes, so that the server serves one page for every address:
 * `#/` projects, `#/projects/<owner>/<name>` (or a project id),
 * `#/imports/<id>`, `#/servers`.
 */
import { useEffect, useState } from "preact/hooks";

export type Route =
  | { page: "projects" }
  | { page: "project"; project: string }
  | { page: "import"; id: string }
  | { page: "servers" }
  | { page: "missing"; path: string };

export function parse(hash: string): Route {
  const path = hash.replace(/^#/, "").replace(/\/+$/, "") || "/";
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0 || (parts.length === 1 && parts[0] === "projects")) return { page: "projects" };
  if (parts[0] === "projects" && parts.length >= 2) return { page: "project", project: parts.slice(1).join("/") };
  if (parts[0] === "imports" && parts.length === 2) return { page: "import", id: parts[1] as string };
  if (parts[0] === "servers" && parts.length === 1) return { page: "servers" };
  return { page: "missing", path };
}

export const href = {
  projects: () => "#/",
  project: (slug: string) => `#/projects/${slug.split("/").map(encodeURIComponent).join("/")}`,
  import: (id: string) => `#/imports/${encodeURIComponent(id)}`,
  servers: () => "#/servers",
};

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parse(location.hash));
  useEffect(() => {
    const onChange = () =>
      setRoute((current) => {
        const next = parse(location.hash);
        return JSON.stringify(next) === JSON.stringify(current) ? current : next;
      });
    addEventListener("hashchange", onChange);
    // The address may have changed before this listened (back from signing in).
    onChange();
    return () => removeEventListener("hashchange", onChange);
  }, []);
  return route;
}
