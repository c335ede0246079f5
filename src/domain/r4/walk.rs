//! The walk of one resource against the R4 definitions: every element known
//! to its type, in the JSON shape its cardinality asks for (an array exactly
//! when it repeats, never empty, never null but where FHIR JSON allows),
//! required elements present, one element per choice group, primitives of
//! their type, codes of required bindings from their value set, extensions
//! with either a value or nested extensions, and contained resources that
//! are resources and contain none themselves.

use std::fmt;

use serde_json::{Map, Value};

use super::{Definitions, ElementDef, Kind, TypeDef, MAX_CHOICES};
use crate::domain::fhir_values::{check_size, kind, quote};

/// Where a value is, built on the stack and only written out for a message.
#[derive(Clone, Copy)]
enum Path<'a> {
    Root,
    Key(&'a Path<'a>, &'a str),
    Index(&'a Path<'a>, usize),
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Path::Root => Ok(()),
            Path::Key(Path::Root, key) => f.write_str(&shown(key)),
            Path::Key(parent, key) => write!(f, "{parent}.{}", shown(key)),
            Path::Index(parent, i) => write!(f, "{parent}[{i}]"),
        }
    }
}

/// A key as a message shows it: element names as they are, anything else
/// (a client's megabyte-long or control-laden key) quoted and shortened.
fn shown(key: &str) -> std::borrow::Cow<'_, str> {
    let plain = key.len() <= 64
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'[' || b == b']');
    if plain {
        std::borrow::Cow::Borrowed(key)
    } else {
        std::borrow::Cow::Owned(quote(key))
    }
}

impl Path<'_> {
    fn problem(&self, problem: impl fmt::Display) -> String {
        match self {
            Path::Root => problem.to_string(),
            _ => format!("{self}: {problem}"),
        }
    }
}

/// Checks a resource object of any R4 resource type.
pub fn check_resource(defs: &Definitions, resource: &Map<String, Value>) -> Result<(), String> {
    Walk { defs }.resource(resource, &Path::Root, false)
}

struct Walk<'d> {
    defs: &'d Definitions,
}

