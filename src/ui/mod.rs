//! Shared look of the 2D interface (widgets) and the in-gallery heads-up display.

pub mod analytics;
pub mod catalogue;
pub mod inspect;
pub mod leaderboard;
pub mod settings_panel;
pub mod widgets;

use bevy::prelude::*;
use bevy_egui::{EguiGlobalSettings, EguiPlugin};

use crate::player::VisitorSettings;
use crate::screens::Screen;

pub(super) fn plugin(app: &mut App) {
    app.add_plugins(EguiPlugin::default())
        // The panels put their context on the eye camera themselves (see `catalogue`).
        .insert_resource(EguiGlobalSettings {
            auto_create_primary_context: false,
            ..default()
        })
        .add_plugins((
            catalogue::plugin,
            settings_panel::plugin,
            inspect::plugin,
            analytics::plugin,
            leaderboard::plugin,
        ))
        .add_systems(OnEnter(Screen::Gallery), spawn_hud);
}

fn spawn_hud(
    mut commands: Commands,
    level: Option<Res<crate::gallery::ActiveLevel>>,
    settings: Res<VisitorSettings>,
) {
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
            parent.spawn((
                widgets::caption(settings_panel::key_hints(&settings.keys)),
                settings_panel::KeyHints,
            ));
        });
}

pub use crate::screens::Panel;
