//! What can go wrong in the engine, as values callers can tell apart.
//!
//! The messages are the ones users see: callers print these errors as they
//! are, after the name of the file concerned.

/// An error of the engine.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// A codemod file that is not TOML of the codemod format.
    #[error(transparent)]
    Parse(#[from] toml::de::Error),
    /// A codemod file that reads but does not make a recipe.
    #[error(transparent)]
    Recipe(#[from] RecipeError),
    /// Fixes that could not be brought to a text that is final and parses;
    /// the file is left unchanged.
    #[error(transparent)]
    FixPoint(#[from] FixPointError),
}

/// A problem in a codemod file: its recipe, and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("recipe `{id}`: {reason}")]
pub struct RecipeError {
    pub id: String,
    pub reason: String,
}

/// Why the fix-point loop over a file's fixes gave up.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FixPointError {
    /// The fixes made a text that does not parse as Go.
    #[error("the rewrite would not parse; the file was left unchanged (please report this)")]
    Unparsable,
    /// Fixes kept overlapping: after `rounds` rounds some were still left.
    #[error("fixes still overlap after {rounds} rounds; the file was left unchanged")]
    Overlap { rounds: usize },
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::spec::RecipeSpec;

    #[test]
    fn messages_are_the_ones_users_see() {
        let e = Error::from(RecipeError {
            id: "remove-gc".into(),
            reason: "ids use lowercase letters, digits and `-`".into(),
        });
        assert_eq!(
            e.to_string(),
            "recipe `remove-gc`: ids use lowercase letters, digits and `-`"
        );
        assert_eq!(
            Error::from(FixPointError::Overlap { rounds: 8 }).to_string(),
            "fixes still overlap after 8 rounds; the file was left unchanged"
        );
        assert_eq!(
            Error::from(FixPointError::Unparsable).to_string(),
            "the rewrite would not parse; the file was left unchanged (please report this)"
        );
    }

    #[test]
    fn a_codemod_file_that_is_not_toml_is_a_parse_error() {
        let text = "id = \"x\"\nkind = ";
        let toml_error = toml::from_str::<RecipeSpec>(text).unwrap_err();
        match RecipeSpec::from_toml(text) {
            Err(e @ Error::Parse(_)) => assert_eq!(e.to_string(), toml_error.to_string()),
            other => panic!("{other:?}"),
        }
    }
}
