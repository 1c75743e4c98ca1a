//! Runs the engine over many files in parallel and hands the results to a
//! single consumer in a deterministic order (the order of the file list).
//!
//! The files stream through one worker per core, as many threads as the
//! `--jobs` pool has: the consumer takes each result in list order while the
//! workers go on with the next files, so no core waits for the slowest file
//! of a batch. At most [`IN_FLIGHT`] files are between being started and
//! being consumed, which keeps memory bounded whatever the repository size.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Condvar, Mutex};

use crate::engine::gomod::VersionResolver;
use crate::engine::{Engine, FileOutcome, Mode};
use crate::walk::is_generated;

/// Files started but not yet consumed, at most: enough for every core to go
/// on past a slow file, few enough to keep memory flat.
const IN_FLIGHT: usize = 64;

/// The package views built for the files are forgotten after this many
/// files (the files of a package are next to each other in the list).
const PACKAGE_BATCH: usize = 256;

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
/// returning an error stops the run (files already started are still
/// analysed, but never reach `sink`). `progress` is told how many files were
/// done after they went through `sink`.
pub fn run<E>(
    engine: &Engine,
    versions: &VersionResolver,
    files: &[PathBuf],
    mode: Mode,
    opts: RunOptions,
    mut sink: impl FnMut(Processed) -> Result<(), E>,
    mut progress: impl FnMut(usize),
) -> Result<(), E> {
    let threads = rayon::current_num_threads();
    let mut done = 0;
    in_order(
        files,
        threads,
        IN_FLIGHT.max(2 * threads),
        |path| process_one(engine, versions, path, mode, opts),
        |r| {
            sink(r)?;
            progress(1);
            done += 1;
            if done % PACKAGE_BATCH == 0 {
                engine.release_packages();
            }
            Ok(())
        },
    )
}

