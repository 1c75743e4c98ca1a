//! The fixture runner: every `fixtures/<id>/` is the specification of recipe
//! `<id>`, checked with the real Go toolchain. The cases run through
//! `gomend::harness`, the code behind `gomend test`.
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
use gomend::harness::{self, Case};
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

fn collect_cases(dir: &Path) -> Vec<Case> {
    harness::collect_cases(dir).expect("fixture directory reads")
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

/// The cases go through the harness of `gomend test`; what needs the Go
/// toolchain (gofmt, building every input and golden) is checked here.
fn check_recipe(id: &str, cases: &[Case]) -> Result<(), Failed> {
    let engine = engine_for(id);
    let versions = VersionResolver::new(None);
    let mut problems = Vec::new();
    let mut to_build: Vec<(GoVersion, String, PathBuf)> = Vec::new();
    // Multi-file packages: (version, name, files before, files after).
    let mut packages: BTreeMap<PathBuf, (GoVersion, Vec<PathBuf>, Vec<PathBuf>)> = BTreeMap::new();
    for case in cases {
        let result = harness::check_case(&engine, case, &versions);
        let version = result.version;
        problems.extend(result.problems);
        if let Some(g) = &case.golden {
            match harness::package_dir(case) {
                Some(dir) => packages
                    .entry(dir)
                    .or_insert((version, vec![], vec![]))
                    .2
                    .push(g.clone()),
                None => to_build.push((version, format!("{}.golden", case.name), g.clone())),
            }
        }
        match harness::package_dir(case) {
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
