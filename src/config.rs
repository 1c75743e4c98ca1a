//! The project configuration file, `.gomend.toml`.
//!
//! It is found by looking from each path given on the command line upward
//! to the root of its repository (the directory holding `.git`), or to the
//! filesystem root outside a repository. Every key is optional:
//!
//! ```toml
//! go-version = "1.21"        # as --go-version
//! tests = true               # as --tests / --no-tests
//! generated = false          # as --generated / --no-generated
//! include = ["internal/**"]  # only these files (globs, relative to this file)
//! exclude = ["**/legacy/**"] # never these files
//! codemods = ["tools/codemods"]      # as --codemods, relative to this file
//! enable = ["bounded-spawn"]         # recipes turned on, on top of the defaults
//! disable = ["remove-gc"]            # recipes turned off
//!
//! [settings]                 # as --set RECIPE.NAME=VALUE
//! bounded-spawn.limit = 8
//! ```
//!
//! Parsing keeps the place of every key and value, so that an unknown key,
//! a value of the wrong type or an unknown recipe id is reported as
//! `FILE:LINE:COLUMN: ...`, with the nearest valid name when one is close.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use toml_edit::{ImDocument, Item, Value};

use crate::engine::gomod::{normalize, GoVersion};

/// The name of the configuration file.
pub const FILE_NAME: &str = ".gomend.toml";

/// The top-level keys, in the order `gomend config` prints them.
pub const KEYS: &[&str] = &[
    "go-version",
    "tests",
    "generated",
    "include",
    "exclude",
    "codemods",
    "enable",
    "disable",
    "settings",
];

/// A problem in a configuration file, at a place in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.column, self.message
        )
    }
}

impl std::error::Error for ConfigError {}

/// A value read from the file, with its place (1-based line and column).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placed<T> {
    pub value: T,
    pub line: usize,
    pub column: usize,
}

/// One `[settings]` entry: `RECIPE.NAME` and its value as text (what
/// `--set RECIPE.NAME=VALUE` would give).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    pub recipe: Placed<String>,
    pub name: Placed<String>,
    pub value: Placed<String>,
    /// Whether the value was a TOML integer.
    pub integer: bool,
}

/// A parsed `.gomend.toml`.
#[derive(Debug, Clone, Default)]
pub struct ConfigFile {
    /// The file, as found or given.
    pub path: PathBuf,
    /// Its directory, absolute: relative paths and globs start here.
    pub dir: PathBuf,
    pub go_version: Option<Placed<GoVersion>>,
    pub go_version_text: Option<String>,
    pub tests: Option<Placed<bool>>,
    pub generated: Option<Placed<bool>>,
    pub include: Vec<Placed<String>>,
    pub exclude: Vec<Placed<String>>,
    /// Directories, resolved against [`ConfigFile::dir`].
    pub codemods: Vec<Placed<PathBuf>>,
    pub enable: Vec<Placed<String>>,
    pub disable: Vec<Placed<String>>,
    pub settings: Vec<Setting>,
}

impl ConfigFile {
    /// The path as shown in messages.
    pub fn shown(&self) -> String {
        crate::walk::display_path(&self.path)
    }

    /// `FILE:LINE` for a value of this file.
    pub fn at<T>(&self, p: &Placed<T>) -> String {
        format!("{}:{}", self.shown(), p.line)
    }

    fn error<T>(&self, p: &Placed<T>, message: String) -> ConfigError {
        ConfigError {
            file: self.shown(),
            line: p.line,
            column: p.column,
            message,
        }
    }

