//! Exhibitions over HTTP: the download rules and client, the `http`/`https` asset sources, the
//! offline cache and the list of recently opened URLs; the ECS layer shows their notes.

pub mod cache;
pub mod client;
pub mod policy;
pub mod reader;
pub mod recent;

use std::sync::Arc;

use bevy::prelude::*;

pub use client::Net;
pub use policy::{Limits, NetError};

use crate::gallery::{ActiveLevel, CurrentLevel};
use crate::launch::Launch;
use crate::screens::Screen;

/// The downloads of this app (shared with the asset readers).
#[derive(Resource, Debug, Clone)]
pub struct NetClient(pub Arc<Net>);

/// What the visitor should know about downloads: offline copies in use, files that could not
/// be saved. Shown under the loading bar and in the gallery.
#[derive(Resource, Debug, Clone, Default)]
pub struct NetNotes {
    pub lines: Vec<String>,
}

/// Recently opened exhibition URLs (the title screen's picker reads and edits it).
#[derive(Resource, Debug, Clone, Default)]
pub struct Recent(pub recent::RecentLevels);

/// Makes the client and registers the `http` and `https` asset sources; called before the
/// asset plugin is added.
pub fn install(app: &mut App, launch: &Launch) {
    let limits = match launch.timeout {
        Some(seconds) => Limits::default().with_timeout(seconds),
        None => Limits::default(),
    };
    #[cfg(not(target_arch = "wasm32"))]
    let data_root = crate::launch::data_root(launch.data_dir.as_deref());
    #[cfg(target_arch = "wasm32")]
    let data_root: Option<std::path::PathBuf> = None;
    let net = Net::new(limits, data_root.as_deref());
    reader::register_sources(app, &net);
    app.insert_resource(NetClient(net))
        .insert_resource(Recent(recent::load(data_root.as_deref())));
}

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<NetNotes>()
        .add_systems(OnEnter(Screen::Loading), clear_notes)
        .add_systems(Update, gather_notes)
        .add_systems(OnEnter(Screen::Gallery), remember_opened_url);
    if !app.world().contains_resource::<crate::Headless>() {
        app.add_systems(OnEnter(Screen::Gallery), spawn_note_line)
            .add_systems(Update, show_notes.run_if(in_state(Screen::Gallery)));
    }
}

/// The line at the top of the gallery that says the exhibition is an offline copy.
#[derive(Component, Debug, Clone, Copy)]
struct NoteLine;

fn spawn_note_line(mut commands: Commands) {
    commands.spawn((
        Name::new("Download notes"),
        Text::new(""),
        TextFont::from_font_size(15.0),
        TextColor(Color::srgb(1.0, 0.85, 0.55)),
        crate::ui::widgets::text_shadow(),
        Node {
            position_type: PositionType::Absolute,
            top: px(36),
            left: px(16),
            right: px(16),
            ..default()
        },
        NoteLine,
        DespawnOnExit(Screen::Gallery),
    ));
}

fn show_notes(notes: Res<NetNotes>, mut lines: Query<&mut Text, With<NoteLine>>) {
    let text = notes.lines.join("\n");
    for mut line in &mut lines {
        if line.0 != text {
            line.0.clone_from(&text);
        }
    }
}

fn clear_notes(mut notes: ResMut<NetNotes>) {
    notes.lines.clear();
}

fn gather_notes(client: Option<Res<NetClient>>, mut notes: ResMut<NetNotes>) {
    let Some(client) = client else {
        return;
    };
    for line in client.0.take_notes() {
        warn!("{line}");
        if !notes.lines.contains(&line) {
            notes.lines.push(line);
        }
    }
}

/// An exhibition opened by URL goes to the front of the recent list.
fn remember_opened_url(
    current: Option<Res<CurrentLevel>>,
    active: Option<Res<ActiveLevel>>,
    launch: Res<Launch>,
    mut recent: ResMut<Recent>,
) {
    let (Some(current), Some(active)) = (current, active) else {
        return;
    };
    let Some(url) = current
        .handle
        .path()
        .and_then(|path| reader::level_url(path))
    else {
        return;
    };
    recent.0.opened(url.as_str(), &active.0.exhibition.title);
    #[cfg(not(target_arch = "wasm32"))]
    let root = crate::launch::data_root(launch.data_dir.as_deref());
    #[cfg(target_arch = "wasm32")]
    let root: Option<std::path::PathBuf> = {
        let _ = &launch;
        None
    };
    if let Err(e) = recent::save(root.as_deref(), &recent.0) {
        warn!("the list of recent exhibitions could not be saved: {e}");
    }
}
