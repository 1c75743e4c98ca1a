//! `set-max-threads-low`: report `debug.SetMaxThreads` with a limit small
//! enough that ordinary blocking I/O can exceed it and crash the program.

use crate::engine::golang::GoNode;
use crate::engine::{Finding, MatchContext, RecipeLogic};

pub struct SetMaxThreadsLow;

/// Limits below this are reported: a busy server blocks hundreds of
/// threads in system calls without doing anything unusual.
const SMALL: i64 = 1000;

impl RecipeLogic for SetMaxThreadsLow {
    fn examine(&self, cx: &MatchContext<'_, '_>) -> Option<Finding> {
        // The rule matched `debug.SetMaxThreads($N)` through the file's
        // imports; `$N` is the limit.
        let arg = cx.m.get_env().get_match("N")?;
        let limit = const_value(cx, arg, 0)?;
        let floor = cx.setting_usize("min").map(|v| v as i64).unwrap_or(SMALL);
        if limit >= floor {
            return None;
        }
        Some(cx.report(&format!(
            "the limit is {limit} threads; raise it to at least {floor} (the default is 10000) or remove the call"
        )))
    }
}

/// The value of an integer constant expression made of literals, `+ - * / <<`,
/// parentheses and names of constants declared at the top of this file.
fn const_value(cx: &MatchContext<'_, '_>, expr: &GoNode<'_>, depth: u32) -> Option<i64> {
    if depth > 8 {
        return None;
    }
    match &*expr.kind() {
        "int_literal" => parse_int(&expr.text()),
        "parenthesized_expression" => const_value(
            cx,
            &expr.named_children().find(|n| n.kind() != "comment")?,
            depth + 1,
        ),
        "unary_expression" => {
            let v = const_value(cx, &expr.field("operand")?, depth + 1)?;
            match &*expr.field("operator")?.text() {
                "-" => Some(-v),
                "+" => Some(v),
                _ => None,
            }
        }
        "binary_expression" => {
            let l = const_value(cx, &expr.field("left")?, depth + 1)?;
            let r = const_value(cx, &expr.field("right")?, depth + 1)?;
            match &*expr.field("operator")?.text() {
                "+" => l.checked_add(r),
                "-" => l.checked_sub(r),
                "*" => l.checked_mul(r),
                "/" => l.checked_div(r),
                "<<" => u32::try_from(r)
                    .ok()
                    .filter(|r| *r < 62)
                    .and_then(|r| l.checked_shl(r)),
                _ => None,
            }
        }
        "identifier" => {
            let name = expr.text().to_string();
            if crate::engine::scope::is_shadowed(expr, &name) {
                return None;
            }
            let value = top_level_const(cx, &name)?;
            const_value(cx, &value, depth + 1)
        }
        _ => None,
    }
}

/// The value expression of a package-level `const name = value` of this file.
fn top_level_const<'r>(cx: &MatchContext<'_, 'r>, name: &str) -> Option<GoNode<'r>> {
    let root = cx.file.whole_root().root();
    let found = root
        .children()
        .filter(|d| d.kind() == "const_declaration")
        .flat_map(|d| {
            d.children()
                .filter(|s| s.kind() == "const_spec")
                .collect::<Vec<_>>()
        })
        .find_map(|spec| {
            let names: Vec<_> = spec
                .children()
                .filter(|n| n.kind() == "identifier")
                .map(|n| n.text().to_string())
                .collect();
            let idx = names.iter().position(|n| n == name)?;
            let values: Vec<_> = spec
                .field("value")?
                .named_children()
                .filter(|n| n.kind() != "comment")
                .collect();
            (values.len() == names.len()).then(|| values[idx].clone())
        });
    found
}

fn parse_int(text: &str) -> Option<i64> {
    let t = text.replace('_', "");
    let lower = t.to_ascii_lowercase();
    if let Some(h) = lower.strip_prefix("0x") {
        i64::from_str_radix(h, 16).ok()
    } else if let Some(b) = lower.strip_prefix("0b") {
        i64::from_str_radix(b, 2).ok()
    } else if let Some(o) = lower.strip_prefix("0o") {
        i64::from_str_radix(o, 8).ok()
    } else if lower.len() > 1 && lower.starts_with('0') {
        i64::from_str_radix(&lower[1..], 8).ok()
    } else {
        lower.parse().ok()
    }
}
