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
use std::collections::{HashMap, HashSet, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use super::golang::{parse, GoNode, GoRoot};
use super::lex::{Token, Tokens};
use super::scope::{declared_names, is_function, is_shadowed};
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
    /// The text, until it is parsed.
    text: Mutex<Option<String>>,
    /// Every identifier outside braces (`None` when the braces do not
    /// balance): a superset of the names the file declares at top level.
    outer_names: Option<HashSet<Box<str>>>,
    root: OnceLock<GoRoot>,
}

impl ViewFile {
    /// Whether the file may declare `name` at its top level.
    fn may_declare(&self, name: &str) -> bool {
        self.outer_names.as_ref().is_none_or(|n| n.contains(name))
    }

    fn root(&self) -> &GoRoot {
        self.root.get_or_init(|| {
            let text = self
                .text
                .lock()
                .expect("package file")
                .take()
                .unwrap_or_default();
            parse(&text)
        })
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
                text: Mutex::new(Some(text)),
                root: OnceLock::new(),
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

/// The names `text` may declare at its top level, read with a small lexer
/// that skips comments, strings and runes and keeps, outside every brace
/// and bracket: the first identifier after `func` outside parentheses (a
/// function's or method's name), and every identifier of a `type`, `var`
/// or `const` declaration outside parentheses or one level in (its block).
/// The set may hold more than the declared names, never fewer. `None` when
/// the brackets do not balance: the file may then declare anything.
fn outer_names(text: &str) -> Option<HashSet<Box<str>>> {
    #[derive(PartialEq)]
    enum Decl {
        Func { named: bool },
        Other,
        Skip,
    }
    let mut names = HashSet::new();
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
        if word[0].is_ascii_digit() || braces > 0 || brackets > 0 {
            continue;
        }
        let word = std::str::from_utf8(word).ok()?;
        if parens == 0 {
            match word {
                "func" => {
                    decl = Decl::Func { named: false };
                    continue;
                }
                "type" | "var" | "const" => {
                    decl = Decl::Other;
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
                names.insert(word.into());
            }
            Decl::Other if parens <= 1 => {
                names.insert(word.into());
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
    own: FileDecls<'r>,
    view: &'r PackageView,
    /// Per file of the view, its declarations (never built for the file
    /// being analysed, which the view also holds).
    others: Vec<OnceCell<FileDecls<'r>>>,
    all: OnceCell<Vec<GoNode<'r>>>,
    skip: Option<usize>,
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
    fn first<T>(&self, name: &str, pick: impl Fn(&FileDecls<'r>) -> Option<T>) -> Option<T> {
        if let Some(found) = pick(&self.own) {
            return Some(found);
        }
        for (i, f) in self.view.files.iter().enumerate() {
            if Some(i) == self.skip || !f.may_declare(name) {
                continue;
            }
            let decls =
                self.others[i].get_or_init(|| FileDecls::new(f.root().root().children().collect()));
            if let Some(found) = pick(decls) {
                return Some(found);
            }
        }
        None
    }
}

impl<'r> FileContext<'r> {
    /// The package's declarations, indexed on first use.
    fn decl_index(&self) -> &DeclIndex<'r> {
        self.decls.get_or_init(|| {
            let view = self.package_view();
            DeclIndex {
                own: FileDecls::new(self.whole_root().root().children().collect()),
                view,
                others: view.files.iter().map(|_| OnceCell::new()).collect(),
                all: OnceCell::new(),
                skip: view
                    .files
                    .iter()
                    .position(|f| self.package.is_self(&f.path)),
            }
        })
    }

    /// Every top-level declaration of the package: this file's first, then
    /// the other files' (when the run has a package view).
    pub fn package_decls(&self) -> &[GoNode<'r>] {
        let index = self.decl_index();
        index.all.get_or_init(|| {
            let mut out = index.own.decls.clone();
            for (i, f) in index.view.files.iter().enumerate() {
                if Some(i) != index.skip {
                    out.extend(f.root().root().children());
                }
            }
            out
        })
    }

    /// The package view of this file (other files of the same package).
    pub fn package_view(&self) -> &'r PackageView {
        self.package.view(&self.package_name(), self.is_test_file())
    }

    /// The top-level function `name` of the package.
    pub fn package_function(&self, name: &str) -> Option<GoNode<'r>> {
        self.decl_index()
            .first(name, |f| f.functions.get(name).map(|&i| f.decls[i].clone()))
    }

    /// The method `name` of the package's type `ty`.
    pub fn package_method(&self, ty: &str, name: &str) -> Option<GoNode<'r>> {
        let key = (ty.to_string(), name.to_string());
        self.decl_index()
            .first(name, |f| f.methods.get(&key).map(|&i| f.decls[i].clone()))
    }

    /// The type spec of the package's type `ty`.
    pub fn package_type(&self, ty: &str) -> Option<GoNode<'r>> {
        self.decl_index().first(ty, |f| f.types.get(ty).cloned())
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
    pub fn resolve_call<'n>(&self, call: &GoNode<'n>) -> Callee<'r>
    where
        'r: 'n,
    {
        let Some(f) = call.field("function") else {
            return Callee::Unknown(String::new());
        };
        match &*f.kind() {
            "identifier" => {
                let name = f.text().to_string();
                if is_shadowed(&f, &name) {
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
                    if !is_shadowed(&operand, &name) {
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
            Scoped::TopLevel(_) => self.decl_index().first(name, |f| {
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

    use crate::engine::golang::parse;
    use crate::engine::imports::ImportTable;
    use crate::engine::{FileContext, Settings};

    use super::{Callee, PackageHandle};

    const MAIN: &str = "package p\n\nimport \"os\"\n\nfunc (s *Server) Start(w *Worker) {\n\tgo s.loop()\n\tw.step()\n\tvar q Queue\n\tq.push()\n\ts.pool.grow()\n\thelper()\n\tos.Exit(1)\n\tlen(\"x\")\n\tf := func() {}\n\tf()\n\ts.missing()\n}\n";
    const OTHER: &str = "package p\n\ntype Server struct {\n\tpool *Pool\n}\n\ntype Worker struct{}\ntype Queue struct{}\ntype Pool struct{}\n\nfunc (s *Server) loop() { for {} }\nfunc (w *Worker) step() { helper() }\nfunc (q Queue) push() {}\nfunc (p *Pool) grow() {}\nfunc helper() {}\n";
    const FOREIGN: &str = "package q\n\nfunc helper() {}\n";

    #[test]
    fn calls_resolve_across_the_files_of_a_package() {
        let root = parse(MAIN);
        let imports = ImportTable::from_root(&root);
        let settings = Settings::default();
        let files = vec![
            (PathBuf::from("d/a.go"), MAIN.to_string()),
            (PathBuf::from("d/b.go"), OTHER.to_string()),
            (PathBuf::from("d/c.go"), FOREIGN.to_string()),
        ];
        let package = PackageHandle::with_files(Path::new("d/a.go"), files);
        let file = FileContext {
            path: Path::new("d/a.go"),
            source: MAIN,
            root: &root,
            whole: None,
            imports: &imports,
            go_version: "1.22".parse().unwrap(),
            settings: &settings,
            package: &package,
            decls: Default::default(),
            linknames: Default::default(),
        };
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
    }
}
