use fhir_import_client::{pb, Client, Document, FileQuery, ImportOptions};
use futures::TryStreamExt;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = Client::connect(&std::env::var("FHIR_IMPORT_SERVER")?, std::env::var("FHIR_IMPORT_TOKEN")?).await?;
    let project = client.create_project(&format!("quickstart-{}", std::process::id())).await?;
    let document = r#"{"resourceType": "DocumentReference", "id": "doc-1", "status": "current", "content": [{"attachment": {"url": "drs://example.org/1", "title": "reads-1.cram"}}]}"#;
    let documents = futures::stream::iter([Document::json(document), Document::json("{ not a document }")]);
    let response = client.import_documents(&project.id, documents, ImportOptions::default()).await?;
    let ended = client.wait_for_import(&response.import_id).await?;
    println!("accepted {}, rejected {} ({}), ended {:?}", response.accepted, response.rejected, response.rejections[0].message, ended.state());
    let files: Vec<pb::File> = client.list_files(&project.id, FileQuery::default()).try_collect().await?;
    println!("files: {:?}", files.iter().map(|file| &file.name).collect::<Vec<_>>());
    Ok(())
}
