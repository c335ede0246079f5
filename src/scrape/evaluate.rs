//! Evaluating a schema on one DocumentReference: run the searches its keys
//! need, evaluate each key's expression, and turn results into pairs.
//!
//! A key whose expression fails, or that needed a resource the source could
//! not deliver (a failed `resolve()` read or search), is left out and
//! reported as a [`KeyProblem`]; the other keys still count, so a flaky
//! server yields partial metadata rather than none. A key that yields no
//! value is simply absent.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use octofhir_fhir_model::ServerProvider;
use octofhir_fhirpath::{
    create_function_registry, Collection, EmptyModelProvider, EvaluationContext, FhirPathEngine,
    FhirPathValue, ModelProvider,
};
use serde_json::Value;
use tokio::sync::OnceCell;

use super::resolver::Resolver;
use super::schema::{Schema, Search};
use super::source::ResourceSource;
use super::values;

/// What went wrong with one key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProblemKind {
    /// The joined value was cut to fit; the pair is still there.
    Truncated,
    /// This many complex items (Codings, References …) were left out; select
    /// a primitive inside them (`.code`, `.reference`) to keep them.
    NotPrimitive(usize),
    /// The expression failed at run time; the key is left out.
    ExpressionError(String),
    /// A resource the key needed could not be read; the key is left out.
    SourceError(String),
}

impl ProblemKind {
    /// Whether the server could not answer (down, timing out, erroring):
    /// worth trying again later, unlike a resource that is gone. Failed
    /// reads and searches are recorded with the source's own message, whose
    /// `unavailable: ` prefix says so (see [`SourceError`]).
    ///
    /// [`SourceError`]: super::SourceError
    pub fn server_unavailable(&self) -> bool {
        matches!(self, Self::SourceError(why) if why.contains("unavailable: "))
    }
}

impl std::fmt::Display for ProblemKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Truncated => write!(f, "value cut to {} bytes", super::MAX_VALUE_BYTES),
            Self::NotPrimitive(n) => write!(f, "{n} complex value(s) skipped"),
            Self::ExpressionError(why) => write!(f, "expression failed: {why}"),
            Self::SourceError(why) => f.write_str(why),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyProblem {
    pub key: String,
    pub kind: ProblemKind,
}

/// The metadata scraped for one document, with what went wrong and what was read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scraped {
    /// Key-value pairs in key order; at most one per key.
    pub pairs: Vec<(String, String)>,
    pub problems: Vec<KeyProblem>,
    /// Every resource read or found by search (`Patient/p1`, or the reference
    /// as written when absolute), in first-read order.
    pub fetched: Vec<String>,
    /// `meta.versionId` of those resources that carry one.
    pub versions: BTreeMap<String, String>,
}

impl Scraped {
    /// The value of `key`, if it has one.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

static ENGINE: OnceCell<Result<FhirPathEngine, String>> = OnceCell::const_new();

/// One engine for the process: it is immutable once built, and building it
/// (the function registry) costs far more than an evaluation.
async fn engine() -> Result<&'static FhirPathEngine, String> {
    let built = ENGINE
        .get_or_init(|| async {
            FhirPathEngine::new(Arc::new(create_function_registry()), model())
                .await
                .map_err(|e| format!("FHIRPath engine unavailable: {e}"))
        })
        .await;
    built.as_ref().map_err(Clone::clone)
}

/// Documents are raw JSON; no FHIR type model is loaded.
fn model() -> Arc<dyn ModelProvider + Send + Sync> {
    Arc::new(EmptyModelProvider)
}

/// What every expression of one document is evaluated against.
struct Scope {
    document: FhirPathValue,
    resolver: Arc<Resolver>,
    variables: Vec<(String, FhirPathValue)>,
}

impl Scope {
    fn context(&self) -> EvaluationContext {
        let server: Arc<dyn ServerProvider> = self.resolver.clone();
        let context = EvaluationContext::new_with_server(
            Collection::single(self.document.clone()),
            model(),
            None,
            None,
            None,
            Some(server),
        );
        for (name, value) in &self.variables {
            context.set_variable(name.clone(), value.clone());
        }
        context
    }

    /// Evaluates `expression`; a failed read on the way fails it too, since
    /// the engine itself takes an unreadable reference for an empty one.
    async fn evaluate(
        &self,
        engine: &FhirPathEngine,
        expression: &str,
    ) -> Result<Collection, ProblemKind> {
        self.resolver.take_failures();
        let result = engine.evaluate(expression, &self.context()).await;
        let failures = self.resolver.take_failures();
        if !failures.is_empty() {
            return Err(ProblemKind::SourceError(failures.join("; ")));
        }
        result
            .map(|r| r.value)
            .map_err(|e| ProblemKind::ExpressionError(e.to_string()))
    }
}

