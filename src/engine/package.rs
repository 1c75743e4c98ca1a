//! The package view: the other files of a file's package, parsed on demand,
//! so that a recipe can look into the functions and methods a call reaches.
//!
//! Go has no type information here, so resolution is syntactic and
//! deliberately narrow. A call resolves when its target is visible from the
//! source alone:
//!
//! - `f(...)` where `f` is a function declared at the top level of the
//!   package (any of its files) and not hidden by a local declaration;
//! - `x.m(...)` where `x` is a receiver, a parameter or a local variable
//!   whose declared type (or composite literal, or `new(T)`) names a type
//!   `T` of the package, and `T` has a method `m`;
//! - `x.f.m(...)` where `x` resolves as above to a struct type of the
//!   package whose field `f` has such a named type.
//!
//! Everything else is [`Callee::Unknown`]: a recipe whose safety depends on
//! what such a call does must report, not rewrite.
//!
//! The engine does no I/O: callers hand it a [`PackageSource`] that lists
//! the files beside a path. Views are built lazily, only when a recipe asks,
//! and cached per directory for the run.

use std::cell::OnceCell;
use std::collections::{HashMap, VecDeque};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use super::decls::{parse_ranges, Layout, Words};
use super::golang::{has_syntax_error, parse, GoNode, GoRoot};
use super::lex::{Token, Tokens};
use super::scope::{declared_names, is_function};
use super::FileContext;

/// Where the sibling files of a package come from.
pub trait PackageSource: Send + Sync {
    /// Every `.go` file in the directory of `path` (`path` included), with
    /// its text, sorted by path. Unreadable files are left out.
    fn package_files(&self, path: &Path) -> Vec<(PathBuf, String)>;
}

/// A [`PackageSource`] over the file system.
#[derive(Clone, Copy, Debug, Default)]
pub struct DiskPackages;

impl PackageSource for DiskPackages {
    fn package_files(&self, path: &Path) -> Vec<(PathBuf, String)> {
        let dir = match path.parent() {
            Some(d) if d.as_os_str().is_empty() => Path::new("."),
            Some(d) => d,
            None => return Vec::new(),
        };
        let Ok(entries) = std::fs::read_dir(dir) else {
            return Vec::new();
        };
        let mut files: Vec<PathBuf> = entries
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "go"))
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        files
            .into_iter()
            .filter_map(|p| std::fs::read_to_string(&p).ok().map(|t| (p, t)))
            .collect()
    }
}

/// The other files of one package, each parsed the first time a lookup
/// needs it.
pub struct PackageView {
    files: Vec<ViewFile>,
}

/// One file of a package view.
struct ViewFile {
    path: PathBuf,
    text: String,
    /// Every identifier outside braces (`None` when the braces do not
    /// balance): a superset of the names the file declares at top level.
    outer_names: Option<OuterNames>,
    /// The whole file's tree.
    root: OnceLock<GoRoot>,
    /// The file split at its top-level declarations, when it is in a shape
    /// [`Layout::scan`] is sure of.
    chunks: OnceLock<Option<Chunks>>,
}

/// A view file split at its top-level declarations, each parsed on its own
/// when a lookup needs it.
///
/// A declaration is parsed with the header (package clause and imports)
/// and every package-level `var` and `const` declaration of the file, so
/// that its tree's `source_file` holds what code looking up from a node of
/// the declaration finds there in the whole file's tree: the imports, and
/// the file's package-level variables and constants. Nodes keep their
/// offsets in the file.
struct Chunks {
    /// The header's and the `var` and `const` declarations' bytes, parsed
    /// with every declaration.
    base: Vec<Range<usize>>,
    list: Vec<Chunk>,
    /// The tree of `base` alone, which serves the `var` and `const`
    /// declarations (`None` on a syntax error).
    values: OnceLock<Option<GoRoot>>,
}

/// One top-level declaration of a [`Chunks`].
struct Chunk {
    range: Range<usize>,
    /// A `var` or `const` declaration (part of every chunk's tree).
    value: bool,
    /// As [`ViewFile::outer_names`], for this declaration alone.
    names: Option<OuterNames>,
    /// The tree of the base and this declaration (`None` on a syntax
    /// error); unused for a `var` or `const` declaration.
    tree: OnceLock<Option<GoRoot>>,
}

impl Chunk {
    /// Whether the declaration may be where a lookup on the whole file
    /// finds `name`.
    fn may_declare(&self, want: Want, name: &str) -> bool {
        self.names
            .as_ref()
            .is_none_or(|n| n.may_declare(want, name))
    }
}

impl Chunks {
    /// `text` split at its top-level declarations, or `None` when it is not
    /// in a shape to split with confidence: it is then parsed whole.
    fn split(text: &str) -> Option<Chunks> {
        let layout = Layout::scan(text.as_bytes(), &Words::default())?;
        // A declaration that does not start a line at column 0 stays in
        // the header or in the chunk before it: the chunks then name it,
        // but the header is never looked into.
        if !outer_names(&text[..layout.header_end])?.0.is_empty() {
            return None;
        }
        let mut base = Vec::with_capacity(layout.decls.len() + 1);
        base.push(0..layout.header_end);
        let mut list = Vec::with_capacity(layout.decls.len());
        for d in layout.decls {
            if d.value {
                push_range(&mut base, d.range.clone());
            }
            list.push(Chunk {
                names: outer_names(&text[d.range.clone()]),
                range: d.range,
                value: d.value,
                tree: OnceLock::new(),
            });
        }
        Some(Chunks {
            base,
            list,
            values: OnceLock::new(),
        })
    }

    /// The tree that holds chunk `j`, or `None` when parsing it alone
    /// gives a syntax error.
    fn tree(&self, text: &str, j: usize) -> Option<&GoRoot> {
        let chunk = &self.list[j];
        let cell = if chunk.value {
            &self.values
        } else {
            &chunk.tree
        };
        cell.get_or_init(|| {
            let mut ranges = Vec::with_capacity(self.base.len() + 1);
            let mut own = (!chunk.value).then(|| chunk.range.clone());
            for r in &self.base {
                if let Some(c) = own.take_if(|c| c.start < r.start) {
                    push_range(&mut ranges, c);
                }
                push_range(&mut ranges, r.clone());
            }
            if let Some(c) = own {
                push_range(&mut ranges, c);
            }
            let end = ranges.last().map_or(0, |r| r.end);
            // The text past the last range is not needed.
            let tree = parse_ranges(&text[..end], &ranges)?;
            (!has_syntax_error(&tree.root())).then_some(tree)
        })
        .as_ref()
    }

    /// The top-level declarations of chunk `j` (with the comments in its
    /// bytes), or `None` when it does not parse alone.
    fn decls<'r>(&'r self, text: &str, j: usize) -> Option<Vec<GoNode<'r>>> {
        let range = &self.list[j].range;
        let tree = self.tree(text, j)?;
        Some(
            tree.root()
                .children()
                .filter(|d| range.start <= d.range().start && d.range().end <= range.end)
                .collect(),
        )
    }
}

