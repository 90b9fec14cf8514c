//! The `intone` binary. It is built by the root package (so the top-level
//! `tests/` can run it and the app's bundle ships it); its code is this
//! crate's library.

fn main() -> std::process::ExitCode {
    intone_cli::main()
}
