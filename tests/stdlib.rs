//! gomend on a real corpus: a copy of the Go standard library that ships
//! with the toolchain. Every file `apply` changes must stay gofmt-clean,
//! parse, and build; a second run must change nothing.

mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use support::{go, gofmt_bin, gomend, run_with_limit};

fn goroot() -> PathBuf {
    let out = go(Path::new("."))
        .args(["env", "GOROOT"])
        .output()
        .expect("go env");
    PathBuf::from(String::from_utf8(out.stdout).unwrap().trim())
}

fn copy_tree(from: &Path, to: &Path) {
    let status = std::process::Command::new("cp")
        .arg("-a")
        .arg(from)
        .arg(to)
        .status()
        .expect("cp");
    assert!(status.success());
}

fn go_files(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "go") {
                out.push(p);
            }
        }
    }
    out
}

#[test]
fn apply_on_the_standard_library_keeps_it_building() {
    let original = goroot();
    assert!(
        original.join("src/runtime").is_dir(),
        "no standard library under {}",
        original.display()
    );
    let tmp = tempfile::tempdir().unwrap();
    let copy = tmp.path().join("goroot");
    copy_tree(&original, &copy);
    let src = copy.join("src");

    let out = gomend().arg("apply").arg(&src).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "apply failed ({:?}):\n{stderr}\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout)
    );

    let changed: Vec<PathBuf> = go_files(&src)
        .into_iter()
        .filter(|p| {
            let rel = p.strip_prefix(&copy).unwrap();
            std::fs::read(p).ok() != std::fs::read(original.join(rel)).ok()
        })
        .collect();
    assert!(
        !changed.is_empty(),
        "the standard library has known findings; nothing changed"
    );
    eprintln!("{} files changed", changed.len());

    // gofmt-clean.
    let fmt = std::process::Command::new(gofmt_bin())
        .arg("-l")
        .args(&changed)
        .output()
        .unwrap();
    assert!(fmt.status.success());
    assert_eq!(
        String::from_utf8_lossy(&fmt.stdout),
        "",
        "changed files that gofmt would change"
    );

    // Every changed file parses.
    for p in &changed {
        let text = std::fs::read_to_string(p).unwrap();
        let root = gomend::engine::golang::parse(&text);
        assert!(
            !gomend::engine::golang::has_syntax_error(&root.root()),
            "{} no longer parses",
            p.display()
        );
    }

    // Every changed package builds against the copy.
    let packages: BTreeSet<String> = changed
        .iter()
        .filter(|p| !p.to_string_lossy().ends_with("_test.go"))
        .map(|p| {
            p.parent()
                .unwrap()
                .strip_prefix(&src)
                .unwrap()
                .display()
                .to_string()
        })
        .collect();
    let mut cmd = go(&src);
    cmd.env("GOROOT", &copy)
        .env("CGO_ENABLED", "1")
        .arg("build")
        .arg("-o")
        .arg("/dev/null");
    for p in &packages {
        cmd.arg(format!("./{p}"));
    }
    let (code, text, timed_out) = run_with_limit(cmd, Duration::from_secs(1800));
    assert!(
        !timed_out && code == Some(0),
        "changed packages do not build:\n{text}"
    );
    let test_dirs: BTreeSet<String> = changed
        .iter()
        .filter(|p| p.to_string_lossy().ends_with("_test.go"))
        .map(|p| {
            p.parent()
                .unwrap()
                .strip_prefix(&src)
                .unwrap()
                .display()
                .to_string()
        })
        .collect();
    if !test_dirs.is_empty() {
        let mut cmd = go(&src);
        cmd.env("GOROOT", &copy).args(["vet", "-lostcancel=false"]);
        for p in &test_dirs {
            cmd.arg(format!("./{p}"));
        }
        let (code, text, _) = run_with_limit(cmd, Duration::from_secs(1800));
        assert_eq!(code, Some(0), "changed test files do not compile:\n{text}");
    }

    // A second run changes nothing.
    let again = gomend()
        .args(["diff", "--exit-code"])
        .arg(&src)
        .output()
        .unwrap();
    assert_eq!(
        again.status.code(),
        Some(0),
        "second run still changes:\n{}",
        String::from_utf8_lossy(&again.stdout)
    );
}

/// Every recipe id, from the codemod files.
fn recipe_ids() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("codemods");
    let mut ids: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().to_string();
            name.strip_suffix(".toml").map(str::to_string)
        })
        .collect();
    ids.sort();
    ids
}

#[test]
fn screening_by_declarations_finds_what_whole_parses_find() {
    let src = goroot().join("src");
    let mut common: Vec<String> = vec!["--tests".into(), "--quiet".into(), "--no-config".into()];
    for id in recipe_ids() {
        common.push("--recipe".into());
        common.push(id);
    }
    for command in [&["check", "--format", "json"][..], &["diff"][..]] {
        let run = |extra: &[&str]| {
            let out = gomend()
                .args(command)
                .args(&common)
                .args(extra)
                .arg(&src)
                .output()
                .unwrap();
            assert!(
                out.status.code().is_some_and(|c| c <= 1),
                "{command:?} {extra:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            String::from_utf8(out.stdout).unwrap()
        };
        let screened = run(&[]);
        let whole = run(&["--parse-whole-files"]);
        assert!(
            screened.lines().count() > 100,
            "{command:?} found too little to compare:\n{screened}"
        );
        if screened != whole {
            let only = |a: &str, b: &str| -> Vec<String> {
                let b: BTreeSet<&str> = b.lines().collect();
                a.lines()
                    .filter(|l| !b.contains(l))
                    .take(10)
                    .map(str::to_string)
                    .collect()
            };
            panic!(
                "{command:?}: the declaration screen and whole parses differ\nonly screened: {:#?}\nonly whole: {:#?}",
                only(&screened, &whole),
                only(&whole, &screened)
            );
        }
    }
}
