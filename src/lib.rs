//! Vernissage: a walkable 3D art gallery. Exhibitions are RON levels; every work is an entity.
//!
//! [`AppPlugin`] assembles the windowed game; [`HeadlessPlugin`] runs the same gameplay systems
//! without a window or renderer (tests, simulation).

#[cfg(not(target_arch = "wasm32"))]
pub mod cli;
pub mod feedback;
pub mod gallery;
pub mod interaction;
pub mod launch;
pub mod level;
pub mod market;
pub mod measure;
pub mod net;
pub mod player;
pub mod scoring;
pub mod screens;
pub mod simulate;
pub mod studio;
pub mod ui;
#[cfg(target_arch = "wasm32")]
pub mod web;

use std::process::ExitCode;

use bevy::asset::AssetMetaCheck;
use bevy::asset::io::AssetSourceBuilder;
use bevy::prelude::*;

use launch::{Launch, LevelLocation};

/// Name of the asset source that serves the current exhibition's root folder.
pub const EXHIBITION_SOURCE: &str = "exhibition";

/// The whole windowed game.
pub struct AppPlugin {
    pub launch: Launch,
}

impl Plugin for AppPlugin {
    fn build(&self, app: &mut App) {
        register_exhibition_source(app, &self.launch.level);
        net::install(app, &self.launch);
        let title = "Vernissage".to_string();
        let screenshot = self.launch.screenshot.is_some() || self.launch.measure.is_some();
        app.add_plugins(
            DefaultPlugins
                .set(WindowPlugin {
                    primary_window: Some(Window {
                        title,
                        resolution: (1280, 720).into(),
                        canvas: Some("#vernissage-canvas".into()),
                        fit_canvas_to_parent: true,
                        prevent_default_event_handling: true,
                        // Screenshots and benchmarks want every frame, not the display's pace.
                        present_mode: if screenshot {
                            bevy::window::PresentMode::AutoNoVsync
                        } else {
                            bevy::window::PresentMode::AutoVsync
                        },
                        ..default()
                    }),
                    ..default()
                })
                .set(AssetPlugin {
                    meta_check: AssetMetaCheck::Never,
                    watch_for_changes_override: Some(self.launch.watch),
                    ..default()
                }),
        );
        if self.launch.measure.is_some() {
            // Every frame as fast as it renders, also while the window (under Xvfb, say) has
            // no focus: unfocused windows are otherwise held to 60 Hz.
            app.insert_resource(bevy::winit::WinitSettings::continuous());
        }
        app.insert_resource(self.launch.clone());
        app.add_plugins(physics_plugin());
        app.add_plugins((
            screens::plugin,
            gallery::plugin,
            player::plugin,
            interaction::plugin,
            feedback::plugin,
            market::plugin,
            scoring::plugin,
            studio::plugin,
            ui::plugin,
            net::plugin,
        ));
        #[cfg(target_arch = "wasm32")]
        app.add_plugins(web::plugin);
        if let Some(script) = &self.launch.script {
            app.add_plugins(simulate::LocalScriptPlugin {
                script: script.clone(),
            });
        }
    }
}

/// The gameplay core without window, renderer or UI: level loading and the gallery's entities.
pub struct HeadlessPlugin {
    pub launch: Launch,
}

impl Plugin for HeadlessPlugin {
    fn build(&self, app: &mut App) {
        register_exhibition_source(app, &self.launch.level);
        net::install(app, &self.launch);
        app.add_plugins((
            MinimalPlugins,
            bevy::transform::TransformPlugin,
            AssetPlugin {
                meta_check: AssetMetaCheck::Never,
                watch_for_changes_override: Some(self.launch.watch),
                ..default()
            },
            ImagePlugin::default(),
            bevy::state::app::StatesPlugin,
            bevy::mesh::MeshPlugin,
            // Scripted visitors press keys and move the mouse through the same input resources.
            bevy::input::InputPlugin,
        ));
        app.init_asset::<StandardMaterial>();
        // The renderer normally registers the image loader once it knows the GPU's formats.
        app.register_asset_loader(bevy::image::ImageLoader::new(
            bevy::image::CompressedImageFormats::empty(),
        ));
        app.insert_resource(self.launch.clone());
        app.insert_resource(Headless);
        app.add_plugins(physics_plugin());
        app.add_plugins((
            screens::plugin,
            gallery::plugin,
            player::plugin,
            interaction::plugin,
            feedback::plugin,
            market::plugin,
            net::plugin,
            studio::plugin,
        ));
    }
}

/// Rapier, stepped in the fixed schedule so walking is the same at any frame rate.
fn physics_plugin() -> bevy_rapier3d::plugin::RapierPhysicsPlugin<bevy_rapier3d::plugin::NoUserData>
{
    bevy_rapier3d::plugin::RapierPhysicsPlugin::<bevy_rapier3d::plugin::NoUserData>::default()
        .in_fixed_schedule()
}

/// Present when the app runs without window and renderer.
#[derive(Resource, Debug, Clone, Copy)]
pub struct Headless;

fn register_exhibition_source(app: &mut App, level: &LevelLocation) {
    let root = match level {
        LevelLocation::File { root, .. } => absolute_root(root),
        LevelLocation::Url(_) => ".".to_string(),
    };
    app.register_asset_source(
        EXHIBITION_SOURCE,
        AssetSourceBuilder::platform_default(&root, None),
    );
}

/// Bevy resolves relative asset folders against the executable or the crate, not the working
/// directory; a level path given on the command line means the working directory.
fn absolute_root(root: &str) -> String {
    #[cfg(not(target_arch = "wasm32"))]
    {
        if let Ok(path) = std::path::Path::new(root).canonicalize() {
            return path.to_string_lossy().into_owned();
        }
    }
    root.to_string()
}

/// Runs the windowed game until it exits.
pub fn run_game(launch: Launch) -> ExitCode {
    let mut app = App::new();
    app.add_plugins(AppPlugin { launch });
    match app.run() {
        AppExit::Success => ExitCode::SUCCESS,
        AppExit::Error(code) => ExitCode::from(code.get()),
    }
}
