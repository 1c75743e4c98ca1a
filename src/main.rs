fn main() -> std::process::ExitCode {
    gomend::cli::main()
}
