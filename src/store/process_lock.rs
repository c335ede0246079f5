//! SQLite is the single-process store: one server per database file. A
//! server holds an exclusive lock on `<file>.lock` while it runs (the OS
//! releases it when the process ends, kill -9 included), and a second
//! server on the same file refuses to start rather than share it.
//! `fhir-import admin` takes no lock: its short writes are what SQLite's
//! own locking is for.

use std::{
    fs::{File, OpenOptions, TryLockError},
    path::PathBuf,
};

/// Why the lock was not taken.
#[derive(Debug, thiserror::Error)]
pub enum ProcessLockError {
    #[error(
        "another fhir-import server is using {0}: SQLite serves one process at a time; stop \
         that server first, or use PostgreSQL to run several"
    )]
    Held(String),
    #[error("cannot lock {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

/// Held for as long as the server runs.
#[derive(Debug)]
pub struct ProcessLock {
    _file: File,
}

impl ProcessLock {
    /// Locks the SQLite file `database_url` names; `None` for PostgreSQL or
    /// an in-memory database.
    pub fn acquire(database_url: &str) -> Result<Option<Self>, ProcessLockError> {
        let Some(database) = sqlite_file(database_url) else {
            return Ok(None);
        };
        let mut path = database.clone().into_os_string();
        path.push(".lock");
        let path = PathBuf::from(path);
        let io = |source| ProcessLockError::Io {
            path: path.display().to_string(),
            source,
        };
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(io)?;
        match file.try_lock() {
            Ok(()) => Ok(Some(Self { _file: file })),
            Err(TryLockError::WouldBlock) => {
                Err(ProcessLockError::Held(database.display().to_string()))
            }
            Err(TryLockError::Error(e)) => Err(io(e)),
        }
    }
}

/// The file of a `sqlite://` URL, when it names one (not `:memory:`).
pub fn sqlite_file(url: &str) -> Option<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && !path.contains(":memory:")).then(|| PathBuf::from(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_holder_per_file_until_it_lets_go() {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("x.db").display());
        let first = ProcessLock::acquire(&url).expect("free").expect("a file");
        let second = ProcessLock::acquire(&url).expect_err("held");
        assert!(second
            .to_string()
            .starts_with("another fhir-import server is using"));
        drop(first);
        assert!(ProcessLock::acquire(&url).expect("free again").is_some());
    }

    #[test]
    fn only_sqlite_files_are_locked() {
        assert!(ProcessLock::acquire("sqlite::memory:")
            .expect("ok")
            .is_none());
        assert!(ProcessLock::acquire("postgres://u@h/db")
            .expect("ok")
            .is_none());
        assert_eq!(
            sqlite_file("sqlite:///tmp/a.db?mode=rwc"),
            Some(PathBuf::from("/tmp/a.db"))
        );
    }
}