    /// Checks the recipe ids and settings against the recipes known
    /// (built in and loaded from codemod directories): each `(id, settings
    /// with their default values)`.
    pub fn check_recipes(
        &self,
        known: &[(String, Vec<(String, toml::Value)>)],
    ) -> Result<(), ConfigError> {
        let ids: Vec<&str> = known.iter().map(|(id, _)| id.as_str()).collect();
        let unknown_id = |p: &Placed<String>| {
            let mut hint = did_you_mean(&p.value, &ids);
            if hint.is_empty() {
                hint = " (`gomend list` shows the recipes)".into();
            }
            self.error(p, format!("unknown recipe `{}`{hint}", p.value))
        };
        for p in self.enable.iter().chain(&self.disable) {
            if !ids.contains(&p.value.as_str()) {
                return Err(unknown_id(p));
            }
        }
        for e in &self.enable {
            if let Some(d) = self.disable.iter().find(|d| d.value == e.value) {
                return Err(self.error(
                    d,
                    format!(
                        "recipe `{}` is both enabled (line {}) and disabled",
                        d.value, e.line
                    ),
                ));
            }
        }
        for s in &self.settings {
            let Some((_, settings)) = known.iter().find(|(id, _)| *id == s.recipe.value) else {
                return Err(unknown_id(&s.recipe));
            };
            let Some((_, default)) = settings.iter().find(|(n, _)| *n == s.name.value) else {
                let names: Vec<&str> = settings.iter().map(|(n, _)| n.as_str()).collect();
                let hint = if names.is_empty() {
                    " (it has no settings)".to_string()
                } else {
                    let close = did_you_mean(&s.name.value, &names);
                    if close.is_empty() {
                        format!(" (settings: {})", names.join(", "))
                    } else {
                        close
                    }
                };
                return Err(self.error(
                    &s.name,
                    format!(
                        "recipe `{}` has no setting `{}`{hint}",
                        s.recipe.value, s.name.value
                    ),
                ));
            };
            if default.is_integer() && !(s.integer && s.value.value.parse::<u64>().is_ok()) {
                return Err(self.error(
                    &s.value,
                    format!(
                        "`{}.{}` takes a whole number (default {default})",
                        s.recipe.value, s.name.value
                    ),
                ));
            }
        }
        Ok(())
    }

    /// The include and exclude globs as a filter.
    pub fn filter(&self) -> Result<PathFilter, ConfigError> {
        let build = |globs: &[Placed<String>]| -> Result<Option<GlobSet>, ConfigError> {
            if globs.is_empty() {
                return Ok(None);
            }
            let mut set = GlobSetBuilder::new();
            for g in globs {
                let pattern = glob_pattern(&g.value);
                let glob = GlobBuilder::new(&pattern)
                    .literal_separator(true)
                    .build()
                    .map_err(|e| self.error(g, format!("bad glob `{}`: {}", g.value, e.kind())))?;
                set.add(glob);
            }
            set.build()
                .map(Some)
                .map_err(|e| self.error(&globs[0], format!("bad glob: {e}")))
        };
        Ok(PathFilter {
            base: self.dir.clone(),
            include: build(&self.include)?,
            exclude: build(&self.exclude)?,
        })
    }
}

/// A glob as matched: one without a `/` matches the file name at any depth.
fn glob_pattern(glob: &str) -> String {
    let g = glob.strip_prefix("./").unwrap_or(glob);
    if g.contains('/') {
        g.trim_start_matches('/').to_string()
    } else {
        format!("**/{g}")
    }
}

/// Which files the include and exclude globs let through.
#[derive(Debug, Clone, Default)]
pub struct PathFilter {
    /// The directory the globs are relative to.
    pub base: PathBuf,
    pub include: Option<GlobSet>,
    pub exclude: Option<GlobSet>,
}

impl PathFilter {
    /// Whether `path` (as walked, relative to the current directory or
    /// absolute) is kept.
    pub fn allows(&self, path: &Path) -> bool {
        if self.include.is_none() && self.exclude.is_none() {
            return true;
        }
        let abs = std::path::absolute(path)
            .map(|p| normalize(&p))
            .unwrap_or_else(|_| path.to_path_buf());
        let rel = abs.strip_prefix(&self.base).unwrap_or(path);
        let rel = rel.to_string_lossy().replace('\\', "/");
        self.allows_relative(&rel)
    }

