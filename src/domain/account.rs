//! Users, their roles in projects, and the OAuth scopes that bound what a
//! token may do.

use std::fmt;

pub const MAX_USERNAME: usize = 64;

/// A user name: also the owner part of project slugs, so it is kept plain.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Username(String);

impl Username {
    pub fn parse(s: &str) -> Result<Self, String> {
        let valid = !s.is_empty()
            && s.len() <= MAX_USERNAME
            && s.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-_.".contains(c));
        if valid {
            Ok(Self(s.to_owned()))
        } else {
            Err(format!(
                "username: {s:?} must be 1 to {MAX_USERNAME} lowercase letters, digits, '-', '_' or '.', starting with a letter or digit"
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a member may do in a project. Ordered: each role includes the ones
/// before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    Read,
    Write,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Write => "write",
            Self::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Result<Self, String> {
        match s {
            "read" => Ok(Self::Read),
            "write" => Ok(Self::Write),
            "admin" => Ok(Self::Admin),
            other => Err(format!("role: {other:?} is not one of admin, write, read")),
        }
    }
}

/// The scopes a client can be registered for and a token can carry.
pub const SCOPES: [&str; 6] = [
    "import:write",
    "import:read",
    "files:read",
    "projects",
    "clients",
    "admin",
];

/// The dashboard the service serves at `/ui`: a public client every server
/// has built in, first-party (no consent page), redirecting to `/ui/` on
/// the server's own address.
pub const DASHBOARD_CLIENT_ID: &str = "fhir-import-dashboard";
/// What the dashboard may ask for: it only reads (admin for the FHIR
/// servers page, given to admin users only).
pub const DASHBOARD_SCOPES: [&str; 4] = ["projects", "import:read", "files:read", "admin"];
/// Where the dashboard's sign-in comes back to, relative to the issuer.
pub const DASHBOARD_REDIRECT_PATH: &str = "/ui/";

/// The scopes a portal may give itself at registration, and a token
/// exchange gives by default: neither registering portals (`clients`) nor
/// administering the platform (`admin`).
pub const PORTAL_SCOPES: [&str; 4] = ["import:write", "import:read", "files:read", "projects"];

/// What a scope lets a portal do, in words a person reads before allowing
/// it.
pub fn scope_words(scope: &str) -> &'static str {
    match scope {
        "import:write" => "Import files into your projects",
        "import:read" => "Follow your imports and see what each one did",
        "files:read" => "See the files in your projects and their metadata",
        "projects" => "See your projects and create new ones",
        "clients" => "Register new portals that act for you",
        "admin" => "Administer this fhir-import server: users, FHIR servers and schemas",
        _ => "A permission this server does not describe",
    }
}

pub fn parse_scopes<'a>(scopes: impl IntoIterator<Item = &'a str>) -> Result<Vec<String>, String> {
    let mut parsed: Vec<String> = Vec::new();
    for scope in scopes {
        if !SCOPES.contains(&scope) {
            return Err(format!(
                "scope: {scope:?} is not one of {}",
                SCOPES.join(", ")
            ));
        }
        if !parsed.iter().any(|s| s == scope) {
            parsed.push(scope.to_owned());
        }
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_stay_plain() {
        assert!(Username::parse("alice").is_ok());
        assert!(Username::parse("kf.portal-1").is_ok());
        assert!(Username::parse("").is_err());
        assert!(Username::parse("Alice").is_err());
        assert!(Username::parse("a/b").is_err());
        assert!(Username::parse(&"a".repeat(65)).is_err());
    }

    #[test]
    fn roles_include_the_lesser_ones() {
        assert!(Role::Admin > Role::Write && Role::Write > Role::Read);
        assert_eq!(Role::parse("write"), Ok(Role::Write));
        assert!(Role::parse("owner").is_err());
    }

    #[test]
    fn scopes_are_known_and_deduplicated() {
        assert_eq!(
            parse_scopes(["import:write", "files:read", "import:write"]),
            Ok(vec!["import:write".to_owned(), "files:read".to_owned()])
        );
        assert!(parse_scopes(["everything"])
            .unwrap_err()
            .contains("import:read"));
    }
}
