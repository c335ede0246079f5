//! An in-process FHIR server that misbehaves on cue: each path answers from
//! a script (JSON, delays, 5xx, 429 with Retry-After, a connection cut
//! mid-body, redirects, huge bodies, invalid JSON, OAuth tokens), and the
//! stub counts what it was asked and how many requests were in flight.

use std::{
    collections::HashMap,
    convert::Infallible,
    net::SocketAddr,
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc, Mutex,
    },
    time::Duration,
};

use axum::{
    body::{Body, Bytes},
    extract::{Request, State},
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Router,
};
use serde_json::{json, Value};

/// One scripted answer.
#[derive(Debug, Clone)]
pub enum Reply {
    /// 200 with this JSON.
    Json(Value),
    /// This status with an OperationOutcome saying `message`.
    Status(u16, &'static str),
    /// This status (429 or 503) with this `Retry-After` value.
    RetryAfter(u16, String),
    /// The reply after a pause.
    Delay(Duration, Box<Reply>),
    /// Headers promising a body, part of it, then the connection drops.
    CutMidBody,
    /// 302 to this location (absolute, or a path on the stub).
    Redirect(String),
    /// 200 with a body of this many bytes, streamed in 64 KiB chunks, with
    /// or without a Content-Length header.
    Huge { bytes: usize, declare_length: bool },
    /// 200 `application/fhir+json` that does not parse.
    InvalidJson,
    /// An OAuth 2.0 token response with a new token `token-<n>`.
    Token { expires_in: u64 },
}

impl Reply {
    pub fn delayed(ms: u64, reply: Reply) -> Reply {
        Reply::Delay(Duration::from_millis(ms), Box::new(reply))
    }
}

#[derive(Default)]
struct Script {
    /// Replies in order; the last one repeats.
    replies: Vec<Reply>,
    served: usize,
}

#[derive(Default)]
struct StubState {
    scripts: Mutex<HashMap<String, Script>>,
    hits: Mutex<HashMap<String, usize>>,
    /// Path and query of every request, in arrival order.
    log: Mutex<Vec<String>>,
    /// Accept header of every request, in arrival order.
    accepts: Mutex<Vec<Option<String>>>,
    /// Authorization header of every request, by path.
    authorizations: Mutex<HashMap<String, Vec<Option<String>>>>,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    tokens_issued: AtomicUsize,
}

pub struct FhirStub {
    addr: SocketAddr,
    state: Arc<StubState>,
    server: tokio::task::JoinHandle<()>,
}

impl FhirStub {
    pub async fn start() -> FhirStub {
        let state = Arc::new(StubState::default());
        let app = Router::new().fallback(answer).with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the stub");
        let addr = listener.local_addr().expect("stub address");
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        FhirStub {
            addr,
            state,
            server,
        }
    }

