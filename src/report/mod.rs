//! Printing results: one printer per output format behind one trait.
//! Adding a format touches one file.

pub mod baseline;
pub mod diff;
pub mod json;
pub mod text;

use std::io;

use crate::engine::FileOutcome;

/// Receives processed files in a deterministic order.
pub trait Printer {
    /// One file: its displayed path, its original text and what the engine made of it.
    fn file(&mut self, path: &str, source: &str, outcome: &FileOutcome) -> io::Result<()>;
    /// Called once at the end.
    fn finish(&mut self) -> io::Result<()>;
}
