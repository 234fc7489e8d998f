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
use crate::player::keys::key_code;
use crate::player::settings::KeyBindings;
use crate::screens::{Pause, Screen};

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

/// Registers the two ways a panel opens: its key (from the bindings) in the gallery when no
/// panel is open and play is not paused, and, for screenshots, `VERNISSAGE_OPEN_PANEL=name`
/// when the gallery opens (see [`catalogue::panel_requested_at_launch`]).
fn open_panel_with(app: &mut App, name: &'static str, key: fn(&KeyBindings) -> &str, panel: Panel) {
    app.add_systems(
        Update,
        (move |keys: Res<ButtonInput<KeyCode>>,
               settings: Res<VisitorSettings>,
               mut next: ResMut<NextState<Panel>>| {
            if key_code(key(&settings.keys)).is_some_and(|k| keys.just_pressed(k)) {
                next.set(panel);
            }
        })
        .run_if(in_state(Panel::Closed).and_then(in_state(Pause::Running))),
    )
    .add_systems(
        OnEnter(Screen::Gallery),
        move |mut next: ResMut<NextState<Panel>>| {
            if catalogue::panel_requested_at_launch(name) {
                next.set(panel);
            }
        },
    );
}
