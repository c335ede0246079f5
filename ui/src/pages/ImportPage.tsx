/**
 * One import, live from WatchImport: its stages, its rejected and failed
 * items (ListImportItems) and the files it made (ListFiles by import).
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { ConflictPolicy, ItemState, isTerminal, type ImportItem, type Project } from "@fhir-import/client/web";

import { describe, type Problem } from "../api.js";
import { Loading, Pager, ProblemNote, ScrollTable, StateBadge, Time, usePaged } from "../components.js";
import { Files } from "../Files.js";
import {
  count,
  failureName,
  itemStateName,
  kindWords,
  rejectionCodeName,
  shortId,
  stateName,
  stateWords,
} from "../format.js";
import { ImportProgress } from "../ImportProgress.js";
import { stages } from "../progress.js";
import { href } from "../router.js";
import { useServices, useSubscription, useTicker } from "../services.js";

export function ImportPage({ id }: { id: string }) {
  const { api, live, session } = useServices();
  useSubscription(live);
  useTicker(2000);
  const [problem, setProblem] = useState<Problem | undefined>();
  const [project, setProject] = useState<Project | undefined>();

  useEffect(() => {
    setProblem(undefined);
    let active = true;
    api.imports
      .getImport({ importId: id })
      .then((imp) => {
        if (!active) return;
        live.seed(imp);
        api.projects.getProject({ project: imp.project }).then(
          (p) => active && setProject(p),
          () => undefined,
        );
      })
      .catch((err) => active && setProblem(describe(err, session)));
    const release = live.want(id);
    return () => {
      active = false;
      release();
    };
  }, [id]);

  const entry = live.get(id);
  if (!entry) {
    return (
      <>
        <h1>Import {shortId(id)}</h1>
        {problem ? <ProblemNote problem={problem} /> : <Loading what="the import" />}
      </>
    );
  }
  const { imp } = entry;
  const terminal = isTerminal(imp.state);
  const status =
    entry.connection === "reconnecting"
      ? "Reconnecting…"
      : entry.connection === "failed"
        ? (entry.problem ?? "Not following this import.")
        : terminal
          ? `Finished: ${stateWords(imp.state).toLowerCase()}.`
          : entry.connection === "queued"
            ? "Waiting for a free stream to follow it live…"
            : `Following live: ${stateWords(imp.state).toLowerCase()}.`;
  const slug = project?.slug;

  return (
    <>
      <p class="crumbs">
        <a href={href.projects()}>Projects</a> <span aria-hidden="true">/</span>{" "}
        <a href={href.project(slug ?? imp.project)}>{slug ?? "project"}</a> <span aria-hidden="true">/</span>
      </p>
      <div class="title-row" data-import-id={imp.id} data-state={stateName(imp.state)}>
        <h1>Import {shortId(imp.id)}</h1>
        <StateBadge state={imp.state} />
      </div>
      <p class="muted live-status">
        <span role="status" aria-live="polite" id="import-status">
          {status}
        </span>
      </p>
      <section class="card" aria-label="Progress">
        <ImportProgress entry={entry} now={performance.now()} />
      </section>
      <dl class="details">
        <div>
          <dt>Id</dt>
          <dd class="mono">{imp.id}</dd>
        </div>
        <div>
          <dt>Kind</dt>
          <dd>{kindWords(imp.kind)}</dd>
        </div>
        <div>
          <dt>Started</dt>
          <dd>
            <Time stamp={imp.createTime} />
            {imp.createdBy && <> by {imp.createdBy}</>}
          </dd>
        </div>
        <div>
          <dt>Finished</dt>
          <dd>{terminal ? <Time stamp={imp.finishTime} /> : "not yet"}</dd>
        </div>
        <div>
          <dt>FHIR server</dt>
          <dd>{imp.fhirServer || "none"}</dd>
        </div>
        <div>
          <dt>On conflict</dt>
          <dd>{(ConflictPolicy[imp.onConflict] ?? "OVERWRITE").toLowerCase()}</dd>
        </div>
        {imp.tags.length > 0 && (
          <div>
            <dt>Tags</dt>
            <dd>{imp.tags.join(", ")}</dd>
          </div>
        )}
        {imp.idempotencyKey && (
          <div>
            <dt>Idempotency key</dt>
            <dd class="mono">{imp.idempotencyKey}</dd>
          </div>
        )}
      </dl>
      <Rejections importId={imp.id} bad={Number((entry.counts?.rejected ?? 0n) + (entry.counts?.failed ?? 0n))} />
      <Files
        project={imp.project}
        importId={imp.id}
        title="Files of this import"
        changes={stages(imp, entry.counts).imported.done}
        restarts={terminal ? 1 : 0}
      />
    </>
  );
}

const BAD_STATES = [ItemState.REJECTED, ItemState.FAILED];

/** The import's rejected and failed items: index, document id, code, message. */
function Rejections({ importId, bad }: { importId: string; bad: number }) {
  const { api } = useServices();
  const paged = usePaged(
    async (pageToken) => {
      const page = await api.imports.listImportItems({ importId, states: BAD_STATES, pageSize: 25, pageToken });
      return { items: page.items, next: page.nextPageToken };
    },
    [importId],
  );
  // New rejections arrive live: look again, at most every 2 s, on the same page, quietly.
  const looked = useRef({ bad, at: 0 });
  useEffect(() => {
    if (bad === looked.current.bad) return;
    const wait = Math.max(0, 2000 - (Date.now() - looked.current.at));
    const timer = setTimeout(() => {
      looked.current = { bad, at: Date.now() };
      paged.refresh(false);
    }, wait);
    return () => clearTimeout(timer);
  }, [bad]);

  return (
    <section aria-labelledby="rejections-heading" class="rejections">
      <div class="section-head">
        <h2 id="rejections-heading">Rejected and failed documents</h2>
        <span class="muted">{count(bad)} in all</span>
      </div>
      {paged.problem && <ProblemNote problem={paged.problem} onRetry={paged.reload} />}
      {paged.loading && paged.items.length === 0 && !paged.problem ? (
        <Loading what="rejections" />
      ) : paged.items.length === 0 ? (
        <p class="empty">None: every document was accepted.</p>
      ) : (
        <ScrollTable caption="Rejected and failed documents, in stream order" captionHidden>
          <thead>
            <tr>
              <th scope="col" class="num">
                Index
              </th>
              <th scope="col">Document id</th>
              <th scope="col">State</th>
              <th scope="col">Code</th>
              <th scope="col">Message</th>
            </tr>
          </thead>
          <tbody>
            {paged.items.map((item) => (
              <RejectionRow key={String(item.index)} item={item} />
            ))}
          </tbody>
        </ScrollTable>
      )}
      <Pager label="Rejections" paged={paged} />
    </section>
  );
}

function RejectionRow({ item }: { item: ImportItem }) {
  const rejected = item.state === ItemState.REJECTED;
  const code = rejected ? rejectionCodeName(item.rejection?.code ?? 0) : failureName(item.failure);
  const message = rejected ? (item.rejection?.message ?? "") : item.error;
  const documentId = item.documentId || item.rejection?.documentId || "";
  return (
    <tr data-index={String(item.index)}>
      <td class="num">{String(item.index)}</td>
      <td class="mono">{documentId || <span class="muted">none</span>}</td>
      <td>{itemStateName(item.state).toLowerCase()}</td>
      <td class="mono code">{code}</td>
      <td class="message">{message}</td>
    </tr>
  );
}
