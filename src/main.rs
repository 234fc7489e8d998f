//! The `vernissage` binary: parses the command line and runs it.

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    use clap::Parser;
    // `--measure` counts its start-up times from here.
    vernissage::launch::process_start();
    let cli = vernissage::cli::Cli::parse();
    vernissage::cli::run(cli)
}

/// In the browser there is no command line: the page's address picks the level.
#[cfg(target_arch = "wasm32")]
fn main() {
    vernissage::web::start();
}
