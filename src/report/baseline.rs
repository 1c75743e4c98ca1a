//! Baselines: the findings a project already has, recorded so that `check`
//! reports only new ones while the old ones are burnt down.
//!
//! A baseline is a JSON file:
//!
//! ```json
//! {
//!   "version": 1,
//!   "findings": [
//!     { "path": "pkg/a.go", "recipe": "remove-gc", "source": "runtime.GC()", "count": 1 }
//!   ]
//! }
//! ```
//!
//! Entries are sorted by path, recipe and source. `path` is relative to the
//! directory holding the baseline (`../` when a file is outside it), with
//! `/` separators. `source` is the
//! text of the line the finding starts on, with runs of whitespace made one
//! space and the ends trimmed; `count` is how many findings of that recipe
//! start on a line with that text in that file. Line numbers are not
//! recorded, so code that moves within its file still matches.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::LineCursor;
use crate::engine::gomod::normalize;
use crate::engine::Located;

/// The version of the format written.
pub const VERSION: u32 = 1;

/// The file as stored.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Stored {
    version: u32,
    findings: Vec<Entry>,
}

/// One entry: findings of one recipe on lines with the same text in one file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub path: String,
    pub recipe: String,
    pub source: String,
    pub count: usize,
}

/// What an entry is matched by.
type Key = (String, String, String);

/// `line` with runs of whitespace made one space, the ends trimmed.
pub fn normalise(line: &str) -> String {
    line.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Findings grouped the way a baseline stores them; paths relative to `dir`.
#[derive(Debug)]
struct Counts {
    dir: PathBuf,
    counts: BTreeMap<Key, usize>,
}

impl Counts {
    fn new(baseline_file: &Path) -> Self {
        let abs = absolute(baseline_file);
        Counts {
            dir: abs.parent().map(Path::to_path_buf).unwrap_or_default(),
            counts: BTreeMap::new(),
        }
    }

    /// How `file` is named in the baseline: relative to its directory,
    /// through `..` when it is elsewhere.
    fn name(&self, file: &Path) -> String {
        let abs = absolute(file);
        let rel = pathdiff::diff_paths(&abs, &self.dir).unwrap_or(abs);
        rel.to_string_lossy().replace('\\', "/")
    }

    fn key(&self, name: &str, lines: &mut LineCursor<'_>, f: &Located) -> Key {
        let line = lines.nth(f.line.saturating_sub(1)).unwrap_or("");
        (
            name.to_string(),
            f.finding.recipe.to_string(),
            normalise(line),
        )
    }
}

fn absolute(p: &Path) -> PathBuf {
    normalize(&std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf()))
}

/// A baseline being written.
#[derive(Debug)]
pub struct BaselineWriter {
    counts: Counts,
}

impl BaselineWriter {
    /// A writer for a baseline that will be stored at `path`.
    pub fn new(path: &Path) -> Self {
        BaselineWriter {
            counts: Counts::new(path),
        }
    }

    /// Records the findings of one file.
    pub fn add(&mut self, file: &Path, source: &str, findings: &[Located]) {
        let name = self.counts.name(file);
        let mut lines = LineCursor::new(source);
        for f in findings {
            let key = self.counts.key(&name, &mut lines, f);
            *self.counts.counts.entry(key).or_insert(0) += 1;
        }
    }

    /// How many findings were recorded.
    pub fn len(&self) -> usize {
        self.counts.counts.values().sum()
    }

    pub fn is_empty(&self) -> bool {
        self.counts.counts.is_empty()
    }

    /// The baseline as JSON, in a stable order, ending in a newline.
    pub fn to_json(&self) -> String {
        let stored = Stored {
            version: VERSION,
            findings: self
                .counts
                .counts
                .iter()
                .map(|((path, recipe, source), count)| Entry {
                    path: path.clone(),
                    recipe: recipe.clone(),
                    source: source.clone(),
                    count: *count,
                })
                .collect(),
        };
        let mut text = serde_json::to_string_pretty(&stored).unwrap_or_default();
        text.push('\n');
        text
    }
}

/// A baseline read back, consumed as findings match it.
#[derive(Debug)]
pub struct Baseline {
    left: Counts,
}

