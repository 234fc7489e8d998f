//! The command tree: playing an exhibition and the offline tools (`validate`, ...).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::launch::{Launch, LevelLocation, Measure, Screenshot};

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
#[command(group(clap::ArgGroup::new("unattended").args(["screenshot", "measure"])))]
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

    /// Frames to render after loading before the screenshot is taken (default 30), or frames
    /// to time with --measure (default 300).
    #[arg(long, value_name = "N", requires = "unattended")]
    pub frames: Option<u32>,

    /// Once everything is loaded and --warmup frames are rendered, time N frames (--frames) with
    /// vsync off from the spawn point; write frame times, CPU time per frame, start-up times
    /// and peak memory as JSON and exit (see docs/PERFORMANCE.md).
    #[arg(long, value_name = "OUT.json")]
    pub measure: Option<PathBuf>,

    /// Untimed frames rendered, once loaded, before --measure starts timing.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 60,
        requires = "measure",
        conflicts_with = "screenshot"
    )]
    pub warmup: u32,

    /// Build the level without its works: rooms, doorways and the same lights (also those
    /// aimed at works) only. The scene --measure compares a level's works against.
    #[arg(long)]
    pub baseline: bool,

    /// Seconds a download may take when the level is opened by URL (default 60; connecting
    /// may take at most 10). A slower server is cut off with a message naming the URL.
    #[arg(long, value_name = "SECONDS", global = true, value_parser = parse_timeout)]
    pub timeout: Option<f64>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

fn parse_timeout(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(s) if s.is_finite() && s > 0.0 && s <= 3600.0 => Ok(s),
        _ => Err(format!(
            "\"{text}\" is not a number of seconds between 0 and 3600"
        )),
    }
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
    /// `FILE:LINE:COLUMN: message` line per problem; exits 1 if any file has errors. Where the
    /// exhibition's ledger has registered a work, terms that differ from it are warned about.
    Validate {
        /// Level files to check; also studio overlays (`studio.ron`, the works visitors
        /// published), checked merged into the level named by --level.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<String>,
        /// The exhibition's level an overlay of published works belongs to.
        #[arg(long, value_name = "LEVEL")]
        level: Option<String>,
        /// The data directory whose ledgers the levels are compared with (default: the
        /// platform's data directory).
        #[arg(long = "data-dir", value_name = "DIR")]
        data_dir: Option<PathBuf>,
    },
    /// Render a studio candidate headless: writes its picture as PNG and prints its content
    /// hash, the score the exhibition's model predicts for it from its content, and why.
    Studio(StudioArgs),
    /// Inspect an exhibition's token ledger, and sign levels as their curator
    /// (see docs/ledger.md).
    #[command(subcommand)]
    Ledger(LedgerCommand),
    // --- Layout and synthetic levels (`layout`, `generate`; see `run_layout` below) ---
    /// Print the level with every placement filled in: works without a placement (or with
    /// `Auto(...)`) are hung and stood by the layout step, as the game would. Comments are not
    /// kept. Problems are printed on standard error as by `validate` (exit code 1).
    Layout {
        /// The level file.
        #[arg(value_name = "FILE")]
        file: String,
    },
    /// Print a synthetic exhibition for load tests: N generative works (and a few sculptures)
    /// in a grid of M connected rooms sized to hold them; `validate` accepts it.
    Generate {
        /// Number of works, 1 to 10000.
        #[arg(long, value_name = "N")]
        works: usize,
        /// Number of rooms (default: one per 60 works).
        #[arg(long, value_name = "M")]
        rooms: Option<usize>,
        /// The same seed gives the same exhibition.
        #[arg(long, value_name = "S", default_value_t = 0)]
        seed: u64,
        /// Write concrete placements (the layout step's) instead of `Auto(rooms: [...])`.
        #[arg(long)]
        placed: bool,
    },
}

/// Which ledger a `vernissage ledger` command reads: `DATA_DIR/<exhibition id>/ledger/`.
#[derive(Debug, Clone, clap::Args)]
pub struct LedgerTarget {
    /// The data directory (default: the platform's data directory); its `ledger.key` is the
    /// installation's signing key.
    #[arg(long = "data-dir", value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// The exhibition id; may be left out when the data directory holds exactly one ledger.
    #[arg(long, value_name = "ID", conflicts_with = "level")]
    exhibition: Option<String>,
    /// The exhibition's level, instead of --exhibition.
    #[arg(long, value_name = "FILE")]
    level: Option<String>,
}