/// Appends `r` to sorted `ranges`, joining it to the last one when they
/// touch.
fn push_range(ranges: &mut Vec<Range<usize>>, r: Range<usize>) {
    match ranges.last_mut() {
        Some(last) if last.end == r.start => last.end = r.end,
        _ => ranges.push(r),
    }
}

impl ViewFile {
    /// Whether the file may declare `name` at its top level (outside
    /// braces), as a declaration of kind `want`.
    fn may_declare(&self, want: Want, name: &str) -> bool {
        self.outer_names
            .as_ref()
            .is_none_or(|n| n.contains_outer(name) && n.may_declare(want, name))
    }

    fn root(&self) -> &GoRoot {
        self.root.get_or_init(|| parse(&self.text))
    }

    /// The whole file's top-level declarations.
    fn whole_decls(&self) -> FileDecls<'_> {
        FileDecls::new(self.root().root().children().collect())
    }

    /// The file split at its declarations (`None`: parse it whole).
    fn chunks(&self) -> Option<&Chunks> {
        self.chunks
            .get_or_init(|| Chunks::split(&self.text))
            .as_ref()
    }
}

impl PackageView {
    /// The files with package clause `name` among `files`. Test files join
    /// only a test file's view (`_test.go` files are compiled with the
    /// package only under `go test`).
    pub fn build(files: Vec<(PathBuf, String)>, name: &str, tests: bool) -> PackageView {
        let mut out = Vec::new();
        for (path, text) in files {
            let is_test = path.to_string_lossy().ends_with("_test.go");
            if is_test && !tests {
                continue;
            }
            if package_clause(&text).as_deref() != Some(name) {
                continue;
            }
            out.push(ViewFile {
                path,
                outer_names: outer_names(&text),
                text,
                root: OnceLock::new(),
                chunks: OnceLock::new(),
            });
        }
        PackageView { files: out }
    }

    /// An empty view: the file is alone in its package.
    pub fn empty() -> PackageView {
        PackageView { files: Vec::new() }
    }

    /// The roots of the other files (all of them parsed).
    pub fn roots(&self) -> impl Iterator<Item = &GoRoot> {
        self.files.iter().map(ViewFile::root)
    }
}

/// What a lookup looks for: the kind of declaration that can answer it.
#[derive(Clone, Copy)]
enum Want {
    /// A function or a method.
    Func = 2,
    /// A type.
    Type = 4,
    /// A package-level variable.
    Var = 8,
}

/// Any name outside braces: what the file-level filter has always read.
const OUTER: u8 = 1;

/// The names a text may declare at its top level, each with the kinds of
/// declaration ([`Want`] bits) it may name, and [`OUTER`] when it is in
/// the set [`outer_names`] describes.
#[derive(Debug, PartialEq)]
pub struct OuterNames(HashMap<Box<str>, u8>);

impl OuterNames {
    /// Whether the text may hold a top-level declaration of kind `want`
    /// named `name` that a lookup on its whole tree would find.
    fn may_declare(&self, want: Want, name: &str) -> bool {
        self.0.get(name).is_some_and(|&k| k & want as u8 != 0)
    }

    /// Whether `name` is outside braces: the set the file-level filter
    /// has always read.
    fn contains_outer(&self, name: &str) -> bool {
        self.0.get(name).is_some_and(|&k| k & OUTER != 0)
    }

    #[cfg(test)]
    fn contains(&self, name: &str) -> bool {
        self.contains_outer(name)
    }

    fn add(&mut self, name: &str, kinds: u8) {
        match self.0.get_mut(name) {
            Some(k) => *k |= kinds,
            None => {
                self.0.insert(name.into(), kinds);
            }
        }
    }
}

/// The names `text` may declare at its top level, read with a small lexer
/// that skips comments, strings and runes and keeps, outside every brace
/// and bracket: the first identifier after `func` outside parentheses (a
/// function's or method's name), and every identifier of a `type`, `var`
/// or `const` declaration outside parentheses or one level in (its block).
/// The set may hold more than the declared names, never fewer. `None` when
/// the brackets do not balance: the file may then declare anything.
///
/// Each name also tells the kinds of declaration it may name, so that a
/// lookup of a function skips the `var` that only uses its name. The names
/// of `var` declarations are taken at any depth: the variables of a
/// package-level `var` are indexed with those of the function literals in
/// its value.
fn outer_names(text: &str) -> Option<OuterNames> {
    #[derive(PartialEq)]
    enum Decl {
        Func { named: bool },
        Other(u8),
        Skip,
    }
    let mut names = OuterNames(HashMap::new());
    let (mut braces, mut parens, mut brackets) = (0usize, 0usize, 0usize);
    let mut decl = Decl::Skip;
    let mut tokens = Tokens::new(text.as_bytes());
    for t in tokens.by_ref() {
        let word = match t {
            Token::Bracket(c) => {
                let n = match c {
                    b'{' | b'}' => &mut braces,
                    b'(' | b')' => &mut parens,
                    _ => &mut brackets,
                };
                if matches!(c, b'{' | b'(' | b'[') {
                    *n += 1;
                } else {
                    *n = n.checked_sub(1)?;
                }
                continue;
            }
            Token::Word(w) => w,
        };
        if word[0].is_ascii_digit() {
            continue;
        }
        let word = std::str::from_utf8(word).ok()?;
        if braces > 0 || brackets > 0 {
            if decl == Decl::Other(Want::Var as u8) {
                names.add(word, Want::Var as u8);
            }
            continue;
        }
        if parens == 0 {
            match word {
                "func" => {
                    decl = Decl::Func { named: false };
                    continue;
                }
                "type" => {
                    decl = Decl::Other(Want::Type as u8);
                    continue;
                }
                "var" => {
                    decl = Decl::Other(Want::Var as u8);
                    continue;
                }
                "const" => {
                    decl = Decl::Other(0);
                    continue;
                }
                "import" | "package" => {
                    decl = Decl::Skip;
                    continue;
                }
                _ => {}
            }
        }
        match &mut decl {
            Decl::Func { named } if parens == 0 && !*named => {
                *named = true;
                names.add(word, OUTER | Want::Func as u8);
            }
            Decl::Other(kind) if parens <= 1 => {
                names.add(word, OUTER | *kind);
            }
            Decl::Other(kind) if *kind == Want::Var as u8 => {
                names.add(word, Want::Var as u8);
            }
            _ => {}
        }
    }
    (!tokens.broken() && braces == 0 && parens == 0 && brackets == 0).then_some(names)
}

/// The package name from the first `package` line of `text`, read without
/// parsing (comments before it are skipped line by line).
pub fn package_clause(text: &str) -> Option<String> {
    let mut in_block = false;
    for line in text.lines() {
        let t = line.trim();
        if in_block {
            if let Some(i) = t.find("*/") {
                in_block = false;
                if !t[i + 2..].trim().is_empty() {
                    return None;
                }
            }
            continue;
        }
        if t.is_empty() || t.starts_with("//") {
            continue;
        }
        if t.starts_with("/*") {
            in_block = !t.contains("*/");
            continue;
        }
        let rest = t.strip_prefix("package")?;
        let name: String = rest
            .trim_start()
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        return (!name.is_empty()).then_some(name);
    }
    None
}

