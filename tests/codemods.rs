//! User codemod files: declarative recipes with templates, run through the
//! same engine (matching by import path, the fix-point loop, import upkeep).

use std::path::Path;

use gomend::engine::gomod::GoVersion;
use gomend::engine::{Engine, Mode, Settings};

fn engine_with(toml: &str, id: &str) -> Engine {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(format!("{id}.toml")), toml).unwrap();
    let recipes = gomend::recipes::load_dir(dir.path()).expect("codemod loads");
    Engine::new(recipes, Settings::default())
}

const WRAP: &str = r#"
id = "wrap-sprint"
kind = "fix"
summary = "Replace fmt.Sprint with fmt.Sprintln"
message = "use Sprintln"
rationale = "A test recipe."
[match]
imports = { fmt = "fmt" }
rule = { pattern = "fmt.Sprint($X)" }
[fix]
template = "fmt.Sprintln($X)"
"#;

#[test]
fn template_fix_follows_the_import_alias() {
    let e = engine_with(WRAP, "wrap-sprint");
    let src = "package a\n\nimport f \"fmt\"\n\nvar s = f.Sprint(1)\n";
    let out = e.process(Path::new("a.go"), src, GoVersion::ASSUMED, Mode::Rewrite);
    assert_eq!(
        out.rewritten.as_deref(),
        Some("package a\n\nimport f \"fmt\"\n\nvar s = f.Sprintln(1)\n")
    );
}

#[test]
fn nested_matches_converge_over_rounds() {
    let e = engine_with(WRAP, "wrap-sprint");
    let src = "package a\n\nimport \"fmt\"\n\nvar s = fmt.Sprint(fmt.Sprint(1))\n";
    let out = e.process(Path::new("a.go"), src, GoVersion::ASSUMED, Mode::Rewrite);
    assert_eq!(out.error, None);
    assert_eq!(
        out.rewritten.as_deref(),
        Some("package a\n\nimport \"fmt\"\n\nvar s = fmt.Sprintln(fmt.Sprintln(1))\n")
    );
    assert_eq!(out.fixes.get("wrap-sprint"), Some(&2));
}

#[test]
fn a_fix_that_never_converges_is_an_error_not_a_loop() {
    let grow = WRAP.replace(
        "template = \"fmt.Sprintln($X)\"",
        "template = \"fmt.Sprint(fmt.Sprint($X))\"",
    );
    let e = engine_with(&grow, "wrap-sprint");
    let src = "package a\n\nimport \"fmt\"\n\nvar s = fmt.Sprint(fmt.Sprint(1))\n";
    let out = e.process(Path::new("a.go"), src, GoVersion::ASSUMED, Mode::Rewrite);
    assert_eq!(
        out.error,
        Some(gomend::engine::Error::FixPoint(
            gomend::engine::FixPointError::Overlap {
                rounds: gomend::engine::MAX_ROUNDS
            }
        ))
    );
    assert_eq!(
        out.error.as_ref().unwrap().to_string(),
        format!(
            "fixes still overlap after {} rounds; the file was left unchanged",
            gomend::engine::MAX_ROUNDS
        )
    );
    assert_eq!(
        out.rewritten, None,
        "nothing is written for a file that did not converge"
    );
}

#[test]
fn local_variable_hiding_the_package_is_not_matched() {
    let e = engine_with(WRAP, "wrap-sprint");
    let src = "package a\n\nimport \"fmt\"\n\ntype p struct{}\n\nfunc (p) Sprint(int) string { return \"\" }\n\nfunc F() string {\n\tfmt := p{}\n\treturn fmt.Sprint(1)\n}\n";
    let out = e.process(Path::new("a.go"), src, GoVersion::ASSUMED, Mode::Rewrite);
    assert!(out.findings.is_empty(), "{:?}", out.findings);
}

#[test]
fn files_without_the_import_are_not_matched() {
    let e = engine_with(WRAP, "wrap-sprint");
    let src = "package a\n\ntype q struct{}\n\nfunc (q) Sprint(int) {}\n\nvar fmt q\n\nfunc F() { fmt.Sprint(1) }\n";
    let out = e.process(Path::new("a.go"), src, GoVersion::ASSUMED, Mode::Check);
    assert!(out.findings.is_empty());
}

#[test]
fn template_fix_adds_the_imports_it_needs() {
    let toml = r#"
id = "sleep-to-timer"
kind = "fix"
summary = "s"
message = "m"
rationale = "r"
[match]
imports = { time = "time" }
rule = { pattern = "time.Sleep($D)" }
[fix]
template = "<-time.After($D)"
imports = ["time"]
"#;
    let e = engine_with(toml, "sleep-to-timer");
    let src = "package a\n\nimport \"time\"\n\nfunc F() {\n\ttime.Sleep(1)\n}\n";
    let out = e.process(Path::new("a.go"), src, GoVersion::ASSUMED, Mode::Rewrite);
    assert_eq!(
        out.rewritten.as_deref(),
        Some("package a\n\nimport \"time\"\n\nfunc F() {\n\t<-time.After(1)\n}\n")
    );
}

