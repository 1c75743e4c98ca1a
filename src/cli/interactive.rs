//! `gomend apply --interactive`: every fix shown as a diff and applied only
//! when the user says so.
//!
//! For each file, each fix is shown alone: its recipe, its message and the
//! hunks of the file rewritten with that fix only. The answers are y (apply
//! it), n (leave it), a (apply it and every later fix of the same recipe
//! without asking) and q (stop asking: the fixes already accepted in the
//! current file are written, nothing after it). When a file's questions
//! are answered, its accepted fixes are applied together by the engine in
//! one pass, the way `--verify` drops fixes ([`Engine::process_selected`]),
//! so the result is formatted as a full `apply` would format it.
//!
//! Fixes are not always independent: one fix can make another possible or
//! pointless (the engine's later rounds), or two accepted fixes can touch
//! the same code. When the accepted fixes together give anything other than
//! exactly those fixes, the combined change is shown and written only if
//! the user accepts it as a whole.
//!
//! [`Engine::process_selected`]: crate::engine::Engine::process_selected

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Result};

use super::apply::ApplyArgs;
use super::setup::{prepare, Prepared};
use crate::engine::{FileOutcome, Mode};
use crate::report::diff::{unified, write_colored};
use crate::worker::Processed;

/// An answer to a question.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Answer {
    Yes,
    No,
    All,
    Quit,
}

/// What the review has decided and done so far.
#[derive(Default)]
struct Review {
    /// Recipes accepted with `a`.
    all_of: BTreeSet<String>,
    quit: bool,
    declined: usize,
    files_changed: usize,
    per_recipe: BTreeMap<String, usize>,
    errors: usize,
    cleaned: BTreeSet<PathBuf>,
}

pub fn run(args: &ApplyArgs) -> Result<ExitCode> {
    if !std::io::stdin().is_terminal() {
        bail!("--interactive asks a question for each fix and needs a terminal on standard input; run it from a terminal, or review with `gomend diff` and write with `gomend apply`");
    }
    let mut p = prepare(&args.run)?;
    p.progress = false;
    let _lock = super::apply::lock_tree(&args.run.paths)?;
    let walk_errors = p.report_walk_errors();
    let options = crate::write::WriteOptions { force: args.force };
    let mut review = Review::default();
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let totals = p.run(Mode::Rewrite, |path, f| -> Result<()> {
        if review.quit {
            return Ok(());
        }
        review_file(&p, path, f, &mut review, &mut input, options)
    })?;
    let mut out = anstream::stdout().lock();
    let total: usize = review.per_recipe.values().sum();
    let s = |n: usize| if n == 1 { "" } else { "s" };
    let es = |n: usize| if n == 1 { "" } else { "es" };
    writeln!(
        out,
        "{} file{} changed, {total} fix{} applied, {} declined",
        review.files_changed,
        s(review.files_changed),
        es(total),
        review.declined
    )?;
    for (id, n) in &review.per_recipe {
        writeln!(out, "  {id}: {n}")?;
    }
    if review.quit {
        writeln!(
            out,
            "stopped: the files after the last one shown were not changed"
        )?;
    }
    Ok(ExitCode::from(
        if walk_errors + totals.failed + review.errors > 0 {
            super::EXIT_ERROR
        } else {
            0
        },
    ))
}