    /// [`PathFilter::allows`] for a path relative to [`PathFilter::base`].
    pub fn allows_relative(&self, rel: &str) -> bool {
        if self.include.as_ref().is_some_and(|s| !s.is_match(rel)) {
            return false;
        }
        !self.exclude.as_ref().is_some_and(|s| s.is_match(rel))
    }
}

/// ` (did you mean `x`?)` when one of `candidates` is close to `word`.
pub fn did_you_mean(word: &str, candidates: &[&str]) -> String {
    let best = candidates
        .iter()
        .map(|c| (strsim::jaro_winkler(word, c), *c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0));
    match best {
        Some((_, c)) => format!(" (did you mean `{c}`?)"),
        None => String::new(),
    }
}

/// The configuration file for `paths`: the nearest `.gomend.toml` above
/// each of them, up to its repository root. All paths must agree; `None`
/// when there is none.
pub fn discover(paths: &[PathBuf]) -> Result<Option<PathBuf>, String> {
    let mut found: Vec<(PathBuf, Option<PathBuf>)> = Vec::new();
    for p in paths {
        let f = discover_one(p);
        if !found.iter().any(|(_, g)| *g == f) {
            found.push((p.clone(), f));
        }
    }
    match found.as_slice() {
        [] => Ok(None),
        [(_, f)] => Ok(f.clone()),
        _ => {
            let list: Vec<String> = found
                .iter()
                .map(|(p, f)| {
                    format!(
                        "{} uses {}",
                        p.display(),
                        f.as_deref()
                            .map(crate::walk::display_path)
                            .unwrap_or_else(|| "no configuration file".into())
                    )
                })
                .collect();
            Err(format!(
                "the paths given use different configuration files ({}); run gomend once per configuration, or pick one with --config FILE (or none with --no-config)",
                list.join("; ")
            ))
        }
    }
}

fn discover_one(path: &Path) -> Option<PathBuf> {
    let abs = normalize(&std::path::absolute(path).ok()?);
    let start = if abs.is_dir() {
        abs.as_path()
    } else {
        abs.parent()?
    };
    for dir in start.ancestors() {
        let candidate = dir.join(FILE_NAME);
        if candidate.is_file() {
            return Some(candidate);
        }
        if dir.join(".git").exists() {
            return None;
        }
    }
    None
}

/// Reads and parses a configuration file.
pub fn load(path: &Path) -> Result<ConfigFile, anyhow::Error> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("{}: {e}", crate::walk::display_path(path)))?;
    Ok(parse(path, &text)?)
}

