//! The small fixed vocabularies the generator draws from, with the code
//! systems the Kids First FHIR ingest uses for them (see `mod.rs`).

/// A coding: system, code and display.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Coded {
    pub system: &'static str,
    pub code: &'static str,
    pub display: &'static str,
}

const fn coded(system: &'static str, code: &'static str, display: &'static str) -> Coded {
    Coded {
        system,
        code,
        display,
    }
}

pub(super) const CDC_RACE_ETHNICITY: &str = "urn:oid:2.16.840.1.113883.6.238";
pub(super) const NULL_FLAVOR: &str = "http://terminology.hl7.org/CodeSystem/v3-NullFlavor";
pub(super) const NCIT: &str = "http://purl.obolibrary.org/obo/ncit.owl";
pub(super) const OBI: &str = "http://purl.obolibrary.org/obo/obi.owl";
pub(super) const MONDO: &str = "http://purl.obolibrary.org/obo/mondo.owl";
pub(super) const HPO: &str = "http://purl.obolibrary.org/obo/hp.owl";
pub(super) const DATA_TYPES: &str = "https://includedcc.org/fhir/code-systems/data_types";
pub(super) const STRATEGIES: &str =
    "https://includedcc.org/fhir/code-systems/experimental_strategies";
pub(super) const DATA_CATEGORIES: &str = "https://includedcc.org/fhir/code-systems/data_categories";
pub(super) const DATA_ACCESS: &str = "https://includedcc.org/fhir/code-systems/data_access_types";
pub(super) const ROLE_CODE: &str = "http://terminology.hl7.org/CodeSystem/v3-RoleCode";

