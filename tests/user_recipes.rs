//! Recipes written only in TOML, as a user writes them: `gomend test` on the
//! example migrations and the scaffold of `gomend new`, the docs page against
//! the files it shows, and a user recipe through every command.

mod common;
mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use gomend::engine::gomod::{GoVersion, VersionResolver};
use support::{go, gofmt_bin, gomend, run_with_limit};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn examples() -> PathBuf {
    root().join("examples/recipes")
}

/// Every codemod directory below `examples/recipes/`.
fn example_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(examples())
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 4, "the examples are there: {dirs:?}");
    dirs
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn run(dir: &Path, args: &[&str]) -> Output {
    gomend()
        .current_dir(dir)
        .args(["--color", "never"])
        .args(args)
        .output()
        .unwrap()
}

/// Every input and golden below a case directory is gofmt-clean and builds,
/// each file as its own package at its case's Go version.
fn cases_build(case_root: &Path) -> Vec<String> {
    let versions = VersionResolver::new(None);
    let mut files: BTreeMap<GoVersion, Vec<PathBuf>> = BTreeMap::new();
    for case in gomend::harness::collect_cases(case_root).unwrap() {
        let v = versions.version_for(&case.input);
        let entry = files.entry(v).or_default();
        entry.push(case.input.clone());
        entry.extend(case.golden.clone());
    }
    let mut problems = Vec::new();
    for (version, paths) in files {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("go.mod"),
            format!("module cases\n\ngo {version}\n"),
        )
        .unwrap();
        let mut names = BTreeMap::new();
        for (i, p) in paths.iter().enumerate() {
            let pkg = dir.path().join(format!("p{i}"));
            std::fs::create_dir(&pkg).unwrap();
            std::fs::copy(p, pkg.join("case.go")).unwrap();
            names.insert(format!("p{i}"), p.display().to_string());
        }
        let fmt = std::process::Command::new(gofmt_bin())
            .arg("-l")
            .arg(dir.path())
            .output()
            .unwrap();
        for line in String::from_utf8_lossy(&fmt.stdout).lines() {
            let pkg = Path::new(line)
                .parent()
                .and_then(|p| p.file_name())
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            problems.push(format!(
                "not gofmt-clean: {}",
                names.get(&pkg).cloned().unwrap_or(line.to_string())
            ));
        }
        let mut cmd = go(dir.path());
        cmd.args(["build", "-o", "/dev/null", "./..."]);
        let (code, out, _) = run_with_limit(cmd, Duration::from_secs(600));
        if code != Some(0) {
            let mut out = out;
            for (pkg, name) in &names {
                out = out.replace(&format!("./{pkg}/case.go"), name);
            }
            problems.push(format!("go build (go {version}) failed:\n{out}"));
        }
    }
    problems
}

