pub mod cli;
pub mod engine;
pub mod forge;
pub mod git;
