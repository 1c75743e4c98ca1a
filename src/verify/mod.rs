//! `--verify`: only fixes that keep their package building land.
//!
//! For every Go package (directory) a rewrite changes, the package is built
//! with `go build` (and, when it has `_test.go` files, checked with `go vet`,
//! which compiles the tests) before and after the rewrite. The rewritten
//! files never touch the tree being checked: the go command reads them
//! through `-overlay`. A package that built before and fails after has its
//! fixes bisected: each file's fixes are added in turn, halving the group
//! that breaks the build until the offending fix is found, and the largest
//! set found that builds is kept. A package that did not build before, or a
//! file the build does not include, is not verified, and so none of its
//! fixes are kept.
//!
//! This module knows nothing about the engine or git: callers describe each
//! changed file as a [`Candidate`] that can render itself with any subset of
//! its fixes.

pub mod toolchain;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

pub use toolchain::Toolchain;
use toolchain::{module_root, relative, Overlay};

/// Lines of compiler output quoted when a fix is dropped.
const QUOTED_LINES: usize = 5;

/// Where one fix is: for messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FixSite {
    /// 1-based line.
    pub line: usize,
    /// Recipe id.
    pub recipe: String,
}

/// A file with the content it has with some of its fixes.
pub struct Rendered<T> {
    /// The new content; None when it equals the file before the rewrite.
    pub content: Option<Vec<u8>>,
    /// Whatever the caller needs to land this content.
    pub output: T,
}

/// One file the rewrite changes.
pub trait Candidate {
    /// What the caller gets back for the content that verified.
    type Output;
    /// The file, as an absolute path in the tree that holds every file as it
    /// was before the rewrite.
    fn path(&self) -> &Path;
    /// How to name the file in messages.
    fn display(&self) -> &str;
    /// The file's fixes, numbered by position.
    fn sites(&self) -> &[FixSite];
    /// The file with only the fixes numbered in `keep`.
    fn render(&self, keep: &BTreeSet<usize>) -> Result<Rendered<Self::Output>, String>;
}

/// What may land of one candidate.
pub struct Verdict<T> {
    /// The fixes kept.
    pub kept: BTreeSet<usize>,
    /// The verified rendering; None when nothing of the file may land.
    pub output: Option<T>,
}

/// Runs the checks. One verifier remembers how each package fared before
/// the rewrite, so a package shared by several branches is built once.
pub struct Verifier {
    go: Toolchain,
    scratch: tempfile::TempDir,
    runs: AtomicUsize,
    before: Mutex<HashMap<PathBuf, Before>>,
}

/// A package before the rewrite.
#[derive(Clone, Debug)]
struct Before {
    /// Files the build includes (names in the package directory).
    files: BTreeSet<String>,
    /// Whether there are non-test files to build.
    build: bool,
    /// Whether there are test files to vet.
    vet: bool,
    /// Why it does not build, if it does not.
    failure: Option<String>,
}

/// Fixes accepted for one file, and its rendering with them.
type Accepted<T> = (BTreeSet<usize>, Rendered<T>);

/// One package being verified.
struct Package<'c, C: Candidate> {
    root: PathBuf,
    target: String,
    before: Before,
    files: Vec<&'c C>,
    /// Per file, the fixes accepted so far and their rendering.
    accepted: Vec<Option<Accepted<C::Output>>>,
}

impl Verifier {
    /// A verifier using `go`.
    pub fn new(go: Toolchain) -> std::io::Result<Verifier> {
        Ok(Verifier {
            go,
            scratch: tempfile::Builder::new()
                .prefix("gomend-verify-")
                .tempdir()?,
            runs: AtomicUsize::new(0),
            before: Mutex::new(HashMap::new()),
        })
    }

    /// The toolchain in use.
    pub fn toolchain(&self) -> &Toolchain {
        &self.go
    }

