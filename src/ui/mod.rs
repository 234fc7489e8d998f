//! Shared look of the 2D interface (widgets) and the in-gallery heads-up display.

pub mod widgets;

use bevy::prelude::*;

use crate::screens::Screen;

pub(super) fn plugin(app: &mut App) {
    app.add_systems(OnEnter(Screen::Gallery), spawn_hud);
}

fn spawn_hud(mut commands: Commands, level: Option<Res<crate::gallery::ActiveLevel>>) {
    let title = level
        .map(|l| {
            format!(
                "{}, curated by {}",
                l.0.exhibition.title, l.0.exhibition.curator
            )
        })
        .unwrap_or_default();
    commands
        .spawn((
            Name::new("HUD"),
            Node {
                position_type: PositionType::Absolute,
                left: px(16),
                bottom: px(12),
                flex_direction: FlexDirection::Column,
                row_gap: px(2),
                ..default()
            },
            DespawnOnExit(Screen::Gallery),
        ))
        .with_children(|parent| {
            parent.spawn(widgets::caption(title));
            parent.spawn(widgets::caption(
                "WASD / arrows: walk    drag or click + mouse: look    Shift: faster    Esc: pause",
            ));
        });
}

pub use crate::screens::Panel;
