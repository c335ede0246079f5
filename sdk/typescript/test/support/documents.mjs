/** A valid DocumentReference whose file is `sample-<n>.cram`. */
export function document(n) {
  return {
    resourceType: "DocumentReference",
    id: `doc-${n}`,
    status: "current",
    subject: { reference: `Patient/pt-${n}` },
    content: [{ attachment: { url: `drs://example.org/file-${n}`, title: `sample-${n}.cram`, size: 1000 + n } }],
  };
}
