//! Commit messages that explain a gomend change and mark it as gomend's.
//!
//! Every commit gomend writes ends with the trailers `Gomend-Recipe: <id>`
//! (one per recipe) and `Gomend-Version: <x.y.z>`; those trailers are how later
//! runs tell gomend's commits from commits that someone else made.

use super::rewrite::RecipeInfo;

/// Trailer naming a recipe applied by the commit.
pub const RECIPE_TRAILER: &str = "Gomend-Recipe";
/// Trailer naming the gomend version that wrote the commit.
pub const VERSION_TRAILER: &str = "Gomend-Version";
/// The version written into trailers and pull request metadata.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// What one commit contains, as needed to describe it.
pub struct CommitSummary<'a> {
    /// Recipes applied by the commit, in catalogue order, with their fix counts.
    pub recipes: Vec<(&'a RecipeInfo, usize)>,
    /// Number of files the commit changes.
    pub files: usize,
    /// Command line that rebuilds the branch from the repository root.
    pub command: &'a str,
}

/// Renders the full commit message: subject, rationale, counts, the
/// reproducing command and the trailers. The output depends only on its input.
pub fn commit_message(summary: &CommitSummary<'_>) -> String {
    let total: usize = summary.recipes.iter().map(|(_, n)| n).sum();
    let mut msg = String::new();
    match summary.recipes.as_slice() {
        [(recipe, _)] => {
            msg.push_str(&format!("gomend: {} ({})\n\n", recipe.summary, recipe.id));
            msg.push_str(&wrap(&first_sentences(&recipe.rationale, 3), 72));
            msg.push_str("\n\n");
        }
        many => {
            let ids: Vec<&str> = many.iter().map(|(r, _)| r.id.as_str()).collect();
            msg.push_str(&format!(
                "gomend: apply {} recipes ({})\n\n",
                many.len(),
                ids.join(", ")
            ));
            for (recipe, fixes) in many {
                let para = format!(
                    "{}: {} ({}). {}",
                    recipe.id,
                    recipe.summary,
                    plural(*fixes, "fix", "fixes"),
                    first_sentences(&recipe.rationale, 2)
                );
                msg.push_str(&wrap(&para, 72));
                msg.push_str("\n\n");
            }
        }
    }
    msg.push_str(&format!(
        "{} in {}.\n\n",
        capitalize(&plural(total, "fix", "fixes")),
        plural(summary.files, "file", "files")
    ));
    msg.push_str("Reproduce this branch from the repository root with:\n\n");
    msg.push_str(&format!("    {}\n\n", summary.command));
    for (recipe, _) in &summary.recipes {
        msg.push_str(&format!("{RECIPE_TRAILER}: {}\n", recipe.id));
    }
    msg.push_str(&format!("{VERSION_TRAILER}: {VERSION}\n"));
    msg
}

/// The recipe ids named by the trailers of a commit message, in order.
/// Empty when the message has no `Gomend-Version` trailer, i.e. when gomend
/// did not write the commit.
pub fn gomend_recipes(message: &str) -> Vec<String> {
    let trimmed = message.trim_end();
    let last = trimmed.rsplit("\n\n").next().unwrap_or("");
    let mut recipes = Vec::new();
    let mut has_version = false;
    for line in last.lines() {
        if let Some((key, value)) = line.split_once(':') {
            let value = value.trim();
            if key.eq_ignore_ascii_case(RECIPE_TRAILER) && !value.is_empty() {
                recipes.push(value.to_string());
            } else if key.eq_ignore_ascii_case(VERSION_TRAILER) && !value.is_empty() {
                has_version = true;
            }
        }
    }
    if has_version {
        recipes
    } else {
        Vec::new()
    }
}

/// Whether gomend wrote a commit with this message.
pub fn is_gomend_commit(message: &str) -> bool {
    !gomend_recipes(message).is_empty()
}

/// `1 fix`, `2 fixes`.
pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The first `n` sentences of a prose paragraph, whitespace collapsed.
pub fn first_sentences(text: &str, n: usize) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut out = Vec::new();
    let mut count = 0;
    for word in words {
        out.push(word);
        if word.ends_with(['.', '!', '?']) {
            count += 1;
            if count == n {
                break;
            }
        }
    }
    out.join(" ")
}

/// Greedy word wrap at `width` columns.
pub fn wrap(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line_len = 0;
    for word in text.split_whitespace() {
        if line_len > 0 && line_len + 1 + word.len() > width {
            out.push('\n');
            line_len = 0;
        } else if line_len > 0 {
            out.push(' ');
            line_len += 1;
        }
        out.push_str(word);
        line_len += word.len();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailers_identify_gomend_commits() {
        let msg =
            "gomend: x (a)\n\nbody\n\nGomend-Recipe: a\nGomend-Recipe: b\nGomend-Version: 1.0.0\n";
        assert_eq!(gomend_recipes(msg), ["a", "b"]);
        assert!(!is_gomend_commit("fix: by hand\n\nGomend-Recipe: a\n"));
        assert!(!is_gomend_commit("Gomend-Recipe: a\n\nhand written body\n"));
    }

    #[test]
    fn wraps_and_cuts_prose() {
        assert_eq!(
            first_sentences("One. Two!  Three? Four.", 3),
            "One. Two! Three?"
        );
        assert_eq!(wrap("aaa bbb ccc", 7), "aaa bbb\nccc");
    }
}
