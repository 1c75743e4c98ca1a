fn main() -> std::process::ExitCode {
    one_malloc_arena();
    gomend::cli::main()
}

/// glibc gives every thread that allocates its own malloc arena, and memory
/// freed in one arena is not reused by the others: with a worker per core
/// parsing file after file, peak memory then grows with the run instead of
/// staying at what one batch of files needs. One arena keeps it flat; the
/// workers spend their time parsing, not in malloc, so they do not queue on
/// it.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn one_malloc_arena() {
    // SAFETY: mallopt only sets a tuning parameter of the allocator, and it
    // runs before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 1);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn one_malloc_arena() {}
