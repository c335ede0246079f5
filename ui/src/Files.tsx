/**
 * A project's files (or one import's), filtered by metadata key/value
 * pairs (FileService.ListFiles `filters`, all must match), page by page.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { MetadataState, type File } from "@fhir-import/client/web";

import { Pager, ProblemNote, ScrollTable, Time, useId, usePaged, type Paged } from "./components.js";
import { bytes, metadataStateWords } from "./format.js";
import { useServices } from "./services.js";

interface Filter {
  key: string;
  value: string;
}

const PAGE_SIZES = [25, 50, 100];
/** Refreshes by themselves, at most one per this many ms. */
const REFRESH_MS = 3000;

/**
 * The list reads itself again when the caller says files changed, quietly:
 * nothing is disabled meanwhile, so focus stays where it is, and the
 * filters (applied or being typed) are kept. `changes` moves when files
 * may have been added (an import's progress): the page shown is read
 * again. `restarts` moves when an import ended: the list starts again from
 * page 1. At most one such refresh every 3 s; the status line says why.
 */
export function Files({
  project,
  importId,
  title,
  changes,
  restarts,
}: {
  project: string;
  importId?: string;
  title: string;
  changes?: number;
  restarts?: number;
}) {
  const { api } = useServices();
  const [draft, setDraft] = useState<Filter[]>([{ key: "", value: "" }]);
  const [applied, setApplied] = useState<Filter[]>([]);
  const [pageSize, setPageSize] = useState(25);
  const [why, setWhy] = useState<"added" | "ended">();
  const section = useRef<HTMLElement>(null);
  const headingId = useId("files");
  const sizeId = useId("page-size");

  const paged = usePaged(
    async (pageToken) => {
      const page = await api.files.listFiles({
        project,
        importId: importId ?? "",
        filters: applied,
        pageSize,
        pageToken,
      });
      return { items: page.files, next: page.nextPageToken };
    },
    [project, importId, JSON.stringify(applied), pageSize],
  );
  const told = useRef({ changes, restarts, at: 0 });
  useEffect(() => {
    const restart = restarts !== told.current.restarts;
    if (!restart && changes === told.current.changes) return;
    const timer = setTimeout(
      () => {
        told.current = { changes, restarts, at: Date.now() };
        // Back to page 1 would disable the pager's button in use; then the page shown is read again.
        const paging = section.current?.querySelector(".pager")?.contains(document.activeElement) ?? false;
        paged.refresh(restart && !paging);
        setWhy(restart ? "ended" : "added");
      },
      Math.max(0, REFRESH_MS - (Date.now() - told.current.at)),
    );
    return () => clearTimeout(timer);
  }, [changes, restarts]);

  const apply = (event: Event) => {
    event.preventDefault();
    setApplied(draft.filter((f) => f.key.trim() !== "").map((f) => ({ key: f.key.trim(), value: f.value })));
  };
  const clear = () => {
    setDraft([{ key: "", value: "" }]);
    setApplied([]);
  };
  const edit = (index: number, change: Partial<Filter>) =>
    setDraft((rows) => rows.map((row, i) => (i === index ? { ...row, ...change } : row)));

  return (
    <section aria-labelledby={headingId} class="files" ref={section}>
      <div class="section-head">
        <h2 id={headingId}>{title}</h2>
        <button type="button" onClick={paged.reload} disabled={paged.loading}>
          Refresh files
        </button>
      </div>
      <form class="filters" onSubmit={apply}>
        <fieldset>
          <legend>Filter by metadata (every pair must match exactly)</legend>
          {draft.map((row, index) => (
            <FilterRow
              key={index}
              row={row}
              number={draft.length > 1 ? index + 1 : undefined}
              onChange={(change) => edit(index, change)}
              onRemove={draft.length > 1 ? () => setDraft((rows) => rows.filter((_, i) => i !== index)) : undefined}
            />
          ))}
          <div class="actions">
            <button type="submit" class="primary">
              Apply filters
            </button>
            <button
              type="button"
              onClick={() => setDraft((rows) => [...rows, { key: "", value: "" }])}
              disabled={draft.length >= 20}
            >
              Add a filter
            </button>
            <button
              type="button"
              onClick={clear}
              disabled={applied.length === 0 && draft.every((f) => !f.key && !f.value)}
            >
              Clear filters
            </button>
            <span class="page-size">
              <label for={sizeId}>Files per page</label>
              <select
                id={sizeId}
                value={String(pageSize)}
                onChange={(e) => setPageSize(Number((e.target as HTMLSelectElement).value))}
              >
                {PAGE_SIZES.map((size) => (
                  <option key={size} value={String(size)}>
                    {size}
                  </option>
                ))}
              </select>
            </span>
          </div>
        </fieldset>
      </form>
      <p class="muted" role="status" aria-live="polite" id={`${headingId}-status`}>
        {paged.loading ? "Loading files…" : shown(paged, applied, why)}
      </p>
      {paged.problem && <ProblemNote problem={paged.problem} onRetry={paged.reload} />}
      {paged.items.length > 0 && (
        <ScrollTable
          caption={importId ? "Files this import created or overwrote" : "The project's files, oldest first"}
        >
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Size</th>
              <th scope="col">Metadata</th>
              <th scope="col">Document</th>
              <th scope="col">URL</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {paged.items.map((file) => (
              <FileRow key={file.id} file={file} />
            ))}
          </tbody>
        </ScrollTable>
      )}
      <Pager label={title} paged={paged} />
    </section>
  );
}

