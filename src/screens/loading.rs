//! The loading screen: a progress bar over the level file, the bytes downloaded for an
//! exhibition opened by URL, and every texture it needs; notes such as "offline" under it.

use bevy::prelude::*;

use super::Screen;
use crate::gallery::LoadProgress;
use crate::launch::Launch;
use crate::net::policy::bytes_label;
use crate::net::{NetClient, NetNotes};
use crate::ui::widgets;

pub(super) fn plugin(app: &mut App) {
    app.add_systems(OnEnter(Screen::Loading), spawn_loading)
        .add_systems(Update, update_bar.run_if(in_state(Screen::Loading)));
}

/// The filled part of the progress bar, with the fraction it shows.
#[derive(Component)]
struct ProgressFill(f32);

/// The line under the bar.
#[derive(Component)]
struct ProgressLabel;

/// Download notes (an offline copy in use).
#[derive(Component)]
struct NoteLines;

fn spawn_loading(mut commands: Commands, launch: Res<Launch>) {
    // The level being opened (the title screen's picker may have just changed it).
    let label = launch.level.label();
    commands
        .spawn((
            Name::new("Loading screen"),
            widgets::overlay(),
            DespawnOnExit(Screen::Loading),
        ))
        .with_children(|parent| {
            parent.spawn(widgets::heading("Hanging the exhibition"));
            parent.spawn(widgets::body(label));
            parent
                .spawn((
                    Node {
                        width: px(420),
                        height: px(10),
                        margin: UiRect::vertical(px(18)),
                        ..default()
                    },
                    BackgroundColor(Color::srgba(1.0, 1.0, 1.0, 0.15)),
                ))
                .with_children(|bar| {
                    bar.spawn((
                        ProgressFill(0.0),
                        Node {
                            width: percent(0),
                            height: percent(100),
                            ..default()
                        },
                        BackgroundColor(Color::srgb(0.93, 0.82, 0.6)),
                    ));
                });
            parent.spawn((ProgressLabel, widgets::body("Reading the level…")));
            parent.spawn((NoteLines, widgets::caption("")));
        });
}

fn update_bar(
    progress: Res<LoadProgress>,
    net: Option<Res<NetClient>>,
    notes: Res<NetNotes>,
    mut fill: Query<(&mut Node, &mut ProgressFill)>,
    mut label: Query<&mut Text, (With<ProgressLabel>, Without<NoteLines>)>,
    mut note_lines: Query<&mut Text, (With<NoteLines>, Without<ProgressLabel>)>,
) {
    let downloads = net
        .map(|n| n.0.progress.snapshot())
        .filter(|snap| snap.files_started > 0);
    let (fraction, text) = match downloads {
        // An exhibition by URL: the first half of the bar counts the level and its files
        // (the bytes of the one in flight), the second the textures.
        Some(snap) if !progress.level_ready => (
            0.5 * snap.fraction(),
            format!(
                "Downloading: {} of {} files, {}",
                snap.files_done,
                snap.files_expected.max(snap.files_started),
                bytes_label(snap.received)
            ),
        ),
        Some(_) => (
            0.5 + 0.5 * progress.fraction(),
            format!("Preparing works: {} of {}", progress.done, progress.total),
        ),
        None if progress.level_ready => (
            progress.fraction(),
            format!("Preparing works: {} of {}", progress.done, progress.total),
        ),
        None => (progress.fraction(), "Reading the level…".to_string()),
    };
    // Between reading the level and counting its textures the total is briefly zero: not a
    // finished bar. Files found later add to the total; the bar never runs backwards.
    let counting = !(progress.level_ready && progress.total == 0);
    for (mut node, mut shown) in &mut fill {
        if !counting {
            continue;
        }
        shown.0 = shown.0.max(fraction);
        node.width = percent(shown.0 * 100.0);
    }
    for mut line in &mut label {
        if line.0 != text {
            line.0 = text.clone();
        }
    }
    let notes = notes.lines.join("\n");
    for mut line in &mut note_lines {
        if line.0 != notes {
            line.0.clone_from(&notes);
        }
    }
}