/// `vernissage ledger ...`
#[derive(Debug, Subcommand)]
pub enum LedgerCommand {
    /// Verify every entry (hashes, chain, signatures, rules, signed HEAD): prints
    /// `ledger ok: N entries, head HASH`, or `ledger damaged at entry I: REASON` and exits 1.
    Verify {
        #[command(flatten)]
        target: LedgerTarget,
    },
    /// One line per entry: index, UTC time, kind, what happened, short hash.
    Show {
        #[command(flatten)]
        target: LedgerTarget,
        /// One JSON object per line instead, with every field.
        #[arg(long)]
        json: bool,
    },
    /// Every wallet's balance, the editions each wallet owns and the open listings.
    Balances {
        #[command(flatten)]
        target: LedgerTarget,
    },
    /// Export the entries as CSV (index,timestamp_ms,kind,work,edition,from,to,amount,hash);
    /// purchases and resales give one row per payee.
    Export {
        #[command(flatten)]
        target: LedgerTarget,
        /// CSV, the only format so far.
        #[arg(long, required = true)]
        csv: bool,
        /// Write here instead of standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Make a new curator key file (readable by its owner only) and print its public key, the
    /// value of the level's `market.curator_key`.
    Keygen {
        /// The new key file; an existing file is never replaced.
        #[arg(long, value_name = "FILE", required = true)]
        out: PathBuf,
    },
    /// Sign every work's registration with the curator key and print the level's
    /// `endorsements: { ... }` block; with --write, put it into the level file in place.
    SignLevel {
        /// The level to sign.
        #[arg(value_name = "LEVEL")]
        level: String,
        /// The curator's key file (from `vernissage ledger keygen`).
        #[arg(long, value_name = "FILE", required = true)]
        key: PathBuf,
        /// Rewrite the level's `market.endorsements` in place, leaving every other byte as is.
        #[arg(long)]
        write: bool,
    },
}

/// Runs a parsed command line; the process exit code comes back.
pub fn run(cli: Cli) -> ExitCode {
    match cli.command {
        Some(Command::Validate {
            files,
            level,
            data_dir,
        }) => validate(
            &files,
            level.as_deref(),
            data_dir.as_deref().or(cli.data_dir.as_deref()),
            cli.timeout,
        ),
        Some(Command::Studio(args)) => {
            let data_dir = args.data_dir.clone().or(cli.data_dir);
            studio(&args, data_dir.as_deref())
        }
        Some(Command::Ledger(command)) => ledger(command, cli.data_dir.as_deref()),
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
        Some(Command::Layout { file }) => run_layout(&file),
        Some(Command::Generate {
            works,
            rooms,
            seed,
            placed,
        }) => run_generate(works, rooms, seed, placed),
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
            frames: cli.frames.unwrap_or(30),
        }),
        measure: cli.measure.map(|path| Measure {
            path,
            warmup: cli.warmup,
            frames: cli.frames.unwrap_or(300).max(1),
        }),
        baseline: cli.baseline,
        script,
        timeout: cli.timeout,
    };
    crate::run_game(launch)
}

/// `vernissage validate FILE|URL...`: each level is also compared with its exhibition's ledger
/// in the data directory `data_dir` (or the platform's), and its studio overlay there is
/// checked; an overlay given as FILE is checked against the level `base`. Levels given by URL
/// are downloaded with their assets (through the cache in the data directory), each download
/// cut off after `timeout` seconds.
pub fn validate(
    files: &[String],
    base: Option<&str>,
    data_dir: Option<&Path>,
    timeout: Option<f64>,
) -> ExitCode {
    let data_root = crate::launch::data_root(data_dir);
    let mut failed = false;
    for file in files {
        // Anything with a scheme is an address (and only http and https are accepted).
        let remote = file.contains("://");
        let is_overlay = !remote
            && std::fs::read_to_string(file)
                .is_ok_and(|text| crate::studio::overlay::is_overlay(&text));
        let (lines, ok) = if remote {
            check_level_url(file, data_root.as_deref(), timeout)
        } else if is_overlay {
            check_overlay_file(Path::new(file), file, base)
        } else {
            check_level_file(Path::new(file), file, data_root.as_deref())
        };
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
    check_level_file(path, label, None)
}

/// [`validate_file`], also warning where the level's terms contradict the ledger of its
/// exhibition in the data directory `data_root`.
fn check_level_file(path: &Path, label: &str, data_root: Option<&Path>) -> (Vec<String>, bool) {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) => {
            return (
                vec![format!("{label}:1:1: cannot read the file: {e}")],
                false,
            );
        }
    };
    let (report, assets) = read_level_and_assets(&path.to_string_lossy(), &bytes, data_root);
    report_lines(report, &bytes, label, data_root, &assets)
}

