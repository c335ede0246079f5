//! Renders a drawn `Plan` as FHIR R4 resources shaped the way the Kids First
//! FHIR ingest (`kf-task-fhir-etl` entity builders) writes them: study tags,
//! `official`/`secondary` identifiers, US Core race and ethnicity, NCIt
//! sample types and INCLUDE code systems on DocumentReference.

use base64::Engine as _;
use serde_json::{json, Value};

use super::plan::{ConditionRec, FileRec, ParticipantRec, Plan, SampleRec};
use super::vocab::{Coded, Reported, DATA_ACCESS, DATA_CATEGORIES, ROLE_CODE};
use super::{
    DRS_HOST, EXT_FILE_SIZE, EXT_HASHES, EXT_SEQUENCING, KF_DATASERVICE, PROFILE_DISEASE,
    PROFILE_DRS_DOCUMENT, PROFILE_FAMILY_RELATIONSHIP, PROFILE_PHENOTYPE, STUDY_TAG_SYSTEM,
};

fn coding(c: &Coded) -> Value {
    json!({"system": c.system, "code": c.code, "display": c.display})
}

fn meta(profile: &str, study_id: &str) -> Value {
    json!({
        "profile": [profile],
        "tag": [{"system": STUDY_TAG_SYSTEM, "code": study_id}],
    })
}

fn base_profile(resource_type: &str) -> String {
    format!("http://hl7.org/fhir/StructureDefinition/{resource_type}")
}

fn identifiers(kind: &str, official: &str, secondary: Option<&str>) -> Value {
    let mut list = vec![json!({
        "use": "official",
        "system": format!("{KF_DATASERVICE}/{kind}/"),
        "value": official,
    })];
    if let Some(secondary) = secondary {
        list.push(json!({
            "use": "secondary",
            "system": format!("{KF_DATASERVICE}/{kind}?external_id="),
            "value": secondary,
        }));
    }
    Value::Array(list)
}

fn us_core(name: &str, reported: &Reported) -> Value {
    json!({
        "url": format!("http://hl7.org/fhir/us/core/StructureDefinition/us-core-{name}"),
        "extension": [
            {"url": "ombCategory", "valueCoding": coding(&reported.1)},
            {"url": "text", "valueString": reported.0},
        ],
    })
}

pub(super) fn research_study(plan: &Plan) -> Value {
    let study = &plan.study;
    json!({
        "resourceType": "ResearchStudy",
        "id": study.resource_id,
        "meta": meta(&base_profile("ResearchStudy"), &study.study_id),
        "identifier": [
            {"use": "official", "system": format!("{KF_DATASERVICE}/studies/"), "value": study.study_id},
            {
                "use": "secondary",
                "system": "https://www.ncbi.nlm.nih.gov/projects/gap/cgi-bin/study.cgi?study_id=",
                "value": format!("{}.v1.p1", study.accession),
            },
        ],
        "title": study.name,
        "status": "completed",
        "keyword": [{"coding": [{"code": "Kids First"}]}],
    })
}

pub(super) fn patient(plan: &Plan, p: &ParticipantRec) -> Value {
    json!({
        "resourceType": "Patient",
        "id": p.id,
        "meta": meta(&base_profile("Patient"), &plan.study.study_id),
        "identifier": identifiers("participants", &p.id, Some(&p.external_id)),
        "extension": [us_core("race", p.race), us_core("ethnicity", p.ethnicity)],
        "gender": p.gender,
    })
}

pub(super) fn research_subject(plan: &Plan, p: &ParticipantRec) -> Value {
    json!({
        "resourceType": "ResearchSubject",
        "id": subject_id(p),
        "meta": meta(&base_profile("ResearchSubject"), &plan.study.study_id),
        "identifier": identifiers("participants", &p.id, Some(&p.external_id)),
        "status": "off-study",
        "study": {"reference": format!("ResearchStudy/{}", plan.study.resource_id)},
        "individual": {"reference": format!("Patient/{}", p.id)},
    })
}

/// `ResearchSubject.id`: the participant's id with an `RS` prefix.
pub(super) fn subject_id(p: &ParticipantRec) -> String {
    format!("RS-{}", p.id.trim_start_matches("PT-"))
}

pub(super) fn family_group(plan: &Plan, f: usize) -> Value {
    let family = &plan.families[f];
    let member: Vec<Value> = family
        .members
        .iter()
        .map(|&m| {
            json!({
                "entity": {"reference": format!("Patient/{}", plan.participants[m].id)},
                "inactive": false,
            })
        })
        .collect();
    json!({
        "resourceType": "Group",
        "id": family.id,
        "meta": meta(&base_profile("Group"), &plan.study.study_id),
        "identifier": identifiers("families", &family.id, Some(&family.external_id)),
        "type": "person",
        "actual": true,
        "code": {"coding": [{"system": ROLE_CODE, "code": "FAMMEMB", "display": "family member"}]},
        "quantity": member.len(),
        "member": member,
    })
}

/// The relationship of a parent (subject) to the proband (focus).
pub(super) fn family_relationship(plan: &Plan, p: &ParticipantRec, id: &str) -> Value {
    let proband = &plan.participants[plan.families[p.family].members[0]];
    let (text, code, display) = p.role.relation();
    json!({
        "resourceType": "Observation",
        "id": id,
        "meta": meta(PROFILE_FAMILY_RELATIONSHIP, &plan.study.study_id),
        "identifier": identifiers("family-relationships", id, None),
        "status": "final",
        "code": {
            "coding": [{"system": ROLE_CODE, "code": "FAMMEMB", "display": "family member"}],
            "text": "Family Relationship",
        },
        "subject": {"reference": format!("Patient/{}", p.id)},
        "focus": [{"reference": format!("Patient/{}", proband.id)}],
        "valueCodeableConcept": {
            "coding": [{"system": ROLE_CODE, "code": code, "display": display}],
            "text": text,
        },
    })
}

