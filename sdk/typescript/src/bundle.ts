/** FHIR Bundles as a source of documents. */
/** The DocumentReferences among a Bundle's entries (JSON text or parsed). */
export function* bundleDocuments(bundle: string | Record<string, unknown>): Generator<Record<string, unknown>> {
  const parsed = (typeof bundle === "string" ? JSON.parse(bundle) : bundle) as {
    resourceType?: string;
    entry?: Array<{ resource?: Record<string, unknown> }>;
  };
  if (parsed.resourceType !== "Bundle") {
    throw new TypeError(`expected a Bundle, got ${String(parsed.resourceType)}`);
  }
  for (const entry of parsed.entry ?? []) {
    if (entry.resource?.resourceType === "DocumentReference") {
      yield entry.resource;
    }
  }
}