/// Evaluates `schema` on `document`, reading what it points at from `source`.
/// The source is shared (`Arc`) because the FHIRPath engine keeps its
/// `resolve()` hook as an owned trait object.
pub async fn evaluate(
    schema: &Schema,
    document: &Value,
    source: Arc<dyn ResourceSource>,
) -> Scraped {
    let mut scraped = Scraped::default();
    let engine = match engine().await {
        Ok(engine) => engine,
        Err(message) => {
            for key in schema.keys.keys() {
                scraped.problem(key, ProblemKind::ExpressionError(message.clone()));
            }
            return scraped;
        }
    };
    let mut scope = Scope {
        document: FhirPathValue::resource(document.clone()),
        resolver: Arc::new(Resolver::new(source.clone())),
        variables: vec![(
            "base".to_owned(),
            FhirPathValue::string(source.base_url().trim_end_matches('/')),
        )],
    };
    let mut failed_searches = HashMap::new();
    for (name, search) in &schema.searches {
        if !schema.keys.values().any(|k| k.searches.contains(name)) {
            continue;
        }
        match run_search(engine, &scope, source.as_ref(), search).await {
            Ok(found) => scope.variables.push((name.clone(), found)),
            Err(message) => {
                failed_searches.insert(name.as_str(), message);
            }
        }
    }
    for (key, rule) in &schema.keys {
        if let Some(message) = rule
            .searches
            .iter()
            .find_map(|s| failed_searches.get(s.as_str()))
        {
            scraped.problem(key, ProblemKind::SourceError(message.clone()));
            continue;
        }
        let result = match scope.evaluate(engine, &rule.expression).await {
            Ok(result) => result,
            Err(kind) => {
                scraped.problem(key, kind);
                continue;
            }
        };
        let (strings, complex) = values::primitives(&result);
        if complex > 0 {
            scraped.problem(key, ProblemKind::NotPrimitive(complex));
        }
        let kept = values::distinct(strings, rule.first);
        if let Some((value, truncated)) = values::join(&kept, &rule.join) {
            if truncated {
                scraped.problem(key, ProblemKind::Truncated);
            }
            scraped.pairs.push((key.clone(), value));
        }
    }
    (scraped.fetched, scraped.versions) = scope.resolver.provenance();
    scraped
}

impl Scraped {
    fn problem(&mut self, key: &str, kind: ProblemKind) {
        self.problems.push(KeyProblem {
            key: key.to_owned(),
            kind,
        });
    }
}

/// Runs one search and returns what it found as a collection for `%name`.
async fn run_search(
    engine: &FhirPathEngine,
    scope: &Scope,
    source: &dyn ResourceSource,
    search: &Search,
) -> Result<FhirPathValue, String> {
    let what = format!("search {}?{}", search.resource, search.param);
    let targets = scope
        .evaluate(engine, &search.for_expression)
        .await
        .map_err(|kind| match kind {
            ProblemKind::SourceError(m) | ProblemKind::ExpressionError(m) => {
                format!("{what}: `for` failed: {m}")
            }
            other => format!("{what}: `for` failed: {other:?}"),
        })?;
    let references = references(&targets);
    if references.is_empty() {
        return Ok(FhirPathValue::collection(Vec::new()));
    }
    let found = source
        .search(&search.resource, &search.param, &references)
        .await
        .map_err(|e| format!("{what}={}: {e}", references.join(",")))?;
    for resource in &found {
        if let (Some(kind), Some(id)) = (resource["resourceType"].as_str(), resource["id"].as_str())
        {
            scope.resolver.record(&format!("{kind}/{id}"), resource);
        }
    }
    Ok(FhirPathValue::collection(
        found.into_iter().map(FhirPathValue::resource).collect(),
    ))
}

/// The reference strings in a result: References' `reference`, and strings
/// as they are; anything else is ignored.
fn references(result: &Collection) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for value in result.iter() {
        let reference = match value {
            FhirPathValue::String(text, _, _) => Some(text.clone()),
            FhirPathValue::Resource(..) => value.to_json_value()["reference"]
                .as_str()
                .map(str::to_owned),
            _ => None,
        };
        if let Some(reference) = reference.filter(|r| !r.is_empty() && !out.contains(r)) {
            out.push(reference);
        }
    }
    out
}
