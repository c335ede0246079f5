//! The generator's own records of who and what is in a data set, drawn from
//! a seeded ChaCha8 stream; the FHIR JSON and the expected values are both
//! rendered from these, never from each other.

use super::stream::{fhir_id, Draw};
use super::vocab::{
    Coded, FileKind, Reported, SampleKind, Strategy, CONSENT_CODES, DIAGNOSES, ETHNICITIES,
    NORMAL_STRATEGIES, PHENOTYPES, RACES, REFERENCE_GENOMES, SAMPLE_KINDS, SEQUENCERS, STUDY_NAMES,
    TUMOR_STRATEGIES,
};
use super::Shape;

#[derive(Debug, Clone)]
pub(super) struct Plan {
    pub study: StudyRec,
    pub families: Vec<FamilyRec>,
    pub participants: Vec<ParticipantRec>,
    pub samples: Vec<SampleRec>,
    pub conditions: Vec<ConditionRec>,
    pub files: Vec<FileRec>,
}

#[derive(Debug, Clone)]
pub(super) struct StudyRec {
    /// The Kids First study id as given, e.g. `SD_TEST0001`.
    pub study_id: String,
    /// `ResearchStudy.id`: the study id made a valid FHIR id.
    pub resource_id: String,
    pub name: &'static str,
    /// dbGaP accession without version, e.g. `phs001138`.
    pub accession: String,
    pub consent: &'static str,
}

#[derive(Debug, Clone)]
pub(super) struct FamilyRec {
    pub id: String,
    pub external_id: String,
    /// Indices into `participants`; the proband first.
    pub members: Vec<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Role {
    Proband,
    Mother,
    Father,
}

impl Role {
    /// The relation to the proband, as text and v3 RoleCode.
    pub fn relation(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Role::Proband => ("Proband", "CHILD", "child"),
            Role::Mother => ("Mother", "MTH", "mother"),
            Role::Father => ("Father", "FTH", "father"),
        }
    }
}

#[derive(Debug, Clone)]
pub(super) struct ParticipantRec {
    pub id: String,
    pub external_id: String,
    pub family: usize,
    pub role: Role,
    pub gender: &'static str,
    pub race: &'static Reported,
    pub ethnicity: &'static Reported,
    /// `Observation.id` of the family relationship to the proband (none for
    /// the proband).
    pub relationship_id: Option<String>,
    pub samples: Vec<usize>,
}

#[derive(Debug, Clone)]
pub(super) struct SampleRec {
    pub id: String,
    pub external_id: String,
    pub participant: usize,
    pub kind: &'static SampleKind,
    pub strategy: &'static Strategy,
    pub experiment_id: String,
    pub platform: &'static str,
    pub instrument: &'static str,
    pub reference_genome: &'static str,
}

#[derive(Debug, Clone)]
pub(super) struct ConditionRec {
    pub id: String,
    pub participant: usize,
    pub term: &'static Coded,
    /// A MONDO diagnosis (else an HPO phenotype).
    pub diagnosis: bool,
    pub confirmed: bool,
}

#[derive(Debug, Clone)]
pub(super) struct FileRec {
    pub id: String,
    pub participant: usize,
    /// Indices into `samples`: the file's own sample first.
    pub samples: Vec<usize>,
    pub kind: &'static FileKind,
    /// The DRS object id (a UUID).
    pub did: String,
    pub file_name: String,
    pub size: u64,
    pub sha1: [u8; 20],
    pub md5: [u8; 16],
    pub controlled: bool,
}

