//! gomend finds Go code that misuses the runtime and scheduler and rewrites
//! it into the documented fix.
//!
//! The pipeline: [`walk`] picks the files, [`engine`] parses each once and
//! runs every [`recipes`] entry over one walk of its tree, [`report`] prints
//! findings and diffs, [`verify`] builds the
//! result before it lands (`--verify`), [`harness`] runs a recipe's test
//! cases, and [`cli`] ties them to the command line.
//!
//! Dependencies run one way: [`cli`] uses [`git`], [`forge`] and
//! [`report`], which use [`engine`]; the [`recipes`] plug into the engine,
//! which names no other module of the crate. Only `cli` knows the command
//! line and its parser; it builds what the layers below need and passes it in.

pub mod cli;
pub mod config;
pub mod engine;
pub mod forge;
pub mod git;
pub mod harness;
pub mod recipes;
pub mod report;
pub mod verify;
pub mod walk;
pub mod worker;
pub mod write;
