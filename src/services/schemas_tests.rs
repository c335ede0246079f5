//! The catalog's version rules, over a fresh SQLite store.

use super::*;

fn admin() -> Caller {
    Caller::local("ada")
}

fn document(name: &str, version: u32) -> String {
    format!("name: {name}\nversion: {version}\nkeys:\n  status: {{ expression: status }}\n")
}

async fn catalog() -> (Schemas, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("catalog.db").display());
    let store = Store::connect(&url, 1).await.expect("store");
    (Schemas::new(store), dir)
}

fn versions_of(infos: &[SchemaInfo]) -> Vec<String> {
    infos.iter().map(SchemaInfo::id).collect()
}

#[test]
fn a_taken_version_is_already_existing_and_a_lower_one_a_failed_precondition() {
    let schema = Schema::from_yaml(&document("lab", 2)).expect("loads");
    let taken = not_newer(&schema, 3, true);
    assert!(matches!(taken, SchemaCatalogError::AlreadyExists(_)));
    assert_eq!(
        taken.to_string(),
        "schema lab@2 exists already and versions never change; \
         the latest is lab@3: put version 4 or higher"
    );
    let lower = not_newer(&schema, 3, false);
    assert!(matches!(lower, SchemaCatalogError::FailedPrecondition(_)));
    assert!(lower.to_string().contains("lab@3"), "{lower}");
    // No overflow at the top of the range.
    assert!(not_newer(&schema, u32::MAX, false)
        .to_string()
        .contains("put version 4294967296"));
}

#[test]
fn puts_are_recorded_by_user_or_else_by_client() {
    assert_eq!(created_by(&admin()), "ada");
    let portal = Caller {
        user: None,
        client_id: Some("c1".into()),
        scopes: vec!["admin".into()],
    };
    assert_eq!(created_by(&portal), "client:c1");
}

#[tokio::test]
async fn versions_only_grow_and_never_change() {
    let (catalog, _dir) = catalog().await;
    let first = catalog
        .put(&admin(), &document("lab", 1))
        .await
        .expect("v1");
    assert_eq!((first.id(), first.builtin), ("lab@1".to_owned(), false));
    assert_eq!(first.created_by, "ada");

    let again = catalog.put(&admin(), &document("lab", 1)).await;
    assert!(
        matches!(again, Err(SchemaCatalogError::AlreadyExists(_))),
        "{again:?}"
    );

    catalog
        .put(&admin(), &document("lab", 3))
        .await
        .expect("v3");
    let lower = catalog.put(&admin(), &document("lab", 2)).await;
    match lower {
        Err(SchemaCatalogError::FailedPrecondition(message)) => {
            assert!(message.contains("lab@3"), "{message}")
        }
        other => panic!("expected FailedPrecondition, got {other:?}"),
    }
    let versions = catalog.versions("lab").await.expect("versions");
    assert_eq!(versions_of(&versions), ["lab@3", "lab@1"]);
}

#[tokio::test]
async fn shipped_versions_count_and_cannot_be_replaced() {
    let (catalog, _dir) = catalog().await;
    let replaced = catalog.put(&admin(), &document("generic-r4", 2)).await;
    assert!(
        matches!(replaced, Err(SchemaCatalogError::AlreadyExists(_))),
        "{replaced:?}"
    );

    catalog
        .put(&admin(), &document("generic-r4", 3))
        .await
        .expect("a newer version of a shipped schema");
    let latest = catalog.get("generic-r4", None).await.expect("latest");
    assert_eq!(
        (latest.id(), latest.builtin),
        ("generic-r4@3".to_owned(), false)
    );
    let shipped = catalog.get("generic-r4", Some(1)).await.expect("v1");
    assert!(shipped.builtin && shipped.source.contains("name: generic-r4"));

    let versions = catalog.versions("generic-r4").await.expect("versions");
    assert_eq!(
        versions_of(&versions),
        ["generic-r4@3", "generic-r4@2", "generic-r4@1"]
    );
    let listed = catalog.list().await.expect("list");
    assert_eq!(versions_of(&listed), ["generic-r4@3", "ncpi-kids-first@2"]);
    let latest: Vec<String> = catalog
        .all_latest()
        .await
        .expect("all latest")
        .iter()
        .map(Schema::id)
        .collect();
    assert_eq!(latest, ["generic-r4@3", "ncpi-kids-first@2"]);
}

#[tokio::test]
async fn invalid_documents_are_refused_with_the_path() {
    let (catalog, _dir) = catalog().await;
    let bad = "name: lab\nversion: 1\nkeys:\n  case_id: { expression: 'where(use = )' }\n";
    match catalog.put(&admin(), bad).await {
        Err(SchemaCatalogError::InvalidArgument(message)) => {
            assert!(
                message.starts_with("keys.case_id.expression: "),
                "{message}"
            )
        }
        other => panic!("expected InvalidArgument, got {other:?}"),
    }
    let zero = catalog.put(&admin(), &document("lab", 0)).await;
    assert!(
        matches!(zero, Err(SchemaCatalogError::InvalidArgument(m)) if m.starts_with("version:"))
    );
    assert!(matches!(
        catalog.get("lab", None).await,
        Err(SchemaCatalogError::NotFound(_))
    ));
}

#[tokio::test]
async fn references_resolve_to_a_version_or_the_latest() {
    let (catalog, _dir) = catalog().await;
    catalog
        .put(&admin(), &document("lab", 4))
        .await
        .expect("v4");
    let id = |s: Option<Arc<Schema>>| s.map(|s| s.id());
    assert_eq!(
        id(catalog.resolve("lab").await.expect("ok")).as_deref(),
        Some("lab@4")
    );
    assert_eq!(
        id(catalog.resolve("lab@4").await.expect("ok")).as_deref(),
        Some("lab@4")
    );
    assert_eq!(
        id(catalog.resolve("ncpi-kids-first@1").await.expect("ok")).as_deref(),
        Some("ncpi-kids-first@1")
    );
    for missing in ["lab@3", "lab@x", "nothing", "nothing@1"] {
        assert_eq!(
            id(catalog.resolve(missing).await.expect("ok")),
            None,
            "{missing}"
        );
    }
    // Parsed once: the put's copy is what later reads share.
    let a = catalog.resolve("lab@4").await.expect("ok").expect("found");
    let b = catalog.resolve("lab").await.expect("ok").expect("found");
    assert!(Arc::ptr_eq(&a, &b));
}
