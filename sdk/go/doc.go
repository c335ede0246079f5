// Package fhirimport is the Go client of fhir-import: bulk import of FHIR R4
// DocumentReference resources into projects, over gRPC.
//
// Dial gives a Client holding the generated client of every service
// (package fhirimportv1, made from proto/ by buf), over one connection whose
// calls all carry "authorization: Bearer <token>" and
// "x-sbg-advance-access: advance". Around them sit the helpers a portal
// needs:
//
//   - token sources: a fixed token, a portal's own token from its client
//     credentials, a user's tokens from a rotating refresh token, and the
//     authorization-code + PKCE redirect (Portal);
//   - ImportDocuments, ImportNDJSON and ImportBundle, which stream documents
//     as the server takes them;
//   - WatchImport, whose events survive a server restart, and Wait;
//   - ListFiles and the other lists as iterators over every page;
//   - one error type per gRPC status the API documents (NotFoundError, …),
//     for errors.As and errors.Is;
//   - reads (Get…, List…, Preview…) sent again after UNAVAILABLE.
//
// Deadlines and cancellation come from each call's context.
package fhirimport
