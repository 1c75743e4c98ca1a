//! `--verify` on the command line: the flag, the toolchain check done before
//! anything changes, and the engine's files as verification candidates.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::engine::gomod::GoVersion;
use crate::engine::{Engine, FileOutcome};
use crate::git::base::BaseTree;
use crate::git::plan::{replan_file, FilePlan, Gate};
use crate::git::rewrite::TreeRewriter;
use crate::verify::{Candidate, FixSite, Rendered, Toolchain, Verifier};

/// The help of `--verify`, shared by `apply`, `branch` and `pr`.
pub const HELP: &str =
    "Build every changed package before and after the rewrite (go build, and go vet \
    where it has _test.go files) and keep only the fixes that still build. Needs a Go toolchain \
    (`go` on PATH, or GOMEND_GO) and the module's dependencies, as any CI job that builds the \
    code: a filled module cache or a reachable GOPROXY.";

/// The verifier for `--verify`, or an error when there is no usable Go
/// toolchain. Called before anything is changed.
pub fn verifier() -> Result<Verifier> {
    let go = Toolchain::find().map_err(anyhow::Error::msg)?;
    Verifier::new(go)
        .map_err(|e| anyhow::anyhow!("--verify: cannot create a scratch directory: {e}"))
}

/// Prints verification messages to stderr.
pub fn print_notes(notes: &[String]) {
    for note in notes {
        eprintln!("gomend: verify: {note}");
    }
}

/// A file `gomend apply` would rewrite, re-rendered by the engine with a
/// subset of its fixes.
pub struct EngineFile<'e> {
    pub engine: &'e Engine,
    /// The path the engine was given (as walked).
    pub walked: PathBuf,
    /// The same file, absolute.
    pub absolute: PathBuf,
    pub display: String,
    pub source: String,
    pub version: GoVersion,
    pub sites: Vec<FixSite>,
}

impl<'e> EngineFile<'e> {
    /// The candidate for a file the engine rewrote into `outcome`.
    pub fn new(
        engine: &'e Engine,
        walked: &Path,
        display: String,
        source: String,
        version: GoVersion,
        outcome: &FileOutcome,
    ) -> std::io::Result<Self> {
        let sites = outcome
            .findings
            .iter()
            .filter(|f| f.finding.fix.is_some())
            .map(|f| FixSite {
                line: f.line,
                recipe: f.finding.recipe.to_string(),
            })
            .collect();
        Ok(EngineFile {
            engine,
            walked: walked.to_path_buf(),
            absolute: std::fs::canonicalize(walked)?,
            display,
            source,
            version,
            sites,
        })
    }
}

impl Candidate for EngineFile<'_> {
    type Output = FileOutcome;

    fn path(&self) -> &Path {
        &self.absolute
    }

    fn display(&self) -> &str {
        &self.display
    }

    fn sites(&self) -> &[FixSite] {
        &self.sites
    }

    fn render(&self, keep: &BTreeSet<usize>) -> Result<Rendered<FileOutcome>, String> {
        let out = self
            .engine
            .process_selected(&self.walked, &self.source, self.version, keep);
        if let Some(e) = &out.error {
            return Err(e.to_string());
        }
        Ok(Rendered {
            content: out.rewritten.clone().map(String::into_bytes),
            output: out,
        })
    }
}

/// `--verify` for `gomend branch` and `gomend pr`: each branch's files are
/// built against the base tree checked out in `root`.
pub struct BranchGate {
    verifier: Verifier,
    root: PathBuf,
}

impl BranchGate {
    pub fn new(verifier: Verifier, root: &Path) -> Self {
        BranchGate {
            verifier,
            root: root.canonicalize().unwrap_or_else(|_| root.to_path_buf()),
        }
    }
}

impl Gate for BranchGate {
    fn admit(
        &self,
        base: &BaseTree,
        rewriter: &dyn TreeRewriter,
        files: Vec<FilePlan>,
    ) -> Result<Vec<FilePlan>> {
        let mut candidates = Vec::with_capacity(files.len());
        for planned in files {
            let Some(original) = base.files.iter().find(|f| f.path == planned.path) else {
                anyhow::bail!("{}: not in the base tree", planned.path);
            };
            let sites = planned
                .steps
                .iter()
                .flat_map(|s| &s.sites)
                .map(|s| FixSite {
                    line: s.line,
                    recipe: s.recipe.clone(),
                })
                .collect();
            candidates.push(PlannedFile {
                absolute: self.root.join(&planned.path),
                planned,
                original: &original.content,
                sites,
                base,
                rewriter,
            });
        }
        let mut notes = Vec::new();
        let verdicts = self.verifier.verify(&candidates, &mut notes);
        print_notes(&notes);
        Ok(verdicts
            .into_iter()
            .filter_map(|v| v.output.flatten())
            .collect())
    }
}

/// A file of a planned branch, re-planned with a subset of its fixes.
struct PlannedFile<'a> {
    planned: FilePlan,
    original: &'a [u8],
    absolute: PathBuf,
    sites: Vec<FixSite>,
    base: &'a BaseTree,
    rewriter: &'a dyn TreeRewriter,
}

impl Candidate for PlannedFile<'_> {
    type Output = Option<FilePlan>;

    fn path(&self) -> &Path {
        &self.absolute
    }

    fn display(&self) -> &str {
        &self.planned.path
    }

    fn sites(&self) -> &[FixSite] {
        &self.sites
    }

    fn render(&self, keep: &BTreeSet<usize>) -> Result<Rendered<Option<FilePlan>>, String> {
        let plan = replan_file(self.base, self.rewriter, &self.planned, self.original, keep)
            .map_err(|e| format!("{e:#}"))?;
        Ok(Rendered {
            content: plan
                .as_ref()
                .and_then(|p| p.steps.last())
                .map(|s| s.content.clone()),
            output: plan,
        })
    }
}
