//! Deterministic synthetic FHIR R4 data sets for tests, benchmarks and
//! `fhir-import dataset`: the same seed and shape always give byte-identical
//! resources.
//!
//! `generate` draws a Kids First-shaped study (the NCPI FHIR model as the
//! Kids First ingest writes it): families as `Group`s of a proband and 0-2
//! parents, `Patient`s with US Core race and ethnicity, `ResearchStudy` and
//! `ResearchSubject`s, family-relationship `Observation`s, `Specimen`s,
//! `Condition`s (MONDO diagnoses and HPO phenotypes) and the import unit, DRS
//! `DocumentReference`s. Every resource carries the study tag.
//!
//! Platform, instrument and reference genome are not on DocumentReference in
//! the Kids First model (they live on sequencing experiments, which its FHIR
//! ingest does not write); here they ride on one complex extension,
//! [`EXT_SEQUENCING`], with `experimentId`, `platform`, `instrumentModel` and
//! `referenceGenome` string sub-extensions.

mod expected;
mod kids_first;
mod plan;
mod stream;
mod vocab;

#[cfg(test)]
mod tests;

use std::{collections::BTreeMap, io, path::Path};

use serde_json::{json, Value};

pub use expected::EXPECTED_KEYS;

/// What a schema should derive for one document: key -> values.
pub type Expected = BTreeMap<String, Vec<String>>;

/// `meta.tag` system carrying the study id (as the Kids First ingest tags).
pub const STUDY_TAG_SYSTEM: &str = "https://kf-api-dataservice.kidsfirstdrc.org/studies/";
/// Base of the identifier systems (`…/participants/`, `…/biospecimens/` …).
pub const KF_DATASERVICE: &str = "https://kf-api-dataservice.kidsfirstdrc.org";
/// Host of the DRS URIs in `content[0].attachment.url`.
pub const DRS_HOST: &str = "drs://data.kidsfirstdrc.org";
/// NCPI attachment extensions for the file size and for hashes.
pub const EXT_FILE_SIZE: &str =
    "https://nih-ncpi.github.io/ncpi-fhir-ig/StructureDefinition/file-size";
pub const EXT_HASHES: &str = "https://nih-ncpi.github.io/ncpi-fhir-ig/StructureDefinition/hashes";
/// This generator's own extension for the sequencing experiment behind a
/// file (`.example` is a reserved domain: the URL resolves nowhere).
pub const EXT_SEQUENCING: &str =
    "https://fhir-import.example/fhir/StructureDefinition/sequencing-experiment";
pub const PROFILE_DRS_DOCUMENT: &str =
    "https://ncpi-fhir.github.io/ncpi-fhir-ig/StructureDefinition/ncpi-drs-document-reference";
pub const PROFILE_DISEASE: &str =
    "https://ncpi-fhir.github.io/ncpi-fhir-ig/StructureDefinition/disease";
pub const PROFILE_PHENOTYPE: &str =
    "https://ncpi-fhir.github.io/ncpi-fhir-ig/StructureDefinition/phenotype";
pub const PROFILE_FAMILY_RELATIONSHIP: &str =
    "https://nih-ncpi.github.io/ncpi-fhir-ig/StructureDefinition/family-relationship";

/// How big a data set to draw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shape {
    /// Families; each has a proband and 0, 1 or 2 parents.
    pub families: usize,
    /// Specimens per patient (a proband's second one is a tumor sample).
    pub specimens_per_patient: usize,
    /// Conditions per patient (probands alternate diagnosis and phenotype).
    pub conditions_per_patient: usize,
    /// DocumentReferences per specimen.
    pub documents_per_specimen: usize,
    /// The Kids First study id, e.g. `SD_TEST0001`; the tag code and ACL.
    pub study_id: String,
}

impl Default for Shape {
    fn default() -> Self {
        Self {
            families: 5,
            specimens_per_patient: 2,
            conditions_per_patient: 1,
            documents_per_specimen: 2,
            study_id: "SD_TEST0001".to_owned(),
        }
    }
}

