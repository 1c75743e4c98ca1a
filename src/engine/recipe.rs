//! A recipe ready to run: its codemod file compiled into an ast-grep matcher,
//! plus the logic that turns each match into a finding.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::path::Path;
use std::sync::{Arc, Mutex};

use aho_corasick::AhoCorasick;
use ast_grep_config::{DeserializeEnv, Fixer, RuleCore, SerializableRuleCore};
use ast_grep_core::tree_sitter::LanguageExt;
use ast_grep_core::Matcher;

use super::edit::TextEdit;
use super::error::{Error, RecipeError};
use super::golang::{Go, GoDoc, GoMatch, GoNode, GoRoot};
use super::gomod::GoVersion;
use super::imports::{ImportTable, LocalName};
use super::lex::{self, KeywordSet};
use super::spec::{RecipeKind, RecipeSpec};

/// Everything a recipe may look at about the file a match is in.
pub struct FileContext<'r> {
    pub path: &'r Path,
    pub source: &'r str,
    /// The tree the matches are in: the whole file's, or one of a part of
    /// it (its header, its package-level values and the declarations that
    /// may hold a match) when `whole` is set.
    pub root: &'r GoRoot,
    /// When `root` is a part of the file: the whole file's tree, parsed on
    /// first use (start with an empty cell); see [`FileContext::whole_root`].
    pub whole: Option<&'r std::cell::OnceCell<GoRoot>>,
    pub imports: &'r ImportTable,
    pub go_version: GoVersion,
    pub settings: &'r Settings,
    /// The other files of the package, parsed on first use.
    pub package: &'r super::package::PackageHandle<'r>,
    /// What analyses of the file worked out, kept for the next finding.
    pub memo: FileMemo<'r>,
}

/// What a [`FileContext`] works out on first use and keeps, however many
/// findings ask.
#[derive(Default)]
pub struct FileMemo<'r> {
    /// The package's declarations by name; see [`FileContext::package_function`].
    pub(crate) decls: std::cell::OnceCell<super::package::DeclIndex<'r>>,
    /// The names that the file's `//go:linkname` directives link; see
    /// [`FileContext::linkname_targets`].
    pub(crate) linknames: std::cell::OnceCell<std::collections::HashSet<String>>,
    /// What calls resolve to, by node; see [`FileContext::resolve_call`].
    pub(crate) callees:
        std::cell::RefCell<std::collections::HashMap<usize, super::package::Callee<'r>>>,
    /// Per scope node, the names its children declare; see
    /// [`FileContext::is_shadowed`].
    pub(crate) scopes: std::cell::RefCell<
        std::collections::HashMap<usize, std::collections::HashMap<String, usize>>,
    >,
    /// The names the file may declare at its top level, read from its
    /// bytes; see [`FileContext::may_declare_function`].
    pub(crate) outer_names: std::cell::OnceCell<Option<super::package::OuterNames>>,
}

impl<'r> FileContext<'r> {
    /// The whole file's tree, for analyses that look past the declaration
    /// of the match (other functions of the file, package-level facts).
    pub fn whole_root(&self) -> &'r GoRoot {
        match self.whole {
            None => self.root,
            Some(cell) => cell.get_or_init(|| super::golang::parse(self.source)),
        }
    }

    /// The package clause's name.
    pub fn package_name(&self) -> String {
        self.root
            .root()
            .children()
            .find(|n| n.kind() == "package_clause")
            .and_then(|p| p.named_children().next())
            .map(|n| n.text().to_string())
            .unwrap_or_default()
    }

    /// The local names that `//go:linkname` directives anywhere in the file
    /// link (the directive's first argument). The file is read once, on the
    /// first call, however many findings ask.
    pub fn linkname_targets(&self) -> &std::collections::HashSet<String> {
        self.memo.linknames.get_or_init(|| {
            self.source
                .lines()
                .filter(|l| l.starts_with("//go:linkname "))
                .filter_map(|l| l.split_whitespace().nth(1))
                .map(str::to_string)
                .collect()
        })
    }

    /// [`super::scope::is_shadowed`] for nodes of the file's package:
    /// each scope's declarations are read once, not once per question
    /// (a call late in a long function would walk every statement before
    /// it). Nodes live as long as the context, so their ids stay theirs.
    pub fn is_shadowed(&self, node: &GoNode<'r>, name: &str) -> bool {
        super::scope::declared_before_by(node, name, None, &mut |scope, before| {
            let mut scopes = self.memo.scopes.borrow_mut();
            let names = scopes
                .entry(scope.node_id())
                .or_insert_with(|| super::scope::first_declarations(scope));
            names.get(name).is_some_and(|&start| start < before)
        })
    }

    /// Whether this is a `_test.go` file.
    pub fn is_test_file(&self) -> bool {
        self.path.to_string_lossy().ends_with("_test.go")
    }

    /// Whether `node` is a call `pkg.name(...)` where `pkg` is the file's
    /// name for import path `path` (also unqualified under a dot-import),
    /// and not a local variable hiding the package.
    pub fn is_pkg_call(&self, node: &GoNode<'_>, path: &str, name: &str) -> bool {
        if node.kind() != "call_expression" {
            return false;
        }
        node.field("function")
            .is_some_and(|f| self.is_pkg_member(&f, path, name))
    }

    /// Whether `node` names member `name` of the package at `path`.
    pub fn is_pkg_member(&self, node: &GoNode<'_>, path: &str, name: &str) -> bool {
        match self.imports.local_name(path) {
            Some(LocalName::Named(local)) => {
                node.kind() == "selector_expression"
                    && node.field("field").is_some_and(|f| f.text() == name)
                    && node
                        .field("operand")
                        .is_some_and(|o| o.kind() == "identifier" && o.text() == local.as_str())
                    && !super::scope::is_shadowed(node, local)
            }
            Some(LocalName::Dot) => {
                node.kind() == "identifier"
                    && node.text() == name
                    && !super::scope::is_shadowed(node, name)
            }
            _ => false,
        }
    }

    /// The qualifier for the package at `path` (`"runtime."`, `"rt."`, `""`).
    pub fn qualifier(&self, path: &str) -> String {
        self.imports
            .qualifier(path)
            .unwrap_or_else(|| format!("{}.", super::imports::default_name(path)))
    }
}

/// `--set recipe.name=value` settings.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    values: BTreeMap<String, String>,
}

impl Settings {
    pub fn set(&mut self, key: &str, value: &str) {
        self.values.insert(key.to_string(), value.to_string());
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(String::as_str)
    }

    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.values.keys()
    }
}

/// A rewrite: edits of the original text, applied together or not at all,
/// and import paths the new text needs.
#[derive(Clone, Debug, Default)]
pub struct Fix {
    pub edits: Vec<TextEdit>,
    pub add_imports: Vec<String>,
}