/// How many directories' views a run keeps at once: files arrive sorted by
/// path, so a directory's files are processed together and old views are
/// rarely needed again.
const CACHED_DIRECTORIES: usize = 64;

/// Views per (directory, package name, tests), shared by every file of a run.
pub struct PackageCache {
    source: Box<dyn PackageSource>,
    views: Mutex<VecDeque<(CacheKey, ViewCell)>>,
}

type CacheKey = (PathBuf, String, bool);

/// A directory's view, built once by whichever file needs it first.
type ViewCell = Arc<OnceLock<Arc<PackageView>>>;

impl PackageCache {
    pub fn new(source: impl PackageSource + 'static) -> Self {
        PackageCache {
            source: Box::new(source),
            views: Mutex::default(),
        }
    }

    /// The view of the package `name` that `path` belongs to.
    pub fn view_for(&self, path: &Path, name: &str, tests: bool) -> Arc<PackageView> {
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let key = (dir, name.to_string(), tests);
        let cell = {
            let mut views = self.views.lock().expect("package cache");
            match views.iter().find(|(k, _)| *k == key) {
                Some((_, cell)) => cell.clone(),
                None => {
                    let cell = Arc::new(OnceLock::new());
                    views.push_back((key, cell.clone()));
                    if views.len() > CACHED_DIRECTORIES {
                        views.pop_front();
                    }
                    cell
                }
            }
        };
        // The view holds every file of the directory; each file's lookups
        // skip its own entry and use the text being analysed instead.
        cell.get_or_init(|| {
            Arc::new(PackageView::build(
                self.source.package_files(path),
                name,
                tests,
            ))
        })
        .clone()
    }

    /// Drops every view. Files arrive sorted by path, so once a batch of
    /// files is done its directories' views are rarely needed again; a view
    /// asked for later is built anew. Without this, views of the few
    /// directories that ask for one would stay alive for the whole run and
    /// memory would grow with the repository.
    pub fn clear(&self) {
        self.views.lock().expect("package cache").clear();
    }
}

/// A file's access to its package, built at most once per file.
pub struct PackageHandle<'c> {
    from: PackageFrom<'c>,
    path: PathBuf,
    cell: OnceLock<Arc<PackageView>>,
}

enum PackageFrom<'c> {
    /// The file is alone in its package.
    Nothing,
    /// The run's shared cache.
    Cache(&'c PackageCache),
    /// Files handed over by the caller (e.g. read from a commit).
    Files(Mutex<Option<Vec<(PathBuf, String)>>>),
}

impl<'c> PackageHandle<'c> {
    /// A handle that reads the package through `cache` (or sees no other
    /// file without one).
    pub fn new(cache: Option<&'c PackageCache>, path: &Path) -> Self {
        PackageHandle {
            from: cache.map_or(PackageFrom::Nothing, PackageFrom::Cache),
            path: path.to_path_buf(),
            cell: OnceLock::new(),
        }
    }

    /// A handle over the given files of the directory (parsed on first use).
    pub fn with_files(path: &Path, files: Vec<(PathBuf, String)>) -> Self {
        PackageHandle {
            from: PackageFrom::Files(Mutex::new(Some(files))),
            path: path.to_path_buf(),
            cell: OnceLock::new(),
        }
    }

    /// The view (empty when nothing tells the package).
    pub fn view(&self, package_name: &str, tests: bool) -> &PackageView {
        self.cell.get_or_init(|| match &self.from {
            PackageFrom::Nothing => Arc::new(PackageView::empty()),
            PackageFrom::Cache(c) => c.view_for(&self.path, package_name, tests),
            PackageFrom::Files(files) => {
                let files = files
                    .lock()
                    .expect("package files")
                    .take()
                    .unwrap_or_default();
                Arc::new(PackageView::build(files, package_name, tests))
            }
        })
    }

    /// Whether `file` (a path of the view) is the file this handle is for.
    fn is_self(&self, file: &Path) -> bool {
        file == self.path
    }
}

/// What a call reaches, as far as the source shows.
#[derive(Clone)]
pub enum Callee<'r> {
    /// A function or method declared in the package.
    Declared(GoNode<'r>),
    /// A function of an imported package: (import path, name).
    Imported(String, String),
    /// A built-in function (`len`, `close`, `make`...).
    Builtin(String),
    /// A method of the standard library called on a value whose type is not
    /// visible, or a function value: nothing is known.
    Unknown(String),
}

const BUILTINS: &[&str] = &[
    "append", "cap", "clear", "close", "complex", "copy", "delete", "imag", "len", "make", "max",
    "min", "new", "panic", "print", "println", "real", "recover",
];

/// The top-level declarations of a file's package with the lookups by name
/// that recipes make. Lookups find the first declaration in package order
/// (this file's first, then the view's files in order), as a linear search
/// over every declaration would; the files of the view are indexed (and
/// parsed) only when they may declare the name looked up.
pub struct DeclIndex<'r> {
    /// This file's declarations, from its whole tree (parsed on first use).
    own: OnceCell<FileDecls<'r>>,
    /// Lookups in this file go through its copy in the view, split at its
    /// declarations: the file is being screened (its whole tree is not
    /// needed otherwise) and the view holds the same text.
    own_in_view: bool,
    view: &'r PackageView,
    /// Per file of the view, its declarations (for the file being analysed,
    /// which the view also holds, only when `own_in_view`).
    others: Vec<OtherDecls<'r>>,
    all: OnceCell<Vec<GoNode<'r>>>,
    skip: Option<usize>,
}

/// A view file's declarations, indexed as far as lookups needed.
#[derive(Default)]
struct OtherDecls<'r> {
    /// Per chunk of the file (see [`Chunks`]), its declarations; `None`
    /// when the chunk does not parse alone.
    chunks: OnceCell<Vec<OnceCell<Option<FileDecls<'r>>>>>,
    /// The whole file's, when it is not split or a chunk does not parse.
    whole: OnceCell<FileDecls<'r>>,
}

/// One file's top-level declarations, by name.
struct FileDecls<'r> {
    decls: Vec<GoNode<'r>>,
    functions: HashMap<String, usize>,
    methods: HashMap<(String, String), usize>,
    types: HashMap<String, GoNode<'r>>,
    vars: HashMap<String, usize>,
}

impl<'r> FileDecls<'r> {
    fn new(decls: Vec<GoNode<'r>>) -> Self {
        let mut functions = HashMap::new();
        let mut methods = HashMap::new();
        let mut types = HashMap::new();
        let mut vars = HashMap::new();
        for (i, d) in decls.iter().enumerate() {
            match &*d.kind() {
                "function_declaration" => {
                    if let Some(n) = d.field("name") {
                        functions.entry(n.text().to_string()).or_insert(i);
                    }
                }
                "method_declaration" => {
                    let ty = d.field("receiver").and_then(|r| receiver_type_name(&r));
                    if let (Some(n), Some(ty)) = (d.field("name"), ty) {
                        methods.entry((ty, n.text().to_string())).or_insert(i);
                    }
                }
                "type_declaration" => {
                    for s in d.named_children() {
                        if matches!(&*s.kind(), "type_spec" | "type_alias") {
                            if let Some(n) = s.field("name") {
                                types.entry(n.text().to_string()).or_insert(s.clone());
                            }
                        }
                    }
                }
                "var_declaration" => {
                    for s in d.dfs().filter(|n| n.kind() == "var_spec") {
                        for n in s.field_children("name") {
                            vars.entry(n.text().to_string()).or_insert(i);
                        }
                    }
                }
                _ => {}
            }
        }
        FileDecls {
            decls,
            functions,
            methods,
            types,
            vars,
        }
    }
}

