//! How projects, imports, items, files and events are written for people:
//! one line per list entry, `key: value` blocks for single objects.

use std::io::{self, Write};

use chrono::{DateTime, SecondsFormat};
use indicatif::HumanBytes;
use prost_types::Timestamp;

use crate::proto::v1 as pb;

/// `IMPORT_STATE_COMPLETED_WITH_ERRORS` -> `completed_with_errors`.
fn short(name: &str, prefix: &str) -> String {
    name.strip_prefix(prefix)
        .unwrap_or(name)
        .to_ascii_lowercase()
}

pub fn import_state(state: pb::ImportState) -> String {
    short(state.as_str_name(), "IMPORT_STATE_")
}

pub fn item_state(state: pb::ItemState) -> String {
    short(state.as_str_name(), "ITEM_STATE_")
}

pub fn item_stage(stage: pb::ItemStage) -> String {
    short(stage.as_str_name(), "ITEM_STAGE_")
}

pub fn conflict_policy(policy: pb::ConflictPolicy) -> String {
    short(policy.as_str_name(), "CONFLICT_POLICY_")
}

fn metadata_state(state: pb::MetadataState) -> String {
    short(state.as_str_name(), "METADATA_STATE_")
}

/// `REJECTION_CODE_INVALID_RESOURCE` -> `INVALID_RESOURCE`.
pub fn rejection_code(code: pb::RejectionCode) -> &'static str {
    let name = code.as_str_name();
    name.strip_prefix("REJECTION_CODE_").unwrap_or(name)
}

/// `received=8 imported=7 rejected=1`: `received` always, the rest when
/// not zero.
pub fn counts(counts: Option<&pb::ImportCounts>) -> String {
    let c = counts.cloned().unwrap_or_default();
    let mut text = format!("received={}", c.received);
    for (name, n) in [
        ("pending", c.pending),
        ("processing", c.processing),
        ("imported", c.imported),
        ("scraped", c.scraped),
        ("scrape_failed", c.scrape_failed),
        ("skipped", c.skipped),
        ("rejected", c.rejected),
        ("failed", c.failed),
        ("cancelled", c.cancelled),
    ] {
        if n > 0 {
            text.push_str(&format!(" {name}={n}"));
        }
    }
    text
}

pub fn time(t: Option<&Timestamp>) -> String {
    t.and_then(|t| DateTime::from_timestamp(t.seconds, u32::try_from(t.nanos).unwrap_or(0)))
        .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true))
        .unwrap_or_else(|| "-".to_owned())
}

fn or_dash(text: &str) -> &str {
    if text.is_empty() {
        "-"
    } else {
        text
    }
}

/// `  #INDEX DOCID CODE: message`
pub fn rejection(r: &pb::ItemRejection) -> String {
    format!(
        "#{} {} {}: {}",
        r.index,
        or_dash(&r.document_id),
        rejection_code(r.code()),
        r.message
    )
}

pub fn project_block(out: &mut dyn Write, p: &pb::Project) -> io::Result<()> {
    writeln!(out, "id:          {}", p.id)?;
    writeln!(out, "slug:        {}", p.slug)?;
    writeln!(out, "name:        {}", p.name)?;
    writeln!(out, "owner:       {}", p.owner)?;
    writeln!(out, "description: {}", or_dash(&p.description))?;
    writeln!(out, "created:     {}", time(p.create_time.as_ref()))
}

/// The header of `project_line`s.
pub fn project_header(out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "SLUG\tID\tDESCRIPTION")
}

/// One line: `SLUG<TAB>ID<TAB>DESCRIPTION`.
pub fn project_line(out: &mut dyn Write, p: &pb::Project) -> io::Result<()> {
    writeln!(out, "{}\t{}\t{}", p.slug, p.id, p.description)
}

