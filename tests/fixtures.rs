//! The fixture runner: every `fixtures/<id>/` is the specification of recipe
//! `<id>`, checked with the real Go toolchain.
//!
//! For each recipe (one test named after it):
//! - every input `<case>.go` is rewritten with only that recipe enabled; the
//!   result must equal `<case>.go.golden`, or the input itself when there is
//!   no golden (a negative case);
//! - the findings must sit exactly on the lines marked `// want "<id>"`
//!   (with an optional second string that the message must contain);
//! - inputs and goldens must be gofmt-clean and must build;
//! - rewriting a golden again changes nothing and leaves no fixable finding.
//!
//! A directory `pkg_<name>/` holds one package of several files: each file
//! is rewritten with the others as its package (so recipes can look into
//! their functions), and the files are built together, before and after.
//!
//! For each `symptom*.go` (a test named `<id>::symptom...`): the program run
//! before the rewrite prints `SYMPTOM:` and exits 1, and after the rewrite
//! exits 0 without it. A `symptom_<name>.go` without a golden is a program the
//! recipe must leave alone and that must run cleanly (exit 0).

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use gomend::engine::gomod::{GoVersion, VersionResolver};
use gomend::engine::{Engine, Mode, Settings};
use gomend::recipes::{self, Selection};
use libtest_mimic::{Arguments, Failed, Trial};

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

fn main() {
    let args = Arguments::from_args();
    let mut trials = Vec::new();
    let mut ids: Vec<String> = std::fs::read_dir(fixtures_dir())
        .expect("fixtures/")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect();
    ids.sort();
    let known: Vec<String> = recipes::builtin()
        .expect("recipes load")
        .iter()
        .map(|r| r.id.to_string())
        .collect();
    // Every listed recipe has fixtures, and every fixture directory a recipe.
    {
        let ids = ids.clone();
        let known = known.clone();
        trials.push(Trial::test("every recipe has fixtures", move || {
            let missing: Vec<_> = known.iter().filter(|k| !ids.contains(k)).collect();
            let orphans: Vec<_> = ids.iter().filter(|i| !known.contains(i)).collect();
            if missing.is_empty() && orphans.is_empty() {
                Ok(())
            } else {
                Err(format!("recipes without fixtures: {missing:?}; fixture directories without a recipe: {orphans:?}").into())
            }
        }));
    }
    for id in ids {
        let dir = fixtures_dir().join(&id);
        let cases = collect_cases(&dir);
        {
            let id = id.clone();
            let cases = cases.clone();
            trials.push(Trial::test(id.clone(), move || check_recipe(&id, &cases)));
        }
        for case in cases.iter().filter(|c| is_program(&c.input)) {
            let id = id.clone();
            let case = case.clone();
            let name = format!("{id}::{}", case.name);
            trials.push(Trial::test(name, move || check_program(&id, &case)));
        }
    }
    libtest_mimic::run(&args, trials).exit();
}

#[derive(Clone, Debug)]
struct Case {
    /// Path below the recipe's fixture directory, without `.go`.
    name: String,
    input: PathBuf,
    golden: Option<PathBuf>,
}

fn collect_cases(dir: &Path) -> Vec<Case> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().filter_map(|e| e.ok()) {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "go") {
                let golden = PathBuf::from(format!("{}.golden", p.display()));
                let name = p
                    .strip_prefix(dir)
                    .unwrap()
                    .with_extension("")
                    .to_string_lossy()
                    .to_string();
                out.push(Case {
                    name,
                    golden: golden.exists().then_some(golden),
                    input: p,
                });
            }
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

fn is_program(p: &Path) -> bool {
    p.file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with("symptom"))
}

fn engine_for(id: &str) -> Engine {
    let all = recipes::builtin().expect("recipes load");
    let only = Selection {
        only: vec![id.to_string()],
        skip: vec![],
        ..Selection::default()
    }
    .apply(all)
    .expect("recipe exists");
    Engine::new(only, Settings::default())
}

/// Expected findings: line -> (recipe id, message substring).
fn wants(src: &str) -> BTreeMap<usize, Vec<(String, String)>> {
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

/// Whether a case belongs to a multi-file package (`pkg_<name>/`).
fn package_dir(case: &Case) -> Option<PathBuf> {
    let dir = case.input.parent()?;
    dir.file_name()?
        .to_string_lossy()
        .starts_with("pkg_")
        .then(|| dir.to_path_buf())
}

/// The `.go` inputs of a package directory with their text.
fn package_files(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "go"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let t = std::fs::read_to_string(&p).unwrap();
            (p, t)
        })
        .collect()
}

/// Runs the engine on one case, with its package's other files when it has some.
fn process_case(
    engine: &Engine,
    case: &Case,
    src: &str,
    version: GoVersion,
) -> gomend::engine::FileOutcome {
    match package_dir(case) {
        Some(dir) => engine.process_with_files(
            &case.input,
            src,
            version,
            Mode::Rewrite,
            package_files(&dir),
        ),
        None => engine.process(&case.input, src, version, Mode::Rewrite),
    }
}

