//! The recipe test harness behind `gomend test` and the project's own
//! fixture suite: one recipe, a directory of Go cases, and what each case
//! expects.
//!
//! A case is a Go file `<case>.go` below the recipe's case directory:
//! - a line that must be reported carries `// want "<id>"`, optionally with a
//!   second string the finding's message must contain; every other line must
//!   have no finding;
//! - `<case>.go.golden` beside it is the file after the fix; without one the
//!   file must stay unchanged;
//! - the nearest `go.mod` sets the case's Go version (a sub-directory with its
//!   own `go.mod` tests a version gate);
//! - the files of a directory `pkg_<name>/` form one package: each is
//!   rewritten with the others as its package.
//!
//! A golden must be a fix point: running the recipe over it again changes
//! nothing and finds nothing it could still fix.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::engine::gomod::{GoVersion, VersionResolver};
use crate::engine::package::PackageHandle;
use crate::engine::{Engine, FileOutcome, Mode, Recipe, Settings};

/// One Go input and its expected rewrite.
#[derive(Clone, Debug)]
pub struct Case {
    /// The path below the case directory, without `.go`.
    pub name: String,
    pub input: PathBuf,
    /// `<input>.golden`, when it exists.
    pub golden: Option<PathBuf>,
}

/// The cases below `dir` (recursively), sorted by name.
pub fn collect_cases(dir: &Path) -> std::io::Result<Vec<Case>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d)? {
            let p = e?.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "go") {
                let golden = PathBuf::from(format!("{}.golden", p.display()));
                let name = p
                    .strip_prefix(dir)
                    .unwrap_or(&p)
                    .with_extension("")
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push(Case {
                    name,
                    golden: golden.exists().then_some(golden),
                    input: p,
                });
            }
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// The findings a case expects: line -> (recipe id, message substring), read
/// from `// want "<id>" "<text>"` comments.
pub fn wants(src: &str) -> BTreeMap<usize, Vec<(String, String)>> {
    let mut out = BTreeMap::new();
    for (i, line) in src.lines().enumerate() {
        let Some(pos) = line.find("// want ") else {
            continue;
        };
        let quoted: Vec<&str> = line[pos + 8..].split('"').skip(1).step_by(2).collect();
        if let Some(id) = quoted.first() {
            let sub = quoted.get(1).copied().unwrap_or("");
            out.entry(i + 1)
                .or_insert_with(Vec::new)
                .push((id.to_string(), sub.to_string()));
        }
    }
    out
}

/// The directory of a multi-file package case (`pkg_<name>/`), if it is one.
pub fn package_dir(case: &Case) -> Option<PathBuf> {
    let dir = case.input.parent()?;
    dir.file_name()?
        .to_string_lossy()
        .starts_with("pkg_")
        .then(|| dir.to_path_buf())
}

/// The `.go` files of a package directory with their text.
fn package_files(dir: &Path) -> std::io::Result<Vec<(PathBuf, String)>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "go"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| std::fs::read_to_string(&p).map(|t| (p, t)))
        .collect()
}

/// Runs the engine on one case's text, with its package's other files when
/// it has some.
pub fn process_case(
    engine: &Engine,
    case: &Case,
    src: &str,
    version: GoVersion,
) -> std::io::Result<FileOutcome> {
    run_case(engine, case, src, version, false)
}

/// [`process_case`], with the file parsed whole instead of screened by its
/// declarations first when `whole` is set.
fn run_case(
    engine: &Engine,
    case: &Case,
    src: &str,
    version: GoVersion,
    whole: bool,
) -> std::io::Result<FileOutcome> {
    let package = match package_dir(case) {
        Some(dir) => PackageHandle::with_files(&case.input, package_files(&dir)?),
        None => engine.package_of(&case.input),
    };
    Ok(if whole {
        engine.process_whole(&case.input, src, version, Mode::Rewrite, &package)
    } else {
        engine.process_in(&case.input, src, version, Mode::Rewrite, &package, None)
    })
}

/// Each finding as line, recipe and message.
fn finding_lines(out: &FileOutcome) -> Vec<(usize, String, String)> {
    out.findings
        .iter()
        .map(|f| {
            (
                f.line,
                f.finding.recipe.to_string(),
                f.finding.message.clone(),
            )
        })
        .collect()
}

/// What became of one case.
#[derive(Clone, Debug)]
pub struct CaseResult {
    pub case: Case,
    /// The Go version the case ran at.
    pub version: GoVersion,
    /// The case's text after the recipe ran (the input when nothing changed).
    pub rewritten: String,
    /// Everything that differs from what the case expects; empty when it passes.
    pub problems: Vec<String>,
}

