//! Telling a cut stream from a finished one. The transport reports a
//! client's cancelled stream as an ordinary end, so the call's own fate and
//! the server's shutdown are watched beside it.

use futures::{Stream, StreamExt};
use tokio_util::sync::CancellationToken;

use super::{Incoming, StreamFault};

/// How long a stream's end waits for the call to be dropped before it counts
/// as a clean end. A real end pays this once per import.
const CANCEL_SETTLE: std::time::Duration = std::time::Duration::from_millis(25);

const CLIENT_GONE: &str = "the client cancelled the call or disconnected";

/// The stream, ending in a fault when the client goes away (while a message
/// is awaited, or right at what looks like a clean end) or when the server
/// begins to shut down.
pub(super) fn until_cut<S>(
    mut stream: S,
    client_gone: CancellationToken,
    stopping: CancellationToken,
) -> impl Stream<Item = Result<Incoming, StreamFault>> + Unpin + Send
where
    S: Stream<Item = Result<Incoming, StreamFault>> + Unpin + Send + 'static,
{
    Box::pin(async_stream::stream! {
        loop {
            tokio::select! {
                biased;
                next = stream.next() => match next {
                    Some(item) => yield item,
                    None => {
                        // The transport reports a cancelled stream as ended
                        // and drops the call from another task at about the
                        // same time; give that a moment to land.
                        let gone = tokio::time::timeout(CANCEL_SETTLE, client_gone.cancelled()).await;
                        if gone.is_ok() {
                            yield Err(StreamFault::Broken(CLIENT_GONE.to_owned()));
                        }
                        break;
                    }
                },
                _ = client_gone.cancelled() => {
                    yield Err(StreamFault::Broken(CLIENT_GONE.to_owned()));
                    break;
                }
                _ = stopping.cancelled() => {
                    yield Err(StreamFault::ServerStopping);
                    break;
                }
            }
        }
    })
}
