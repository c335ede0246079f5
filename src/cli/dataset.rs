//! `fhir-import dataset`: writes a deterministic synthetic data set to files,
//! for loading into a FHIR server and importing from it.

use std::{io::Write, path::PathBuf};

use super::error::CliError;
use crate::dataset::{self, Shape};

/// `dataset kids-first`, parsed.
#[derive(Debug, Clone)]
pub struct KidsFirstArgs {
    pub seed: u64,
    pub shape: Shape,
    pub out_dir: PathBuf,
}

/// Writes `bundle.json` and `documents.ndjson` into `--out-dir` and says
/// what it wrote.
pub fn kids_first(args: &KidsFirstArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let data = dataset::generate(args.seed, &args.shape);
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
