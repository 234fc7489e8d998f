//! Helpers shared by the integration tests: a headless app on a level, run until it settles;
//! the `vernissage` binary run as a process.

use std::time::Duration;

use bevy::prelude::*;
use vernissage::HeadlessPlugin;
use vernissage::launch::{Launch, LevelLocation};
use vernissage::screens::Screen;

/// A headless app that loads the level at `path` (relative to the crate root).
pub fn headless_app(path: &str) -> App {
    let mut app = App::new();
    app.add_plugins(HeadlessPlugin {
        launch: Launch {
            level: LevelLocation::parse(path),
            data_dir: None,
            watch: false,
            screenshot: None,
            measure: None,
            baseline: false,
            script: None,
            timeout: None,
        },
    });
    app
}

/// Updates until the app reaches the gallery or the error screen (or gives up after ~60 s).
pub fn run_until_settled(app: &mut App) -> Screen {
    for _ in 0..60_000 {
        app.update();
        let screen = *app.world().resource::<State<Screen>>().get();
        if matches!(screen, Screen::Gallery | Screen::Error) {
            // One more frame so OnEnter systems have run.
            app.update();
            return screen;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    panic!("the level neither loaded nor failed");
}

/// Exit code, standard output and standard error of one run of the `vernissage` binary.
pub fn vernissage(args: &[&str]) -> (i32, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_vernissage"))
        .args(args)
        .output()
        .expect("the vernissage binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A simulation's gallery open, with the scripted visitor's wallet: (app, visitor, wallet id).
pub fn open_with_wallet(spec: &vernissage::simulate::SimulationSpec) -> (App, Entity, String) {
    let mut app = vernissage::simulate::start(spec).expect("the level loads");
    for _ in 0..30 {
        app.update();
        let world = app.world_mut();
        if let Ok((entity, wallet)) = world
            .query::<(Entity, &vernissage::market::Wallet)>()
            .single(world)
            .map(|(e, w)| (e, w.0.clone()))
        {
            return (app, entity, wallet);
        }
    }
    panic!("the visitor never got a wallet");
}
