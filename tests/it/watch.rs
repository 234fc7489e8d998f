//! `--watch`: editing the level file on disk rebuilds the gallery without a restart.

use std::time::{Duration, Instant};

use bevy::prelude::*;
use vernissage::HeadlessPlugin;
use vernissage::gallery::build::Artwork;
use vernissage::launch::{Launch, LevelLocation};
use vernissage::screens::Screen;

use crate::support::run_until_settled;

fn work_titles(app: &mut App) -> usize {
    let world = app.world_mut();
    world.query::<&Artwork>().iter(world).count()
}

#[test]
fn editing_the_level_on_disk_reloads_the_gallery() {
    // A private copy of the small show, so the edit touches nothing shared.
    let root = std::env::temp_dir().join(format!("vernissage-watch-{}", std::process::id()));
    let levels = root.join("levels");
    std::fs::create_dir_all(&levels).unwrap();
    let original = std::fs::read_to_string("levels/small.ron").unwrap();
    let path = levels.join("show.ron");
    std::fs::write(&path, &original).unwrap();
    let assets = root.join("assets/works");
    std::fs::create_dir_all(&assets).unwrap();
    for entry in std::fs::read_dir("assets/works").unwrap() {
        let entry = entry.unwrap();
        if entry.path().is_file() {
            std::fs::copy(entry.path(), assets.join(entry.file_name())).unwrap();
        }
    }

    let mut app = App::new();
    app.add_plugins(HeadlessPlugin {
        launch: Launch {
            level: LevelLocation::parse(&path.to_string_lossy()),
            data_dir: None,
            watch: true,
            screenshot: None,
            measure: None,
            baseline: false,
            script: None,
            timeout: None,
        },
    });
    assert_eq!(run_until_settled(&mut app), Screen::Gallery);
    let before = work_titles(&mut app);
    assert!(before > 1);

    // Remove the last work (its spot lights too, if any point at it) and save.
    let level = vernissage::level::parse(original.as_bytes()).unwrap();
    let mut edited = level.clone();
    let removed = edited.works.pop().unwrap();
    edited.lights.spots.retain(|s| {
        !matches!(&s.target, vernissage::level::schema::SpotTarget::Work(id) if *id == removed.id)
    });
    std::fs::write(&path, vernissage::level::to_ron(&edited).unwrap()).unwrap();

    let start = Instant::now();
    let mut after = before;
    while start.elapsed() < Duration::from_secs(20) {
        app.update();
        if *app.world().resource::<State<Screen>>().get() == Screen::Gallery {
            after = work_titles(&mut app);
            if after != before {
                break;
            }
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(
        after,
        before - 1,
        "the gallery was not rebuilt from the edited file"
    );
    std::fs::remove_dir_all(&root).ok();
}
