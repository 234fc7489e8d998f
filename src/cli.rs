//! The command tree: playing an exhibition and the offline tools (`validate`, ...).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::launch::{Launch, LevelLocation, Screenshot};

/// Vernissage: walk an art exhibition authored as a RON level.
///
/// Without a subcommand it opens the exhibition in a window. Feedback, models and the ledger
/// of each exhibition live in their own folder of the data directory: DATA_DIR/<exhibition id>/.
#[derive(Debug, Parser)]
#[command(name = "vernissage", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// Level to open: a path to a .ron file (default: levels/default.ron).
    #[arg(long, value_name = "PATH|URL", global = false)]
    pub level: Option<String>,

    /// Where exhibitions keep their data (default: the platform's data directory, e.g.
    /// ~/.local/share/vernissage on Linux). Each exhibition gets a subfolder named by its id.
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// Reload the gallery when the level file or its assets change on disk.
    #[arg(long)]
    pub watch: bool,

    /// Render from the spawn point once everything is loaded, save a PNG and exit.
    #[arg(long, value_name = "PNG")]
    pub screenshot: Option<PathBuf>,

    /// Frames to render after loading before the screenshot is taken.
    #[arg(long, value_name = "N", default_value_t = 30, requires = "screenshot")]
    pub frames: u32,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check level files without opening a window: prints `FILE: ok (R rooms, W works)` or one
    /// `FILE:LINE:COLUMN: message` line per problem; exits 1 if any file has errors.
    Validate {
        /// Level files to check.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<String>,
    },
}

/// Runs a parsed command line; the process exit code comes back.
pub fn run(cli: Cli) -> ExitCode {
    match cli.command {
        Some(Command::Validate { files }) => validate(&files),
        None => play(cli),
    }
}

fn play(cli: Cli) -> ExitCode {
    let level = cli.level.unwrap_or_else(crate::launch::default_level_path);
    let launch = Launch {
        level: LevelLocation::parse(&level),
        data_dir: cli.data_dir,
        watch: cli.watch,
        screenshot: cli.screenshot.map(|path| Screenshot {
            path,
            frames: cli.frames,
        }),
    };
    crate::run_game(launch)
}

/// `vernissage validate FILE...`
pub fn validate(files: &[String]) -> ExitCode {
    let mut failed = false;
    for file in files {
        let (lines, ok) = validate_file(Path::new(file), file);
        for line in lines {
            println!("{line}");
        }
        failed |= !ok;
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// The output lines for one file, and whether it is free of errors.
pub fn validate_file(path: &Path, label: &str) -> (Vec<String>, bool) {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) => {
            return (
                vec![format!("{label}:1:1: cannot read the file: {e}")],
                false,
            );
        }
    };
    let (root, _) = crate::level::exhibition_root(&path.to_string_lossy());
    let root = PathBuf::from(root);
    let report = crate::level::read_level(&bytes, |asset| {
        std::fs::read(root.join(asset)).map_err(|e| e.to_string())
    });
    let mut lines: Vec<String> = report.diagnostics.iter().map(|d| d.render(label)).collect();
    let ok = !report.has_errors();
    if ok && let Some(level) = &report.level {
        lines.push(format!(
            "{label}: ok ({} rooms, {} works)",
            level.rooms.len(),
            level.works.len()
        ));
    }
    (lines, ok)
}
