//! The gallery: loads the exhibition level through the asset system and builds its world.
//!
//! Pure painters (generative art, floors, text, sculpture meshes) live beside this module and
//! know nothing of Bevy; `build` turns a validated [`Level`] into entities, and `jobs` runs the
//! painters on the task pools while the loading screen counts them.

pub mod build;
pub mod culling;
pub mod generative;
pub mod jobs;
pub mod pixels;
pub mod sculpture;
pub mod textures;
pub mod typeset;

use std::sync::Arc;

use bevy::asset::io::Reader;
use bevy::asset::{AssetLoader, AssetPath, LoadContext, LoadState};
use bevy::prelude::*;

use crate::launch::{Launch, LevelLocation};
use crate::level::{self, Level, Report};
use crate::screens::Screen;

pub(super) fn plugin(app: &mut App) {
    let net = app
        .world()
        .get_resource::<crate::net::NetClient>()
        .map(|client| client.0.clone());
    app.init_asset::<LevelAsset>()
        .register_asset_loader(LevelLoader { net })
        .init_resource::<LoadProgress>()
        .init_resource::<LevelProblems>()
        .add_message::<ReloadLevel>()
        .add_systems(OnEnter(Screen::Loading), start_loading)
        .add_systems(
            Update,
            (
                await_level.run_if(in_state(Screen::Loading)),
                finish_loading.run_if(in_state(Screen::Loading)),
                watch_level,
            )
                .chain(),
        )
        .add_systems(OnEnter(Screen::Title), despawn_gallery)
        .add_systems(OnEnter(Screen::Error), despawn_gallery);
    app.add_plugins((build::plugin, jobs::plugin, culling::plugin));
}

/// A level file as loaded: its parse and validation report.
#[derive(Asset, TypePath, Debug)]
pub struct LevelAsset {
    pub report: Report,
}

/// Reads `.ron` levels, then every asset file they refer to (so missing files are reported
/// like any other problem, and editing an image reloads the level in watch mode). Levels
/// opened by URL read their assets through the `http`/`https` sources, under the origins the
/// level allows.
#[derive(Default, TypePath)]
pub struct LevelLoader {
    pub net: Option<Arc<crate::net::Net>>,
}

#[derive(Debug)]
pub struct LevelLoadError(String);

impl std::fmt::Display for LevelLoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for LevelLoadError {}

impl AssetLoader for LevelLoader {
    type Asset = LevelAsset;
    type Settings = ();
    type Error = LevelLoadError;

    async fn load(
        &self,
        reader: &mut dyn Reader,
        _settings: &(),
        load_context: &mut LoadContext<'_>,
    ) -> Result<LevelAsset, LevelLoadError> {
        let mut bytes = Vec::new();
        reader
            .read_to_end(&mut bytes)
            .await
            .map_err(|e| LevelLoadError(format!("cannot read the level: {e}")))?;
        let report = match level::parse(&bytes) {
            Err(report) => *report,
            Ok(parsed) => {
                let level_path = load_context.path().clone_owned();
                if let Some(net) = &self.net {
                    net.allow_origins(&parsed.exhibition.allowed_origins);
                }
                let allowed = &parsed.exhibition.allowed_origins;
                let mut wanted: Vec<String> = level::check::referenced_assets(&parsed)
                    .into_iter()
                    .map(|(path, _)| path)
                    .filter(|path| level::assets::check_asset_reference(path, allowed).is_ok())
                    .collect();
                wanted.sort();
                wanted.dedup();
                if let Some(net) = &self.net
                    && crate::net::reader::level_url(&level_path).is_some()
                {
                    net.progress.expect_files(wanted.len() as u32);
                }
                let mut assets = level::AssetBytes::new();
                for path in wanted {
                    let read = match crate::net::reader::asset_path_for(&level_path, &path) {
                        Err(e) => Err(e.to_string()),
                        Ok(asset_path) => load_context
                            .read_asset_bytes(asset_path)
                            .await
                            .map_err(|e| short_read_error(&e)),
                    };
                    assets.insert(path, read);
                }
                level::check(parsed, &bytes, &assets)
            }
        };
        Ok(LevelAsset { report })
    }

    fn extensions(&self) -> &[&str] {
        &["ron"]
    }
}

fn short_read_error(error: &bevy::asset::ReadAssetBytesError) -> String {
    if let Some(text) = crate::net::reader::net_error_text(error) {
        return text;
    }
    let message = error.to_string();
    if message.contains("not found") || message.contains("NotFound") {
        "no such file".to_string()
    } else {
        message
    }
}