impl Baseline {
    /// Reads the baseline at `path`.
    pub fn load(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("--baseline {}: {e}", path.display()))?;
        Self::parse(path, &text)
    }

    /// Parses the text of the baseline stored at `path`.
    pub fn parse(path: &Path, text: &str) -> Result<Self, String> {
        let stored: Stored = serde_json::from_str(text).map_err(|e| {
            format!(
                "--baseline {}: not a gomend baseline ({e}); write one with --write-baseline",
                path.display()
            )
        })?;
        if stored.version != VERSION {
            return Err(format!(
                "--baseline {}: format version {} is not the one this gomend reads ({VERSION}); write it again with --write-baseline",
                path.display(),
                stored.version
            ));
        }
        let mut left = Counts::new(path);
        for e in stored.findings {
            *left.counts.entry((e.path, e.recipe, e.source)).or_insert(0) += e.count;
        }
        Ok(Baseline { left })
    }

    /// Removes from `findings` those the baseline still covers, in source
    /// order: with a count of N, the first N findings that match are
    /// covered, the others are new.
    pub fn filter(&mut self, file: &Path, source: &str, findings: &mut Vec<Located>) {
        let name = self.left.name(file);
        let mut lines = LineCursor::new(source);
        findings.retain(|f| {
            let key = self.left.key(&name, &mut lines, f);
            match self.left.counts.get_mut(&key) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    false
                }
                _ => true,
            }
        });
    }

    /// The entries no finding matched (their count is how many went
    /// unmatched) among those in scope: entries of the files checked, and
    /// of files under `roots` that no longer exist.
    pub fn fixed(&self, checked: &[PathBuf], roots: &[PathBuf]) -> Vec<Entry> {
        let names: std::collections::HashSet<String> =
            checked.iter().map(|f| self.left.name(f)).collect();
        let roots: Vec<PathBuf> = roots.iter().map(|r| absolute(r)).collect();
        self.left
            .counts
            .iter()
            .filter(|(_, n)| **n > 0)
            .filter(|((path, _, _), _)| {
                if names.contains(path) {
                    return true;
                }
                let file = normalize(&self.left.dir.join(path));
                !file.exists() && roots.iter().any(|r| file.starts_with(r))
            })
            .map(|((path, recipe, source), n)| Entry {
                path: path.clone(),
                recipe: recipe.clone(),
                source: source.clone(),
                count: *n,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Finding;

    fn at(line: usize, recipe: &str) -> Located {
        Located {
            finding: Finding {
                recipe: recipe.into(),
                range: 0..0,
                message: String::new(),
                fix: None,
            },
            line,
            column: 1,
            end_line: line,
            end_column: 1,
        }
    }

    #[test]
    fn whitespace_is_normalised() {
        assert_eq!(normalise("\t  runtime.GC( )  \r"), "runtime.GC( )");
    }

    #[test]
    fn counts_cover_duplicates_in_order_and_the_rest_is_new() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().join("baseline.json");
        let file = dir.path().join("a.go");
        let src = "package a\nruntime.GC()\n  runtime.GC()\n";
        let mut w = BaselineWriter::new(&base);
        w.add(&file, src, &[at(2, "remove-gc")]);
        let mut b = Baseline::parse(&base, &w.to_json()).unwrap();
        let mut now = vec![at(2, "remove-gc"), at(3, "remove-gc")];
        b.filter(&file, src, &mut now);
        assert_eq!(now.len(), 1);
        assert_eq!(now[0].line, 3);
        assert!(b.fixed(&[file], &[]).is_empty());
    }

    #[test]
    fn stable_json() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().join("b.json");
        let mut w = BaselineWriter::new(&base);
        w.add(&dir.path().join("z.go"), "x\n", &[at(1, "b")]);
        w.add(
            &dir.path().join("sub/a.go"),
            "y\n",
            &[at(1, "a"), at(1, "a")],
        );
        assert_eq!(
            w.to_json(),
            "{\n  \"version\": 1,\n  \"findings\": [\n    {\n      \"path\": \"sub/a.go\",\n      \"recipe\": \"a\",\n      \"source\": \"y\",\n      \"count\": 2\n    },\n    {\n      \"path\": \"z.go\",\n      \"recipe\": \"b\",\n      \"source\": \"x\",\n      \"count\": 1\n    }\n  ]\n}\n"
        );
    }
}
