//! Pull request titles and bodies, and the metadata that marks them as gomend's.
//!
//! The body starts with a hidden HTML comment holding JSON metadata
//! (`<!-- gomend:metadata {...} -->`); later runs read it back with
//! [`parse_metadata`] to recognise their own pull requests.

use serde::{Deserialize, Serialize};

use crate::git::message::{first_sentences, plural, VERSION};
use crate::git::plan::{BranchPlan, Plan};

const MARKER: &str = "<!-- gomend:metadata ";

/// Rows of the per-file table at most, so a body stays far below GitHub's
/// 65,536-character limit; `--max-files` keeps branches smaller anyway.
pub const MAX_TABLE_ROWS: usize = 200;

/// Machine-readable facts about a gomend pull request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrMetadata {
    /// Always `gomend`.
    pub tool: String,
    /// The gomend version that wrote the body.
    pub version: String,
    /// Recipes applied on the branch, in catalogue order.
    pub recipes: Vec<String>,
    /// The base commit the branch was built on.
    pub base: String,
    /// The head branch.
    pub branch: String,
}

/// The metadata for a planned branch.
pub fn metadata(plan: &Plan, branch: &BranchPlan) -> PrMetadata {
    PrMetadata {
        tool: "gomend".to_string(),
        version: VERSION.to_string(),
        recipes: branch
            .fixes_by_recipe()
            .into_iter()
            .map(|(r, _)| r)
            .collect(),
        base: plan.base.to_string(),
        branch: branch.name.clone(),
    }
}

/// Reads the metadata comment back from a pull request body.
pub fn parse_metadata(body: &str) -> Option<PrMetadata> {
    let start = body.find(MARKER)? + MARKER.len();
    let end = body[start..].find(" -->")? + start;
    let meta: PrMetadata = serde_json::from_str(&body[start..end]).ok()?;
    (meta.tool == "gomend").then_some(meta)
}

/// The pull request title: the recipe's summary for a single recipe, a count
/// otherwise, followed by the shard when there is one.
pub fn render_title(plan: &Plan, branch: &BranchPlan) -> String {
    let recipes = branch.fixes_by_recipe();
    let mut title = match recipes.as_slice() {
        [(id, _)] => {
            let summary = plan
                .recipes
                .iter()
                .find(|r| &r.id == id)
                .map(|r| r.summary.as_str())
                .unwrap_or(id);
            format!("gomend: {summary} ({id})")
        }
        many => format!(
            "gomend: {} from {} recipes",
            plural(branch.total_fixes(), "fix", "fixes"),
            many.len()
        ),
    };
    if let Some(shard) = &branch.shard {
        title.push_str(&format!(" in {shard}"));
    }
    title
}

/// The markdown body: what changed and why per recipe, fixes per file, how to
/// reproduce, reviewers, and the metadata comment. Depends only on its input.
pub fn render_body(plan: &Plan, branch: &BranchPlan) -> String {
    let meta = metadata(plan, branch);
    let recipes = branch.fixes_by_recipe();
    let mut out = String::new();
    out.push_str(MARKER);
    out.push_str(&serde_json::to_string(&meta).unwrap_or_default());
    out.push_str(" -->\n");
    out.push_str(&format!(
        "gomend found {} in {} on top of `{}`. Each section below says what one \
         recipe changed and why.\n\n",
        plural(branch.total_fixes(), "fix", "fixes"),
        plural(branch.files.len(), "file", "files"),
        &meta.base[..meta.base.len().min(12)]
    ));
    out.push_str("## What changed and why\n\n");
    for (id, fixes) in &recipes {
        let info = plan.recipes.iter().find(|r| &r.id == id);
        let summary = info.map(|r| r.summary.as_str()).unwrap_or("");
        let rationale = info
            .map(|r| first_sentences(&r.rationale, 3))
            .unwrap_or_default();
        out.push_str(&format!(
            "### `{id}`: {summary}\n\n{rationale}\n\n_{} on this branch._\n\n",
            plural(*fixes, "fix", "fixes")
        ));
    }
    out.push_str("## Fixes per file\n\n| File |");
    for (id, _) in &recipes {
        out.push_str(&format!(" `{id}` |"));
    }
    out.push_str(" Total |\n|---|");
    for _ in &recipes {
        out.push_str("---:|");
    }
    out.push_str("---:|\n");
    for file in branch.files.iter().take(MAX_TABLE_ROWS) {
        out.push_str(&format!("| `{}` |", file.path.replace('|', "\\|")));
        let mut total = 0;
        for (id, _) in &recipes {
            let n = branch.fixes_in(&file.path, id);
            total += n;
            out.push_str(&format!(" {n} |"));
        }
        out.push_str(&format!(" {total} |\n"));
    }
    if branch.files.len() > MAX_TABLE_ROWS {
        out.push_str(&format!(
            "\n...and {} more; the commits list every file.\n",
            plural(branch.files.len() - MAX_TABLE_ROWS, "file", "files")
        ));
    }
    out.push_str("\n## Reproduce\n\nFrom the repository root:\n\n```sh\n");
    out.push_str(&plan.command);
    out.push_str("\n```\n\n");
    out.push_str(&format!(
        "Commits on this branch: {}.",
        branch.commits.len()
    ));
    if !branch.reviewers.is_empty() {
        out.push_str(&format!(
            " Owners from CODEOWNERS: {}.",
            branch.reviewers.join(", ")
        ));
    }
    out.push_str(&format!(
        "\n\n<sub>Generated by gomend {VERSION}. Commits gomend did not make are never overwritten; \
         push a fix to this branch and later runs will leave it alone.</sub>\n"
    ));
    out
}
