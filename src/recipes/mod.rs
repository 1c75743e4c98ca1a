//! The recipe catalogue: the codemod files shipped in `codemods/`, the code
//! behind recipes whose fix needs more than a template, and selection.
//!
//! Adding a recipe: write `codemods/<id>.toml`; if its fix needs code, add
//! `src/recipes/<id>.rs` (module name with `_`) implementing
//! [`RecipeLogic`] and name it in [`logic_for`].
//!
//! Analyses that several recipes share live beside them: `util` (questions
//! about Go syntax), `flow` (where a value goes: returned, stored, sent) and
//! `exits` (the ways out of a function body).

mod bounded_spawn;
mod buffered_result_chan;
mod busy_poll;
mod cgo_in_loop;
mod defer_wg_done;
mod exits;
mod finalizer_for_cleanup;
mod finalizer_self_capture;
mod flow;
mod gc_percent_restore;
mod goexit_in_main;
mod gomaxprocs_as_lock;
mod goroutine_at_shutdown;
mod goroutine_no_recover;
mod goroutine_per_send;
mod goroutines;
pub mod guards;
mod init_goroutine;
pub mod intent;
mod library_gomaxprocs;
mod linkname_runtime;
mod lock_os_thread;
mod lock_thread_for_signals;
mod loopvar_capture;
mod lost_cancel;
mod never_closed_done;
mod numgoroutine_as_load;
mod pprof_do;
mod preemption_pre_1_14;
mod remove_gc;
mod remove_gosched;
mod select_default_spin;
mod set_max_threads_low;
mod setns_unpinned;
mod timer_reset;
mod trace_never_stopped;
mod trylock_spin;
pub mod util;

use std::path::Path;

use crate::engine::spec::RecipeSpec;
use crate::engine::{Recipe, RecipeLogic};

include!(concat!(env!("OUT_DIR"), "/codemods.rs"));

/// The built-in implementation named `name` in a codemod's `[fix]`.
pub fn logic_for(name: &str) -> Option<&'static dyn RecipeLogic> {
    Some(match name {
        "bounded-spawn" => &bounded_spawn::BoundedSpawn,
        "buffered-result-chan" => &buffered_result_chan::BufferedResultChan,
        "busy-poll" => &busy_poll::BusyPoll,
        "cgo-in-loop" => &cgo_in_loop::CgoInLoop,
        "defer-wg-done" => &defer_wg_done::DeferWgDone,
        "finalizer-for-cleanup" => &finalizer_for_cleanup::FinalizerForCleanup,
        "finalizer-self-capture" => &finalizer_self_capture::FinalizerSelfCapture,
        "gc-percent-restore" => &gc_percent_restore::GcPercentRestore,
        "goexit-in-main" => &goexit_in_main::GoexitInMain,
        "gomaxprocs-as-lock" => &gomaxprocs_as_lock::GomaxprocsAsLock,
        "goroutine-at-shutdown" => &goroutine_at_shutdown::GoroutineAtShutdown,
        "goroutine-no-recover" => &goroutine_no_recover::GoroutineNoRecover,
        "goroutine-per-send" => &goroutine_per_send::GoroutinePerSend,
        "init-goroutine" => &init_goroutine::InitGoroutine,
        "library-gomaxprocs" => &library_gomaxprocs::LibraryGomaxprocs,
        "linkname-runtime" => &linkname_runtime::LinknameRuntime,
        "lock-os-thread" => &lock_os_thread::LockOsThread,
        "lock-thread-for-signals" => &lock_thread_for_signals::LockThreadForSignals,
        "loopvar-capture" => &loopvar_capture::LoopvarCapture,
        "lost-cancel" => &lost_cancel::LostCancel,
        "never-closed-done" => &never_closed_done::NeverClosedDone,
        "numgoroutine-as-load" => &numgoroutine_as_load::NumgoroutineAsLoad,
        "pprof-do" => &pprof_do::PprofDo,
        "preemption-pre-1-14" => &preemption_pre_1_14::PreemptionPre114,
        "remove-gc" => &remove_gc::RemoveGc,
        "remove-gosched" => &remove_gosched::RemoveGosched,
        "select-default-spin" => &select_default_spin::SelectDefaultSpin,
        "set-max-threads-low" => &set_max_threads_low::SetMaxThreadsLow,
        "setns-unpinned" => &setns_unpinned::SetnsUnpinned,
        "timer-reset" => &timer_reset::TimerReset,
        "trace-never-stopped" => &trace_never_stopped::TraceNeverStopped,
        "trylock-spin" => &trylock_spin::TrylockSpin,
        _ => return None,
    })
}

/// Loads the built-in recipes, sorted by id.
pub fn builtin() -> Result<Vec<Recipe>, String> {
    let mut out = Vec::new();
    for (file, text) in EMBEDDED {
        out.push(load(file, text)?);
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(out)
}

/// Loads every `*.toml` codemod file in `dir` (user recipes).
pub fn load_dir(dir: &Path) -> Result<Vec<Recipe>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut paths: Vec<_> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    let mut out = Vec::new();
    for p in paths {
        let text = std::fs::read_to_string(&p).map_err(|e| format!("{}: {e}", p.display()))?;
        out.push(load(&p.display().to_string(), &text)?);
    }
    Ok(out)
}

fn load(file: &str, text: &str) -> Result<Recipe, String> {
    let spec = RecipeSpec::from_toml(text).map_err(|e| format!("{file}: {e}"))?;
    let stem = Path::new(file)
        .file_stem()
        .map(|s| s.to_string_lossy().to_string());
    if stem.as_deref() != Some(spec.id.as_str()) {
        return Err(format!(
            "{file}: the file name must be the recipe id (`{}.toml`)",
            spec.id
        ));
    }
    Recipe::compile_with(spec, logic_for, &guards::resolve).map_err(|e| format!("{file}: {e}"))
}

/// Which recipes to run.
#[derive(Clone, Debug, Default)]
pub struct Selection {
    /// `--recipe`: only these (also enables opt-in recipes).
    pub only: Vec<String>,
    /// `--skip`: never these.
    pub skip: Vec<String>,
    /// The configuration file's `enable`: these on top of the defaults
    /// (opt-in recipes included). Not used when `only` names recipes.
    pub enable: Vec<String>,
    /// The configuration file's `disable`: these off. Not used when
    /// `only` names recipes.
    pub disable: Vec<String>,
}

impl Selection {
    /// Keeps the selected recipes; an unknown id is an error that lists the known ones.
    pub fn apply(&self, all: Vec<Recipe>) -> Result<Vec<Recipe>, String> {
        for id in self
            .only
            .iter()
            .chain(&self.skip)
            .chain(&self.enable)
            .chain(&self.disable)
        {
            if !all.iter().any(|r| &*r.id == id) {
                let known: Vec<&str> = all.iter().map(|r| &*r.id).collect();
                return Err(format!(
                    "unknown recipe `{id}` (known: {})",
                    known.join(", ")
                ));
            }
        }
        Ok(all
            .into_iter()
            .filter(|r| {
                let id = &*r.id;
                let chosen = if self.only.is_empty() {
                    (!r.spec.opt_in || self.enable.iter().any(|e| e == id))
                        && !self.disable.iter().any(|d| d == id)
                } else {
                    self.only.iter().any(|o| o == id)
                };
                chosen && !self.skip.iter().any(|s| s == id)
            })
            .collect())
    }
}