    /// The FHIR base: `http://127.0.0.1:<port>/fhir`.
    pub fn base_url(&self) -> String {
        format!("http://{}/fhir", self.addr)
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Scripts `path` (e.g. `/fhir/Patient/a`); the last reply repeats.
    pub fn on(&self, path: &str, replies: Vec<Reply>) {
        self.state
            .scripts
            .lock()
            .expect("lock")
            .insert(path.to_owned(), Script { replies, served: 0 });
    }

    pub fn hits(&self, path: &str) -> usize {
        let hits = self.state.hits.lock().expect("lock");
        hits.get(path).copied().unwrap_or(0)
    }

    /// Path and query of every request so far.
    pub fn log(&self) -> Vec<String> {
        self.state.log.lock().expect("lock").clone()
    }

    /// The Accept header of every request so far.
    pub fn accepts(&self) -> Vec<Option<String>> {
        self.state.accepts.lock().expect("lock").clone()
    }

    pub fn authorizations(&self, path: &str) -> Vec<Option<String>> {
        let seen = self.state.authorizations.lock().expect("lock");
        seen.get(path).cloned().unwrap_or_default()
    }

    pub fn max_in_flight(&self) -> usize {
        self.state.max_in_flight.load(Ordering::SeqCst)
    }
}

impl Drop for FhirStub {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn answer(State(state): State<Arc<StubState>>, request: Request) -> Response {
    let path = request.uri().path().to_owned();
    let target = request
        .uri()
        .path_and_query()
        .map(|p| p.to_string())
        .unwrap_or_else(|| path.clone());
    // (read out before any await: the request itself is not Sync)
    let [authorization, accept] = [header::AUTHORIZATION, header::ACCEPT].map(|name| {
        request
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    });
    let reply = {
        *state
            .hits
            .lock()
            .expect("lock")
            .entry(path.clone())
            .or_default() += 1;
        state.log.lock().expect("lock").push(target);
        state.accepts.lock().expect("lock").push(accept);
        state
            .authorizations
            .lock()
            .expect("lock")
            .entry(path.clone())
            .or_default()
            .push(authorization);
        let mut scripts = state.scripts.lock().expect("lock");
        scripts.get_mut(&path).and_then(|script| {
            let reply = script
                .replies
                .get(script.served.min(script.replies.len().saturating_sub(1)))
                .cloned();
            script.served += 1;
            reply
        })
    };
    let now = state.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    state.max_in_flight.fetch_max(now, Ordering::SeqCst);
    let response = match reply {
        Some(reply) => render(&state, reply).await,
        None => outcome(404, &format!("nothing scripted for {path}")),
    };
    state.in_flight.fetch_sub(1, Ordering::SeqCst);
    response
}

fn render(state: &StubState, reply: Reply) -> futures::future::BoxFuture<'_, Response> {
    Box::pin(async move {
        match reply {
            Reply::Json(value) => fhir_json(StatusCode::OK, value.to_string()),
            Reply::Status(code, message) => outcome(code, message),
            Reply::RetryAfter(code, after) => {
                let mut response = outcome(code, "slow down");
                if let Ok(value) = HeaderValue::from_str(&after) {
                    response.headers_mut().insert(header::RETRY_AFTER, value);
                }
                response
            }
            Reply::Delay(pause, reply) => {
                tokio::time::sleep(pause).await;
                render(state, *reply).await
            }
            Reply::CutMidBody => {
                let chunks: Vec<Result<Bytes, std::io::Error>> = vec![
                    Ok(Bytes::from_static(b"{\"resourceType\":\"Pat")),
                    Err(std::io::Error::other("connection cut by the stub")),
                ];
                let mut response = Response::new(Body::from_stream(futures::stream::iter(chunks)));
                let headers = response.headers_mut();
                headers.insert(header::CONTENT_LENGTH, HeaderValue::from_static("1000"));
                headers.insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/fhir+json"),
                );
                response
            }
            Reply::Redirect(location) => (
                StatusCode::FOUND,
                [(header::LOCATION, location)],
                "redirecting",
            )
                .into_response(),
            Reply::Huge {
                bytes,
                declare_length,
            } => {
                const CHUNK: usize = 64 * 1024;
                let chunks = (0..bytes.div_ceil(CHUNK)).map(move |i| {
                    let len = CHUNK.min(bytes - i * CHUNK);
                    Ok::<_, Infallible>(Bytes::from(vec![b' '; len]))
                });
                let mut response = Response::new(Body::from_stream(futures::stream::iter(chunks)));
                if declare_length {
                    response
                        .headers_mut()
                        .insert(header::CONTENT_LENGTH, HeaderValue::from(bytes));
                }
                response
            }
            Reply::InvalidJson => {
                fhir_json(StatusCode::OK, "{\"resourceType\": \"Patient\", ".into())
            }
            Reply::Token { expires_in } => {
                let n = state.tokens_issued.fetch_add(1, Ordering::SeqCst) + 1;
                let body = json!({
                    "access_token": format!("token-{n}"),
                    "token_type": "bearer",
                    "expires_in": expires_in,
                });
                (
                    StatusCode::OK,
                    [(header::CONTENT_TYPE, "application/json")],
                    body.to_string(),
                )
                    .into_response()
            }
        }
    })
}

fn fhir_json(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/fhir+json")],
        body,
    )
        .into_response()
}

fn outcome(code: u16, message: &str) -> Response {
    let body = json!({
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "error", "code": "processing", "diagnostics": message}],
    });
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    fhir_json(status, body.to_string())
}

/// A searchset Bundle of `resources`, with a next link if given.
pub fn bundle(resources: &[Value], next: Option<&str>) -> Value {
    let entry: Vec<Value> = resources
        .iter()
        .map(|r| json!({"resource": r, "search": {"mode": "match"}}))
        .collect();
    let link: Vec<Value> = next
        .map(|url| json!({"relation": "next", "url": url}))
        .into_iter()
        .collect();
    json!({"resourceType": "Bundle", "type": "searchset", "link": link, "entry": entry})
}

pub fn patient(id: &str) -> Value {
    json!({"resourceType": "Patient", "id": id})
}
