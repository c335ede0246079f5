/**
 * Imports as they stand, kept current by WatchImport: one shared entry per
 * import, fed by lists, GetImport and watch events; at most `maxWatches`
 * streams open at once (the rest wait their turn), each resuming after a
 * dropped connection from the last sequence it saw (the SDK's watch does).
 */
import {
  ImportState,
  InvalidArgumentError,
  NotFoundError,
  PermissionDeniedError,
  ResourceExhaustedError,
  UnauthenticatedError,
  isTerminal,
  typedError,
  watchImport,
  type Import,
  type ImportCounts,
  type ImportEvent,
} from "@fhir-import/client/web";

import type { FhirImport } from "./api.js";
import { describe } from "./api.js";
import type { Session } from "./auth.js";
import { addSample, stages, type Sample } from "./progress.js";

export type Connection = "none" | "queued" | "live" | "reconnecting" | "ended" | "failed";

export interface LiveImport {
  imp: Import;
  counts?: ImportCounts;
  /** Latest sequence applied. */
  sequence: bigint;
  samples: Sample[];
  stall?: string;
  connection: Connection;
  problem?: string;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    });
  });

/**
 * Browsers open at most 6 HTTP/1.1 connections per origin and a watch holds
 * one: over HTTP/1.1 keep 2 free for the other calls; over HTTP/2 one
 * connection carries everything.
 */
export function defaultMaxWatches(): number {
  const [navigation] = performance.getEntriesByType("navigation") as PerformanceNavigationTiming[];
  const protocol = navigation?.nextHopProtocol ?? "";
  return protocol === "h2" || protocol === "h3" ? 8 : 4;
}

export class LiveImports {
  private entries = new Map<string, LiveImport>();
  private listeners = new Set<() => void>();
  private wanted = new Map<string, number>();
  private running = new Map<string, AbortController>();
  private queue: string[] = [];

  constructor(
    private readonly api: FhirImport,
    private readonly session: Session,
    readonly maxWatches = defaultMaxWatches(),
  ) {}

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed() {
    for (const listener of this.listeners) listener();
  }

  get(id: string): LiveImport | undefined {
    return this.entries.get(id);
  }

  /** How many watches are open and waiting. */
  watching(): { open: number; waiting: number; reconnecting: number } {
    let reconnecting = 0;
    for (const id of this.running.keys()) if (this.entries.get(id)?.connection === "reconnecting") reconnecting++;
    return { open: this.running.size, waiting: this.queue.length, reconnecting };
  }

  /** What a list or GetImport said; older news than a watch already gave is ignored. */
  seed(imp: Import): void {
    const entry = this.entries.get(imp.id);
    if (entry && entry.sequence > imp.lastSequence) return;
    const connection = entry?.connection ?? "none";
    this.entries.set(imp.id, {
      imp,
      counts: imp.counts,
      sequence: imp.lastSequence,
      samples: this.sampled(entry?.samples ?? [], imp, imp.counts),
      stall: entry?.stall,
      connection: connection === "none" && isTerminal(imp.state) ? "ended" : connection,
      problem: entry?.problem,
    });
    this.changed();
  }

  private sampled(samples: Sample[], imp: Import, counts: ImportCounts | undefined): Sample[] {
    const s = stages(imp, counts);
    return addSample(samples, { at: performance.now(), imported: s.imported.done, scraped: s.scraped?.done ?? 0 });
  }

