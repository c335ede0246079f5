/**
 * Following imports: events that survive a dropped connection, and waiting
 * for the end.
 */
import { Code, ConnectError, type Client } from "@connectrpc/connect";

import {
  ImportState,
  type Import,
  type ImportEvent,
  type ImportService,
} from "./gen/fhir_import/v1/import_pb.js";

const TERMINAL = new Set([
  ImportState.COMPLETED,
  ImportState.COMPLETED_WITH_ERRORS,
  ImportState.FAILED,
  ImportState.CANCELLED,
]);

/**
 * A stream the server ended with UNAVAILABLE (draining, restarting), or one
 * whose connection broke under it. Node reports a connection that died (a
 * killed server) as an HTTP/2 reset, which Connect turns into CANCELED or
 * INTERNAL; the server itself never sends those for a watch. Over gRPC-Web,
 * fetch reports a refused or dropped connection, and a response body cut
 * short, as a TypeError ("Failed to fetch", "network error", Node's "fetch
 * failed" or "terminated"), which Connect turns into UNKNOWN with the
 * TypeError as its cause; an UNKNOWN the server sent has no such cause.
 */
function isDropped(error: ConnectError): boolean {
  if (error.code === Code.Unavailable) return true;
  if (error.code === Code.Unknown) return isFetchFailure(error.cause);
  const reset = error.rawMessage.startsWith("http/2 stream closed");
  return reset && (error.code === Code.Canceled || error.code === Code.Internal);
}

/** What fetch rejects with when the network fails it (by name too: another realm's TypeError). */
function isFetchFailure(cause: unknown): boolean {
  return cause instanceof TypeError || (cause instanceof Error && cause.name === "TypeError");
}

export function isTerminal(state: ImportState): boolean {
  return TERMINAL.has(state);
}

export interface WatchOptions {
  /** Events after this sequence only (0: a snapshot first, then all). */
  afterSequence?: bigint;
  /**
   * How many times in a row to reconnect after UNAVAILABLE or a dropped
   * connection (`Infinity`: as long as it takes, e.g. for a page left open).
   */
  maxReconnects?: number;
  /** Pause before the first reconnect; doubled each time, up to 5 s (ms). */
  backoffMs?: number;
  signal?: AbortSignal;
  /** Told of each reconnect: the error that broke the stream, the attempt (1, 2, ...). */
  onReconnect?: (error: ConnectError, attempt: number) => void;
  /**
   * Told when a reconnect worked, with the new connection's snapshot (not
   * yielded: the events after the last one yielded follow), which is the
   * first sign of life of an import that is not changing right now.
   */
  onResumed?: (snapshot: ImportEvent) => void;
}

/**
 * The import's events until it ends: a snapshot first, then one event per
 * change, sequences strictly increasing. When the server drains or the
 * connection drops (UNAVAILABLE, a reset HTTP/2 stream on Node, a failed
 * fetch in a browser), it reconnects and resumes after the last sequence it
 * yielded (the new connection's snapshot is skipped), so nothing is missed
 * or repeated.
 */
export async function* watchImport(
  imports: Client<typeof ImportService>,
  importId: string,
  options: WatchOptions = {},
): AsyncGenerator<ImportEvent> {
  let after = options.afterSequence ?? 0n;
  const maxReconnects = options.maxReconnects ?? 10;
  let failures = 0;
  let resumed = false;
  for (;;) {
    try {
      for await (const event of imports.watchImport(
        { importId, afterSequence: after },
        { signal: options.signal },
      )) {
        failures = 0;
        if (event.kind.case === "snapshot") {
          // Each connection starts with one; the caller has had it.
          if (resumed) options.onResumed?.(event);
          else yield event;
          continue;
        }
        if (event.sequence > after) {
          after = event.sequence;
          yield event;
        }
      }
      return;
    } catch (err) {
      const error = ConnectError.from(err);
      if (!isDropped(error) || failures >= maxReconnects || options.signal?.aborted) {
        throw error;
      }
      const pause = Math.min(5_000, (options.backoffMs ?? 100) * 2 ** failures);
      failures += 1;
      resumed = true;
      options.onReconnect?.(error, failures);
      await new Promise((resume) => setTimeout(resume, pause));
    }
  }
}

/** Waits until the import has ended and returns it as GetImport shows it. */
export async function waitForImport(
  imports: Client<typeof ImportService>,
  importId: string,
  options: Omit<WatchOptions, "afterSequence"> = {},
): Promise<Import> {
  const current = await imports.getImport({ importId });
  if (isTerminal(current.state)) {
    return current;
  }
  for await (const _event of watchImport(imports, importId, {
    ...options,
    afterSequence: current.lastSequence,
  })) {
    // The stream ends when the import does.
  }
  return imports.getImport({ importId });
}
