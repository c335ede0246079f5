//! Which resource a reference string names, and whether a URL is on the
//! registered server: the only place that decides what may be fetched.

use url::Url;

use super::FhirError;

/// A resource on the registered server: `Type/id`, or one version of it
/// (`Type/id/_history/v`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceRef {
    pub resource_type: String,
    pub id: String,
    pub version: Option<String>,
}

impl ResourceRef {
    /// The path below the base URL that reads it.
    pub fn path(&self) -> String {
        match &self.version {
            Some(v) => format!("{}/{}/_history/{v}", self.resource_type, self.id),
            None => format!("{}/{}", self.resource_type, self.id),
        }
    }
}

/// Parses a reference as found in a resource, against `base` (normalised to
/// end in `/`). Absolute URLs must lie below `base`, else `ForeignHost`.
pub fn parse_reference(base: &Url, reference: &str) -> Result<ResourceRef, FhirError> {
    let invalid = |why: &str| FhirError::InvalidReference {
        reference: reference.to_owned(),
        why: why.to_owned(),
    };
    let reference = reference.trim();
    if reference.starts_with('#') {
        return Err(invalid(
            "a contained reference; resolve it within its resource",
        ));
    }
    match Url::parse(reference) {
        Ok(url) => {
            if !matches!(url.scheme(), "http" | "https") {
                return Err(invalid("not a URL the server can serve (e.g. urn:uuid)"));
            }
            let relative = relative_to_base(base, &url)?;
            if url.query().is_some() || url.fragment().is_some() {
                return Err(invalid(
                    "absolute references must not carry a query or fragment",
                ));
            }
            parse_relative(relative).ok_or_else(|| invalid("expected [base]/Type/id"))
        }
        Err(_) => parse_relative(reference)
            .ok_or_else(|| invalid("expected Type/id or Type/id/_history/version")),
    }
}

/// The part of `url` below `base`, or `ForeignHost` if it is not below it.
fn relative_to_base<'u>(base: &Url, url: &'u Url) -> Result<&'u str, FhirError> {
    if url.origin() == base.origin() {
        if let Some(rest) = url.path().strip_prefix(base.path()) {
            return Ok(rest);
        }
    }
    Err(FhirError::ForeignHost { host: host_of(url) })
}

/// Checks a URL the server handed us (a Bundle's next link) before we
/// follow it: same origin as `base`, so our credentials go nowhere else.
pub fn check_same_origin(base: &Url, link: &str) -> Result<Url, FhirError> {
    let url = base.join(link).map_err(|e| FhirError::InvalidReference {
        reference: link.to_owned(),
        why: format!("not a URL: {e}"),
    })?;
    if url.origin() == base.origin() {
        Ok(url)
    } else {
        Err(FhirError::ForeignHost {
            host: host_of(&url),
        })
    }
}

/// `host` or `host:port` as written in the URL, for error messages.
pub fn host_of(url: &Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(host), Some(port)) => format!("{host}:{port}"),
        (Some(host), None) => host.to_owned(),
        (None, _) => url.scheme().to_owned(),
    }
}

fn parse_relative(path: &str) -> Option<ResourceRef> {
    let parts: Vec<&str> = path.split('/').collect();
    let (resource_type, id, version) = match parts.as_slice() {
        [t, id] => (*t, *id, None),
        [t, id, "_history", v] => (*t, *id, Some(*v)),
        _ => return None,
    };
    let version_ok = version.is_none_or(valid_id);
    (valid_type(resource_type) && valid_id(id) && version_ok).then(|| ResourceRef {
        resource_type: resource_type.to_owned(),
        id: id.to_owned(),
        version: version.map(str::to_owned),
    })
}

/// A resource type name: `Patient`, `DocumentReference`.
pub fn valid_type(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_uppercase())
        && name.chars().all(|c| c.is_ascii_alphabetic())
}

/// A FHIR id: `[A-Za-z0-9\-\.]{1,64}`.
pub fn valid_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Url {
        Url::parse("https://fhir.example.org/r4/").unwrap()
    }

    fn parsed(reference: &str) -> Result<ResourceRef, FhirError> {
        parse_reference(&base(), reference)
    }

    #[test]
    fn relative_references_name_type_id_and_version() {
        let r = parsed("Patient/p-1.a").unwrap();
        assert_eq!(
            (r.resource_type.as_str(), r.id.as_str()),
            ("Patient", "p-1.a")
        );
        assert_eq!(r.version, None);
        let r = parsed("Specimen/s1/_history/3").unwrap();
        assert_eq!(r.version.as_deref(), Some("3"));
        assert_eq!(r.path(), "Specimen/s1/_history/3");
    }

    #[test]
    fn absolute_references_below_the_base_are_followed() {
        let r = parsed("https://fhir.example.org/r4/Patient/p1").unwrap();
        assert_eq!(r.path(), "Patient/p1");
        let r = parsed("HTTPS://FHIR.example.org:443/r4/Patient/p1/_history/2").unwrap();
        assert_eq!(r.path(), "Patient/p1/_history/2");
    }

    #[test]
    fn absolute_references_elsewhere_are_foreign() {
        for foreign in [
            "https://evil.example.org/r4/Patient/p1",
            "http://fhir.example.org/r4/Patient/p1",
            "https://fhir.example.org:8443/r4/Patient/p1",
            "https://fhir.example.org/other/Patient/p1",
            "https://fhir.example.org/r4x/Patient/p1",
        ] {
            let err = parsed(foreign).unwrap_err();
            assert_eq!(err.code(), "FOREIGN_HOST", "{foreign}: {err}");
        }
        match parsed("https://evil.example.org:9/r4/Patient/p1") {
            Err(FhirError::ForeignHost { host }) => assert_eq!(host, "evil.example.org:9"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn unfetchable_references_are_invalid() {
        for bad in [
            "#contained",
            "urn:uuid:6f1c",
            "Patient",
            "Patient/",
            "patient/p1",
            "Patient/p1/extra",
            "Patient/p 1",
            "Patient?identifier=x",
            "../Patient/p1",
            "https://fhir.example.org/r4/Patient/p1?x=1",
            "",
        ] {
            let err = parsed(bad).unwrap_err();
            assert_eq!(err.code(), "INVALID_REFERENCE", "{bad:?}: {err}");
        }
        let too_long = format!("Patient/{}", "a".repeat(65));
        assert!(parsed(&too_long).is_err());
    }

    #[test]
    fn next_links_must_stay_on_the_origin() {
        let b = base();
        assert!(check_same_origin(&b, "https://fhir.example.org/r4?page=2").is_ok());
        assert!(check_same_origin(&b, "Patient?_offset=2").is_ok());
        let err = check_same_origin(&b, "https://other.example.org/r4?page=2").unwrap_err();
        assert_eq!(err.code(), "FOREIGN_HOST");
    }
}
