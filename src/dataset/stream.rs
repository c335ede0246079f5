//! The seeded random stream the generator draws everything from.

use std::collections::BTreeSet;

use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::vocab::ID_ALPHABET;

/// The seeded stream, with the few ways of drawing the generator needs.
/// Only `next_u64` and `fill_bytes` are used: ChaCha8 keeps those values
/// stable across versions, unlike `rand`'s distributions.
pub(super) struct Draw {
    rng: ChaCha8Rng,
    used: BTreeSet<String>,
}

impl Draw {
    pub fn new(seed: u64) -> Self {
        Self {
            rng: ChaCha8Rng::seed_from_u64(seed),
            used: BTreeSet::new(),
        }
    }

    /// A number in `0..n`; `n` must not be 0.
    pub fn below(&mut self, n: usize) -> usize {
        (self.rng.next_u64() % n as u64) as usize
    }

    pub fn pick<T>(&mut self, items: &'static [T]) -> &'static T {
        &items[self.below(items.len())]
    }

    pub fn choose<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    pub fn between(&mut self, low: u64, high: u64) -> u64 {
        low + self.rng.next_u64() % (high - low + 1)
    }

    pub fn percent(&mut self, p: usize) -> bool {
        self.below(100) < p
    }

    pub fn bytes<const N: usize>(&mut self) -> [u8; N] {
        let mut bytes = [0u8; N];
        self.rng.fill_bytes(&mut bytes);
        bytes
    }

    /// A fresh Kids First-style id, `PREFIX-` and eight letters, never
    /// handed out before in this data set.
    pub fn id(&mut self, prefix: &str) -> String {
        loop {
            let suffix: String = (0..8)
                .map(|_| char::from(*self.pick(ID_ALPHABET)))
                .collect();
            let id = format!("{prefix}-{suffix}");
            if self.used.insert(id.clone()) {
                return id;
            }
        }
    }

    pub fn uuid(&mut self) -> String {
        uuid::Builder::from_random_bytes(self.bytes())
            .into_uuid()
            .to_string()
    }
}

/// `SD_TEST0001` -> `SD-TEST0001`: characters a FHIR id may not hold become
/// `-`, and it is cut to 64.
pub(super) fn fhir_id(text: &str) -> String {
    let id: String = text
        .chars()
        .map(|c| match c {
            'A'..='Z' | 'a'..='z' | '0'..='9' | '-' | '.' => c,
            _ => '-',
        })
        .take(64)
        .collect();
    if id.is_empty() {
        "study".to_owned()
    } else {
        id
    }
}
