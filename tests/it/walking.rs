//! The first-person controller, driven headless by scripts through the same input systems a
//! person uses: walls stop it at any frame rate, doorways and ramps let it through, its speed
//! is the setting's, teleports face the work, and runs are repeatable.

use vernissage::player::settings::Settings;
use vernissage::simulate::report::{Report, VisitorReport};
use vernissage::simulate::script::{Script, Step};
use vernissage::simulate::{SimulationSpec, run};

const COURSE: &str = "tests/it/fixtures/course.ron";
/// Pixels of mouse movement that turn a visitor by 90° with the default sensitivity.
fn quarter_turn() -> f32 {
    90f32.to_radians() / Settings::default().radians_per_pixel()
}

/// A data directory of its own for every run, so no run sees another's ledger or feedback.
fn fresh_data_dir() -> std::path::PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    std::env::temp_dir().join(format!(
        "vernissage-walk-{}-{}",
        std::process::id(),
        RUNS.fetch_add(1, Ordering::Relaxed)
    ))
}

fn spec(level: &str, steps: Vec<Step>, rate: f64) -> SimulationSpec {
    SimulationSpec {
        level: level.into(),
        scripts: vec![(
            "tester".into(),
            Script {
                format: 1,
                name: None,
                steps,
            },
        )],
        random_visitors: 0,
        seed: 0,
        duration: None,
        rate,
        data_dir: fresh_data_dir(),
        events: false,
        scores: false,
    }
}

fn walk(level: &str, steps: Vec<Step>, rate: f64) -> VisitorReport {
    let report = run(&spec(level, steps, rate)).expect("the level loads");
    report.visitors.into_iter().next().expect("one visitor")
}

fn hold_w(seconds: f32) -> Vec<Step> {
    vec![
        Step::Hold("W".into()),
        Step::Wait(seconds),
        Step::Release("W".into()),
    ]
}

#[test]
fn walking_into_a_wall_stops_at_the_wall_at_60_and_10_hz() {
    // Spawn looks east at (2, 5); turn to face north, then walk for 5 s: the last ~2 s push
    // into the hall's north wall, whose inner face is at z = 0.1.
    for rate in [60.0, 10.0] {
        let mut steps = vec![Step::Look(-quarter_turn(), 0.0)];
        steps.extend(hold_w(5.0));
        let v = walk(COURSE, steps, rate);
        let z = v.final_position[1];
        let radius = 0.28;
        assert!(
            z >= 0.1 + radius - 0.01,
            "at {rate} Hz the capsule overlaps the wall: z = {z}"
        );
        assert!(
            z < 0.1 + radius + 0.1,
            "at {rate} Hz it stopped short of the wall: z = {z}"
        );
        assert_eq!(v.final_room.as_deref(), Some("hall"));
        assert_eq!(v.final_heading, 0.0);
    }
}

#[test]
fn walking_through_the_doorway_enters_the_next_room() {
    // Straight east from the spawn point, through the doorway at z = 5.
    let v = walk(COURSE, hold_w(6.0), 60.0);
    assert_eq!(v.final_room.as_deref(), Some("annex"), "{v:?}");
    assert!(
        v.room_seconds["hall"] > 1.0 && v.room_seconds["annex"] > 0.5,
        "{v:?}"
    );
}

#[test]
fn a_ramp_and_a_step_are_climbed() {
    // Ramp: east to x ≈ 5, turn north, walk up the ramp onto the 0.6 m platform.
    let mut steps = hold_w(2.1);
    steps.push(Step::Wait(0.5));
    steps.push(Step::Look(-quarter_turn(), 0.0));
    steps.extend(hold_w(4.5));
    let v = walk(COURSE, steps, 60.0);
    assert!(
        (v.final_elevation - 0.6).abs() < 0.05,
        "not on the platform: elevation {} at {:?}",
        v.final_elevation,
        v.final_position
    );
    assert!(v.final_position[1] < 2.5, "{v:?}");

    // Step: turn south and walk onto the 0.2 m step.
    let mut steps = vec![Step::Look(quarter_turn(), 0.0)];
    steps.extend(hold_w(2.4));
    let v = walk(COURSE, steps, 60.0);
    assert!(
        (v.final_elevation - 0.2).abs() < 0.05,
        "not on the step: elevation {} at {:?}",
        v.final_elevation,
        v.final_position
    );
}