pub(super) fn draw(seed: u64, shape: &Shape) -> Plan {
    let mut d = Draw::new(seed);
    let study = StudyRec {
        study_id: shape.study_id.clone(),
        resource_id: fhir_id(&shape.study_id),
        name: d.choose(STUDY_NAMES),
        accession: format!("phs00{}", d.between(1000, 2999)),
        consent: d.choose(CONSENT_CODES),
    };
    let mut plan = Plan {
        study,
        families: Vec::new(),
        participants: Vec::new(),
        samples: Vec::new(),
        conditions: Vec::new(),
        files: Vec::new(),
    };
    let first_family = d.between(1000, 8000);
    for f in 0..shape.families {
        let external_id = format!("FAM{}", first_family + f as u64);
        let mut roles = vec![Role::Proband];
        match d.below(4) {
            0 => {}
            1 => roles.push(Role::Mother),
            _ => roles.extend([Role::Mother, Role::Father]),
        }
        let family_id = d.id("FM");
        let mut members = Vec::new();
        for (m, role) in roles.into_iter().enumerate() {
            members.push(plan.participants.len());
            let participant = draw_participant(&mut d, &plan, f, role, &external_id, m);
            plan.participants.push(participant);
        }
        plan.families.push(FamilyRec {
            id: family_id,
            external_id,
            members,
        });
    }
    for p in 0..plan.participants.len() {
        draw_samples_and_conditions(&mut d, &mut plan, p, shape);
    }
    for s in 0..plan.samples.len() {
        for n in 0..shape.documents_per_specimen {
            let file = draw_file(&mut d, &plan, s, n);
            plan.files.push(file);
        }
    }
    plan
}

fn draw_participant(
    d: &mut Draw,
    plan: &Plan,
    family: usize,
    role: Role,
    family_external_id: &str,
    member: usize,
) -> ParticipantRec {
    let gender = match role {
        Role::Mother => "female",
        Role::Father => "male",
        Role::Proband => d.choose(&["female", "male", "female", "male", "unknown"]),
    };
    // Parents share the proband's reported race and ethnicity most of the time.
    let (race, ethnicity) = if member > 0 && d.percent(80) {
        let proband = &plan.participants[plan.participants.len() - member];
        (proband.race, proband.ethnicity)
    } else {
        (d.pick(RACES), d.pick(ETHNICITIES))
    };
    ParticipantRec {
        id: d.id("PT"),
        external_id: format!("{family_external_id}-{:02}", member + 1),
        family,
        role,
        gender,
        race,
        ethnicity,
        relationship_id: (role != Role::Proband).then(|| d.id("FR")),
        samples: Vec::new(),
    }
}

fn draw_samples_and_conditions(d: &mut Draw, plan: &mut Plan, p: usize, shape: &Shape) {
    let proband = plan.participants[p].role == Role::Proband;
    for n in 0..shape.specimens_per_patient {
        // A proband's second sample is a tumor; every other sample is normal.
        let kinds: Vec<&'static SampleKind> = SAMPLE_KINDS
            .iter()
            .filter(|k| k.tumor == (proband && n == 1))
            .collect();
        let kind = d.choose(&kinds);
        let strategies = if kind.tumor {
            TUMOR_STRATEGIES
        } else {
            NORMAL_STRATEGIES
        };
        let (platform, instrument) = d.choose(SEQUENCERS);
        let sample = SampleRec {
            id: d.id("BS"),
            external_id: format!("{}-S{}", plan.participants[p].external_id, n + 1),
            participant: p,
            kind,
            strategy: d.choose(strategies),
            experiment_id: d.id("SE"),
            platform,
            instrument,
            reference_genome: d.choose(REFERENCE_GENOMES),
        };
        plan.participants[p].samples.push(plan.samples.len());
        plan.samples.push(sample);
    }
    for n in 0..shape.conditions_per_patient {
        let diagnosis = n % 2 == 0 && proband;
        let condition = ConditionRec {
            id: d.id(if diagnosis { "DG" } else { "PH" }),
            participant: p,
            term: d.pick(if diagnosis { DIAGNOSES } else { PHENOTYPES }),
            diagnosis,
            confirmed: diagnosis || d.percent(75),
        };
        plan.conditions.push(condition);
    }
}

fn draw_file(d: &mut Draw, plan: &Plan, s: usize, n: usize) -> FileRec {
    let sample = &plan.samples[s];
    let files = sample.strategy.files;
    let kind = &files[n % files.len()];
    let mut samples = vec![s];
    if kind.paired {
        let own = &plan.participants[sample.participant].samples;
        samples.extend(own.iter().copied().filter(|&o| o != s).take(1));
    }
    let did = d.uuid();
    let file_name = format!("{}{}", d.uuid(), kind.suffix);
    FileRec {
        id: d.id("GF"),
        participant: sample.participant,
        samples,
        kind,
        did,
        file_name,
        size: d.between(kind.size.0, kind.size.1),
        sha1: d.bytes(),
        md5: d.bytes(),
        controlled: d.percent(85),
    }
}