    /// Verifies `candidates` package by package. Returns one verdict per
    /// candidate, in order, and appends a message for each fix not kept to
    /// `notes`.
    pub fn verify<C: Candidate>(
        &self,
        candidates: &[C],
        notes: &mut Vec<String>,
    ) -> Vec<Verdict<C::Output>> {
        let mut verdicts: Vec<Option<Verdict<C::Output>>> =
            candidates.iter().map(|_| None).collect();
        let mut packages: BTreeMap<PathBuf, Vec<usize>> = BTreeMap::new();
        for (i, c) in candidates.iter().enumerate() {
            let dir = c.path().parent().unwrap_or(Path::new("/")).to_path_buf();
            packages.entry(dir).or_default().push(i);
        }
        for (dir, members) in packages {
            let files: Vec<&C> = members.iter().map(|&i| &candidates[i]).collect();
            let results = self.verify_package(&dir, files, notes);
            for (i, v) in members.into_iter().zip(results) {
                verdicts[i] = Some(v);
            }
        }
        verdicts.into_iter().map(|v| v.expect("verdict")).collect()
    }

    fn verify_package<C: Candidate>(
        &self,
        dir: &Path,
        files: Vec<&C>,
        notes: &mut Vec<String>,
    ) -> Vec<Verdict<C::Output>> {
        let dropped = |files: &[&C]| -> Vec<Verdict<C::Output>> {
            files
                .iter()
                .map(|_| Verdict {
                    kept: BTreeSet::new(),
                    output: None,
                })
                .collect()
        };
        let shown = files
            .first()
            .map(|f| {
                Path::new(f.display())
                    .parent()
                    .map(|p| p.display().to_string())
                    .filter(|p| !p.is_empty())
                    .unwrap_or_else(|| ".".into())
            })
            .unwrap_or_default();
        let fix_count = |files: &[&C]| files.iter().map(|f| f.sites().len()).sum::<usize>();
        let Some(root) = module_root(dir) else {
            notes.push(format!(
                "{shown}: not verified: no go.mod above the package; {} dropped",
                fixes(fix_count(&files))
            ));
            return dropped(&files);
        };
        let rel = dir.strip_prefix(&root).unwrap_or(Path::new(""));
        let target = if rel.as_os_str().is_empty() {
            ".".to_string()
        } else {
            format!("./{}", rel.display())
        };
        let before = self.before(&root, &target);
        if let Some(why) = &before.failure {
            notes.push(format!(
                "{shown}: not verified: the package did not build before the rewrite; {} dropped\n{}",
                fixes(fix_count(&files)),
                quote(why)
            ));
            return dropped(&files);
        }
        // A file the build leaves out (build constraints) cannot be verified here.
        let (built, unbuilt): (Vec<&C>, Vec<&C>) = files.iter().copied().partition(|f| {
            f.path()
                .file_name()
                .is_some_and(|n| before.files.contains(&*n.to_string_lossy()))
        });
        for f in &unbuilt {
            notes.push(format!(
                "{}: not verified: the file is not part of the package's build here (build constraints); {} dropped",
                f.display(),
                fixes(f.sites().len())
            ));
        }
        let mut pkg = Package {
            root,
            target,
            before,
            accepted: built.iter().map(|_| None).collect(),
            files: built,
        };
        self.bisect(&mut pkg, notes);
        let mut by_path: HashMap<PathBuf, Verdict<C::Output>> = HashMap::new();
        for (f, a) in pkg.files.iter().zip(pkg.accepted) {
            let v = match a {
                Some((kept, r)) => Verdict {
                    kept,
                    output: Some(r.output),
                },
                None => Verdict {
                    kept: BTreeSet::new(),
                    output: None,
                },
            };
            by_path.insert(f.path().to_path_buf(), v);
        }
        files
            .iter()
            .map(|f| {
                by_path.remove(f.path()).unwrap_or(Verdict {
                    kept: BTreeSet::new(),
                    output: None,
                })
            })
            .collect()
    }

