//! What a metadata schema should derive for each generated DocumentReference,
//! computed from the generator's records rather than by reading its JSON.

use std::collections::BTreeMap;

use super::kids_first::{access_url, acl, sha1_base64};
use super::plan::{FileRec, Plan, Role};
use super::Expected;

/// The keys every document's expected map has, sorted.
pub const EXPECTED_KEYS: [&str; 28] = [
    "access_url",
    "acl",
    "case_id",
    "condition_codes",
    "data_access",
    "data_category",
    "data_type",
    "ethnicity",
    "experimental_strategy",
    "external_participant_ids",
    "external_sample_id",
    "family_id",
    "file_format",
    "file_id",
    "file_name",
    "file_size",
    "gender",
    "hash_sha1",
    "instrument_model",
    "is_proband",
    "platform",
    "race",
    "reference_genome",
    "relationship",
    "sample_id",
    "sample_type",
    "study_id",
    "study_name",
];

pub(super) fn for_file(plan: &Plan, f: &FileRec) -> Expected {
    let participant = &plan.participants[f.participant];
    let samples: Vec<_> = f.samples.iter().map(|&s| &plan.samples[s]).collect();
    let own = samples[0];
    let each = |value: fn(&super::plan::SampleRec) -> String| -> Vec<String> {
        let mut values: Vec<String> = samples.iter().map(|s| value(s)).collect();
        values.dedup();
        values
    };
    let one = |value: &str| vec![value.to_owned()];
    let mut conditions: Vec<String> = plan
        .conditions
        .iter()
        .filter(|c| c.participant == f.participant)
        .map(|c| c.term.code.to_owned())
        .collect();
    conditions.sort();
    conditions.dedup();
    let entries: [(&str, Vec<String>); 28] = [
        ("access_url", vec![access_url(f)]),
        ("acl", acl(plan, f)),
        ("case_id", one(&participant.id)),
        ("condition_codes", conditions),
        (
            "data_access",
            one(if f.controlled {
                "controlled"
            } else {
                "registered"
            }),
        ),
        ("data_category", one(own.strategy.category)),
        ("data_type", one(f.kind.data_type.display)),
        ("ethnicity", one(participant.ethnicity.0)),
        ("experimental_strategy", one(own.strategy.coding.code)),
        ("external_participant_ids", one(&participant.external_id)),
        ("external_sample_id", each(|s| s.external_id.clone())),
        ("family_id", one(&plan.families[participant.family].id)),
        ("file_format", one(f.kind.format)),
        ("file_id", one(&f.id)),
        ("file_name", one(&f.file_name)),
        ("file_size", vec![f.size.to_string()]),
        ("gender", one(participant.gender)),
        ("hash_sha1", vec![sha1_base64(f)]),
        ("instrument_model", one(own.instrument)),
        (
            "is_proband",
            one(if participant.role == Role::Proband {
                "true"
            } else {
                "false"
            }),
        ),
        ("platform", one(own.platform)),
        ("race", one(participant.race.0)),
        ("reference_genome", one(own.reference_genome)),
        ("relationship", one(participant.role.relation().0)),
        ("sample_id", each(|s| s.id.clone())),
        ("sample_type", each(|s| s.kind.text.to_owned())),
        ("study_id", one(&plan.study.study_id)),
        ("study_name", one(plan.study.name)),
    ];
    entries
        .into_iter()
        .map(|(key, values)| (key.to_owned(), values))
        .collect::<BTreeMap<_, _>>()
}