/** What the table shows, in words; after a refresh, why it was read again. */
function shown(paged: Paged<File>, applied: Filter[], why: "added" | "ended" | undefined): string {
  const files = `${paged.items.length} file${paged.items.length === 1 ? "" : "s"}`;
  const more = paged.hasNext ? " (more on the next pages)" : "";
  const where = applied.length ? `, where ${applied.map((f) => `${f.key} = ${f.value}`).join(" and ")}` : "";
  const again =
    paged.refreshed && why ? ` Read again as ${why === "ended" ? "an import finished" : "an import added files"}.` : "";
  return `${files} on page ${paged.page}${more}${where}.${again}`;
}

function FilterRow({
  row,
  number,
  onChange,
  onRemove,
}: {
  row: Filter;
  number?: number;
  onChange: (change: Partial<Filter>) => void;
  onRemove?: () => void;
}) {
  const keyId = useId("filter-key");
  const valueId = useId("filter-value");
  const suffix = number ? <span class="visually-hidden"> {number}</span> : null;
  return (
    <div class="filter-row">
      <span class="field">
        <label for={keyId}>Key{suffix}</label>
        <input
          id={keyId}
          type="text"
          value={row.key}
          autocomplete="off"
          spellcheck={false}
          placeholder="e.g. study"
          onInput={(e) => onChange({ key: (e.target as HTMLInputElement).value })}
        />
      </span>
      <span class="field">
        <label for={valueId}>Value{suffix}</label>
        <input
          id={valueId}
          type="text"
          value={row.value}
          autocomplete="off"
          spellcheck={false}
          placeholder="e.g. SD_BHJXBDQK"
          onInput={(e) => onChange({ value: (e.target as HTMLInputElement).value })}
        />
      </span>
      {onRemove && (
        <button type="button" class="link" onClick={onRemove}>
          Remove<span class="visually-hidden"> filter {number}</span>
        </button>
      )}
    </div>
  );
}

function FileRow({ file }: { file: File }) {
  const pairs = Object.entries(file.metadata).sort(([a], [b]) => a.localeCompare(b));
  const shown = pairs.length > 4 ? pairs.slice(0, 3) : pairs;
  const trouble =
    file.metadataState === MetadataState.FAILED ||
    file.metadataState === MetadataState.PARTIAL ||
    file.metadataState === MetadataState.PENDING;
  return (
    <tr data-file-id={file.id}>
      <th scope="row" class="name">
        {file.name}
        {file.tags.length > 0 && (
          <span class="tags">
            {" "}
            {file.tags.map((tag) => (
              <span class="tag" key={tag}>
                {tag}
              </span>
            ))}
          </span>
        )}
      </th>
      <td class="num">{bytes(file.size)}</td>
      <td class="metadata">
        {trouble && (
          <p
            class={`badge meta-${MetadataState[file.metadataState]?.toLowerCase()}`}
            title={file.metadataError || undefined}
          >
            {metadataStateWords(file.metadataState)}
          </p>
        )}
        {pairs.length === 0 ? <span class="muted">none</span> : <KeyValues pairs={shown} />}
        {pairs.length > shown.length && (
          <details>
            <summary>{pairs.length - shown.length} more</summary>
            <KeyValues pairs={pairs.slice(shown.length)} />
          </details>
        )}
        {file.metadataError && trouble && <p class="muted small">{file.metadataError}</p>}
      </td>
      <td class="mono">{file.documentReferenceId}</td>
      <td class="mono url">{file.url || <span class="muted">inline data</span>}</td>
      <td>
        <Time stamp={file.createTime} />
      </td>
    </tr>
  );
}

function KeyValues({ pairs }: { pairs: [string, string][] }) {
  return (
    <ul class="kv">
      {pairs.map(([key, value]) => (
        <li key={key}>
          <span class="k">{key}</span> <span class="v">{value}</span>
        </li>
      ))}
    </ul>
  );
}