    /// Keeps every fix when the package builds with all of them; otherwise
    /// adds each file's fixes in turn, splitting a group that breaks the
    /// build in halves down to the single fix to drop.
    fn bisect<C: Candidate>(&self, pkg: &mut Package<'_, C>, notes: &mut Vec<String>) {
        let all: Vec<Result<Accepted<C::Output>, String>> = pkg
            .files
            .iter()
            .map(|f| {
                let keep: BTreeSet<usize> = (0..f.sites().len()).collect();
                f.render(&keep).map(|r| (keep, r))
            })
            .collect();
        if all.iter().all(Result::is_ok) {
            let rendered: Vec<_> = all.into_iter().map(|r| r.ok()).collect();
            let overlay: BTreeMap<PathBuf, Vec<u8>> = pkg
                .files
                .iter()
                .zip(&rendered)
                .filter_map(|(f, r)| {
                    let content = r.as_ref()?.1.content.clone()?;
                    Some((f.path().to_path_buf(), content))
                })
                .collect();
            if self.check(pkg, &overlay).is_ok() {
                pkg.accepted = rendered;
                return;
            }
        }
        for i in 0..pkg.files.len() {
            let every: Vec<usize> = (0..pkg.files[i].sites().len()).collect();
            self.grow(pkg, i, every, notes);
        }
    }

    /// Tries file `i` with the fixes accepted so far plus `adding`.
    fn grow<C: Candidate>(
        &self,
        pkg: &mut Package<'_, C>,
        i: usize,
        adding: Vec<usize>,
        notes: &mut Vec<String>,
    ) {
        if adding.is_empty() {
            return;
        }
        let mut keep = pkg.accepted[i]
            .as_ref()
            .map(|(k, _)| k.clone())
            .unwrap_or_default();
        keep.extend(adding.iter().copied());
        let file = pkg.files[i];
        let failure = match file.render(&keep) {
            Err(e) => e,
            Ok(rendered) => {
                let mut overlay = self.accepted_overlay(pkg, Some(i));
                if let Some(content) = &rendered.content {
                    overlay.insert(file.path().to_path_buf(), content.clone());
                }
                match self.check(pkg, &overlay) {
                    Ok(()) => {
                        pkg.accepted[i] = Some((keep, rendered));
                        return;
                    }
                    Err(e) => e,
                }
            }
        };
        if let [only] = adding[..] {
            let site = &file.sites()[only];
            notes.push(format!(
                "{}:{}: dropped the {} fix: the package does not build with it\n{}",
                file.display(),
                site.line,
                site.recipe,
                quote(&failure)
            ));
            return;
        }
        let second = adding[adding.len() / 2..].to_vec();
        let first = adding[..adding.len() / 2].to_vec();
        self.grow(pkg, i, first, notes);
        self.grow(pkg, i, second, notes);
    }

    /// The accepted contents of the package's files, but for file `except`.
    fn accepted_overlay<C: Candidate>(
        &self,
        pkg: &Package<'_, C>,
        except: Option<usize>,
    ) -> BTreeMap<PathBuf, Vec<u8>> {
        pkg.files
            .iter()
            .zip(&pkg.accepted)
            .enumerate()
            .filter(|(j, _)| Some(*j) != except)
            .filter_map(|(_, (f, a))| {
                let content = a.as_ref()?.1.content.clone()?;
                Some((f.path().to_path_buf(), content))
            })
            .collect()
    }

    /// How the package fares before the rewrite (remembered).
    fn before(&self, root: &Path, target: &str) -> Before {
        let key = root.join(target);
        if let Some(b) = self.before.lock().expect("lock").get(&key) {
            return b.clone();
        }
        let b = self.inspect(root, target);
        self.before.lock().expect("lock").insert(key, b.clone());
        b
    }

    fn inspect(&self, root: &Path, target: &str) -> Before {
        let mut b = Before {
            files: BTreeSet::new(),
            build: false,
            vet: false,
            failure: None,
        };
        let list = "{{range .GoFiles}}go {{.}}\n{{end}}{{range .CgoFiles}}go {{.}}\n{{end}}\
                    {{range .TestGoFiles}}test {{.}}\n{{end}}{{range .XTestGoFiles}}test {{.}}\n{{end}}\
                    {{with .Error}}error {{.}}\n{{end}}";
        let out = self
            .go
            .command(root)
            .args(["list", "-e", "-f", list, target])
            .output();
        let out = match out {
            Ok(o) if o.status.success() => o,
            Ok(o) => {
                b.failure = Some(String::from_utf8_lossy(&o.stderr).into_owned());
                return b;
            }
            Err(e) => {
                b.failure = Some(format!("cannot run the go command: {e}"));
                return b;
            }
        };
        for line in String::from_utf8_lossy(&out.stdout).lines() {
            match line.split_once(' ') {
                Some(("go", name)) => {
                    b.build = true;
                    b.files.insert(name.to_string());
                }
                Some(("test", name)) => {
                    b.vet = true;
                    b.files.insert(name.to_string());
                }
                Some(("error", why)) => {
                    b.failure = Some(why.to_string());
                }
                _ => {}
            }
        }
        if b.failure.is_none() {
            if let Err(e) = self.run_checks(root, target, b.build, b.vet, None) {
                b.failure = Some(e);
            }
        }
        b
    }

