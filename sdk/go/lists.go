package fhirimport

// Lists as iterators over every page.

import (
	"context"
	"sort"

	pb "github.com/fhir-import/fhir-import/sdk/go/fhirimportv1"
)

// FileQuery narrows ListFiles.
type FileQuery struct {
	// Only files whose metadata has each key with exactly this value.
	Where map[string]string
	// Only files created or last overwritten by this import.
	ImportID string
	// Files per page; 0 means the server's default (100).
	PageSize uint32
}

// ListFiles is a project's files, oldest first, a page fetched as needed.
func (c *Client) ListFiles(ctx context.Context, project string, query *FileQuery) *Iterator[*pb.File] {
	if query == nil {
		query = &FileQuery{}
	}
	keys := make([]string, 0, len(query.Where))
	for key := range query.Where {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	filters := make([]*pb.MetadataFilter, 0, len(keys))
	for _, key := range keys {
		filters = append(filters, &pb.MetadataFilter{Key: key, Value: query.Where[key]})
	}
	return paged(ctx, func(ctx context.Context, token string) ([]*pb.File, string, error) {
		page, err := c.Files.ListFiles(ctx, &pb.ListFilesRequest{
			Project:   project,
			Filters:   filters,
			ImportId:  query.ImportID,
			PageSize:  query.PageSize,
			PageToken: token,
		})
		if err != nil {
			return nil, "", err
		}
		return page.Files, page.NextPageToken, nil
	})
}

// ListProjects is the projects the caller can see, by slug.
func (c *Client) ListProjects(ctx context.Context) *Iterator[*pb.Project] {
	return paged(ctx, func(ctx context.Context, token string) ([]*pb.Project, string, error) {
		page, err := c.Projects.ListProjects(ctx, &pb.ListProjectsRequest{PageToken: token})
		if err != nil {
			return nil, "", err
		}
		return page.Projects, page.NextPageToken, nil
	})
}

// ListImports is a project's imports, newest first.
func (c *Client) ListImports(ctx context.Context, project string) *Iterator[*pb.Import] {
	return paged(ctx, func(ctx context.Context, token string) ([]*pb.Import, string, error) {
		page, err := c.Imports.ListImports(ctx, &pb.ListImportsRequest{Project: project, PageToken: token})
		if err != nil {
			return nil, "", err
		}
		return page.Imports, page.NextPageToken, nil
	})
}

// ListImportItems is an import's items in stream order; only those in
// states, when any are given.
func (c *Client) ListImportItems(ctx context.Context, importID string, states ...pb.ItemState) *Iterator[*pb.ImportItem] {
	return paged(ctx, func(ctx context.Context, token string) ([]*pb.ImportItem, string, error) {
		page, err := c.Imports.ListImportItems(ctx, &pb.ListImportItemsRequest{ImportId: importID, States: states, PageToken: token})
		if err != nil {
			return nil, "", err
		}
		return page.Items, page.NextPageToken, nil
	})
}