/// `validate` of a level by URL: the level and every file it names are downloaded under the
/// same rules as in the game. Notes (an offline copy in use) come first.
fn check_level_url(
    text: &str,
    data_root: Option<&Path>,
    timeout: Option<f64>,
) -> (Vec<String>, bool) {
    use crate::net::{Limits, Net, policy};
    let limits = timeout.map_or(Limits::default(), |s| Limits::default().with_timeout(s));
    let url = match policy::parse_url(text) {
        Ok(url) => url,
        Err(e) => return (vec![e.to_string()], false),
    };
    let net = Net::new(limits, data_root);
    net.begin_level(&url);
    let bytes = match net.fetch_blocking(&url) {
        Ok(bytes) => bytes,
        Err(e) => {
            let mut lines: Vec<String> = net.take_notes();
            lines.push(e.to_string());
            return (lines, false);
        }
    };
    if let Ok(level) = crate::level::parse(&bytes) {
        net.allow_origins(&level.exhibition.allowed_origins);
    }
    let (report, assets) = crate::level::read_level_and_assets(&bytes, |asset| {
        policy::resolve(&url, asset)
            .and_then(|asset_url| net.fetch_blocking(&asset_url))
            .map_err(|e| e.to_string())
    });
    let mut lines: Vec<String> = net
        .take_notes()
        .into_iter()
        .map(|n| format!("note: {n}"))
        .collect();
    let (rest, ok) = report_lines(report, &bytes, url.as_str(), data_root, &assets);
    lines.extend(rest);
    (lines, ok)
}

/// The output lines of a checked level, and whether it is free of errors. `assets` are the
/// files the level names, as read (the studio overlay is checked against them).
fn report_lines(
    report: crate::level::Report,
    bytes: &[u8],
    label: &str,
    data_root: Option<&Path>,
    assets: &crate::level::AssetBytes,
) -> (Vec<String>, bool) {
    let mut diagnostics = report.diagnostics.clone();
    if let (Some(root), Some(level)) = (data_root, &report.level) {
        diagnostics.extend(ledger_contradictions(level, &report, bytes, root));
        diagnostics.sort_by_key(|d| (d.line, d.column, d.severity));
    }
    let mut lines: Vec<String> = diagnostics.iter().map(|d| d.render(label)).collect();
    let mut ok = !report.has_errors();
    if ok && let Some(level) = &report.level {
        lines.push(format!(
            "{label}: ok ({} rooms, {} works)",
            level.rooms.len(),
            level.works.len()
        ));
        // The works visitors published, as the game will merge them.
        if let Some(root) = data_root {
            let overlay = root
                .join(&level.exhibition.id)
                .join(crate::studio::overlay::FILE_NAME);
            if overlay.exists() {
                let label = overlay.display().to_string();
                let (more, good) = merge_overlay(level, &overlay, &label, assets);
                lines.extend(more);
                ok &= good;
            }
        }
    }
    (lines, ok)
}

/// An overlay of published works checked merged into the level `base`.
fn check_overlay_file(path: &Path, label: &str, base: Option<&str>) -> (Vec<String>, bool) {
    let Some(base) = base else {
        return (
            vec![format!(
                "{label}:1:1: this is an overlay of works published in the studio: name the \
                 exhibition's level with --level FILE"
            )],
            false,
        );
    };
    let bytes = match std::fs::read(base) {
        Ok(bytes) => bytes,
        Err(e) => {
            return (
                vec![format!("{base}:1:1: cannot read the file: {e}")],
                false,
            );
        }
    };
    let (report, assets) = read_level_and_assets(base, &bytes, None);
    let Some(level) = report.valid_level() else {
        let mut lines: Vec<String> = report
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| d.render(base))
            .collect();
        lines.push(format!("{label}: not checked: its level {base} has errors"));
        return (lines, false);
    };
    merge_overlay(level, path, label, &assets)
}

/// Lines for an overlay merged into `level`, and whether it has no errors.
fn merge_overlay(
    level: &crate::level::Level,
    path: &Path,
    label: &str,
    assets: &crate::level::AssetBytes,
) -> (Vec<String>, bool) {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) => {
            return (
                vec![format!("{label}:1:1: cannot read the file: {e}")],
                false,
            );
        }
    };
    let merged = crate::studio::overlay::merge(level, &text, assets);
    let mut lines: Vec<String> = merged.diagnostics.iter().map(|d| d.render(label)).collect();
    let ok = !merged.has_errors();
    if ok {
        lines.push(format!(
            "{label}: ok (overlay of \"{}\": {} published works)",
            level.exhibition.id,
            merged.content_hashes.len()
        ));
    }
    (lines, ok)
}

/// The options of `vernissage studio`.
#[derive(Debug, clap::Args)]
pub struct StudioArgs {
    /// The exhibition whose model predicts the score.
    #[arg(long, value_name = "FILE")]
    level: String,
    /// One of the generative algorithms (flow-field, voronoi-mosaic, cellular-automaton,
    /// noise-landscape, mountain-layers).
    #[arg(long, value_name = "NAME")]
    algorithm: String,
    #[arg(long, value_name = "S")]
    seed: u64,
    /// A parameter, `name=value`; give it once per parameter (others keep their defaults).
    #[arg(long = "param", value_name = "K=V")]
    params: Vec<String>,
    /// Where to write the picture.
    #[arg(long, value_name = "OUT.png")]
    png: PathBuf,
    /// Edge of the picture in pixels.
    #[arg(long, value_name = "PX", default_value_t = crate::studio::candidate::RESOLUTION)]
    size: u32,
    /// The data directory whose feedback trains the model and whose published works join the
    /// exhibition (default: the platform's data directory).
    #[arg(long = "data-dir", value_name = "DIR")]
    data_dir: Option<PathBuf>,
}

