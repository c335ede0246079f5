//! What the benchmarks share: their settings from the environment.

use anyhow::bail;

/// `name` from the environment as a positive number, or `default`.
pub fn positive(name: &str, default: usize) -> anyhow::Result<usize> {
    match std::env::var(name) {
        Ok(v) => match v.trim().parse::<usize>() {
            Ok(n) if n > 0 => Ok(n),
            _ => bail!("{name}: expected a positive number, got {v:?}"),
        },
        Err(_) => Ok(default),
    }
}