#[test]
fn speed_on_flat_floor_matches_the_walk_speed_setting() {
    let v = walk(COURSE, hold_w(4.0), 60.0);
    // Path samples every 0.5 s: the distance between t = 1.5 and t = 3.5 (well after the
    // ~0.2 s of acceleration) over 2 s is the walking speed.
    let at = |t: f64| {
        v.path
            .iter()
            .find(|p| (p[0] - t).abs() < 1e-6)
            .copied()
            .unwrap()
    };
    let (a, b) = (at(1.5), at(3.5));
    let speed = ((b[1] - a[1]).powi(2) + (b[2] - a[2]).powi(2)).sqrt() / 2.0;
    let setting = f64::from(Settings::default().walk_speed);
    assert!(
        (speed - setting).abs() <= 0.05 * setting,
        "walked at {speed:.3} m/s, the setting is {setting}"
    );
}

#[test]
fn teleporting_to_a_work_puts_the_visitor_within_reach_facing_it() {
    let level = vernissage::level::parse(&std::fs::read("levels/default.ron").unwrap()).unwrap();
    // A wall work, a sculpture on a rotated plinth and a work in the far room.
    for work in [
        "lake-first-light",
        "knot-for-a-windless-day",
        "mycelium-census",
    ] {
        let w = level
            .works
            .iter()
            .find(|w| w.id == work)
            .expect("the work exists");
        let v = walk(
            "levels/default.ron",
            vec![Step::Teleport(work.into()), Step::Wait(0.5)],
            60.0,
        );
        let pose =
            vernissage::level::geometry::placement_pose(&level, &w.placement, w.size).unwrap();
        let (dx, dz) = (
            pose.center[0] as f64 - v.final_position[0],
            pose.center[2] as f64 - v.final_position[1],
        );
        let distance = (dx * dx + dz * dz).sqrt();
        assert!(distance < 4.0, "{work}: {distance:.2} m away");
        // The heading points at the work (compass: 0 = −Z, 90 = +X).
        let to_work = dx.atan2(-dz).to_degrees().rem_euclid(360.0);
        let off = (to_work - v.final_heading + 540.0).rem_euclid(360.0) - 180.0;
        assert!(
            off.abs() < 5.0,
            "{work}: facing {} but the work is at {to_work:.1}",
            v.final_heading
        );
        assert!(v.refused.is_empty());
    }
    // An unknown work is refused, and the refusal is in the report.
    let v = walk(
        "levels/default.ron",
        vec![Step::Teleport("nowhere".into())],
        60.0,
    );
    assert_eq!(v.refused.len(), 1);
    assert!(v.refused[0].reason.contains("no work"), "{:?}", v.refused);
}

fn report_json(report: &Report) -> String {
    serde_json::to_string(report).unwrap()
}

#[test]
fn the_same_inputs_give_identical_reports() {
    let mut steps = hold_w(1.5);
    steps.push(Step::Look(200.0, -30.0));
    steps.extend(hold_w(2.0));
    let a = run(&spec(COURSE, steps.clone(), 60.0)).unwrap();
    let b = run(&spec(COURSE, steps, 60.0)).unwrap();
    assert_eq!(report_json(&a), report_json(&b));

    let random = |seed| {
        let mut s = spec("levels/default.ron", vec![], 60.0);
        s.scripts.clear();
        s.random_visitors = 4;
        s.seed = seed;
        s.duration = Some(30.0);
        run(&s).unwrap()
    };
    let (x, y, z) = (random(11), random(11), random(12));
    assert_eq!(report_json(&x), report_json(&y));
    assert_ne!(
        report_json(&x),
        report_json(&z),
        "a different seed should walk differently"
    );
    // Random visitors do get somewhere.
    assert!(x.visitors.iter().any(|v| v.room_seconds.len() > 1), "{x:?}");
    // The market repeats too: same ledger head, same balances.
    let (lx, ly) = (x.ledger.as_ref().unwrap(), y.ledger.as_ref().unwrap());
    assert_eq!(lx.head, ly.head);
    assert_eq!(lx.balances, ly.balances);
}

