//! `fhir-import dataset`: writes a deterministic synthetic data set to files,
//! for loading into a FHIR server and importing from it.

use std::{io::Write, path::PathBuf};

use clap::{Args, Subcommand};

use super::error::CliError;
use crate::dataset::{self, Shape};

/// Write a deterministic synthetic FHIR data set to files.
#[derive(Subcommand, Debug)]
pub enum DatasetCommand {
    /// A Kids First-shaped study (NCPI FHIR model): `bundle.json`, a
    /// transaction Bundle PUTting every resource, and `documents.ndjson`,
    /// its DocumentReferences.
    KidsFirst(KidsFirstArgs),
}

impl DatasetCommand {
    pub fn run(self, out: &mut dyn Write) -> Result<(), CliError> {
        match self {
            Self::KidsFirst(args) => kids_first(&args, out),
        }
    }
}

/// `dataset kids-first`.
#[derive(Args, Debug, Clone)]
pub struct KidsFirstArgs {
    /// The same seed always gives the same files.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Families (a proband and 0-2 parents each).
    #[arg(long, default_value_t = 5)]
    pub families: usize,
    /// Specimens of each patient.
    #[arg(long, value_name = "N", default_value_t = 2)]
    pub specimens_per_patient: usize,
    /// Conditions of each patient.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub conditions_per_patient: usize,
    /// DocumentReferences (files) of each specimen.
    #[arg(long, value_name = "N", default_value_t = 2)]
    pub documents_per_specimen: usize,
    /// The study id every resource is tagged with.
    #[arg(long, default_value = "SD_TEST0001")]
    pub study_id: String,
    /// Where to write the files (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out_dir: PathBuf,
}

/// Writes `bundle.json` and `documents.ndjson` into `--out-dir` and says
/// what it wrote.
fn kids_first(args: &KidsFirstArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let shape = Shape {
        families: args.families,
        specimens_per_patient: args.specimens_per_patient,
        conditions_per_patient: args.conditions_per_patient,
        documents_per_specimen: args.documents_per_specimen,
        study_id: args.study_id.clone(),
    };
    let data = dataset::generate(args.seed, &shape);
    let written = data.write_to(&args.out_dir).map_err(|e| {
        CliError::Input(format!(
            "--out-dir {}: cannot write the data set: {e}",
            args.out_dir.display()
        ))
    })?;
    writeln!(
        out,
        "wrote {} ({} resources, a transaction Bundle)",
        args.out_dir.join("bundle.json").display(),
        written.resources
    )?;
    writeln!(
        out,
        "wrote {} ({} DocumentReferences)",
        args.out_dir.join("documents.ndjson").display(),
        written.documents
    )?;
    Ok(())
}
