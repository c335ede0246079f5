//! Following an import: events that survive a server restart or a dropped
//! connection, and waiting for the end.

use std::time::Duration;

use futures::Stream;
use tonic::Code;

use crate::channel::RetryPolicy;
use crate::error::Error;
use crate::proto::v1::{self as pb, import_event::Kind};
use crate::Client;

/// How to follow an import.
#[derive(Debug, Clone)]
pub struct WatchOptions {
    /// Events after this sequence only (0: a snapshot first, then all).
    pub after_sequence: u64,
    /// How many times in a row to reconnect after UNAVAILABLE.
    pub max_reconnects: u32,
    /// Pause before the first reconnect, doubled each time up to 5 s.
    pub backoff: Duration,
}

impl Default for WatchOptions {
    fn default() -> Self {
        Self {
            after_sequence: 0,
            max_reconnects: 10,
            backoff: Duration::from_millis(100),
        }
    }
}

/// A stream the server ended with UNAVAILABLE (draining, restarting), or
/// one the connection under it broke: tonic reports that as UNKNOWN with
/// the transport's error as its source, which a status the server sent
/// never has.
fn is_dropped(status: &tonic::Status) -> bool {
    use std::error::Error as _;
    match status.code() {
        Code::Unavailable => true,
        Code::Unknown => status.source().is_some(),
        _ => false,
    }
}

/// COMPLETED, COMPLETED_WITH_ERRORS, FAILED or CANCELLED.
pub fn is_terminal(state: pb::ImportState) -> bool {
    matches!(
        state,
        pb::ImportState::Completed
            | pb::ImportState::CompletedWithErrors
            | pb::ImportState::Failed
            | pb::ImportState::Cancelled
    )
}

impl Client {
    /// The import's events until it ends: a snapshot first, then one event
    /// per change, sequences strictly increasing. When the server drains or
    /// the connection drops (UNAVAILABLE), it reconnects and resumes after
    /// the last sequence it yielded (the new connection's snapshot is
    /// skipped), so nothing is missed or repeated.
    pub fn watch_import(
        &self,
        import_id: &str,
        options: WatchOptions,
    ) -> impl Stream<Item = Result<pb::ImportEvent, Error>> + Send + 'static {
        let client = self.clone();
        let import_id = import_id.to_owned();
        async_stream::try_stream! {
            let mut after = options.after_sequence;
            let mut failures = 0u32;
            let mut resumed = false;
            loop {
                let request = pb::WatchImportRequest { import_id: import_id.clone(), after_sequence: after };
                let broken = match client.imports().watch_import(request).await {
                    Ok(response) => {
                        let mut events = response.into_inner();
                        loop {
                            match events.message().await {
                                Ok(Some(event)) => {
                                    failures = 0;
                                    if matches!(event.kind, Some(Kind::Snapshot(_))) {
                                        // Each connection starts with one; the caller has had it.
                                        if !resumed {
                                            yield event;
                                        }
                                    } else if event.sequence > after {
                                        after = event.sequence;
                                        yield event;
                                    }
                                }
                                Ok(None) => return,
                                Err(status) => break status,
                            }
                        }
                    }
                    Err(status) => status,
                };
                if !is_dropped(&broken) || failures >= options.max_reconnects {
                    Err(Error::from(broken))?;
                }
                let pause = RetryPolicy { retries: options.max_reconnects, backoff: options.backoff }.pause(failures);
                failures += 1;
                resumed = true;
                tokio::time::sleep(pause).await;
            }
        }
    }

    /// Follows the import to its end and returns it as it ended.
    pub async fn wait_for_import(&self, import_id: &str) -> Result<pb::Import, Error> {
        use futures::StreamExt;
        let get = || {
            let mut imports = self.imports();
            let request = pb::GetImportRequest {
                import_id: import_id.to_owned(),
            };
            async move {
                imports
                    .get_import(request)
                    .await
                    .map(tonic::Response::into_inner)
            }
        };
        let import = get().await?;
        if is_terminal(import.state()) {
            return Ok(import);
        }
        // Only what comes after where it stands now.
        let options = WatchOptions {
            after_sequence: import.last_sequence,
            ..WatchOptions::default()
        };
        let events = self.watch_import(import_id, options);
        futures::pin_mut!(events);
        while let Some(event) = events.next().await {
            event?;
        }
        Ok(get().await?)
    }
}
