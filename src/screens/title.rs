//! The title screen: the exhibition's name and the way in.

use bevy::prelude::*;

use super::Screen;
use crate::launch::Launch;
use crate::ui::widgets;

pub(super) fn plugin(app: &mut App) {
    app.add_systems(OnEnter(Screen::Title), spawn_title)
        .add_systems(Update, enter_on_key.run_if(in_state(Screen::Title)));
}

fn spawn_title(mut commands: Commands, launch: Res<Launch>) {
    commands
        .spawn((
            Name::new("Title screen"),
            widgets::overlay(),
            DespawnOnExit(Screen::Title),
        ))
        .with_children(|parent| {
            parent.spawn(widgets::title("Vernissage"));
            parent.spawn(widgets::body(format!(
                "Exhibition: {}",
                launch.level.label()
            )));
            parent.spawn(widgets::body("Press Enter or click to walk in"));
        });
}

fn enter_on_key(
    keys: Res<ButtonInput<KeyCode>>,
    mouse: Res<ButtonInput<MouseButton>>,
    mut next: ResMut<NextState<Screen>>,
) {
    if keys.just_pressed(KeyCode::Enter)
        || keys.just_pressed(KeyCode::Space)
        || mouse.just_pressed(MouseButton::Left)
    {
        next.set(Screen::Loading);
    }
}