/// `vernissage studio ...`
fn studio(args: &StudioArgs, data_dir: Option<&Path>) -> ExitCode {
    match run_studio(args, data_dir) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}

fn run_studio(args: &StudioArgs, data_dir: Option<&Path>) -> Result<(), String> {
    use crate::studio::candidate::Candidate;
    let mut params = std::collections::BTreeMap::new();
    for pair in &args.params {
        let (name, value) = pair
            .split_once('=')
            .ok_or_else(|| format!("--param {pair}: write it as name=value"))?;
        let value: f64 = value
            .trim()
            .parse()
            .map_err(|_| format!("--param {pair}: the value must be a number"))?;
        params.insert(name.trim().to_string(), value);
    }
    let candidate = Candidate::with_params(&args.algorithm, args.seed, &params)
        .map_err(|e| format!("--algorithm/--param: {e}"))?;
    let pixels = candidate
        .render(args.size)
        .map_err(|e| format!("--size: {e}"))?;
    let image = image::RgbaImage::from_raw(pixels.width, pixels.height, pixels.rgba.clone())
        .ok_or("the picture has the wrong size")?;
    image
        .save_with_format(&args.png, image::ImageFormat::Png)
        .map_err(|e| format!("cannot write {}: {e}", args.png.display()))?;
    let level =
        valid_level(&args.level).ok_or_else(|| format!("{}: not a valid level", args.level))?;
    let dir = crate::launch::exhibition_data_dir(data_dir, &level.exhibition.id);
    let mut published = crate::studio::PublishedWorks::default();
    let (level, _) = crate::studio::merge_published(&level, dir.as_deref(), &mut published);
    let prediction = predict_candidate(&args.level, &level, dir.as_deref(), &candidate);
    say!(
        "candidate: {}, seed {}, {}",
        candidate.algorithm,
        candidate.seed,
        candidate.params_line()
    );
    say!(
        "content hash: {}",
        crate::market::terms::hex(&candidate.content_hash())
    );
    say!(
        "wrote {} ({}x{} px, fingerprint {:#018x})",
        args.png.display(),
        pixels.width,
        pixels.height,
        pixels.fingerprint()
    );
    let sure = match (prediction.ratings_learned, prediction.uncertainty) {
        (0, _) => "no ratings in this exhibition yet: only the model's prior".to_string(),
        (n, Some(u)) => format!(
            "give or take {u:.2} (the model's cross-validated error); nobody has rated this \
             work, the model learned from {n} ratings of others"
        ),
        (n, None) => format!("unsure: only {n} ratings to learn from"),
    };
    say!("predicted score: {:.2} of 5 ({sure})", prediction.predicted);
    say!("baseline (an average work): {:.2}", prediction.baseline);
    let hash = candidate.content_hash();
    if let Some(work) = level
        .works
        .iter()
        .find(|w| crate::level::content::content_hash(w, None) == Some(hash))
    {
        say!(
            "already in the exhibition as \"{}\": publishing it again would be refused as a \
             duplicate registration",
            work.id
        );
    }
    say!("why (each feature's push, largest first):");
    for (name, value) in &prediction.contributions {
        say!("  {value:+.3}  {name}");
    }
    Ok(())
}