/// The level being shown (or loaded).
#[derive(Resource, Debug, Clone)]
pub struct CurrentLevel {
    pub handle: Handle<LevelAsset>,
    /// How the level is named in messages (its path or URL).
    pub label: String,
}

/// The validated level the gallery was built from.
#[derive(Resource, Debug, Clone)]
pub struct ActiveLevel(pub Arc<Level>);

/// SHA-256 of each work's source as loaded (see `level::content`), by work id: what the
/// ledger registers as proof of authorship.
#[derive(Resource, Debug, Clone, Default)]
pub struct WorkContent(pub std::collections::BTreeMap<String, [u8; 32]>);

/// Where this exhibition keeps what visitors leave behind: `<data dir>/<exhibition id>/`.
/// `None` where there is no file system (the browser) or no data directory could be found.
#[derive(Resource, Debug, Clone, PartialEq, Eq)]
pub struct ExhibitionData {
    pub dir: Option<std::path::PathBuf>,
}

/// Problems that keep the level from opening, as `FILE:LINE:COLUMN: message` lines.
#[derive(Resource, Debug, Default, Clone)]
pub struct LevelProblems {
    pub lines: Vec<String>,
}

/// How far loading has come, for the progress bar.
#[derive(Resource, Debug, Default, Clone)]
pub struct LoadProgress {
    /// Whether the level file itself has been read and checked.
    pub level_ready: bool,
    /// Textures and meshes finished, out of `total`.
    pub done: u32,
    pub total: u32,
    /// When loading started, to log how long it took.
    pub started: Option<bevy::platform::time::Instant>,
}

impl LoadProgress {
    /// 0..=1: the level counts as one step, every texture as another.
    pub fn fraction(&self) -> f32 {
        let done = self.done as f32 + if self.level_ready { 1.0 } else { 0.0 };
        let total = self.total as f32 + 1.0;
        (done / total).clamp(0.0, 1.0)
    }
}

/// Ask for the level to be read again (hot reload, retry from the error screen).
#[derive(Message, Debug, Clone, Copy, Default)]
pub struct ReloadLevel;

/// The root entity of everything built from the level.
#[derive(Component, Debug, Clone, Copy, Default)]
#[require(Transform, Visibility)]
pub struct GalleryScene;

fn level_asset_path(launch: &Launch) -> AssetPath<'static> {
    match &launch.level {
        LevelLocation::File { level, .. } => {
            AssetPath::from(level.clone()).with_source(crate::EXHIBITION_SOURCE)
        }
        LevelLocation::Url(url) => AssetPath::from(url.clone()),
    }
}

fn start_loading(
    mut commands: Commands,
    launch: Res<Launch>,
    asset_server: Res<AssetServer>,
    current: Option<Res<CurrentLevel>>,
    mut progress: ResMut<LoadProgress>,
    mut problems: ResMut<LevelProblems>,
    net: Option<Res<crate::net::NetClient>>,
    mut next: ResMut<NextState<Screen>>,
) {
    *progress = LoadProgress {
        started: Some(bevy::platform::time::Instant::now()),
        ..default()
    };
    problems.lines.clear();
    if let Some(net) = net {
        match &launch.level {
            LevelLocation::Url(url) => match crate::net::policy::parse_url(url) {
                Ok(url) => net.0.begin_level(&url),
                Err(e) => {
                    problems.lines.push(e.to_string());
                    next.set(Screen::Error);
                    return;
                }
            },
            LevelLocation::File { .. } => net.0.begin_local(),
        }
    }
    if current.is_none() {
        info!("opening {}", launch.level.label());
        let handle = asset_server.load(level_asset_path(&launch));
        commands.insert_resource(CurrentLevel {
            handle,
            label: launch.level.label(),
        });
    }
}

/// Opens another exhibition (the title screen's picker): the gallery loads `level` from the
/// start; the same level is shown again without reading it anew.
pub fn open_level(world: &mut World, level: LevelLocation) {
    let mut launch = world.resource_mut::<Launch>();
    if launch.level != level {
        launch.level = level;
        world.remove_resource::<CurrentLevel>();
    }
    world
        .resource_mut::<NextState<Screen>>()
        .set(Screen::Loading);
}

