//! The command tree: playing an exhibition and the offline tools (`validate`, ...).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::launch::{Launch, LevelLocation, Screenshot};

/// Prints a line on standard output; a closed pipe (`vernissage ... | head`) is not an error.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

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

    /// Play a visitor script (see docs/simulate.md) on your own visitor; with --screenshot the
    /// picture is taken when the script is done, so you can look along a scripted path.
    #[arg(long, value_name = "SCRIPT.ron")]
    pub script: Option<PathBuf>,

    /// Frames to render after loading before the screenshot is taken.
    #[arg(long, value_name = "N", default_value_t = 30, requires = "screenshot")]
    pub frames: u32,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The learned quality score of every work: a leaderboard with each score's top reasons,
    /// and the model's cross-validated error next to always predicting the mean rating.
    Scores {
        /// The exhibition's level.
        #[arg(long, value_name = "FILE")]
        level: String,
        /// A data directory with visitors' feedback (give several to merge them).
        #[arg(long = "data-dir", value_name = "DIR", required = true)]
        data_dirs: Vec<PathBuf>,
        /// Model settings as RON, e.g. `ScoringSettings(l2: 0.5, learning_rate: 0.05,
        /// epochs: 2000, model: Hidden)`; the game reads the same file from
        /// `<data dir>/<exhibition id>/scoring-settings.ron`.
        #[arg(long, value_name = "FILE")]
        settings: Option<PathBuf>,
    },
    /// Visitor statistics for curators: per-work figures as CSV and a heat map of where visitors
    /// stood as PNG, from one or more data directories (merged without double counting).
    Analytics {
        /// The exhibition's level.
        #[arg(long, value_name = "FILE")]
        level: String,
        /// A data directory (give several to merge kiosks' data).
        #[arg(long = "data-dir", value_name = "DIR", required = true)]
        data_dirs: Vec<PathBuf>,
        /// Where to write works.csv and heatmap.png (default: analytics-<exhibition id>).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// Run the gallery headless on a simulated clock with scripted and/or random visitors;
    /// prints one JSON line per event and writes a JSON report (see docs/simulate.md).
    Simulate(SimulateArgs),
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
        Some(Command::Scores {
            level,
            data_dirs,
            settings,
        }) => scores(&level, &data_dirs, settings.as_deref()),
        Some(Command::Analytics {
            level,
            data_dirs,
            out,
        }) => analytics(&level, &data_dirs, out),
        Some(Command::Simulate(args)) => simulate(args),
        None => play(cli),
    }
}

fn play(cli: Cli) -> ExitCode {
    let level = cli.level.unwrap_or_else(crate::launch::default_level_path);
    let script = match &cli.script {
        None => None,
        Some(path) => match read_script(path) {
            Ok((_, script)) => Some(script),
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::FAILURE;
            }
        },
    };
    let launch = Launch {
        level: LevelLocation::parse(&level),
        data_dir: cli.data_dir,
        watch: cli.watch,
        screenshot: cli.screenshot.map(|path| Screenshot {
            path,
            frames: cli.frames,
        }),
        script,
    };
    crate::run_game(launch)
}

