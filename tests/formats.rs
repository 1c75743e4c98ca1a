//! Output formats for CI (SARIF, GitHub workflow commands, Checkstyle),
//! several reports from one run, suppression comments, standard input, a
//! closed standard output, completions and the manual page.

mod support;

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};

use support::{gomend, run_in};

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn run(args: &[&str]) -> (i32, String, String) {
    run_in(repo(), args)
}

/// Runs with `input` on standard input.
fn run_stdin(dir: &Path, args: &[&str], input: &str) -> (i32, String, String) {
    let mut child = gomend()
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("gomend runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// The SARIF output with the tool's version replaced, so that a release
/// does not change the snapshot.
fn stable_sarif(out: &str) -> String {
    out.replace(
        &format!("\"version\": \"{}\"", env!("CARGO_PKG_VERSION")),
        "\"version\": \"VERSION\"",
    )
}

fn sarif_validator() -> jsonschema::Validator {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("tests/data/sarif-schema-2.1.0.json")).unwrap(),
    )
    .unwrap();
    jsonschema::validator_for(&schema).expect("the SARIF schema compiles")
}

fn assert_valid_sarif(out: &str) -> serde_json::Value {
    let log: serde_json::Value = serde_json::from_str(out).expect("SARIF is JSON");
    let validator = sarif_validator();
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "SARIF schema errors: {errors:#?}");
    log
}

/// A module in a temporary directory with these files.
fn module(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("go.mod"),
        "module example.com/m\n\ngo 1.22\n",
    )
    .unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

#[test]
fn sarif_is_valid_against_the_official_schema() {
    let (code, out, _) = run(&["check", "--format", "sarif", "examples"]);
    assert_eq!(code, 1);
    let log = assert_valid_sarif(&out);
    let sarif_run = &log["runs"][0];
    let rules = sarif_run["tool"]["driver"]["rules"].as_array().unwrap();
    let results = sarif_run["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for r in results {
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], r["ruleId"]);
    }
    // Rules carry the codemod file's prose and the explain text.
    let gc = rules.iter().find(|r| r["id"] == "remove-gc").unwrap();
    assert_eq!(
        gc["shortDescription"]["text"],
        "Remove runtime.GC() calls from request paths"
    );
    assert!(gc["help"]["text"]
        .as_str()
        .unwrap()
        .contains("Why it matters:"));
    // Every automatic fix is there, as replacements.
    let fixes = results.iter().filter(|r| r.get("fixes").is_some()).count();
    let (_, json, _) = run(&["check", "--format", "json", "examples"]);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    let with_fix = json
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["fix"] == true)
        .count();
    assert_eq!(fixes, with_fix);
    assert!(fixes > 0);
    insta::assert_snapshot!("sarif", stable_sarif(&out));
}

#[test]
fn sarif_without_findings_is_valid() {
    let dir = module(&[("a.go", "package a\n\nfunc A() {}\n")]);
    let (code, out, _) = run_in(dir.path(), &["check", "--format", "sarif"]);
    assert_eq!(code, 0);
    let log = assert_valid_sarif(&out);
    assert_eq!(log["runs"][0]["results"], serde_json::json!([]));
}

/// A file with findings on lines holding non-ASCII text, a suppressed
/// finding, an unused suppression and an unknown id.
const MIXED: &str = "package m

import \"runtime\"

// Flush collects.
func Flush(name string) {
\tlabel := \"héllo, wörld\"; runtime.GC()
\t_ = label
\t//gomend:ignore remove-gc
\truntime.GC()
\tprintln(name) //gomend:ignore remove-gcc
}
";

#[test]
fn sarif_columns_are_utf16_and_notes_validate() {
    let dir = module(&[("m.go", MIXED)]);
    let (code, out, _) = run_in(
        dir.path(),
        &["check", "--format", "sarif", "--report-unused-ignores"],
    );
    assert_eq!(code, 1);
    let log = assert_valid_sarif(&out);
    let results = log["runs"][0]["results"].as_array().unwrap();
    let gc = &results[0];
    assert_eq!(gc["ruleId"], "remove-gc");
    let region = &gc["locations"][0]["physicalLocation"]["region"];
    // `runtime.GC()` is at byte column 29, character column 27.
    assert_eq!(region["startColumn"], 27);
    let note = results
        .iter()
        .find(|r| r["ruleId"] == "unused-ignore")
        .unwrap();
    assert_eq!(note["level"], "note");
    insta::assert_snapshot!("sarif_mixed", stable_sarif(&out));
}

