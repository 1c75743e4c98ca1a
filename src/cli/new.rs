//! `gomend new <id>`: writes a recipe file and its first cases, ready for
//! `gomend test`.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::Args;

use crate::engine::spec::RecipeKind;
use crate::harness;

#[derive(Args, Debug)]
pub struct NewArgs {
    /// The new recipe's id (lowercase letters, digits and `-`).
    pub id: String,
    /// The codemod directory to write into (created when missing).
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,
    /// A recipe that rewrites (fix) or one that only reports (report).
    #[arg(long, value_enum, default_value_t = Kind::Fix)]
    pub kind: Kind,
}

#[derive(Copy, Clone, Debug, clap::ValueEnum, PartialEq, Eq)]
pub enum Kind {
    Fix,
    Report,
}

pub fn run(args: &NewArgs) -> Result<ExitCode> {
    let id = &args.id;
    if id.is_empty()
        || !id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        bail!("`{id}`: recipe ids use lowercase letters, digits and `-`");
    }
    if crate::recipes::builtin()
        .map_err(anyhow::Error::msg)?
        .iter()
        .any(|r| *r.id == **id)
    {
        bail!("`{id}` is a built-in recipe; choose another id");
    }
    let kind = match args.kind {
        Kind::Fix => RecipeKind::Fix,
        Kind::Report => RecipeKind::Report,
    };
    let files = scaffold(id, kind);
    let toml = args.dir.join(format!("{id}.toml"));
    let cases = harness::case_dir(&args.dir, id);
    for p in [&toml, &cases] {
        if p.exists() {
            bail!("{} already exists; nothing was written", p.display());
        }
    }
    std::fs::create_dir_all(cases.join("before_go_1_12"))
        .with_context(|| format!("creating {}", cases.display()))?;
    let mut written = Vec::new();
    for (rel, text) in &files {
        let path = if rel.ends_with(".toml") {
            toml.clone()
        } else {
            cases.join(rel)
        };
        create_new(&path, text)?;
        written.push(path);
    }
    let mut out = anstream::stdout().lock();
    for p in &written {
        writeln!(out, "created {}", crate::walk::display_path(p))?;
    }
    writeln!(
        out,
        "\nEdit the rule and the cases, then run `gomend test {}`.",
        args.dir.display()
    )?;
    Ok(ExitCode::SUCCESS)
}

/// Writes a file that must not exist yet, through a temporary file renamed
/// into place, so that a failed run leaves no half-written file.
fn create_new(path: &Path, text: &str) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("creating a file in {}", dir.display()))?;
    tmp.write_all(text.as_bytes())
        .and_then(|_| tmp.as_file().sync_all())
        .with_context(|| format!("writing {}", path.display()))?;
    tmp.persist_noclobber(path)
        .map_err(|e| e.error)
        .with_context(|| format!("creating {}", path.display()))?;
    Ok(())
}

/// The files of a new recipe: (path, text). The `.toml` goes into the
/// codemod directory, the others below its case directory.
pub fn scaffold(id: &str, kind: RecipeKind) -> Vec<(String, String)> {
    let fix = kind == RecipeKind::Fix;
    let mut toml = format!(
        r#"# A gomend recipe; the format is described in docs/recipes.md.
# Run its cases with `gomend test DIR`, where DIR holds this file.
id = "{id}"
kind = "{kind}"
summary = "Replace strings.Replace(s, old, new, -1) with strings.ReplaceAll"
message = "strings.Replace with a count of -1 replaces every match: strings.ReplaceAll says so"
rationale = """
strings.ReplaceAll (Go 1.12) names what a count of -1 means. This recipe was
written by `gomend new` as a starting point: change the rule, the template and
the cases in testdata/{id}/ to your migration.
"""
"#,
        kind = kind.as_str()
    );
    if fix {
        toml.push_str(
            "rewrite = \"strings.Replace(s, old, new, -1) becomes strings.ReplaceAll(s, old, new).\"\n",
        );
    }
    toml.push_str(
        r#"
[example]
before = 's = strings.Replace(s, "\t", "  ", -1)'
"#,
    );
    if fix {
        toml.push_str("after = 's = strings.ReplaceAll(s, \"\\t\", \"  \")'\n");
    }
    toml.push_str(
        r#"
[match]
# The package name used in the patterns, bound to its import path: files
# that import "strings" under another name are matched under that name.
imports = { strings = "strings" }
# Files whose go.mod says an older Go are skipped.
go-since = "1.12"
rule = { pattern = "strings.Replace($S, $OLD, $NEW, -1)" }
"#,
    );
    if fix {
        toml.push_str(
            r#"
[fix]
template = "strings.ReplaceAll($S, $OLD, $NEW)"
"#,
        );
    }
    let input = format!(
        r#"package cases

import "strings"

func tabs(s string) string {{
	return strings.Replace(s, "\t", "  ", -1) // want "{id}"
}}

// A count other than -1 is not ReplaceAll.
func firstTab(s string) string {{
	return strings.Replace(s, "\t", "  ", 1)
}}
"#
    );
    let golden = input.replace(
        "strings.Replace(s, \"\\t\", \"  \", -1)",
        "strings.ReplaceAll(s, \"\\t\", \"  \")",
    );
    let old = r#"package cases

import "strings"

// Go 1.11 has no strings.ReplaceAll: the recipe leaves this file alone.
func tabs(s string) string {
	return strings.Replace(s, "\t", "  ", -1)
}
"#;
    let mut files = vec![
        (format!("{id}.toml"), toml),
        ("go.mod".into(), "module cases\n\ngo 1.22\n".into()),
        ("replace.go".into(), input),
    ];
    if fix {
        files.push(("replace.go.golden".into(), golden));
    }
    files.push((
        "before_go_1_12/go.mod".into(),
        "module cases\n\ngo 1.11\n".into(),
    ));
    files.push(("before_go_1_12/replace.go".into(), old.into()));
    files
}
