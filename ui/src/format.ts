/** How numbers, times and the API's enums read on the page. */
import { ImportKind, ImportState, ItemFailure, ItemState, MetadataState, RejectionCode } from "@fhir-import/client/web";

/** A protobuf Timestamp as the SDK's messages carry it. */
export interface Stamp {
  seconds: bigint;
  nanos: number;
}

export function toDate(stamp: Stamp | undefined): Date | undefined {
  if (!stamp) return undefined;
  return new Date(Number(stamp.seconds) * 1000 + Math.floor(stamp.nanos / 1e6));
}

const numbers = new Intl.NumberFormat("en-US");
export function count(value: bigint | number): string {
  return numbers.format(typeof value === "bigint" ? Number(value) : value);
}

const when = new Intl.DateTimeFormat("en-GB", {
  year: "numeric",
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
});
export function dateTime(date: Date | undefined): string {
  return date ? when.format(date) : "—";
}

/** `5 s`, `3 min 20 s`, `2 h 5 min`. */
export function duration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "—";
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m} min ${s % 60} s` : `${m} min`;
  const h = Math.floor(m / 60);
  return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
}

export function rate(perSecond: number): string {
  if (!Number.isFinite(perSecond) || perSecond <= 0) return "—";
  const digits = perSecond < 10 ? 1 : 0;
  const text = new Intl.NumberFormat("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(
    perSecond,
  );
  return `${text} docs/s`;
}

export function bytes(size: bigint | undefined): string {
  if (size === undefined) return "—";
  const n = Number(size);
  if (n < 1024) return `${n} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** `COMPLETED_WITH_ERRORS` → `Completed with errors`. */
function words(name: string | undefined): string {
  if (!name) return "Unknown";
  const lower = name.toLowerCase().replace(/_/g, " ");
  return lower.charAt(0).toUpperCase() + lower.slice(1);
}

export const stateName = (state: ImportState) => ImportState[state] ?? "UNSPECIFIED";
export const stateWords = (state: ImportState) => words(ImportState[state]);
export const kindWords = (kind: ImportKind) => (kind === ImportKind.RESCRAPE ? "Rescrape" : "Documents");
export const itemStateName = (state: ItemState) => ItemState[state] ?? "UNSPECIFIED";
export const rejectionCodeName = (code: RejectionCode) => RejectionCode[code] ?? "UNSPECIFIED";
export const failureName = (failure: ItemFailure) => ItemFailure[failure] ?? "UNSPECIFIED";
export const metadataStateWords = (state: MetadataState) => words(MetadataState[state]);

/**
 * The last 8 hex digits of a UUID: enough to tell imports apart on a page
 * (the first ones of a UUIDv7 are a timestamp, shared by imports started
 * within the same minute).
 */
export function shortId(id: string): string {
  return id.replace(/-/g, "").slice(-8);
}