/// One finding of one recipe.
#[derive(Clone, Debug)]
pub struct Finding {
    pub recipe: Arc<str>,
    /// Bytes of the original text the finding is about.
    pub range: Range<usize>,
    pub message: String,
    /// The rewrite, when the recipe's safety conditions hold.
    pub fix: Option<Fix>,
}

/// What a recipe's code sees for one match.
pub struct MatchContext<'a, 'r> {
    pub m: &'a GoMatch<'r>,
    pub file: &'a FileContext<'r>,
    pub recipe: &'a Recipe,
}

impl<'r> MatchContext<'_, 'r> {
    /// The matched node.
    pub fn node(&self) -> GoNode<'r> {
        self.m.get_node().clone()
    }

    /// The recipe's rule tried on another node of the file (with the
    /// file's import names): its match there, with what it captured.
    pub fn match_at(&self, node: &GoNode<'r>) -> Option<GoMatch<'r>> {
        use ast_grep_core::matcher::MatcherExt;
        self.recipe
            .matcher_for(self.file.imports)?
            .match_node(node.clone())
    }

    /// A finding at the matched node that carries `fix`.
    pub fn fix(&self, fix: Fix) -> Finding {
        self.fix_at(self.m.range(), fix)
    }

    /// A finding at `range` that carries `fix`.
    pub fn fix_at(&self, range: Range<usize>, fix: Fix) -> Finding {
        Finding {
            recipe: self.recipe.id.clone(),
            range,
            message: self.recipe.spec.message.clone(),
            fix: Some(fix),
        }
    }

    /// A finding at the matched node with no rewrite. For a fix recipe,
    /// `why` says why it did not rewrite.
    pub fn report(&self, why: &str) -> Finding {
        self.report_at(self.m.range(), why)
    }

    /// [`MatchContext::report`] at `range`.
    pub fn report_at(&self, range: Range<usize>, why: &str) -> Finding {
        let message = if why.is_empty() {
            self.recipe.spec.message.clone()
        } else if self.recipe.spec.kind == RecipeKind::Fix {
            format!("{} (not rewritten: {why})", self.recipe.spec.message)
        } else {
            format!("{}: {why}", self.recipe.spec.message)
        };
        Finding {
            recipe: self.recipe.id.clone(),
            range,
            message,
            fix: None,
        }
    }

    /// An integer setting of this recipe, or its default from the codemod file.
    pub fn setting_usize(&self, name: &str) -> Option<usize> {
        let key = format!("{}.{name}", self.recipe.id);
        self.file
            .settings
            .get(&key)
            .and_then(|v| v.parse().ok())
            .or_else(|| {
                self.recipe
                    .spec
                    .settings
                    .get(name)
                    .and_then(|v| v.as_integer())
                    .map(|v| v as usize)
            })
    }
}

/// The code behind a recipe whose fix needs more than a template.
pub trait RecipeLogic: Send + Sync {
    /// Decides what one match is: a finding with a fix, a finding that only
    /// reports (saying why), or nothing (`None`: the match is not a problem).
    fn examine(&self, cx: &MatchContext<'_, '_>) -> Option<Finding>;

    /// Whether the recipe can find anything in the file at `path`, asked
    /// before the file is parsed, with its text: a recipe that never reports
    /// in some files (a package, a module) says so here, and the file is not
    /// parsed for it. The default is yes.
    fn applies_to_file(&self, path: &Path, source: &str) -> bool {
        let _ = (path, source);
        true
    }

    /// Whether a finding may lie in one top-level declaration whose text is
    /// `code`, told from its tokens before anything is parsed: a recipe
    /// that turns down some shapes whatever surrounds them says so here,
    /// and the declaration screen leaves a declaration out of its parse
    /// when no recipe may find anything in it. It must never answer no
    /// where [`RecipeLogic::examine`] could make a finding. The default is
    /// yes.
    fn may_find_in(&self, code: &[u8]) -> bool {
        let _ = code;
        true
    }
}

/// A named condition on a match that `[[match.guards]]` entries refer to,
/// provided by the recipe catalogue.
pub trait Guard: Send + Sync {
    /// Whether the condition holds for the match, given the argument written
    /// after the helper's name (`imports:net/http` gives `net/http`).
    fn holds(&self, cx: &MatchContext<'_, '_>, arg: Option<&str>) -> bool;
}

/// Finds the guard helper a `when` names, checking its argument.
pub type GuardResolver<'a> = &'a dyn Fn(&str, Option<&str>) -> Result<&'static dyn Guard, String>;

/// A `[[match.guards]]` entry, resolved.
#[derive(Clone)]
struct CompiledGuard {
    name: String,
    arg: Option<String>,
    check: &'static dyn Guard,
    /// The reason to report with; `None`: drop the finding.
    report: Option<String>,
    /// Checked before the recipe's own code.
    first: bool,
}

impl CompiledGuard {
    /// What the guard makes of a match it holds for, reported at `range`:
    /// a report with its reason (`{function}` filled in), or nothing.
    fn decide(&self, cx: &MatchContext<'_, '_>, range: Range<usize>) -> Option<Finding> {
        let why = self.report.as_ref()?;
        let why = if why.contains("{function}") {
            let name = cx
                .node()
                .ancestors()
                .find(|f| matches!(&*f.kind(), "function_declaration" | "method_declaration"))
                .and_then(|f| f.field("name"))
                .map(|n| n.text().to_string())
                .unwrap_or_default();
            why.replace("{function}", &name)
        } else {
            why.clone()
        };
        Some(cx.report_at(range, &why))
    }
}

/// Package-name substitutions applied to a rule: (pattern name, local qualifier).
type Substitutions = Vec<(String, String)>;

/// A compiled recipe.
pub struct Recipe {
    pub id: Arc<str>,
    /// The codemod file, with its settings' defaults in place.
    pub spec: RecipeSpec,
    /// The codemod file as written (`${NAME}` placeholders unfilled).
    raw: RecipeSpec,
    /// Matcher for files that use the canonical package names.
    matcher: Arc<RuleCore>,
    /// Matchers for files that import a package under another name, keyed
    /// by the substitutions applied.
    variants: Mutex<HashMap<Substitutions, Arc<RuleCore>>>,
    logic: Option<&'static dyn RecipeLogic>,
    template: Option<Fixer>,
    guards: Vec<CompiledGuard>,
    pub triggers: Vec<String>,
    /// Keywords the rule needs in the file's code, derived from the node
    /// kinds it requires and the keywords its patterns spell: each set must
    /// meet the keywords of the file.
    pub keywords: Vec<KeywordSet>,
    /// What every match needs in its own top-level declaration (see
    /// [`super::decls`]).
    pub local: Vec<super::decls::Clause>,
    /// `[match] go-before`: files at this Go version or later are skipped.
    pub go_before: Option<GoVersion>,
    /// `[match] go-since`: files below this Go version are skipped.
    pub go_since: Option<GoVersion>,
}