/// A generated data set: FHIR resources as JSON, and the records they came from.
#[derive(Debug, Clone)]
pub struct Dataset {
    pub research_study: Value,
    pub patients: Vec<Value>,
    pub research_subjects: Vec<Value>,
    /// Families, as `Group`s of type `person`.
    pub groups: Vec<Value>,
    /// Family relationships of parents to the proband.
    pub observations: Vec<Value>,
    pub specimens: Vec<Value>,
    pub conditions: Vec<Value>,
    pub document_references: Vec<Value>,
    plan: plan::Plan,
}

/// Draws the data set for `seed` and `shape`.
pub fn generate(seed: u64, shape: &Shape) -> Dataset {
    let plan = plan::draw(seed, shape);
    let p = &plan;
    Dataset {
        research_study: kids_first::research_study(p),
        patients: p
            .participants
            .iter()
            .map(|x| kids_first::patient(p, x))
            .collect(),
        research_subjects: p
            .participants
            .iter()
            .map(|x| kids_first::research_subject(p, x))
            .collect(),
        groups: (0..p.families.len())
            .map(|f| kids_first::family_group(p, f))
            .collect(),
        observations: p
            .participants
            .iter()
            .filter_map(|x| {
                let id = x.relationship_id.as_deref()?;
                Some(kids_first::family_relationship(p, x, id))
            })
            .collect(),
        specimens: p
            .samples
            .iter()
            .map(|x| kids_first::specimen(p, x))
            .collect(),
        conditions: p
            .conditions
            .iter()
            .map(|x| kids_first::condition(p, x))
            .collect(),
        document_references: p
            .files
            .iter()
            .map(|x| kids_first::document_reference(p, x))
            .collect(),
        plan,
    }
}

/// What `Dataset::write_to` wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub resources: usize,
    pub documents: usize,
}

impl Dataset {
    /// Every resource, those referred to before those referring to them.
    pub fn resources(&self) -> impl Iterator<Item = &Value> {
        std::iter::once(&self.research_study)
            .chain(&self.patients)
            .chain(&self.research_subjects)
            .chain(&self.groups)
            .chain(&self.observations)
            .chain(&self.specimens)
            .chain(&self.conditions)
            .chain(&self.document_references)
    }

    /// A `transaction` Bundle that PUTs every resource at `{type}/{id}`, so
    /// loading it twice leaves the server as loading it once.
    pub fn transaction_bundle(&self) -> Value {
        let entry: Vec<Value> = self
            .resources()
            .map(|resource| {
                let url = format!(
                    "{}/{}",
                    resource["resourceType"].as_str().unwrap_or_default(),
                    resource["id"].as_str().unwrap_or_default()
                );
                json!({"resource": resource, "request": {"method": "PUT", "url": url}})
            })
            .collect();
        json!({"resourceType": "Bundle", "type": "transaction", "entry": entry})
    }

    /// The DocumentReferences as NDJSON, one per line, each line ended by `\n`.
    pub fn document_ndjson(&self) -> String {
        let mut out = String::new();
        for document in &self.document_references {
            out.push_str(&document.to_string());
            out.push('\n');
        }
        out
    }

    /// For each DocumentReference id, what a schema should derive for it;
    /// every map has all of [`EXPECTED_KEYS`].
    pub fn expected(&self) -> BTreeMap<String, Expected> {
        self.plan
            .files
            .iter()
            .map(|f| (f.id.clone(), expected::for_file(&self.plan, f)))
            .collect()
    }

    /// What a schema should derive for one DocumentReference.
    pub fn expected_for(&self, document_id: &str) -> Option<Expected> {
        let file = self.plan.files.iter().find(|f| f.id == document_id)?;
        Some(expected::for_file(&self.plan, file))
    }

    /// Writes `bundle.json` (the transaction Bundle) and `documents.ndjson`
    /// into `dir`, creating it if need be.
    pub fn write_to(&self, dir: &Path) -> io::Result<Written> {
        std::fs::create_dir_all(dir)?;
        let mut bundle = serde_json::to_vec_pretty(&self.transaction_bundle())?;
        bundle.push(b'\n');
        std::fs::write(dir.join("bundle.json"), bundle)?;
        std::fs::write(dir.join("documents.ndjson"), self.document_ndjson())?;
        Ok(Written {
            resources: self.resources().count(),
            documents: self.document_references.len(),
        })
    }
}