/// Asks about the fixes of one file and writes the ones accepted.
fn review_file(
    p: &Prepared,
    path: &str,
    f: &Processed,
    review: &mut Review,
    input: &mut impl BufRead,
    options: crate::write::WriteOptions,
) -> Result<()> {
    let (Some(_), Some(source)) = (&f.outcome.rewritten, &f.source) else {
        return Ok(());
    };
    let mut out = anstream::stdout().lock();
    let fixes: Vec<_> = f
        .outcome
        .findings
        .iter()
        .filter(|x| x.finding.fix.is_some())
        .collect();
    let version = p.versions.version_for(&f.path);
    let mut keep = BTreeSet::new();
    let bold = anstyle::Style::new().bold();
    let id_style = anstyle::Style::new()
        .fg_color(Some(anstyle::AnsiColor::Yellow.into()))
        .bold();
    for (n, loc) in fixes.iter().enumerate() {
        let recipe = loc.finding.recipe.to_string();
        if review.all_of.contains(&recipe) {
            keep.insert(n);
            continue;
        }
        let alone = p
            .engine
            .process_selected(&f.path, source, version, &BTreeSet::from([n]));
        let Some(new) = alone.rewritten else {
            // Alone, this fix changes nothing (another one covers it).
            continue;
        };
        writeln!(
            out,
            "\n{bold}{path}:{}:{}:{bold:#} {id_style}{recipe}:{id_style:#} {}",
            loc.line, loc.column, loc.finding.message
        )?;
        write_colored(&mut out, &hunks(path, source, &new))?;
        let prompt = format!("({}/{}) Apply this fix [y,n,a,q,?]? ", n + 1, fixes.len());
        match ask(&mut out, input, &prompt, &recipe)? {
            Answer::Yes => {
                keep.insert(n);
            }
            Answer::No => review.declined += 1,
            Answer::All => {
                keep.insert(n);
                review.all_of.insert(recipe);
            }
            Answer::Quit => {
                review.quit = true;
                break;
            }
        }
    }
    if keep.is_empty() {
        return Ok(());
    }
    let together = if keep.len() == fixes.len() {
        f.outcome.clone()
    } else {
        p.engine.process_selected(&f.path, source, version, &keep)
    };
    if let Some(e) = &together.error {
        eprintln!("gomend: error: {path}: {e}");
        review.errors += 1;
        return Ok(());
    }
    let Some(new) = &together.rewritten else {
        return Ok(());
    };
    let applied: usize = together.fixes.values().sum();
    if applied != keep.len() || !same_recipes(&together, &fixes, &keep) {
        writeln!(
            out,
            "\n{bold}{path}:{bold:#} the {} fix{} accepted here give{} {applied} fix{} together (one fix can make another possible, or pointless); the whole change:",
            keep.len(),
            if keep.len() == 1 { "" } else { "es" },
            if keep.len() == 1 { "s" } else { "" },
            if applied == 1 { "" } else { "es" },
        )?;
        write_colored(&mut out, &hunks(path, source, new))?;
        let answer = loop {
            match ask(
                &mut out,
                input,
                "Apply this change to the file [y,n,q]? ",
                "",
            )? {
                Answer::All => continue,
                a => break a,
            }
        };
        match answer {
            Answer::Yes => {}
            Answer::Quit => {
                review.quit = true;
                review.declined += keep.len();
                return Ok(());
            }
            _ => {
                review.declined += keep.len();
                return Ok(());
            }
        }
    }
    let dir = match f.path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if review.cleaned.insert(dir.clone()) {
        for t in crate::write::remove_stale_temporaries(&dir) {
            eprintln!("gomend: removed {} left by an interrupted run", t.display());
        }
    }
    match crate::write::replace_file_with(&f.path, source, new, options) {
        Ok(()) => {
            review.files_changed += 1;
            for (id, n) in &together.fixes {
                *review.per_recipe.entry(id.clone()).or_insert(0) += n;
            }
        }
        Err(crate::write::WriteError::Skipped(why)) => {
            eprintln!("gomend: warning: {path}: {why}");
        }
        Err(e) => {
            eprintln!("gomend: error: {path}: {e}");
            review.errors += 1;
        }
    }
    Ok(())
}

/// Whether the fixes applied are, recipe by recipe, the ones accepted.
fn same_recipes(
    together: &FileOutcome,
    fixes: &[&crate::engine::Located],
    keep: &BTreeSet<usize>,
) -> bool {
    let mut wanted: BTreeMap<String, usize> = BTreeMap::new();
    for &n in keep {
        *wanted
            .entry(fixes[n].finding.recipe.to_string())
            .or_insert(0) += 1;
    }
    wanted == together.fixes
}

/// The hunks of the diff between `old` and `new`, without the file headers.
fn hunks(path: &str, old: &str, new: &str) -> String {
    let diff = unified(path, old, new);
    diff.split_inclusive('\n')
        .skip_while(|l| l.starts_with("--- ") || l.starts_with("+++ "))
        .collect()
}

/// Asks until the answer is one of y, n, a, q (`recipe` empty: no `a`).
/// The end of the input counts as q.
fn ask(
    out: &mut impl Write,
    input: &mut impl BufRead,
    prompt: &str,
    recipe: &str,
) -> Result<Answer> {
    loop {
        write!(out, "{prompt}")?;
        out.flush()?;
        let mut line = String::new();
        if input.read_line(&mut line)? == 0 {
            writeln!(out)?;
            return Ok(Answer::Quit);
        }
        match line.trim().to_ascii_lowercase().as_str() {
            "y" | "yes" => return Ok(Answer::Yes),
            "n" | "no" => return Ok(Answer::No),
            "a" | "all" if !recipe.is_empty() => return Ok(Answer::All),
            "q" | "quit" => return Ok(Answer::Quit),
            _ => {
                writeln!(out, "y - apply this fix")?;
                writeln!(out, "n - do not apply it")?;
                if !recipe.is_empty() {
                    writeln!(
                        out,
                        "a - apply it and every later {recipe} fix without asking"
                    )?;
                }
                writeln!(
                    out,
                    "q - quit: write what this file's accepted fixes change, ask nothing more"
                )?;
            }
        }
    }
}