/// A race or ethnicity: the text as reported and its OMB category.
pub(super) type Reported = (&'static str, Coded);

pub(super) const RACES: &[Reported] = &[
    ("White", coded(CDC_RACE_ETHNICITY, "2106-3", "White")),
    ("White", coded(CDC_RACE_ETHNICITY, "2106-3", "White")),
    (
        "Black or African American",
        coded(CDC_RACE_ETHNICITY, "2054-5", "Black or African American"),
    ),
    ("Asian", coded(CDC_RACE_ETHNICITY, "2028-9", "Asian")),
    (
        "American Indian or Alaska Native",
        coded(
            CDC_RACE_ETHNICITY,
            "1002-5",
            "American Indian or Alaska Native",
        ),
    ),
    (
        "Native Hawaiian or Other Pacific Islander",
        coded(
            CDC_RACE_ETHNICITY,
            "2076-8",
            "Native Hawaiian or Other Pacific Islander",
        ),
    ),
    ("Other", coded(NULL_FLAVOR, "OTH", "other")),
    ("Not Reported", coded(NULL_FLAVOR, "NI", "NoInformation")),
];

pub(super) const ETHNICITIES: &[Reported] = &[
    (
        "Not Hispanic or Latino",
        coded(CDC_RACE_ETHNICITY, "2186-5", "Not Hispanic or Latino"),
    ),
    (
        "Not Hispanic or Latino",
        coded(CDC_RACE_ETHNICITY, "2186-5", "Not Hispanic or Latino"),
    ),
    (
        "Hispanic or Latino",
        coded(CDC_RACE_ETHNICITY, "2135-2", "Hispanic or Latino"),
    ),
    ("Not Reported", coded(NULL_FLAVOR, "NI", "NoInformation")),
];

/// What a sample is: `Specimen.type.text` and its NCIt coding.
#[derive(Debug)]
pub(super) struct SampleKind {
    pub text: &'static str,
    pub coding: Coded,
    /// Tumor samples are drawn from probands only.
    pub tumor: bool,
}

pub(super) const SAMPLE_KINDS: &[SampleKind] = &[
    SampleKind {
        text: "Peripheral Whole Blood",
        coding: coded(NCIT, "C173496", "Peripheral Blood"),
        tumor: false,
    },
    SampleKind {
        text: "Saliva",
        coding: coded(NCIT, "C174119", "Saliva Sample"),
        tumor: false,
    },
    SampleKind {
        text: "Buccal Swab",
        coding: coded(NCIT, "C113747", "Buccal Swab"),
        tumor: false,
    },
    SampleKind {
        text: "Tumor",
        coding: coded(NCIT, "C18009", "Tumor Tissue"),
        tumor: true,
    },
    SampleKind {
        text: "Bone Marrow",
        coding: coded(NCIT, "C164009", "Bone Marrow Sample"),
        tumor: true,
    },
];

/// One kind of file a sequencing experiment produces; a sample's documents
/// take the kinds in order, so the first two are the most telling.
#[derive(Debug)]
pub(super) struct FileKind {
    /// `DocumentReference.type`: the data type.
    pub data_type: Coded,
    /// `content.format`.
    pub format: &'static str,
    /// What follows the UUID in the file name.
    pub suffix: &'static str,
    /// Smallest and largest size in bytes (all below 2^31, FHIR R4's
    /// `unsignedInt` limit for `Attachment.size`).
    pub size: (u64, u64),
    /// Also related to the participant's other sample (a tumor/normal pair).
    pub paired: bool,
}

const fn data_type(code: &'static str, display: &'static str) -> Coded {
    coded(DATA_TYPES, code, display)
}

const DNA_FILES: &[FileKind] = &[
    FileKind {
        data_type: data_type("Aligned-Reads", "Aligned Reads"),
        format: "cram",
        suffix: ".cram",
        size: (800_000_000, 2_000_000_000),
        paired: false,
    },
    FileKind {
        data_type: data_type("Variant-Calls", "Variant Calls"),
        format: "vcf",
        suffix: ".vcf.gz",
        size: (50_000_000, 500_000_000),
        paired: true,
    },
    FileKind {
        data_type: data_type("Aligned-Reads-Index", "Aligned Reads Index"),
        format: "crai",
        suffix: ".cram.crai",
        size: (1_000_000, 5_000_000),
        paired: false,
    },
    FileKind {
        data_type: data_type("Variant-Calls-Index", "Variant Calls Index"),
        format: "tbi",
        suffix: ".vcf.gz.tbi",
        size: (1_000_000, 3_000_000),
        paired: false,
    },
    FileKind {
        data_type: data_type("gVCF", "gVCF"),
        format: "gvcf",
        suffix: ".g.vcf.gz",
        size: (3_000_000, 9_000_000),
        paired: false,
    },
];

const RNA_FILES: &[FileKind] = &[
    FileKind {
        data_type: data_type("Aligned-Reads", "Aligned Reads"),
        format: "bam",
        suffix: ".Aligned.out.sorted.bam",
        size: (500_000_000, 1_500_000_000),
        paired: false,
    },
    FileKind {
        data_type: data_type(
            "Gene-Expression-Quantifications",
            "Gene Expression Quantifications",
        ),
        format: "tsv",
        suffix: ".rsem.genes.results.gz",
        size: (1_000_000, 4_000_000),
        paired: false,
    },
    FileKind {
        data_type: data_type("Gene-Fusions", "Gene Fusions"),
        format: "tsv",
        suffix: ".arriba.fusions.tsv",
        size: (10_000, 200_000),
        paired: false,
    },
    FileKind {
        data_type: data_type(
            "Isoform-Expression-Quantifications",
            "Isoform Expression Quantifications",
        ),
        format: "tsv",
        suffix: ".rsem.isoforms.results.gz",
        size: (5_000_000, 20_000_000),
        paired: false,
    },
];

/// An experimental strategy, its data category, the analyte sequenced and
/// the files it yields (cycled through for a sample's documents).
#[derive(Debug)]
pub(super) struct Strategy {
    pub coding: Coded,
    pub category: &'static str,
    pub analyte: Coded,
    pub files: &'static [FileKind],
}

const DNA: Coded = coded(OBI, "OBI:0001051", "DNA extract");
const RNA: Coded = coded(OBI, "OBI:0000880", "RNA extract");

pub(super) const WGS: Strategy = Strategy {
    coding: coded(STRATEGIES, "WGS", "Whole Genome Sequencing"),
    category: "Genomics",
    analyte: DNA,
    files: DNA_FILES,
};
pub(super) const WXS: Strategy = Strategy {
    coding: coded(STRATEGIES, "WXS", "Whole Exome Sequencing"),
    category: "Genomics",
    analyte: DNA,
    files: DNA_FILES,
};
pub(super) const RNA_SEQ: Strategy = Strategy {
    coding: coded(STRATEGIES, "RNA-Seq", "RNA Sequencing"),
    category: "Transcriptomics",
    analyte: RNA,
    files: RNA_FILES,
};

/// Strategies for normal samples and for tumor samples.
pub(super) const NORMAL_STRATEGIES: &[&Strategy] = &[&WGS, &WGS, &WXS];
pub(super) const TUMOR_STRATEGIES: &[&Strategy] = &[&WGS, &WXS, &RNA_SEQ];

/// Sequencing platform and instrument model.
pub(super) const SEQUENCERS: &[(&str, &str)] = &[
    ("Illumina", "HiSeq X"),
    ("Illumina", "NovaSeq 6000"),
    ("Illumina", "HiSeq 2500"),
    ("PacBio", "Sequel II"),
];

pub(super) const REFERENCE_GENOMES: &[&str] = &["GRCh38", "GRCh38", "GRCh38", "GRCh37"];

/// A diagnosis (MONDO, a `disease` Condition) or phenotype (HPO).
pub(super) const DIAGNOSES: &[Coded] = &[
    coded(MONDO, "MONDO:0005072", "neuroblastoma"),
    coded(MONDO, "MONDO:0004967", "acute lymphoblastic leukemia"),
    coded(MONDO, "MONDO:0008608", "Down syndrome"),
    coded(MONDO, "MONDO:0005453", "congenital heart disease"),
    coded(MONDO, "MONDO:0000358", "orofacial cleft"),
    coded(MONDO, "MONDO:0012817", "Ewing sarcoma"),
];

pub(super) const PHENOTYPES: &[Coded] = &[
    coded(HPO, "HP:0001631", "Atrial septal defect"),
    coded(HPO, "HP:0001629", "Ventricular septal defect"),
    coded(HPO, "HP:0000175", "Cleft palate"),
    coded(HPO, "HP:0410030", "Cleft lip"),
    coded(HPO, "HP:0001250", "Seizure"),
    coded(HPO, "HP:0001263", "Global developmental delay"),
];

/// Titles a synthetic study is given.
pub(super) const STUDY_NAMES: &[&str] = &[
    "Kids First: Synthetic Neuroblastoma Predisposition Cohort",
    "Kids First: Synthetic Congenital Heart Defects Trios",
    "Kids First: Synthetic Orofacial Cleft Families",
    "Kids First: Synthetic Pediatric Leukemia and Down Syndrome Cohort",
];

/// dbGaP consent groups (`phs….c1`).
pub(super) const CONSENT_CODES: &[&str] = &["c1", "c2"];

/// The letters of Kids First ids (`PT_1A2B3C4D`): digits and upper case
/// without I, L, O and U.
pub(super) const ID_ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