/// Parses the text of a configuration file read from `path`.
pub fn parse(path: &Path, text: &str) -> Result<ConfigFile, ConfigError> {
    let abs = normalize(&std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()));
    let mut cfg = ConfigFile {
        path: path.to_path_buf(),
        dir: abs.parent().map(Path::to_path_buf).unwrap_or_default(),
        ..ConfigFile::default()
    };
    let lines = LineIndex::new(text);
    let file = cfg.shown();
    let err = |span: Option<Range<usize>>, message: String| {
        let (line, column) = lines.at(span.map_or(0, |s| s.start));
        ConfigError {
            file: file.clone(),
            line,
            column,
            message,
        }
    };
    let doc = ImDocument::parse(text).map_err(|e| {
        let message = e.message().trim().replace('\n', "; ");
        err(e.span(), format!("not valid TOML: {message}"))
    })?;
    let placed = |span: Option<Range<usize>>| lines.at(span.map_or(0, |s| s.start));
    let root = doc.as_table();
    for (key, item) in root.iter() {
        let key_span = root.key(key).and_then(|k| k.span());
        let value_span = item.span();
        let here = placed(value_span.clone());
        match key {
            "go-version" => {
                let Some(s) = item.as_str() else {
                    return Err(err(
                        value_span,
                        type_error(key, "a version string such as \"1.21\"", item),
                    ));
                };
                let v = s
                    .parse::<GoVersion>()
                    .map_err(|e| err(value_span.clone(), format!("`go-version`: {e}")))?;
                cfg.go_version = Some(place(v, here));
                cfg.go_version_text = Some(s.to_string());
            }
            "tests" | "generated" => {
                let Some(b) = item.as_bool() else {
                    return Err(err(value_span, type_error(key, "true or false", item)));
                };
                if key == "tests" {
                    cfg.tests = Some(place(b, here));
                } else {
                    cfg.generated = Some(place(b, here));
                }
            }
            "include" | "exclude" | "codemods" | "enable" | "disable" => {
                let what = if key == "codemods" {
                    "a list of directories"
                } else if key == "enable" || key == "disable" {
                    "a list of recipe ids"
                } else {
                    "a list of globs"
                };
                let Some(array) = item.as_array() else {
                    return Err(err(value_span, type_error(key, what, item)));
                };
                let mut out = Vec::new();
                for v in array.iter() {
                    let Some(s) = v.as_str() else {
                        return Err(err(
                            v.span(),
                            format!("`{key}` takes {what}; this entry is {}", describe(v)),
                        ));
                    };
                    let (line, column) = placed(v.span());
                    out.push(Placed {
                        value: s.to_string(),
                        line,
                        column,
                    });
                }
                match key {
                    "include" => cfg.include = out,
                    "exclude" => cfg.exclude = out,
                    "enable" => cfg.enable = out,
                    "disable" => cfg.disable = out,
                    _ => {
                        cfg.codemods = out
                            .into_iter()
                            .map(|p| Placed {
                                value: normalize(&cfg.dir.join(&p.value)),
                                line: p.line,
                                column: p.column,
                            })
                            .collect()
                    }
                }
            }
            "settings" => {
                let Some(table) = item.as_table_like() else {
                    return Err(err(
                        value_span,
                        type_error(key, "a table of RECIPE.NAME = VALUE entries", item),
                    ));
                };
                for (recipe, inner) in table.iter() {
                    let rspan = table.key(recipe).and_then(|k| k.span());
                    let (rline, rcol) = placed(rspan.clone());
                    let Some(names) = inner.as_table_like() else {
                        return Err(err(
                            rspan,
                            format!(
                                "`settings.{recipe}` must name a setting: write `{recipe}.NAME = VALUE`"
                            ),
                        ));
                    };
                    for (name, value) in names.iter() {
                        let nspan = names.key(name).and_then(|k| k.span());
                        let (nline, ncol) = placed(nspan.clone());
                        let (text, integer) = match value.as_value() {
                            Some(Value::Integer(i)) => (i.value().to_string(), true),
                            Some(Value::String(s)) => (s.value().clone(), false),
                            Some(Value::Boolean(b)) => (b.value().to_string(), false),
                            Some(Value::Float(f)) => (f.value().to_string(), false),
                            _ => {
                                return Err(err(
                                    value.span().or(nspan),
                                    format!(
                                        "`{recipe}.{name}` takes a number, a string or true/false, not {}",
                                        describe_item(value)
                                    ),
                                ))
                            }
                        };
                        let (vline, vcol) = placed(value.span());
                        cfg.settings.push(Setting {
                            recipe: Placed {
                                value: recipe.to_string(),
                                line: rline,
                                column: rcol,
                            },
                            name: Placed {
                                value: name.to_string(),
                                line: nline,
                                column: ncol,
                            },
                            value: Placed {
                                value: text,
                                line: vline,
                                column: vcol,
                            },
                            integer,
                        });
                    }
                }
            }
            _ => {
                let mut hint = did_you_mean(key, KEYS);
                if hint.is_empty() {
                    hint = format!(" (the keys are {})", KEYS.join(", "));
                }
                return Err(err(key_span, format!("unknown key `{key}`{hint}")));
            }
        }
    }
    Ok(cfg)
}

