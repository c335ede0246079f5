/**
 * An import's two stages as bars: files recorded (imported), then metadata
 * scraped; the rate of each from recent samples and the time left.
 */
import { ImportState, isTerminal, type Import, type ImportCounts } from "@fhir-import/client/web";

export interface Stage {
  /** Items through the stage, failed ones included. */
  done: number;
  /** Items the stage will see (grows while documents arrive). */
  total: number;
  /** Of `done`, those that failed in this stage. */
  failed: number;
}

export interface Stages {
  imported: Stage;
  /** Unset when the import names no FHIR server: nothing is scraped. */
  scraped?: Stage;
}

const n = (value: bigint | undefined) => Number(value ?? 0n);

/** Counts are by the items' current state, so a scraped item no longer counts as imported. */
export function stages(imp: Pick<Import, "fhirServer">, counts: ImportCounts | undefined): Stages {
  const accepted = n(counts?.received) - n(counts?.rejected);
  const scraping = n(counts?.scraped) + n(counts?.scrapeFailed);
  const left = n(counts?.skipped) + n(counts?.failed) + n(counts?.cancelled);
  const imported = {
    done: n(counts?.imported) + scraping + left,
    total: Math.max(accepted, 0),
    failed: n(counts?.failed),
  };
  if (!imp.fhirServer) return { imported };
  // Skipped, failed and cancelled items are never scraped.
  return {
    imported,
    scraped: { done: scraping, total: Math.max(accepted - left, 0), failed: n(counts?.scrapeFailed) },
  };
}

export function fraction(stage: Stage): number {
  return stage.total > 0 ? Math.min(1, stage.done / stage.total) : 0;
}

/** One look at the counts: when (ms, page clock) and each stage's done. */
export interface Sample {
  at: number;
  imported: number;
  scraped: number;
}

const WINDOW_MS = 20_000;

/** Keeps the samples of the last WINDOW_MS, plus the one just before it. */
export function addSample(samples: Sample[], sample: Sample): Sample[] {
  const last = samples[samples.length - 1];
  if (last && last.imported === sample.imported && last.scraped === sample.scraped) return samples;
  const kept = [...samples, sample];
  while (kept.length > 2 && (kept[1] as Sample).at < sample.at - WINDOW_MS) kept.shift();
  return kept;
}

/** Items per second through one stage lately (0 when unknown). */
export function recentRate(samples: Sample[], key: "imported" | "scraped", now: number): number {
  const first = samples[0];
  const last = samples[samples.length - 1];
  if (!first || !last || first === last) return 0;
  const seconds = (Math.max(now, last.at) - first.at) / 1000;
  if (seconds < 1) return 0;
  return (last[key] - first[key]) / seconds;
}

/** Seconds from the import's start to its end; undefined before it ended. */
export function elapsed(imp: Pick<Import, "createTime" | "finishTime">): number | undefined {
  if (!imp.createTime || !imp.finishTime) return undefined;
  const seconds =
    Number(imp.finishTime.seconds - imp.createTime.seconds) + (imp.finishTime.nanos - imp.createTime.nanos) / 1e9;
  return Math.max(seconds, 0);
}

export interface Pace {
  /** Documents per second of the stage that is working now. */
  rate: number;
  /** Seconds until both stages are through; undefined when unknown. */
  left?: number;
  /** Words for the time left when there is no number. */
  note: string;
  /** True when the rate is the whole import's average (it finished). */
  average: boolean;
}

export function pace(imp: Import, counts: ImportCounts | undefined, samples: Sample[], now: number): Pace {
  const s = stages(imp, counts);
  if (isTerminal(imp.state)) {
    const seconds = elapsed(imp);
    return {
      rate: seconds !== undefined ? s.imported.done / Math.max(seconds, 0.1) : 0,
      note: "finished",
      average: true,
    };
  }
  const importing = recentRate(samples, "imported", now);
  const scraping = recentRate(samples, "scraped", now);
  const remainingImport = s.imported.total - s.imported.done;
  const remainingScrape = s.scraped ? s.scraped.total - s.scraped.done : 0;
  const rate = remainingImport > 0 || !s.scraped ? importing : scraping;
  if (imp.state === ImportState.RECEIVING) {
    return { rate, note: "still receiving documents", average: false };
  }
  const waits: number[] = [];
  if (remainingImport > 0) waits.push(importing > 0 ? remainingImport / importing : Infinity);
  if (remainingScrape > 0) waits.push(scraping > 0 ? remainingScrape / scraping : Infinity);
  const left = waits.length ? Math.max(...waits) : 0;
  if (!Number.isFinite(left)) return { rate, note: "estimating…", average: false };
  return { rate, left, note: "", average: false };
}