impl Walk<'_> {
    fn resource(
        &self,
        object: &Map<String, Value>,
        path: &Path<'_>,
        contained: bool,
    ) -> Result<(), String> {
        let type_path = Path::Key(path, "resourceType");
        let resource_type = match object.get("resourceType") {
            Some(Value::String(t)) => t,
            Some(other) => {
                return Err(type_path.problem(format_args!("must be a string, got {}", kind(other))))
            }
            None => return Err(type_path.problem("required")),
        };
        let Some(index) = self.defs.resource(resource_type) else {
            return Err(type_path.problem(format_args!(
                "{} is not a FHIR R4 resource type",
                quote(resource_type)
            )));
        };
        if contained {
            // dom-2 and dom-4: a contained resource has no resources of its
            // own, nor a version of its own.
            if object.contains_key("contained") {
                return Err(Path::Key(path, "contained")
                    .problem("a contained resource must not contain resources"));
            }
            if let Some(Value::Object(meta)) = object.get("meta") {
                for own in ["versionId", "lastUpdated"] {
                    if meta.contains_key(own) {
                        let meta_path = Path::Key(path, "meta");
                        return Err(Path::Key(&meta_path, own)
                            .problem("a contained resource has no version of its own"));
                    }
                }
            }
        }
        self.object(self.defs.type_def(index), object, path)
    }

    fn object(
        &self,
        def: &TypeDef,
        object: &Map<String, Value>,
        path: &Path<'_>,
    ) -> Result<(), String> {
        // The member given for each choice group, as the keys go by.
        let mut chosen: [Option<&str>; MAX_CHOICES] = [None; MAX_CHOICES];
        for (key, value) in object {
            if key == "resourceType" && def.is_resource {
                continue;
            }
            let here = Path::Key(path, key);
            let Some(element) = def.elements.get(key) else {
                return Err(here.problem(format_args!(
                    "unknown element: FHIR R4 {} has no element {}",
                    def.name,
                    quote(key)
                )));
            };
            if let Some(group) = element.choice {
                if let Some(other) = chosen[group] {
                    let name = format!("{}[x]", def.choices[group].0);
                    return Err(Path::Key(path, &name)
                        .problem(format_args!("one value only, got {other} and {key}")));
                }
                chosen[group] = Some(key);
            }
            if element.repeats {
                let Value::Array(items) = value else {
                    return Err(here.problem(format_args!("must be an array, got {}", kind(value))));
                };
                if items.is_empty() {
                    return Err(here.problem("must not be an empty array"));
                }
                for (i, item) in items.iter().enumerate() {
                    let at = Path::Index(&here, i);
                    if item.is_null() {
                        if null_allowed(object, key, i) {
                            continue;
                        }
                        return Err(at.problem("must not be null"));
                    }
                    self.value(def, key, element, item, &at)?;
                }
            } else {
                // An array or null here fails the type check with what came.
                self.value(def, key, element, value, &here)?;
            }
        }
        self.required(def, object, path)?;
        if def.name == "Extension" {
            let has_value = def
                .choices
                .iter()
                .position(|(group, _)| group == "value")
                .is_some_and(|group| chosen[group].is_some());
            match (has_value, object.contains_key("extension")) {
                (true, true) => {
                    return Err(path.problem(
                        "an extension has either a value[x] or nested extensions, not both",
                    ))
                }
                (false, false) => {
                    return Err(path.problem("an extension needs a value[x] or nested extensions"))
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn value(
        &self,
        owner: &TypeDef,
        key: &str,
        element: &ElementDef,
        value: &Value,
        path: &Path<'_>,
    ) -> Result<(), String> {
        match element.kind {
            // Genomic files outgrow R4's 32-bit unsignedInt (R5 made
            // Attachment.size an integer64): any whole number of bytes.
            Kind::Primitive(_) if owner.name == "Attachment" && key == "size" => {
                check_size(&path.to_string(), value)
            }
            Kind::Primitive(primitive) => {
                primitive
                    .check(&self.defs.patterns, value)
                    .map_err(|problem| path.problem(problem))?;
                if let (Some(codes), Value::String(code)) = (&element.codes, value) {
                    if !codes.iter().any(|c| c == code) {
                        return Err(path.problem(format_args!(
                            "{} is not one of {}",
                            quote(code),
                            codes.join(", ")
                        )));
                    }
                }
                Ok(())
            }
            Kind::Complex(index) => {
                let Value::Object(object) = value else {
                    return Err(
                        path.problem(format_args!("must be an object, got {}", kind(value)))
                    );
                };
                if object.is_empty() {
                    return Err(path.problem("must not be empty"));
                }
                self.object(self.defs.type_def(index), object, path)
            }
            Kind::Resource => {
                let Value::Object(object) = value else {
                    return Err(path.problem(format_args!(
                        "must be a resource (an object), got {}",
                        kind(value)
                    )));
                };
                self.resource(object, path, key == "contained")
            }
        }
    }

    /// Required elements, a primitive's `_element` counting as present; a
    /// required choice group wants one of its members.
    fn required(
        &self,
        def: &TypeDef,
        object: &Map<String, Value>,
        path: &Path<'_>,
    ) -> Result<(), String> {
        for name in &def.required {
            if object.contains_key(name) || object.contains_key(&format!("_{name}")) {
                continue;
            }
            let group = def
                .choices
                .iter()
                .find(|(_, members)| members.contains(name));
            if let Some((group, members)) = group {
                if members.iter().any(|m| object.contains_key(m)) {
                    continue;
                }
                return Err(Path::Key(path, &format!("{group}[x]")).problem("required"));
            }
            return Err(Path::Key(path, name).problem("required"));
        }
        Ok(())
    }
}

/// FHIR JSON pairs a repeating primitive with its `_element` array: either
/// may hold null at an index the other fills.
fn null_allowed(object: &Map<String, Value>, key: &str, index: usize) -> bool {
    let partner = match key.strip_prefix('_') {
        Some(base) => object.get(base),
        None => object.get(&format!("_{key}")),
    };
    matches!(partner, Some(Value::Array(items)) if items.get(index).is_some_and(|v| !v.is_null()))
}
