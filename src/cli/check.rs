//! `gomend check`

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::rc::Rc;

use anyhow::Result;
use clap::{Args, ValueEnum};

use super::setup::{count, prepare, Prepared, Totals};
use super::RunArgs;
use crate::engine::suppress::{Directive, Scope};
use crate::engine::{FileOutcome, Finding, LineIndex, Located, Mode, Recipe};
use crate::git::changed::ChangedLines;
use crate::report::baseline::{Baseline, BaselineWriter};
use crate::report::checkstyle::CheckstylePrinter;
use crate::report::github::GithubPrinter;
use crate::report::gitlab::GitlabPrinter;
use crate::report::json::JsonPrinter;
use crate::report::sarif::SarifPrinter;
use crate::report::text::TextPrinter;
use crate::report::{Printer, RuleInfo, Rules, UNUSED_IGNORE};

#[derive(Copy, Clone, Debug, ValueEnum, PartialEq, Eq)]
pub enum Format {
    /// `path:line:col: recipe: message`, then the source line.
    Text,
    /// One JSON array of findings.
    Json,
    /// SARIF 2.1.0, for code scanning (GitHub, GitLab, IDEs).
    Sarif,
    /// GitHub Actions workflow commands, which annotate the pull request.
    Github,
    /// Checkstyle XML.
    Checkstyle,
    /// GitLab Code Quality JSON (`artifacts: reports: codequality`).
    Gitlab,
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    #[command(flatten)]
    pub run: RunArgs,
    /// Output format on standard output.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Also write the findings in FORMAT to the file PATH (repeatable, so
    /// that one run writes several reports), e.g. `--output sarif=gomend.sarif`.
    /// Each file is replaced as a whole at the end of the run.
    #[arg(long = "output", value_name = "FORMAT=PATH", value_parser = parse_output)]
    pub outputs: Vec<(Format, PathBuf)>,
    /// Also report suppression comments that silence no finding, name an
    /// unknown recipe, or (`//gomend:file-ignore`) come after the package
    /// clause, as `unused-ignore` findings. Ids of recipes not selected for
    /// this run are not judged.
    #[arg(long)]
    pub report_unused_ignores: bool,
    /// Report only the findings not recorded in this baseline (written by
    /// --write-baseline). Recorded findings that are gone are listed on
    /// stderr as fixed.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Record every finding in FILE (JSON, stable order) instead of
    /// reporting them; exit 0. Later runs with --baseline FILE report only
    /// new findings.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["baseline", "new_from_rev"])]
    pub write_baseline: Option<PathBuf>,
    /// Report only the findings that start on a line changed since REV (a
    /// commit, branch or tag): the working tree, staged or not, against
    /// REV's tree. Files new since REV count as changed on every line.
    #[arg(long, value_name = "REV")]
    pub new_from_rev: Option<String>,
}

fn parse_output(s: &str) -> Result<(Format, PathBuf), String> {
    let Some((format, path)) = s.split_once('=') else {
        return Err(format!(
            "expected FORMAT=PATH (e.g. sarif=gomend.sarif), got `{s}`"
        ));
    };
    let format = Format::from_str(format, true).map_err(|_| {
        let known: Vec<String> = Format::value_variants()
            .iter()
            .filter_map(|f| f.to_possible_value().map(|v| v.get_name().to_string()))
            .collect();
        format!("unknown format `{format}` (formats: {})", known.join(", "))
    })?;
    if path.is_empty() {
        return Err(format!("`{s}` names no file"));
    }
    Ok((format, PathBuf::from(path)))
}

/// What each rule of the run says, for the formats that describe rules.
fn rules(recipes: &[Recipe], unused_ignores: bool) -> Rules {
    let mut rules: Vec<RuleInfo> = recipes
        .iter()
        .map(|r| RuleInfo {
            id: r.id.to_string(),
            summary: r.spec.summary.clone(),
            rationale: r.spec.rationale.clone(),
            help: super::explain::render(r),
            severity: "warning",
        })
        .collect();
    if unused_ignores {
        rules.push(super::explain::unused_ignore_rule());
    }
    Rules { rules }
}

fn printer<'a, W: Write + 'a>(format: Format, out: W, rules: &Rules) -> Box<dyn Printer + 'a> {
    match format {
        Format::Text => Box::new(TextPrinter::new(out)),
        Format::Json => Box::new(JsonPrinter::new(out, rules.clone())),
        Format::Sarif => Box::new(SarifPrinter::new(out, rules.clone())),
        Format::Github => Box::new(GithubPrinter::new(out, rules.clone())),
        Format::Checkstyle => Box::new(CheckstylePrinter::new(out, rules.clone())),
        Format::Gitlab => Box::new(GitlabPrinter::new(out, rules.clone())),
    }
}

/// A report bound for a file: written to memory, then to the file at the end.
#[derive(Clone, Default)]
struct Buffer(Rc<RefCell<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The printer on standard output plus those of `--output`. A closed
/// standard output (`gomend check | head`) ends only its own printer; the
/// run stops when no printer is left.
struct Fanout<'a> {
    stdout: Option<Box<dyn Printer + 'a>>,
    files: Vec<Box<dyn Printer + 'a>>,
    /// Standard output was closed by its reader.
    closed: bool,
}

