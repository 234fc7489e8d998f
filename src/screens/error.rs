//! The error screen: why the level cannot open, with file, line and column for each problem.

use bevy::prelude::*;

use super::Screen;
use crate::gallery::{LevelProblems, ReloadLevel};
use crate::launch::Launch;
use crate::ui::widgets;

pub(super) fn plugin(app: &mut App) {
    app.add_systems(OnEnter(Screen::Error), spawn_error)
        .add_systems(Update, retry_or_leave.run_if(in_state(Screen::Error)));
}

/// How many problems fit on screen; the rest are counted.
const SHOWN: usize = 14;

fn spawn_error(mut commands: Commands, problems: Res<LevelProblems>, launch: Res<Launch>) {
    for line in &problems.lines {
        error!("{line}");
    }
    commands
        .spawn((
            Name::new("Error screen"),
            widgets::overlay(),
            DespawnOnExit(Screen::Error),
        ))
        .with_children(|parent| {
            parent.spawn(widgets::heading("This exhibition cannot open"));
            for line in problems.lines.iter().take(SHOWN) {
                parent.spawn(widgets::mono(line.clone()));
            }
            if problems.lines.len() > SHOWN {
                parent.spawn(widgets::body(format!(
                    "…and {} more (run `vernissage validate` for all)",
                    problems.lines.len() - SHOWN
                )));
            }
            let hint = if launch.watch {
                "Fix the file and save it: the gallery reloads by itself.    Esc: choose another exhibition"
            } else {
                "R: try again    Esc: choose another exhibition"
            };
            parent.spawn(widgets::body(hint));
        });
}

fn retry_or_leave(
    keys: Res<ButtonInput<KeyCode>>,
    mut reload: MessageWriter<ReloadLevel>,
    mut next: ResMut<NextState<Screen>>,
) {
    if keys.just_pressed(KeyCode::KeyR) {
        reload.write(ReloadLevel);
    }
    if keys.just_pressed(KeyCode::Escape) {
        next.set(Screen::Title);
    }
}
