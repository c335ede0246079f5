//! Stores intake batches one step behind the reader: while one batch is
//! written (and its documents given by reference read from the FHIR
//! server), the next is read and validated. At most two batches are held.

use tokio::task::JoinHandle;

use super::by_reference::{resolve_batch, Checked, ReferenceSource};
use super::{ImportError, Imports, IntakeSummary};
use crate::domain::{ids::ImportId, import::Import, rejection::Rejection};

struct Written {
    import: Import,
    accepted: u64,
    stopped: bool,
    rejections: Vec<(u64, Rejection)>,
}

pub(super) struct IntakeWriter {
    imports: Imports,
    import_id: ImportId,
    references: Option<ReferenceSource>,
    in_flight: Option<JoinHandle<Result<Written, ImportError>>>,
}

impl IntakeWriter {
    pub(super) fn new(
        imports: Imports,
        import_id: ImportId,
        references: Option<ReferenceSource>,
    ) -> Self {
        Self {
            imports,
            import_id,
            references,
            in_flight: None,
        }
    }

    /// Waits for the batch being written, then starts writing `items`.
    /// `false` when the import stopped receiving (cancelled): the caller
    /// ends the intake.
    pub(super) async fn submit(
        &mut self,
        items: Vec<Checked>,
        summary: &mut IntakeSummary,
    ) -> Result<bool, ImportError> {
        if !self.settle(summary).await? {
            return Ok(false);
        }
        if items.is_empty() {
            return Ok(true);
        }
        let imports = self.imports.clone();
        let import_id = self.import_id.clone();
        let references = self.references.clone();
        self.in_flight = Some(tokio::spawn(async move {
            let items = resolve_batch(references.as_ref(), items, &imports.limits.document).await;
            let rejections = items
                .iter()
                .filter_map(|i| i.outcome.as_ref().err().map(|r| (i.index, r.clone())))
                .collect();
            let started = std::time::Instant::now();
            let outcome = imports.store.record_intake(&import_id, items).await?;
            metrics::histogram!(crate::metrics::STAGE_BATCH_SECONDS, "stage" => "intake")
                .record(started.elapsed().as_secs_f64());
            if !outcome.stopped {
                imports
                    .notifier
                    .publish(&import_id, outcome.import.last_sequence);
                if outcome.pending > 0 {
                    imports.processor.enqueue(&import_id);
                }
                // Files recorded at intake wait for their metadata.
                if outcome.accepted > 0 && outcome.import.fhir_server.is_some() {
                    imports.scraper.enqueue(&import_id);
                }
            }
            Ok(Written {
                import: outcome.import,
                accepted: outcome.accepted,
                stopped: outcome.stopped,
                rejections,
            })
        }));
        Ok(true)
    }

    /// Waits for the batch being written and counts it in `summary`.
    pub(super) async fn settle(
        &mut self,
        summary: &mut IntakeSummary,
    ) -> Result<bool, ImportError> {
        let Some(in_flight) = self.in_flight.take() else {
            return Ok(true);
        };
        let written = in_flight.await.map_err(|e| {
            ImportError::StreamBroken(format!("a batch write ended abnormally: {e}"))
        })??;
        summary.import = Some(written.import);
        if written.stopped {
            // Cancelled, or taken over: nothing of this batch was stored.
            return Ok(false);
        }
        summary.accepted += written.accepted;
        metrics::counter!(crate::metrics::DOCUMENTS_ACCEPTED).increment(written.accepted);
        let max = self.imports.limits.max_listed_rejections;
        for (index, rejection) in &written.rejections {
            metrics::counter!(crate::metrics::DOCUMENTS_REJECTED, "code" => rejection.code.as_str())
                .increment(1);
            summary.note_rejection(*index, rejection, max);
        }
        Ok(true)
    }

    /// Writes `items` and waits for everything to be stored.
    pub(super) async fn finish(
        &mut self,
        items: Vec<Checked>,
        summary: &mut IntakeSummary,
    ) -> Result<bool, ImportError> {
        Ok(self.submit(items, summary).await? && self.settle(summary).await?)
    }
}