  /** Follow this import live while the returned function is not called. */
  want(id: string): () => void {
    this.wanted.set(id, (this.wanted.get(id) ?? 0) + 1);
    this.schedule(id);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.wanted.get(id) ?? 1) - 1;
      if (left > 0) {
        this.wanted.set(id, left);
        return;
      }
      this.wanted.delete(id);
      this.queue = this.queue.filter((queued) => queued !== id);
      this.running.get(id)?.abort();
    };
  }

  private schedule(id: string) {
    const entry = this.entries.get(id);
    if (this.running.has(id) || this.queue.includes(id)) return;
    if (entry && isTerminal(entry.imp.state) && entry.connection === "ended") return;
    if (this.running.size >= this.maxWatches) {
      this.queue.push(id);
      this.patch(id, { connection: "queued" });
      return;
    }
    const controller = new AbortController();
    this.running.set(id, controller);
    void this.follow(id, controller.signal).finally(() => {
      this.running.delete(id);
      const next = this.queue.shift();
      if (next !== undefined) this.schedule(next);
      this.changed();
    });
  }

  private patch(id: string, change: Partial<LiveImport>) {
    const entry = this.entries.get(id);
    if (!entry) return;
    this.entries.set(id, { ...entry, ...change });
    this.changed();
  }

  private apply(id: string, event: ImportEvent, floor: bigint) {
    let entry = this.entries.get(id);
    if (event.kind.case === "snapshot") {
      const imp = event.kind.value;
      this.seed(imp);
      entry = this.entries.get(id);
      if (!entry) return;
      this.entries.set(id, {
        ...entry,
        imp,
        counts: event.counts ?? imp.counts,
        connection: "live",
        problem: undefined,
      });
      this.changed();
      return;
    }
    if (!entry) return;
    // Events the snapshot already included carry older counts.
    if (event.sequence <= floor) return;
    const imp = { ...entry.imp };
    let stall = entry.stall;
    if (event.kind.case === "stateChange") {
      imp.state = event.kind.value.state;
      if (event.kind.value.error) imp.error = event.kind.value.error;
      // Until GetImport says so, the change's own time is when it finished.
      if (isTerminal(imp.state) && !imp.finishTime) imp.finishTime = event.time;
    }
    if (event.kind.case === "stall") {
      stall = event.kind.value.reason;
    } else {
      stall = undefined;
    }
    const counts = event.counts ?? entry.counts;
    imp.lastSequence = event.sequence;
    this.entries.set(id, {
      ...entry,
      imp,
      counts,
      sequence: event.sequence,
      samples: this.sampled(entry.samples, imp, counts),
      stall,
      connection: "live",
      problem: undefined,
    });
    this.changed();
  }

  /**
   * WatchImport until the import ends. The SDK's watch rides out dropped
   * connections and restarts by itself (a browser's failed fetch included),
   * resuming after the last sequence, for as long as it takes; this loop
   * adds what a page needs beyond: the card's status, and trying again
   * after what the SDK does not resume on (a busy server, a sign-in being
   * renewed, a server error, the GetImport at the end).
   */
  private async follow(id: string, signal: AbortSignal) {
    let failures = 0;
    for (;;) {
      if (signal.aborted) return;
      let floor = this.entries.get(id)?.sequence ?? 0n;
      this.patch(id, { connection: failures ? "reconnecting" : "live" });
      try {
        for await (const event of watchImport(this.api.imports, id, {
          afterSequence: floor,
          signal,
          maxReconnects: Infinity,
          backoffMs: 500,
          onReconnect: (error) => this.patch(id, { connection: "reconnecting", problem: describe(error).text }),
          // The new connection's snapshot: live again, even if nothing changes for a while.
          onResumed: () => this.patch(id, { connection: "live", problem: undefined }),
        })) {
          failures = 0;
          if (event.kind.case === "snapshot") floor = event.kind.value.lastSequence;
          this.apply(id, event, floor);
        }
        // The stream ends with the import: one last look for its finish time.
        const done = await this.api.imports.getImport({ importId: id });
        this.seed(done);
        this.patch(id, { connection: "ended" });
        return;
      } catch (err) {
        if (signal.aborted) return;
        const error = typedError(err);
        const problem = describe(error, this.session);
        // Trying again would not help.
        if ([NotFoundError, PermissionDeniedError, InvalidArgumentError].some((Class) => error instanceof Class)) {
          this.patch(id, { connection: "failed", problem: problem.text });
          return;
        }
        if (error instanceof UnauthenticatedError && this.session.state.kind !== "signed-in") return;
        failures += 1;
        this.patch(id, { connection: "reconnecting", problem: problem.text });
        const pause = error instanceof ResourceExhaustedError ? 5_000 : Math.min(10_000, 500 * 2 ** failures);
        await sleep(pause + Math.random() * 250, signal);
      }
    }
  }

  /** The state a finished import shows; running ones are followed. */
  static running(imp: Import): boolean {
    return !isTerminal(imp.state) && imp.state !== ImportState.UNSPECIFIED;
  }
}
