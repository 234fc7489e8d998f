//! The loading screen: a progress bar over the level file and every texture it needs.

use bevy::prelude::*;

use super::Screen;
use crate::gallery::{CurrentLevel, LoadProgress};
use crate::ui::widgets;

pub(super) fn plugin(app: &mut App) {
    app.add_systems(OnEnter(Screen::Loading), spawn_loading)
        .add_systems(Update, update_bar.run_if(in_state(Screen::Loading)));
}

/// The filled part of the progress bar.
#[derive(Component)]
struct ProgressFill;

/// The line under the bar.
#[derive(Component)]
struct ProgressLabel;

fn spawn_loading(mut commands: Commands, current: Option<Res<CurrentLevel>>) {
    let label = current.map(|c| c.label.clone()).unwrap_or_default();
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
                        ProgressFill,
                        Node {
                            width: percent(0),
                            height: percent(100),
                            ..default()
                        },
                        BackgroundColor(Color::srgb(0.93, 0.82, 0.6)),
                    ));
                });
            parent.spawn((ProgressLabel, widgets::body("Reading the level…")));
        });
}

fn update_bar(
    progress: Res<LoadProgress>,
    mut fill: Query<&mut Node, With<ProgressFill>>,
    mut label: Query<&mut Text, With<ProgressLabel>>,
) {
    for mut node in &mut fill {
        node.width = percent(progress.fraction() * 100.0);
    }
    for mut text in &mut label {
        text.0 = if progress.level_ready {
            format!("Preparing works: {} of {}", progress.done, progress.total)
        } else {
            "Reading the level…".to_string()
        };
    }
}