/// Runs `work` on every item on `threads` threads and hands the results to
/// `consume` in the order of `items`, on the calling thread. A worker starts
/// item `i` only once fewer than `window` items before it are left to
/// consume. `consume` returning an error stops the run: no item is started
/// after it, and no other result is consumed. A panic in `work` reaches the
/// caller.
///
/// Workers take the items a few at a time and hand each group over in one
/// message: most files are dropped by the prefilter in microseconds, and a
/// thread woken per file would cost more than the file.
///
/// (The ordered parallel-map crates either poll for results on a timer or
/// need `'static` work; this waits on a channel and borrows.)
fn in_order<T: Sync, R: Send, E>(
    items: &[T],
    threads: usize,
    window: usize,
    work: impl Fn(&T) -> R + Sync,
    mut consume: impl FnMut(R) -> Result<(), E>,
) -> Result<(), E> {
    // A group never holds more than the window, so the items a worker
    // waits for are always in groups before its own.
    let group = (window / 4).clamp(1, 16);
    let next = AtomicUsize::new(0);
    let consumed = AtomicUsize::new(0);
    let waiters = AtomicUsize::new(0);
    let lock = Mutex::new(());
    let moved = Condvar::new();
    let stop = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let (tx, rx) = mpsc::channel();
        for _ in 0..threads.max(1) {
            let tx = tx.clone();
            let (next, consumed, waiters, lock, moved, stop, work) =
                (&next, &consumed, &waiters, &lock, &moved, &stop, &work);
            let ahead = move |i: usize| i >= consumed.load(Ordering::SeqCst) + window;
            scope.spawn(move || loop {
                let start = next.fetch_add(group, Ordering::Relaxed);
                if start >= items.len() {
                    break;
                }
                let mut results = Vec::with_capacity(group);
                for (i, item) in items.iter().enumerate().skip(start).take(group) {
                    if ahead(i) {
                        let mut g = lock.lock().unwrap_or_else(|e| e.into_inner());
                        waiters.fetch_add(1, Ordering::SeqCst);
                        while ahead(i) && !stop.load(Ordering::SeqCst) {
                            g = moved.wait(g).unwrap_or_else(|e| e.into_inner());
                        }
                        waiters.fetch_sub(1, Ordering::SeqCst);
                    }
                    if stop.load(Ordering::SeqCst) {
                        return;
                    }
                    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(item)));
                    let panicked = r.is_err();
                    results.push(r);
                    if panicked {
                        break;
                    }
                }
                if tx.send((start, results)).is_err() {
                    break;
                }
            });
        }
        drop(tx);
        let wake = || {
            if waiters.load(Ordering::SeqCst) > 0 {
                let _g = lock.lock().unwrap_or_else(|e| e.into_inner());
                moved.notify_all();
            }
        };
        let halt = || {
            // Under the lock, so that no worker misses the flag and waits on.
            let _g = lock.lock().unwrap_or_else(|e| e.into_inner());
            stop.store(true, Ordering::SeqCst);
            moved.notify_all();
        };
        let mut early = BTreeMap::new();
        let mut want = 0;
        while want < items.len() {
            let results = match early.remove(&want) {
                Some(r) => r,
                None => match rx.recv() {
                    Ok((start, r)) if start == want => r,
                    Ok((start, r)) => {
                        early.insert(start, r);
                        continue;
                    }
                    // Every worker is gone, which only a panic outside
                    // `work` does: the scope passes it on.
                    Err(_) => break,
                },
            };
            for r in results {
                match r {
                    Ok(r) => {
                        if let Err(e) = consume(r) {
                            halt();
                            return Err(e);
                        }
                    }
                    Err(panic) => {
                        halt();
                        std::panic::resume_unwind(panic);
                    }
                }
                want += 1;
                consumed.store(want, Ordering::SeqCst);
                wake();
            }
        }
        Ok(())
    })
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
    let pre = engine.prefilter(&bytes);
    if !pre.wanted() {
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
        engine.process_prefiltered(path, &source, version, mode, pre)
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
    fn results_come_in_list_order_with_few_in_flight() {
        let items: Vec<u64> = (0..500).collect();
        let started = Mutex::new(Vec::new());
        let mut seen = Vec::new();
        let consumed = AtomicUsize::new(0);
        in_order(
            &items,
            4,
            8,
            |&i| {
                started
                    .lock()
                    .unwrap()
                    .push((i, consumed.load(Ordering::SeqCst)));
                // Later items often finish first; the first is slow, so
                // unbounded workers would run far ahead of it.
                let micros = if i == 0 { 20_000 } else { (i * 7919) % 300 };
                std::thread::sleep(std::time::Duration::from_micros(micros));
                i * 2
            },
            |r| {
                seen.push(r);
                consumed.fetch_add(1, Ordering::SeqCst);
                Ok::<(), ()>(())
            },
        )
        .unwrap();
        assert_eq!(seen, items.iter().map(|i| i * 2).collect::<Vec<_>>());
        for (i, c) in started.into_inner().unwrap() {
            assert!(i < c as u64 + 8, "item {i} started with only {c} consumed");
        }
    }

    #[test]
    fn an_error_from_the_consumer_stops_the_run() {
        let items: Vec<usize> = (0..10_000).collect();
        let ran = AtomicUsize::new(0);
        let mut seen = 0;
        let r = in_order(
            &items,
            2,
            4,
            |&i| {
                ran.fetch_add(1, Ordering::SeqCst);
                i
            },
            |i| {
                seen += 1;
                if i == 10 {
                    Err("stop")
                } else {
                    Ok(())
                }
            },
        );
        assert_eq!(r, Err("stop"));
        assert_eq!(seen, 11);
        assert!(ran.load(Ordering::SeqCst) < 11 + 4 + 2);
    }

    #[test]
    fn a_panic_in_the_work_reaches_the_caller() {
        let items: Vec<usize> = (0..100).collect();
        let r = std::panic::catch_unwind(|| {
            in_order(
                &items,
                2,
                4,
                |&i| {
                    assert_ne!(i, 30, "boom");
                    i
                },
                |_| Ok::<(), ()>(()),
            )
        });
        assert!(r.is_err());
    }

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