impl Fanout<'_> {
    fn stdout_result(&mut self, r: io::Result<()>) -> io::Result<()> {
        match r {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
                self.stdout = None;
                self.closed = true;
                if self.files.is_empty() {
                    Err(e)
                } else {
                    Ok(())
                }
            }
            r => r,
        }
    }
}

impl Printer for Fanout<'_> {
    fn file(&mut self, path: &str, source: &str, outcome: &FileOutcome) -> io::Result<()> {
        for p in &mut self.files {
            p.file(path, source, outcome)?;
        }
        if let Some(p) = &mut self.stdout {
            let r = p.file(path, source, outcome);
            self.stdout_result(r)?;
        }
        Ok(())
    }

    fn finish(&mut self) -> io::Result<()> {
        for p in &mut self.files {
            p.finish()?;
        }
        if let Some(p) = &mut self.stdout {
            let r = p.finish();
            self.stdout_result(r)?;
        }
        Ok(())
    }
}

pub fn run(args: &CheckArgs) -> Result<ExitCode> {
    let mut p = prepare(&args.run)?;
    let mut baseline = match &args.baseline {
        Some(b) => Some(Baseline::load(b).map_err(anyhow::Error::msg)?),
        None => None,
    };
    let changed = match &args.new_from_rev {
        Some(rev) => Some(ChangedLines::since(
            rev,
            &repository_start(&args.run.paths),
        )?),
        None => None,
    };
    let mut writer = args.write_baseline.as_deref().map(BaselineWriter::new);
    p.engine.track_ignores(args.report_unused_ignores);
    let known = if args.report_unused_ignores {
        known_ids(&p.codemods)?
    } else {
        BTreeSet::new()
    };
    let selected: BTreeSet<String> = p
        .engine
        .recipes()
        .iter()
        .map(|r| r.id.to_string())
        .collect();
    let rules = rules(p.engine.recipes(), args.report_unused_ignores);
    let mut errors = p.report_walk_errors();
    let stdout: Box<dyn Printer> = match args.format {
        Format::Text => printer(args.format, anstream::stdout().lock(), &rules),
        f => printer(f, io::stdout().lock(), &rules),
    };
    let mut buffers = Vec::new();
    let mut files: Vec<Box<dyn Printer>> = Vec::new();
    for (format, path) in &args.outputs {
        let buffer = Buffer::default();
        files.push(match format {
            Format::Text => {
                let plain: Box<dyn Write> = Box::new(buffer.clone());
                printer(*format, anstream::StripStream::new(plain), &rules)
            }
            f => printer(*f, buffer.clone(), &rules),
        });
        buffers.push((path, buffer));
    }
    let mut out = Fanout {
        stdout: Some(stdout),
        files,
        closed: false,
    };
    // What is reported: after the baseline and --new-from-rev, with the
    // ignore problems.
    let (mut findings, mut fixable) = (0usize, 0usize);
    let result = p.run(Mode::Check, |path, f| {
        let source = f.source.as_deref().unwrap_or("");
        if let Some(w) = &mut writer {
            w.add(&f.path, source, &f.outcome.findings);
            return Ok(());
        }
        let extra = if args.report_unused_ignores {
            ignore_problems(source, &f.outcome.ignores, &known, &selected)
        } else {
            Vec::new()
        };
        if extra.is_empty() && baseline.is_none() && changed.is_none() {
            findings += f.outcome.findings.len();
            fixable += fixable_in(&f.outcome.findings);
            return out.file(path, source, &f.outcome);
        }
        let mut outcome = f.outcome.clone();
        // The baseline first: its entries are used up by the findings they
        // cover, wherever those are.
        if let Some(b) = &mut baseline {
            b.filter(&f.path, source, &mut outcome.findings);
        }
        if let Some(c) = &changed {
            outcome.findings.retain(|x| c.contains(&f.path, x.line));
        }
        outcome.findings.extend(extra);
        outcome
            .findings
            .sort_by_key(|x| (x.line, x.column, x.finding.range.end));
        findings += outcome.findings.len();
        fixable += fixable_in(&outcome.findings);
        out.file(path, source, &outcome)
    });
    let mut totals = match result.and_then(|t| out.finish().map(|()| t)) {
        Ok(t) => t,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(ExitCode::SUCCESS),
        Err(e) => return Err(e.into()),
    };
    errors += totals.failed;
    totals.findings = findings;
    totals.fixable = fixable;
    let closed = out.closed;
    drop(out);
    for (path, buffer) in buffers {
        let bytes = std::mem::take(&mut *buffer.0.borrow_mut());
        crate::write::write_whole_file(path, &bytes).map_err(anyhow::Error::msg)?;
    }
    if let (Some(w), Some(file)) = (&writer, &args.write_baseline) {
        if errors > 0 {
            anyhow::bail!(
                "--write-baseline {}: not written, as some files could not be checked (see above)",
                file.display()
            );
        }
        crate::write::write_whole_file(file, w.to_json()).map_err(anyhow::Error::msg)?;
        let n = w.len();
        eprintln!(
            "gomend: recorded {n} finding{} in {}",
            if n == 1 { "" } else { "s" },
            file.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    if let (Some(b), Some(file)) = (&baseline, &args.baseline) {
        let fixed = b.fixed(&p.files, &args.run.paths);
        if !fixed.is_empty() {
            let n: usize = fixed.iter().map(|e| e.count).sum();
            eprintln!(
                "gomend: {n} finding{} of the baseline {} fixed; `--write-baseline {}` records the smaller baseline:",
                if n == 1 { "" } else { "s" },
                if n == 1 { "is" } else { "are" },
                file.display()
            );
            for e in fixed {
                let times = if e.count > 1 {
                    format!(" ({} times)", e.count)
                } else {
                    String::new()
                };
                eprintln!("  {}: {}: {}{times}", e.path, e.recipe, e.source);
            }
        }
    }
    // As `rg | head` does: the reader had what it wanted.
    if closed {
        return Ok(ExitCode::SUCCESS);
    }
    p.summary(&summary(&p, &totals));
    Ok(ExitCode::from(if errors > 0 {
        super::EXIT_ERROR
    } else if totals.findings > 0 {
        1
    } else {
        0
    }))
}

/// Every recipe id gomend knows in this run: built in (on or off by
/// default) and from the codemod directories.
fn known_ids(codemods: &[PathBuf]) -> Result<BTreeSet<String>> {
    Ok(super::setup::all_recipes(codemods)?
        .iter()
        .map(|r| r.id.to_string())
        .collect())
}

/// The suppression comments that silence nothing or name an unknown
/// recipe, as findings of [`UNUSED_IGNORE`].
fn ignore_problems(
    source: &str,
    directives: &[Directive],
    known: &BTreeSet<String>,
    selected: &BTreeSet<String>,
) -> Vec<Located> {
    let lines = LineIndex::new(source);
    let mut out = Vec::new();
    for d in directives {
        let text = source.get(d.range.clone()).unwrap_or("");
        let name = if text.starts_with("//gomend:file-ignore") {
            "//gomend:file-ignore"
        } else {
            "//gomend:ignore"
        };
        let mut problems = Vec::new();
        if d.scope == Scope::Misplaced {
            problems.push(format!(
                "`{name}` applies only before the package clause; here it silences nothing"
            ));
        } else if d.ids.is_empty() {
            if d.silenced[0] == 0 {
                problems.push(format!("`{name}` silences no finding"));
            }
        } else {
            let unknown: Vec<&str> = d
                .ids
                .iter()
                .filter(|id| !known.contains(*id))
                .map(String::as_str)
                .collect();
            let unused: Vec<&str> = d
                .ids
                .iter()
                .zip(&d.silenced)
                .filter(|(id, n)| **n == 0 && selected.contains(*id))
                .map(|(id, _)| id.as_str())
                .collect();
            if !unknown.is_empty() {
                problems.push(format!(
                    "`{name}` names {} (`gomend list` shows the recipes)",
                    quoted(&unknown, "an unknown recipe", "unknown recipes")
                ));
            }
            if !unused.is_empty() {
                problems.push(format!(
                    "`{name}` silences no finding of {}",
                    quoted(&unused, "", "")
                ));
            }
        }
        if problems.is_empty() {
            continue;
        }
        let finding = Finding {
            recipe: UNUSED_IGNORE.into(),
            range: d.range.clone(),
            message: format!("{}; remove it or correct it", problems.join("; ")),
            fix: None,
        };
        let (line, column) = lines.position(d.range.start);
        let (end_line, end_column) = lines.position(d.range.end);
        out.push(Located {
            finding,
            line,
            column,
            end_line,
            end_column,
        });
    }
    out
}

/// `a`, or `` `a`, `b` `` with a leading word for one and for several.
fn quoted(ids: &[&str], one: &str, several: &str) -> String {
    let list: Vec<String> = ids.iter().map(|id| format!("`{id}`")).collect();
    let word = if ids.len() == 1 { one } else { several };
    if word.is_empty() {
        list.join(", ")
    } else {
        format!("{word} {}", list.join(", "))
    }
}

/// Where to look for the repository of `--new-from-rev`: the first path's
/// directory.
fn repository_start(paths: &[PathBuf]) -> PathBuf {
    let first = paths.first().cloned().unwrap_or_else(|| PathBuf::from("."));
    if first.is_dir() {
        first
    } else {
        match first.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        }
    }
}

/// `41 files checked: 21 findings, 15 fixable, 6 report-only`.
fn summary(p: &Prepared, t: &Totals) -> String {
    let scanned = p.scanned(t, "checked");
    if t.findings == 0 {
        return format!("{scanned}: no findings");
    }
    format!(
        "{scanned}: {}, {} fixable, {} report-only",
        count(t.findings, "finding"),
        t.fixable,
        t.report_only()
    )
}

/// How many of `findings` have an automatic rewrite.
fn fixable_in(findings: &[Located]) -> usize {
    findings.iter().filter(|x| x.finding.fix.is_some()).count()
}
