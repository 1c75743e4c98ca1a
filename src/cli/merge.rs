//! `gomend merge`: the JSON reports of `--shard` runs, as one full run
//! would print them.

use std::collections::HashMap;
use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::Args;
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::report::json::JsonPrinter;
use crate::report::Printer;
use crate::report::Rules;

#[derive(Args, Debug)]
pub struct MergeArgs {
    /// JSON reports written by `gomend check --format json` (`-` reads
    /// standard input), typically one per shard.
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
}

/// The fields that order findings; the rest is passed through untouched.
#[derive(Deserialize)]
struct Key {
    path: String,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    recipe: String,
}

pub fn run(args: &MergeArgs) -> Result<ExitCode> {
    let mut all: Vec<(Key, Box<RawValue>)> = Vec::new();
    // Which input each path came from: shards never share a file, so a path
    // in two inputs means the same report (or overlapping runs) twice.
    let mut owner: HashMap<String, usize> = HashMap::new();
    for (i, file) in args.files.iter().enumerate() {
        let name = file.display().to_string();
        let text = if file.as_os_str() == "-" {
            let mut s = String::new();
            std::io::stdin()
                .read_to_string(&mut s)
                .context("reading standard input")?;
            s
        } else {
            std::fs::read_to_string(file).with_context(|| format!("{name}: cannot read"))?
        };
        let items: Vec<Box<RawValue>> = serde_json::from_str(&text).with_context(|| {
            format!(
                "{name}: not a JSON array (expected the output of `gomend check --format json`)"
            )
        })?;
        for item in items {
            let key: Key = serde_json::from_str(item.get()).with_context(|| {
                format!(
                    "{name}: not a gomend finding (expected recipe, path, line, column, end_line and end_column): {}",
                    item.get()
                )
            })?;
            match owner.get(&key.path) {
                Some(&j) if j != i => bail!(
                    "{} appears in both {} and {name}: the reports overlap, so they are not shards of one run",
                    key.path,
                    args.files[j].display()
                ),
                Some(_) => {}
                None => {
                    owner.insert(key.path.clone(), i);
                }
            }
            all.push((key, item));
        }
    }
    // A full run walks each directory in name order and lists a file's
    // findings by position, then recipe: comparing paths component by
    // component puts `a/b/c.go` before `a/b.go`, as the walk does.
    all.sort_by(|(a, _), (b, _)| {
        a.path
            .split('/')
            .cmp(b.path.split('/'))
            .then((a.line, a.column, a.end_line, a.end_column).cmp(&(
                b.line,
                b.column,
                b.end_line,
                b.end_column,
            )))
            .then_with(|| a.recipe.cmp(&b.recipe))
    });
    let mut printer = JsonPrinter::new(std::io::stdout().lock(), Rules::default());
    for (_, item) in &all {
        printer.raw(item.get())?;
    }
    printer.finish()?;
    Ok(ExitCode::from(u8::from(!all.is_empty())))
}
