//! The two intakes that store nothing: `validate_only`, which checks a
//! stream and reports, and the replay of an earlier import's response for a
//! repeated idempotency key.

use std::mem::take;

use futures::{Stream, StreamExt};

use super::by_reference::{resolve_batch, Checked, ReferenceSource};

use super::{ImportError, ImportSpec, Imports, Incoming, IntakeSummary, StreamFault};
use crate::domain::{
    import::{Import, ImportState, ItemState, StoredRejection},
    rejection::{Rejection, RejectionCode},
};

impl Imports {
    pub(super) async fn validate_only<S>(
        &self,
        spec: &ImportSpec,
        references: Option<ReferenceSource>,
        mut stream: S,
    ) -> Result<IntakeSummary, ImportError>
    where
        S: Stream<Item = Result<Incoming, StreamFault>> + Unpin + Send,
    {
        let mut summary = IntakeSummary::default();
        let mut batch = Vec::with_capacity(self.limits.batch_size);
        while let Some(next) = stream.next().await {
            match next {
                Ok(Incoming::Document(message)) => {
                    batch.push(self.check(summary.received, message, spec));
                    summary.received += 1;
                    if batch.len() >= self.limits.batch_size {
                        self.count_checked(references.as_ref(), take(&mut batch), &mut summary)
                            .await;
                    }
                }
                Ok(Incoming::Header) => {
                    return Err(ImportError::InvalidArgument(format!(
                        "header: only the first message may be a header, but another arrived at document index {}",
                        summary.received
                    )))
                }
                Err(StreamFault::Broken(why)) => return Err(ImportError::StreamBroken(why)),
                Err(StreamFault::ServerStopping) => {
                    return Err(ImportError::ShuttingDown(
                        "the server is shutting down; send the stream again".to_owned(),
                    ))
                }
                Err(StreamFault::MessageTooLarge(why)) => {
                    return Err(ImportError::MessageTooLarge(format!(
                        "the message at document index {} was too large ({why})",
                        summary.received
                    )))
                }
            }
        }
        self.count_checked(references.as_ref(), batch, &mut summary)
            .await;
        Ok(summary)
    }

    /// Counts a validated batch, reading its referenced documents first.
    async fn count_checked(
        &self,
        references: Option<&ReferenceSource>,
        batch: Vec<Checked>,
        summary: &mut IntakeSummary,
    ) {
        let max = self.limits.max_listed_rejections;
        for item in resolve_batch(references, batch, &self.limits.document).await {
            match &item.outcome {
                Ok(_) => summary.accepted += 1,
                Err(rejection) => summary.note_rejection(item.index, rejection, max),
            }
        }
    }

    /// The response of an earlier import with the same idempotency key.
    pub(super) async fn replay(&self, earlier: Import) -> Result<IntakeSummary, ImportError> {
        if earlier.state == ImportState::Receiving {
            return Err(ImportError::AlreadyExists(format!(
                "import {} with this idempotency key is still receiving its stream; wait for it to end, or use another key",
                earlier.id
            )));
        }
        let max = self.limits.max_listed_rejections;
        let rejected_items = self
            .store
            .list_items(&earlier.id, &[ItemState::Rejected], None, max as u64 + 1)
            .await?;
        let counts = earlier.counts;
        let mut summary = IntakeSummary {
            received: counts.received,
            accepted: counts.received - counts.rejected.min(counts.received),
            rejected: counts.rejected,
            truncated: rejected_items.len() > max,
            replayed: true,
            ..IntakeSummary::default()
        };
        summary.rejections = rejected_items
            .into_iter()
            .take(max)
            .map(|item| {
                let stored = item.rejection.unwrap_or_else(|| StoredRejection {
                    code: RejectionCode::InvalidResource.as_str().to_owned(),
                    message: String::new(),
                });
                let rejection = Rejection::new(
                    stored.code().unwrap_or(RejectionCode::InvalidResource),
                    stored.message,
                )
                .with_document_id(item.document_id);
                (item.index, rejection)
            })
            .collect();
        summary.import = Some(earlier);
        Ok(summary)
    }
}
