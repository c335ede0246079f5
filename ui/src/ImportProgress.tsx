/** One import's two stages as bars, its counts, rate and time left. */
import { ImportState, isTerminal } from "@fhir-import/client/web";

import { useId } from "./components.js";
import { count, duration, rate, shortId } from "./format.js";
import type { LiveImport } from "./live.js";
import { elapsed, pace, stages, type Stage } from "./progress.js";

function Bar(props: {
  label: string;
  stage: Stage;
  name: string;
  terminal: boolean;
  receiving: boolean;
  kind: string;
}) {
  const { label, stage, name, terminal, receiving, kind } = props;
  const id = useId("bar");
  // While documents arrive the total is unknown: a bar without a value.
  // Nothing to do (every document rejected) is done once the import ended.
  const max = stage.total > 0 ? stage.total : 1;
  const value = receiving ? undefined : stage.total > 0 ? stage.done : terminal ? 1 : undefined;
  const failed = stage.failed > 0 ? `, ${count(stage.failed)} failed` : "";
  const said = (receiving ? `${count(stage.done)} so far` : `${count(stage.done)} of ${count(stage.total)}`) + failed;
  return (
    <div class={`stage stage-${kind}`}>
      <label for={id} class="stage-label">
        <span class="stage-name">{label}</span>
        <span class="stage-count" data-stage={kind}>
          {said}
        </span>
      </label>
      <progress id={id} max={max} value={value} aria-label={`${label}, import ${name}: ${said}`} />
    </div>
  );
}

export function ImportProgress({ entry, now }: { entry: LiveImport; now: number }) {
  const { imp, counts } = entry;
  const terminal = isTerminal(imp.state);
  const receiving = imp.state === ImportState.RECEIVING;
  const s = stages(imp, counts);
  const p = pace(imp, counts, entry.samples, now);
  const name = shortId(imp.id);
  const c = {
    received: counts?.received ?? 0n,
    rejected: counts?.rejected ?? 0n,
    failed: counts?.failed ?? 0n,
    scrapeFailed: counts?.scrapeFailed ?? 0n,
    skipped: counts?.skipped ?? 0n,
    pending: (counts?.pending ?? 0n) + (counts?.processing ?? 0n),
    cancelled: counts?.cancelled ?? 0n,
  };
  return (
    <div class="progress">
      <Bar label="Imported" stage={s.imported} name={name} terminal={terminal} receiving={receiving} kind="imported" />
      {s.scraped ? (
        <Bar
          label="Metadata scraped"
          stage={s.scraped}
          name={name}
          terminal={terminal}
          receiving={receiving}
          kind="scraped"
        />
      ) : (
        <p class="stage stage-none muted" data-stage="scraped-none">
          Metadata: not scraped (the import names no FHIR server)
        </p>
      )}
      <dl class="counts">
        <div>
          <dt>Received</dt>
          <dd data-count="received">{count(c.received)}</dd>
        </div>
        <div>
          <dt>Rejected</dt>
          <dd data-count="rejected" class={c.rejected ? "bad" : undefined}>
            {count(c.rejected)}
          </dd>
        </div>
        <div>
          <dt>Failed</dt>
          <dd data-count="failed" class={c.failed ? "bad" : undefined}>
            {count(c.failed)}
          </dd>
        </div>
        {c.scrapeFailed > 0n && (
          <div>
            <dt>Scrape failed</dt>
            <dd data-count="scrape_failed" class="bad">
              {count(c.scrapeFailed)}
            </dd>
          </div>
        )}
        {c.skipped > 0n && (
          <div>
            <dt>Skipped</dt>
            <dd data-count="skipped">{count(c.skipped)}</dd>
          </div>
        )}
        {c.cancelled > 0n && (
          <div>
            <dt>Cancelled</dt>
            <dd data-count="cancelled">{count(c.cancelled)}</dd>
          </div>
        )}
        {!terminal && (
          <div>
            <dt>Pending</dt>
            <dd data-count="pending">{count(c.pending)}</dd>
          </div>
        )}
        <div>
          <dt>{p.average ? "Average rate" : "Rate"}</dt>
          <dd data-count="rate">{rate(p.rate)}</dd>
        </div>
        <div>
          <dt>{terminal ? "Took" : "Time left"}</dt>
          <dd data-count="left">{terminal ? took(entry) : p.left !== undefined ? duration(p.left) : p.note}</dd>
        </div>
      </dl>
      {entry.stall && !terminal && <p class="note note-passing">Stalled: {entry.stall}</p>}
      {imp.error && <p class="note note-problem">{imp.error}</p>}
    </div>
  );
}

function took({ imp }: LiveImport): string {
  const seconds = elapsed(imp);
  if (seconds === undefined) return "—";
  return seconds < 1 ? "under 1 s" : duration(seconds);
}
