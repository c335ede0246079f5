//! The schemas shipped with the service, compiled in from `schemas/`.

use super::schema::Schema;

const SHIPPED: [(&str, &str); 2] = [
    (
        "generic-r4.yaml",
        include_str!("../../schemas/generic-r4.yaml"),
    ),
    (
        "ncpi-kids-first.yaml",
        include_str!("../../schemas/ncpi-kids-first.yaml"),
    ),
];

/// Every shipped schema. A shipped schema that does not load is left out
/// (and logged); the unit tests make sure that never happens.
pub fn builtin_schemas() -> Vec<Schema> {
    builtin_schema_sources()
        .into_iter()
        .map(|(schema, _)| schema)
        .collect()
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
        assert_eq!(names, ["generic-r4@1", "ncpi-kids-first@1"]);
    }
}
