//! Big exhibitions: `generate` makes levels `validate` accepts, `layout` fills placements, and a
//! generated 1 000-work level loads headless and runs.

use std::path::PathBuf;

use bevy::prelude::*;
use vernissage::HeadlessPlugin;
use vernissage::gallery::build::{Artwork, WorkPlacement};
use vernissage::launch::{Launch, LevelLocation};
use vernissage::level::schema::Placement;
use vernissage::screens::Screen;

use crate::support::{run_until_settled, vernissage};

/// A fresh folder for one test's files.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vernissage-scale-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `vernissage generate ARGS...` written to `dir/show.ron`.
fn generate(dir: &std::path::Path, args: &[&str]) -> PathBuf {
    let mut all = vec!["generate"];
    all.extend_from_slice(args);
    let (code, out, err) = vernissage(&all);
    assert_eq!(code, 0, "{err}");
    let path = dir.join("show.ron");
    std::fs::write(&path, out).unwrap();
    path
}

#[test]
fn a_generated_thousand_work_exhibition_validates() {
    let dir = scratch("validate");
    for placed in [false, true] {
        let mut args = vec!["--works", "1000", "--seed", "7"];
        if placed {
            args.push("--placed");
        }
        let path = generate(&dir, &args);
        let file = path.to_string_lossy().into_owned();
        let (code, out, _) = vernissage(&["validate", &file]);
        assert_eq!(code, 0, "{out}");
        let last = out.lines().last().unwrap_or_default();
        assert!(last.ends_with(" rooms, 1000 works)"), "{out}");
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.contains("Auto("), !placed);
    }
    // The same seed, the same exhibition.
    let (_, a, _) = vernissage(&["generate", "--works", "50", "--rooms", "2", "--seed", "4"]);
    let (_, b, _) = vernissage(&["generate", "--works", "50", "--rooms", "2", "--seed", "4"]);
    assert_eq!(a, b);
    let (code, _, err) = vernissage(&["generate", "--works", "10000", "--rooms", "1"]);
    assert_eq!(code, 1);
    assert!(err.contains("--rooms"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn layout_prints_the_level_with_placements_filled() {
    let dir = scratch("layout");
    let path = generate(&dir, &["--works", "40", "--rooms", "2", "--seed", "1"]);
    let file = path.to_string_lossy().into_owned();
    let (code, out, err) = vernissage(&["layout", &file]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("comments are not kept"), "{err}");
    assert!(!out.contains("Auto("), "{out}");
    let level = vernissage::level::parse(out.as_bytes()).expect("layout prints a level");
    assert_eq!(level.works.len(), 40);
    assert!(level.works.iter().all(|w| !w.placement.is_auto()));
    // What it prints validates, and laying it out again changes nothing.
    let filled = dir.join("filled.ron");
    std::fs::write(&filled, &out).unwrap();
    let filled = filled.to_string_lossy().into_owned();
    let (code, report, _) = vernissage(&["validate", &filled]);
    assert_eq!(code, 0, "{report}");
    let (_, again, _) = vernissage(&["layout", &filled]);
    assert_eq!(again, out);

    // Problems are reported like `validate` does, and nothing is printed.
    let mut level = vernissage::level::parse(&std::fs::read(&path).unwrap()).unwrap();
    level.works[0].placement = Placement::Auto {
        rooms: vec!["attic".into()],
    };
    let broken = dir.join("broken.ron");
    std::fs::write(&broken, vernissage::level::to_ron(&level).unwrap()).unwrap();
    let broken = broken.to_string_lossy().into_owned();
    let (code, out, err) = vernissage(&["layout", &broken]);
    assert_eq!(code, 1);
    assert!(out.is_empty(), "{out}");
    assert!(
        err.lines().any(|l| l.starts_with(&format!("{broken}:"))
            && l.contains("placement.rooms[0]: unknown room \"attic\"")),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_generated_thousand_work_exhibition_runs_headless() {
    let dir = scratch("headless");
    let path = generate(&dir, &["--works", "1000", "--seed", "11"]);
    let mut app = App::new();
    app.add_plugins(HeadlessPlugin {
        launch: Launch {
            level: LevelLocation::parse(&path.to_string_lossy()),
            // Its own data directory: nothing of this test lands in the real one.
            data_dir: Some(dir.join("data")),
            watch: false,
            screenshot: None,
            measure: None,
            baseline: false,
            script: None,
            timeout: None,
        },
    });
    assert_eq!(run_until_settled(&mut app), Screen::Gallery);
    for _ in 0..60 {
        app.update();
    }
    assert_eq!(
        *app.world().resource::<State<Screen>>().get(),
        Screen::Gallery
    );
    let world = app.world_mut();
    let mut placements = world.query::<(&Artwork, &WorkPlacement)>();
    let works: Vec<_> = placements.iter(world).collect();
    assert_eq!(works.len(), 1000);
    assert!(
        works
            .iter()
            .all(|(_, p)| !matches!(p.0, Placement::Auto { .. })),
        "the game saw an unplaced work"
    );
    std::fs::remove_dir_all(&dir).ok();
}
