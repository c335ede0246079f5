//! Project names and the two ways a client names a project: id or slug.

use chrono::{DateTime, Utc};

use super::ids::ProjectId;

pub const MAX_PROJECT_NAME: usize = 64;
pub const MAX_DESCRIPTION_CHARS: usize = 2000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectName(String);

impl ProjectName {
    pub fn parse(s: &str) -> Result<Self, String> {
        let valid_start = s
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
        let valid_chars = s
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-_.".contains(c));
        if s.is_empty() {
            return Err("name: required".into());
        }
        if s.len() > MAX_PROJECT_NAME {
            return Err(format!(
                "name: at most {MAX_PROJECT_NAME} characters, got {}",
                s.len()
            ));
        }
        if !valid_start || !valid_chars {
            return Err(format!(
                "name: {s:?} must be lowercase letters, digits, '-', '_' or '.', starting with a letter or digit"
            ));
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// How a request names a project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProjectRef {
    Id(ProjectId),
    Slug { owner: String, name: String },
}

impl ProjectRef {
    pub fn parse(s: &str) -> Result<Self, String> {
        let s = s.trim();
        if s.is_empty() {
            return Err("project: required (a project id or an owner/name slug)".into());
        }
        if let Some((owner, name)) = s.split_once('/') {
            if owner.is_empty() || name.is_empty() || name.contains('/') {
                return Err(format!("project: {s:?} is not an owner/name slug"));
            }
            return Ok(Self::Slug {
                owner: owner.to_owned(),
                name: name.to_owned(),
            });
        }
        ProjectId::parse(s)
            .map(Self::Id)
            .ok_or_else(|| format!("project: {s:?} is neither a project id nor an owner/name slug"))
    }
}

impl ProjectRef {
    /// As [`ProjectRef::parse`], where a bare name (`kf-demo`) is one of
    /// `user`'s own projects (`user/kf-demo`).
    pub fn parse_for(s: &str, user: &str) -> Result<Self, String> {
        let trimmed = s.trim();
        let bare_name = !trimmed.contains('/')
            && ProjectId::parse(trimmed).is_none()
            && ProjectName::parse(trimmed).is_ok();
        match bare_name {
            true => Ok(Self::Slug {
                owner: user.to_owned(),
                name: trimmed.to_owned(),
            }),
            false => Self::parse(s),
        }
    }
}

pub fn slug(owner: &str, name: &str) -> String {
    format!("{owner}/{name}")
}

/// Which projects may use a FHIR server, as an admin grants it: one
/// project (`owner/name`), every project of one user (`owner/*`), or every
/// project (`*`). Slugs rather than ids, so that the configuration file can
/// grant a project before it exists.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ProjectPattern {
    Every,
    OwnedBy(String),
    Slug { owner: String, name: String },
}

impl ProjectPattern {
    pub fn parse(s: &str) -> Result<Self, String> {
        let s = s.trim();
        if s == "*" {
            return Ok(Self::Every);
        }
        let Some((owner, name)) = s.split_once('/') else {
            return Err(format!(
                "{s:?} is not a project pattern: owner/name, owner/* or *"
            ));
        };
        super::account::Username::parse(owner).map_err(|e| format!("{s:?}: {e}"))?;
        if name == "*" {
            return Ok(Self::OwnedBy(owner.to_owned()));
        }
        ProjectName::parse(name).map_err(|e| format!("{s:?}: {e}"))?;
        Ok(Self::Slug {
            owner: owner.to_owned(),
            name: name.to_owned(),
        })
    }

    pub fn matches(&self, owner: &str, name: &str) -> bool {
        match self {
            Self::Every => true,
            Self::OwnedBy(o) => o == owner,
            Self::Slug { owner: o, name: n } => o == owner && n == name,
        }
    }
}

impl std::fmt::Display for ProjectPattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Every => f.write_str("*"),
            Self::OwnedBy(owner) => write!(f, "{owner}/*"),
            Self::Slug { owner, name } => write!(f, "{owner}/{name}"),
        }
    }
}

/// A project: where imported files live, owned by a user.
#[derive(Debug, Clone, PartialEq)]
pub struct Project {
    pub id: ProjectId,
    pub owner: String,
    pub name: String,
    pub slug: String,
    pub description: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_patterns_name_one_project_a_users_or_every_one() {
        let one = ProjectPattern::parse("ada/study").unwrap();
        assert!(one.matches("ada", "study"));
        assert!(!one.matches("ada", "other"));
        assert!(!one.matches("bob", "study"));
        let owned = ProjectPattern::parse(" ada/* ").unwrap();
        assert!(owned.matches("ada", "anything"));
        assert!(!owned.matches("adam", "anything"));
        assert!(ProjectPattern::parse("*").unwrap().matches("bob", "x"));
        for bad in ["", "ada", "*/study", "ada/st*", "Ada/x", "a/b/c", "ada/"] {
            assert!(ProjectPattern::parse(bad).is_err(), "{bad:?} was accepted");
        }
        assert_eq!(owned.to_string(), "ada/*");
        assert_eq!(one.to_string(), "ada/study");
    }

    #[test]
    fn names_follow_the_documented_form() {
        assert!(ProjectName::parse("kids-first.2026_a").is_ok());
        assert!(ProjectName::parse("").is_err());
        assert!(ProjectName::parse("Upper").is_err());
        assert!(ProjectName::parse("-lead").is_err());
        assert!(ProjectName::parse("has space").is_err());
        assert!(ProjectName::parse(&"a".repeat(65)).is_err());
    }

    #[test]
    fn project_refs_are_ids_or_slugs() {
        let id = ProjectId::generate();
        assert_eq!(ProjectRef::parse(id.as_str()), Ok(ProjectRef::Id(id)));
        assert_eq!(
            ProjectRef::parse("alice/study"),
            Ok(ProjectRef::Slug {
                owner: "alice".into(),
                name: "study".into()
            })
        );
        assert!(ProjectRef::parse("alice/").is_err());
        assert!(ProjectRef::parse("a/b/c").is_err());
        assert!(ProjectRef::parse("nonsense").is_err());
        assert_eq!(
            ProjectRef::parse_for("study", "alice"),
            Ok(ProjectRef::Slug {
                owner: "alice".into(),
                name: "study".into()
            }),
            "a bare name is the caller's own project"
        );
        assert!(ProjectRef::parse_for("Not A Name", "alice").is_err());
    }
}
