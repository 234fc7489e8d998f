//! `cargo bench --bench simulate`: the cost of simulated visitors (controller + physics) on
//! the default level, for one visitor and for a hundred at once. Plain timing, no framework:
//! warm-up steps first, then the median of several timed batches.

use std::time::Instant;

use vernissage::simulate::script::{Script, Step};
use vernissage::simulate::{SimulationSpec, start};

const BATCH: usize = 300;
const BATCHES: usize = 7;

fn spec(scripts: usize, random: u32) -> SimulationSpec {
    // A visitor that keeps walking (and turning, so it meets walls and slides along them).
    let mut steps = vec![Step::Hold("W".into())];
    for _ in 0..400 {
        steps.push(Step::Wait(1.0));
        steps.push(Step::Look(137.0, 0.0));
    }
    SimulationSpec {
        level: "levels/default.ron".into(),
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

fn main() {
    // `cargo bench` passes `--bench`; any other argument filters by name.
    let filter: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with("--"));
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
        if filter.as_ref().is_some_and(|f| !name.contains(f.as_str())) {
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
}
