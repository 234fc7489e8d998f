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

/// The settings file: `<data dir>/settings.ron`; in the browser, the localStorage key
/// `vernissage.settings` (holding the same RON text).
pub fn settings_path(launch: &Launch) -> Option<std::path::PathBuf> {
    #[cfg(not(target_arch = "wasm32"))]
    {
        crate::launch::data_root(launch.data_dir.as_deref()).map(|d| d.join("settings.ron"))
    }
    #[cfg(target_arch = "wasm32")]
    {
        let _ = launch;
        Some(std::path::PathBuf::from(BROWSER_KEY))
    }
}

/// The localStorage key of the settings in the browser.
pub const BROWSER_KEY: &str = "vernissage.settings";

/// Reads the settings file: `Ok(None)` when there is none yet; a damaged file is moved aside to
/// `settings.ron.bad` (nothing is lost) and reported as `FILE:LINE:COLUMN: message`.
#[cfg(not(target_arch = "wasm32"))]
pub fn load_from(path: &std::path::Path) -> Result<Option<Settings>, String> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Ok(None);
    };
    Settings::from_ron(&text).map(Some).map_err(|e| {
        let _ = std::fs::rename(path, path.with_extension("ron.bad"));
        format!("{}:{e}", path.display())
    })
}

/// Writes the settings file atomically (a crash never leaves half a file).
#[cfg(not(target_arch = "wasm32"))]
pub fn save_to(path: &std::path::Path, settings: &Settings) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension("ron.tmp");
    std::fs::write(&tmp, settings.to_ron())?;
    std::fs::rename(&tmp, path)
}

fn load_settings(launch: Res<Launch>, mut settings: ResMut<VisitorSettings>) {
    let Some(path) = settings_path(&launch) else {
        return;
    };
    #[cfg(not(target_arch = "wasm32"))]
    match load_from(&path) {
        Ok(Some(loaded)) => settings.0 = loaded,
        Ok(None) => {}
        Err(e) => warn!("{e}; using the default settings (the file is kept as settings.ron.bad)"),
    }
    #[cfg(target_arch = "wasm32")]
    {
        let _ = &path;
        if let Some(text) = crate::web::storage::local_get(BROWSER_KEY) {
            match Settings::from_ron(&text) {
                Ok(loaded) => settings.0 = loaded,
                Err(e) => {
                    // Kept aside, as the desktop keeps settings.ron.bad.
                    crate::web::storage::local_set(&format!("{BROWSER_KEY}.bad"), &text);
                    warn!("localStorage {BROWSER_KEY}:{e}; using the default settings");
                }
            }
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
    #[cfg(not(target_arch = "wasm32"))]
    if let Err(e) = save_to(&path, &settings) {
        warn!("cannot save the settings to {}: {e}", path.display());
    }
    #[cfg(target_arch = "wasm32")]
    {
        let _ = path;
        crate::web::storage::local_set(BROWSER_KEY, &settings.to_ron());
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn settings_survive_a_restart_and_a_damaged_file_is_kept_aside() {
        let dir = std::env::temp_dir().join(format!("vernissage-settings-{}", std::process::id()));
        let path = dir.join("settings.ron");
        assert_eq!(load_from(&path), Ok(None));
        let mut s = Settings {
            invert_y: true,
            field_of_view: 90.0,
            ..Settings::default()
        };
        s.keys.catalogue = "KeyK".into();
        save_to(&path, &s).unwrap();
        assert_eq!(load_from(&path), Ok(Some(s)));

        std::fs::write(&path, "Settings(field_of_view: wide)").unwrap();
        let err = load_from(&path).unwrap_err();
        assert!(err.contains("settings.ron:1:"), "{err}");
        assert!(!path.exists());
        assert_eq!(
            std::fs::read_to_string(dir.join("settings.ron.bad")).unwrap(),
            "Settings(field_of_view: wide)"
        );
        std::fs::remove_dir_all(&dir).ok();
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
