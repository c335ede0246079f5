/**
 * A project's imports, newest first, each followed live (WatchImport while
 * it runs, at most a few at once); the list itself is read again every few
 * seconds to find new imports. Then the project's files, read again as
 * those imports add files and when one ends.
 */
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { isTerminal, type Import, type Project as ProjectMessage } from "@fhir-import/client/web";

import { describe, type Problem } from "../api.js";
import { ProblemNote, StateBadge, Time } from "../components.js";
import { Files } from "../Files.js";
import { kindWords, shortId, stateName, type Stamp } from "../format.js";
import { ImportProgress } from "../ImportProgress.js";
import { LiveImports, type LiveImport } from "../live.js";
import { stages } from "../progress.js";
import { href } from "../router.js";
import { usePolling, useServices, useSubscription, useTicker } from "../services.js";

const PAGE_SIZE = 10;
const REFRESH_MS = 2000;

export function Project({ project }: { project: string }) {
  const { api, session } = useServices();
  const [info, setInfo] = useState<ProjectMessage | Problem | undefined>();
  // Moved by the imports' news; the files table refreshes itself on them.
  const [files, setFiles] = useState({ changes: 0, restarts: 0 });
  const onFiles = useCallback(
    (news: FileNews) =>
      setFiles((f) => (news === "ended" ? { ...f, restarts: f.restarts + 1 } : { ...f, changes: f.changes + 1 })),
    [],
  );

  useEffect(() => {
    setInfo(undefined);
    api.projects
      .getProject({ project })
      .then(setInfo)
      .catch((err) => setInfo(describe(err, session)));
  }, [project]);

  if (info && "kind" in info && !("slug" in info)) {
    return (
      <>
        <h1>Project {project}</h1>
        <ProblemNote problem={info} />
        <p>
          <a href={href.projects()}>Back to your projects</a>
        </p>
      </>
    );
  }
  const details = info as ProjectMessage | undefined;
  return (
    <>
      <p class="crumbs">
        <a href={href.projects()}>Projects</a> <span aria-hidden="true">/</span>
      </p>
      <h1>{details?.slug ?? project}</h1>
      {details?.description && <p class="lede">{details.description}</p>}
      <Imports project={project} onFiles={onFiles} />
      {details && <Files project={details.id} title="Files" changes={files.changes} restarts={files.restarts} />}
    </>
  );
}

/** What an import did to the project's files: added some, or ended. */
type FileNews = "added" | "ended";

/** A server time, comparable: nanoseconds since the epoch. */
const nanos = (stamp: Stamp | undefined) => (stamp ? stamp.seconds * 1_000_000_000n + BigInt(stamp.nanos) : 0n);

/**
 * The imports' news for the files table, from one look at the cards to the
 * next: an import that imported more, or ended. The first list read is the
 * baseline (by the server's clock: its newest import's creation), so an
 * import seen for the first time counts only when it began after that (one
 * that starts and ends between two reads of the list included).
 */
function useFileNews(
  project: string,
  entries: LiveImport[],
  baseline: bigint | undefined,
  onFiles: (news: FileNews) => void,
) {
  const seen = useRef(new Map<string, string>());
  useEffect(() => seen.current.clear(), [project]);
  useEffect(() => {
    if (baseline === undefined) return;
    let news: FileNews | undefined;
    for (const { imp, counts } of entries) {
      const imported = stages(imp, counts).imported.done;
      const ended = isTerminal(imp.state);
      const now = `${imported}:${ended}`;
      const before = seen.current.get(imp.id);
      seen.current.set(imp.id, now);
      if (before === now) continue;
      if (before === undefined && nanos(imp.createTime) <= baseline) continue;
      if (ended && !before?.endsWith(":true")) news = "ended";
      else if (imported > 0 && news === undefined) news = "added";
    }
    if (news) onFiles(news);
  });
}