fn place<T>(value: T, (line, column): (usize, usize)) -> Placed<T> {
    Placed {
        value,
        line,
        column,
    }
}

fn type_error(key: &str, wanted: &str, item: &Item) -> String {
    format!("`{key}` takes {wanted}, not {}", describe_item(item))
}

fn describe_item(item: &Item) -> String {
    match item {
        Item::Value(v) => describe(v),
        Item::Table(_) => "a table".into(),
        Item::ArrayOfTables(_) => "an array of tables".into(),
        Item::None => "nothing".into(),
    }
}

fn describe(v: &Value) -> String {
    match v {
        Value::String(_) => "a string".into(),
        Value::Integer(_) => "a number".into(),
        Value::Float(_) => "a number".into(),
        Value::Boolean(_) => "true or false".into(),
        Value::Datetime(_) => "a date".into(),
        Value::Array(_) => "a list".into(),
        Value::InlineTable(_) => "a table".into(),
    }
}

/// Byte offsets to 1-based lines and columns (columns count characters).
struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { text, starts }
    }

    fn at(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&s| s <= offset);
        let start = self.starts[line - 1];
        let column = self.text[start..offset].chars().count() + 1;
        (line, column)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> Result<ConfigFile, ConfigError> {
        parse(Path::new("/p/.gomend.toml"), text)
    }

    #[test]
    fn reads_every_key() {
        let c = parse_str(
            "go-version = \"1.21\"\ntests = true\ngenerated = false\ninclude = [\"a/**\"]\n\
             exclude = [\"*.pb.go\"]\ncodemods = [\"mods\"]\nenable = [\"x\"]\ndisable = [\"y\"]\n\
             [settings]\nbounded-spawn.limit = 8\n[settings.other]\nname = \"v\"\n",
        )
        .unwrap();
        assert_eq!(c.go_version_text.as_deref(), Some("1.21"));
        assert_eq!(c.tests.as_ref().map(|t| (t.value, t.line)), Some((true, 2)));
        assert_eq!(c.codemods[0].value, PathBuf::from("/p/mods"));
        assert_eq!(c.settings.len(), 2);
        assert_eq!(c.settings[0].recipe.value, "bounded-spawn");
        assert_eq!(c.settings[0].value.value, "8");
        assert!(c.settings[0].integer);
        assert_eq!(
            (c.settings[1].name.line, c.settings[1].name.column),
            (12, 1)
        );
    }

    #[test]
    fn unknown_keys_are_placed_and_close_names_suggested() {
        let e = parse_str("tests = true\n  exlude = []\n").unwrap_err();
        assert_eq!((e.line, e.column), (2, 3));
        assert_eq!(e.message, "unknown key `exlude` (did you mean `exclude`?)");
        let e = parse_str("colour = 1\n").unwrap_err();
        assert_eq!(e.message, "unknown key `colour` (the keys are go-version, tests, generated, include, exclude, codemods, enable, disable, settings)");
    }

    #[test]
    fn globs_without_a_slash_match_at_any_depth() {
        let mut c = parse_str("exclude = [\"*.pb.go\", \"legacy/**\"]\n").unwrap();
        c.dir = PathBuf::from("/p");
        let f = c.filter().unwrap();
        assert!(!f.allows_relative("a/b/x.pb.go"));
        assert!(!f.allows_relative("legacy/x.go"));
        assert!(f.allows_relative("a/legacy/x.go"));
        assert!(f.allows_relative("a/x.go"));
        let c = parse_str("include = [\"cmd/*.go\"]\n").unwrap();
        let f = c.filter().unwrap();
        assert!(f.allows_relative("cmd/x.go"));
        assert!(!f.allows_relative("cmd/sub/x.go"));
    }
}
