//! Looking at works and leaving feedback, headless: focus (reach and line of sight), scripted
//! ratings, likes, comments and dwell stored in the data directory and read back after a
//! restart, bad input refused without losing anything, and kiosk data merged once.

use bevy::prelude::*;
use vernissage::feedback::event::What;
use vernissage::feedback::{FeedbackLog, store};
use vernissage::interaction::Focus;
use vernissage::player::Visitor;
use vernissage::player::settings::Settings;
use vernissage::simulate::script::{Script, Step};
use vernissage::simulate::{SimulationSpec, run, start};

const ROOM: &str = "tests/it/fixtures/focus.ron";

fn data_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("vernissage-fb-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn spec(level: &str, steps: Vec<Step>, dir: &std::path::Path) -> SimulationSpec {
    SimulationSpec {
        level: level.into(),
        scripts: vec![(
            "tester".into(),
            Script {
                format: 2,
                name: None,
                steps,
            },
        )],
        random_visitors: 0,
        seed: 0,
        duration: None,
        rate: 60.0,
        data_dir: dir.to_path_buf(),
        events: false,
        scores: false,
    }
}

/// The visitor's focus after the script's steps (and one more step to settle).
fn focus_after(steps: Vec<Step>) -> Option<String> {
    let total: f32 = steps
        .iter()
        .map(|s| if let Step::Wait(w) = s { *w } else { 0.0 })
        .sum();
    let mut app = start(&spec(ROOM, steps, &data_dir("focus"))).unwrap();
    for _ in 0..((total * 60.0) as usize + 3) {
        app.update();
    }
    let world = app.world_mut();
    world
        .query_filtered::<&Focus, With<Visitor>>()
        .single(world)
        .unwrap()
        .work_id
        .clone()
}

fn quarter_turn() -> f32 {
    90f32.to_radians() / Settings::default().radians_per_pixel()
}

#[test]
fn a_work_within_reach_is_in_focus_but_not_from_ten_metres_or_through_a_wall() {
    // Within reach, facing it.
    assert_eq!(
        focus_after(vec![Step::Teleport("east-piece".into()), Step::Wait(0.2)]).as_deref(),
        Some("east-piece")
    );
    // The spawn point looks straight at the same work from 10.9 m: not in focus.
    assert_eq!(focus_after(vec![Step::Wait(0.2)]), None);
    // Walking closer brings it into focus.
    assert_eq!(
        focus_after(vec![
            Step::Hold("W".into()),
            Step::Wait(6.0),
            Step::Release("W".into())
        ])
        .as_deref(),
        Some("east-piece")
    );
    // In front of the north wall, stepping sideways to where a work hangs on the far side of
    // the wall, 1.8 m away: the wall is in the way.
    assert_eq!(
        focus_after(vec![
            Step::Teleport("north-piece".into()),
            Step::Wait(0.2),
            Step::Hold("D".into()),
            Step::Wait(2.9),
            Step::Release("D".into()),
            Step::Wait(0.5),
        ]),
        None
    );
}

fn stored_feedback(dir: &std::path::Path) -> (Vec<What>, Vec<String>) {
    let loaded = store::load(&dir.join("focus-test").join(store::FILE_NAME));
    let what = loaded
        .events
        .into_iter()
        .map(|e| e.what)
        .filter(|w| !matches!(w, What::Position { .. }))
        .collect();
    (what, loaded.warnings)
}

