//! The dashboard at `/ui`: a page that signs people in with the service's
//! own authorization-code flow (the built-in public client
//! `fhir-import-dashboard`, PKCE, no secret) and follows their imports
//! over gRPC-Web. Its assets are built ahead from `ui/` and embedded from
//! `ui/dist`, so the binary serves them with no Node at run time;
//! `[web] ui_dir` serves a folder instead (working on the dashboard).
//!
//! Every asset answers with a strict Content-Security-Policy (scripts,
//! styles and calls to this origin only) and an ETag, revalidated on each
//! load (`no-cache`) so that a new binary's dashboard shows at once.

use std::{collections::HashMap, path::PathBuf, sync::Arc};

use axum::{
    extract::{Path, State},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Json, Redirect, Response},
    routing::get,
    Router,
};
use include_dir::{include_dir, Dir};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::domain::account::{DASHBOARD_CLIENT_ID, DASHBOARD_REDIRECT_PATH, DASHBOARD_SCOPES};

static BUILT: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/ui/dist");

const POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; \
     form-action 'self'";

/// Where the assets come from.
#[derive(Clone)]
enum Assets {
    /// The build embedded in the binary, with each file's ETag.
    Embedded(Arc<HashMap<&'static str, (&'static [u8], String)>>),
    /// A folder on disk, read per request.
    Folder(PathBuf),
}

#[derive(Clone)]
struct Dashboard {
    assets: Assets,
    issuer_url: String,
}

/// The routes under `/ui`; `ui_dir` replaces the embedded build.
pub fn router(issuer_url: String, ui_dir: Option<PathBuf>) -> Router {
    let assets = match ui_dir {
        Some(folder) => Assets::Folder(folder),
        None => {
            let mut files = HashMap::new();
            collect(&BUILT, &mut files);
            Assets::Embedded(Arc::new(files))
        }
    };
    let dashboard = Dashboard { assets, issuer_url };
    Router::new()
        .route("/ui", get(|| async { Redirect::permanent("/ui/") }))
        .route("/ui/", get(index))
        .route("/ui/config.json", get(config))
        .route("/ui/{*path}", get(asset))
        .with_state(dashboard)
}

fn collect(dir: &'static Dir<'static>, into: &mut HashMap<&'static str, (&'static [u8], String)>) {
    for file in dir.files() {
        if let Some(path) = file.path().to_str() {
            into.insert(path, (file.contents(), etag(file.contents())));
        }
    }
    for sub in dir.dirs() {
        collect(sub, into);
    }
}

fn etag(contents: &[u8]) -> String {
    let digest = Sha256::digest(contents);
    let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
}

/// What the page needs to sign in: its client, where the flow comes back
/// to, and the endpoints (on this server, at its issuer URL).
async fn config(State(dashboard): State<Dashboard>) -> Response {
    let base = dashboard.issuer_url.trim_end_matches('/');
    let mut response = Json(json!({
        "client_id": DASHBOARD_CLIENT_ID,
        "redirect_uri": format!("{base}{DASHBOARD_REDIRECT_PATH}"),
        "authorization_endpoint": format!("{base}/oauth/authorize"),
        "token_endpoint": format!("{base}/oauth/token"),
        "revocation_endpoint": format!("{base}/oauth/revoke"),
        "end_session_endpoint": format!("{base}/oauth/logout"),
        "scope": DASHBOARD_SCOPES.join(" "),
    }))
    .into_response();
    secure(response.headers_mut(), None);
    response
}

async fn index(State(dashboard): State<Dashboard>, headers: HeaderMap) -> Response {
    serve(&dashboard, "index.html", &headers).await
}

/// A file of the build, or the page itself for any other path (the page
/// routes in its `#` fragment, but a reloaded deep link still loads).
async fn asset(
    State(dashboard): State<Dashboard>,
    Path(path): Path<String>,
    headers: HeaderMap,
) -> Response {
    let is_file = path
        .rsplit('/')
        .next()
        .is_some_and(|last| last.contains('.'));
    match is_file {
        true => serve(&dashboard, &path, &headers).await,
        false => serve(&dashboard, "index.html", &headers).await,
    }
}

async fn serve(dashboard: &Dashboard, path: &str, headers: &HeaderMap) -> Response {
    let found = match &dashboard.assets {
        Assets::Embedded(files) => files
            .get(path)
            .map(|(contents, tag)| (contents.to_vec(), tag.clone())),
        Assets::Folder(folder) => read_from(folder, path).await,
    };
    let Some((contents, tag)) = found else {
        let mut response = (StatusCode::NOT_FOUND, "not found\n").into_response();
        secure(response.headers_mut(), None);
        return response;
    };
    let unchanged = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|given| given.split(',').any(|t| t.trim() == tag));
    let mut response = match unchanged {
        true => StatusCode::NOT_MODIFIED.into_response(),
        false => contents.into_response(),
    };
    secure(response.headers_mut(), Some(content_type(path)));
    if let Ok(value) = HeaderValue::from_str(&tag) {
        response.headers_mut().insert(header::ETAG, value);
    }
    response
}

/// A file under `folder`; nothing outside it (no `..`, no absolute path).
async fn read_from(folder: &std::path::Path, path: &str) -> Option<(Vec<u8>, String)> {
    let relative = std::path::Path::new(path);
    let plain = relative
        .components()
        .all(|c| matches!(c, std::path::Component::Normal(_)));
    if !plain {
        return None;
    }
    let contents = tokio::fs::read(folder.join(relative)).await.ok()?;
    let tag = etag(&contents);
    Some((contents, tag))
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or_default() {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "map" => "application/json",
        _ => "application/octet-stream",
    }
}

fn secure(headers: &mut HeaderMap, content_type: Option<&'static str>) {
    if let Some(kind) = content_type {
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    }
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(POLICY),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_folder_serves_nothing_outside_itself() {
        let folder = std::env::temp_dir().join(format!("ui-dir-{}", std::process::id()));
        std::fs::create_dir_all(folder.join("assets")).unwrap();
        std::fs::write(folder.join("assets/app.js"), "ok").unwrap();
        assert!(read_from(&folder, "assets/app.js").await.is_some());
        for escape in [
            "../Cargo.toml",
            "/etc/passwd",
            "assets/../../x",
            "./assets/app.js",
        ] {
            assert!(read_from(&folder, escape).await.is_none(), "{escape}");
        }
        std::fs::remove_dir_all(folder).unwrap();
    }

    #[test]
    fn the_build_is_embedded_with_its_page() {
        let mut files = HashMap::new();
        collect(&BUILT, &mut files);
        assert!(files.contains_key("index.html"), "{:?}", files.keys());
    }
}
