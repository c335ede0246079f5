//! FileService over gRPC.

use tonic::{Request, Response, Status};

use super::convert;
use crate::auth::Caller;
use crate::proto::v1::{self as pb, file_service_server::FileService};
use crate::services::files::{FileQuery, Files};

pub struct FileApi {
    files: Files,
}

impl FileApi {
    pub fn new(files: Files) -> Self {
        Self { files }
    }
}

#[tonic::async_trait]
impl FileService for FileApi {
    async fn get_file(
        &self,
        request: Request<pb::GetFileRequest>,
    ) -> Result<Response<pb::File>, Status> {
        let caller = Caller::of(&request)?;
        let file = self.files.get(&caller, &request.into_inner().id).await?;
        Ok(Response::new(convert::file(file)))
    }

    async fn list_files(
        &self,
        request: Request<pb::ListFilesRequest>,
    ) -> Result<Response<pb::ListFilesResponse>, Status> {
        let caller = Caller::of(&request)?;
        let request = request.into_inner();
        let query = FileQuery {
            project: request.project,
            filters: request
                .filters
                .into_iter()
                .map(|f| (f.key, f.value))
                .collect(),
            import_id: request.import_id,
            page_size: request.page_size,
            page_token: request.page_token,
        };
        let (files, next_page_token) = self.files.list(&caller, query).await?;
        Ok(Response::new(pb::ListFilesResponse {
            files: files.into_iter().map(convert::file).collect(),
            next_page_token,
        }))
    }
}
