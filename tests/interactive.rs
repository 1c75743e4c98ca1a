//! `gomend apply --interactive` driven through a real terminal (a pty):
//! every answer (y, n, a, q, and a wrong one) and what each leaves on disk.

mod support;

use std::path::Path;
use std::process::Command;

use rexpect::process::WaitStatus;
use rexpect::session::spawn_command;

const A: &str =
    "package p\n\nimport \"runtime\"\n\nfunc A() {\n\truntime.GC()\n\twork()\n\truntime.GC()\n}\n";
const B: &str =
    "package p\n\nimport \"runtime\"\n\nfunc B() {\n\truntime.GC()\n\twork()\n\truntime.GC()\n}\n";
const C: &str = "package p\n\nimport \"runtime\"\n\nfunc C(items []int) {\n\truntime.GC()\n\tfor range items {\n\t\twork()\n\t\truntime.Gosched()\n\t}\n}\n\nfunc work() {}\n";
const D: &str = "package p\n\nimport \"runtime\"\n\nfunc D() {\n\truntime.GC()\n\twork()\n}\n";

fn tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("go.mod"), "module m\n\ngo 1.22\n").unwrap();
    for (name, text) in [("a.go", A), ("b.go", B), ("c.go", C), ("d.go", D)] {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap()
}

fn interactive(dir: &Path, color: &str) -> rexpect::session::PtySession {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gomend"));
    cmd.args(["apply", "--interactive", "--color", color, "."])
        .current_dir(dir);
    spawn_command(cmd, Some(20_000)).expect("gomend starts in a pty")
}

fn exit_code(p: &rexpect::session::PtySession) -> i32 {
    match p.process().wait().unwrap() {
        WaitStatus::Exited(_, code) => code,
        other => panic!("gomend did not exit normally: {other:?}"),
    }
}

#[test]
fn yes_no_all_and_quit_write_only_what_was_accepted() {
    let dir = tree();
    let mut p = interactive(dir.path(), "never");
    // a.go: the first fix yes, the second no.
    p.exp_string("a.go:6:2: remove-gc:").unwrap();
    p.exp_string("-\truntime.GC()").unwrap();
    p.exp_string("(1/2) Apply this fix [y,n,a,q,?]? ").unwrap();
    p.send_line("y").unwrap();
    p.exp_string("a.go:8:2: remove-gc:").unwrap();
    p.exp_string("(2/2) Apply this fix [y,n,a,q,?]? ").unwrap();
    // An answer that is none of them explains them and asks again.
    p.send_line("maybe").unwrap();
    p.exp_string("a - apply it and every later remove-gc fix without asking")
        .unwrap();
    p.exp_string("(2/2) Apply this fix [y,n,a,q,?]? ").unwrap();
    p.send_line("n").unwrap();
    // b.go: all of remove-gc from its first fix on.
    p.exp_string("b.go:6:2: remove-gc:").unwrap();
    p.exp_string("(1/2) Apply this fix [y,n,a,q,?]? ").unwrap();
    p.send_line("a").unwrap();
    // c.go: its remove-gc fix is taken without a question; the
    // remove-gosched one is asked about, and q stops there.
    p.exp_string("c.go:9:3: remove-gosched:").unwrap();
    p.exp_string("(2/2) Apply this fix [y,n,a,q,?]? ").unwrap();
    p.send_line("q").unwrap();
    let rest = p.exp_eof().unwrap();
    assert!(!rest.contains("b.go:8:2"), "no question after `a`: {rest}");
    assert!(!rest.contains("d.go"), "no question after `q`: {rest}");
    assert!(
        rest.contains("3 files changed, 4 fixes applied, 1 declined"),
        "{rest}"
    );
    assert!(
        rest.contains("stopped: the files after the last one shown were not changed"),
        "{rest}"
    );
    assert_eq!(exit_code(&p), 0);

    assert_eq!(
        read(dir.path(), "a.go"),
        "package p\n\nimport \"runtime\"\n\nfunc A() {\n\twork()\n\truntime.GC()\n}\n"
    );
    // Both fixes, so the import goes too.
    assert_eq!(
        read(dir.path(), "b.go"),
        "package p\n\nfunc B() {\n\twork()\n}\n"
    );
    assert_eq!(
        read(dir.path(), "c.go"),
        "package p\n\nimport \"runtime\"\n\nfunc C(items []int) {\n\tfor range items {\n\t\twork()\n\t\truntime.Gosched()\n\t}\n}\n\nfunc work() {}\n"
    );
    assert_eq!(read(dir.path(), "d.go"), D);

    // What was written is what gofmt writes.
    let out = Command::new(support::gofmt_bin())
        .arg("-l")
        .arg(dir.path())
        .output()
        .expect("gofmt runs");
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout), "");
}