pub(super) fn specimen(plan: &Plan, s: &SampleRec) -> Value {
    let participant = &plan.participants[s.participant];
    json!({
        "resourceType": "Specimen",
        "id": s.id,
        "meta": meta(&base_profile("Specimen"), &plan.study.study_id),
        "identifier": identifiers("biospecimens", &s.id, Some(&s.external_id)),
        "status": "available",
        "subject": {"reference": format!("Patient/{}", participant.id)},
        "type": {
            "coding": [coding(&s.kind.coding), coding(&s.strategy.analyte)],
            "text": s.kind.text,
        },
    })
}

pub(super) fn condition(plan: &Plan, c: &ConditionRec) -> Value {
    let (profile, kind) = if c.diagnosis {
        (PROFILE_DISEASE, "diagnoses")
    } else {
        (PROFILE_PHENOTYPE, "phenotypes")
    };
    let (status, status_display) = if c.confirmed {
        ("confirmed", "Confirmed")
    } else {
        ("refuted", "Refuted")
    };
    json!({
        "resourceType": "Condition",
        "id": c.id,
        "meta": meta(profile, &plan.study.study_id),
        "identifier": identifiers(kind, &c.id, None),
        "clinicalStatus": {
            "coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                "code": "active",
                "display": "Active",
            }],
            "text": "Active",
        },
        "verificationStatus": {
            "coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/condition-ver-status",
                "code": status,
                "display": status_display,
            }],
            "text": status_display,
        },
        "subject": {"reference": format!("Patient/{}", plan.participants[c.participant].id)},
        "code": {"coding": [coding(c.term)], "text": c.term.display},
    })
}

/// The ACL a file carries: consent group and study for controlled files,
/// `*` for registered (open) ones.
pub(super) fn acl(plan: &Plan, f: &FileRec) -> Vec<String> {
    if f.controlled {
        vec![
            format!("{}.{}", plan.study.accession, plan.study.consent),
            plan.study.study_id.clone(),
        ]
    } else {
        vec!["*".to_owned()]
    }
}

pub(super) fn access_url(f: &FileRec) -> String {
    format!("{DRS_HOST}/{}", f.did)
}

pub(super) fn sha1_base64(f: &FileRec) -> String {
    base64::engine::general_purpose::STANDARD.encode(f.sha1)
}

pub(super) fn document_reference(plan: &Plan, f: &FileRec) -> Value {
    let sample = &plan.samples[f.samples[0]];
    let strategy = sample.strategy;
    let (access, access_display) = if f.controlled {
        ("controlled", "Controlled")
    } else {
        ("registered", "Registered")
    };
    let mut labels = vec![json!({
        "coding": [{"system": DATA_ACCESS, "code": access, "display": access_display}],
        "text": access_display,
    })];
    for entry in acl(plan, f) {
        let mut label = json!({"text": entry});
        if let Some((_, consent)) = entry.split_once('.') {
            label["coding"] = json!([{"code": consent}]);
        }
        labels.push(label);
    }
    let md5: String = f.md5.iter().map(|b| format!("{b:02x}")).collect();
    let s3 = format!(
        "s3://kf-study-us-east-1-prd-{}/harmonized-data/{}/{}",
        plan.study.resource_id.to_ascii_lowercase(),
        f.kind.data_type.code.to_ascii_lowercase(),
        f.file_name
    );
    let related: Vec<Value> = f
        .samples
        .iter()
        .map(|&s| json!({"reference": format!("Specimen/{}", plan.samples[s].id)}))
        .collect();
    json!({
        "resourceType": "DocumentReference",
        "id": f.id,
        "meta": meta(PROFILE_DRS_DOCUMENT, &plan.study.study_id),
        "identifier": identifiers("genomic-files", &f.id, None),
        "status": "current",
        "docStatus": "final",
        "type": {"coding": [coding(&f.kind.data_type)], "text": f.kind.data_type.display},
        "category": [
            {"coding": [coding(&strategy.coding)], "text": strategy.coding.code},
            {
                "coding": [{"system": DATA_CATEGORIES, "code": strategy.category, "display": strategy.category}],
                "text": strategy.category,
            },
        ],
        "subject": {"reference": format!("Patient/{}", plan.participants[f.participant].id)},
        "securityLabel": labels,
        "extension": [{
            "url": EXT_SEQUENCING,
            "extension": [
                {"url": "experimentId", "valueString": sample.experiment_id},
                {"url": "platform", "valueString": sample.platform},
                {"url": "instrumentModel", "valueString": sample.instrument},
                {"url": "referenceGenome", "valueString": sample.reference_genome},
            ],
        }],
        "content": [
            {
                "attachment": {
                    "extension": [
                        {"url": EXT_FILE_SIZE, "valueDecimal": f.size},
                        {"url": EXT_HASHES, "valueCodeableConcept": {"coding": [{"display": "md5"}], "text": md5}},
                    ],
                    "url": access_url(f),
                    "title": f.file_name,
                    "size": f.size,
                    "hash": sha1_base64(f),
                },
                "format": {"code": f.kind.format, "display": f.kind.format},
            },
            {"attachment": {"url": s3}},
        ],
        "context": {"related": related},
    })
}
