//! The schemas shipped with the service, compiled in from `schemas/`.

use super::schema::Schema;

/// The latest version of each, and the versions before it: a version never
/// changes once it has shipped, so files scraped with it can be read again.
const SHIPPED: [(&str, &str); 4] = [
    (
        "generic-r4.yaml",
        include_str!("../../schemas/generic-r4.yaml"),
    ),
    (
        "ncpi-kids-first.yaml",
        include_str!("../../schemas/ncpi-kids-first.yaml"),
    ),
    (
        "previous/generic-r4@1.yaml",
        include_str!("../../schemas/previous/generic-r4@1.yaml"),
    ),
    (
        "previous/ncpi-kids-first@1.yaml",
        include_str!("../../schemas/previous/ncpi-kids-first@1.yaml"),
    ),
];

/// The latest version of every shipped schema. A shipped schema that does not load is left out
/// (and logged); the unit tests make sure that never happens.
pub fn builtin_schemas() -> Vec<Schema> {
    let mut latest: Vec<Schema> = Vec::new();
    for (schema, _) in builtin_schema_sources() {
        match latest.iter_mut().find(|s| s.name == schema.name) {
            Some(known) if known.version >= schema.version => {}
            Some(known) => *known = schema,
            None => latest.push(schema),
        }
    }
    latest
}

/// Every shipped schema with the text it was loaded from.
pub fn builtin_schema_sources() -> Vec<(Schema, &'static str)> {
    SHIPPED
        .iter()
        .filter_map(|(file, text)| match Schema::from_yaml(text) {
            Ok(schema) => Some((schema, *text)),
            Err(error) => {
                tracing::error!(file, %error, "shipped schema does not load");
                None
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_schema_loads() {
        for (file, text) in SHIPPED {
            if let Err(error) = Schema::from_yaml(text) {
                panic!("schemas/{file}: {error}");
            }
        }
        let names: Vec<String> = builtin_schemas().iter().map(Schema::id).collect();
        assert_eq!(names, ["generic-r4@2", "ncpi-kids-first@2"]);
        let every: Vec<String> = builtin_schema_sources()
            .iter()
            .map(|(schema, _)| schema.id())
            .collect();
        assert_eq!(
            every,
            [
                "generic-r4@2",
                "ncpi-kids-first@2",
                "generic-r4@1",
                "ncpi-kids-first@1"
            ]
        );
    }
}