/// Once the level asset is in: show its problems, or build the gallery from it.
fn await_level(
    mut commands: Commands,
    current: Res<CurrentLevel>,
    launch: Res<Launch>,
    asset_server: Res<AssetServer>,
    levels: Res<Assets<LevelAsset>>,
    scenes: Query<Entity, With<GalleryScene>>,
    mut progress: ResMut<LoadProgress>,
    mut problems: ResMut<LevelProblems>,
    mut next: ResMut<NextState<Screen>>,
    mut published: Option<ResMut<crate::studio::PublishedWorks>>,
) {
    if progress.level_ready {
        return;
    }
    if let LoadState::Failed(error) = asset_server.load_state(&current.handle) {
        problems.lines = vec![match crate::net::reader::net_error_text(error.as_ref()) {
            // Download failures name their URL themselves.
            Some(text) => text,
            None => format!("{}:1:1: {}", current.label, error_text(&error)),
        }];
        next.set(Screen::Error);
        return;
    }
    let Some(asset) = levels.get(&current.handle) else {
        return;
    };
    let lines: Vec<String> = asset
        .report
        .diagnostics
        .iter()
        .map(|d| d.render(&current.label))
        .collect();
    for line in &lines {
        if line.contains(": warning: ") {
            warn!("{line}");
        }
    }
    match asset.report.valid_level() {
        None => {
            problems.lines = lines
                .into_iter()
                .filter(|l| !l.contains(": warning: "))
                .collect();
            next.set(Screen::Error);
        }
        Some(level) => {
            for scene in &scenes {
                commands.entity(scene).despawn();
            }
            #[cfg(not(target_arch = "wasm32"))]
            let dir = crate::launch::exhibition_data_dir(
                launch.data_dir.as_deref(),
                &level.exhibition.id,
            );
            #[cfg(target_arch = "wasm32")]
            let dir: Option<std::path::PathBuf> = {
                let _ = &launch;
                None
            };
            match &dir {
                Some(dir) => info!("exhibition data: {}", dir.display()),
                None => info!("exhibition data: not kept on disk"),
            }
            // Works visitors published in the studio hang with the curator's.
            let mut content = asset.report.content_hashes.clone();
            let level = match published.as_deref_mut() {
                Some(published) => {
                    let (merged, hashes) =
                        crate::studio::merge_published(level, dir.as_deref(), published);
                    content.extend(hashes);
                    merged
                }
                None => level.clone(),
            };
            let level = Arc::new(level);
            commands.insert_resource(ExhibitionData { dir });
            commands.insert_resource(ActiveLevel(level.clone()));
            commands.insert_resource(WorkContent(content));
            if let Some(started) = progress.started {
                info!(
                    "level read and checked in {:.2} s: {} rooms, {} works",
                    started.elapsed().as_secs_f32(),
                    level.rooms.len(),
                    level.works.len()
                );
            }
            commands.run_system_cached_with(build::build_gallery, level);
            progress.level_ready = true;
        }
    }
}

fn error_text(error: &bevy::asset::AssetLoadError) -> String {
    let text = error.to_string();
    if text.contains("not found") || text.contains("NotFound") || text.contains("No such file") {
        "the level file was not found".to_string()
    } else {
        text
    }
}

/// Leaves the loading screen when every texture job and image is done.
fn finish_loading(progress: Res<LoadProgress>, mut next: ResMut<NextState<Screen>>) {
    if progress.level_ready && progress.done >= progress.total {
        if let Some(started) = progress.started {
            info!(
                "gallery loaded in {:.2} s ({} textures)",
                started.elapsed().as_secs_f32(),
                progress.total
            );
        }
        next.set(Screen::Gallery);
    }
}

/// Hot reload: a changed level file (or an asset it reads) rebuilds the gallery.
fn watch_level(
    mut events: MessageReader<AssetEvent<LevelAsset>>,
    mut reloads: MessageReader<ReloadLevel>,
    current: Option<Res<CurrentLevel>>,
    asset_server: Res<AssetServer>,
    state: Res<State<Screen>>,
    mut next: ResMut<NextState<Screen>>,
) {
    let Some(current) = current else {
        reloads.clear();
        events.clear();
        return;
    };
    let mut changed = false;
    for event in events.read() {
        if let AssetEvent::Modified { id } | AssetEvent::LoadedWithDependencies { id } = event
            && *id == current.handle.id()
        {
            changed = true;
        }
    }
    if reloads.read().count() > 0
        && let Some(path) = current.handle.path()
    {
        asset_server.reload(path.clone());
    }
    if changed && matches!(state.get(), Screen::Gallery | Screen::Error) {
        info!("reloading {}", current.label);
        next.set(Screen::Loading);
    }
}

fn despawn_gallery(mut commands: Commands, scenes: Query<Entity, With<GalleryScene>>) {
    for scene in &scenes {
        commands.entity(scene).despawn();
    }
}