/// `slug` is the project's owner/name, when it could be read.
pub fn import_block(out: &mut dyn Write, i: &pb::Import, slug: Option<&str>) -> io::Result<()> {
    writeln!(out, "import:          {}", i.id)?;
    match slug {
        Some(slug) => writeln!(out, "project:         {slug} ({})", i.project)?,
        None => writeln!(out, "project:         {}", i.project)?,
    }
    writeln!(out, "state:           {}", import_state(i.state()))?;
    writeln!(out, "counts:          {}", counts(i.counts.as_ref()))?;
    writeln!(out, "on_conflict:     {}", conflict_policy(i.on_conflict()))?;
    writeln!(out, "fhir_server:     {}", or_dash(&i.fhir_server))?;
    writeln!(out, "idempotency_key: {}", or_dash(&i.idempotency_key))?;
    writeln!(out, "tags:            {}", or_dash(&i.tags.join(", ")))?;
    if !i.error.is_empty() {
        writeln!(out, "error:           {}", i.error)?;
    }
    writeln!(out, "created_by:      {}", or_dash(&i.created_by))?;
    writeln!(out, "created:         {}", time(i.create_time.as_ref()))?;
    writeln!(out, "finished:        {}", time(i.finish_time.as_ref()))
}

/// The header of `import_line`s.
pub fn import_header(out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "ID\tSTATE\tCREATED\tCOUNTS")
}

/// One line: `ID<TAB>STATE<TAB>CREATED<TAB>COUNTS`.
pub fn import_line(out: &mut dyn Write, i: &pb::Import) -> io::Result<()> {
    writeln!(
        out,
        "{}\t{}\t{}\t{}",
        i.id,
        import_state(i.state()),
        time(i.create_time.as_ref()),
        counts(i.counts.as_ref())
    )
}

/// `#INDEX DOCID STATE (STAGE)` and what the state is about: the file, the
/// rejection or the error.
pub fn item(i: &pb::ImportItem) -> String {
    let mut text = format!(
        "#{} {} {}",
        i.index,
        or_dash(&i.document_id),
        item_state(i.state())
    );
    if i.state() == pb::ItemState::Processing {
        text.push_str(&format!(" ({})", item_stage(i.stage())));
    }
    if let Some(earlier) = i.repeat_of {
        text.push_str(&format!(" (repeats #{earlier})"));
    }
    if let Some(r) = &i.rejection {
        text.push_str(&format!(": {}: {}", rejection_code(r.code()), r.message));
    } else if !i.error.is_empty() {
        text.push_str(&format!(": {}", i.error));
    } else if !i.file_id.is_empty() {
        text.push_str(&format!(" file {}", i.file_id));
    }
    text
}

/// The header of `file_line`s.
pub fn file_header(out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "NAME\tSIZE\tURL\tMETADATA")
}

/// One line: `NAME<TAB>SIZE<TAB>URL<TAB>key=value, …`.
pub fn file_line(out: &mut dyn Write, f: &pb::File) -> io::Result<()> {
    let size = f
        .size
        .map(|s| HumanBytes(s).to_string())
        .unwrap_or_else(|| "-".to_owned());
    let mut metadata: Vec<_> = f.metadata.iter().collect();
    metadata.sort();
    let metadata: Vec<String> = metadata.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let mut line = format!(
        "{}\t{}\t{}\t{}",
        f.name,
        size,
        or_dash(&f.url),
        or_dash(&metadata.join(", "))
    );
    if f.metadata_state() != pb::MetadataState::NotRequested {
        line.push_str(&format!(
            "\t(metadata {})",
            metadata_state(f.metadata_state())
        ));
    }
    writeln!(out, "{line}")
}

/// One line per watch event: `#SEQ KIND WHAT [COUNTS]`.
pub fn event(e: &pb::ImportEvent) -> String {
    use pb::import_event::Kind;
    let what = match &e.kind {
        Some(Kind::Snapshot(i)) => format!("snapshot {}", import_state(i.state())),
        Some(Kind::Item(i)) => format!("item {}", item(i)),
        Some(Kind::StateChange(c)) if c.error.is_empty() => {
            format!("state {}", import_state(c.state()))
        }
        Some(Kind::StateChange(c)) => {
            format!("state {}: {}", import_state(c.state()), c.error)
        }
        Some(Kind::Stall(s)) => format!("stalled {} s: {}", s.idle_seconds, s.reason),
        Some(Kind::Progress(p)) => {
            let stage = match p.stage() {
                pb::ItemStage::Intake => "received",
                pb::ItemStage::RecordFile => "recorded",
                pb::ItemStage::FetchMetadata => "scraped",
                pb::ItemStage::Unspecified => "moved",
            };
            format!(
                "{stage} {} items (#{}..#{})",
                p.items, p.first_index, p.last_index
            )
        }
        None => "unknown event".to_owned(),
    };
    format!("#{} {what} [{}]", e.sequence, counts(e.counts.as_ref()))
}