#[test]
fn example_migrations_pass_gomend_test() {
    for dir in example_dirs() {
        let out = run(&root(), &["test", dir.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        assert!(text(&out).contains("all passed"), "{}", text(&out));
    }
}

#[test]
fn example_cases_are_gofmt_clean_and_build() {
    let mut problems = Vec::new();
    for dir in example_dirs() {
        problems.extend(cases_build(&dir.join("testdata")));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_example_has_a_rewrite_a_case_left_alone_and_a_version_gate_or_reports() {
    for dir in example_dirs() {
        for recipe in gomend::recipes::load_dir(&dir).unwrap() {
            let cases =
                gomend::harness::collect_cases(&gomend::harness::case_dir(&dir, &recipe.id))
                    .unwrap();
            let fix = recipe.spec.kind == gomend::engine::spec::RecipeKind::Fix;
            assert!(
                !fix || cases.iter().any(|c| c.golden.is_some()),
                "{}: a fix recipe shows a rewrite",
                recipe.id
            );
            assert!(
                cases.iter().any(|c| c.golden.is_none()),
                "{}: a case the recipe leaves alone",
                recipe.id
            );
            let gated =
                recipe.spec.matching.go_since.is_some() || recipe.spec.matching.go_before.is_some();
            if gated {
                assert!(
                    cases.iter().any(|c| c.name.contains('/')),
                    "{}: a case in a sub-module at another Go version",
                    recipe.id
                );
            }
        }
    }
}

/// The fenced blocks of the docs page that show a file: (file, content).
fn doc_blocks(doc: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut lines = doc.lines();
    while let Some(line) = lines.next() {
        let Some(info) = line.strip_prefix("```") else {
            continue;
        };
        let mut body = String::new();
        for l in lines.by_ref() {
            if l == "```" {
                break;
            }
            body.push_str(l);
            body.push('\n');
        }
        let lang = info.split_whitespace().next().unwrap_or("");
        let file = info
            .split_whitespace()
            .find_map(|w| w.strip_prefix("file="));
        match file {
            Some(f) => out.push((f.to_string(), body)),
            None => assert!(
                !matches!(lang, "toml" | "go"),
                "docs/recipes.md: a ```{lang} block must show a file (```{lang} file=PATH), so a test runs it:\n{body}"
            ),
        }
    }
    out
}

#[test]
fn the_docs_page_shows_tested_files_as_they_are() {
    let doc = std::fs::read_to_string(root().join("docs/recipes.md")).unwrap();
    let blocks = doc_blocks(&doc);
    assert!(blocks.len() >= 10, "{}", blocks.len());
    for (file, body) in &blocks {
        assert!(
            file.starts_with("examples/recipes/"),
            "{file}: examples come from examples/recipes/, where gomend test runs them"
        );
        let actual = std::fs::read_to_string(root().join(file))
            .unwrap_or_else(|e| panic!("docs/recipes.md shows {file}: {e}"));
        assert_eq!(
            body, &actual,
            "docs/recipes.md shows {file} other than it is"
        );
    }
}

#[test]
fn the_docs_page_names_every_field_of_the_format() {
    let doc = std::fs::read_to_string(root().join("docs/recipes.md")).unwrap();
    for field in [
        "id",
        "kind",
        "summary",
        "message",
        "rationale",
        "rewrite",
        "report-only",
        "opt-in",
        "settings",
        "example",
        "match",
        "fix",
        "before",
        "after",
        "go-version",
        "rule",
        "constraints",
        "utils",
        "transform",
        "imports",
        "go-since",
        "go-before",
        "triggers",
        "code-triggers",
        "triggers-in",
        "first",
        "template",
        "implementation",
    ] {
        assert!(
            doc.contains(&format!("| `{field}` |")),
            "docs/recipes.md: no table row for `{field}`"
        );
    }
}

#[test]
fn new_scaffolds_recipes_that_pass_their_tests_and_build() {
    for kind in ["fix", "report"] {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("recipes");
        let out = run(
            tmp.path(),
            &["new", "my-rule", "--dir", "recipes", "--kind", kind],
        );
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        assert!(dir.join("my-rule.toml").is_file());
        assert_eq!(
            dir.join("testdata/my-rule/replace.go.golden").exists(),
            kind == "fix"
        );
        let out = run(tmp.path(), &["test", "recipes"]);
        assert_eq!(out.status.code(), Some(0), "{kind}: {}", text(&out));
        assert!(
            text(&out).contains("ok    my-rule (2 cases)"),
            "{}",
            text(&out)
        );
        let problems = cases_build(&dir.join("testdata/my-rule"));
        assert!(problems.is_empty(), "{}", problems.join("\n"));
        // A second `new` with the same id writes nothing.
        let out = run(tmp.path(), &["new", "my-rule", "--dir", "recipes"]);
        assert_eq!(out.status.code(), Some(2));
        assert!(text(&out).contains("already exists"), "{}", text(&out));
    }
    let tmp = tempfile::tempdir().unwrap();
    let out = run(tmp.path(), &["new", "remove-gc"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("built-in"), "{}", text(&out));
    let out = run(tmp.path(), &["new", "Bad_Id"]);
    assert_eq!(out.status.code(), Some(2));
}

/// A recipe file for `kind = "go_statement"` with the given trigger lines.
fn go_statement_recipe(triggers: &str) -> String {
    let head = r#"id = "go-near-net"
kind = "report"
summary = "Report goroutines started in files that import net"
message = "a goroutine in a networking file"
rationale = "Networking code starts goroutines that outlive requests."

[example]
before = '''
package p

import "net"

func serve(c net.Conn) {
	go serve(c)
}
'''

[match]
rule = { kind = "go_statement" }
"#;
    format!("{head}{triggers}\n")
}

#[test]
fn gomend_test_fails_a_recipe_whose_triggers_are_not_in_the_declaration() {
    let tmp = tempfile::tempdir().unwrap();
    let cases = tmp.path().join("r/testdata/go-near-net");
    std::fs::create_dir_all(&cases).unwrap();
    // The trigger is the import, not in the declaration of the finding.
    std::fs::write(
        cases.join("serve.go"),
        "package p\n\nimport \"net\"\n\nvar conns []net.Conn\n\nfunc serve() {}\n\nfunc start() {\n\tgo serve() // want \"go-near-net\"\n}\n",
    )
    .unwrap();
    let recipe = tmp.path().join("r/go-near-net.toml");
    std::fs::write(&recipe, go_statement_recipe("triggers = [\"\\\"net\\\"\"]")).unwrap();
    let out = run(tmp.path(), &["test", "r"]);
    assert!(out.status.success(), "{}", text(&out));
    std::fs::write(
        &recipe,
        go_statement_recipe("triggers = [\"\\\"net\\\"\"]\ntriggers-in = \"declaration\""),
    )
    .unwrap();
    let out = run(tmp.path(), &["test", "r"]);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(
        t.contains(
            "screening the file by its declarations gives other findings than parsing it whole"
        ),
        "{t}"
    );
    // `check` shows what the screen does with such a recipe, and
    // `--parse-whole-files` what a whole parse finds.
    let check = |extra: &[&str]| {
        let mut args = vec![
            "check",
            "--no-config",
            "--codemods",
            "r",
            "--recipe",
            "go-near-net",
        ];
        args.extend(extra);
        args.push("r/testdata/go-near-net/serve.go");
        text(&run(tmp.path(), &args))
    };
    assert!(!check(&[]).contains("go-near-net:"), "{}", check(&[]));
    assert!(check(&["--parse-whole-files"]).contains("go-near-net:"));
}

#[test]
fn failing_cases_are_shown_with_a_diff_and_exit_1() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run(tmp.path(), &["new", "my-rule", "--dir", "r"]);
    assert!(out.status.success(), "{}", text(&out));
    let cases = tmp.path().join("r/testdata/my-rule");
    // A golden that is not what the recipe writes.
    let golden = cases.join("replace.go.golden");
    let wrong = std::fs::read_to_string(&golden)
        .unwrap()
        .replace("ReplaceAll", "ReplaceEvery");
    std::fs::write(&golden, wrong).unwrap();
    // A finding on a line without `want`.
    let neg = cases.join("replace.go");
    let src = std::fs::read_to_string(&neg).unwrap();
    std::fs::write(
        cases.join("unmarked.go"),
        src.replace(" // want \"my-rule\"", ""),
    )
    .unwrap();
    let out = run(tmp.path(), &["test", "r"]);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(t.contains("FAIL  my-rule"), "{t}");
    assert!(
        t.contains("-\treturn strings.ReplaceEvery(s, \"\\t\", \"  \", ) // want")
            || t.contains("-\treturn strings.ReplaceEvery(s, \"\\t\", \"  \") // want"),
        "{t}"
    );
    assert!(
        t.contains("+\treturn strings.ReplaceAll(s, \"\\t\", \"  \") // want"),
        "{t}"
    );
    assert!(t.contains("unmarked:6: unexpected finding"), "{t}");
    assert!(t.contains("unmarked: expected no change"), "{t}");
    assert!(t.contains("1 recipe(s) failed (2 cases)"), "{t}");

    // An `[example]` whose `after` is not the rewrite fails too.
    std::fs::remove_file(cases.join("unmarked.go")).unwrap();
    std::fs::write(
        &golden,
        src.replace(
            "strings.Replace(s, \"\\t\", \"  \", -1)",
            "strings.ReplaceAll(s, \"\\t\", \"  \")",
        ),
    )
    .unwrap();
    let toml = tmp.path().join("r/my-rule.toml");
    let recipe = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(
        &toml,
        recipe.replace(
            "after = 's = strings.ReplaceAll(",
            "after = 's = strings.ReplaceEvery(",
        ),
    )
    .unwrap();
    let out = run(tmp.path(), &["test", "r"]);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(
        t.contains("[example]: the rewrite of `before` is not `after`"),
        "{t}"
    );
    assert!(
        t.contains("1 recipe(s) failed\n") || t.ends_with("1 recipe(s) failed"),
        "{t}"
    );
    std::fs::write(&toml, recipe).unwrap();

    // A recipe without cases fails too, saying where they go.
    std::fs::remove_dir_all(&cases).unwrap();
    let out = run(tmp.path(), &["test", "r"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("no cases"), "{}", text(&out));

    // No codemod files at all is an error.
    let out = run(tmp.path(), &["test", "r/testdata"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
}

#[test]
fn gomend_test_takes_settings() {
    let guide = examples().join("guide");
    let out = run(
        &root(),
        &[
            "test",
            guide.to_str().unwrap(),
            "--recipe",
            "dir-mode",
            "--set",
            "dir-mode.mode=0o700",
        ],
    );
    // The golden says 0o750: with another mode the case fails, showing it.
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("+\tif err := os.MkdirAll(dir, 0o700)"),
        "{}",
        text(&out)
    );
    let out = run(
        &root(),
        &["test", guide.to_str().unwrap(), "--set", "dir-mode.size=1"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("has no setting `size`"),
        "{}",
        text(&out)
    );
}

/// A module with a user recipe directory beside it.
fn user_tree(dir: &Path) -> PathBuf {
    std::fs::create_dir_all(dir.join("app")).unwrap();
    std::fs::write(dir.join("go.mod"), "module example.com/app\n\ngo 1.22\n").unwrap();
    std::fs::write(
        dir.join("app/dirs.go"),
        "package app\n\nimport \"os\"\n\nfunc Prepare(dir string) error {\n\treturn os.MkdirAll(dir, 0777)\n}\n",
    )
    .unwrap();
    let recipes = dir.join("recipes");
    std::fs::create_dir_all(&recipes).unwrap();
    std::fs::copy(
        examples().join("guide/dir-mode.toml"),
        recipes.join("dir-mode.toml"),
    )
    .unwrap();
    recipes
}

const REWRITTEN: &str =
    "package app\n\nimport \"os\"\n\nfunc Prepare(dir string) error {\n\treturn os.MkdirAll(dir, 0o750)\n}\n";

#[test]
fn a_toml_only_recipe_is_listed_explained_checked_diffed_and_applied() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    user_tree(root);
    let cm = ["--codemods", "recipes"];

    let out = run(root, &["list", "--codemods", "recipes"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).lines().any(|l| l.starts_with("dir-mode")
            && l.contains("fix")
            && l.contains("team's permission bits")),
        "{}",
        text(&out)
    );
    let out = run(root, &["explain", "dir-mode", "--codemods", "recipes"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("mode (default \"0o750\")"),
        "{}",
        text(&out)
    );

    let out = run(
        root,
        &[&["check", "--recipe", "dir-mode"][..], &cm, &["app"]].concat(),
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("the policy is 0o750"),
        "the message has its setting in place: {}",
        text(&out)
    );

    let out = run(
        root,
        &[
            &[
                "diff",
                "--recipe",
                "dir-mode",
                "--set",
                "dir-mode.mode=0o700",
            ][..],
            &cm,
            &["app"],
        ]
        .concat(),
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("+\treturn os.MkdirAll(dir, 0o700)"),
        "{}",
        text(&out)
    );

    for (set, err) in [
        ("dir-mode.nope=1", "has no setting `nope`"),
        (
            "no-such-recipe.mode=1",
            "there is no recipe `no-such-recipe`",
        ),
    ] {
        let out = run(
            root,
            &[&["check", "--set", set][..], &cm, &["app"]].concat(),
        );
        assert_eq!(out.status.code(), Some(2), "{}", text(&out));
        assert!(text(&out).contains(err), "{}", text(&out));
    }
    // A value that makes the rewrite unparsable leaves the file alone.
    let out = run(
        root,
        &[&["apply", "--set", "dir-mode.mode=0o7("][..], &cm, &["app"]].concat(),
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("would not parse"), "{}", text(&out));
    assert!(std::fs::read_to_string(root.join("app/dirs.go"))
        .unwrap()
        .contains("0777"));

    let out = run(
        root,
        &[&["apply", "--recipe", "dir-mode"][..], &cm, &["app"]].concat(),
    );
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        std::fs::read_to_string(root.join("app/dirs.go")).unwrap(),
        REWRITTEN
    );
    let out = run(
        root,
        &[&["check", "--recipe", "dir-mode"][..], &cm, &["app"]].concat(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}

#[test]
fn a_toml_only_recipe_makes_branches_and_pull_requests() {
    let tmp = tempfile::tempdir().unwrap();
    let work = tmp.path().join("work");
    let recipes = user_tree(&work);
    let files: Vec<(String, String)> = ["go.mod", "app/dirs.go"]
        .iter()
        .map(|p| {
            (
                p.to_string(),
                std::fs::read_to_string(work.join(p)).unwrap(),
            )
        })
        .collect();
    let pairs: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, c)| (p.as_str(), c.as_str()))
        .collect();
    let repo = common::init_repo(&work, &pairs);
    let codemods = recipes.to_str().unwrap();

    let out = run(
        &work,
        &[
            "branch",
            "--codemods",
            codemods,
            "--recipe",
            "dir-mode",
            "--author",
            "Gomend Bot <bot@example.com>",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        common::file_at(&repo, "gomend/all", "app/dirs.go"),
        REWRITTEN,
        "{}",
        text(&out)
    );

    let remote = common::bare_origin(&repo, &tmp.path().join("remote.git"));
    let server = common::server::Server::start("acme", "ghs_user_recipe_token");
    let out = gomend()
        .current_dir(&work)
        .args(["pr", "--repo", "acme/widgets", "--codemods", codemods])
        .args(["--recipe", "dir-mode", "--name", "policy"])
        .args(["--author", "Gomend Bot <bot@example.com>"])
        .env("GITHUB_TOKEN", "ghs_user_recipe_token")
        .env("GITHUB_API_URL", &server.url)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let tip = remote
        .refname_to_id("refs/heads/policy/all")
        .unwrap_or_else(|_| panic!("branch pushed: {}", text(&out)));
    let tree = remote.find_commit(tip).unwrap().tree().unwrap();
    let blob = tree.get_path(Path::new("app/dirs.go")).unwrap();
    let pushed =
        String::from_utf8(remote.find_blob(blob.id()).unwrap().content().to_vec()).unwrap();
    assert_eq!(pushed, REWRITTEN);
    assert!(
        server
            .requests()
            .iter()
            .any(|r| r.line() == "POST /repos/acme/widgets/pulls"),
        "a pull request is opened"
    );
}

#[test]
fn a_setting_that_breaks_the_rule_is_an_error_naming_the_recipe() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("call-of.toml"),
        r#"
id = "call-of"
kind = "report"
summary = "s"
message = "a call of ${name}"
rationale = "r"
[settings]
name = "Println"
[match]
imports = { fmt = "fmt" }
rule = { kind = "call_expression", regex = '^fmt\.${name}\(' }
"#,
    )
    .unwrap();
    let recipe = gomend::recipes::load_dir(dir.path()).unwrap().remove(0);
    let mut settings = gomend::engine::Settings::default();
    settings.set("call-of.name", "Sprint(");
    let err = recipe.with_settings(&settings).err().expect("an error");
    assert!(err.to_string().contains("recipe `call-of`"), "{err}");
    assert!(
        err.to_string().contains("with its settings in place"),
        "{err}"
    );

    let recipe = gomend::recipes::load_dir(dir.path()).unwrap().remove(0);
    settings.set("call-of.name", "Sprint");
    let engine = gomend::engine::Engine::new(
        vec![recipe.with_settings(&settings).unwrap()],
        settings.clone(),
    );
    let src = "package a\n\nimport \"fmt\"\n\nvar a, b = fmt.Sprint(1), fmt.Println(2)\n";
    let out = engine.process(
        Path::new("a.go"),
        src,
        GoVersion::ASSUMED,
        gomend::engine::Mode::Check,
    );
    let found: Vec<_> = out
        .findings
        .iter()
        .map(|f| f.finding.message.clone())
        .collect();
    assert_eq!(found, ["a call of Sprint"]);
}

#[test]
fn the_docs_page_lists_every_guard_helper() {
    let doc = std::fs::read_to_string(root().join("docs/recipes.md")).unwrap();
    for h in gomend::recipes::guards::HELPERS {
        let cell = match h.argument {
            Some(_) => format!("| `{}:<", h.name),
            None => format!("| `{}` |", h.name),
        };
        assert!(
            doc.contains(&cell),
            "docs/recipes.md: no row for the guard helper `{}`",
            h.name
        );
    }
}

#[test]
fn guards_are_checked_when_the_recipe_loads() {
    let base = r#"
id = "guarded"
kind = "report"
summary = "s"
message = "m"
rationale = "r"
[match]
rule = { pattern = "panic($X)" }
"#;
    for (guard, err) in [
        (
            "when = \"nope\"\nskip = true",
            "there is no guard helper `nope`",
        ),
        (
            "when = \"imports\"\nskip = true",
            "needs an argument: `imports:<import path>`",
        ),
        ("when = \"in-loop:x\"\nskip = true", "takes no argument"),
        ("when = \"go-below:soon\"\nskip = true", "`soon`"),
        (
            "when = \"in-loop\"",
            "either `report = \"why\"` or `skip = true`",
        ),
        ("when = \"in-loop\"\nskip = true\nreport = \"x\"", "either"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("guarded.toml"),
            format!("{base}[[match.guards]]\n{guard}\n"),
        )
        .unwrap();
        let e = gomend::recipes::load_dir(dir.path())
            .err()
            .expect("an error");
        assert!(e.contains(err), "{guard}: {e}");
    }
    // Guards in action: skipped in a loop, reported below Go 1.21.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("guarded.toml"),
        format!("{base}[[match.guards]]\nwhen = \"in-loop\"\nskip = true\n[[match.guards]]\nwhen = \"go-below:1.21\"\nreport = \"old\"\n"),
    )
    .unwrap();
    let engine = gomend::engine::Engine::new(
        gomend::recipes::load_dir(dir.path()).unwrap(),
        gomend::engine::Settings::default(),
    );
    let src = "package a\n\nfunc f() {\n\tpanic(1)\n\tfor {\n\t\tpanic(2)\n\t}\n}\n";
    let messages = |v: GoVersion| -> Vec<(usize, String)> {
        engine
            .process(Path::new("a.go"), src, v, gomend::engine::Mode::Check)
            .findings
            .iter()
            .map(|f| (f.line, f.finding.message.clone()))
            .collect()
    };
    assert_eq!(messages(GoVersion::new(1, 22)), [(4, "m".to_string())]);
    assert_eq!(messages(GoVersion::new(1, 20)), [(4, "m: old".to_string())]);
}

#[test]
fn gomend_test_runs_the_builtin_fixtures() {
    let out = run(
        &root(),
        &[
            "test",
            "--builtin",
            "fixtures",
            "--recipe",
            "remove-gc",
            "--recipe",
            "set-max-threads-low",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("ok    remove-gc ("), "{}", text(&out));
    assert!(text(&out).contains("2 recipes"), "{}", text(&out));
}

#[test]
fn guards_checked_first_decide_before_the_template_and_name_the_function() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("no-exit.toml"),
        r#"
id = "no-exit"
kind = "fix"
summary = "s"
message = "os.Exit skips deferred calls"
rationale = "r"
[match]
imports = { os = "os" }
rule = { pattern = "os.Exit($C)" }
[[match.guards]]
when = "main-or-init"
first = true
report = "`{function}` may end the program on purpose"
[[match.guards]]
when = "in-loop"
report = "it is in a loop"
[fix]
template = "panic($C)"
"#,
    )
    .unwrap();
    let recipe = gomend::recipes::load_dir(dir.path()).unwrap().remove(0);
    let engine = gomend::engine::Engine::new(vec![recipe], Default::default());
    let src = "package main\n\nimport \"os\"\n\nfunc init() {\n\tos.Exit(1)\n}\n\nfunc main() {\n\tfor {\n\t\tos.Exit(2)\n\t}\n}\n\nfunc stop() {\n\tos.Exit(3)\n}\n";
    let out = engine.process(
        Path::new("main.go"),
        src,
        GoVersion::ASSUMED,
        gomend::engine::Mode::Check,
    );
    let found: Vec<_> = out
        .findings
        .iter()
        .map(|f| (f.line, f.finding.message.clone(), f.finding.fix.is_some()))
        .collect();
    assert_eq!(
        found,
        [
            (
                6,
                "os.Exit skips deferred calls (not rewritten: `init` may end the program on purpose)".to_string(),
                false
            ),
            // The first guard decides before the later one is asked.
            (
                11,
                "os.Exit skips deferred calls (not rewritten: `main` may end the program on purpose)".to_string(),
                false
            ),
            (16, "os.Exit skips deferred calls".to_string(), true),
        ]
    );
}
