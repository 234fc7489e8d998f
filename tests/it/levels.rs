//! Every shipped level loads headlessly and becomes the entities it describes.

use bevy::prelude::*;
use vernissage::gallery::build::{
    ArtKind, Artwork, GalleryLight, GalleryRoom, Price, WorkPlacement,
};
use vernissage::gallery::{ActiveLevel, LevelProblems};
use vernissage::level::{self, schema::WorkKind};
use vernissage::screens::Screen;

use crate::support::{headless_app, run_until_settled};

fn shipped_levels() -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir("levels")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "ron"))
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert!(
        files.len() >= 2,
        "expected at least two levels, found {files:?}"
    );
    files
}

#[test]
fn every_level_spawns_one_entity_per_work_with_its_components() {
    for file in shipped_levels() {
        let bytes = std::fs::read(&file).unwrap();
        let expected = level::parse(&bytes).expect("parses");

        let mut app = headless_app(&file);
        let screen = run_until_settled(&mut app);
        let problems = app.world().resource::<LevelProblems>().lines.clone();
        assert_eq!(screen, Screen::Gallery, "{file}: {problems:?}");
        assert!(problems.is_empty(), "{file}: {problems:?}");
        assert_eq!(
            app.world().resource::<ActiveLevel>().0.works.len(),
            expected.works.len()
        );

        let world = app.world_mut();
        let mut works: Vec<(Artwork, WorkPlacement, Price)> = world
            .query::<(&Artwork, &WorkPlacement, &Price)>()
            .iter(world)
            .map(|(a, p, c)| (a.clone(), p.clone(), *c))
            .collect();
        works.sort_by_key(|(a, _, _)| a.index);
        assert_eq!(works.len(), expected.works.len(), "{file}");
        for ((art, placement, price), work) in works.iter().zip(&expected.works) {
            assert_eq!(art.id, work.id);
            assert_eq!(art.kind, ArtKind::of(&work.kind), "{}", work.id);
            assert_eq!(placement.0, work.placement, "{}", work.id);
            assert_eq!(price.tokens, work.price);
            assert_eq!(price.editions, work.editions);
        }
        let rooms = world.query::<&GalleryRoom>().iter(world).count();
        assert_eq!(rooms, expected.rooms.len(), "{file}");
        let lights = world.query::<&GalleryLight>().iter(world).count();
        let expected_lights =
            expected.lights.spots.len() + usize::from(expected.lights.directional.is_some());
        assert_eq!(lights, expected_lights, "{file}");
    }
}

#[test]
fn the_default_show_is_a_real_exhibition() {
    let bytes = std::fs::read("levels/default.ron").unwrap();
    let level = level::parse(&bytes).unwrap();
    assert!(level.rooms.len() >= 3);
    assert!(level.works.len() >= 24);
    let kinds = |f: fn(&WorkKind) -> bool| level.works.iter().filter(|w| f(&w.kind)).count();
    assert!(kinds(|k| matches!(k, WorkKind::Image { .. })) >= 1);
    assert!(kinds(|k| matches!(k, WorkKind::Generative { .. })) >= 1);
    assert!(kinds(|k| matches!(k, WorkKind::Sculpture { .. })) >= 1);
    assert!(kinds(|k| matches!(k, WorkKind::Text { .. })) >= 1);
    // Every room is reachable from the spawn room through doorways.
    let mut reached = vec![level.spawn.room.clone()];
    let mut grew = true;
    while grew {
        grew = false;
        for room in &level.rooms {
            for door in &room.doorways {
                for (a, b) in [(&room.id, &door.to), (&door.to, &room.id)] {
                    if reached.contains(a) && !reached.contains(b) {
                        reached.push(b.clone());
                        grew = true;
                    }
                }
            }
        }
    }
    assert_eq!(reached.len(), level.rooms.len(), "unreachable rooms");
}

#[test]
fn levels_round_trip_through_ron() {
    for file in shipped_levels() {
        let bytes = std::fs::read(&file).unwrap();
        let parsed = level::parse(&bytes).unwrap();
        let text = level::to_ron(&parsed).unwrap();
        let again = level::parse(text.as_bytes())
            .unwrap_or_else(|r| panic!("{file}: re-parse failed: {:?}\n{text}", r.diagnostics));
        assert_eq!(parsed, again, "{file}");
    }
}

#[test]
fn an_invalid_level_opens_the_error_screen_with_located_messages() {
    let mut app = headless_app("tests/it/malformed/unknown-room.ron");
    let screen = run_until_settled(&mut app);
    assert_eq!(screen, Screen::Error);
    let problems = &app.world().resource::<LevelProblems>().lines;
    assert!(
        problems
            .iter()
            .any(|l| l.contains("unknown-room.ron:") && l.contains("unknown room")),
        "{problems:?}"
    );
    let world = app.world_mut();
    assert_eq!(world.query::<&Artwork>().iter(world).count(), 0);
}

#[test]
fn a_missing_level_file_is_an_error_screen_not_a_crash() {
    let mut app = headless_app("levels/does-not-exist.ron");
    assert_eq!(run_until_settled(&mut app), Screen::Error);
    let problems = &app.world().resource::<LevelProblems>().lines;
    assert!(problems[0].contains("does-not-exist.ron"), "{problems:?}");
}
