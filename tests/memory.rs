//! Peak memory of the engine on a huge file.
//!
//! Every allocation of this test binary is counted: Rust's through a
//! counting global allocator, the syntax trees' (tree-sitter is C code)
//! through the same counter, installed as tree-sitter's allocator. The
//! peak of a rewrite with many fixes must stay within the size of one
//! parsed tree plus a small multiple of the file size: no second tree and
//! no per-fix copy of the text.
//!
//! The binary holds this one test so that nothing else allocates while it
//! measures.

use std::alloc::{GlobalAlloc, Layout, System};
use std::ffi::c_void;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use gomend::engine::gomod::GoVersion;
use gomend::engine::{Engine, Mode, Settings};
use gomend::recipes::{self, Selection};

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(n: usize) {
    let now = CURRENT.fetch_add(n, Ordering::Relaxed) + n;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

fn shrank(n: usize) {
    CURRENT.fetch_sub(n, Ordering::Relaxed);
}

struct Counting;

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        shrank(layout.size());
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            if new_size > layout.size() {
                grew(new_size - layout.size());
            } else {
                shrank(layout.size() - new_size);
            }
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

// tree-sitter's allocator: blocks from the global allocator above, each
// with a header that holds its size (C's `free` is not told it).
const HEADER: usize = 16;

fn c_layout(size: usize) -> Layout {
    Layout::from_size_align(size + HEADER, HEADER).expect("layout")
}

unsafe fn c_alloc(size: usize, zeroed: bool) -> *mut c_void {
    let layout = c_layout(size);
    let base = unsafe {
        if zeroed {
            std::alloc::alloc_zeroed(layout)
        } else {
            std::alloc::alloc(layout)
        }
    };
    if base.is_null() {
        std::alloc::handle_alloc_error(layout);
    }
    unsafe {
        (base as *mut usize).write(size);
        base.add(HEADER) as *mut c_void
    }
}

unsafe extern "C" fn ts_malloc(size: usize) -> *mut c_void {
    unsafe { c_alloc(size, false) }
}

unsafe extern "C" fn ts_calloc(n: usize, size: usize) -> *mut c_void {
    unsafe { c_alloc(n.checked_mul(size).expect("calloc size"), true) }
}

unsafe extern "C" fn ts_realloc(ptr: *mut c_void, size: usize) -> *mut c_void {
    if ptr.is_null() {
        return unsafe { c_alloc(size, false) };
    }
    unsafe {
        let base = (ptr as *mut u8).sub(HEADER);
        let old = (base as *const usize).read();
        let new = std::alloc::realloc(base, c_layout(old), size + HEADER);
        if new.is_null() {
            std::alloc::handle_alloc_error(c_layout(size));
        }
        (new as *mut usize).write(size);
        new.add(HEADER) as *mut c_void
    }
}

unsafe extern "C" fn ts_free(ptr: *mut c_void) {
    if ptr.is_null() {
        return;
    }
    unsafe {
        let base = (ptr as *mut u8).sub(HEADER);
        let size = (base as *const usize).read();
        std::alloc::dealloc(base, c_layout(size));
    }
}

/// Runs `f` and returns its result with the most bytes that were allocated
/// at once while it ran, beyond those allocated before.
fn peak_of<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let base = CURRENT.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let out = f();
    (out, PEAK.load(Ordering::Relaxed) - base)
}

/// `n` small functions, each with a loop that yields for no reason: one
/// `remove-gosched` fix per function, and the `runtime` import goes with
/// the last of them.
fn generated(n: usize) -> String {
    let mut src = String::from(
        "package p\n\nimport (\n\t\"fmt\"\n\t\"runtime\"\n)\n\nfunc w(i int) { fmt.Println(i) }\n\n",
    );
    for i in 0..n {
        src.push_str(&format!(
            "func S{i}(xs []int) {{\n\tfor _, x := range xs {{\n\t\tw(x)\n\t\truntime.Gosched()\n\t}}\n}}\n\n"
        ));
    }
    src
}

#[test]
fn rewrite_peak_is_one_tree_and_a_few_copies_of_the_text() {
    // Before any other tree-sitter call, as tree-sitter requires.
    unsafe {
        tree_sitter::set_allocator(Some(tree_sitter::Allocator {
            malloc: ts_malloc,
            calloc: ts_calloc,
            realloc: ts_realloc,
            free: ts_free,
        }))
    };
    let fixes = 20_000;
    let src = generated(fixes);
    let recipes = Selection {
        only: vec!["remove-gosched".to_string()],
        ..Selection::default()
    }
    .apply(recipes::builtin().expect("recipes load"))
    .expect("recipe exists");
    let engine = Engine::new(recipes, Settings::default());
    let version: GoVersion = "1.22".parse().unwrap();

    // What one parse of the file holds (the tree and the copy of the text
    // that the syntax tree's root keeps).
    let before = CURRENT.load(Ordering::Relaxed);
    let root = gomend::engine::golang::parse(&src);
    let tree = CURRENT.load(Ordering::Relaxed) - before;
    drop(root);
    let (out, peak) = peak_of(|| engine.process(Path::new("big.go"), &src, version, Mode::Rewrite));
    assert_eq!(out.error, None);
    assert_eq!(out.fixes.get("remove-gosched"), Some(&fixes));
    let rewritten = out.rewritten.as_deref().expect("rewritten");
    assert!(!rewritten.contains("runtime"));
    let limit = tree + 12 * src.len();
    eprintln!(
        "file {} bytes, parsed tree {} bytes, rewrite peak {} bytes ({:.1}x the file; limit {:.1}x)",
        src.len(),
        tree,
        peak,
        peak as f64 / src.len() as f64,
        limit as f64 / src.len() as f64
    );
    assert!(
        peak < limit,
        "the rewrite peaked at {peak} bytes, over one tree ({tree}) plus 12x the file ({})",
        src.len()
    );
}