/// The exhibition's model, trained on the feedback in its data directory (if any), asked
/// about a candidate from its content alone.
fn predict_candidate(
    level_file: &str,
    level: &crate::level::Level,
    dir: Option<&Path>,
    candidate: &crate::studio::candidate::Candidate,
) -> crate::scoring::scorer::Prediction {
    use crate::feedback::{clean, store};
    use crate::scoring::{Scorer, ScoringSettings, content, features::ImageStats};
    let (root, _) = crate::level::exhibition_root(level_file);
    let root = PathBuf::from(root);
    let stats = content::content_stats(level, |p| {
        std::fs::read(root.join(p)).map_err(|e| e.to_string())
    });
    let events = dir
        .map(|d| d.join(store::FILE_NAME))
        .filter(|p| p.exists())
        .map(|p| {
            let loaded = store::load(&p);
            eprintln!("{}: {} events", p.display(), loaded.events.len());
            loaded.events
        })
        .unwrap_or_default();
    let cleaned = clean::clean(&events, |w| level.works.iter().any(|x| x.id == w));
    let settings = dir
        .map(|d| d.join(ScoringSettings::FILE_NAME))
        .and_then(|p| std::fs::read_to_string(p).ok())
        .and_then(|t| ScoringSettings::from_ron(&t).ok())
        .unwrap_or_default();
    let scorer = Scorer::start(level, &stats, &cleaned.kept, &settings, None);
    let work = crate::studio::publish::make_work(
        candidate,
        &crate::studio::publish::Publication::default(),
        "candidate",
        2026,
        Vec::new(),
    );
    let candidate_stats = candidate
        .render(content::STATS_SIZE)
        .ok()
        .and_then(|p| ImageStats::of(&p));
    scorer.predict_new(&work, candidate_stats.as_ref())
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
    let mut level = crate::level::parse(&bytes).ok()?;
    // Placements the level leaves to the layout step, filled as everywhere else.
    crate::level::layout::fill(&mut level);
    Some(level)
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

/// Warnings where `level`'s terms differ from what its exhibition's ledger registered (the
/// ledger wins), located at the differing values. Nothing when there is no ledger or no key.
fn ledger_contradictions(
    level: &crate::level::Level,
    report: &crate::level::Report,
    bytes: &[u8],
    data_root: &Path,
) -> Vec<crate::level::Diagnostic> {
    use crate::level::{Diagnostic, Severity, locate::Locator};
    use crate::market::{LEDGER_DIR, keys, ledger::file, report::contradiction_field, terms};
    let dir = data_root.join(&level.exhibition.id).join(LEDGER_DIR);
    let key_path = data_root.join(keys::KEY_FILE);
    if !dir.join(file::LOG_FILE).exists() || !key_path.exists() {
        return Vec::new();
    }
    let text = std::str::from_utf8(bytes).unwrap_or_default();
    let locator = Locator::new(text.strip_prefix('\u{feff}').unwrap_or(text));
    let warning = |path: String, message: String| {
        let pos = locator.find(&path);
        Diagnostic {
            severity: Severity::Warning,
            line: pos.line,
            column: pos.column,
            path,
            message,
        }
    };
    let opened = keys::read_key(&key_path)
        .map_err(|e| e.to_string())
        .and_then(|key| file::FileLedger::open(&dir, key).map_err(|e| e.to_string()));
    let ledger = match opened {
        Ok(ledger) => ledger,
        Err(e) => {
            return vec![warning(
                "exhibition.id".into(),
                format!(
                    "cannot read the exhibition's ledger in {}: {e}",
                    dir.display()
                ),
            )];
        }
    };
    let mut out = Vec::new();
    if let Some(damage) = ledger.damage() {
        out.push(warning(
            "exhibition.id".into(),
            format!(
                "the exhibition's ledger in {} is damaged at entry {}: {}; only the entries \
                 before it are compared (run `vernissage ledger verify`)",
                dir.display(),
                damage.index,
                crate::market::report::describe_reason(&damage.reason)
            ),
        ));
    }
    for (i, work) in level.works.iter().enumerate() {
        let Some(registered) = ledger.state().works.get(&work.id) else {
            continue;
        };
        let hash = report.content_hashes.get(&work.id).copied();
        for message in terms::contradictions(work, registered, hash) {
            let field = contradiction_field(&message);
            let path = if field.is_empty() {
                format!("works[{i}]")
            } else {
                format!("works[{i}].{field}")
            };
            out.push(warning(path, format!("{message}; the ledger wins")));
        }
    }
    out
}

/// `vernissage ledger ...`; `data_dir` is the top-level `--data-dir`, used when the command
/// gives none.
fn ledger(command: LedgerCommand, data_dir: Option<&Path>) -> ExitCode {
    let target = |t: LedgerTarget| LedgerTarget {
        data_dir: t.data_dir.or_else(|| data_dir.map(Path::to_path_buf)),
        ..t
    };
    let result = match command {
        LedgerCommand::Verify { target: t } => ledger_verify(&target(t)),
        LedgerCommand::Show { target: t, json } => ledger_show(&target(t), json),
        LedgerCommand::Balances { target: t } => ledger_balances(&target(t)),
        LedgerCommand::Export { target: t, out, .. } => ledger_export(&target(t), out.as_deref()),
        LedgerCommand::Keygen { out } => ledger_keygen(&out),
        LedgerCommand::SignLevel { level, key, write } => sign_level(&level, &key, write),
    };
    result.unwrap_or_else(|e| {
        eprintln!("{e}");
        ExitCode::FAILURE
    })
}

/// A ledger opened for reading, with where it was found.
struct OpenedLedger {
    dir: PathBuf,
    ledger: crate::market::ledger::file::FileLedger,
}

impl OpenedLedger {
    /// The verified entries: all of them, or those before the damage.
    fn entries(&self) -> Vec<crate::market::ledger::Entry> {
        use crate::market::ledger::{codec, file::LOG_FILE};
        if let Some(ledger) = self.ledger.ledger() {
            return ledger.entries().to_vec();
        }
        let bytes = std::fs::read(self.dir.join(LOG_FILE)).unwrap_or_default();
        let (bodies, _) = codec::split_records(&bytes);
        let verified = self.ledger.damage().map_or(0, |d| d.index as usize);
        bodies
            .iter()
            .take(verified)
            .map_while(|b| codec::decode_entry(b).ok())
            .collect()
    }

    /// `ledger damaged at entry I: REASON`, if it is.
    fn damage_line(&self) -> Option<String> {
        self.ledger.damage().map(|d| {
            format!(
                "ledger damaged at entry {}: {}",
                d.index,
                crate::market::report::describe_reason(&d.reason)
            )
        })
    }
}

/// The exhibition folders of `root` that hold a ledger.
fn exhibitions_with_ledgers(root: &Path) -> Vec<String> {
    use crate::market::{LEDGER_DIR, ledger::file::LOG_FILE};
    let mut found: Vec<String> = std::fs::read_dir(root)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.path().join(LEDGER_DIR).join(LOG_FILE).is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    found.sort();
    found
}

/// Finds and opens the ledger a command names, with the installation's key (never made here).
/// Warnings from opening (a torn last entry cut off, a lagging HEAD) go to standard error.
fn open_ledger(target: &LedgerTarget) -> Result<OpenedLedger, String> {
    use crate::market::{LEDGER_DIR, keys, ledger::file};
    let root = crate::launch::data_root(target.data_dir.as_deref())
        .ok_or("no data directory on this platform: give --data-dir DIR")?;
    let exhibition = match (&target.exhibition, &target.level) {
        (Some(id), _) => id.clone(),
        (None, Some(level)) => {
            let bytes = std::fs::read(level)
                .map_err(|e| format!("{level}:1:1: cannot read the file: {e}"))?;
            let parsed = crate::level::parse(&bytes).map_err(|report| {
                report
                    .diagnostics
                    .iter()
                    .map(|d| d.render(level))
                    .collect::<Vec<_>>()
                    .join("\n")
            })?;
            parsed.exhibition.id
        }
        (None, None) => match exhibitions_with_ledgers(&root).as_slice() {
            [one] => one.clone(),
            [] => {
                return Err(format!(
                    "no ledger in {} (looked for <exhibition id>/{LEDGER_DIR}/{})",
                    root.display(),
                    file::LOG_FILE
                ));
            }
            several => {
                return Err(format!(
                    "{} holds ledgers of several exhibitions; choose one with --exhibition ID: {}",
                    root.display(),
                    several.join(", ")
                ));
            }
        },
    };
    if exhibition.is_empty()
        || exhibition == "."
        || exhibition == ".."
        || exhibition.contains(['/', '\\'])
    {
        return Err(format!("\"{exhibition}\" is not an exhibition id"));
    }
    let dir = root.join(&exhibition).join(LEDGER_DIR);
    if !dir.join(file::LOG_FILE).is_file() {
        let found = exhibitions_with_ledgers(&root);
        let others = if found.is_empty() {
            "no exhibition there has one".to_string()
        } else {
            format!("ledgers found: {}", found.join(", "))
        };
        return Err(format!(
            "no ledger for exhibition \"{exhibition}\" in {} (looked for {}; {others})",
            root.display(),
            dir.join(file::LOG_FILE).display()
        ));
    }
    let key_path = root.join(keys::KEY_FILE);
    if !key_path.exists() {
        return Err(format!(
            "no ledger key at {}: the ledger can only be verified with the key of the \
             installation that wrote it (give that installation's --data-dir)",
            key_path.display()
        ));
    }
    let key = keys::read_key(&key_path).map_err(|e| e.to_string())?;
    if keys::readable_by_others(&key_path) {
        eprintln!(
            "warning: {} can be read by other users; anyone who reads it can sign ledger \
             entries (chmod 600 it)",
            key_path.display()
        );
    }
    let ledger = file::FileLedger::open(&dir, key)
        .map_err(|e| format!("cannot open the ledger in {}: {e}", dir.display()))?;
    for warning in ledger.warnings() {
        eprintln!("warning: {warning}");
    }
    Ok(OpenedLedger { dir, ledger })
}

/// `vernissage ledger verify`
fn ledger_verify(target: &LedgerTarget) -> Result<ExitCode, String> {
    let opened = open_ledger(target)?;
    if let Some(line) = opened.damage_line() {
        say!("{line}");
        return Ok(ExitCode::FAILURE);
    }
    let entries = opened.entries();
    let head = entries
        .last()
        .map_or_else(String::new, |e| crate::market::terms::hex(&e.hash));
    say!("ledger ok: {} entries, head {head}", entries.len());
    Ok(ExitCode::SUCCESS)
}

/// Exit code of a listing command: a damaged ledger is reported, its verified entries having
/// been listed.
fn listed(opened: &OpenedLedger, count: usize) -> ExitCode {
    match opened.damage_line() {
        Some(line) => {
            eprintln!("{line}; only the {count} verified entries before it are included");
            ExitCode::FAILURE
        }
        None => ExitCode::SUCCESS,
    }
}

/// `vernissage ledger show [--json]`
fn ledger_show(target: &LedgerTarget, json: bool) -> Result<ExitCode, String> {
    use crate::market::report::{entry_json, entry_line};
    let opened = open_ledger(target)?;
    let entries = opened.entries();
    for entry in &entries {
        if json {
            say!("{}", entry_json(entry));
        } else {
            say!("{}", entry_line(entry));
        }
    }
    Ok(listed(&opened, entries.len()))
}

/// `vernissage ledger balances`
fn ledger_balances(target: &LedgerTarget) -> Result<ExitCode, String> {
    let opened = open_ledger(target)?;
    for line in crate::market::report::balances_lines(opened.ledger.state()) {
        say!("{line}");
    }
    Ok(listed(&opened, opened.ledger.state().len as usize))
}

/// `vernissage ledger export --csv [--out FILE]`
fn ledger_export(target: &LedgerTarget, out: Option<&Path>) -> Result<ExitCode, String> {
    use std::io::Write as _;
    let opened = open_ledger(target)?;
    let entries = opened.entries();
    let csv = crate::market::report::csv(&entries);
    match out {
        Some(path) => {
            std::fs::write(path, &csv)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            eprintln!("wrote {} entries to {}", entries.len(), path.display());
        }
        None => {
            let _ = std::io::stdout().write_all(csv.as_bytes());
        }
    }
    Ok(listed(&opened, entries.len()))
}

/// `vernissage ledger keygen --out FILE`
fn ledger_keygen(out: &Path) -> Result<ExitCode, String> {
    use crate::market::{keys, terms::hex};
    if out.exists() {
        return Err(format!(
            "{} already exists; keygen never replaces a key (choose another --out)",
            out.display()
        ));
    }
    let key = keys::random_key().map_err(|e| e.to_string())?;
    keys::write_key(out, &key).map_err(|e| e.to_string())?;
    eprintln!(
        "wrote the curator key {} (keep it private); put this public key in the level's \
         market.curator_key:",
        out.display()
    );
    say!("{}", hex(&key.verifying_key().to_bytes()));
    Ok(ExitCode::SUCCESS)
}

/// Reads a level and its assets as `validate` does.
fn read_level_file(file: &str, bytes: &[u8]) -> crate::level::Report {
    read_level_and_assets(file, bytes, None).0
}

/// Checks the level file `file` (its `bytes`), reading its assets from the exhibition root on
/// disk, and works on an allowed other origin as `validate URL` would (through the download
/// cache under `data_root`). The asset bytes come back too.
fn read_level_and_assets(
    file: &str,
    bytes: &[u8],
    data_root: Option<&Path>,
) -> (crate::level::Report, crate::level::AssetBytes) {
    let (root, _) = crate::level::exhibition_root(file);
    let root = PathBuf::from(root);
    let net = crate::net::Net::new(crate::net::Limits::default(), data_root);
    if let Ok(level) = crate::level::parse(bytes) {
        net.allow_origins(&level.exhibition.allowed_origins);
    }
    crate::level::read_level_and_assets(bytes, |asset| {
        if asset.contains("://") {
            return crate::net::policy::parse_url(asset)
                .and_then(|url| net.fetch_blocking(&url))
                .map_err(|e| e.to_string());
        }
        std::fs::read(root.join(asset)).map_err(|e| e.to_string())
    })
}

/// `vernissage ledger sign-level LEVEL --key FILE [--write]`
fn sign_level(file: &str, key_path: &Path, write: bool) -> Result<ExitCode, String> {
    use crate::level::check::decode_hex;
    use crate::level::locate::Locator;
    use crate::market::{keys, ledger, report, terms};
    let bytes =
        std::fs::read(file).map_err(|e| format!("{file}:1:1: cannot read the file: {e}"))?;
    let text = std::str::from_utf8(&bytes)
        .map_err(|e| format!("{file}: the file is not valid UTF-8 text: {e}"))?;
    let level_report = read_level_file(file, &bytes);
    // Problems with the old endorsements are what signing repairs; anything else comes first.
    let blocking: Vec<String> = level_report
        .diagnostics
        .iter()
        .filter(|d| d.is_error() && !d.path.starts_with("market.endorsements"))
        .map(|d| d.render(file))
        .collect();
    let Some(level) = level_report.level.as_ref().filter(|_| blocking.is_empty()) else {
        return Err(format!(
            "{}\n{file}: fix these errors before signing",
            blocking.join("\n")
        ));
    };
    let key = keys::read_key(key_path).map_err(|e| e.to_string())?;
    let public = terms::hex(&key.verifying_key().to_bytes());
    match level.market.curator_key.as_deref() {
        None => {
            return Err(format!(
                "{file}: the level names no curator key; add `curator_key: \"{public}\",` to its \
                 `market: ( ... )` section (or `market: (curator_key: \"{public}\"),` to the level)"
            ));
        }
        Some(named) if decode_hex::<32>(named) != Some(key.verifying_key().to_bytes()) => {
            let pos = Locator::new(text.strip_prefix('\u{feff}').unwrap_or(text))
                .find("market.curator_key");
            return Err(format!(
                "{file}:{}:{}: market.curator_key is \"{named}\", but the public key of {} is \
                 \"{public}\"; put `curator_key: \"{public}\"` there, or sign with the key the \
                 level names",
                pos.line,
                pos.column,
                key_path.display()
            ));
        }
        Some(_) => {}
    }
    let mut endorsements = std::collections::BTreeMap::new();
    for work in &level.works {
        let hash = level_report.content_hashes.get(&work.id).ok_or_else(|| {
            format!(
                "{file}: the content of work \"{}\" cannot be read, so it cannot be signed",
                work.id
            )
        })?;
        let signed = ledger::endorse(terms::registration(work, *hash), &key);
        let ledger::Payload::RegisterWork {
            endorsement: Some(e),
            ..
        } = signed
        else {
            unreachable!("endorse signs registrations")
        };
        endorsements.insert(work.id.clone(), terms::hex(&e.signature));
    }
    say!(
        "endorsements: {},",
        report::endorsements_value(&endorsements, "")
    );
    if !write {
        return Ok(ExitCode::SUCCESS);
    }
    let edited = report::set_endorsements(text, &endorsements).map_err(|e| {
        format!("{file}: cannot edit the level: {e}; paste the block above by hand")
    })?;
    // The edit must give a valid level whose every endorsement verifies, or nothing is written.
    let check = read_level_file(file, edited.as_bytes());
    let problems: Vec<String> = match check.valid_level() {
        None => check
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| d.render(file))
            .collect(),
        Some(new) => new
            .works
            .iter()
            .filter_map(|work| {
                let hash = check.content_hashes.get(&work.id)?;
                terms::endorsed_registration(new, work, *hash)
                    .err()
                    .map(|e| format!("{file}: work \"{}\": {e}", work.id))
            })
            .collect(),
    };
    if !problems.is_empty() {
        return Err(format!(
            "{}\n{file}: the edited level would not be valid; nothing was written",
            problems.join("\n")
        ));
    }
    let path = Path::new(file);
    let tmp = path.with_file_name(format!(
        ".{}.sign-level.tmp",
        path.file_name()
            .map_or("level".into(), |n| n.to_string_lossy())
    ));
    let written = std::fs::write(&tmp, edited.as_bytes())
        .and_then(|()| {
            if let Ok(meta) = std::fs::metadata(path) {
                std::fs::set_permissions(&tmp, meta.permissions())?;
            }
            std::fs::rename(&tmp, path)
        })
        .map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            format!("cannot write {file}: {e}")
        });
    written?;
    eprintln!("{file}: wrote {} endorsements", endorsements.len());
    Ok(ExitCode::SUCCESS)
}

