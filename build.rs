//! Embeds every `codemods/*.toml` file into the binary, so that `list`,
//! `explain` and the engine read the recipes from the same files a reader
//! sees in the repository, and builds the registry of recipe code from the
//! same files: each `implementation` a codemod names is the module
//! `src/recipes/<name with _ for ->.rs` defining the unit struct named by
//! the name in CamelCase (`bounded-spawn` -> `BoundedSpawn`).

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::Path;

fn main() {
    // Read when the script runs, not when it was compiled: a build
    // directory copied to another checkout must embed that checkout's files.
    let manifest = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let root = Path::new(&manifest);
    let dir = root.join("codemods");
    let code = root.join("src").join("recipes");
    println!("cargo:rerun-if-changed={}", dir.display());
    // A recipe file added, removed or renamed changes the registry.
    println!("cargo:rerun-if-changed={}", code.display());
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("codemods/ exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    let mut out = String::from("/// Embedded codemod files: (file name, text).\npub static EMBEDDED: &[(&str, &str)] = &[\n");
    let mut implementations = BTreeMap::new();
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let name = f.file_name().unwrap().to_string_lossy();
        writeln!(
            out,
            "    ({name:?}, include_str!({:?})),",
            f.display().to_string()
        )
        .unwrap();
        let text = std::fs::read_to_string(f)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", f.display()));
        if let Some(name) = implementation(&text, f) {
            implementations
                .entry(name)
                .or_insert_with(|| f.display().to_string());
        }
    }
    out.push_str("];\n");
    let out_dir = std::env::var("OUT_DIR").unwrap();
    std::fs::write(Path::new(&out_dir).join("codemods.rs"), out).unwrap();
    std::fs::write(
        Path::new(&out_dir).join("registry.rs"),
        registry(&implementations, &code),
    )
    .unwrap();
}

/// The `implementation` a codemod file's `[fix]` names, if any.
fn implementation(text: &str, file: &Path) -> Option<String> {
    let doc: toml::Table = text
        .parse()
        .unwrap_or_else(|e| panic!("{}: not a valid codemod file: {e}", file.display()));
    let value = doc.get("fix")?.get("implementation")?;
    let name = value.as_str().unwrap_or_else(|| {
        panic!(
            "{}: `implementation` must be a string naming a recipe",
            file.display()
        )
    });
    let valid = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && name.starts_with(|c: char| c.is_ascii_lowercase());
    assert!(
        valid,
        "{}: implementation `{name}` must be a recipe id (lower case letters, digits and `-`, starting with a letter)",
        file.display()
    );
    Some(name.to_string())
}

/// `bounded-spawn` -> `BoundedSpawn`.
fn camel_case(name: &str) -> String {
    name.split('-')
        .map(|part| {
            let mut chars = part.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

/// The module declarations of the recipe code and the lookup from an
/// implementation name to it. Paths are absolute: a `mod` in an included
/// file is looked for beside the included file, here in OUT_DIR.
fn registry(implementations: &BTreeMap<String, String>, code: &Path) -> String {
    let mut mods = String::new();
    let mut arms = String::new();
    for (name, codemod) in implementations {
        let module = name.replace('-', "_");
        let file = code.join(format!("{module}.rs"));
        let ty = camel_case(name);
        let text = std::fs::read_to_string(&file).unwrap_or_else(|e| {
            panic!(
                "{codemod} names implementation `{name}`, so {} must exist and define `pub struct {ty};` ({e})",
                file.display()
            )
        });
        // `pub struct BoundedSpawn;`, not `pub struct BoundedSpawnState`.
        let head = format!("pub struct {ty}");
        let defines = text.lines().any(|l| {
            l.trim_start().strip_prefix(&head).is_some_and(|rest| {
                !rest.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
            })
        });
        assert!(
            defines,
            "{codemod} names implementation `{name}`, so {} must define `pub struct {ty}` implementing RecipeLogic",
            file.display()
        );
        writeln!(
            mods,
            "#[path = {:?}]\nmod {module};",
            file.display().to_string()
        )
        .unwrap();
        writeln!(arms, "        {name:?} => &{module}::{ty},").unwrap();
    }
    format!(
        "{mods}\n\
         /// The built-in implementation named `name` in a codemod's `[fix]`.\n\
         pub fn logic_for(name: &str) -> Option<&'static dyn RecipeLogic> {{\n    \
         Some(match name {{\n{arms}        _ => return None,\n    }})\n}}\n"
    )
}
