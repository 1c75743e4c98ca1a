//! Runs the engine over many files in parallel and hands the results to a
//! single consumer in a deterministic order (the order of the file list).
//!
//! Files are processed in chunks: each chunk runs in parallel, then its
//! results are consumed in order before the next chunk starts. Memory stays
//! bounded by one chunk's sources and results, whatever the repository size.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::engine::gomod::VersionResolver;
use crate::engine::{Engine, FileOutcome, Mode};
use crate::walk::is_generated;

/// Files per chunk: large enough to keep every core busy, small enough to
/// keep memory flat.
const CHUNK: usize = 256;

/// One processed file.
pub struct Processed {
    pub path: PathBuf,
    /// The text as read (absent when the file was skipped before parsing).
    pub source: Option<String>,
    pub outcome: FileOutcome,
    /// Why the engine never saw the file, or stopped on it.
    pub failure: Option<Failure>,
}

impl Processed {
    fn new(path: &Path, source: Option<String>, outcome: FileOutcome) -> Processed {
        Processed {
            path: path.to_path_buf(),
            source,
            outcome,
            failure: None,
        }
    }

    /// The problem that kept the file from being rewritten, if any: it
    /// could not be read or analysed, or the engine gave up on its fixes.
    pub fn error(&self) -> Option<&dyn std::error::Error> {
        match &self.failure {
            Some(f) => Some(f),
            None => self.outcome.error.as_ref().map(|e| e as _),
        }
    }
}

/// A file the engine did not get through, for a reason of its own.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// The file could not be read.
    #[error("cannot read: {0}")]
    Read(std::io::Error),
    /// The analysis panicked; the run goes on with the other files.
    #[error(
        "internal error while analysing this file (please report it); the file was left unchanged"
    )]
    Internal,
}

/// Options for a run.
#[derive(Clone, Copy, Debug, Default)]
pub struct RunOptions {
    /// Also process generated files.
    pub generated: bool,
}

/// Processes `files` and calls `sink` for each, in list order. `sink`
/// returning an error stops the run. `progress` is told how many files
/// were done after each chunk's files went through `sink`.
pub fn run<E>(
    engine: &Engine,
    versions: &VersionResolver,
    files: &[PathBuf],
    mode: Mode,
    opts: RunOptions,
    mut sink: impl FnMut(Processed) -> Result<(), E>,
    mut progress: impl FnMut(usize),
) -> Result<(), E> {
    for chunk in files.chunks(CHUNK) {
        let results: Vec<Processed> = chunk
            .par_iter()
            .map(|path| process_one(engine, versions, path, mode, opts))
            .collect();
        engine.release_packages();
        let n = results.len();
        for r in results {
            sink(r)?;
        }
        progress(n);
    }
    Ok(())
}

fn process_one(
    engine: &Engine,
    versions: &VersionResolver,
    path: &Path,
    mode: Mode,
    opts: RunOptions,
) -> Processed {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            return Processed {
                failure: Some(Failure::Read(e)),
                ..Processed::new(path, None, FileOutcome::default())
            };
        }
    };
    process_bytes(engine, versions, path, bytes, mode, opts)
}

/// Processes the text of the file at `path` (read by the caller, e.g. from
/// standard input), as a file of a run is.
pub fn process_bytes(
    engine: &Engine,
    versions: &VersionResolver,
    path: &Path,
    bytes: Vec<u8>,
    mode: Mode,
    opts: RunOptions,
) -> Processed {
    let mut outcome = FileOutcome::default();
    // The prefilter runs on raw bytes: most files stop here, unparsed.
    if !engine.wants(&bytes) {
        return Processed::new(path, None, outcome);
    }
    let source = match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(_) => {
            outcome.warnings.push("not valid UTF-8; skipped".into());
            return Processed::new(path, None, outcome);
        }
    };
    if !opts.generated && is_generated(&source) {
        return Processed::new(path, None, outcome);
    }
    let version = versions.version_for(path);
    // A bug in one recipe on one odd file must not stop a run over a whole
    // repository: the file is reported and left alone.
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        engine.process(path, &source, version, mode)
    })) {
        Ok(outcome) => Processed::new(path, Some(source), outcome),
        Err(_) => Processed {
            failure: Some(Failure::Internal),
            ..Processed::new(path, Some(source), FileOutcome::default())
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Settings;

    #[test]
    fn a_file_that_cannot_be_read_is_an_error_of_its_own() {
        let engine = Engine::new(Vec::new(), Settings::default());
        let versions = VersionResolver::new(None);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gone.go");
        let f = process_one(
            &engine,
            &versions,
            &path,
            Mode::Check,
            RunOptions::default(),
        );
        assert!(matches!(f.failure, Some(Failure::Read(_))));
        assert!(f.outcome.error.is_none());
        let shown = f.error().map(|e| e.to_string()).unwrap_or_default();
        assert!(shown.starts_with("cannot read: "), "{shown}");
    }
}