#[test]
fn hunks_are_colored_and_declining_everything_writes_nothing() {
    let dir = tree();
    let mut p = interactive(dir.path(), "always");
    p.exp_string("\x1b[31m-\truntime.GC()").unwrap();
    p.exp_string("Apply this fix [y,n,a,q,?]? ").unwrap();
    for question in 1..=7 {
        p.send_line("n").unwrap();
        if question < 7 {
            p.exp_string("Apply this fix [y,n,a,q,?]? ").unwrap();
        }
    }
    p.exp_string("0 files changed, 0 fixes applied, 7 declined")
        .unwrap();
    p.exp_eof().unwrap();
    assert_eq!(exit_code(&p), 0);
    for (name, text) in [("a.go", A), ("b.go", B), ("c.go", C), ("d.go", D)] {
        assert_eq!(read(dir.path(), name), text, "{name}");
    }
}

#[test]
fn refused_without_a_terminal() {
    let dir = tree();
    let out = support::gomend()
        .args(["apply", "--interactive", "."])
        .current_dir(dir.path())
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(
            "--interactive asks a question for each fix and needs a terminal on standard input"
        ),
        "{err}"
    );
    assert_eq!(read(dir.path(), "a.go"), A);
}

/// Two user recipes whose fixes rewrite the same call: accepted both,
/// only one can apply, so the whole change is shown and written only when
/// accepted as such.
#[test]
fn fixes_that_do_not_apply_as_accepted_are_shown_whole_first() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(root.join("go.mod"), "module m\n\ngo 1.22\n").unwrap();
    std::fs::create_dir(root.join("mods")).unwrap();
    for (id, from, to) in [
        ("to-bar", "foo($A)", "bar($A)"),
        ("to-baz", "foo(1)", "baz()"),
    ] {
        std::fs::write(
            root.join("mods").join(format!("{id}.toml")),
            format!(
                "id = \"{id}\"\nkind = \"fix\"\nsummary = \"s\"\nmessage = \"{from} becomes {to}\"\nrationale = \"r\"\n[match]\nrule = {{ pattern = \"{from}\" }}\n[fix]\ntemplate = \"{to}\"\n"
            ),
        )
        .unwrap();
    }
    let src = "package p\n\nfunc F() {\n\tfoo(1)\n}\n\nfunc foo(int) {}\nfunc bar(int) {}\nfunc baz() {}\n";
    std::fs::write(root.join("f.go"), src).unwrap();
    let session = |last: &str| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_gomend"));
        cmd.args(["apply", "-i", "--color", "never", "--codemods", "mods"])
            .args(["--recipe", "to-bar", "--recipe", "to-baz", "f.go"])
            .current_dir(root);
        let mut p = spawn_command(cmd, Some(20_000)).unwrap();
        p.exp_string("f.go:4:2: to-bar: foo($A) becomes bar($A)")
            .unwrap();
        p.exp_string("+\tbar(1)").unwrap();
        p.exp_string("(1/2) Apply this fix [y,n,a,q,?]? ").unwrap();
        p.send_line("y").unwrap();
        p.exp_string("f.go:4:2: to-baz: foo(1) becomes baz()")
            .unwrap();
        p.exp_string("+\tbaz()").unwrap();
        p.exp_string("(2/2) Apply this fix [y,n,a,q,?]? ").unwrap();
        p.send_line("y").unwrap();
        p.exp_string("f.go: the 2 fixes accepted here give 1 fix together")
            .unwrap();
        p.exp_string("+\tbar(1)").unwrap();
        p.exp_string("Apply this change to the file [y,n,q]? ")
            .unwrap();
        p.send_line(last).unwrap();
        let rest = p.exp_eof().unwrap();
        assert_eq!(exit_code(&p), 0);
        rest
    };
    let rest = session("n");
    assert!(
        rest.contains("0 files changed, 0 fixes applied, 2 declined"),
        "{rest}"
    );
    assert_eq!(read(root, "f.go"), src);
    let rest = session("y");
    assert!(
        rest.contains("1 file changed, 1 fix applied, 0 declined"),
        "{rest}"
    );
    assert_eq!(read(root, "f.go"), src.replace("\tfoo(1)", "\tbar(1)"));
}