#[test]
fn a_visitor_outside_the_building_is_put_back_at_the_spawn_point() {
    use bevy::prelude::*;
    use vernissage::player::Visitor;
    let mut app = vernissage::simulate::start(&spec(COURSE, vec![Step::Wait(5.0)], 60.0)).unwrap();
    app.update();
    let world = app.world_mut();
    let visitor = world
        .query_filtered::<Entity, With<Visitor>>()
        .single(world)
        .unwrap();
    // Thrown out into the night, far outside every room.
    world
        .entity_mut(visitor)
        .get_mut::<Transform>()
        .unwrap()
        .translation = Vec3::new(-40.0, 0.9, -40.0);
    for _ in 0..3 {
        app.update();
    }
    let at = app
        .world()
        .entity(visitor)
        .get::<Transform>()
        .unwrap()
        .translation;
    // The course's spawn point is (2, 5) in the hall.
    assert!(
        (at.x - 2.0).abs() < 0.1 && (at.z - 5.0).abs() < 0.1,
        "still lost at {at}"
    );
}

#[test]
fn the_command_line_writes_byte_identical_reports() {
    let dir = std::env::temp_dir().join(format!("vernissage-cli-sim-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let script = dir.join("walk.ron");
    std::fs::write(
        &script,
        r#"Script(format: 1, steps: [Hold("W"), Wait(2.0), Look(300.0, 0.0), Wait(1.0), Release("W")])"#,
    )
    .unwrap();
    let run_cli = |extra: &[&str], out: &str| {
        let report = dir.join(out);
        let status = std::process::Command::new(env!("CARGO_BIN_EXE_vernissage"))
            .args([
                "simulate",
                "--level",
                "levels/small.ron",
                "--quiet",
                "--report",
            ])
            .arg(&report)
            .args(extra)
            .status()
            .unwrap();
        assert!(status.success());
        std::fs::read(report).unwrap()
    };
    let script = script.to_string_lossy().into_owned();
    assert_eq!(
        run_cli(&["--script", &script], "a.json"),
        run_cli(&["--script", &script], "b.json")
    );
    let random = ["--visitors", "5", "--seed", "42", "--duration", "15"];
    assert_eq!(run_cli(&random, "c.json"), run_cli(&random, "d.json"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn slow_frames_running_several_fixed_steps_still_walk_at_full_speed() {
    use bevy::time::TimeUpdateStrategy;
    // As in a window at 15 frames a second: four fixed steps per frame.
    let mut app = vernissage::simulate::start(&spec(COURSE, hold_w(10.0), 60.0)).unwrap();
    app.insert_resource(TimeUpdateStrategy::ManualDuration(
        std::time::Duration::from_secs_f64(4.0 / 60.0),
    ));
    let x_at = |app: &mut bevy::prelude::App| {
        use bevy::prelude::*;
        let world = app.world_mut();
        world
            .query_filtered::<&Transform, With<vernissage::player::Visitor>>()
            .single(world)
            .unwrap()
            .translation
            .x
    };
    for _ in 0..8 {
        app.update();
    }
    let start = x_at(&mut app);
    // 15 frames of 4 steps: one simulated second.
    for _ in 0..15 {
        app.update();
    }
    let speed = x_at(&mut app) - start;
    let setting = Settings::default().walk_speed;
    assert!(
        (speed - setting).abs() <= 0.05 * setting,
        "walked {speed} m in a second"
    );
}
