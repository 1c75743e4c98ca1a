/// mimalloc gives every thread its own heap and takes memory freed by
/// another thread back without a lock: with a worker per core parsing file
/// after file, glibc's malloc either queues the workers on one arena or,
/// with an arena per thread, lets peak memory grow with the run.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_arena_eager_commit` and `mi_option_purge_delay` of the
/// `mi_option_e` enum in the mimalloc (v3) header that libmimalloc-sys
/// builds.
const ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn main() -> std::process::ExitCode {
    allocator();
    gomend::cli::main()
}

/// Memory a parse frees goes back to the system at once, and arenas are
/// committed as they fill, so that peak memory stays what one group of
/// files needs (no slower: the parser reuses what it has freed first). The
/// parser's C code, which allocates a node at a time, takes the same
/// allocator as the rest of the program.
fn allocator() {
    // SAFETY: setting an option only tunes the allocator. The four functions
    // handed to the parser are mimalloc's, one allocator family that never
    // returns null for a non-zero size and aligns as malloc does; this runs
    // first in `main`, before any thread or parser exists.
    unsafe {
        libmimalloc_sys::mi_option_set(ARENA_EAGER_COMMIT, 0);
        libmimalloc_sys::mi_option_set(PURGE_DELAY, 0);
        tree_sitter::set_allocator(Some(tree_sitter::Allocator {
            malloc: libmimalloc_sys::mi_malloc,
            calloc: libmimalloc_sys::mi_calloc,
            realloc: libmimalloc_sys::mi_realloc,
            free: libmimalloc_sys::mi_free,
        }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The option numbers are those of the header: each reads its
    /// documented default.
    #[test]
    fn the_allocator_options_are_the_ones_meant() {
        // SAFETY: reading an option has no effect on the allocator.
        let (eager, delay) = unsafe {
            (
                libmimalloc_sys::mi_option_get(ARENA_EAGER_COMMIT),
                libmimalloc_sys::mi_option_get(PURGE_DELAY),
            )
        };
        assert_eq!((eager, delay), (2, 1000));
    }
}