impl<'r> DeclIndex<'r> {
    /// The first file (this one, then the view's) whose declarations give
    /// `pick` an answer; only files that may declare `name` are looked at.
    /// `own` gives this file's declarations when they are not looked up
    /// through the view.
    ///
    /// In a view file split at its declarations, only the declarations
    /// that may declare `name` as a `want` are parsed and looked at, in
    /// file order.
    /// `pick` answers from the entry its map holds for the name, the file's
    /// first declaration of it: on the first declaration of the file that
    /// gives an answer, it gives the one it gives on the whole file.
    fn first<'a, T>(
        &'a self,
        own: impl FnOnce() -> &'a FileDecls<'r>,
        want: Want,
        name: &str,
        pick: impl Fn(&FileDecls<'r>) -> Option<T>,
    ) -> Option<T> {
        if !self.own_in_view {
            if let Some(found) = pick(own()) {
                return Some(found);
            }
        }
        for i in self.order() {
            if !self.view.files[i].may_declare(want, name) {
                continue;
            }
            let found = self.first_in(i, want, name, &pick);
            if found.is_some() {
                return found;
            }
        }
        None
    }

    /// The view's files to look into, in package order: this file's copy
    /// first when lookups go through it, and never otherwise.
    fn order(&self) -> impl Iterator<Item = usize> {
        let (skip, n) = (self.skip, self.view.files.len());
        let own = skip.filter(|_| self.own_in_view);
        own.into_iter()
            .chain((0..n).filter(move |&i| Some(i) != skip))
    }

    /// [`Self::first`] in view file `i`.
    fn first_in<T>(
        &self,
        i: usize,
        want: Want,
        name: &str,
        pick: &impl Fn(&FileDecls<'r>) -> Option<T>,
    ) -> Option<T> {
        let f = &self.view.files[i];
        let index = &self.others[i];
        let Some(chunks) = f.chunks() else {
            return pick(index.whole.get_or_init(|| f.whole_decls()));
        };
        for (j, chunk) in chunks.list.iter().enumerate() {
            if !chunk.may_declare(want, name) {
                continue;
            }
            match self.chunk_decls(i, chunks, j) {
                Some(d) => {
                    if let Some(found) = pick(d) {
                        return Some(found);
                    }
                }
                None => return pick(index.whole.get_or_init(|| f.whole_decls())),
            }
        }
        None
    }

    /// The declarations of chunk `j` of view file `i`, or `None` when the
    /// chunk does not parse alone.
    fn chunk_decls(&self, i: usize, chunks: &'r Chunks, j: usize) -> Option<&FileDecls<'r>> {
        let f = &self.view.files[i];
        let cells = self.others[i]
            .chunks
            .get_or_init(|| chunks.list.iter().map(|_| OnceCell::new()).collect());
        cells[j]
            .get_or_init(|| chunks.decls(&f.text, j).map(FileDecls::new))
            .as_ref()
    }

    /// The top-level declarations of view file `i` whose text holds one
    /// of `words`, in file order; in a file split at its declarations,
    /// only the declarations whose bytes hold one are parsed.
    fn mentioning(&self, i: usize, words: &[&str]) -> Vec<GoNode<'r>> {
        let f = &self.view.files[i];
        let holds = |t: &str| words.iter().any(|w| t.contains(w));
        let mentions = |d: &GoNode<'r>| holds(&d.text());
        if let Some(chunks) = f.chunks() {
            let mut out = Vec::new();
            let mut split = true;
            for (j, chunk) in chunks.list.iter().enumerate() {
                if !holds(&f.text[chunk.range.clone()]) {
                    continue;
                }
                match self.chunk_decls(i, chunks, j) {
                    Some(d) => out.extend(d.decls.iter().filter(|d| mentions(d)).cloned()),
                    None => {
                        split = false;
                        break;
                    }
                }
            }
            if split {
                return out;
            }
        }
        let whole = self.others[i].whole.get_or_init(|| f.whole_decls());
        whole
            .decls
            .iter()
            .filter(|d| mentions(d))
            .cloned()
            .collect()
    }
}

impl<'r> FileContext<'r> {
    /// The package's declarations, indexed on first use.
    fn decl_index(&self) -> &DeclIndex<'r> {
        self.memo.decls.get_or_init(|| {
            let view = self.package_view();
            let skip = view
                .files
                .iter()
                .position(|f| self.package.is_self(&f.path));
            DeclIndex {
                own: OnceCell::new(),
                own_in_view: self.whole.is_some()
                    && skip.is_some_and(|i| view.files[i].text == self.source),
                view,
                others: view.files.iter().map(|_| OtherDecls::default()).collect(),
                all: OnceCell::new(),
                skip,
            }
        })
    }

