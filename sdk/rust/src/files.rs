//! Projects and files, and listing: every page of a list call as one
//! stream.

use futures::Stream;

use crate::error::Error;
use crate::proto::v1 as pb;
use crate::Client;

/// Which files `list_files` yields.
#[derive(Debug, Clone, Default)]
pub struct FileQuery {
    /// Files whose metadata has each key with that value (AND; at most 20).
    pub filters: Vec<(String, String)>,
    /// Files created or last overwritten by this import only.
    pub import_id: Option<String>,
    /// Files per page (0: the server's default of 100).
    pub page_size: u32,
}

impl FileQuery {
    /// Only files whose metadata has `key` = `value`.
    pub fn with(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.filters.push((key.into(), value.into()));
        self
    }
}

/// The pages of a list call as one stream: `fetch(page_token)` returns a
/// page's items and the next token (empty after the last page).
fn pages<T, F, Fut>(mut fetch: F) -> impl Stream<Item = Result<T, Error>> + Send + 'static
where
    T: Send + 'static,
    F: FnMut(String) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = Result<(Vec<T>, String), tonic::Status>> + Send,
{
    async_stream::try_stream! {
        let mut token = String::new();
        loop {
            let (items, next) = fetch(token).await.map_err(Error::from)?;
            for item in items {
                yield item;
            }
            if next.is_empty() {
                break;
            }
            token = next;
        }
    }
}

impl Client {
    /// The project's files, every page, as one stream.
    pub fn list_files(
        &self,
        project: &str,
        query: FileQuery,
    ) -> impl Stream<Item = Result<pb::File, Error>> + Send + 'static {
        let files = self.files();
        let project = project.to_owned();
        pages(move |page_token| {
            let mut files = files.clone();
            let request = pb::ListFilesRequest {
                project: project.clone(),
                filters: query
                    .filters
                    .iter()
                    .map(|(key, value)| pb::MetadataFilter {
                        key: key.clone(),
                        value: value.clone(),
                    })
                    .collect(),
                page_size: query.page_size,
                page_token,
                import_id: query.import_id.clone().unwrap_or_default(),
            };
            async move {
                let page = files.list_files(request).await?.into_inner();
                Ok((page.files, page.next_page_token))
            }
        })
    }

    /// A file by id.
    pub async fn get_file(&self, file_id: &str) -> Result<pb::File, Error> {
        let request = pb::GetFileRequest {
            id: file_id.to_owned(),
        };
        Ok(self.files().get_file(request).await?.into_inner())
    }

    /// A new project of the caller's, named `name`.
    pub async fn create_project(&self, name: &str) -> Result<pb::Project, Error> {
        let request = pb::CreateProjectRequest {
            name: name.to_owned(),
            ..Default::default()
        };
        Ok(self.projects().create_project(request).await?.into_inner())
    }

    /// The caller's projects, every page.
    pub fn list_projects(&self) -> impl Stream<Item = Result<pb::Project, Error>> + Send + 'static {
        let projects = self.projects();
        pages(move |page_token| {
            let mut projects = projects.clone();
            async move {
                let page = projects
                    .list_projects(pb::ListProjectsRequest {
                        page_token,
                        ..Default::default()
                    })
                    .await?
                    .into_inner();
                Ok((page.projects, page.next_page_token))
            }
        })
    }

    /// The project's imports, newest first, every page.
    pub fn list_imports(
        &self,
        project: &str,
    ) -> impl Stream<Item = Result<pb::Import, Error>> + Send + 'static {
        let imports = self.imports();
        let project = project.to_owned();
        pages(move |page_token| {
            let mut imports = imports.clone();
            let request = pb::ListImportsRequest {
                project: project.clone(),
                page_token,
                ..Default::default()
            };
            async move {
                let page = imports.list_imports(request).await?.into_inner();
                Ok((page.imports, page.next_page_token))
            }
        })
    }

    /// An import's items (documents), every page; `request` chooses which
    /// (its page token is managed here).
    pub fn list_import_items(
        &self,
        request: pb::ListImportItemsRequest,
    ) -> impl Stream<Item = Result<pb::ImportItem, Error>> + Send + 'static {
        let imports = self.imports();
        pages(move |page_token| {
            let mut imports = imports.clone();
            let request = pb::ListImportItemsRequest {
                page_token,
                ..request.clone()
            };
            async move {
                let page = imports.list_import_items(request).await?.into_inner();
                Ok((page.items, page.next_page_token))
            }
        })
    }
}
