//! CODEOWNERS parsing and matching, following GitHub's rules.
//!
//! The file is looked up in `.github/`, the root and `docs/`, in that order;
//! the first one found is used. Within the file the last matching rule wins,
//! and a rule without owners removes ownership.

use anyhow::{Context, Result};
use globset::{GlobBuilder, GlobMatcher};

/// Where GitHub looks for the file, in order of precedence.
pub const LOCATIONS: [&str; 3] = [".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"];

/// A parsed CODEOWNERS file.
#[derive(Debug, Default)]
pub struct CodeOwners {
    /// Repository-relative path the rules were read from.
    pub source: String,
    rules: Vec<Rule>,
}

#[derive(Debug)]
struct Rule {
    matchers: Vec<GlobMatcher>,
    owners: Vec<String>,
}

impl CodeOwners {
    /// Parses the text of a CODEOWNERS file. Comments and blank lines are
    /// skipped; a pattern that cannot be compiled is an error naming its line.
    pub fn parse(source: &str, text: &str) -> Result<CodeOwners> {
        let mut rules = Vec::new();
        for (index, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut fields = line.split_whitespace();
            let Some(pattern) = fields.next() else {
                continue;
            };
            let owners: Vec<String> = fields
                .take_while(|f| !f.starts_with('#'))
                .map(str::to_string)
                .collect();
            let matchers = compile(pattern)
                .with_context(|| format!("{source}:{}: bad pattern `{pattern}`", index + 1))?;
            rules.push(Rule { matchers, owners });
        }
        Ok(CodeOwners {
            source: source.to_string(),
            rules,
        })
    }

    /// The owners of a repository-relative path: those of the last rule that
    /// matches it, or none.
    pub fn owners_of(&self, path: &str) -> &[String] {
        self.rules
            .iter()
            .rev()
            .find(|rule| rule.matchers.iter().any(|m| m.is_match(path)))
            .map(|rule| rule.owners.as_slice())
            .unwrap_or(&[])
    }
}

/// Compiles one pattern into globs over repository-relative paths.
///
/// A pattern with a slash before its end is anchored at the root, otherwise it
/// matches at any depth; a pattern also matches everything below a directory
/// it names, except when its last part is `*` (`docs/*` is only direct files).
fn compile(pattern: &str) -> Result<Vec<GlobMatcher>> {
    let pattern = pattern.replace("\\#", "#");
    let dir_only = pattern.ends_with('/');
    let trimmed = pattern.trim_end_matches('/');
    let anchored = trimmed.contains('/');
    let trimmed = trimmed.trim_start_matches('/');
    let base = if anchored || trimmed.starts_with("**/") {
        trimmed.to_string()
    } else {
        format!("**/{trimmed}")
    };
    let mut globs = Vec::new();
    if !dir_only {
        globs.push(base.clone());
    }
    if !base.ends_with("/*") && base != "*" {
        globs.push(format!("{base}/**"));
    } else if dir_only {
        globs.push(base.clone());
    }
    globs
        .iter()
        .map(|g| {
            Ok(GlobBuilder::new(g)
                .literal_separator(true)
                .build()?
                .compile_matcher())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "\
# Default owners
*       @acme/core
*.go    @gopher
**/logs @log-team
/build/logs/ @ops
docs/*  docs@example.com
apps/   @apps-team
/vendor/
";

    #[test]
    fn last_matching_rule_wins() {
        let owners = CodeOwners::parse("CODEOWNERS", SAMPLE).unwrap();
        assert_eq!(owners.owners_of("README.md"), ["@acme/core"]);
        assert_eq!(owners.owners_of("cmd/main.go"), ["@gopher"]);
        assert_eq!(owners.owners_of("build/logs/x.txt"), ["@ops"]);
        assert_eq!(owners.owners_of("docs/intro.md"), ["docs@example.com"]);
        assert_eq!(owners.owners_of("docs/deep/intro.md"), ["@acme/core"]);
        assert_eq!(owners.owners_of("svc/apps/x.go"), ["@apps-team"]);
        assert_eq!(owners.owners_of("a/logs/b.txt"), ["@log-team"]);
        assert!(owners.owners_of("vendor/x/y.go").is_empty());
    }
}