#[test]
fn a_scripted_visit_stores_exactly_its_feedback_and_it_survives_a_restart() {
    let dir = data_dir("visit");
    let steps = vec![
        Step::Teleport("east-piece".into()),
        Step::Wait(0.2),
        Step::Inspect,
        Step::Rate(4),
        Step::Like,
        Step::Comment("  Quiet\tand  lovely \u{7} ".into()),
        Step::Wait(3.0),
        // Turning away ends the visit: a dwell of about 3.2 s.
        Step::Look(quarter_turn(), 0.0),
        Step::Wait(0.5),
    ];
    let report = run(&spec(ROOM, steps, &dir)).unwrap();
    assert!(
        report.visitors[0].refused.is_empty(),
        "{:?}",
        report.visitors[0].refused
    );

    let (stored, warnings) = stored_feedback(&dir);
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(stored.len(), 4, "{stored:?}");
    assert_eq!(
        stored[0],
        What::Rating {
            work: "east-piece".into(),
            stars: 4
        }
    );
    assert_eq!(
        stored[1],
        What::Like {
            work: "east-piece".into(),
            liked: true
        }
    );
    assert_eq!(
        stored[2],
        What::Comment {
            work: "east-piece".into(),
            text: "Quiet and lovely".into()
        }
    );
    match &stored[3] {
        What::Dwell { work, seconds } => {
            assert_eq!(work, "east-piece");
            assert!((3.0..3.6).contains(seconds), "dwell {seconds}");
        }
        other => panic!("expected a dwell, got {other:?}"),
    }
    // The report lists the same feedback.
    let kinds: Vec<&str> = report.visitors[0]
        .feedback
        .iter()
        .map(|f| f.kind.as_str())
        .collect();
    assert_eq!(kinds, ["rating", "like", "comment", "dwell"]);

    // A restart: the game loads everything stored earlier.
    let mut app = start(&spec(ROOM, vec![Step::Wait(0.1)], &dir)).unwrap();
    app.update();
    let log = app.world().resource::<FeedbackLog>();
    let earlier: Vec<&What> = log
        .events
        .iter()
        .map(|e| &e.what)
        .filter(|w| !matches!(w, What::Position { .. }))
        .collect();
    assert_eq!(earlier.len(), 4);
    assert_eq!(log.rating("tester", "east-piece"), Some(4));
    assert!(log.liked("tester", "east-piece"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn bad_feedback_is_refused_with_a_reason_and_nothing_else_is_lost() {
    let dir = data_dir("bad");
    let huge = "x".repeat(1_000_000);
    let steps = vec![
        Step::Teleport("east-piece".into()),
        Step::Wait(0.2),
        Step::Inspect,
        Step::Rate(0),
        Step::Rate(6),
        Step::Comment(huge),
        Step::Comment(" \t\n ".into()),
        Step::Rate(5),
        Step::Wait(0.2),
    ];
    let report = run(&spec(ROOM, steps, &dir)).unwrap();
    let reasons: Vec<&str> = report.visitors[0]
        .refused
        .iter()
        .map(|r| r.reason.as_str())
        .collect();
    assert_eq!(reasons.len(), 4, "{reasons:?}");
    assert!(reasons[0].contains("1 to 5 stars, not 0"), "{reasons:?}");
    assert!(reasons[1].contains("not 6"), "{reasons:?}");
    assert!(reasons[2].contains("1000000 characters"), "{reasons:?}");
    assert!(reasons[3].contains("empty"), "{reasons:?}");
    let (stored, _) = stored_feedback(&dir);
    assert_eq!(
        stored,
        vec![What::Rating {
            work: "east-piece".into(),
            stars: 5
        }]
    );

    // Damage the store: invalid UTF-8 in the middle, a half-written record at the end.
    let file = dir.join("focus-test").join(store::FILE_NAME);
    let mut bytes = std::fs::read(&file).unwrap();
    bytes.extend_from_slice(b"\xFF\xFE not text\n");
    bytes.extend_from_slice(b"0123456789abcdef {\"v\":1,\"id\":\"x-1\",\"visi");
    std::fs::write(&file, &bytes).unwrap();
    let mut app = start(&spec(ROOM, vec![Step::Wait(0.1)], &dir)).unwrap();
    app.update();
    let log = app.world().resource::<FeedbackLog>();
    assert_eq!(log.warnings.len(), 2, "{:?}", log.warnings);
    assert!(
        log.warnings.iter().all(|w| w.starts_with("feedback.log:")),
        "{:?}",
        log.warnings
    );
    assert_eq!(
        log.rating("tester", "east-piece"),
        Some(5),
        "the good record is kept"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn analytics_merges_data_directories_without_double_counting() {
    // One visit recorded into a data directory...
    let first = data_dir("kiosk-a");
    let steps = vec![
        Step::Teleport("east-piece".into()),
        Step::Wait(0.2),
        Step::Rate(3),
        Step::Wait(2.5),
        Step::Look(quarter_turn(), 0.0),
        Step::Wait(0.3),
    ];
    run(&spec(ROOM, steps, &first)).unwrap();
    // ...copied to a second kiosk's directory, which also saw another visitor.
    let second = data_dir("kiosk-b");
    std::fs::create_dir_all(second.join("focus-test")).unwrap();
    let log = first.join("focus-test").join(store::FILE_NAME);
    std::fs::copy(&log, second.join("focus-test").join(store::FILE_NAME)).unwrap();
    let mut other = spec(
        ROOM,
        vec![
            Step::Teleport("east-piece".into()),
            Step::Wait(0.2),
            Step::Rate(5),
        ],
        &second,
    );
    other.scripts[0].0 = "second visitor".into();
    run(&other).unwrap();

    let out = data_dir("analytics-out");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_vernissage"))
        .args(["analytics", "--level", ROOM, "--data-dir"])
        .arg(&first)
        .arg("--data-dir")
        .arg(&second)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let csv = std::fs::read_to_string(out.join("works.csv")).unwrap();
    let row = csv.lines().find(|l| l.starts_with("east-piece,")).unwrap();
    let cells: Vec<&str> = row.split(',').collect();
    // views, then ratings 1..5: one 3 (counted once despite being in both folders) and one 5.
    assert_eq!(cells[2], "1", "{row}");
    assert_eq!(&cells[4..9], ["0", "0", "1", "0", "1"], "{row}");
    let png = std::fs::read(out.join("heatmap.png")).unwrap();
    assert!(png.starts_with(b"\x89PNG"));
    for dir in [first, second, out] {
        std::fs::remove_dir_all(dir).ok();
    }
}

#[test]
fn many_visitors_rating_one_work_5_and_another_1_move_their_scores_apart() {
    let run_with = |rate: bool, name: &str| {
        let dir = data_dir(name);
        let mut s = spec(ROOM, vec![], &dir);
        s.scores = true;
        s.scripts = (0..6)
            .map(|i| {
                let mut steps = vec![Step::Teleport("east-piece".into()), Step::Wait(0.2)];
                if rate {
                    steps.push(Step::Rate(5));
                }
                steps.extend([Step::Teleport("north-piece".into()), Step::Wait(0.2)]);
                if rate {
                    steps.push(Step::Rate(1));
                }
                (
                    format!("visitor {i}"),
                    Script {
                        format: 2,
                        name: None,
                        steps,
                    },
                )
            })
            .collect();
        let report = run(&s).unwrap();
        std::fs::remove_dir_all(&dir).ok();
        let score = |id: &str| report.scores.iter().find(|s| s.work == id).unwrap().clone();
        (score("east-piece"), score("north-piece"))
    };
    let (east_before, north_before) = run_with(false, "scores-before");
    let (east, north) = run_with(true, "scores-after");
    assert_eq!((east_before.ratings, north_before.ratings), (0, 0));
    assert_eq!((east.ratings, north.ratings), (6, 6));
    let gap_before = east_before.predicted - north_before.predicted;
    let gap = east.predicted - north.predicted;
    assert!(
        gap > gap_before + 2.0,
        "scores did not move apart: {gap_before:.2} -> {gap:.2}"
    );
    assert_eq!(east.measured_mean, Some(5.0));
}

#[test]
fn recommendations_change_with_a_visitors_ratings() {
    use vernissage::scoring::{
        Scorer, ScoringSettings, content::content_stats, recommend::recommend,
    };
    // In the small show, the same visitor sees and rates one work; what is recommended next
    // depends on whether they loved or disliked it.
    let level_file = "levels/small.ron";
    let level = vernissage::level::parse(&std::fs::read(level_file).unwrap()).unwrap();
    let stats = content_stats(&level, |p| std::fs::read(p).map_err(|e| e.to_string()));
    let recommended = |stars: i64, name: &str| {
        let dir = data_dir(name);
        let steps = vec![
            Step::Teleport("lake-first-light".into()),
            Step::Wait(0.2),
            Step::Rate(stars),
            Step::Wait(0.2),
        ];
        run(&spec(level_file, steps, &dir)).unwrap();
        let events = store::load(&dir.join("small-hours").join(store::FILE_NAME)).events;
        std::fs::remove_dir_all(&dir).ok();
        let cleaned =
            vernissage::feedback::clean::clean(&events, |w| level.works.iter().any(|x| x.id == w));
        let scorer = Scorer::start(
            &level,
            &stats,
            &cleaned.kept,
            &ScoringSettings::default(),
            None,
        );
        let picks = recommend(scorer.table(), &scorer.scores(), &cleaned.kept, "tester", 3);
        assert_eq!(picks.len(), 3);
        assert!(
            picks.iter().all(|r| r.work != "lake-first-light"),
            "a seen work came back"
        );
        picks.into_iter().map(|r| r.work).collect::<Vec<_>>()
    };
    let loved = recommended(5, "rec-loved");
    let disliked = recommended(1, "rec-disliked");
    assert_ne!(loved, disliked, "the same three works whatever the rating");
}
