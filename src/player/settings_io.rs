//! Settings in the game: loaded from and saved to the data directory, and applied to the
//! camera (field of view) and the renderer (shadows, multisampling).

use bevy::prelude::*;

use super::input::EyeCamera;
use super::settings::Settings;
use crate::gallery::build::GalleryShadows;
use crate::launch::Launch;

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<VisitorSettings>();
    if app.world().contains_resource::<crate::Headless>() {
        // Simulations use the defaults, so the same script gives the same walk anywhere.
        return;
    }
    app.add_systems(Startup, load_settings)
        .add_systems(Update, (save_settings, apply_settings));
}

/// The settings in force.
#[derive(Resource, Debug, Clone, Default, PartialEq, Deref, DerefMut)]
pub struct VisitorSettings(pub Settings);

/// The settings file: `<data dir>/settings.ron` (none in the browser; see the web build).
pub fn settings_path(launch: &Launch) -> Option<std::path::PathBuf> {
    #[cfg(not(target_arch = "wasm32"))]
    {
        crate::launch::data_root(launch.data_dir.as_deref()).map(|d| d.join("settings.ron"))
    }
    #[cfg(target_arch = "wasm32")]
    {
        let _ = launch;
        None
    }
}

fn load_settings(launch: Res<Launch>, mut settings: ResMut<VisitorSettings>) {
    let Some(path) = settings_path(&launch) else {
        return;
    };
    let Ok(text) = std::fs::read_to_string(&path) else {
        return;
    };
    match Settings::from_ron(&text) {
        Ok(loaded) => settings.0 = loaded,
        Err(e) => {
            let label = path.display();
            warn!("{label}:{e}; using the default settings (the file is kept as settings.ron.bad)");
            let _ = std::fs::rename(&path, path.with_extension("ron.bad"));
        }
    }
}

fn save_settings(launch: Res<Launch>, settings: Res<VisitorSettings>) {
    if !settings.is_changed() || settings.is_added() {
        return;
    }
    let Some(path) = settings_path(&launch) else {
        return;
    };
    let write = || -> std::io::Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        // Write then rename, so a crash never leaves half a settings file.
        let tmp = path.with_extension("ron.tmp");
        std::fs::write(&tmp, settings.to_ron())?;
        std::fs::rename(&tmp, &path)
    };
    if let Err(e) = write() {
        warn!("cannot save the settings to {}: {e}", path.display());
    }
}

fn apply_settings(
    settings: Res<VisitorSettings>,
    mut cameras: Query<(Entity, &mut Projection), With<EyeCamera>>,
    added: Query<(), Added<EyeCamera>>,
    mut commands: Commands,
    mut shadows: ResMut<GalleryShadows>,
) {
    if !settings.is_changed() && added.is_empty() {
        return;
    }
    for (entity, mut projection) in &mut cameras {
        if let Projection::Perspective(p) = projection.as_mut() {
            p.fov = settings.field_of_view.to_radians();
        }
        commands
            .entity(entity)
            .insert(Msaa::from_samples(settings.quality.msaa_samples()));
    }
    if shadows.budget != settings.quality.shadow_budget() {
        shadows.budget = settings.quality.shadow_budget();
    }
}
