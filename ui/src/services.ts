/** What every page reaches for: the session, the clients, the live imports. */
import { createContext } from "preact";
import { useContext, useEffect, useReducer, useRef } from "preact/hooks";

import type { FhirImport } from "./api.js";
import type { Session } from "./auth.js";
import type { LiveImports } from "./live.js";

export interface Services {
  session: Session;
  api: FhirImport;
  live: LiveImports;
}

export const ServicesContext = createContext<Services | null>(null);

export function useServices(): Services {
  const services = useContext(ServicesContext);
  if (!services) throw new Error("no services");
  return services;
}

/** Renders again whenever `source` says it changed. */
export function useSubscription(source: { subscribe(listener: () => void): () => void }): void {
  const [, bump] = useReducer((n: number) => n + 1, 0);
  useEffect(() => {
    const unsubscribe = source.subscribe(() => bump(undefined));
    // What changed between the render and now.
    bump(undefined);
    return unsubscribe;
  }, [source]);
}

/** Renders again every `ms` (rates and "time left" move with the clock). */
export function useTicker(ms: number): number {
  const [tick, bump] = useReducer((n: number) => n + 1, 0);
  useEffect(() => {
    const timer = setInterval(() => bump(undefined), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return tick;
}

/**
 * Calls `load` now and then every `ms` until unmounted or `deps` change;
 * `load` gets a signal that aborts then. A slow load is not overlapped.
 */
export function usePolling(load: (signal: AbortSignal) => Promise<void>, ms: number, deps: unknown[]): void {
  const latest = useRef(load);
  latest.current = load;
  useEffect(() => {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = async () => {
      try {
        await latest.current(controller.signal);
      } finally {
        if (!controller.signal.aborted) timer = setTimeout(run, ms);
      }
    };
    void run();
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
}