// --- Layout and synthetic levels: `vernissage layout`, `vernissage generate` ---

/// A level as RON: as a curator writes it, or one line per room and work when that would be
/// over the level file limit (thousands of works).
fn level_text(level: &crate::level::Level) -> Result<String, String> {
    let text = crate::level::to_ron(level).map_err(|e| e.to_string())?;
    if text.len() <= crate::level::MAX_LEVEL_BYTES {
        return Ok(text);
    }
    crate::level::to_ron_compact(level).map_err(|e| e.to_string())
}

/// `vernissage layout FILE`
fn run_layout(file: &str) -> ExitCode {
    let bytes = match std::fs::read(file) {
        Ok(bytes) => bytes,
        Err(e) => {
            eprintln!("{file}:1:1: cannot read the file: {e}");
            return ExitCode::FAILURE;
        }
    };
    let report = read_level_file(file, &bytes);
    for diagnostic in &report.diagnostics {
        eprintln!("{}", diagnostic.render(file));
    }
    let Some(level) = report.level.as_ref().filter(|_| !report.has_errors()) else {
        return ExitCode::FAILURE;
    };
    match level_text(level) {
        Ok(text) => {
            eprintln!(
                "{file}: placements filled in; comments are not kept and fields left at their \
                 default are left out"
            );
            say!("{}", text.trim_end());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{file}: cannot write the level: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `vernissage generate --works N [--rooms M] [--seed S] [--placed]`
fn run_generate(works: usize, rooms: Option<usize>, seed: u64, placed: bool) -> ExitCode {
    use crate::level::generate::{Spec, generate};
    let spec = Spec {
        works,
        rooms,
        seed,
        placed,
    };
    match generate(&spec).and_then(|level| level_text(&level)) {
        Ok(text) => {
            say!("// Generated by `vernissage generate --works {works} --seed {seed}`.");
            say!("{}", text.trim_end());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("generate: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::Cli;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("vernissage").chain(args.iter().copied()))
    }

    #[test]
    fn frames_go_with_a_screenshot_or_a_measurement_not_both() {
        let cli = parse(&["--measure", "m.json", "--frames", "50", "--baseline"]).unwrap();
        assert_eq!(cli.measure.as_deref(), Some(std::path::Path::new("m.json")));
        assert_eq!((cli.frames, cli.warmup, cli.baseline), (Some(50), 60, true));
        let cli = parse(&["--screenshot", "a.png", "--frames", "5"]).unwrap();
        assert_eq!(cli.frames, Some(5));
        assert!(parse(&["--frames", "5"]).is_err());
        assert!(parse(&["--warmup", "5", "--screenshot", "a.png"]).is_err());
        assert!(parse(&["--screenshot", "a.png", "--measure", "m.json"]).is_err());
    }
}