fn check_recipe(id: &str, cases: &[Case]) -> Result<(), Failed> {
    let engine = engine_for(id);
    let versions = VersionResolver::new(None);
    let mut problems = Vec::new();
    let mut to_build: Vec<(GoVersion, String, PathBuf)> = Vec::new();
    // Multi-file packages: (version, name, files before, files after).
    let mut packages: BTreeMap<PathBuf, (GoVersion, Vec<PathBuf>, Vec<PathBuf>)> = BTreeMap::new();
    for case in cases {
        let src = std::fs::read_to_string(&case.input).unwrap();
        let version = versions.version_for(&case.input);
        let out = process_case(&engine, case, &src, version);
        if let Some(e) = &out.error {
            problems.push(format!("{}: engine error: {e}", case.name));
        }
        // Findings against `want` comments.
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
                        "{}:{line}: expected a `{rid}` finding containing {sub:?}, got {got:?}",
                        case.name
                    ));
                }
            }
        }
        for (line, got) in &seen {
            if !expected.contains_key(line) {
                problems.push(format!(
                    "{}:{line}: unexpected finding(s) {got:?}",
                    case.name
                ));
            }
        }
        // The rewrite against the golden.
        let result = out.rewritten.clone().unwrap_or_else(|| src.clone());
        match &case.golden {
            Some(g) => {
                let want = std::fs::read_to_string(g).unwrap();
                if result != want {
                    problems.push(format!(
                        "{}: rewrite differs from the golden:\n{}",
                        case.name,
                        gomend::report::diff::unified(&case.name, &want, &result)
                    ));
                }
                // Idempotence: a second run changes nothing and finds nothing fixable.
                let again = process_case(&engine, case, &want, version);
                if again.rewritten.is_some() {
                    problems.push(format!(
                        "{}: a second run over the golden changes it again",
                        case.name
                    ));
                }
                if again.findings.iter().any(|f| f.finding.fix.is_some()) {
                    problems.push(format!(
                        "{}: the golden still has a fixable finding",
                        case.name
                    ));
                }
                match package_dir(case) {
                    Some(dir) => packages
                        .entry(dir)
                        .or_insert((version, vec![], vec![]))
                        .2
                        .push(g.clone()),
                    None => to_build.push((version, format!("{}.golden", case.name), g.clone())),
                }
            }
            None => {
                if out.rewritten.is_some() {
                    problems.push(format!(
                        "{}: expected no change (no golden), but the rewrite is:\n{}",
                        case.name,
                        gomend::report::diff::unified(&case.name, &src, &result)
                    ));
                }
            }
        }
        match package_dir(case) {
            Some(dir) => {
                let entry = packages.entry(dir).or_insert((version, vec![], vec![]));
                entry.1.push(case.input.clone());
                if case.golden.is_none() {
                    entry.2.push(case.input.clone());
                }
            }
            None => to_build.push((version, case.name.clone(), case.input.clone())),
        }
    }
    let mut fmt_list = to_build.clone();
    for (dir, (version, before, after)) in &packages {
        for f in before.iter().chain(after) {
            fmt_list.push((*version, f.display().to_string(), f.clone()));
        }
        problems.extend(build_package(
            *version,
            &format!("{} (before)", dir.display()),
            before,
        ));
        problems.extend(build_package(
            *version,
            &format!("{} (after)", dir.display()),
            after,
        ));
    }
    problems.extend(gofmt_problems(&fmt_list));
    problems.extend(build_problems(&to_build));
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n").into())
    }
}

