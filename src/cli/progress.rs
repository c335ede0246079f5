//! The live progress display of `import` and `watch`: one line on stderr
//! that redraws itself (when stderr is a terminal), with the current rate
//! and the time left; elsewhere (a log, CI) a plain line now and then.

use std::{
    collections::VecDeque,
    io::IsTerminal,
    time::{Duration, Instant},
};

use indicatif::{HumanCount, HumanDuration, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::proto::v1 as pb;

/// How far back the rate looks: long enough to smooth batches out, short
/// enough to follow a change of pace (a running average would not).
const RATE_WINDOW: Duration = Duration::from_secs(3);
/// The display is redrawn at most this often.
const REDRAW: Duration = Duration::from_millis(100);
/// Without a terminal, a plain progress line this often.
const PLAIN_EVERY: Duration = Duration::from_secs(10);

/// Two lines: the bar with the rate and time left, then the counts, so
/// that an 80-column terminal shows them all.
const SENDING: &str = "{spinner} sending {prefix} [{bar:30}] {percent:>3}%\n  {wide_msg}";
const WATCHING: &str = "{spinner} [{bar:30}] {percent:>3}%{prefix}\n  {wide_msg}";

/// Units per second over the last few seconds.
#[derive(Debug, Default)]
pub struct Rate {
    samples: VecDeque<(Instant, u64)>,
}

impl Rate {
    /// `done` units were done by `at` (a running total).
    pub fn record(&mut self, at: Instant, done: u64) {
        self.samples.push_back((at, done));
        while self.samples.len() > 2
            && self
                .samples
                .front()
                .is_some_and(|(t, _)| at.duration_since(*t) > RATE_WINDOW)
        {
            self.samples.pop_front();
        }
    }

    /// None until there is a fifth of a second to judge by.
    pub fn per_sec(&self) -> Option<f64> {
        let (first_at, first) = self.samples.front()?;
        let (last_at, last) = self.samples.back()?;
        let span = last_at.duration_since(*first_at).as_secs_f64();
        (span >= 0.2).then(|| last.saturating_sub(*first) as f64 / span)
    }

    /// How long `remaining` units take at the current rate.
    pub fn eta(&self, remaining: u64) -> Option<Duration> {
        match self.per_sec()? {
            rate if rate > 0.0 => Some(Duration::from_secs_f64(remaining as f64 / rate)),
            _ => None,
        }
    }

    fn reset(&mut self) {
        self.samples.clear();
    }
}

/// Items that reached the end of the line: with a FHIR server, scraping is
/// the last step; without one, processing is.
pub fn settled(counts: &pb::ImportCounts, scrapes: bool) -> u64 {
    let ended = counts.skipped + counts.rejected + counts.failed + counts.cancelled;
    let files = counts.scraped + counts.scrape_failed;
    if scrapes {
        ended + files
    } else {
        ended + files + counts.imported
    }
}

/// `received 50,000 · imported 31,000 · scraped 12,000 · rejected 3 ·
/// pending 19,000`: imported counts every item that got its file.
pub fn summary(counts: &pb::ImportCounts, scrapes: bool) -> String {
    let imported = counts.imported + counts.scraped + counts.scrape_failed;
    let mut parts = vec![
        format!("received {}", HumanCount(counts.received)),
        format!("imported {}", HumanCount(imported)),
    ];
    if scrapes {
        parts.push(format!("scraped {}", HumanCount(counts.scraped)));
    }
    parts.push(format!("rejected {}", HumanCount(counts.rejected)));
    for (name, n) in [
        ("scrape failed", counts.scrape_failed),
        ("failed", counts.failed),
        ("skipped", counts.skipped),
        ("cancelled", counts.cancelled),
    ] {
        if n > 0 {
            parts.push(format!("{name} {}", HumanCount(n)));
        }
    }
    parts.push(format!(
        "pending {}",
        HumanCount(counts.pending + counts.processing)
    ));
    parts.join(" · ")
}

/// ` · 2,410/s · 12 seconds left`: documents (or items) per second; empty
/// until there is a rate.
fn rate_and_eta(rate: &Rate, eta: Option<Duration>) -> String {
    let Some(per_sec) = rate.per_sec() else {
        return String::new();
    };
    let mut text = format!(" · {}/s", HumanCount(per_sec.round() as u64));
    match eta {
        Some(left) if left < Duration::from_secs(1) => text.push_str(" · under a second left"),
        Some(left) => text.push_str(&format!(" · {} left", HumanDuration(left))),
        None => {}
    }
    text
}

/// The display: a bar on a terminal, plain lines elsewhere.
pub struct Progress {
    bar: ProgressBar,
    terminal: bool,
    rate: Rate,
    /// Documents per second while sending (the bar counts bytes then).
    documents: Rate,
    drawn: Option<Instant>,
    plain: Instant,
}

impl Progress {
    pub fn new() -> Self {
        // Drawn only once a stage has set it up (a bar drawn before would
        // show indicatif's default style for a moment).
        Self {
            bar: ProgressBar::hidden(),
            terminal: std::io::stderr().is_terminal(),
            rate: Rate::default(),
            documents: Rate::default(),
            drawn: None,
            plain: Instant::now(),
        }
    }

    fn due(&mut self, now: Instant) -> bool {
        if self.drawn.is_some_and(|t| now.duration_since(t) < REDRAW) {
            return false;
        }
        self.drawn = Some(now);
        true
    }

    fn plain_due(&mut self, now: Instant) -> bool {
        if self.terminal || now.duration_since(self.plain) < PLAIN_EVERY {
            return false;
        }
        self.plain = now;
        true
    }

    /// Starts the sending stage: `size` bytes of `input` when it is a file
    /// of known size, or `documents` when their number is known.
    pub fn start_sending(&mut self, input: &str, size: Option<u64>, documents: Option<u64>) {
        let (length, template) = match (size, documents) {
            (Some(size), _) => (size, SENDING),
            (None, Some(n)) => (n, SENDING),
            (None, None) => (0, "{spinner} sending {prefix}\n  {wide_msg}"),
        };
        self.bar.set_style(style(template));
        let name = std::path::Path::new(input)
            .file_name()
            .map_or_else(|| input.to_owned(), |n| n.to_string_lossy().into_owned());
        self.bar.set_prefix(name);
        if length > 0 {
            self.bar.set_length(length);
        }
        self.show();
        self.rate.reset();
        self.documents.reset();
    }

    /// Draws on stderr from now on, when it is a terminal.
    fn show(&self) {
        if self.terminal && self.bar.is_hidden() {
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
            self.bar.enable_steady_tick(Duration::from_millis(120));
        }
    }

    /// `documents` sent so far, `position` bytes (or documents) read.
    pub fn sent(&mut self, documents: u64, position: u64) {
        let now = Instant::now();
        if !self.due(now) {
            return;
        }
        self.rate.record(now, position);
        self.documents.record(now, documents);
        let eta = self
            .bar
            .length()
            .and_then(|len| self.rate.eta(len.saturating_sub(position)));
        let noun = if documents == 1 {
            "document"
        } else {
            "documents"
        };
        let message = format!(
            "{} {noun} sent{}",
            HumanCount(documents),
            rate_and_eta(&self.documents, eta)
        );
        self.bar.set_position(position);
        if self.plain_due(now) {
            eprintln!("sending: {message}");
        }
        self.bar.set_message(message);
    }

    /// Every document is sent; the server is finishing the intake.
    pub fn waiting(&mut self) {
        self.bar.set_message("waiting for the server's answer");
    }

    /// Starts following an import as it stands in `import`.
    pub fn start_watching(&mut self, import: &pb::Import) {
        let counts = import.counts.unwrap_or_default();
        let scrapes = !import.fhir_server.is_empty();
        self.bar.set_length(counts.received.max(1));
        self.bar.set_position(settled(&counts, scrapes));
        self.bar.set_style(style(WATCHING));
        self.show();
        self.rate.reset();
        self.drawn = None;
        self.watched(Some(&counts), scrapes);
    }

    /// The import's counts changed.
    pub fn watched(&mut self, counts: Option<&pb::ImportCounts>, scrapes: bool) {
        let counts = counts.copied().unwrap_or_default();
        let now = Instant::now();
        let done = settled(&counts, scrapes);
        // Every change is shown (the last one before a pause must be), the
        // rate sampled a few times a second.
        if self.due(now) {
            self.rate.record(now, done);
        }
        let eta = self.rate.eta(counts.received.saturating_sub(done));
        let rate = rate_and_eta(&self.rate, eta);
        let message = summary(&counts, scrapes);
        self.bar.set_length(counts.received.max(1));
        self.bar.set_position(done);
        if self.plain_due(now) {
            eprintln!("progress: {message}{rate}");
        }
        self.bar.set_prefix(rate);
        self.bar.set_message(message);
    }

    /// Runs `print` (a line for stdout) without tearing the bar.
    pub fn suspend<R>(&self, print: impl FnOnce() -> R) -> R {
        self.bar.suspend(print)
    }

    /// Removes the display.
    pub fn clear(&self) {
        self.bar.finish_and_clear();
    }
}

fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rate_follows_the_last_seconds_not_the_whole_run() {
        let start = Instant::now();
        let mut rate = Rate::default();
        // 1,000 a second for ten seconds, then 100 a second for ten: the
        // rate is the last few seconds', not the average (550).
        for s in 0..=10u64 {
            rate.record(start + Duration::from_secs(s), s * 1000);
        }
        for s in 11..=20u64 {
            rate.record(start + Duration::from_secs(s), 10_000 + (s - 10) * 100);
        }
        let now = rate.per_sec().expect("a rate");
        assert!((now - 100.0).abs() < 1.0, "current rate, got {now}");
        let eta = rate.eta(1000).expect("an eta");
        assert_eq!(eta.as_secs(), 10);
    }

    #[test]
    fn no_rate_before_there_is_time_to_judge() {
        let start = Instant::now();
        let mut rate = Rate::default();
        assert_eq!(rate.per_sec(), None);
        rate.record(start, 0);
        rate.record(start + Duration::from_millis(50), 500);
        assert_eq!(rate.per_sec(), None);
        assert_eq!(rate.eta(10), None);
    }

    #[test]
    fn settled_items_end_at_scraping_when_the_import_scrapes() {
        let counts = pb::ImportCounts {
            received: 10,
            pending: 1,
            imported: 3,
            scraped: 4,
            rejected: 2,
            ..Default::default()
        };
        assert_eq!(settled(&counts, true), 6);
        assert_eq!(settled(&counts, false), 9);
        assert_eq!(
            summary(&counts, true),
            "received 10 · imported 7 · scraped 4 · rejected 2 · pending 1"
        );
        assert_eq!(
            summary(&counts, false),
            "received 10 · imported 7 · rejected 2 · pending 1"
        );
    }
}
