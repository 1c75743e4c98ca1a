//! Branch names: `<prefix>/<recipe-or-all>[/<shard>]`, always valid git refs.

use git2::{ObjectType, Oid};

/// Longest branch name (without `refs/heads/`) gomend produces.
pub const MAX_BRANCH_LEN: usize = 80;

/// Turns free text into one valid ref component.
///
/// Keeps ASCII letters, digits, `-`, `_`, `.` and `+`; every other run of
/// characters becomes a single `-`. The result never starts or ends with `.`
/// or `-`, never contains `..`, never ends in `.lock` and is never empty.
pub fn sanitize_component(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for ch in raw.chars() {
        if ch.is_ascii_alphanumeric() || matches!(ch, '-' | '_' | '.' | '+') {
            out.push(ch);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.contains("..") {
        out = out.replace("..", ".");
    }
    let mut out = out.trim_matches(|c| c == '-' || c == '.').to_string();
    if let Some(stem) = out.strip_suffix(".lock") {
        out = format!("{stem}-lock");
    }
    if out.is_empty() {
        out.push('x');
    }
    out
}

/// Sanitises a `/`-separated prefix component by component, dropping empty ones.
pub fn sanitize_prefix(raw: &str) -> String {
    let parts: Vec<String> = raw
        .split('/')
        .filter(|p| !p.trim().is_empty())
        .map(sanitize_component)
        .collect();
    if parts.is_empty() {
        "gomend".to_string()
    } else {
        parts.join("/")
    }
}

/// Eight hex digits that identify `raw`; stable across runs and machines.
pub fn short_hash(raw: &str) -> String {
    let oid = Oid::hash_object(ObjectType::Blob, raw.as_bytes()).unwrap_or_else(|_| Oid::zero());
    oid.to_string()[..8].to_string()
}

/// Builds the branch name for a recipe (or `all`) and an optional shard key.
///
/// The result is a valid branch name of at most [`MAX_BRANCH_LEN`] bytes; when
/// the readable form is longer, it is cut and ends in `-<hash>` of the full form,
/// so distinct inputs keep distinct names.
pub fn branch_name(prefix: &str, recipe_or_all: &str, shard: Option<&str>) -> String {
    let mut name = format!(
        "{}/{}",
        sanitize_prefix(prefix),
        sanitize_component(recipe_or_all)
    );
    if let Some(shard) = shard {
        name.push('/');
        name.push_str(&sanitize_component(shard));
    }
    if name.len() <= MAX_BRANCH_LEN {
        return name;
    }
    let hash = short_hash(&format!(
        "{prefix}\0{recipe_or_all}\0{}",
        shard.unwrap_or("")
    ));
    let keep = MAX_BRANCH_LEN - hash.len() - 1;
    let mut cut = name[..keep].to_string();
    while cut.ends_with(['-', '.', '/']) {
        cut.pop();
    }
    format!("{cut}-{hash}")
}

/// Whether `name` is acceptable as `refs/heads/<name>`.
pub fn is_valid_branch(name: &str) -> bool {
    git2::Reference::is_valid_name(&format!("refs/heads/{name}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitizes_awkward_text() {
        assert_eq!(
            sanitize_component("@acme/Platform Team"),
            "acme-Platform-Team"
        );
        assert_eq!(sanitize_component("..hidden..lock"), "hidden-lock");
        assert_eq!(sanitize_component("a~b^c:d?e*f[g\\h"), "a-b-c-d-e-f-g-h");
        assert_eq!(sanitize_component("@{}"), "x");
        assert_eq!(sanitize_prefix("/bots//gomend/"), "bots/gomend");
    }

    #[test]
    fn long_names_are_shortened_with_a_hash() {
        let long = "d".repeat(200);
        let a = branch_name("gomend", "all", Some(&long));
        let b = branch_name("gomend", "all", Some(&format!("{long}e")));
        assert!(a.len() <= MAX_BRANCH_LEN, "{a}");
        assert_ne!(a, b);
        assert!(is_valid_branch(&a));
        assert_eq!(a, branch_name("gomend", "all", Some(&long)));
        assert_eq!(branch_name("gomend", "remove-gc", None), "gomend/remove-gc");
        assert_eq!(branch_name("gomend", "all", Some("cmd")), "gomend/all/cmd");
    }
}
