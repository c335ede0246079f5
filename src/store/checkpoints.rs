//! SQLite's WAL checkpoints, off the write path. By default SQLite copies
//! the WAL back into the database inside the commit that crosses 1,000
//! pages, so every few batches one import's write waits for it. Here the
//! writer connection only checkpoints past `WRITER_BACKSTOP_PAGES` (should
//! this task fall behind), and a task checkpoints from a reader connection
//! soon after writes, while the writer goes on with the next batch
//! (SQLite benchmark: about 10 % more documents per second).

use std::time::Duration;

use sea_orm::{ConnectionTrait, DatabaseConnection};
use tokio::sync::watch;

/// How long after a write the checkpoint runs: the writes of that time are
/// copied back together.
const CHECKPOINT_AFTER: Duration = Duration::from_millis(100);

/// The writer's own `wal_autocheckpoint`, in pages (16 MB): reached when
/// the task cannot keep up. Readers that poll all the time hold snapshots
/// that keep its PASSIVE checkpoints from finishing, so the WAL grows to
/// this (at 16,000 pages the benchmark's WAL reached 65 MB).
pub(super) const WRITER_BACKSTOP_PAGES: u32 = 4_000;

/// Tells the checkpoint task that something was committed. The task ends
/// when the last `Store` holding this is dropped.
#[derive(Clone)]
pub(super) struct Checkpoints {
    written: std::sync::Arc<watch::Sender<()>>,
}

impl Checkpoints {
    /// Starts the task, checkpointing through `readers`.
    pub(super) fn start(readers: DatabaseConnection) -> Self {
        let (written, mut wrote) = watch::channel(());
        tokio::spawn(async move {
            while wrote.changed().await.is_ok() {
                tokio::time::sleep(CHECKPOINT_AFTER).await;
                if wrote.has_changed().is_err() {
                    break; // the store is gone
                }
                wrote.borrow_and_update();
                // PASSIVE: copies what no reader still needs, waiting for
                // no one; the rest goes next time.
                if let Err(err) = readers
                    .execute_unprepared("PRAGMA wal_checkpoint(PASSIVE)")
                    .await
                {
                    tracing::warn!(error = %err, "a WAL checkpoint failed; the next write retries it");
                }
            }
        });
        Self {
            written: std::sync::Arc::new(written),
        }
    }

    pub(super) fn wrote(&self) {
        self.written.send_replace(());
    }
}