fn compile_rule(spec: &RecipeSpec, subst: &[(String, String)]) -> Result<RuleCore, String> {
    let mut table = toml::value::Table::new();
    table.insert("rule".into(), substitute(&spec.matching.rule, subst));
    if let Some(c) = &spec.matching.constraints {
        table.insert("constraints".into(), substitute(c, subst));
    }
    if let Some(u) = &spec.matching.utils {
        table.insert("utils".into(), substitute(u, subst));
    }
    // Transformations work on captured text, which names no package.
    if let Some(t) = &spec.matching.transform {
        table.insert("transform".into(), t.clone());
    }
    let core: SerializableRuleCore = toml::Value::Table(table)
        .try_into()
        .map_err(|e: toml::de::Error| format!("invalid rule: {e}"))?;
    core.get_matcher(DeserializeEnv::new(Go)).map_err(|e| {
        // ast-grep's errors say which part is wrong; their sources say why.
        let mut text = format!("invalid rule: {e}");
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            text.push_str(&format!(": {s}"));
            source = s.source();
        }
        text
    })
}

/// Rewrites `name.` to `local.` (or to nothing, for a dot-import) in every
/// pattern string of a rule.
fn substitute(value: &toml::Value, subst: &[(String, String)]) -> toml::Value {
    match value {
        toml::Value::String(s) if !subst.is_empty() => {
            toml::Value::String(replace_qualifiers(s, subst))
        }
        toml::Value::Array(a) => {
            toml::Value::Array(a.iter().map(|v| substitute(v, subst)).collect())
        }
        toml::Value::Table(t) => toml::Value::Table(
            t.iter()
                .map(|(k, v)| {
                    // Kinds, regexes and fields are not code.
                    let v = if matches!(
                        k.as_str(),
                        "kind" | "regex" | "field" | "selector" | "stopBy"
                    ) {
                        v.clone()
                    } else {
                        substitute(v, subst)
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

fn replace_qualifiers(s: &str, subst: &[(String, String)]) -> String {
    let mut out = s.to_string();
    for (name, local) in subst {
        let needle = format!("{name}.");
        let mut result = String::with_capacity(out.len());
        let mut rest = out.as_str();
        while let Some(i) = rest.find(&needle) {
            let boundary = i == 0 || {
                let c = rest[..i].chars().next_back().unwrap_or(' ');
                !(c.is_alphanumeric() || c == '_' || c == '.' || c == 'µ' || c == '$')
            };
            result.push_str(&rest[..i]);
            if boundary {
                result.push_str(local);
            } else {
                result.push_str(&needle);
            }
            rest = &rest[i + needle.len()..];
        }
        result.push_str(rest);
        out = result;
    }
    out
}

/// Member names after `name.` in the rule's strings: `runtime.GC()` gives `GC`.
fn derive_triggers(spec: &RecipeSpec) -> Vec<String> {
    fn strings<'v>(v: &'v toml::Value, out: &mut Vec<&'v str>) {
        match v {
            toml::Value::String(s) => out.push(s),
            toml::Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
            toml::Value::Table(t) => t.values().for_each(|x| strings(x, out)),
            _ => {}
        }
    }
    let mut all = Vec::new();
    strings(&spec.matching.rule, &mut all);
    let mut found = Vec::new();
    for name in spec.matching.imports.keys() {
        let needle = format!("{name}.");
        for s in &all {
            for (i, _) in s.match_indices(&needle) {
                let member: String = s[i + needle.len()..]
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !member.is_empty() && !member.starts_with('µ') && !found.contains(&member) {
                    found.push(member);
                }
            }
        }
    }
    found
}

impl Recipe {
    /// Compiles a codemod file. `logic` resolves an `implementation` name.
    pub fn compile(
        raw: RecipeSpec,
        logic: impl Fn(&str) -> Option<&'static dyn RecipeLogic>,
    ) -> Result<Recipe, Error> {
        Recipe::compile_with(raw, logic, &|name, _| {
            Err(format!("there is no guard helper `{name}`"))
        })
    }

    /// [`Recipe::compile`], with `guards` resolving the helpers that
    /// `[[match.guards]]` entries name.
    pub fn compile_with(
        raw: RecipeSpec,
        logic: impl Fn(&str) -> Option<&'static dyn RecipeLogic>,
        guards: GuardResolver<'_>,
    ) -> Result<Recipe, Error> {
        Ok(Recipe::build(raw, logic, guards)?)
    }

    /// [`Recipe::compile_with`], with the one kind of error it can meet.
    fn build(
        raw: RecipeSpec,
        logic: impl Fn(&str) -> Option<&'static dyn RecipeLogic>,
        guards: GuardResolver<'_>,
    ) -> Result<Recipe, RecipeError> {
        let (spec, _) = fill_settings(&raw, &Settings::default());
        let err = |reason: String| RecipeError {
            id: spec.id.clone(),
            reason,
        };
        if spec.id.is_empty()
            || !spec
                .id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            return Err(err("ids use lowercase letters, digits and `-`".into()));
        }
        let matcher = compile_rule(&spec, &[]).map_err(err)?;
        let (logic, template) = match &spec.fix {
            Some(fix) => {
                let logic = match &fix.implementation {
                    Some(name) => Some(logic(name).ok_or_else(|| {
                        err(format!("no built-in implementation named `{name}`"))
                    })?),
                    None => None,
                };
                let template = match &fix.template {
                    Some(t) => Some(
                        Fixer::from_str(t, &Go)
                            .map_err(|e| err(format!("invalid fix template: {e}")))?,
                    ),
                    None => None,
                };
                if logic.is_some() && template.is_some() {
                    return Err(err(
                        "a fix has either an implementation or a template, not both".into(),
                    ));
                }
                (logic, template)
            }
            None => (None, None),
        };
        if spec.kind == RecipeKind::Fix && logic.is_none() && template.is_none() {
            return Err(err(
                "a fix recipe needs [fix] with an implementation or a template".into(),
            ));
        }
        let triggers = spec
            .matching
            .triggers
            .clone()
            .unwrap_or_else(|| derive_triggers(&spec));
        let qualifiers: Vec<String> = spec.matching.imports.keys().cloned().collect();
        let clauses = |reach| super::decls::rule_clauses(&spec.matching.rule, &qualifiers, reach);
        if let Some(w) = spec.matching.declaration_holds.iter().find(|w| {
            w.is_empty() || w.as_bytes()[0].is_ascii_digit() || !w.bytes().all(lex::is_word_byte)
        }) {
            return Err(err(format!(
                "declaration-holds: {w:?} is not a keyword or a name"
            )));
        }
        let held: Vec<super::decls::Clause> = spec
            .matching
            .declaration_holds
            .iter()
            .map(|w| super::decls::Clause::of_word(w))
            .collect();
        // The prefilter reads the keywords of a file, not its names.
        let keywords = clauses(super::decls::Reach::File)
            .into_iter()
            .chain(held.iter().cloned())
            .filter(super::decls::Clause::keywords_only)
            .map(|c| c.keywords)
            .collect();
        let mut local = clauses(super::decls::Reach::Declaration);
        local.extend(held);
        if spec.matching.code_triggers {
            if triggers.is_empty() {
                return Err(err("code-triggers = true needs triggers".into()));
            }
            if let Some(t) = triggers
                .iter()
                .find(|t| t.is_empty() || !t.bytes().all(lex::is_word_byte))
            {
                return Err(err(format!(
                    "code-triggers: trigger {t:?} is not made of identifier characters, so it never occurs inside one"
                )));
            }
        }
        let version = |field: &str, v: &Option<String>| match v {
            Some(v) => v
                .parse::<GoVersion>()
                .map(Some)
                .map_err(|e| err(format!("{field}: {e}"))),
            None => Ok(None),
        };
        let mut compiled_guards = Vec::new();
        for g in &spec.matching.guards {
            let (name, arg) = match g.when.split_once(':') {
                Some((n, a)) => (n.trim(), Some(a.trim())),
                None => (g.when.trim(), None),
            };
            let check = guards(name, arg).map_err(|e| err(format!("guard `{}`: {e}", g.when)))?;
            let report = match (&g.report, g.skip) {
                (Some(why), false) => Some(why.clone()),
                (None, true) => None,
                _ => {
                    return Err(err(format!(
                        "guard `{}`: give either `report = \"why\"` or `skip = true`",
                        g.when
                    )))
                }
            };
            compiled_guards.push(CompiledGuard {
                name: name.to_string(),
                arg: arg.map(str::to_string),
                check,
                report,
                first: g.first,
            });
        }
        let go_before = version("go-before", &spec.matching.go_before)?;
        let go_since = version("go-since", &spec.matching.go_since)?;
        if let (Some(b), Some(s)) = (go_before, go_since) {
            if s >= b {
                return Err(err(format!(
                    "go-since = \"{s}\" and go-before = \"{b}\" leave no Go version to run on"
                )));
            }
        }
        Ok(Recipe {
            raw,
            guards: compiled_guards,
            go_before,
            go_since,
            id: spec.id.as_str().into(),
            matcher: Arc::new(matcher),
            variants: Mutex::default(),
            logic,
            template,
            triggers,
            keywords,
            local,
            spec,
        })
    }

    /// Whether the recipe runs on files at Go version `v` (`go-before`, `go-since`).
    pub fn applies_to(&self, v: GoVersion) -> bool {
        self.go_before.is_none_or(|b| v < b) && self.go_since.is_none_or(|s| v >= s)
    }

    /// Whether the recipe's implementation can find anything in this file
    /// (see [`RecipeLogic::applies_to_file`]), judged before parsing.
    pub fn applies_to_file(&self, path: &Path, source: &str) -> bool {
        self.logic.is_none_or(|l| l.applies_to_file(path, source))
    }

    /// Whether a finding may lie in a top-level declaration with text
    /// `code` (see [`RecipeLogic::may_find_in`]). Guards checked before the
    /// implementation can report on their own, so with one of them any
    /// declaration may.
    pub fn may_find_in(&self, code: &[u8]) -> bool {
        self.guards.iter().any(|g| g.first) || self.logic.is_none_or(|l| l.may_find_in(code))
    }

    /// The recipe with its `--set` settings in place (see [`fill_settings`]);
    /// a recipe none of whose settings is given is returned as it is.
    pub fn with_settings(self, settings: &Settings) -> Result<Recipe, Error> {
        let prefix = format!("{}.", self.id);
        if !settings.keys().any(|k| k.starts_with(&prefix)) {
            return Ok(self);
        }
        let (spec, changed) = fill_settings(&self.raw, settings);
        if !changed {
            return Ok(self);
        }
        let logic = self.logic;
        let known = self.guards.clone();
        let resolve = move |name: &str, _: Option<&str>| {
            known
                .iter()
                .find(|g| g.name == name)
                .map(|g| g.check)
                .ok_or_else(|| format!("there is no guard helper `{name}`"))
        };
        let mut recipe = Recipe::build(spec, |_| logic, &resolve).map_err(|e| RecipeError {
            id: e.id,
            reason: format!("with its settings in place: {}", e.reason),
        })?;
        recipe.raw = self.raw;
        Ok(recipe)
    }

    /// The matcher for a file with these imports, or `None` when the file
    /// lacks a package the recipe needs.
    pub fn matcher_for(&self, imports: &ImportTable) -> Option<Arc<RuleCore>> {
        let subst = self.substitutions(imports)?;
        if subst.is_empty() {
            return Some(self.matcher.clone());
        }
        let mut variants = self.variants.lock().expect("matcher cache");
        if let Some(m) = variants.get(&subst) {
            return Some(m.clone());
        }
        let m = Arc::new(compile_rule(&self.spec, &subst).ok()?);
        variants.insert(subst, m.clone());
        Some(m)
    }

    /// How the recipe's package names are spelled in a file: empty when
    /// they are the canonical ones, `None` when a package is not imported.
    fn substitutions(&self, imports: &ImportTable) -> Option<Substitutions> {
        let mut subst = Vec::new();
        for (name, path) in &self.spec.matching.imports {
            match imports.local_name(path)? {
                LocalName::Named(local) if local == name => {}
                LocalName::Named(local) => subst.push((name.clone(), format!("{local}."))),
                LocalName::Dot => subst.push((name.clone(), String::new())),
                LocalName::Blank => return None,
            }
        }
        Some(subst)
    }

    /// Node kinds the matcher can match (for dispatching from one tree walk).
    pub fn potential_kinds(&self) -> Option<Vec<u16>> {
        self.matcher
            .potential_kinds()
            .map(|k| k.iter().map(|x| x as u16).collect())
    }

    /// The local names the recipe's packages have in a file (to check shadowing).
    fn local_names(&self, imports: &ImportTable) -> Vec<String> {
        self.spec
            .matching
            .imports
            .values()
            .filter_map(|p| match imports.local_name(p) {
                Some(LocalName::Named(n)) => Some(n.clone()),
                _ => None,
            })
            .collect()
    }

    /// Turns one match into a finding (or nothing).
    pub fn examine<'r>(&self, m: &GoMatch<'r>, file: &FileContext<'r>) -> Option<Finding> {
        let node = m.get_node();
        if self
            .local_names(file.imports)
            .iter()
            .any(|n| uses_qualifier(node, n) && super::scope::is_shadowed(node, n))
        {
            return None;
        }
        let cx = MatchContext {
            m,
            file,
            recipe: self,
        };
        // Guards checked first decide before the recipe's code runs.
        for g in self.guards.iter().filter(|g| g.first) {
            if g.check.holds(&cx, g.arg.as_deref()) {
                return g.decide(&cx, node.range());
            }
        }
        let finding = self.decide(&cx)?;
        // Guards only take away: a rewrite becomes a report, or a finding
        // goes; they never make a finding the recipe did not make.
        for g in self.guards.iter().filter(|g| !g.first) {
            if g.check.holds(&cx, g.arg.as_deref()) {
                return g.decide(&cx, finding.range.clone());
            }
        }
        Some(finding)
    }

    /// What the recipe's implementation or template makes of one match.
    fn decide<'r>(&self, cx: &MatchContext<'_, 'r>) -> Option<Finding> {
        let (m, file) = (cx.m, cx.file);
        let node = m.get_node();
        if let Some(logic) = self.logic {
            return logic.examine(cx);
        }
        if let Some(template) = &self.template {
            use ast_grep_core::replacer::Replacer;
            let imports = self
                .spec
                .fix
                .as_ref()
                .map(|f| f.imports.clone())
                .unwrap_or_default();
            // The template speaks of packages by their canonical names too:
            // those of `[match] imports`, and those of the imports it adds.
            let mut subst = self.substitutions(file.imports).unwrap_or_default();
            for path in &imports {
                let name = super::imports::default_name(path);
                if self.spec.matching.imports.contains_key(name) {
                    continue;
                }
                match file.imports.local_name(path) {
                    Some(LocalName::Named(local)) if local == name => {}
                    Some(LocalName::Named(local)) => {
                        subst.push((name.to_string(), format!("{local}.")))
                    }
                    Some(LocalName::Dot) => subst.push((name.to_string(), String::new())),
                    Some(LocalName::Blank) | None => {
                        if let Some(why) = name_taken(node, file, name) {
                            return Some(cx.report(&why));
                        }
                    }
                }
            }
            let base = self
                .spec
                .fix
                .as_ref()
                .and_then(|f| f.template.as_deref())
                .unwrap_or("");
            let mut text = replace_qualifiers(base, &subst);
            // Meta-variables made by `transform` are filled in here: the
            // template was compiled without knowing their names.
            if let Some(toml::Value::Table(t)) = &self.spec.matching.transform {
                let mut keys: Vec<&String> = t.keys().collect();
                keys.sort_by_key(|k| std::cmp::Reverse(k.len()));
                text = fill_transformed(&text, &keys, m);
            }
            let local;
            let fixer = if text == base {
                template
            } else {
                local = Fixer::from_str(&text, &Go).ok()?;
                &local
            };
            let range = Replacer::<GoDoc>::get_replaced_range(fixer, m, &*self.matcher);
            let text = String::from_utf8_lossy(&Replacer::<GoDoc>::generate_replacement(fixer, m))
                .into_owned();
            if realigns(file.source, &range, &text) {
                return Some(cx.report(
                    "gofmt would realign the lines around it; rewrite it by hand and run gofmt",
                ));
            }
            // An empty template deletes; a whole statement goes with its line.
            let edit = match statement_of(node) {
                Some(stmt) if text.trim().is_empty() && stmt.range() == range => {
                    super::edit::remove_statement(file.source, &stmt)
                }
                _ => TextEdit::replace(range, text),
            };
            return Some(cx.fix(Fix {
                edits: vec![edit],
                add_imports: imports,
            }));
        }
        Some(cx.report(""))
    }

    /// Whether the parsed language matches (always Go; kept for symmetry
    /// with ast-grep's API when recipes for other files appear).
    pub fn language(&self) -> Go {
        Go
    }
}

/// Whether replacing `range` with `text` changes the width of a line whose
/// rest gofmt aligns with its neighbours (a trailing comment, a struct tag,
/// a `= value` in a block of specs) while a neighbouring line has such a
/// column too: the neighbours would then need re-aligning, which a template
/// fix does not do.
fn realigns(source: &str, range: &Range<usize>, text: &str) -> bool {
    let old = &source[range.clone()];
    if old.contains('\n') || text.contains('\n') || old.chars().count() == text.chars().count() {
        return false;
    }
    let has_column = |rest: &str| {
        let rest = rest
            .trim_start_matches([')', ']', '}', ',', ';'])
            .trim_start();
        rest.contains("//")
            || rest.contains("/*")
            || rest.starts_with('`')
            || rest.starts_with('"')
            || rest.starts_with('=')
    };
    let end = super::edit::line_end(source, range.end);
    if !has_column(source[range.end..end].trim_end_matches('\n')) {
        return false;
    }
    let start = super::edit::line_start(source, range.start);
    let neighbour = |line: &str| {
        let t = line.trim();
        !t.is_empty()
            && !t.starts_with("//")
            && (t.contains("//") || t.contains('`') || t.contains(" = "))
    };
    let prev = (start > 0).then(|| {
        let ps = super::edit::line_start(source, start - 1);
        &source[ps..start]
    });
    let next = (end < source.len()).then(|| &source[end..super::edit::line_end(source, end)]);
    prev.is_some_and(neighbour) || next.is_some_and(neighbour)
}

/// Why the name `name`, which a template's added import would bring in,
/// already means something else at `node`, if it does: another import, a
/// declaration of the file, or a local one.
fn name_taken(node: &GoNode<'_>, file: &FileContext<'_>, name: &str) -> Option<String> {
    if let Some(other) = file.imports.path_of(name) {
        return Some(format!("`{name}` is the file's name for \"{other}\""));
    }
    let mut top = Vec::new();
    for decl in file.root.root().children() {
        if decl.kind() == "function_declaration" {
            if let Some(n) = decl.field("name") {
                top.push(n.text().to_string());
            }
        } else {
            super::scope::declared_names(&decl, &mut top);
        }
    }
    if top.iter().any(|n| n == name) || super::scope::is_shadowed(node, name) {
        return Some(format!("`{name}` names something else here"));
    }
    None
}

/// The statement that `node` is, or that consists of `node` alone (a call
/// written as a statement).
fn statement_of<'r>(node: &GoNode<'r>) -> Option<GoNode<'r>> {
    let is_statement = |n: &GoNode<'_>| {
        n.kind().ends_with("_statement")
            && n.parent()
                .is_some_and(|p| matches!(&*p.kind(), "statement_list" | "block"))
    };
    if is_statement(node) {
        return Some(node.clone());
    }
    let parent = node.parent()?;
    (is_statement(&parent) && parent.range() == node.range()).then_some(parent)
}

