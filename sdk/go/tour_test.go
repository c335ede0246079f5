package fhirimport_test

// The tour, through the SDK against the real server: a token, a project, an
// import with one rejection and metadata, its events to the end, its files
// filtered by metadata.

import (
	"sort"
	"testing"

	fhirimport "github.com/fhir-import/fhir-import/sdk/go"
	pb "github.com/fhir-import/fhir-import/sdk/go/fhirimportv1"
)

func TestTour(t *testing.T) {
	t.Parallel()
	server := shared(t)
	client := dial(t, server)
	ctx := testContext(t)

	project, err := client.CreateProject(ctx, "go-tour", "the Go SDK's tour")
	if err != nil {
		t.Fatal(err)
	}
	documents := fhirimport.Documents(
		fhirimport.ResourceDocument(document(0)).WithMetadata(map[string]string{"study": "SD_GO"}),
		fhirimport.JSONDocument("{not json"),
		fhirimport.JSONDocument(documentJSON(t, 2)),
	)
	result, err := client.ImportDocuments(ctx, project.Id, documents, &fhirimport.ImportOptions{
		OnConflict: pb.ConflictPolicy_CONFLICT_POLICY_SKIP,
		Tags:       []string{"tour"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if result.Received != 3 || result.Accepted != 2 || result.Rejected != 1 {
		t.Fatalf("received %d, accepted %d, rejected %d; want 3, 2, 1", result.Received, result.Accepted, result.Rejected)
	}
	if len(result.Rejections) != 1 {
		t.Fatalf("rejections: %v", result.Rejections)
	}
	rejection := result.Rejections[0]
	if rejection.Index != 1 || rejection.Code != pb.RejectionCode_REJECTION_CODE_INVALID_JSON || rejection.Message == "" {
		t.Errorf("rejection %+v: want index 1, INVALID_JSON, a message", rejection)
	}
	if result.ImportID == "" || result.Import == nil || result.Import.OnConflict != pb.ConflictPolicy_CONFLICT_POLICY_SKIP {
		t.Errorf("the import as answered: %v", result.Import)
	}

	events, err := client.WatchImport(ctx, result.ImportID, nil).All()
	if err != nil {
		t.Fatal(err)
	}
	if len(events) < 2 || events[0].GetSnapshot() == nil {
		t.Fatalf("want a snapshot, then changes; got %v", events)
	}
	for i := 2; i < len(events); i++ {
		if events[i].Sequence <= events[i-1].Sequence {
			t.Errorf("sequences do not increase: %d after %d", events[i].Sequence, events[i-1].Sequence)
		}
	}
	last := events[len(events)-1].GetStateChange()
	if last == nil || last.State != pb.ImportState_IMPORT_STATE_COMPLETED_WITH_ERRORS {
		t.Errorf("the last event: %v; want the change to COMPLETED_WITH_ERRORS", events[len(events)-1])
	}
	finished, err := client.Wait(ctx, result.ImportID)
	if err != nil {
		t.Fatal(err)
	}
	if finished.State != pb.ImportState_IMPORT_STATE_COMPLETED_WITH_ERRORS || finished.Counts.Imported != 2 {
		t.Errorf("the finished import: %v", finished)
	}
	if finished.LastSequence != events[len(events)-1].Sequence {
		t.Errorf("the watch ended at %d, the import at %d", events[len(events)-1].Sequence, finished.LastSequence)
	}

	// Every page, one file per page.
	files, err := client.ListFiles(ctx, project.Id, &fhirimport.FileQuery{PageSize: 1}).All()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, file := range files {
		names = append(names, file.Name)
	}
	sort.Strings(names)
	if len(names) != 2 || names[0] != "sample-0.cram" || names[1] != "sample-2.cram" {
		t.Errorf("files: %v", names)
	}
	tagged, err := client.ListFiles(ctx, project.Slug, &fhirimport.FileQuery{Where: map[string]string{"study": "SD_GO"}}).All()
	if err != nil {
		t.Fatal(err)
	}
	if len(tagged) != 1 || tagged[0].Name != "sample-0.cram" {
		t.Fatalf("files where study=SD_GO: %v", tagged)
	}
	file, err := client.GetFile(ctx, tagged[0].Id)
	if err != nil {
		t.Fatal(err)
	}
	if file.Metadata["study"] != "SD_GO" || file.DocumentReferenceId != "doc-0" || file.DocumentReferenceJson == "" ||
		file.Url != "drs://example.org/file-0" || len(file.Tags) != 1 || file.Tags[0] != "tour" {
		t.Errorf("the file: %v", file)
	}

	// The imports and items, through the other iterators.
	imports, err := client.ListImports(ctx, project.Id).All()
	if err != nil {
		t.Fatal(err)
	}
	if len(imports) != 1 || imports[0].Id != result.ImportID {
		t.Errorf("imports: %v", imports)
	}
	rejected, err := client.ListImportItems(ctx, result.ImportID, pb.ItemState_ITEM_STATE_REJECTED).All()
	if err != nil {
		t.Fatal(err)
	}
	if len(rejected) != 1 || rejected[0].Index != 1 {
		t.Errorf("rejected items: %v", rejected)
	}
	projects, err := client.ListProjects(ctx).All()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, p := range projects {
		found = found || p.Id == project.Id
	}
	if !found {
		t.Errorf("ListProjects does not list %s", project.Slug)
	}
}

// An import sent again with the idempotency key of one that was received
// answers that import again, importing nothing.
func TestIdempotencyKey(t *testing.T) {
	t.Parallel()
	server := shared(t)
	client := dial(t, server)
	ctx := testContext(t)
	project, err := client.CreateProject(ctx, "go-idempotency", "")
	if err != nil {
		t.Fatal(err)
	}
	options := &fhirimport.ImportOptions{IdempotencyKey: "portal-batch-1"}
	first, err := client.ImportDocuments(ctx, project.Id, fhirimport.Documents(fhirimport.ResourceDocument(document(1))), options)
	if err != nil {
		t.Fatal(err)
	}
	again, err := client.ImportDocuments(ctx, project.Id, fhirimport.Documents(fhirimport.ResourceDocument(document(1))), options)
	if err != nil {
		t.Fatal(err)
	}
	if first.Replayed || !again.Replayed || again.ImportID != first.ImportID || again.Accepted != 1 {
		t.Errorf("first %+v, again %+v: want the same import, replayed the second time", first, again)
	}
	imports, err := client.ListImports(ctx, project.Id).All()
	if err != nil {
		t.Fatal(err)
	}
	if len(imports) != 1 || imports[0].IdempotencyKey != "portal-batch-1" {
		t.Errorf("imports %v: want the one import, with its key", imports)
	}
}