impl CaseResult {
    pub fn passed(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Runs `engine` (normally holding the one recipe under test) on a case and
/// compares the findings with its `want` comments and the rewrite with its
/// golden.
pub fn check_case(engine: &Engine, case: &Case, versions: &VersionResolver) -> CaseResult {
    let version = versions.version_for(&case.input);
    let mut result = CaseResult {
        case: case.clone(),
        version,
        rewritten: String::new(),
        problems: Vec::new(),
    };
    let name = &case.name;
    let src = match std::fs::read_to_string(&case.input) {
        Ok(s) => s,
        Err(e) => {
            result.problems.push(format!("{name}: cannot read: {e}"));
            return result;
        }
    };
    let out = match process_case(engine, case, &src, version) {
        Ok(o) => o,
        Err(e) => {
            result
                .problems
                .push(format!("{name}: cannot read its package: {e}"));
            return result;
        }
    };
    let problems = &mut result.problems;
    if engine.screens() {
        // The screen by declarations must find what a whole parse finds.
        match run_case(engine, case, &src, version, true) {
            Ok(whole) => {
                if finding_lines(&whole) != finding_lines(&out) || whole.rewritten != out.rewritten
                {
                    problems.push(format!(
                        "{name}: screening the file by its declarations gives other findings than parsing it whole ({} against {}); a recipe with `triggers-in = \"declaration\"` may have a finding whose declaration holds none of its triggers",
                        out.findings.len(),
                        whole.findings.len()
                    ));
                }
            }
            Err(e) => problems.push(format!("{name}: cannot read its package: {e}")),
        }
    }
    if let Some(e) = &out.error {
        problems.push(format!("{name}: engine error: {e}"));
    }
    let expected = wants(&src);
    let mut seen: BTreeMap<usize, Vec<(String, String)>> = BTreeMap::new();
    for f in &out.findings {
        seen.entry(f.line)
            .or_default()
            .push((f.finding.recipe.to_string(), f.finding.message.clone()));
    }
    for (line, exp) in &expected {
        let got = seen.get(line).cloned().unwrap_or_default();
        for (rid, sub) in exp {
            if !got
                .iter()
                .any(|(r, m)| r == rid && m.contains(sub.as_str()))
            {
                problems.push(format!(
                    "{name}:{line}: expected a `{rid}` finding containing {sub:?}, got {}",
                    describe(&got)
                ));
            }
        }
    }
    for (line, got) in &seen {
        if !expected.contains_key(line) {
            problems.push(format!(
                "{name}:{line}: unexpected finding {} (mark the line with `// want \"{}\"` if it is right)",
                describe(got),
                got[0].0
            ));
        }
    }
    let rewritten = out.rewritten.clone().unwrap_or_else(|| src.clone());
    match &case.golden {
        Some(g) => match std::fs::read_to_string(g) {
            Ok(want) => {
                if rewritten != want {
                    problems.push(format!(
                        "{name}: the rewrite differs from {name}.go.golden (- golden, + rewrite):\n{}",
                        crate::report::diff::unified(&format!("{name}.go"), &want, &rewritten)
                    ));
                }
                match process_case(engine, case, &want, version) {
                    Ok(again) => {
                        if again.rewritten.is_some() {
                            problems.push(format!(
                                "{name}: running the recipe over the golden changes it again"
                            ));
                        }
                        if again.findings.iter().any(|f| f.finding.fix.is_some()) {
                            problems.push(format!(
                                "{name}: the golden still has a finding the recipe would fix"
                            ));
                        }
                    }
                    Err(e) => problems.push(format!("{name}: cannot read its package: {e}")),
                }
            }
            Err(e) => problems.push(format!("{name}.go.golden: cannot read: {e}")),
        },
        None => {
            if out.rewritten.is_some() {
                problems.push(format!(
                    "{name}: expected no change (there is no {name}.go.golden), but the recipe rewrites it:\n{}",
                    crate::report::diff::unified(&format!("{name}.go"), &src, &rewritten)
                ));
            }
        }
    }
    result.rewritten = rewritten;
    result
}

fn describe(got: &[(String, String)]) -> String {
    if got.is_empty() {
        return "none".into();
    }
    got.iter()
        .map(|(r, m)| format!("`{r}`: {m:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// An engine running only `recipe`, with `settings` in place.
pub fn engine_for(recipe: Recipe, settings: &Settings) -> Result<Engine, String> {
    let recipe = recipe.with_settings(settings).map_err(|e| e.to_string())?;
    Ok(Engine::new(vec![recipe], settings.clone()))
}

/// Wraps an `[example]` fragment into a Go file: a whole file as it is,
/// top-level declarations after the imports, statements inside a function.
fn example_file(fragment: &str, imports: &[&str]) -> String {
    if fragment.trim_start().starts_with("package ") {
        return fragment.trim_start().to_string();
    }
    let mut file = String::from("package example\n\n");
    for path in imports {
        file.push_str(&format!("import \"{path}\"\n"));
    }
    file.push('\n');
    let body = fragment.trim_matches('\n');
    if ["func ", "type ", "var ", "const "]
        .iter()
        .any(|k| body.starts_with(k))
    {
        file.push_str(body);
    } else {
        file.push_str("func example() {\n");
        for line in body.lines() {
            if !line.is_empty() {
                file.push('\t');
                file.push_str(line);
            }
            file.push('\n');
        }
        file.push('}');
    }
    file.push('\n');
    file
}

/// Standard packages an `[example]` fragment may use without importing
/// them: (name, import path).
const EXAMPLE_PACKAGES: &[(&str, &str)] = &[
    ("bytes", "bytes"),
    ("context", "context"),
    ("debug", "runtime/debug"),
    ("errors", "errors"),
    ("fmt", "fmt"),
    ("http", "net/http"),
    ("io", "io"),
    ("log", "log"),
    ("os", "os"),
    ("runtime", "runtime"),
    ("strings", "strings"),
    ("sync", "sync"),
    ("time", "time"),
];

/// Whether `text` uses `name.` as a package qualifier (not `xname.`).
fn names_package(text: &str, name: &str) -> bool {
    let needle = format!("{name}.");
    text.match_indices(&needle).any(|(i, _)| {
        text[..i]
            .chars()
            .next_back()
            .is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == '.'))
    })
}

/// The code of a wrapped example after its imports.
fn after_imports(file: &str) -> &str {
    let start = ["\nfunc ", "\ntype ", "\nvar ", "\nconst "]
        .iter()
        .filter_map(|k| file.find(k))
        .min()
        .unwrap_or(0);
    file[start..].trim()
}

/// Checks the recipe's `[example]`, which `explain` shows: `before` must
/// have a finding and, when there is an `after`, rewrite into it. The
/// fragment is wrapped into a file importing the recipe's packages and the
/// standard packages it names (`fmt.`, `time.`, ...), at the example's
/// `go-version` (else the newest).
pub fn check_example(engine: &Engine) -> Vec<String> {
    let Some(recipe) = engine.recipes().first() else {
        return Vec::new();
    };
    let Some(example) = &recipe.spec.example else {
        return Vec::new();
    };
    let version = match example.go_version.as_deref().map(str::parse::<GoVersion>) {
        Some(Ok(v)) => v,
        Some(Err(e)) => return vec![format!("[example] go-version: {e}")],
        None => GoVersion::ASSUMED,
    };
    let mut imports: Vec<&str> = recipe
        .spec
        .matching
        .imports
        .values()
        .map(String::as_str)
        .collect();
    let text = format!(
        "{}\n{}",
        example.before,
        example.after.as_deref().unwrap_or("")
    );
    for (name, path) in EXAMPLE_PACKAGES {
        if names_package(&text, name) && !imports.contains(path) {
            imports.push(path);
        }
    }
    let before = example_file(&example.before, &imports);
    let out = engine.process(Path::new("example.go"), &before, version, Mode::Rewrite);
    if out.findings.is_empty() {
        return vec![format!(
            "[example]: `before` has no finding at Go {version} (as a file:\n{before})"
        )];
    }
    let mut problems = Vec::new();
    if let Some(e) = &out.error {
        problems.push(format!("[example]: engine error: {e}"));
    }
    if let Some(after) = &example.after {
        let got = out.rewritten.unwrap_or_else(|| before.clone());
        let want = example_file(after, &imports);
        if after_imports(&got) != after_imports(&want) {
            problems.push(format!(
                "[example]: the rewrite of `before` is not `after` (- after, + rewrite):\n{}",
                crate::report::diff::unified(
                    "example.go",
                    &format!("{}\n", after_imports(&want)),
                    &format!("{}\n", after_imports(&got))
                )
            ));
        }
    }
    problems
}

/// The outcome of one recipe's cases.
#[derive(Debug)]
pub struct SuiteResult {
    pub id: String,
    pub cases: Vec<CaseResult>,
    /// A problem with the suite itself (no case directory, no cases).
    pub error: Option<String>,
}

impl SuiteResult {
    pub fn passed(&self) -> bool {
        self.error.is_none() && self.cases.iter().all(CaseResult::passed)
    }
}

/// Where the cases of recipe `id` live in a codemod directory.
pub fn case_dir(codemods: &Path, id: &str) -> PathBuf {
    codemods.join("testdata").join(id)
}

/// Runs the cases of `recipe` found in `cases`.
pub fn run_suite(
    recipe: Recipe,
    cases: &Path,
    settings: &Settings,
    versions: &VersionResolver,
) -> SuiteResult {
    let id = recipe.id.to_string();
    let fail = |error: String| SuiteResult {
        id: id.clone(),
        cases: Vec::new(),
        error: Some(error),
    };
    let list = match collect_cases(cases) {
        Ok(l) if l.is_empty() => {
            return fail(format!("no cases: {} holds no .go file", cases.display()))
        }
        Ok(l) => l,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return fail(format!(
                "no cases: create {} with a Go file for it to check",
                cases.display()
            ))
        }
        Err(e) => return fail(format!("{}: {e}", cases.display())),
    };
    let engine = match engine_for(recipe, settings) {
        Ok(e) => e,
        Err(e) => return fail(e),
    };
    let example = check_example(&engine);
    SuiteResult {
        id: id.clone(),
        cases: list
            .iter()
            .map(|c| check_case(&engine, c, versions))
            .collect(),
        error: (!example.is_empty()).then(|| example.join("\n")),
    }
}