/// `vernissage validate FILE...`
pub fn validate(files: &[String]) -> ExitCode {
    let mut failed = false;
    for file in files {
        let (lines, ok) = validate_file(Path::new(file), file);
        for line in lines {
            say!("{line}");
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

/// The options of `vernissage simulate`.
#[derive(Debug, clap::Args)]
pub struct SimulateArgs {
    /// The level to walk.
    #[arg(long, value_name = "FILE")]
    level: String,
    /// A visitor script (RON); give it once per scripted visitor.
    #[arg(long = "script", value_name = "SCRIPT.ron")]
    scripts: Vec<PathBuf>,
    /// How many random visitors to add.
    #[arg(long, value_name = "N", default_value_t = 0)]
    visitors: u32,
    /// Seed of the random visitors: the same seed gives the same run.
    #[arg(long, value_name = "S", default_value_t = 0)]
    seed: u64,
    /// Simulated seconds (default: until every script is done, or 60 s with random visitors).
    #[arg(long, value_name = "SECONDS")]
    duration: Option<f64>,
    /// Fixed steps per simulated second.
    #[arg(long, value_name = "HZ", default_value_t = 60.0)]
    rate: f64,
    /// Data directory (default: a fresh temporary directory, never the real one).
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Write the report here (default: the last line on stdout).
    #[arg(long, value_name = "OUT.json")]
    report: Option<PathBuf>,
    /// Print no event lines.
    #[arg(long)]
    quiet: bool,
}

/// `vernissage simulate ...`
fn simulate(args: SimulateArgs) -> ExitCode {
    use crate::simulate::{SimulationSpec, run};
    let mut scripts = Vec::new();
    for path in &args.scripts {
        match read_script(path) {
            Ok(named) => scripts.push(named),
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::FAILURE;
            }
        }
    }
    if scripts.is_empty() && args.visitors == 0 {
        eprintln!("nothing to simulate: give --script FILE and/or --visitors N");
        return ExitCode::FAILURE;
    }
    if !(args.rate.is_finite() && (1.0..=1000.0).contains(&args.rate)) {
        eprintln!("--rate must be 1 to 1000 steps per second");
        return ExitCode::FAILURE;
    }
    if let Some(d) = args.duration
        && !(d.is_finite() && (0.0..=86_400.0).contains(&d))
    {
        eprintln!("--duration must be 0 to 86400 seconds");
        return ExitCode::FAILURE;
    }
    // Never the real data directory unless asked for: a fresh temporary one by default.
    let data_dir = match args.data_dir {
        Some(dir) => dir,
        None => {
            let stamp = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos());
            let dir = std::env::temp_dir().join(format!(
                "vernissage-simulate-{}-{stamp}",
                std::process::id()
            ));
            eprintln!("data directory: {}", dir.display());
            dir
        }
    };
    let spec = SimulationSpec {
        level: args.level.clone(),
        scripts,
        random_visitors: args.visitors,
        seed: args.seed,
        duration: args.duration,
        rate: args.rate,
        data_dir,
        events: !args.quiet,
        scores: true,
    };
    match run(&spec) {
        Ok(report) => {
            let json = serde_json::to_string_pretty(&report).unwrap_or_default();
            match &args.report {
                Some(path) => {
                    if let Err(e) = std::fs::write(path, json + "\n") {
                        eprintln!("cannot write the report to {}: {e}", path.display());
                        return ExitCode::FAILURE;
                    }
                }
                None => {
                    let line = serde_json::json!({ "event": "report", "report": report });
                    say!("{line}");
                }
            }
            ExitCode::SUCCESS
        }
        Err(problems) => {
            for line in problems {
                eprintln!("{line}");
            }
            ExitCode::FAILURE
        }
    }
}

/// Reads a visitor script; the name defaults to the file's stem. Errors are ready to print.
fn read_script(path: &Path) -> Result<(String, crate::simulate::script::Script), String> {
    let label = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{label}:1:1: cannot read the script: {e}"))?;
    let script =
        crate::simulate::script::parse(&text, |k| crate::player::keys::key_code(k).is_some())
            .map_err(|e| format!("{label}:{e}"))?;
    let name = script.name.clone().unwrap_or_else(|| {
        path.file_stem()
            .map_or(label.clone(), |n| n.to_string_lossy().into_owned())
    });
    Ok((name, script))
}

/// Reads and checks a level for a command that needs a valid one; problems are printed.
fn valid_level(file: &str) -> Option<crate::level::Level> {
    let (lines, ok) = validate_file(Path::new(file), file);
    if !ok {
        for line in lines {
            eprintln!("{line}");
        }
        return None;
    }
    let bytes = std::fs::read(file).ok()?;
    crate::level::parse(&bytes).ok()
}

/// `vernissage analytics ...`
fn analytics(level_file: &str, data_dirs: &[PathBuf], out: Option<PathBuf>) -> ExitCode {
    use crate::feedback::{analytics, clean};
    let Some(level) = valid_level(level_file) else {
        return ExitCode::FAILURE;
    };
    let id = &level.exhibition.id;
    let merged = load_feedback_dirs(&level, data_dirs);
    let cleaned = clean::clean(&merged, |w| level.works.iter().any(|x| x.id == w));
    say!("{}", cleaned.summary());
    let stats = analytics::work_stats(&level, &cleaned.kept);
    say!(
        "{:<36} {:>6} {:>10} {:>6} {:>7}",
        "work",
        "views",
        "dwell (s)",
        "likes",
        "rating"
    );
    for s in &stats {
        let rating = s.mean_rating.map_or("-".to_string(), |r| format!("{r:.2}"));
        say!(
            "{:<36} {:>6} {:>10.1} {:>6} {:>7}",
            s.work,
            s.views,
            s.mean_dwell,
            s.likes,
            rating
        );
    }
    let out = out.unwrap_or_else(|| PathBuf::from(format!("analytics-{id}")));
    let write = || -> Result<(), String> {
        std::fs::create_dir_all(&out).map_err(|e| e.to_string())?;
        std::fs::write(out.join("works.csv"), analytics::works_csv(&stats))
            .map_err(|e| e.to_string())?;
        let map = analytics::heat_map(&level, &cleaned.kept, 0.5);
        let pixels = analytics::render_heat_map(&level, &map, 24.0);
        let image = image::RgbaImage::from_raw(pixels.width, pixels.height, pixels.rgba)
            .ok_or("the heat map has the wrong size")?;
        image
            .save_with_format(out.join("heatmap.png"), image::ImageFormat::Png)
            .map_err(|e| e.to_string())
    };
    match write() {
        Ok(()) => {
            say!(
                "wrote {} and {}",
                out.join("works.csv").display(),
                out.join("heatmap.png").display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("cannot write to {}: {e}", out.display());
            ExitCode::FAILURE
        }
    }
}

/// Every feedback event of a level's exhibition in several data directories, merged (each
/// event once); unreadable records are reported on standard error.
fn load_feedback_dirs(
    level: &crate::level::Level,
    data_dirs: &[PathBuf],
) -> Vec<crate::feedback::event::FeedbackEvent> {
    use crate::feedback::{analytics, store};
    let id = &level.exhibition.id;
    let mut sets = Vec::new();
    for dir in data_dirs {
        // The exhibition's folder in a data directory, or the folder itself (copied off a kiosk).
        let in_exhibition = dir.join(id).join(store::FILE_NAME);
        let path = if in_exhibition.exists() {
            in_exhibition
        } else {
            dir.join(store::FILE_NAME)
        };
        if !path.exists() {
            eprintln!(
                "{}: no feedback for \"{id}\" here (looked for {})",
                dir.display(),
                path.display()
            );
            continue;
        }
        let loaded = store::load(&path);
        for warning in &loaded.warnings {
            eprintln!("{}: {warning}", path.display());
        }
        eprintln!("{}: {} events", path.display(), loaded.events.len());
        sets.push(loaded.events);
    }
    analytics::merge(sets)
}

/// `vernissage scores ...`
fn scores(level_file: &str, data_dirs: &[PathBuf], settings_file: Option<&Path>) -> ExitCode {
    use crate::feedback::clean;
    use crate::scoring::{ScoringSettings, content::content_stats, score_exhibition};
    let Some(level) = valid_level(level_file) else {
        return ExitCode::FAILURE;
    };
    let (root, _) = crate::level::exhibition_root(level_file);
    let root = PathBuf::from(root);
    let stats = content_stats(&level, |p| {
        std::fs::read(root.join(p)).map_err(|e| e.to_string())
    });
    let merged = load_feedback_dirs(&level, data_dirs);
    let cleaned = clean::clean(&merged, |w| level.works.iter().any(|x| x.id == w));
    eprintln!("{}", cleaned.summary());
    let settings = match settings_file {
        None => ScoringSettings::default(),
        Some(path) => {
            let parsed = std::fs::read_to_string(path)
                .map_err(|e| format!("1:1: cannot read it: {e}"))
                .and_then(|t| ScoringSettings::from_ron(&t));
            match parsed {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("{}:{e}", path.display());
                    return ExitCode::FAILURE;
                }
            }
        }
    };
    let scores = score_exhibition(&level, &stats, &cleaned.kept, &settings);
    let mut ranked: Vec<&crate::scoring::WorkScore> = scores.per_work.iter().collect();
    ranked.sort_by(|a, b| {
        b.predicted
            .total_cmp(&a.predicted)
            .then(a.work.cmp(&b.work))
    });
    say!(
        "{:>4}  {:<34} {:>9} {:>8} {:>7}  top reasons",
        "rank",
        "work",
        "predicted",
        "ratings",
        "sure"
    );
    for (i, s) in ranked.iter().enumerate() {
        let reasons: Vec<String> = s
            .contributions
            .iter()
            .take(3)
            .map(|(name, value)| format!("{name} {value:+.2}"))
            .collect();
        say!(
            "{:>4}  {:<34} {:>9.2} {:>8} {:>6.0}%  {}",
            i + 1,
            s.work,
            s.predicted,
            s.ratings,
            s.confidence * 100.0,
            reasons.join(", ")
        );
    }
    match (scores.cv_mse, scores.baseline_mse) {
        (Some(model), Some(baseline)) => say!(
            "cross-validated MSE (folds by work): model {model:.3}, always-the-mean baseline {baseline:.3} ({:.0}% of it)",
            100.0 * model / baseline.max(1e-12)
        ),
        _ => say!("cross-validation needs ratings of at least two works"),
    }
    ExitCode::SUCCESS
}
