//! The helpers that `[[match.guards]]` entries name: conditions common to
//! many recipes, so that a recipe file can state them without code.

use crate::engine::gomod::GoVersion;
use crate::engine::recipe::Guard;
use crate::engine::MatchContext;

use super::{intent, util};

/// A helper that `when` can name.
pub struct Helper {
    pub name: &'static str,
    /// What its argument is, for helpers that take one (`imports:<path>`).
    pub argument: Option<&'static str>,
    /// When it holds.
    pub meaning: &'static str,
    check: &'static dyn Guard,
}

/// Every helper.
pub static HELPERS: &[Helper] = &[
    Helper {
        name: "main-or-init",
        argument: None,
        meaning: "the match is a statement of the program's main function (package main) or of an init function itself, not of a function literal inside them",
        check: &MainOrInit,
    },
    Helper {
        name: "test-code",
        argument: None,
        meaning: "the match is in a _test.go file, in package testing, or in a function that takes a *testing.T, *testing.B, *testing.F or testing.TB",
        check: &TestCode,
    },
    Helper {
        name: "test-support",
        argument: None,
        meaning: "test-code, or a file that imports testing, or a package named *test or *testutil",
        check: &TestSupport,
    },
    Helper {
        name: "explained",
        argument: None,
        meaning: "a comment attached to the match's statement gives a specific reason for it (on its lines, directly above, or a marked doc comment of its function)",
        check: &Explained,
    },
    Helper {
        name: "in-loop",
        argument: None,
        meaning: "the match is inside a for loop of its own function",
        check: &InLoop,
    },
    Helper {
        name: "imports",
        argument: Some("import path"),
        meaning: "the file imports this path",
        check: &Imports,
    },
    Helper {
        name: "go-at-least",
        argument: Some("X.Y"),
        meaning: "the file's Go version is X.Y or later",
        check: &GoAtLeast,
    },
    Helper {
        name: "go-below",
        argument: Some("X.Y"),
        meaning: "the file's Go version is below X.Y",
        check: &GoBelow,
    },
];

struct MainOrInit;
struct TestCode;
struct TestSupport;
struct Explained;
struct InLoop;
struct Imports;
struct GoAtLeast;
struct GoBelow;

impl Guard for MainOrInit {
    fn holds(&self, cx: &MatchContext<'_, '_>, _: Option<&str>) -> bool {
        util::in_main_or_init_body(cx.file, &cx.node()).is_some()
    }
}

impl Guard for TestCode {
    fn holds(&self, cx: &MatchContext<'_, '_>, _: Option<&str>) -> bool {
        util::in_test_code(cx.file, &cx.node())
    }
}

impl Guard for TestSupport {
    fn holds(&self, cx: &MatchContext<'_, '_>, _: Option<&str>) -> bool {
        intent::in_test_support(cx.file, &cx.node())
    }
}

impl Guard for Explained {
    fn holds(&self, cx: &MatchContext<'_, '_>, _: Option<&str>) -> bool {
        let node = cx.node();
        let stmt = std::iter::once(node.clone())
            .chain(node.ancestors())
            .find(|n| n.kind().ends_with("_statement") || n.kind().ends_with("_declaration"));
        stmt.is_some_and(|s| intent::stated_reason(cx.file, &s).is_some())
    }
}

impl Guard for InLoop {
    fn holds(&self, cx: &MatchContext<'_, '_>, _: Option<&str>) -> bool {
        util::enclosing_loop(&cx.node()).is_some()
    }
}

impl Guard for Imports {
    fn holds(&self, cx: &MatchContext<'_, '_>, arg: Option<&str>) -> bool {
        arg.is_some_and(|p| cx.file.imports.has(p))
    }
}

impl Guard for GoAtLeast {
    fn holds(&self, cx: &MatchContext<'_, '_>, arg: Option<&str>) -> bool {
        arg.and_then(|v| v.parse::<GoVersion>().ok())
            .is_some_and(|v| cx.file.go_version >= v)
    }
}

impl Guard for GoBelow {
    fn holds(&self, cx: &MatchContext<'_, '_>, arg: Option<&str>) -> bool {
        arg.and_then(|v| v.parse::<GoVersion>().ok())
            .is_some_and(|v| cx.file.go_version < v)
    }
}

/// The helper `name`, once its argument is checked.
pub fn resolve(name: &str, arg: Option<&str>) -> Result<&'static dyn Guard, String> {
    let Some(helper) = HELPERS.iter().find(|h| h.name == name) else {
        let known: Vec<&str> = HELPERS.iter().map(|h| h.name).collect();
        return Err(format!(
            "there is no guard helper `{name}` (helpers: {})",
            known.join(", ")
        ));
    };
    match (helper.argument, arg) {
        (None, Some(a)) => Err(format!("`{name}` takes no argument, got `{a}`")),
        (Some(what), None | Some("")) => {
            Err(format!("`{name}` needs an argument: `{name}:<{what}>`"))
        }
        (Some(_), Some(a)) if name.starts_with("go-") => a
            .parse::<GoVersion>()
            .map(|_| helper.check)
            .map_err(|e| format!("`{a}`: {e}")),
        _ => Ok(helper.check),
    }
}
