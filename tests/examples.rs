//! The bundled example module is the main demonstration of the tool: it
//! builds before the rewrite, still builds and is gofmt-clean after it, and a
//! second run changes nothing.

mod support;

use std::path::Path;
use std::time::Duration;

use support::{go, gofmt_bin, gomend, run_with_limit};

#[test]
fn examples_build_before_and_after_apply() {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("examples");
    let status = std::process::Command::new("cp")
        .arg("-a")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples"))
        .arg(&copy)
        .status()
        .unwrap();
    assert!(status.success());

    let build = || {
        let mut cmd = go(&copy);
        cmd.args(["build", "./..."]);
        run_with_limit(cmd, Duration::from_secs(600))
    };
    let (code, text, _) = build();
    assert_eq!(
        code,
        Some(0),
        "examples must build before the rewrite:\n{text}"
    );

    let out = gomend().arg("apply").arg(&copy).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary = String::from_utf8_lossy(&out.stdout);
    assert!(
        !summary.starts_with("0 files"),
        "the examples have something to fix: {summary}"
    );

    let (code, text, _) = build();
    assert_eq!(
        code,
        Some(0),
        "examples must build after the rewrite:\n{text}"
    );
    let fmt = std::process::Command::new(gofmt_bin())
        .arg("-l")
        .arg(&copy)
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&fmt.stdout),
        "",
        "gofmt would change these files"
    );
    let again = gomend()
        .args(["diff", "--exit-code"])
        .arg(&copy)
        .output()
        .unwrap();
    assert_eq!(
        again.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&again.stdout)
    );
}