    /// This file's declarations, from its whole tree.
    fn own_decls(&self) -> &FileDecls<'r> {
        self.decl_index()
            .own
            .get_or_init(|| FileDecls::new(self.whole_root().root().children().collect()))
    }

    /// [`DeclIndex::first`] on this file's package.
    fn first_declared<T>(
        &self,
        want: Want,
        name: &str,
        pick: impl Fn(&FileDecls<'r>) -> Option<T>,
    ) -> Option<T> {
        self.decl_index()
            .first(|| self.own_decls(), want, name, pick)
    }

    /// Every top-level declaration of the package: this file's first, then
    /// the other files' (when the run has a package view).
    pub fn package_decls(&self) -> &[GoNode<'r>] {
        let own = self.own_decls();
        let index = self.decl_index();
        index.all.get_or_init(|| {
            let mut out = own.decls.clone();
            for (i, f) in index.view.files.iter().enumerate() {
                if Some(i) != index.skip {
                    out.extend(f.root().root().children());
                }
            }
            out
        })
    }

    /// The top-level declarations of the package whose text holds one of
    /// `words`, in package order (this file's first). Code that looks only
    /// for nodes whose text holds one of `words` finds in them what it
    /// finds in [`Self::package_decls`], without parsing the files, or the
    /// declarations of a file split at them, that cannot hold such a node.
    pub fn package_decls_mentioning(&self, words: &[&str]) -> Vec<GoNode<'r>> {
        let index = self.decl_index();
        if let Some(all) = index.all.get() {
            return all.clone();
        }
        let mut out = Vec::new();
        if !index.own_in_view {
            out.extend(
                self.own_decls()
                    .decls
                    .iter()
                    .filter(|d| words.iter().any(|w| d.text().contains(w)))
                    .cloned(),
            );
        }
        for i in index.order() {
            if words.iter().any(|w| index.view.files[i].text.contains(w)) {
                out.extend(index.mentioning(i, words));
            }
        }
        out
    }

    /// Whether this file may declare a function or a method named `name`
    /// at its top level: told from its bytes, lexed once, so that a lookup
    /// in a file that cannot declare it parses nothing. `false` only when
    /// the file surely does not.
    pub fn may_declare_function(&self, name: &str) -> bool {
        self.memo
            .outer_names
            .get_or_init(|| outer_names(self.source))
            .as_ref()
            .is_none_or(|n| n.contains_outer(name) && n.may_declare(Want::Func, name))
    }

    /// The package view of this file (other files of the same package).
    pub fn package_view(&self) -> &'r PackageView {
        self.package.view(&self.package_name(), self.is_test_file())
    }

    /// The top-level function `name` of the package.
    pub fn package_function(&self, name: &str) -> Option<GoNode<'r>> {
        self.first_declared(Want::Func, name, |f| {
            f.functions.get(name).map(|&i| f.decls[i].clone())
        })
    }

    /// The method `name` of the package's type `ty`.
    pub fn package_method(&self, ty: &str, name: &str) -> Option<GoNode<'r>> {
        let key = (ty.to_string(), name.to_string());
        self.first_declared(Want::Func, name, |f| {
            f.methods.get(&key).map(|&i| f.decls[i].clone())
        })
    }

    /// The type spec of the package's type `ty`.
    pub fn package_type(&self, ty: &str) -> Option<GoNode<'r>> {
        self.first_declared(Want::Type, ty, |f| f.types.get(ty).cloned())
    }

    /// The declared type of field `field` of the package's struct type `ty`.
    pub fn struct_field_type(&self, ty: &str, field: &str) -> Option<GoNode<'r>> {
        let spec = self.package_type(ty)?;
        let st = spec.field("type")?;
        if st.kind() != "struct_type" {
            return None;
        }
        let found = st
            .dfs()
            .filter(|n| n.kind() == "field_declaration")
            .find(|fd| fd.field_children("name").any(|n| n.text() == field))?
            .field("type");
        found
    }

    /// What `call` (a `call_expression`) reaches.
    ///
    /// The answer depends on the node alone, and the same calls are asked
    /// about again and again (once by [`Self::reachable`], once more by the
    /// recipe that reads its bodies, once per call site that leads to a
    /// helper): each node is resolved once per file. Nodes live as long as
    /// the context, so their ids cannot be reused for other nodes.
    pub fn resolve_call(&self, call: &GoNode<'r>) -> Callee<'r> {
        let id = call.node_id();
        if let Some(known) = self.memo.callees.borrow().get(&id) {
            return known.clone();
        }
        let callee = self.resolve_call_once(call);
        self.memo.callees.borrow_mut().insert(id, callee.clone());
        callee
    }

    /// [`Self::resolve_call`] without the memo.
    fn resolve_call_once(&self, call: &GoNode<'r>) -> Callee<'r> {
        let Some(f) = call.field("function") else {
            return Callee::Unknown(String::new());
        };
        match &*f.kind() {
            "identifier" => {
                let name = f.text().to_string();
                if self.is_shadowed(&f, &name) {
                    return Callee::Unknown(name);
                }
                if let Some(d) = self.package_function(&name) {
                    return Callee::Declared(d);
                }
                if BUILTINS.contains(&name.as_str()) {
                    return Callee::Builtin(name);
                }
                Callee::Unknown(name)
            }
            "selector_expression" => {
                let (Some(operand), Some(field)) = (f.field("operand"), f.field("field")) else {
                    return Callee::Unknown(f.text().to_string());
                };
                let method = field.text().to_string();
                if operand.kind() == "identifier" {
                    let name = operand.text().to_string();
                    if !self.is_shadowed(&operand, &name) {
                        if let Some(path) = self.imports.path_of(&name) {
                            return Callee::Imported(path.to_string(), method);
                        }
                    }
                }
                match self.type_of(&operand) {
                    Some(ty) => match self.package_method(&ty, &method) {
                        Some(m) => Callee::Declared(m),
                        None => Callee::Unknown(method),
                    },
                    None => Callee::Unknown(method),
                }
            }
            "parenthesized_expression" => Callee::Unknown(f.text().to_string()),
            _ => Callee::Unknown(f.text().to_string()),
        }
    }

    /// The name of the package type of `expr`, when the source shows it: a
    /// receiver, parameter or local declared with that type, or a field of
    /// such a value.
    pub fn type_of(&self, expr: &GoNode<'_>) -> Option<String> {
        match &*expr.kind() {
            "identifier" => declared_type(expr, &expr.text()),
            "selector_expression" => {
                let base = self.type_of(&expr.field("operand")?)?;
                let field = expr.field("field")?.text().to_string();
                named_type(&self.struct_field_type(&base, &field)?)
            }
            "parenthesized_expression" => self.type_of(&expr.named_children().next()?),
            "unary_expression" => self.type_of(&expr.field("operand")?),
            _ => None,
        }
        .filter(|t| self.package_type(t).is_some())
    }

    /// The bodies a piece of code reaches through calls resolved in the
    /// package, `depth` levels deep (the code itself not included), and the
    /// calls that could not be resolved.
    pub fn reachable(&self, code: &GoNode<'r>, depth: usize) -> Reach<'r> {
        let mut reach = Reach::default();
        let mut frontier = vec![code.clone()];
        let mut seen: Vec<(std::ops::Range<usize>, String)> = Vec::new();
        for level in 0..=depth {
            let mut next = Vec::new();
            for c in &frontier {
                for call in c.dfs().filter(|n| n.kind() == "call_expression") {
                    match self.resolve_call(&call) {
                        Callee::Declared(d) => {
                            if level == depth {
                                continue;
                            }
                            // Ranges are per file; the declaration's name
                            // and receiver tell files apart.
                            let key = (d.range(), decl_key(&d));
                            if seen.contains(&key) {
                                continue;
                            }
                            seen.push(key);
                            reach.bodies.push(d.clone());
                            next.push(d);
                        }
                        Callee::Unknown(name) => {
                            if !reach.unknown.contains(&name) {
                                reach.unknown.push(name);
                            }
                        }
                        Callee::Imported(path, name) => {
                            let key = (path, name);
                            if !reach.imported.contains(&key) {
                                reach.imported.push(key);
                            }
                        }
                        Callee::Builtin(_) => {}
                    }
                }
            }
            frontier = next;
        }
        reach
    }
}

/// A declaration's name with its receiver type, if a method.
fn decl_key(d: &GoNode<'_>) -> String {
    let name = d
        .field("name")
        .map(|n| n.text().to_string())
        .unwrap_or_default();
    match d.field("receiver").and_then(|r| receiver_type_name(&r)) {
        Some(t) => format!("{t}.{name}"),
        None => name,
    }
}

/// What [`FileContext::reachable`] found.
#[derive(Default)]
pub struct Reach<'r> {
    /// Declarations of the package reached through calls.
    pub bodies: Vec<GoNode<'r>>,
    /// Names of calls that could not be resolved.
    pub unknown: Vec<String>,
    /// Functions of imported packages called: (path, name).
    pub imported: Vec<(String, String)>,
}

/// The type name of a method receiver list: `(s *Server)` and
/// `(s Server[T])` give `Server`.
pub fn receiver_type_name(receiver: &GoNode<'_>) -> Option<String> {
    let p = receiver
        .named_children()
        .find(|c| c.kind() == "parameter_declaration")?;
    named_type(&p.field("type")?)
}

/// The package-local type named by a type expression: `T`, `*T`, `T[X]`.
fn named_type(ty: &GoNode<'_>) -> Option<String> {
    match &*ty.kind() {
        "type_identifier" => Some(ty.text().to_string()),
        "pointer_type" => named_type(&ty.named_children().next()?),
        "generic_type" => named_type(&ty.field("type")?),
        "parenthesized_type" => named_type(&ty.named_children().next()?),
        _ => None,
    }
}

/// The declared type of the variable `name` used at `node`: a receiver or
/// parameter of an enclosing function, or a local `var x T`, `x := T{}`,
/// `x := &T{}` or `x := new(T)` before it.
fn declared_type(node: &GoNode<'_>, name: &str) -> Option<String> {
    let d = local_declaration_in_file(node, name)?;
    match d.ty {
        Some(t) => named_type(&t),
        None => value_type(&d.value?),
    }
}

/// What the source says about a name visible at a point.
pub struct LocalDecl<'r> {
    /// The declared type, if written.
    pub ty: Option<GoNode<'r>>,
    /// The value it is declared with (for `a, b := f()`, the call).
    pub value: Option<GoNode<'r>>,
    /// Whether the name was declared by a parameter or receiver.
    pub parameter: bool,
}