    /// Builds (and vets) the package with `overlay` in place of its files on disk.
    fn check<C: Candidate>(
        &self,
        pkg: &Package<'_, C>,
        overlay: &BTreeMap<PathBuf, Vec<u8>>,
    ) -> Result<(), String> {
        if overlay.is_empty() {
            return Ok(());
        }
        let n = self.runs.fetch_add(1, Ordering::Relaxed);
        let dir = self.scratch.path().join(format!("run-{n}"));
        let ov =
            Overlay::write(&dir, overlay).map_err(|e| format!("cannot write the overlay: {e}"))?;
        let result = self.run_checks(
            &pkg.root,
            &pkg.target,
            pkg.before.build,
            pkg.before.vet,
            Some(&ov),
        );
        let _ = std::fs::remove_dir_all(&dir);
        result.map_err(|e| {
            // The compiler names the copies; name the files they stand for.
            let mut text = e;
            for (copy, original) in &ov.copies {
                let shown = pkg
                    .files
                    .iter()
                    .find(|f| f.path() == original)
                    .map(|f| f.display().to_string())
                    .unwrap_or_else(|| original.display().to_string());
                text = text.replace(&copy.display().to_string(), &shown);
                if let Some(rel) = relative(&pkg.root, copy) {
                    text = text.replace(&rel.display().to_string(), &shown);
                }
            }
            text
        })
    }

    fn run_checks(
        &self,
        root: &Path,
        target: &str,
        build: bool,
        vet: bool,
        overlay: Option<&Overlay>,
    ) -> Result<(), String> {
        let overlay_flag = overlay.map(|o| format!("-overlay={}", o.json.display()));
        let null = if cfg!(windows) { "NUL" } else { "/dev/null" };
        let mut steps: Vec<Vec<String>> = Vec::new();
        if build {
            steps.push(vec!["build".into(), "-o".into(), null.into()]);
        }
        if vet {
            steps.push(vec!["vet".into()]);
        }
        for mut args in steps {
            args.extend(overlay_flag.clone());
            args.push(target.to_string());
            let out = self
                .go
                .command(root)
                .args(&args)
                .output()
                .map_err(|e| format!("cannot run the go command: {e}"))?;
            if !out.status.success() {
                let mut text = String::from_utf8_lossy(&out.stderr).into_owned();
                text.push_str(&String::from_utf8_lossy(&out.stdout));
                return Err(format!("go {} failed:\n{}", args[0], text.trim()));
            }
        }
        Ok(())
    }
}

/// "1 fix", "3 fixes".
fn fixes(n: usize) -> String {
    format!("{n} fix{}", if n == 1 { "" } else { "es" })
}

/// The first lines of the go command's complaint, indented, without the
/// `# package` headers.
fn quote(text: &str) -> String {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .collect();
    let mut out: Vec<String> = lines
        .iter()
        .take(QUOTED_LINES)
        .map(|l| format!("    {l}"))
        .collect();
    if lines.len() > QUOTED_LINES {
        out.push(format!("    ({} more lines)", lines.len() - QUOTED_LINES));
    }
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_the_first_lines_without_headers() {
        let text =
            "go build failed:\n# example.com/a\na.go:3:2: undefined: x\na.go:4:2: undefined: y\n";
        assert_eq!(
            quote(text),
            "    go build failed:\n    a.go:3:2: undefined: x\n    a.go:4:2: undefined: y"
        );
        let many: String = (0..8).map(|i| format!("l{i}\n")).collect();
        assert!(quote(&many).ends_with("(3 more lines)"));
    }
}
