//! The configuration file: where it is found, what wins over what, the
//! errors for bad files and what `gomend config` prints.

mod support;

use std::path::Path;

use support::{run_in as run, write_file as write};

const GC: &str = "package p\n\nimport \"runtime\"\n\nfunc F() {\n\truntime.GC()\n\twork()\n}\n\nfunc work() {}\n";
const GOSCHED: &str = "package p\n\nimport \"runtime\"\n\nfunc G(items []int) {\n\tfor range items {\n\t\twork()\n\t\truntime.Gosched()\n\t}\n}\n";
const GC_TEST: &str =
    "package p\n\nimport (\n\t\"runtime\"\n\t\"testing\"\n)\n\nfunc TestF(t *testing.T) {\n\truntime.GC()\n\twork()\n}\n";

/// A repository: `.git`, `go.mod` and a few Go files.
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join(".git")).unwrap();
    write(root, "go.mod", "module m\n\ngo 1.22\n");
    write(root, "a.go", GC);
    write(root, "a_test.go", GC_TEST);
    write(root, "sub/b.go", GOSCHED);
    write(root, "sub/legacy/c.go", GC);
    dir
}

/// `path:line: recipe` for each finding of `check`.
fn findings(dir: &Path, args: &[&str]) -> Vec<String> {
    let mut all = vec!["check", "--format", "json"];
    all.extend(args);
    let (code, out, err) = run(dir, &all);
    assert!(code == 0 || code == 1, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{}:{}: {}",
                f["path"].as_str().unwrap(),
                f["line"],
                f["recipe"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn without_a_file_the_defaults_hold() {
    let dir = repo();
    assert_eq!(
        findings(dir.path(), &["."]),
        [
            "a.go:6: remove-gc",
            "sub/b.go:8: remove-gosched",
            "sub/legacy/c.go:6: remove-gc"
        ]
    );
}

#[test]
fn the_file_is_found_from_each_path_up_to_the_repository_root() {
    let dir = repo();
    let root = dir.path();
    write(root, ".gomend.toml", "disable = [\"remove-gc\"]\n");
    assert_eq!(findings(root, &["."]), ["sub/b.go:8: remove-gosched"]);
    // From a subdirectory, and for a file.
    assert_eq!(
        findings(&root.join("sub"), &["."]),
        ["b.go:8: remove-gosched"]
    );
    assert!(findings(root, &["sub/legacy/c.go"]).is_empty());
    // The nearest file wins.
    write(root, "sub/.gomend.toml", "disable = [\"remove-gosched\"]\n");
    assert_eq!(
        findings(root, &["sub/legacy"]),
        ["sub/legacy/c.go:6: remove-gc"]
    );
    // Two paths under different files: an error naming both.
    let (code, _, err) = run(root, &["check", "a.go", "sub"]);
    assert_eq!(code, 2);
    insta::assert_snapshot!("different_files", err);
}

#[test]
fn the_search_stops_at_the_repository_root() {
    let outer = tempfile::tempdir().unwrap();
    write(outer.path(), ".gomend.toml", "disable = [\"remove-gc\"]\n");
    let inner = outer.path().join("repo");
    std::fs::create_dir_all(inner.join(".git")).unwrap();
    write(&inner, "a.go", GC);
    assert_eq!(findings(&inner, &["."]), ["a.go:6: remove-gc"]);
    // Outside a repository the search goes on to the filesystem root.
    std::fs::remove_dir(inner.join(".git")).unwrap();
    assert!(findings(&inner, &["."]).is_empty());
}

#[test]
fn config_picks_a_file_and_no_config_ignores_it() {
    let dir = repo();
    let root = dir.path();
    write(root, ".gomend.toml", "disable = [\"remove-gc\"]\n");
    write(root, "other.toml", "disable = [\"remove-gosched\"]\n");
    assert_eq!(
        findings(root, &["--config", "other.toml", "."]),
        ["a.go:6: remove-gc", "sub/legacy/c.go:6: remove-gc"]
    );
    assert_eq!(findings(root, &["--no-config", "."]).len(), 3);
    let (code, _, err) = run(root, &["check", "--config", "missing.toml", "."]);
    assert_eq!(code, 2);
    assert_eq!(err, "gomend: error: --config missing.toml: no such file\n");
}

#[test]
fn globs_tests_and_generated_files() {
    let dir = repo();
    let root = dir.path();
    write(
        root,
        ".gomend.toml",
        "exclude = [\"legacy/**\", \"sub/legacy/**\"]\ntests = true\n",
    );
    assert_eq!(
        findings(root, &["."]),
        [
            "a.go:6: remove-gc",
            "a_test.go:9: remove-gc",
            "sub/b.go:8: remove-gosched"
        ]
    );
    // The command line wins over the file.
    assert_eq!(
        findings(root, &["--no-tests", "."]),
        ["a.go:6: remove-gc", "sub/b.go:8: remove-gosched"]
    );
    write(root, ".gomend.toml", "include = [\"sub/**\"]\n");
    assert_eq!(
        findings(root, &["."]),
        ["sub/b.go:8: remove-gosched", "sub/legacy/c.go:6: remove-gc"]
    );
    // A glob without a slash matches file names at any depth.
    write(root, ".gomend.toml", "exclude = [\"c.go\"]\n");
    assert_eq!(
        findings(root, &["."]),
        ["a.go:6: remove-gc", "sub/b.go:8: remove-gosched"]
    );
    // Generated files, on from the file, off again from the command line.
    write(
        root,
        "gen.go",
        &format!("// Code generated by hand-written test. DO NOT EDIT.\n\n{GC}"),
    );
    write(root, ".gomend.toml", "generated = true\n");
    assert!(findings(root, &["gen.go"]).contains(&"gen.go:8: remove-gc".to_string()));
    assert!(findings(root, &["--no-generated", "gen.go"]).is_empty());
}

#[test]
fn recipes_settings_and_codemods_from_the_file() {
    let dir = repo();
    let root = dir.path();
    write(
        root,
        "tools/mods/no-work.toml",
        "id = \"no-work\"\nkind = \"report\"\nsummary = \"s\"\nmessage = \"work called\"\nrationale = \"r\"\n[match]\nrule = { pattern = \"work()\" }\n",
    );
    write(
        root,
        ".gomend.toml",
        "codemods = [\"tools/mods\"]\nenable = [\"no-work\"]\ndisable = [\"remove-gosched\"]\n",
    );
    // User recipes are on by default; `enable` names them all the same.
    assert_eq!(
        findings(root, &["a.go", "sub/b.go"]),
        [
            "a.go:6: remove-gc",
            "a.go:7: no-work",
            "sub/b.go:7: no-work"
        ]
    );
    // --recipe replaces the file's selection; --skip adds to it.
    assert_eq!(
        findings(root, &["--recipe", "remove-gosched", "sub/b.go"]),
        ["sub/b.go:8: remove-gosched"]
    );
    assert_eq!(
        findings(root, &["--skip", "no-work", "a.go", "sub/b.go"]),
        ["a.go:6: remove-gc"]
    );
}

#[test]
fn gomend_config_shows_each_value_and_its_origin() {
    let dir = repo();
    let root = dir.path();
    write(root, "tools/mods/.keep", "");
    write(
        root,
        ".gomend.toml",
        "# The team's settings.\ngo-version = \"1.21\"\ntests = true\nexclude = [\"**/legacy/**\", \"*.pb.go\"]\ncodemods = [\"tools/mods\"]\nenable = [\"goroutine-no-recover\"]\ndisable = [\"remove-gc\"]\n\n[settings]\nbounded-spawn.limit = 8\n",
    );
    let (code, out, err) = run(root, &["config"]);
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!("config_from_file", out);
    let (code, out, err) = run(
        root,
        &[
            "config",
            "sub",
            "--go-version",
            "1.13",
            "--no-tests",
            "--set",
            "bounded-spawn.limit=4",
            "--skip",
            "busy-poll",
        ],
    );
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!("config_with_flags", out);
    let (code, out, _) = run(root, &["config", "--no-config", "--recipe", "remove-gc"]);
    assert_eq!(code, 0);
    insta::assert_snapshot!("config_none", out);
}

#[test]
fn the_go_version_of_the_file_and_of_the_command_line() {
    let dir = repo();
    let root = dir.path();
    let loop_src = "package p\n\nfunc Spin(done *bool) {\n\tfor !*done {\n\t}\n}\n";
    write(root, "spin.go", loop_src);
    let before = findings(root, &["--recipe", "preemption-pre-1-14", "spin.go"]);
    assert!(before.is_empty(), "{before:?}");
    write(root, ".gomend.toml", "go-version = \"1.13\"\n");
    let old = findings(root, &["--recipe", "preemption-pre-1-14", "spin.go"]);
    assert_eq!(old, ["spin.go:4: preemption-pre-1-14"]);
    let new = findings(
        root,
        &[
            "--recipe",
            "preemption-pre-1-14",
            "--go-version",
            "1.22",
            "spin.go",
        ],
    );
    assert!(new.is_empty(), "{new:?}");
}

#[test]
fn each_error_names_the_file_line_and_column() {
    let cases: &[(&str, &str)] = &[
        ("unknown_key", "tests = true\nexlude = [\"a\"]\n"),
        ("unknown_key_far", "colour = \"red\"\n"),
        ("wrong_type", "tests = \"yes\"\n"),
        ("wrong_entry_type", "exclude = [\"a\", 3]\n"),
        ("unknown_recipe", "disable = [\"remove-gcc\"]\n"),
        ("unknown_recipe_far", "enable = [\"zzz\"]\n"),
        (
            "enabled_and_disabled",
            "enable = [\"remove-gc\"]\ndisable = [\"remove-gc\"]\n",
        ),
        (
            "setting_unknown_recipe",
            "[settings]\nbounded-spwn.limit = 3\n",
        ),
        (
            "setting_unknown_name",
            "[settings]\nbounded-spawn.limt = 3\n",
        ),
        ("setting_without_name", "[settings]\nbounded-spawn = 3\n"),
        (
            "setting_not_a_number",
            "[settings]\nbounded-spawn.limit = \"many\"\n",
        ),
        ("bad_go_version", "go-version = \"1.x\"\n"),
        ("bad_glob", "include = [\"a/[b\"]\n"),
        ("missing_codemods", "codemods = [\"nowhere\"]\n"),
        ("not_toml", "include = [\n"),
    ];
    for (name, text) in cases {
        let dir = repo();
        write(dir.path(), ".gomend.toml", text);
        let (code, out, err) = run(dir.path(), &["check", "."]);
        assert_eq!(code, 2, "{name}: {err}");
        assert_eq!(out, "", "{name}");
        insta::with_settings!({ description => *text }, {
            insta::assert_snapshot!(format!("error_{name}"), err);
        });
    }
}
