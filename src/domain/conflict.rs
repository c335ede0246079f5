//! What happens when a document was imported into a project before, and how
//! file names stay unique within a project.

use super::import::ConflictPolicy;

/// What the record-file stage does with one document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileAction {
    Create,
    Overwrite { file_id: String },
    Skip { file_id: String },
}

/// `existing` is the newest file already made from the same document.
pub fn decide(policy: ConflictPolicy, existing: Option<&str>) -> FileAction {
    match (policy, existing) {
        (_, None) | (ConflictPolicy::Rename, Some(_)) => FileAction::Create,
        (ConflictPolicy::Skip, Some(id)) => FileAction::Skip {
            file_id: id.to_owned(),
        },
        (ConflictPolicy::Overwrite, Some(id)) => FileAction::Overwrite {
            file_id: id.to_owned(),
        },
    }
}

/// The first of `name`, `_1_name`, `_2_name`, … that is not taken, as the
/// platform names copies.
pub fn unique_name(name: &str, mut is_taken: impl FnMut(&str) -> bool) -> String {
    if !is_taken(name) {
        return name.to_owned();
    }
    (1u64..)
        .map(|n| format!("_{n}_{name}"))
        .find(|candidate| !is_taken(candidate))
        .unwrap_or_else(|| name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policies_decide_what_happens_to_a_known_document() {
        assert_eq!(decide(ConflictPolicy::Skip, None), FileAction::Create);
        assert_eq!(
            decide(ConflictPolicy::Skip, Some("f1")),
            FileAction::Skip {
                file_id: "f1".into()
            }
        );
        assert_eq!(
            decide(ConflictPolicy::Overwrite, Some("f1")),
            FileAction::Overwrite {
                file_id: "f1".into()
            }
        );
        assert_eq!(
            decide(ConflictPolicy::Rename, Some("f1")),
            FileAction::Create
        );
    }

    #[test]
    fn names_get_the_platform_copy_prefix() {
        let taken = ["a.cram", "_1_a.cram"];
        assert_eq!(unique_name("b.cram", |n| taken.contains(&n)), "b.cram");
        assert_eq!(unique_name("a.cram", |n| taken.contains(&n)), "_2_a.cram");
    }
}