/// Files gofmt would change.
fn gofmt_problems(files: &[(GoVersion, String, PathBuf)]) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let mut map = BTreeMap::new();
    for (i, (_, name, path)) in files.iter().enumerate() {
        let p = dir.path().join(format!("f{i}.go"));
        std::fs::copy(path, &p).unwrap();
        map.insert(p.display().to_string(), name.clone());
    }
    let mut cmd = std::process::Command::new(support::gofmt_bin());
    cmd.arg("-l").arg(dir.path());
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run gofmt: {e}"));
    let listed = String::from_utf8_lossy(&out.stdout).to_string();
    let mut problems: Vec<String> = listed
        .lines()
        .map(|l| {
            format!(
                "{}: not gofmt-clean",
                map.get(l.trim()).cloned().unwrap_or_else(|| l.to_string())
            )
        })
        .collect();
    if !out.status.success() {
        problems.push(format!(
            "gofmt failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    problems
}

/// Compiles every file as its own package, one temporary module per Go version.
fn build_problems(files: &[(GoVersion, String, PathBuf)]) -> Vec<String> {
    let mut by_version: BTreeMap<GoVersion, Vec<(String, PathBuf)>> = BTreeMap::new();
    for (v, name, path) in files {
        by_version
            .entry(*v)
            .or_default()
            .push((name.clone(), path.clone()));
    }
    let mut problems = Vec::new();
    for (version, files) in by_version {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("go.mod"),
            format!("module fixture\n\ngo {version}\n"),
        )
        .unwrap();
        let mut test_dirs = Vec::new();
        for (i, (name, path)) in files.iter().enumerate() {
            let slug: String = name
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                .collect();
            let pkg = dir.path().join(format!("p{i}_{slug}"));
            std::fs::create_dir_all(&pkg).unwrap();
            let file_name = path
                .file_name()
                .unwrap()
                .to_string_lossy()
                .trim_end_matches(".golden")
                .to_string();
            std::fs::copy(path, pkg.join(&file_name)).unwrap();
            if file_name.ends_with("_test.go") {
                test_dirs.push(format!("./{}", pkg.file_name().unwrap().to_string_lossy()));
            }
        }
        let mut cmd = support::go(dir.path());
        cmd.args(["build", "-o", "/dev/null", "./..."]);
        let (code, text, _) = support::run_with_limit(cmd, Duration::from_secs(300));
        if code != Some(0) && !text.contains("no non-test Go files") {
            problems.push(format!("go build (go {version}) failed:\n{text}"));
        }
        if !test_dirs.is_empty() {
            let mut cmd = support::go(dir.path());
            cmd.args(["vet", "-lostcancel=false", "-copylocks=false"])
                .args(&test_dirs);
            let (code, text, _) = support::run_with_limit(cmd, Duration::from_secs(300));
            if code != Some(0) {
                problems.push(format!(
                    "go vet of test files (go {version}) failed:\n{text}"
                ));
            }
        }
    }
    problems
}

/// Builds the files of one multi-file package together.
fn build_package(version: GoVersion, name: &str, files: &[PathBuf]) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("go.mod"),
        format!("module fixture\n\ngo {version}\n"),
    )
    .unwrap();
    for f in files {
        let file_name = f
            .file_name()
            .unwrap()
            .to_string_lossy()
            .trim_end_matches(".golden")
            .to_string();
        std::fs::copy(f, dir.path().join(file_name)).unwrap();
    }
    let mut cmd = support::go(dir.path());
    cmd.args(["vet", "-lostcancel=false", "-copylocks=false", "."]);
    let (code, text, _) = support::run_with_limit(cmd, Duration::from_secs(300));
    if code != Some(0) {
        return vec![format!(
            "go vet of package {name} (go {version}) failed:\n{text}"
        )];
    }
    Vec::new()
}

/// Runs a symptom program before and after the rewrite.
fn check_program(id: &str, case: &Case) -> Result<(), Failed> {
    let version = VersionResolver::new(None).version_for(&case.input);
    let run = |path: &Path| -> (Option<i32>, String, bool) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("go.mod"),
            format!("module symptom\n\ngo {version}\n"),
        )
        .unwrap();
        std::fs::copy(path, dir.path().join("main.go")).unwrap();
        let mut cmd = support::go(dir.path());
        cmd.args(["run", "."]);
        support::run_with_limit(cmd, Duration::from_secs(120))
    };
    match &case.golden {
        Some(golden) => {
            let (code, text, timed_out) = run(&case.input);
            if timed_out || code != Some(1) || !text.contains("SYMPTOM:") {
                return Err(format!(
                    "{id}/{}: before the rewrite the program should print SYMPTOM: and exit 1; exit {code:?}, timed out: {timed_out}, output:\n{text}",
                    case.name
                )
                .into());
            }
            // The golden is the rewrite (checked by the recipe's own test).
            let engine = engine_for(id);
            let src = std::fs::read_to_string(&case.input).unwrap();
            let out = engine.process(&case.input, &src, version, Mode::Rewrite);
            let want = std::fs::read_to_string(golden).unwrap();
            if out.rewritten.as_deref() != Some(want.as_str()) {
                return Err(format!("{id}/{}: the rewrite is not the golden", case.name).into());
            }
            let (code, text, timed_out) = run(golden);
            if timed_out || code != Some(0) || text.contains("SYMPTOM:") {
                return Err(format!(
                    "{id}/{}: after the rewrite the program should run cleanly; exit {code:?}, timed out: {timed_out}, output:\n{text}",
                    case.name
                )
                .into());
            }
            Ok(())
        }
        None => {
            let (code, text, timed_out) = run(&case.input);
            if timed_out || code != Some(0) || text.contains("SYMPTOM:") {
                return Err(format!(
                    "{id}/{}: this program must run cleanly as it is; exit {code:?}, timed out: {timed_out}, output:\n{text}",
                    case.name
                )
                .into());
            }
            Ok(())
        }
    }
}
