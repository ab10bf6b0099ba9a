use clap::Parser;
use std::process::ExitCode;

/// mimalloc keeps freed pages for reuse: a run allocates and frees large
/// columns and many small ids, which the system allocator returns to the
/// kernel and faults in again.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = mutual::cli::Cli::parse();
    mutual::cli::run(cli)
}