#[test]
fn github_workflow_commands() {
    let (code, out, _) = run(&["check", "--format", "github", "examples"]);
    assert_eq!(code, 1);
    for line in out.lines() {
        assert!(line.starts_with("::warning file=examples/"), "{line}");
        let (props, message) = line["::warning ".len()..].split_once("::").unwrap();
        assert!(!message.is_empty());
        // Properties are separated by commas, so none may hold a raw one.
        assert_eq!(props.split(',').count(), 6, "{props}");
    }
    insta::assert_snapshot!("github", out);
}

#[test]
fn github_escapes_properties_and_messages() {
    let dir = module(&[("a,b:c%/m.go", MIXED)]);
    let (_, out, _) = run_in(
        dir.path(),
        &["check", "--format", "github", "--report-unused-ignores"],
    );
    insta::assert_snapshot!("github_escaped", out);
    assert!(out.contains("file=a%2Cb%3Ac%25/m.go,"));
    assert!(out.contains("::notice file="));
}

#[test]
fn checkstyle_xml() {
    let (code, out, _) = run(&["check", "--format", "checkstyle", "examples"]);
    assert_eq!(code, 1);
    assert!(out.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<checkstyle"));
    assert!(out.ends_with("</checkstyle>\n"));
    insta::assert_snapshot!("checkstyle", out);
    let dir = module(&[("a&b/<m>.go", MIXED)]);
    let (_, out, _) = run_in(dir.path(), &["check", "--format", "checkstyle"]);
    assert!(
        out.contains("<file name=\"a&amp;b/&lt;m&gt;.go\">"),
        "{out}"
    );
    let dir = module(&[("a.go", "package a\n")]);
    let (code, out, _) = run_in(dir.path(), &["check", "--format", "checkstyle"]);
    assert_eq!(code, 0);
    assert_eq!(
        out,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<checkstyle version=\"4.3\">\n</checkstyle>\n"
    );
}

#[test]
fn gitlab_code_quality() {
    let (code, out, _) = run(&["check", "--format", "gitlab", "examples"]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let issues = v.as_array().unwrap();
    let mut fingerprints = std::collections::BTreeSet::new();
    for i in issues {
        for key in ["description", "check_name", "fingerprint", "severity"] {
            assert!(i[key].is_string(), "{key} in {i}");
        }
        assert!(i["location"]["path"]
            .as_str()
            .unwrap()
            .starts_with("examples/"));
        assert!(i["location"]["lines"]["begin"].as_u64().unwrap() >= 1);
        assert!(fingerprints.insert(i["fingerprint"].as_str().unwrap().to_string()));
    }
    // Moving a finding to another line keeps its fingerprint.
    let before = "package m\n\nimport \"runtime\"\n\nfunc H() {\n\truntime.GC()\n}\n";
    let after = before.replace("func H() {", "// H handles.\nfunc H() {");
    let prints: Vec<serde_json::Value> = [before, after.as_str()]
        .iter()
        .map(|text| {
            let dir = module(&[("m.go", text)]);
            let (_, out, _) = run_in(dir.path(), &["check", "--format", "gitlab"]);
            let v: serde_json::Value = serde_json::from_str(&out).unwrap();
            v[0]["fingerprint"].clone()
        })
        .collect();
    assert_eq!(prints[0], prints[1]);
    insta::assert_snapshot!("gitlab", out);
}

#[test]
fn json_findings_carry_severity_docs_and_edits() {
    let (_, out, _) = run(&["check", "--format", "json", "examples"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let source = std::fs::read_to_string(repo().join("examples/batch/prices.go")).unwrap();
    let mut checked = 0;
    for f in v.as_array().unwrap() {
        assert_eq!(f["severity"], "warning");
        assert_eq!(
            f["docs"],
            format!("gomend explain {}", f["recipe"].as_str().unwrap())
        );
        assert_eq!(f["fix"] == true, f.get("edits").is_some(), "{f}");
        if f["path"] == "examples/batch/prices.go" && f["fix"] == true {
            // The edit's bytes are the statement the fix removes.
            let e = &f["edits"][0];
            let (start, end) = (e["start"].as_u64().unwrap(), e["end"].as_u64().unwrap());
            assert!(source[start as usize..end as usize].contains("runtime.Gosched()"));
            assert_eq!(e["text"], "");
            checked += 1;
        }
    }
    assert_eq!(checked, 1);
}

#[test]
fn one_run_writes_several_formats() {
    let dir = tempfile::tempdir().unwrap();
    let sarif = dir.path().join("out.sarif");
    let xml = dir.path().join("out.xml");
    let text = dir.path().join("out.txt");
    let gitlab = dir.path().join("gl-code-quality-report.json");
    let (code, out, _) = run(&[
        "check",
        "--format",
        "json",
        "--output",
        &format!("sarif={}", sarif.display()),
        "--output",
        &format!("checkstyle={}", xml.display()),
        "--output",
        &format!("text={}", text.display()),
        "--output",
        &format!("gitlab={}", gitlab.display()),
        "--color",
        "always",
        "examples",
    ]);
    assert_eq!(code, 1);
    let single = |format: &str| run(&["check", "--format", format, "examples"]).1;
    assert_eq!(out, single("json"));
    assert_eq!(std::fs::read_to_string(&sarif).unwrap(), single("sarif"));
    assert_eq!(std::fs::read_to_string(&xml).unwrap(), single("checkstyle"));
    assert_eq!(std::fs::read_to_string(&gitlab).unwrap(), single("gitlab"));
    // A file never gets colour codes.
    assert_eq!(std::fs::read_to_string(&text).unwrap(), single("text"));
}

#[test]
fn bad_output_arguments_are_errors() {
    let (code, _, err) = run(&["check", "--output", "gomend.sarif", "examples"]);
    assert_eq!(code, 2);
    assert!(err.contains("expected FORMAT=PATH"), "{err}");
    let (code, _, err) = run(&["check", "--output", "xml=a.xml", "examples"]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown format `xml`"), "{err}");
    let (code, _, err) = run(&[
        "check",
        "--output",
        "sarif=/nonexistent-dir/x/y.sarif",
        "examples",
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("/nonexistent-dir/x/y.sarif: cannot create"),
        "{err}"
    );
}

const SUPPRESSIONS: &str = "package m

import \"runtime\"

func Handler() {
\tprintln(\"//gomend:ignore remove-gc\"); runtime.GC()
\truntime.GC() //gomend:ignore remove-gc
\truntime.GC()
\t//gomend:ignore remove-gc because the benchmark needs a clean heap
\truntime.GC()
\truntime.GC()
}
";

fn findings(dir: &Path, args: &[&str]) -> Vec<(String, u64, String)> {
    let mut all = vec!["check", "--format", "json"];
    all.extend_from_slice(args);
    let (_, out, err) = run_in(dir, &all);
    let v: serde_json::Value =
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out} {err}"));
    v.as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["recipe"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn suppressions_are_comments_on_their_line_or_alone_above_it() {
    let dir = module(&[("m.go", SUPPRESSIONS)]);
    let lines: Vec<u64> = findings(dir.path(), &[])
        .into_iter()
        .map(|(_, l, _)| l)
        .collect();
    // Line 6: the ignore is inside a string. Line 7: silenced by its own
    // trailing comment, which leaves line 8 alone. Line 10: silenced by the
    // comment line above it, which is all it covers (line 11 stays).
    assert_eq!(lines, vec![6, 8, 11]);
}

#[test]
fn file_ignore_silences_the_file_before_the_package_clause_only() {
    let ignored = format!("// Legacy code.\n//gomend:file-ignore remove-gc,remove-gosched migrating\n\n{SUPPRESSIONS}");
    let dir = module(&[("m.go", &ignored)]);
    assert!(findings(dir.path(), &[]).is_empty());
    let other = SUPPRESSIONS.replace("import", "//gomend:file-ignore remove-gc\n\nimport");
    let dir = module(&[("m.go", &other)]);
    assert_eq!(findings(dir.path(), &[]).len(), 3);
    let unused = findings(dir.path(), &["--report-unused-ignores"]);
    assert!(unused
        .iter()
        .any(|(id, line, message)| id == "unused-ignore"
            && *line == 3
            && message.contains("before the package clause")));
}

#[test]
fn unused_and_unknown_ignores_are_reported_on_request() {
    let text = "//gomend:file-ignore remove-gosched\n\npackage m

import \"runtime\"

func Handler() {
\truntime.GC() //gomend:ignore remove-gc
\tprintln() //gomend:ignore remove-gc
\truntime.GC() //gomend:ignore remove-gcc,remove-gc
\t//gomend:ignore
\tprintln()
\truntime.GC() //gomend:ignore goroutine-leak-test
}
";
    let dir = module(&[
        ("m.go", text),
        (
            "quiet.go",
            "package m\n\n//gomend:ignore remove-gc\nfunc Q() {}\n",
        ),
    ]);
    // Without the flag, nothing about suppressions is said.
    let plain = findings(dir.path(), &[]);
    assert_eq!(plain.len(), 1, "{plain:?}");
    let all = findings(dir.path(), &["--report-unused-ignores"]);
    let rendered: Vec<String> = all
        .iter()
        .map(|(id, line, message)| format!("{id}:{line}: {message}"))
        .collect();
    insta::assert_snapshot!("unused_ignores", rendered.join("\n"));
    // A file no recipe can match is still read for its suppressions.
    assert!(rendered
        .iter()
        .any(|r| r.starts_with("unused-ignore:3:")
            && r.contains("silences no finding of `remove-gc`")));
    // Ids of recipes this run does not select are not judged.
    let only = findings(
        dir.path(),
        &["--report-unused-ignores", "--recipe", "remove-gc"],
    );
    assert!(
        !only.iter().any(|(_, _, m)| m.contains("remove-gosched")),
        "{only:?}"
    );
    // `explain` knows the rule.
    let (code, out, _) = run(&["explain", "unused-ignore"]);
    assert_eq!(code, 0);
    assert!(out.contains("--report-unused-ignores"));
}

#[test]
fn a_closed_stdout_ends_the_run_quietly() {
    // Far more output than a pipe holds: 2000 findings in 1000 files.
    let bodies: Vec<(String, String)> = (0..1000)
        .map(|i| {
            (
                format!("f{i}.go"),
                format!("package m\n\nimport \"runtime\"\n\nfunc H{i}() {{\n\tprintln()\n\truntime.GC()\n\tprintln()\n\truntime.GC()\n}}\n"),
            )
        })
        .collect();
    let files: Vec<(&str, &str)> = bodies
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_str()))
        .collect();
    let dir = module(&files);
    for format in ["text", "json", "github", "checkstyle", "gitlab"] {
        let mut child = gomend()
            .args(["check", "--format", format])
            .current_dir(dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        assert!(!first.is_empty());
        // The reader is gone; the rest of the output (far more than a
        // pipe holds) meets a closed pipe.
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(0), "{format}: {err}");
        assert_eq!(err, "", "{format}");
    }
    // Reports bound for files are still written whole.
    let report = dir.path().join("r.sarif");
    let mut child = gomend()
        .args(["check", "--output", &format!("sarif={}", report.display())])
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let log: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(log["runs"][0]["results"].as_array().unwrap().len(), 2000);
}

#[test]
fn a_closed_stdout_is_quiet_for_other_commands_too() {
    let child = Command::new(env!("CARGO_BIN_EXE_gomend"))
        .args(["man"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut child = child;
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8(out.stderr).unwrap(), "");
}

#[test]
fn check_and_diff_read_standard_input() {
    let dir = module(&[("pkg/h.go", "package pkg\n")]);
    let text = "package pkg\n\nimport \"runtime\"\n\nfunc Reprice(prices []float64) {\n\tfor i := range prices {\n\t\tprices[i] *= 0.9\n\t\truntime.Gosched()\n\t}\n}\n";
    let (code, out, err) = run_stdin(
        dir.path(),
        &["check", "--stdin-filename", "pkg/h.go", "-"],
        text,
    );
    assert_eq!(code, 1, "{err}");
    assert!(out.starts_with("pkg/h.go:8:3: remove-gosched:"), "{out}");
    // The file on disk is not what was checked.
    let (code, _, _) = run_in(dir.path(), &["check", "pkg/h.go"]);
    assert_eq!(code, 0);
    let (code, out, err) = run_stdin(
        dir.path(),
        &["diff", "--stdin-filename", "pkg/h.go", "-"],
        text,
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("--- a/pkg/h.go\n+++ b/pkg/h.go\n"), "{out}");
    insta::assert_snapshot!("stdin_diff", out);
    // Without a name, the text is `<stdin>` in the current directory.
    let (code, out, _) = run_stdin(dir.path(), &["check", "--format", "json", "-"], text);
    assert_eq!(code, 1);
    assert!(out.contains("\"path\":\"<stdin>\""), "{out}");
    // Nothing is written for standard input.
    let (code, _, err) = run_stdin(dir.path(), &["apply", "-"], text);
    assert_eq!(code, 2);
    assert!(err.contains("cannot rewrite standard input"), "{err}");
    let (code, _, err) = run_in(dir.path(), &["check", "--stdin-filename", "x.go", "."]);
    assert_eq!(code, 2);
    assert!(err.contains("pass `-` as the path"), "{err}");
    let (code, _, err) = run_stdin(dir.path(), &["check", "-", "pkg"], text);
    assert_eq!(code, 2);
    assert!(err.contains("cannot be combined"), "{err}");
}

#[test]
fn stdin_filename_decides_the_go_version() {
    let spin = "package spin\n\nvar ready bool\n\nfunc wait() {\n\tfor !ready {\n\t}\n}\n";
    let old = tempfile::tempdir().unwrap();
    std::fs::write(
        old.path().join("go.mod"),
        "module example.com/old\n\ngo 1.13\n",
    )
    .unwrap();
    let new = module(&[]);
    for (dir, expected) in [(old.path(), 1), (new.path(), 0)] {
        let (code, out, err) = run_stdin(
            repo(),
            &[
                "check",
                "--stdin-filename",
                dir.join("spin.go").to_str().unwrap(),
                "-",
            ],
            spin,
        );
        assert_eq!(code, expected, "{out}{err}");
    }
}

#[test]
fn completions_for_each_shell() {
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef gomend"),
        ("fish", "complete -c gomend"),
    ] {
        let (code, out, _) = run(&["completions", shell]);
        assert_eq!(code, 0);
        assert!(out.contains(marker), "{shell}");
        assert!(
            out.contains("check") && out.contains("report-unused-ignores"),
            "{shell}"
        );
    }
}

#[test]
fn man_page_renders_with_every_subcommand() {
    let (code, out, _) = run(&["man"]);
    assert_eq!(code, 0);
    assert!(out.contains(".TH gomend 1"));
    for sub in [
        "list",
        "explain",
        "check",
        "diff",
        "apply",
        "branch",
        "pr",
        "completions",
        "man",
    ] {
        assert!(out.contains(&format!("gomend\\-{sub}(1)")), "{sub} missing");
    }
    let (code, out, _) = run(&["man", "check"]);
    assert_eq!(code, 0);
    assert!(out.contains(".TH gomend-check 1"), "{out}");
    assert!(out.contains("\\-\\-report\\-unused\\-ignores"));
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = run(&["man", "--dir", dir.path().to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(dir.path().join("gomend.1").is_file());
    assert!(dir.path().join("gomend-check.1").is_file());
    // Rendered by a real formatter where one is installed.
    if let Ok(out) = Command::new("man")
        .args(["-l", "-P", "cat"])
        .arg(dir.path().join("gomend-check.1"))
        .env("MANWIDTH", "80")
        .output()
    {
        if out.status.success() {
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(text.contains("--report-unused-ignores"), "{text}");
        }
    }
    let (code, _, err) = run(&["man", "nope"]);
    assert_eq!(code, 2);
    assert!(err.contains("no subcommand `nope`"));
}

#[test]
fn packaging_files_match_the_crate() {
    let read = |name: &str| std::fs::read_to_string(repo().join(name)).unwrap();
    let manifest = read("Cargo.toml");
    assert!(manifest.contains("license = \"MIT OR Apache-2.0\""));
    assert!(read("LICENSE-MIT").contains("Copyright (c) The gomend authors"));
    let apache = read("LICENSE-APACHE");
    assert!(apache.contains("Apache License") && apache.contains("Version 2.0, January 2004"));
    let action = read("action.yml");
    assert!(action.contains("using: composite"));
    assert!(action.contains("cargo install --locked --path \"$ACTION_PATH\""));
    assert!(action.contains("gomend check --format \"$format\" --output \"sarif=$GOMEND_SARIF\""));
    let hooks = read(".pre-commit-hooks.yaml");
    assert!(hooks.contains("entry: gomend check") && hooks.contains("types: [go]"));
}
