//! `cargo bench --bench simulate`: the cost of simulated visitors (controller + physics) on
//! the default level, for one visitor and for a hundred at once, and the cost of every gameplay
//! system per step as an exhibition grows from 100 to 1 000 to 10 000 works. Plain timing, no
//! framework: warm-up steps first, then the median of several timed batches.

use std::time::Instant;

use vernissage::simulate::script::{Script, Step};
use vernissage::simulate::{SimulationSpec, start};

const BATCH: usize = 300;
const BATCHES: usize = 7;

fn spec(scripts: usize, random: u32) -> SimulationSpec {
    spec_on("levels/default.ron", scripts, random)
}

fn spec_on(level: &str, scripts: usize, random: u32) -> SimulationSpec {
    // A visitor that keeps walking (and turning, so it meets walls and slides along them).
    let mut steps = vec![Step::Hold("W".into())];
    for _ in 0..400 {
        steps.push(Step::Wait(1.0));
        steps.push(Step::Look(137.0, 0.0));
    }
    SimulationSpec {
        level: level.into(),
        scripts: (0..scripts)
            .map(|i| {
                (
                    format!("walker-{i}"),
                    Script {
                        format: 1,
                        name: None,
                        steps: steps.clone(),
                    },
                )
            })
            .collect(),
        random_visitors: random,
        seed: 1,
        duration: None,
        rate: 60.0,
        data_dir: std::env::temp_dir().join("vernissage-bench"),
        events: false,
        scores: false,
    }
}

/// Median seconds per fixed step over `BATCHES` batches of `BATCH` steps.
fn time_steps(spec: &SimulationSpec) -> f64 {
    let mut app = start(spec).expect("the default level loads");
    for _ in 0..120 {
        app.update();
    }
    let mut samples: Vec<f64> = (0..BATCHES)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..BATCH {
                app.update();
            }
            t.elapsed().as_secs_f64() / BATCH as f64
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    samples[BATCHES / 2]
}

/// Writes a generated exhibition of `works` works (`vernissage generate --works N --seed 1`)
/// and returns its path.
fn generated_level(works: usize) -> String {
    use vernissage::level::generate::{Spec, generate};
    let level = generate(&Spec {
        works,
        rooms: None,
        seed: 1,
        placed: false,
    })
    .expect("a generated level");
    let text = vernissage::level::to_ron_compact(&level).expect("the level serialises");
    let dir = std::env::temp_dir().join("vernissage-bench-levels");
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    let path = dir.join(format!("generated-{works}.ron"));
    std::fs::write(&path, text).expect("the level is written");
    path.display().to_string()
}

fn main() {
    // `cargo bench` passes `--bench`; any other argument filters by name.
    let filter: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with("--"));
    let wanted = |name: &str| filter.as_ref().is_none_or(|f| name.contains(f.as_str()));
    let cases: [(&str, SimulationSpec); 3] = [
        (
            "empty step (no visitors' movement: app + physics overhead)",
            spec(0, 0),
        ),
        ("one scripted visitor", spec(1, 0)),
        ("100 random visitors", spec(0, 100)),
    ];
    let mut base = None;
    for (name, mut case) in cases {
        if !wanted(name) {
            continue;
        }
        if case.scripts.is_empty() && case.random_visitors == 0 {
            // The app refuses to simulate nothing; a visitor standing still measures overhead.
            case.scripts = vec![(
                "idle".into(),
                Script {
                    format: 1,
                    name: None,
                    steps: vec![Step::Wait(1e4)],
                },
            )];
        }
        let seconds = time_steps(&case);
        let ratio = base
            .map(|b: f64| format!("  ({:.2}x the empty step)", seconds / b))
            .unwrap_or_default();
        println!("{name:<60} {:>9.1} µs per step{ratio}", seconds * 1e6);
        base.get_or_insert(seconds);
    }

    // Growth with the size of the exhibition: every gameplay system (focus, labels, dwell,
    // feedback, scoring, market, culling) plus physics, one scripted visitor walking and ten
    // random ones, on generated levels of 100, 1 000 and 10 000 works.
    let mut first: Option<(usize, f64)> = None;
    for works in [100, 1_000, 10_000] {
        let name = format!("{works} works, 11 visitors");
        if !wanted(&name) {
            continue;
        }
        let level = generated_level(works);
        let loading = Instant::now();
        let case = spec_on(&level, 1, 10);
        let seconds = time_steps(&case);
        let load = loading.elapsed().as_secs_f64();
        let growth = first
            .map(|(w, s)| {
                let exponent = (seconds / s).ln() / (works as f64 / w as f64).ln();
                format!(
                    "  ({:.2}x {w} works: time ~ works^{exponent:.2})",
                    seconds / s
                )
            })
            .unwrap_or_default();
        println!(
            "{name:<60} {:>9.1} µs per step{growth}  [start and timing took {load:.1} s]",
            seconds * 1e6
        );
        first.get_or_insert((works, seconds));
    }
}
