/** Small pieces every page uses: problems in words, pagers, scrolling tables, badges, times. */
import type { ComponentChildren } from "preact";
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import type { ImportState } from "@fhir-import/client/web";

import { describe, isPassing, type Problem } from "./api.js";
import { dateTime, stateName, stateWords, toDate, type Stamp } from "./format.js";
import { useServices } from "./services.js";

export function ProblemNote({ problem, onRetry }: { problem: Problem; onRetry?: () => void }) {
  const { session } = useServices();
  const passing = isPassing(problem);
  return (
    <div class={`note ${passing ? "note-passing" : "note-problem"}`} role={passing ? "status" : "alert"}>
      <p>{problem.text}</p>
      {problem.kind === "signed-out" && (
        <button type="button" class="primary" onClick={() => void session.signIn()}>
          Sign in again
        </button>
      )}
      {onRetry && problem.kind !== "signed-out" && !passing && (
        <button type="button" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function StateBadge({ state }: { state: ImportState }) {
  return <span class={`badge state-${stateName(state).toLowerCase().replace(/_/g, "-")}`}>{stateWords(state)}</span>;
}

export function Time({ stamp }: { stamp: Stamp | undefined }) {
  const date = toDate(stamp);
  if (!date) return <span>—</span>;
  return <time dateTime={date.toISOString()}>{dateTime(date)}</time>;
}

let ids = 0;
/** An id for labels, stable for the component's life. */
export function useId(prefix: string): string {
  const ref = useRef<string>();
  ref.current ??= `${prefix}-${++ids}`;
  return ref.current;
}

/** A table wider than the screen scrolls inside this box, not the page. */
export function ScrollTable({
  caption,
  children,
  captionHidden,
}: {
  caption: string;
  children: ComponentChildren;
  captionHidden?: boolean;
}) {
  const id = useId("table");
  return (
    <div class="table-scroll" role="region" aria-labelledby={id} tabIndex={0}>
      <table>
        <caption id={id} class={captionHidden ? "visually-hidden" : undefined}>
          {caption}
        </caption>
        {children}
      </table>
    </div>
  );
}

export interface Page<T> {
  items: T[];
  next: string;
}

export interface Paged<T> {
  items: T[];
  page: number;
  /** A page the person asked for is being read. */
  loading: boolean;
  /** A `refresh` is reading; the page shown stays until it is done. */
  refreshing: boolean;
  /** What is shown came from a `refresh`, not from the person. */
  refreshed: boolean;
  problem?: Problem;
  hasNext: boolean;
  next(): void;
  previous(): void;
  reload(): void;
  first(): void;
  /**
   * Reads the list again without showing a load (nothing is disabled, so
   * focus stays where it is): from page 1 with `fromStart`, else the page
   * shown.
   */
  refresh(fromStart: boolean): void;
}

/**
 * Pages of a list by page tokens: the tokens seen so far are kept, so
 * "Previous" goes back; `deps` changing starts again from the first page.
 */
export function usePaged<T>(fetchPage: (token: string) => Promise<Page<T>>, deps: unknown[]): Paged<T> {
  const { session } = useServices();
  // `quiet`: the latest move was a refresh, not the person's.
  const [at, setAt] = useState<{ tokens: string[]; reloads: number; quiet: boolean }>({
    tokens: [""],
    reloads: 0,
    quiet: false,
  });
  const [result, setResult] = useState<{ key: string; items: T[]; next: string; problem?: Problem }>({
    key: "",
    items: [],
    next: "",
  });
  const latest = useRef(fetchPage);
  latest.current = fetchPage;
  const depsKey = JSON.stringify(deps);

  useEffect(() => setAt((a) => ({ ...a, tokens: [""], quiet: false })), [depsKey]);

  const { tokens, reloads, quiet } = at;
  const token = tokens[tokens.length - 1] ?? "";
  // What is shown belongs to this key; until it does, the list is loading.
  const key = JSON.stringify([depsKey, tokens, reloads]);
  useEffect(() => {
    let live = true;
    latest
      .current(token)
      .then((page) => live && setResult({ key, items: page.items, next: page.next }))
      .catch((err) => live && setResult((previous) => ({ ...previous, key, problem: describe(err, session) })));
    return () => {
      live = false;
    };
  }, [key]);

  const stale = result.key !== key;
  return {
    items: result.items,
    page: tokens.length,
    loading: stale && !quiet,
    refreshing: stale && quiet,
    refreshed: !stale && quiet,
    problem: result.problem,
    hasNext: result.next !== "",
    next: useCallback(
      () => result.next && setAt((a) => ({ ...a, tokens: [...a.tokens, result.next], quiet: false })),
      [result.next],
    ),
    previous: useCallback(
      () => setAt((a) => ({ ...a, tokens: a.tokens.length > 1 ? a.tokens.slice(0, -1) : a.tokens, quiet: false })),
      [],
    ),
    reload: useCallback(() => setAt((a) => ({ ...a, reloads: a.reloads + 1, quiet: false })), []),
    first: useCallback(() => setAt((a) => ({ ...a, tokens: [""], quiet: false })), []),
    refresh: useCallback(
      (fromStart: boolean) =>
        setAt((a) => ({ tokens: fromStart ? [""] : a.tokens, reloads: a.reloads + 1, quiet: true })),
      [],
    ),
  };
}

export function Pager({ label, paged }: { label: string; paged: Paged<unknown> }) {
  if (paged.page === 1 && !paged.hasNext) return null;
  return (
    <nav class="pager" aria-label={`${label}: pages`}>
      <button type="button" onClick={paged.previous} disabled={paged.page === 1 || paged.loading}>
        Previous page
      </button>
      <span aria-live="polite">Page {paged.page}</span>
      <button type="button" onClick={paged.next} disabled={!paged.hasNext || paged.loading}>
        Next page
      </button>
    </nav>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p class="muted" role="status">
      Loading {what}…
    </p>
  );
}