/// `template` with every `$KEY` of a transformed meta-variable replaced by
/// its value in the match (`keys` longest first).
fn fill_transformed(template: &str, keys: &[&String], m: &GoMatch<'_>) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let key = keys.iter().find(|k| {
            after.starts_with(k.as_str())
                && !after[k.len()..]
                    .starts_with(|c: char| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        });
        match key.and_then(|k| m.get_env().get_transformed(k).map(|v| (k, v))) {
            Some((k, value)) => {
                out.push_str(&String::from_utf8_lossy(value));
                rest = &after[k.len()..];
            }
            None => {
                out.push('$');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// `raw` with every `${NAME}` naming one of its `[settings]` replaced, in
/// the rule, constraints, utilities, transformations, fix template and
/// message, by the value given with `--set <id>.NAME=VALUE` or else the
/// default; and whether anything was replaced.
fn fill_settings(raw: &RecipeSpec, settings: &Settings) -> (RecipeSpec, bool) {
    let values: Vec<(String, String)> = raw
        .settings
        .iter()
        .map(|(name, default)| {
            let value = settings
                .get(&format!("{}.{name}", raw.id))
                .map(str::to_string)
                .unwrap_or_else(|| match default {
                    toml::Value::String(s) => s.clone(),
                    other => other.to_string(),
                });
            (format!("${{{name}}}"), value)
        })
        .collect();
    let mut spec = raw.clone();
    if values.is_empty() {
        return (spec, false);
    }
    let mut changed = false;
    let mut fill = |s: &mut String| {
        for (placeholder, value) in &values {
            if s.contains(placeholder.as_str()) {
                *s = s.replace(placeholder.as_str(), value);
                changed = true;
            }
        }
    };
    fill_strings(&mut spec.matching.rule, &mut fill);
    for v in [
        &mut spec.matching.constraints,
        &mut spec.matching.utils,
        &mut spec.matching.transform,
    ]
    .into_iter()
    .flatten()
    {
        fill_strings(v, &mut fill);
    }
    if let Some(t) = spec.fix.as_mut().and_then(|f| f.template.as_mut()) {
        fill(t);
    }
    fill(&mut spec.message);
    (spec, changed)
}

/// Calls `f` on every string inside `v`.
fn fill_strings(v: &mut toml::Value, f: &mut impl FnMut(&mut String)) {
    match v {
        toml::Value::String(s) => f(s),
        toml::Value::Array(a) => a.iter_mut().for_each(|x| fill_strings(x, f)),
        toml::Value::Table(t) => t.iter_mut().for_each(|(_, x)| fill_strings(x, f)),
        _ => {}
    }
}

fn uses_qualifier(node: &GoNode<'_>, name: &str) -> bool {
    node.dfs().any(|n| {
        n.kind() == "selector_expression"
            && n.field("operand")
                .is_some_and(|o| o.kind() == "identifier" && o.text() == name)
    })
}

/// The prefilter: which recipes could match a file, judged from its bytes.
pub struct Prefilter {
    search: TriggerSearch,
    /// For each trigger string, the recipes it triggers.
    owners: Vec<Vec<usize>>,
    /// Recipes without triggers: they run on every file.
    always: Vec<usize>,
    /// For each recipe, the keyword sets its rule needs in the file's code.
    keywords: Vec<Vec<KeywordSet>>,
    /// For each recipe, the import paths its patterns need (`[match]
    /// imports`): a file that does not import them all is not searched for
    /// it.
    imports: Vec<Vec<String>>,
    /// Whether each recipe's triggers count only inside identifiers.
    in_code: Vec<bool>,
    /// The triggers of those recipes, looked for in the bytes and then
    /// placed in the identifiers the lexer reads.
    code_finders: Vec<memchr::memmem::Finder<'static>>,
    /// For each pattern of `code_finders`, the recipes it triggers.
    code_owners: Vec<Vec<usize>>,
}

/// Up to this many triggers, each is looked for on its own with memchr's
/// vectorised substring search, which stops at the first occurrence and
/// skips triggers whose recipes are already in; past it, one automaton
/// pass over the bytes costs less than a search per trigger.
const SEARCH_EACH_UP_TO: usize = 64;

/// How the trigger strings are looked for in a file's bytes.
enum TriggerSearch {
    None,
    Each(Vec<memchr::memmem::Finder<'static>>),
    Automaton(AhoCorasick),
}

fn finders(patterns: &[String]) -> Vec<memchr::memmem::Finder<'static>> {
    patterns
        .iter()
        .map(|p| memchr::memmem::Finder::new(p.as_bytes()).into_owned())
        .collect()
}

impl TriggerSearch {
    fn new(patterns: &[String]) -> Self {
        if patterns.is_empty() {
            TriggerSearch::None
        } else if patterns.len() <= SEARCH_EACH_UP_TO {
            TriggerSearch::Each(finders(patterns))
        } else {
            TriggerSearch::Automaton(
                AhoCorasick::new(patterns).expect("trigger strings build an automaton"),
            )
        }
    }

    /// Sets `hit` for the owners of every pattern found in `bytes`, among
    /// the recipes that are `open`.
    fn find(&self, bytes: &[u8], owners: &[Vec<usize>], open: &[bool], hit: &mut [bool]) {
        let mark = |p: usize, hit: &mut [bool]| {
            for &r in &owners[p] {
                hit[r] |= open[r];
            }
        };
        match self {
            TriggerSearch::None => {}
            TriggerSearch::Each(finders) => {
                for (p, f) in finders.iter().enumerate() {
                    if owners[p].iter().any(|&r| open[r] && !hit[r]) && f.find(bytes).is_some() {
                        mark(p, hit);
                    }
                }
            }
            TriggerSearch::Automaton(ac) => {
                let mut seen = vec![false; owners.len()];
                let mut left = owners.len();
                for m in ac.find_overlapping_iter(bytes) {
                    let p = m.pattern().as_usize();
                    if !seen[p] {
                        seen[p] = true;
                        left -= 1;
                        mark(p, hit);
                        if left == 0 {
                            break;
                        }
                    }
                }
            }
        }
    }
}

/// Adds `t` for recipe `i` to a pattern list and its owners.
pub(super) fn add_pattern(
    patterns: &mut Vec<String>,
    owners: &mut Vec<Vec<usize>>,
    t: &str,
    i: usize,
) {
    match patterns.iter().position(|p| p == t) {
        Some(j) => owners[j].push(i),
        None => {
            patterns.push(t.to_string());
            owners.push(vec![i]);
        }
    }
}

impl Prefilter {
    pub fn new(recipes: &[Recipe]) -> Self {
        let mut patterns: Vec<String> = Vec::new();
        let mut owners: Vec<Vec<usize>> = Vec::new();
        let mut code_patterns: Vec<String> = Vec::new();
        let mut code_owners: Vec<Vec<usize>> = Vec::new();
        let mut always = Vec::new();
        for (i, r) in recipes.iter().enumerate() {
            if r.triggers.is_empty() {
                always.push(i);
            }
            for t in &r.triggers {
                add_pattern(&mut patterns, &mut owners, t, i);
                if r.spec.matching.code_triggers {
                    add_pattern(&mut code_patterns, &mut code_owners, t, i);
                }
            }
        }
        Prefilter {
            search: TriggerSearch::new(&patterns),
            owners,
            always,
            keywords: recipes.iter().map(|r| r.keywords.clone()).collect(),
            imports: recipes
                .iter()
                .map(|r| r.spec.matching.imports.values().cloned().collect())
                .collect(),
            in_code: recipes
                .iter()
                .map(|r| r.spec.matching.code_triggers)
                .collect(),
            code_finders: finders(&code_patterns),
            code_owners,
        }
    }

    /// Indices of the recipes that may match `bytes` (ascending): the file
    /// imports the packages their patterns name (read from the import
    /// block), one of their triggers occurs in the bytes (inside an
    /// identifier, for `code-triggers`), and the code (outside comments and
    /// literals) holds the keywords their rules need.
    pub fn candidates(&self, bytes: &[u8], n_recipes: usize) -> Vec<usize> {
        // A recipe whose package the file does not import is out before
        // any of its triggers is searched for.
        let mut open = vec![true; n_recipes];
        if self.imports.iter().any(|p| !p.is_empty()) {
            if let Some(paths) = super::imports::scan_import_paths(bytes) {
                for (r, needed) in self.imports.iter().enumerate() {
                    open[r] = needed.iter().all(|p| paths.contains(p));
                }
            }
        }
        let mut hit = vec![false; n_recipes];
        for &i in &self.always {
            hit[i] = open[i];
        }
        self.search.find(bytes, &self.owners, &open, &mut hit);
        let in_code = |r: usize| self.in_code.get(r).copied().unwrap_or(false);
        let needs = |r: usize| self.keywords.get(r).map_or(&[][..], |k| k.as_slice());
        if !(0..n_recipes).any(|r| hit[r] && (in_code(r) || !needs(r).is_empty())) {
            return (0..n_recipes).filter(|&r| hit[r]).collect();
        }
        // Where the code triggers of the recipes still in occur, in order:
        // the lexer then tells which of them fall inside an identifier.
        let mut places: Vec<(usize, usize, usize)> = Vec::new();
        for (p, f) in self.code_finders.iter().enumerate() {
            if self.code_owners[p].iter().any(|&r| hit[r]) {
                let len = f.needle().len();
                places.extend(f.find_iter(bytes).map(|at| (at, at + len, p)));
            }
        }
        places.sort_unstable();
        // One pass of the lexer gives both the keywords of the code and the
        // code triggers found inside identifiers. It stops as soon as every
        // recipe still in has what it needs.
        let mut in_words = vec![false; n_recipes];
        let settled = |keywords: KeywordSet, in_words: &[bool]| {
            (0..n_recipes).all(|r| {
                !hit[r]
                    || ((!in_code(r) || in_words[r]) && needs(r).iter().all(|k| k.meets(keywords)))
            })
        };
        let mut keywords = KeywordSet::default();
        let mut next_place = 0;
        let mut tokens = lex::Tokens::new(bytes);
        while let Some(t) = tokens.next() {
            let lex::Token::Word(w) = t else { continue };
            let mut changed = false;
            if let Some(k) = lex::keyword(w) {
                changed = !k.meets(keywords);
                keywords = keywords.union(k);
            }
            let (end, start) = (tokens.end(), tokens.end() - w.len());
            while places.get(next_place).is_some_and(|&(at, _, _)| at < start) {
                next_place += 1;
            }
            let mut at = next_place;
            while let Some(&(from, to, p)) = places.get(at).filter(|&&(from, _, _)| from < end) {
                if from >= start && to <= end {
                    for &r in &self.code_owners[p] {
                        changed |= !in_words[r];
                        in_words[r] = true;
                    }
                }
                at += 1;
            }
            if changed && settled(keywords, &in_words) {
                break;
            }
        }
        if tokens.broken() {
            // Text that does not lex: anything may be code.
            keywords = KeywordSet::ALL;
            in_words = hit.clone();
        }
        (0..n_recipes)
            .filter(|&r| {
                hit[r] && (!in_code(r) || in_words[r]) && needs(r).iter().all(|k| k.meets(keywords))
            })
            .collect()
    }
}

/// Checks that the Go grammar knows the given node kind (used by tests of
/// codemod files).
pub fn is_known_kind(kind: &str) -> bool {
    Go.get_ts_language().id_for_node_kind(kind, true) != 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report_recipe(id: &str, matching: &str) -> Recipe {
        let text = format!(
            "id = \"{id}\"\nkind = \"report\"\nsummary = \"s\"\nmessage = \"m\"\nrationale = \"r\"\n\n[match]\n{matching}\n"
        );
        Recipe::compile(RecipeSpec::from_toml(&text).expect("spec"), |_| None).expect("compiles")
    }

    fn names(sets: &[KeywordSet]) -> Vec<Vec<&'static str>> {
        sets.iter().map(|k| k.names().collect()).collect()
    }

    #[test]
    fn rules_require_the_keywords_of_their_kinds() {
        let r = report_recipe(
            "spin",
            "rule = { kind = \"default_case\", inside = { kind = \"select_statement\" } }",
        );
        assert_eq!(names(&r.keywords), [["default"], ["select"]]);
        let r = report_recipe(
            "either",
            "rule = { any = [{ kind = \"go_statement\" }, { kind = \"defer_statement\" }] }",
        );
        assert_eq!(names(&r.keywords), [["defer", "go"]]);
        // A branch without a keyword, or a negated kind, requires nothing.
        let r = report_recipe(
            "loose",
            "rule = { any = [{ kind = \"go_statement\" }, { kind = \"send_statement\" }] }",
        );
        assert!(r.keywords.is_empty());
        let r = report_recipe(
            "negated",
            "rule = { kind = \"call_expression\", not = { inside = { kind = \"go_statement\" } } }",
        );
        assert!(r.keywords.is_empty());
        let r = report_recipe(
            "both",
            "rule = { all = [{ kind = \"call_expression\" }, { inside = { kind = \"for_statement\", stopBy = \"end\" } }] }",
        );
        assert_eq!(names(&r.keywords), [["for"]]);
        // The keywords a pattern spells count too; its names do not.
        let r = report_recipe("made", "rule = { pattern = \"$CH := make(chan $T)\" }");
        assert_eq!(names(&r.keywords), [["chan"]]);
    }

    #[test]
    fn keywords_in_comments_and_strings_do_not_make_a_candidate() {
        let recipes = vec![
            report_recipe(
                "spawn",
                "triggers = [\"go \"]\nrule = { kind = \"go_statement\" }",
            ),
            report_recipe(
                "calls",
                "triggers = [\"go \"]\nrule = { kind = \"call_expression\" }",
            ),
        ];
        let filter = Prefilter::new(&recipes);
        let prose = "package p\n// we go on\nfunc f() { s := \"go home\"; g(s) }\n";
        assert_eq!(filter.candidates(prose.as_bytes(), 2), [1]);
        let code = "package p\nfunc f() { go g() }\n";
        assert_eq!(filter.candidates(code.as_bytes(), 2), [0, 1]);
        let broken = "package p\n// go on\nvar s = \"unterminated\n";
        assert_eq!(filter.candidates(broken.as_bytes(), 2), [0, 1]);
    }

    #[test]
    fn code_triggers_count_inside_identifiers_only() {
        let recipes = vec![report_recipe(
            "ns",
            "triggers = [\"unshare\", \"Unshare\"]\ncode-triggers = true\nrule = { kind = \"call_expression\" }",
        )];
        let filter = Prefilter::new(&recipes);
        let prose = "package p\n// the map is unshared here\nfunc f() { g(\"unshare\") }\n";
        assert!(filter.candidates(prose.as_bytes(), 1).is_empty());
        for code in [
            "package p\nfunc f() { unix.Unshare(0) }\n",
            "package p\nfunc f() { sysUnshareAll() }\n",
            "package p\n// unshare\nvar s = \"broken\n",
        ] {
            assert_eq!(filter.candidates(code.as_bytes(), 1), [0], "{code}");
        }
    }

    #[test]
    fn a_recipe_whose_package_is_not_imported_is_not_searched_for() {
        let recipes = vec![
            report_recipe(
                "gc",
                "imports = { runtime = \"runtime\" }\nrule = { pattern = \"runtime.GC()\" }",
            ),
            report_recipe(
                "ns",
                "triggers = [\"Setns\"]\ncode-triggers = true\nrule = { kind = \"call_expression\" }",
            ),
        ];
        let filter = Prefilter::new(&recipes);
        let alone = "package p\nimport \"os\"\nfunc f() { GC(); os.Exit(0) }\n";
        assert!(filter.candidates(alone.as_bytes(), 2).is_empty());
        let imported = "package p\nimport (\n\t\"os\"\n\t\"runtime\"\n)\nfunc f() { runtime.GC(); os.Exit(0) }\n";
        assert_eq!(filter.candidates(imported.as_bytes(), 2), [0]);
        // Code triggers are placed in identifiers wherever they sit, and one
        // in a comment or a string does not count.
        let both = "package p\nimport \"runtime\"\n// Setns\nfunc f() { runtime.GC(); _ = \"Setns\"; doSetns() }\n";
        assert_eq!(filter.candidates(both.as_bytes(), 2), [0, 1]);
        let quoted =
            "package p\nimport \"runtime\"\n// Setns\nfunc f() { runtime.GC(); _ = \"Setns\" }\n";
        assert_eq!(filter.candidates(quoted.as_bytes(), 2), [0]);
    }

    #[test]
    fn code_triggers_must_be_identifier_characters() {
        let text = "id = \"bad\"\nkind = \"report\"\nsummary = \"s\"\nmessage = \"m\"\nrationale = \"r\"\n\n[match]\ntriggers = [\"go \"]\ncode-triggers = true\nrule = { kind = \"go_statement\" }\n";
        let err = Recipe::compile(RecipeSpec::from_toml(text).expect("spec"), |_| None)
            .err()
            .expect("refused");
        assert!(
            err.to_string()
                .contains("not made of identifier characters"),
            "{err}"
        );
    }

    #[test]
    fn declaration_holds_narrows_the_declarations_and_files() {
        let r = report_recipe(
            "spawn",
            "declaration-holds = [\"for\", \"wg\"]\nrule = { kind = \"go_statement\" }",
        );
        let for_ = super::super::decls::Clause::of_word("for");
        let wg = super::super::decls::Clause::of_word("wg");
        assert!(
            r.local.contains(&for_) && r.local.contains(&wg),
            "{:?}",
            r.local
        );
        // The keyword also holds in the file: files without it are skipped.
        let filter = Prefilter::new(&[r]);
        assert!(filter
            .candidates(b"package p\nfunc f() { go g() }\n", 1)
            .is_empty());
        assert_eq!(
            filter.candidates(b"package p\nfunc f() { for { go g() } }\n", 1),
            [0]
        );
    }

    #[test]
    fn declaration_holds_takes_keywords_and_names_only() {
        for word in ["go ", "", "1x", "a.b"] {
            let text = format!("id = \"bad\"\nkind = \"report\"\nsummary = \"s\"\nmessage = \"m\"\nrationale = \"r\"\n\n[match]\ndeclaration-holds = [{word:?}]\nrule = {{ kind = \"go_statement\" }}\n");
            let err = Recipe::compile(RecipeSpec::from_toml(&text).expect("spec"), |_| None)
                .err()
                .expect("refused");
            assert!(err.to_string().contains("not a keyword or a name"), "{err}");
        }
    }

    #[test]
    fn every_kind_with_a_keyword_is_a_kind_of_the_grammar() {
        for kind in [
            "go_statement",
            "defer_statement",
            "select_statement",
            "for_statement",
            "range_clause",
            "if_statement",
            "return_statement",
            "expression_switch_statement",
            "type_switch_statement",
            "default_case",
            "communication_case",
            "expression_case",
            "type_case",
            "break_statement",
            "continue_statement",
            "goto_statement",
            "fallthrough_statement",
            "func_literal",
            "function_declaration",
            "method_declaration",
            "function_type",
            "channel_type",
            "map_type",
            "struct_type",
            "interface_type",
            "type_declaration",
            "var_declaration",
            "const_declaration",
            "import_declaration",
            "package_clause",
        ] {
            assert!(is_known_kind(kind), "{kind}");
            assert!(lex::keyword_of_kind(kind).is_some(), "{kind}");
        }
    }

    #[test]
    fn qualifiers_are_substituted_on_word_boundaries() {
        let s = vec![("runtime".to_string(), "rt.".to_string())];
        assert_eq!(
            replace_qualifiers("runtime.GC(); myruntime.GC()", &s),
            "rt.GC(); myruntime.GC()"
        );
        let d = vec![("runtime".to_string(), String::new())];
        assert_eq!(replace_qualifiers("runtime.GC()", &d), "GC()");
    }
}