/// Where the walk of [`scoped_declaration`] ended.
enum Scoped<'r> {
    /// Declared inside a function (or as its parameter).
    Local(LocalDecl<'r>),
    /// Not declared inside any function: the file's top level.
    TopLevel(GoNode<'r>),
}

/// The declaration of `name` as seen at `node`, inside the functions
/// around it: a parameter or receiver, a local `var` or `:=` before it.
fn scoped_declaration<'r>(node: &GoNode<'r>, name: &str) -> Option<Scoped<'r>> {
    let mut child = node.clone();
    for anc in node.ancestors() {
        match &*anc.kind() {
            _ if is_function(&anc) => {
                for list in ["receiver", "parameters"] {
                    let Some(params) = anc.field(list) else {
                        continue;
                    };
                    for p in params.named_children() {
                        if p.field_children("name").any(|n| n.text() == name) {
                            return Some(Scoped::Local(LocalDecl {
                                ty: p.field("type"),
                                value: None,
                                parameter: true,
                            }));
                        }
                    }
                }
            }
            "source_file" => return Some(Scoped::TopLevel(anc)),
            _ => {
                let mut found = None;
                for s in anc.children() {
                    if s.range().start >= child.range().start {
                        break;
                    }
                    if let Some(d) = declaration_in(&s, name) {
                        found = Some(d);
                    }
                }
                if let Some(init) = anc.field("initializer") {
                    if init.range().end <= child.range().start {
                        if let Some(d) = declaration_in(&init, name) {
                            found = Some(d);
                        }
                    }
                }
                if let Some(d) = found {
                    return Some(Scoped::Local(d));
                }
            }
        }
        child = anc;
    }
    None
}

/// The declaration of `name` as seen at `node` within its own file: a
/// parameter or receiver, a local `var` or `:=` before it, or a top-level
/// `var` of that file (for nodes of any file of the package view).
pub fn local_declaration_in_file<'r>(node: &GoNode<'r>, name: &str) -> Option<LocalDecl<'r>> {
    match scoped_declaration(node, name)? {
        Scoped::Local(d) => Some(d),
        Scoped::TopLevel(file) => file
            .children()
            .filter(|d| d.kind() == "var_declaration")
            .find_map(|d| declaration_in(&d, name)),
    }
}

impl<'r> FileContext<'r> {
    /// The declaration of `name` as seen at `node` of this file: a
    /// parameter or receiver, a local `var` or `:=` before it, or a
    /// package-level `var` of any file of the package.
    pub fn local_declaration(&self, node: &GoNode<'r>, name: &str) -> Option<LocalDecl<'r>> {
        match scoped_declaration(node, name)? {
            Scoped::Local(d) => Some(d),
            Scoped::TopLevel(_) => self.first_declared(Want::Var, name, |f| {
                let &i = f.vars.get(name)?;
                declaration_in(&f.decls[i], name)
            }),
        }
    }
}

/// The declaration of `name` made by the statement `stmt` itself.
fn declaration_in<'r>(stmt: &GoNode<'r>, name: &str) -> Option<LocalDecl<'r>> {
    match &*stmt.kind() {
        "var_declaration" => stmt.dfs().filter(|n| n.kind() == "var_spec").find_map(|s| {
            let names: Vec<GoNode> = s.field_children("name").collect();
            let i = names.iter().position(|n| n.text() == name)?;
            let values: Vec<GoNode> = s
                .field("value")
                .map(|v| v.named_children().collect())
                .unwrap_or_default();
            let value = if values.len() == names.len() {
                values.get(i).cloned()
            } else {
                values.first().cloned()
            };
            Some(LocalDecl {
                ty: s.field("type"),
                value,
                parameter: false,
            })
        }),
        "short_var_declaration" if stmt.children().any(|c| c.kind() == ":=") => {
            let left: Vec<GoNode> = stmt.field("left")?.named_children().collect();
            let right: Vec<GoNode> = stmt.field("right")?.named_children().collect();
            let i = left.iter().position(|l| l.text() == name)?;
            let value = if left.len() == right.len() {
                right.get(i).cloned()
            } else {
                right.first().cloned()
            };
            Some(LocalDecl {
                ty: None,
                value,
                parameter: false,
            })
        }
        "range_clause" | "for_clause" | "receive_statement" | "type_switch_statement" => {
            let mut names = Vec::new();
            declared_names(stmt, &mut names);
            names.iter().any(|n| n == name).then_some(LocalDecl {
                ty: None,
                value: None,
                parameter: false,
            })
        }
        _ => None,
    }
}

