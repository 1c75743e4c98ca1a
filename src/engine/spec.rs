//! The codemod file format (`codemods/<id>.toml`).
//!
//! One file describes one recipe: its prose (what `list` and `explain`
//! print), how it matches (an ast-grep rule, with the packages its patterns
//! name bound to import paths) and how it fixes (a template, or the name of
//! a Rust implementation for fixes that need real logic).
//!
//! ```toml
//! id = "remove-gc"
//! kind = "fix"                       # or "report"
//! summary = "one line"
//! message = "what a finding says"
//! rationale = "why it matters (prose)"
//! rewrite = "what the fix does (prose)"
//! report-only = ["when the recipe reports instead of rewriting"]
//! [example]
//! before = "..."
//! after = "..."
//! [match]
//! imports = { runtime = "runtime" }  # pattern name -> import path
//! triggers = ["GC"]                  # optional; derived from the patterns
//! rule = { kind = "call_expression", pattern = "runtime.GC()" }
//! [fix]
//! implementation = "remove-gc"       # or: template = "..."
//! ```

use std::collections::BTreeMap;

use serde::Deserialize;

/// Fix or report.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum RecipeKind {
    /// Findings carry an automatic rewrite (where its safety conditions hold).
    Fix,
    /// Findings carry an explanation only.
    Report,
}

impl RecipeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RecipeKind::Fix => "fix",
            RecipeKind::Report => "report",
        }
    }
}

/// A before/after pair shown by `explain`.
#[derive(Clone, Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
#[serde(rename_all = "kebab-case")]
pub struct Example {
    pub before: String,
    #[serde(default)]
    pub after: Option<String>,
    /// The Go version the example assumes, for recipes that depend on it.
    #[serde(default)]
    pub go_version: Option<String>,
}

/// How a recipe finds candidates.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatchSpec {
    /// Package names used in the rule's patterns, mapped to import paths.
    /// The recipe runs only on files importing all of them, and each name is
    /// rewritten to the file's own local name (alias or dot-import) before
    /// matching.
    #[serde(default)]
    pub imports: BTreeMap<String, String>,
    /// Byte strings of which at least one must occur in a file for the recipe
    /// to run on it. Derived from the patterns (`runtime.GC()` gives `GC`)
    /// when absent.
    #[serde(default)]
    pub triggers: Option<Vec<String>>,
    /// The triggers count only inside identifiers of the code, not in
    /// comments, strings or runes (each trigger is then made of identifier
    /// characters): `unshare` then no longer matches "unshared" in prose.
    #[serde(default, rename = "code-triggers")]
    pub code_triggers: bool,
    /// Where the triggers occur: `"file"` (the default) anywhere in the
    /// file; `"declaration"` in the top-level declaration that holds each
    /// finding, which lets the engine leave the other declarations unparsed.
    #[serde(default, rename = "triggers-in")]
    pub triggers_in: TriggerScope,
    /// Keywords or names that the code of the top-level declaration
    /// holding each finding contains, beyond what the rule spells: the
    /// recipe makes no finding in a declaration without all of them (a
    /// recipe about goroutines started in loops holds `for`), so the
    /// declaration screen leaves such declarations unparsed.
    #[serde(default, rename = "declaration-holds")]
    pub declaration_holds: Vec<String>,
    /// The recipe only applies to files whose Go version is below this one
    /// (e.g. `"1.14"` for problems that newer runtimes solved); other files
    /// are skipped before parsing.
    #[serde(default, rename = "go-before")]
    pub go_before: Option<String>,
    /// The recipe only applies to files whose Go version is this one or
    /// later (e.g. `"1.18"` for a rewrite into `any`); older files are
    /// skipped before parsing.
    #[serde(default, rename = "go-since")]
    pub go_since: Option<String>,
    /// An ast-grep rule object (`pattern`, `kind`, `inside`, `has`, `not`,
    /// `all`, `any`, ...).
    pub rule: toml::Value,
    /// ast-grep constraints on meta-variables.
    #[serde(default)]
    pub constraints: Option<toml::Value>,
    /// ast-grep utility rules.
    #[serde(default)]
    pub utils: Option<toml::Value>,
    /// ast-grep transformations: new meta-variables computed from captured
    /// ones (`replace`, `substring`, `convert`), for use in the fix template.
    #[serde(default)]
    pub transform: Option<toml::Value>,
    /// Named conditions under which a finding is not made as it is: it is
    /// reported with a reason instead of rewritten, or dropped.
    #[serde(default)]
    pub guards: Vec<GuardSpec>,
}

/// Where a recipe's triggers occur (`[match] triggers-in`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TriggerScope {
    /// Anywhere in the file.
    #[default]
    File,
    /// In the top-level declaration holding each finding.
    Declaration,
}

/// One `[[match.guards]]` entry.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GuardSpec {
    /// The condition: a helper's name, with its argument after a colon
    /// (`test-code`, `imports:net/http`, `go-below:1.21`).
    pub when: String,
    /// When it holds, report the finding with this reason instead of rewriting.
    #[serde(default)]
    pub report: Option<String>,
    /// When it holds, make no finding at all.
    #[serde(default)]
    pub skip: bool,
    /// Checked before the recipe's own code (its implementation or
    /// template), which then does not run for the match; by default a
    /// guard is checked after it, on the finding it made.
    #[serde(default)]
    pub first: bool,
}

/// How a recipe rewrites.
#[derive(Clone, Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct FixSpec {
    /// The name of a built-in implementation that examines every match and
    /// decides between rewriting and reporting.
    #[serde(default)]
    pub implementation: Option<String>,
    /// An ast-grep fix template replacing the matched node. An empty
    /// template deletes the match; a matched statement goes with its line.
    #[serde(default)]
    pub template: Option<String>,
    /// Imports the template's text needs.
    #[serde(default)]
    pub imports: Vec<String>,
}

/// One codemod file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RecipeSpec {
    pub id: String,
    pub kind: RecipeKind,
    pub summary: String,
    /// The finding's message.
    pub message: String,
    pub rationale: String,
    #[serde(default)]
    pub rewrite: Option<String>,
    #[serde(default)]
    pub report_only: Vec<String>,
    /// Off unless enabled with `--recipe`.
    #[serde(default)]
    pub opt_in: bool,
    /// Settings and their defaults (`--set <id>.<name>=<value>`).
    #[serde(default)]
    pub settings: BTreeMap<String, toml::Value>,
    #[serde(default)]
    pub example: Option<Example>,
    #[serde(rename = "match")]
    pub matching: MatchSpec,
    #[serde(default)]
    pub fix: Option<FixSpec>,
}

impl RecipeSpec {
    /// Reads a codemod file.
    pub fn from_toml(text: &str) -> Result<Self, super::Error> {
        Ok(toml::from_str(text)?)
    }
}