#[test]
fn bad_codemod_files_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("x.toml"), WRAP).unwrap();
    let err = gomend::recipes::load_dir(dir.path()).err().unwrap();
    assert!(err.contains("file name must be the recipe id"), "{err}");
    let bad = WRAP.replace(
        "template = \"fmt.Sprintln($X)\"",
        "implementation = \"nope\"",
    );
    std::fs::remove_file(dir.path().join("x.toml")).unwrap();
    std::fs::write(dir.path().join("wrap-sprint.toml"), bad).unwrap();
    let err = gomend::recipes::load_dir(dir.path()).err().unwrap();
    assert!(
        err.contains("no built-in implementation named `nope`"),
        "{err}"
    );
}

#[test]
fn every_builtin_codemod_compiles_and_reads_well() {
    let all = gomend::recipes::builtin().expect("built-in recipes load");
    assert!(!all.is_empty());
    for r in &all {
        assert!(
            !r.spec.summary.ends_with('.'),
            "{}: summaries are one line without a full stop",
            r.id
        );
        assert!(
            r.spec.rationale.trim().len() > 80,
            "{}: the rationale explains why",
            r.id
        );
        assert!(
            r.spec.example.is_some(),
            "{}: explain shows an example",
            r.id
        );
        assert!(
            !r.triggers.is_empty(),
            "{}: the prefilter needs triggers",
            r.id
        );
    }
}

/// What `explain` shows is what the recipe does: the check of `gomend test`.
#[test]
fn explain_examples_are_what_the_recipes_do() {
    for recipe in gomend::recipes::builtin().unwrap() {
        let id = recipe.id.to_string();
        assert!(
            recipe.spec.example.is_some(),
            "{id}: every recipe has an example"
        );
        let engine = Engine::new(vec![recipe], Settings::default());
        let problems = gomend::harness::check_example(&engine);
        assert!(problems.is_empty(), "{id}: {}", problems.join("\n"));
    }
}

#[test]
fn selected_fixes_apply_only_the_chosen_findings() {
    let e = engine_with(WRAP, "wrap-sprint");
    let src = "package a\n\nimport \"fmt\"\n\nvar a = fmt.Sprint(1)\nvar b = fmt.Sprint(2)\nvar c = fmt.Sprint(3)\n";
    let all = e.process(Path::new("a.go"), src, GoVersion::ASSUMED, Mode::Rewrite);
    let every: std::collections::BTreeSet<usize> = (0..3).collect();
    let same = e.process_selected(Path::new("a.go"), src, GoVersion::ASSUMED, &every);
    assert_eq!(same.rewritten, all.rewritten);
    let keep = [0, 2].into_iter().collect();
    let out = e.process_selected(Path::new("a.go"), src, GoVersion::ASSUMED, &keep);
    assert_eq!(
        out.rewritten.as_deref(),
        Some("package a\n\nimport \"fmt\"\n\nvar a = fmt.Sprintln(1)\nvar b = fmt.Sprint(2)\nvar c = fmt.Sprintln(3)\n")
    );
    assert_eq!(out.fixes.get("wrap-sprint"), Some(&2));
    assert_eq!(
        out.findings.len(),
        3,
        "findings are those of the whole file"
    );
    let none = e.process_selected(
        Path::new("a.go"),
        src,
        GoVersion::ASSUMED,
        &Default::default(),
    );
    assert_eq!(none.rewritten, None);
}

#[test]
fn a_fix_left_out_stays_out_in_later_rounds() {
    let e = engine_with(WRAP, "wrap-sprint");
    let src = "package a\n\nimport \"fmt\"\n\nvar s = fmt.Sprint(fmt.Sprint(1))\n";
    // Fix 0 is the outer call, fix 1 the inner one, which the first round
    // defers because it overlaps the outer one.
    let inner = [1].into_iter().collect();
    let out = e.process_selected(Path::new("a.go"), src, GoVersion::ASSUMED, &inner);
    assert_eq!(
        out.rewritten.as_deref(),
        Some("package a\n\nimport \"fmt\"\n\nvar s = fmt.Sprint(fmt.Sprintln(1))\n")
    );
    let outer = [0].into_iter().collect();
    let out = e.process_selected(Path::new("a.go"), src, GoVersion::ASSUMED, &outer);
    assert_eq!(
        out.rewritten.as_deref(),
        Some("package a\n\nimport \"fmt\"\n\nvar s = fmt.Sprintln(fmt.Sprint(1))\n")
    );
    assert_eq!(out.fixes.get("wrap-sprint"), Some(&1));
}