/// The type of `T{...}`, `&T{...}` or `new(T)`.
fn value_type(v: &GoNode<'_>) -> Option<String> {
    match &*v.kind() {
        "composite_literal" => named_type(&v.field("type")?),
        "unary_expression" if v.field("operator").is_some_and(|o| o.text() == "&") => {
            value_type(&v.field("operand")?)
        }
        "call_expression" => {
            let f = v.field("function")?;
            if f.kind() == "identifier" && f.text() == "new" {
                let arg = v.field("arguments")?.named_children().next()?;
                named_type(&arg)
            } else {
                None
            }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_clause_is_read_past_comments() {
        assert_eq!(
            package_clause("// Copyright\n/* x\n y */\n\npackage foo // c\n").as_deref(),
            Some("foo")
        );
        assert_eq!(
            package_clause("//go:build linux\n\npackage bar_test\n").as_deref(),
            Some("bar_test")
        );
        assert_eq!(package_clause("func main() {}\n"), None);
    }

    /// Every name a file declares at top level is among its outer names,
    /// whatever the comments, strings and nested braces around it.
    #[test]
    fn outer_names_hold_every_top_level_name() {
        let src = "package p\n\nimport (\n\tx \"fmt\"\n)\n\n// func hidden() {\n/* } func alsoHidden() { */\nconst (\n\tA, B = 1, 2\n\tC = \"}{\"\n)\n\nvar r = '}'\nvar raw = `\n}\nfunc notReal() {\n`\n\ntype (\n\tT struct{ f int }\n\tG[X any] []X\n)\n\nfunc (t *T) Method(a uintptr) (int, error) { return 0, nil }\n\nfunc Generic[K comparable](k K) K {\n\tfunc() { var inner int; _ = inner }()\n\treturn k\n}\n\nvar fn func(int) error\n";
        let names = outer_names(src).expect("balanced");
        let root = parse(src);
        let mut declared = Vec::new();
        for d in root.root().children() {
            for n in d.dfs() {
                let parent = n.parent().map(|p| p.kind().to_string()).unwrap_or_default();
                let is_name = n
                    .parent()
                    .and_then(|p| p.field("name"))
                    .is_some_and(|f| f.range() == n.range());
                let in_body = n.ancestors().any(|a| a.kind() == "block");
                if is_name
                    && !in_body
                    && matches!(
                        parent.as_str(),
                        "function_declaration"
                            | "method_declaration"
                            | "type_spec"
                            | "type_alias"
                            | "var_spec"
                            | "const_spec"
                    )
                {
                    declared.push(n.text().to_string());
                }
            }
        }
        assert_eq!(declared.len(), 9, "{declared:?}");
        assert!(names.contains("B"));
        for name in &declared {
            assert!(
                names.contains(name.as_str()),
                "{name} missing from {names:?}"
            );
        }
        for hidden in [
            "hidden",
            "alsoHidden",
            "notReal",
            "inner",
            "uintptr",
            "comparable",
        ] {
            assert!(
                !names.contains(hidden),
                "{hidden} should not be an outer name"
            );
        }
        assert_eq!(outer_names("package p\nfunc f() {\n"), None);
        assert_eq!(outer_names("package p\nvar s = \"open\n"), None);
    }
}

#[cfg(test)]
mod resolution_tests {
    use std::path::{Path, PathBuf};

    use crate::engine::decls::{parse_ranges, Layout, Words};
    use crate::engine::golang::{parse, GoRoot};
    use crate::engine::imports::ImportTable;
    use crate::engine::{FileContext, Settings};

    use super::{Callee, PackageHandle};

    const MAIN: &str = "package p\n\nimport \"os\"\n\nfunc (s *Server) Start(w *Worker) {\n\tgo s.loop()\n\tw.step()\n\tvar q Queue\n\tq.push()\n\ts.pool.grow()\n\thelper()\n\tos.Exit(1)\n\tlen(\"x\")\n\tf := func() {}\n\tf()\n\ts.missing()\n}\n";
    const OTHER: &str = "package p\n\ntype Server struct {\n\tpool *Pool\n}\n\ntype Worker struct{}\ntype Queue struct{}\ntype Pool struct{}\n\nfunc (s *Server) loop() { for {} }\nfunc (w *Worker) step() { helper() }\nfunc (q Queue) push() {}\nfunc (p *Pool) grow() {}\nfunc helper() {}\n";
    const FOREIGN: &str = "package q\n\nfunc helper() {}\n";

    #[test]
    fn calls_resolve_across_the_files_of_a_package() {
        with_package(MAIN, &[("b.go", OTHER), ("c.go", FOREIGN)], |file| {
            let root = file.root;
            let got: Vec<String> = root
                .root()
                .dfs()
                .filter(|n| n.kind() == "call_expression")
                .map(|c| match file.resolve_call(&c) {
                    Callee::Declared(d) => format!("declared {}", d.field("name").unwrap().text()),
                    Callee::Imported(p, n) => format!("imported {p}.{n}"),
                    Callee::Builtin(n) => format!("builtin {n}"),
                    Callee::Unknown(n) => format!("unknown {n}"),
                })
                .collect();
            assert_eq!(
                got,
                [
                    "declared loop",
                    "declared step",
                    "declared push",
                    "declared grow",
                    "declared helper",
                    "imported os.Exit",
                    "builtin len",
                    "unknown f",
                    "unknown missing",
                ]
            );
            let start = root
                .root()
                .dfs()
                .find(|n| n.kind() == "method_declaration")
                .unwrap();
            let reach = file.reachable(&start, 2);
            let names: Vec<String> = reach
                .bodies
                .iter()
                .map(|d| d.field("name").unwrap().text().to_string())
                .collect();
            assert_eq!(names, ["loop", "step", "push", "grow", "helper"]);
            assert_eq!(reach.unknown, ["f", "missing"]);
        });
    }

    /// A file context for `main` (at `d/a.go`) with `others` beside it.
    fn with_package<R>(
        main: &str,
        others: &[(&str, &str)],
        run: impl FnOnce(&FileContext<'_>) -> R,
    ) -> R {
        in_package(main, others, None, run)
    }

    /// [`with_package`] for `main` being screened: the matches are in the
    /// tree of its header alone, and `whole` gets its whole tree when a
    /// lookup needs it.
    fn with_screened_package<R>(
        main: &str,
        others: &[(&str, &str)],
        whole: &std::cell::OnceCell<GoRoot>,
        run: impl FnOnce(&FileContext<'_>) -> R,
    ) -> R {
        in_package(main, others, Some(whole), run)
    }

    fn in_package<R>(
        main: &str,
        others: &[(&str, &str)],
        whole: Option<&std::cell::OnceCell<GoRoot>>,
        run: impl FnOnce(&FileContext<'_>) -> R,
    ) -> R {
        let root = match whole {
            None => parse(main),
            Some(_) => {
                let header = Layout::scan(main.as_bytes(), &Words::default())
                    .unwrap()
                    .header_end;
                parse_ranges(main, std::slice::from_ref(&(0..header))).unwrap()
            }
        };
        let imports = ImportTable::from_root(&root);
        let settings = Settings::default();
        let mut files = vec![(PathBuf::from("d/a.go"), main.to_string())];
        files.extend(
            others
                .iter()
                .map(|(p, t)| (PathBuf::from(format!("d/{p}")), t.to_string())),
        );
        let package = PackageHandle::with_files(Path::new("d/a.go"), files);
        let file = FileContext {
            path: Path::new("d/a.go"),
            source: main,
            root: &root,
            whole,
            imports: &imports,
            go_version: "1.22".parse().unwrap(),
            settings: &settings,
            package: &package,
            memo: Default::default(),
        };
        run(&file)
    }

    /// Where a declaration found in the view is: its file's name (told by
    /// the text around it) and its line.
    fn place(file: &FileContext<'_>, d: &crate::engine::golang::GoNode<'_>) -> String {
        let view = file.package_view();
        let f = view
            .files
            .iter()
            .find(|f| f.text.get(d.range()) == Some(&*d.text()))
            .unwrap();
        format!(
            "{}:{}",
            f.path.file_name().unwrap().to_string_lossy(),
            d.start_pos().line() + 1
        )
    }

    /// Whether the view file `name` was parsed whole.
    fn parsed_whole(file: &FileContext<'_>, name: &str) -> bool {
        let view = file.package_view();
        let f = view.files.iter().find(|f| f.path.ends_with(name)).unwrap();
        f.root.get().is_some()
    }

    const B: &str = "package p\n\nimport \"os\"\n\n// dup does\nfunc dup() { os.Exit(1) }\n\nvar (\n\tlimit int = cap(make([]int, 3))\n\tf = func() { var inner int; _ = inner }\n)\n\ntype T struct{ n int }\n\nfunc (t *T) m() {}\n\nfunc dup() {}\n\nfunc init() {}\n\nfunc init() {}\n";
    const C: &str =
        "package p\n\nfunc dup() {}\n\nfunc (t T) m() {}\n\nfunc onlyC() {}\n\ntype U int\n";

    /// The first declaration in package order wins, across the chunks of
    /// a file and across files, as on the whole files' trees.
    #[test]
    fn chunked_lookups_find_the_first_declaration() {
        let main = "package p\n\nfunc main() {}\n";
        with_package(main, &[("b.go", B), ("c.go", C)], |file| {
            let at = |d: Option<crate::engine::golang::GoNode<'_>>| place(file, &d.unwrap());
            assert_eq!(at(file.package_function("dup")), "b.go:6");
            assert_eq!(at(file.package_function("init")), "b.go:19");
            assert_eq!(at(file.package_function("onlyC")), "c.go:7");
            assert_eq!(at(file.package_method("T", "m")), "b.go:15");
            assert_eq!(at(file.package_type("T")), "b.go:13");
            assert_eq!(at(file.package_type("U")), "c.go:9");
            assert!(file.package_function("cap").is_none());
            assert!(file.package_function("limit").is_none());
            assert!(file.package_type("dup").is_none());
            // The chunk's tree holds the imports and the variables of its
            // file, as the whole tree does.
            let dup = file.package_function("dup").unwrap();
            let exit = dup
                .dfs()
                .find(|n| n.kind() == "selector_expression")
                .unwrap();
            let kinds: Vec<String> = exit
                .ancestors()
                .find(|a| a.kind() == "source_file")
                .unwrap()
                .children()
                .map(|c| c.kind().to_string())
                .collect();
            assert_eq!(
                kinds,
                [
                    "package_clause",
                    "import_declaration",
                    "comment",
                    "function_declaration",
                    "var_declaration"
                ]
            );
            let limit = super::local_declaration_in_file(&exit, "limit").unwrap();
            assert_eq!(limit.ty.unwrap().text(), "int");
            // A package variable, and one of a function literal in the
            // value of a package `var`, as the whole file indexes it.
            let decl = file.local_declaration(&exit, "limit").unwrap();
            assert_eq!(decl.value.unwrap().text(), "cap(make([]int, 3))");
            assert!(file.local_declaration(&exit, "inner").is_none());
            assert!(!parsed_whole(file, "b.go"));
            assert!(!parsed_whole(file, "c.go"));
        });
    }

    /// Names in comments and strings, even ones that look like
    /// declarations at the start of a line, change nothing.
    #[test]
    fn names_in_comments_and_strings_are_harmless() {
        let b = "package p\n\n// func target() {}\n/*\nfunc target() {}\n*/\nvar s = \"func target() {}\"\n\nvar raw = `\nfunc target() {\n`\n\nfunc other() { _ = \"}\" }\n\nfunc target() {}\n";
        with_package("package p\n", &[("b.go", b), ("c.go", C)], |file| {
            let d = file.package_function("target").unwrap();
            assert_eq!(place(file, &d), "b.go:15");
            assert!(file.package_function("s").is_none());
            assert!(file.package_function("onlyC").is_some());
            assert!(!parsed_whole(file, "b.go"));
        });
    }

    /// Files not split at declarations on a line of their own, or whose
    /// declaration does not parse alone, are looked up in their whole
    /// tree.
    #[test]
    fn unsplit_files_are_parsed_whole() {
        let indented = "package p\n\n  func helper() {}\n";
        let inline = "package p\n\nvar x = 1; func inline() {}\n";
        let broken = "package p\n\nfunc broken() {\n\tx :=\n}\n";
        let open = "package p\n\nfunc open() {\n";
        let files = [
            ("b.go", indented),
            ("c.go", inline),
            ("d.go", broken),
            ("e.go", open),
        ];
        with_package("package p\n", &files, |file| {
            let found = |name: &str| file.package_function(name).map(|d| place(file, &d));
            assert_eq!(found("helper").as_deref(), Some("b.go:3"));
            assert!(parsed_whole(file, "b.go"));
            assert_eq!(found("inline").as_deref(), Some("c.go:3"));
            assert!(!parsed_whole(file, "c.go"));
            assert_eq!(found("broken").as_deref(), Some("d.go:3"));
            assert!(parsed_whole(file, "d.go"));
            assert_eq!(found("open").as_deref(), Some("e.go:3"));
            assert!(parsed_whole(file, "e.go"));
        });
    }

    /// A screened file's own declarations are looked up through its copy
    /// in the view, one declaration at a time: finding a function of the
    /// file parses neither the file whole nor its other declarations, and
    /// the file still comes first in package order.
    #[test]
    fn a_screened_file_is_looked_up_one_declaration_at_a_time() {
        let main =
            "package p\n\nfunc main() { dup() }\n\nfunc dup() {}\n\nfunc other() { for {} }\n";
        let whole = std::cell::OnceCell::new();
        with_screened_package(main, &[("c.go", C)], &whole, |file| {
            let d = file.package_function("dup").unwrap();
            assert_eq!(d.range().start, main.find("func dup").unwrap());
            assert_eq!(
                file.package_decls_mentioning(&["for"])
                    .iter()
                    .map(|d| d.range().start)
                    .collect::<Vec<_>>(),
                [main.find("func other").unwrap()]
            );
            assert_eq!(
                file.package_function("onlyC")
                    .map(|d| place(file, &d))
                    .as_deref(),
                Some("c.go:7")
            );
            assert!(!parsed_whole(file, "a.go"));
        });
        assert!(whole.get().is_none());
    }

    /// The declarations that may mention a word are those whose text holds
    /// it, this file's first; a file whose text does not hold it is not
    /// parsed, and one split at its declarations is not parsed whole.
    #[test]
    fn declarations_mentioning_words_skip_other_files() {
        let main = "package p\n\nfunc main() {}\n\nfunc cpus() int { return runtime.NumCPU() }\n";
        let b = "package p\n\nfunc b() { runtime.NumCPU() }\n\nfunc other() {}\n";
        with_package(main, &[("b.go", b), ("c.go", C)], |file| {
            let names: Vec<String> = file
                .package_decls_mentioning(&["NumCPU()"])
                .iter()
                .filter_map(|d| d.field("name").map(|n| n.text().to_string()))
                .collect();
            assert_eq!(names, ["cpus", "b"]);
            assert!(!parsed_whole(file, "b.go"));
            assert!(!parsed_whole(file, "c.go"));
        });
    }
}