function Imports({ project, onFiles }: { project: string; onFiles: (news: FileNews) => void }) {
  const { api, live, session } = useServices();
  useSubscription(live);
  useTicker(2000);
  const [tokens, setTokens] = useState<string[]>([""]);
  const [page, setPage] = useState<{ imports: Import[]; next: string; loaded: boolean; problem?: Problem; at?: Date }>({
    imports: [],
    next: "",
    loaded: false,
  });
  const releases = useRef(new Map<string, () => void>());
  const [baseline, setBaseline] = useState<{ project: string; after: bigint }>();

  useEffect(() => setTokens([""]), [project]);
  // Watches end with the page.
  useEffect(
    () => () => {
      for (const release of releases.current.values()) release();
      releases.current.clear();
    },
    [],
  );

  const token = tokens[tokens.length - 1] ?? "";
  usePolling(
    async (signal) => {
      try {
        const answer = await api.imports.listImports({ project, pageSize: PAGE_SIZE, pageToken: token }, { signal });
        if (signal.aborted) return;
        for (const imp of answer.imports) live.seed(imp);
        if (token === "") {
          // The newest import when the page first looked: later ones are news for the files.
          const newest = answer.imports.reduce((max, imp) => {
            const created = nanos(imp.createTime);
            return created > max ? created : max;
          }, 0n);
          setBaseline((b) => (b?.project === project ? b : { project, after: newest }));
        }
        // Follow the running imports on this page; let go of the others.
        const running = new Set(answer.imports.filter(LiveImports.running).map((imp) => imp.id));
        for (const [id, release] of releases.current) {
          if (!running.has(id)) {
            release();
            releases.current.delete(id);
          }
        }
        for (const id of running) if (!releases.current.has(id)) releases.current.set(id, live.want(id));
        setPage({ imports: answer.imports, next: answer.nextPageToken, loaded: true, at: new Date() });
      } catch (err) {
        if (signal.aborted) return;
        setPage((previous) => ({ ...previous, loaded: true, problem: describe(err, session) }));
      }
    },
    REFRESH_MS,
    [project, token],
  );

  const now = performance.now();
  const entries = page.imports.map(
    (imp) => live.get(imp.id) ?? { imp, counts: imp.counts, sequence: 0n, samples: [], connection: "none" as const },
  );
  useFileNews(project, entries, baseline?.project === project ? baseline.after : undefined, onFiles);
  const runningCount = entries.filter((e) => LiveImports.running(e.imp)).length;
  const watching = live.watching();
  const status =
    page.problem?.kind === "reconnecting" || watching.reconnecting > 0
      ? "Reconnecting…"
      : runningCount === 0
        ? "No import is running."
        : `Following ${runningCount} running import${runningCount === 1 ? "" : "s"} live${watching.waiting ? ` (${watching.waiting} waiting for a free stream)` : ""}.`;

  return (
    <section aria-labelledby="imports-heading">
      <div class="section-head">
        <h2 id="imports-heading">Imports</h2>
        <p class="muted live-status">
          <span role="status" aria-live="polite" id="imports-status">
            {page.loaded ? status : "Loading imports…"}
          </span>
          {page.at && <span class="refreshed"> Updated {page.at.toLocaleTimeString("en-GB")}.</span>}
        </p>
      </div>
      {page.problem && <ProblemNote problem={page.problem} />}
      {page.loaded && !page.problem && entries.length === 0 && (
        <p class="empty">
          No imports yet. Start one with <code>fhir-import import --project {project} FILE</code>; it shows up here by
          itself.
        </p>
      )}
      <ol class="cards imports">
        {entries.map((entry) => (
          <li
            key={entry.imp.id}
            class="card import-card"
            data-import-id={entry.imp.id}
            data-state={stateName(entry.imp.state)}
          >
            <div class="card-head">
              <h3>
                <a href={href.import(entry.imp.id)}>Import {shortId(entry.imp.id)}</a>
              </h3>
              <StateBadge state={entry.imp.state} />
              {entry.connection === "live" && <span class="live-dot">live</span>}
              {entry.connection === "reconnecting" && <span class="live-dot reconnecting">reconnecting…</span>}
            </div>
            <p class="meta">
              {kindWords(entry.imp.kind)} · started <Time stamp={entry.imp.createTime} />
              {entry.imp.createdBy && <> by {entry.imp.createdBy}</>}
              {entry.imp.fhirServer && <> · FHIR server {entry.imp.fhirServer}</>}
              {entry.imp.tags.length > 0 && <> · tags {entry.imp.tags.join(", ")}</>}
            </p>
            <ImportProgress entry={entry} now={now} />
          </li>
        ))}
      </ol>
      {(tokens.length > 1 || page.next) && (
        <nav class="pager" aria-label="Imports: pages">
          <button type="button" disabled={tokens.length === 1} onClick={() => setTokens((t) => t.slice(0, -1))}>
            Newer imports
          </button>
          <span>Page {tokens.length}</span>
          <button type="button" disabled={!page.next} onClick={() => setTokens((t) => [...t, page.next])}>
            Older imports
          </button>
        </nav>
      )}
    </section>
  );
}
