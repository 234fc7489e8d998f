//! The settings panel: look and movement sliders, render quality, and key bindings with
//! press-a-key rebinding, all written to [`VisitorSettings`] only when a value really changes.

use std::fmt;

use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};

use super::catalogue::{
    ACCENT, HUD_CLEARANCE, INK, INSET, MUTED, WARNING, dim_gallery, edits_text, panel_heading,
    panel_hint, panel_window,
};
use crate::player::VisitorSettings;
use crate::player::keys::{key_code, key_name};
use crate::player::settings::{
    FOV_RANGE, KeyBindings, Quality, SENSITIVITY_RANGE, Settings, WALK_SPEED_RANGE,
};
use crate::screens::Panel;

pub(super) fn plugin(app: &mut App) {
    super::open_panel_with(app, "settings", |k| &k.settings, Panel::Settings);
    app.init_resource::<SettingsPanelState>()
        .add_systems(OnEnter(Panel::Settings), prepare_settings)
        .add_systems(
            Update,
            refresh_key_hints.run_if(resource_changed::<VisitorSettings>),
        )
        .add_systems(
            EguiPrimaryContextPass,
            show_settings.run_if(in_state(Panel::Settings)),
        );
}

/// What the panel is in the middle of.
#[derive(Resource, Debug, Default)]
struct SettingsPanelState {
    /// The action (index in [`KeyBindings::actions_mut`] order) waiting for its new key.
    waiting_for: Option<usize>,
    /// The last rebinding's outcome, shown under the key list.
    note: Option<Note>,
}

#[derive(Debug, Clone, PartialEq)]
enum Note {
    Done(String),
    Refused(String),
}

fn prepare_settings(mut state: ResMut<SettingsPanelState>) {
    *state = SettingsPanelState::default();
}

/// Marks the HUD line that lists the keys, so it follows rebinding.
#[derive(Component, Debug, Clone, Copy, Default)]
pub struct KeyHints;

/// The HUD's key line for these bindings (plain ASCII: the HUD font lacks typographic marks).
pub fn key_hints(keys: &KeyBindings) -> String {
    format!(
        "WASD: walk  Shift: run  click: look  {}: catalogue  {}: settings  \
         {}: stats  {}: leaderboard  {}: collection  {}: studio  Esc: pause",
        key_label(&keys.catalogue),
        key_label(&keys.settings),
        key_label(&keys.analytics),
        key_label(&keys.leaderboard),
        key_label(&keys.collection),
        key_label(&keys.studio),
    )
}

fn refresh_key_hints(settings: Res<VisitorSettings>, mut hints: Query<&mut Text, With<KeyHints>>) {
    let line = key_hints(&settings.keys);
    for mut text in &mut hints {
        if text.0 != line {
            text.0.clone_from(&line);
        }
    }
}

fn show_settings(
    mut contexts: EguiContexts,
    keys: Res<ButtonInput<KeyCode>>,
    mut settings: ResMut<VisitorSettings>,
    mut state: ResMut<SettingsPanelState>,
    mut next: ResMut<NextState<Panel>>,
) {
    let Ok(ctx) = contexts.ctx_mut() else {
        return;
    };
    // Edit a copy; the resource is written (and so saved) only if something differs.
    let mut edited: Settings = settings.0.clone();

    if let Some(action) = state.waiting_for {
        if let Some(&pressed) = keys.get_just_pressed().next() {
            // The key is the answer, not a command for whichever widget has focus.
            ctx.input_mut(|i| {
                i.events
                    .retain(|e| !matches!(e, egui::Event::Key { .. } | egui::Event::Text(_)))
            });
            state.waiting_for = None;
            state.note = match (pressed, key_name(pressed)) {
                (KeyCode::Escape, _) => None,
                (_, None) => Some(Note::Refused(
                    "That key cannot be bound; try another.".into(),
                )),
                (_, Some(name)) => match rebind(&edited.keys, action, name) {
                    Ok(keys) => {
                        let label = bindings(&keys)[action].0;
                        edited.keys = keys;
                        Some(Note::Done(format!("{label}: {}.", key_label(name))))
                    }
                    Err(refusal) => Some(Note::Refused(refusal.to_string())),
                },
            };
        }
    } else {
        let own_key = &edited.keys.settings;
        let typing = ctx.text_edit_focused() && edits_text(own_key);
        if keys.just_pressed(KeyCode::Escape)
            || (!typing && key_code(own_key).is_some_and(|k| keys.just_pressed(k)))
        {
            next.set(Panel::Closed);
            return;
        }
    }

    dim_gallery(ctx);
    let screen = ctx.content_rect();
    let column = 445.0;
    let wide = screen.width() >= 2.0 * column + 140.0;
    let width = if wide {
        2.0 * column + 40.0
    } else {
        (screen.width() - 100.0).clamp(260.0, column)
    };
    let state = &mut *state;
    let mut close = false;
    panel_window("Settings", width).show(ctx, |ui| {
        ui.set_width(width);
        close = panel_heading(ui, "Settings", "Saved as you change them.");
        egui::ScrollArea::vertical()
            .id_salt("settings-scroll")
            .max_height((screen.height() - HUD_CLEARANCE - 200.0).max(160.0))
            .auto_shrink([false, true])
            .show(ui, |ui| {
                if wide {
                    ui.horizontal_top(|ui| {
                        ui.vertical(|ui| {
                            ui.set_width(column);
                            show_movement(ui, &mut edited);
                            ui.add_space(14.0);
                            show_quality(ui, &mut edited.quality);
                        });
                        ui.add_space(16.0);
                        ui.vertical(|ui| {
                            ui.set_width(column);
                            show_keys(ui, &edited.keys, state);
                        });
                    });
                } else {
                    show_movement(ui, &mut edited);
                    ui.add_space(14.0);
                    show_quality(ui, &mut edited.quality);
                    ui.add_space(14.0);
                    show_keys(ui, &edited.keys, state);
                }
            });
        ui.add_space(10.0);
        ui.horizontal(|ui| {
            if ui
                .button("Reset to defaults")
                .on_hover_text("Every setting on this panel, key bindings included")
                .clicked()
            {
                edited = Settings::default();
                state.waiting_for = None;
                state.note = Some(Note::Done("Defaults restored.".into()));
            }
            ui.add_space(12.0);
            panel_hint(
                ui,
                &format!(
                    "Tab: next control    Space / Enter: press    Esc or {}: close",
                    key_label(&edited.keys.settings)
                ),
            );
        });
    });

    if edited != settings.0 {
        settings.0 = edited;
    }
    if close {
        next.set(Panel::Closed);
    }
}

fn section(ui: &mut egui::Ui, title: &str) {
    ui.label(egui::RichText::new(title).size(19.0).color(ACCENT));
    ui.add_space(2.0);
}

fn show_movement(ui: &mut egui::Ui, edited: &mut Settings) {
    section(ui, "Looking and walking");
    egui::Grid::new("settings-movement")
        .num_columns(2)
        .spacing([14.0, 10.0])
        .show(ui, |ui| {
            ui.label("Mouse sensitivity");
            ui.add(
                egui::Slider::new(
                    &mut edited.mouse_sensitivity,
                    SENSITIVITY_RANGE.0..=SENSITIVITY_RANGE.1,
                )
                .step_by(0.5)
                .fixed_decimals(1),
            )
            .on_hover_text("Degrees turned per 100 pixels of mouse movement");
            ui.end_row();

            ui.label("Field of view");
            ui.add(
                egui::Slider::new(&mut edited.field_of_view, FOV_RANGE.0..=FOV_RANGE.1)
                    .step_by(1.0)
                    .fixed_decimals(0)
                    .suffix("\u{b0}"),
            );
            ui.end_row();

            ui.label("Walking speed");
            ui.add(
                egui::Slider::new(
                    &mut edited.walk_speed,
                    WALK_SPEED_RANGE.0..=WALK_SPEED_RANGE.1,
                )
                .step_by(0.1)
                .fixed_decimals(1)
                .suffix(" m/s"),
            );
            ui.end_row();
        });
    ui.add_space(4.0);
    ui.checkbox(
        &mut edited.invert_y,
        "Invert vertical look (mouse forward looks down)",
    );
}

fn show_quality(ui: &mut egui::Ui, quality: &mut Quality) {
    section(ui, "Render quality");
    for option in Quality::ALL {
        let (name, blurb) = quality_text(option);
        ui.scope(|ui| {
            ui.spacing_mut().item_spacing.y = 0.0;
            ui.spacing_mut().interact_size.y = 24.0;
            ui.radio_value(quality, option, name);
            ui.horizontal(|ui| {
                ui.add_space(ui.spacing().icon_width + ui.spacing().icon_spacing);
                ui.label(
                    egui::RichText::new(blurb)
                        .text_style(egui::TextStyle::Small)
                        .color(MUTED),
                );
            });
        });
        ui.add_space(4.0);
    }
}

fn show_keys(ui: &mut egui::Ui, keys: &KeyBindings, state: &mut SettingsPanelState) {
    section(ui, "Keys");
    egui::Grid::new("settings-keys")
        .num_columns(3)
        .spacing([14.0, 6.0])
        .min_col_width(0.0)
        .show(ui, |ui| {
            for (index, (action, key)) in bindings(keys).into_iter().enumerate() {
                ui.label(action);
                let waiting = state.waiting_for == Some(index);
                if waiting {
                    ui.label(egui::RichText::new("press a key\u{2026}").color(ACCENT));
                } else {
                    key_cap(ui, &key_label(&key));
                }
                let button = if waiting { "Cancel" } else { "Change" };
                let response = ui
                    .add(egui::Button::new(button).min_size(egui::vec2(84.0, 0.0)))
                    .on_hover_text(format!("Choose a new key for {}", action.to_lowercase()));
                if response.clicked() {
                    state.waiting_for = if waiting { None } else { Some(index) };
                    state.note = None;
                }
                ui.end_row();
            }
        });
    ui.add_space(4.0);
    match (&state.note, state.waiting_for) {
        (_, Some(_)) => panel_hint(ui, "Press the new key; Esc cancels."),
        (Some(Note::Refused(text)), None) => {
            ui.label(egui::RichText::new(text).color(WARNING));
        }
        (Some(Note::Done(text)), None) => {
            ui.label(egui::RichText::new(text).color(MUTED));
        }
        (None, None) => panel_hint(ui, "Each key does one thing; P and Esc are kept for pause."),
    }
}

/// A key's name drawn like the key itself.
fn key_cap(ui: &mut egui::Ui, label: &str) {
    egui::Frame::new()
        .fill(INSET)
        .stroke(egui::Stroke::new(1.0, MUTED.gamma_multiply(0.5)))
        .corner_radius(5)
        .inner_margin(egui::Margin::symmetric(10, 2))
        .show(ui, |ui| {
            ui.label(egui::RichText::new(label).color(INK));
        });
}

// ---------------------------------------------------------------------------------------------
// Pure logic: bindings, rebinding and labels.

/// Keys no action may take: the game's own (pause, and Esc, which also cancels rebinding).
pub const RESERVED_KEYS: [&str; 2] = ["Escape", "KeyP"];

/// Keys that always do an action besides its binding (see the controller), by action label.
pub const FIXED_KEYS: [(&str, &str); 3] = [
    ("ArrowUp", "Walk forward"),
    ("ArrowDown", "Walk back"),
    ("ShiftRight", "Walk faster"),
];

/// Why a key cannot be bound.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RebindRefusal {
    /// Not a key the settings file can name.
    Unknown(String),
    /// Kept for the game itself.
    Reserved(String),
    /// Another action already uses it.
    Taken { key: String, by: &'static str },
    /// No action at that index.
    NoSuchAction(usize),
}

impl fmt::Display for RebindRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RebindRefusal::Unknown(key) => write!(f, "\"{key}\" is not a key that can be bound."),
            RebindRefusal::Reserved(key) => {
                write!(
                    f,
                    "{} is kept for pausing; choose another key.",
                    key_label(key)
                )
            }
            RebindRefusal::Taken { key, by } => write!(
                f,
                "{} is already bound to {by}; change that first.",
                key_label(key)
            ),
            RebindRefusal::NoSuchAction(index) => write!(f, "There is no action {index}."),
        }
    }
}

/// (action label, key name) in the panel's order (that of [`KeyBindings::actions_mut`]).
pub fn bindings(keys: &KeyBindings) -> Vec<(&'static str, String)> {
    let mut keys = keys.clone();
    keys.actions_mut()
        .into_iter()
        .map(|(action, key)| (action, key.clone()))
        .collect()
}

/// `keys` with action number `action` bound to `key` (stored by its canonical name), unless
/// the key is unknown, reserved, or already bound to another action.
pub fn rebind(keys: &KeyBindings, action: usize, key: &str) -> Result<KeyBindings, RebindRefusal> {
    let code = key_code(key).ok_or_else(|| RebindRefusal::Unknown(key.to_string()))?;
    let name = key_name(code).unwrap_or(key);
    if RESERVED_KEYS.contains(&name) {
        return Err(RebindRefusal::Reserved(name.to_string()));
    }
    let mut rebound = keys.clone();
    let actions = rebound.actions_mut();
    if action >= actions.len() {
        return Err(RebindRefusal::NoSuchAction(action));
    }
    let this_action = actions[action].0;
    let bound_elsewhere = actions
        .iter()
        .enumerate()
        .find(|(i, (_, bound))| *i != action && key_code(bound) == Some(code))
        .map(|(_, (by, _))| *by);
    let fixed_elsewhere = FIXED_KEYS
        .iter()
        .find(|(fixed, by)| *fixed == name && *by != this_action)
        .map(|(_, by)| *by);
    if let Some(by) = bound_elsewhere.or(fixed_elsewhere) {
        return Err(RebindRefusal::Taken {
            key: name.to_string(),
            by,
        });
    }
    *actions[action].1 = name.to_string();
    Ok(rebound)
}

/// How a key name reads on screen: `KeyW` is "W", `ArrowLeft` is "Left arrow".
pub fn key_label(name: &str) -> String {
    let name = key_code(name).and_then(key_name).unwrap_or(name);
    if let Some(letter) = name.strip_prefix("Key") {
        return letter.to_string();
    }
    if let Some(digit) = name.strip_prefix("Digit") {
        return digit.to_string();
    }
    if let Some(direction) = name.strip_prefix("Arrow") {
        return format!("{direction} arrow");
    }
    for (modifier, shown) in [("Shift", "Shift"), ("Control", "Ctrl"), ("Alt", "Alt")] {
        if let Some(side) = name.strip_prefix(modifier) {
            return format!("{side} {shown}");
        }
    }
    match name {
        "Escape" => "Esc".into(),
        "PageUp" => "Page Up".into(),
        "PageDown" => "Page Down".into(),
        other => other.to_string(),
    }
}

/// A quality preset's name and what it costs and gives, in one line.
pub fn quality_text(quality: Quality) -> (&'static str, &'static str) {
    match quality {
        Quality::Low => (
            "Low",
            "No shadows, no anti-aliasing: for weak machines and phones.",
        ),
        Quality::Medium => (
            "Medium",
            "Shadows from the two nearest spot lights, 2x anti-aliasing.",
        ),
        Quality::High => (
            "High",
            "Every shadow the exhibition asks for, 4x anti-aliasing.",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rebinding_to_a_free_key_changes_only_that_action() {
        let keys = KeyBindings::default();
        let rebound = rebind(&keys, 0, "KeyI").unwrap();
        assert_eq!(rebound.forward, "KeyI");
        let mut expected = keys.clone();
        expected.forward = "KeyI".into();
        assert_eq!(rebound, expected);
        // Shorthands are stored by their canonical name.
        assert_eq!(rebind(&keys, 7, "k").unwrap().catalogue, "KeyK");
    }

    #[test]
    fn a_key_bound_elsewhere_is_refused_with_the_action_that_holds_it() {
        let keys = KeyBindings::default();
        let refusal = rebind(&keys, 0, "s").unwrap_err();
        assert_eq!(
            refusal,
            RebindRefusal::Taken {
                key: "KeyS".into(),
                by: "Walk back"
            }
        );
        assert_eq!(
            refusal.to_string(),
            "S is already bound to Walk back; change that first."
        );
        // Binding an action to the key it already has is no conflict.
        assert_eq!(rebind(&keys, 1, "KeyS").unwrap(), keys);
        // The arrow keys always walk, whatever the bindings say.
        assert_eq!(
            rebind(&keys, 7, "ArrowUp").unwrap_err(),
            RebindRefusal::Taken {
                key: "ArrowUp".into(),
                by: "Walk forward"
            }
        );
        assert_eq!(rebind(&keys, 0, "ArrowUp").unwrap().forward, "ArrowUp");
    }

    #[test]
    fn reserved_unknown_and_missing_are_refused() {
        let keys = KeyBindings::default();
        assert_eq!(
            rebind(&keys, 2, "KeyP").unwrap_err(),
            RebindRefusal::Reserved("KeyP".into())
        );
        assert_eq!(
            rebind(&keys, 2, "Escape").unwrap_err(),
            RebindRefusal::Reserved("Escape".into())
        );
        assert_eq!(
            rebind(&keys, 2, "Hyper").unwrap_err(),
            RebindRefusal::Unknown("Hyper".into())
        );
        assert_eq!(
            rebind(&keys, 13, "KeyI").unwrap_err(),
            RebindRefusal::NoSuchAction(13)
        );
    }

    #[test]
    fn bindings_follow_the_panel_order() {
        let listed = bindings(&KeyBindings::default());
        assert_eq!(listed.len(), 13);
        assert_eq!(listed[0], ("Walk forward", "KeyW".to_string()));
        assert_eq!(listed[7], ("Catalogue", "KeyC".to_string()));
        assert_eq!(listed[8], ("Settings", "KeyO".to_string()));
        assert_eq!(listed[9], ("Visitor statistics", "KeyG".to_string()));
        assert_eq!(listed[10], ("Leaderboard", "KeyB".to_string()));
        assert_eq!(listed[11], ("Collection", "KeyM".to_string()));
        assert_eq!(listed[12], ("Studio", "KeyN".to_string()));
    }

    #[test]
    fn the_hud_line_names_the_panel_keys_as_bound() {
        let mut keys = KeyBindings::default();
        assert!(
            key_hints(&keys).contains("G: stats"),
            "{}",
            key_hints(&keys)
        );
        keys.analytics = "F7".into();
        assert!(key_hints(&keys).contains("F7: stats"));
        assert!(key_hints(&keys).contains("B: leaderboard"));
        keys.leaderboard = "F8".into();
        assert!(key_hints(&keys).contains("F8: leaderboard"));
        assert!(key_hints(&keys).contains("M: collection"));
        keys.collection = "F9".into();
        assert!(key_hints(&keys).contains("F9: collection"));
        assert!(key_hints(&keys).contains("N: studio"));
        keys.studio = "F10".into();
        assert!(key_hints(&keys).contains("F10: studio"));
        assert!(key_hints(&keys).is_ascii(), "the HUD font has ASCII only");
        // One line at 1280 pixels (about 140 characters of the HUD font).
        assert!(key_hints(&KeyBindings::default()).len() <= 130);
        // The statistics key is one more action that a rebinding must not take.
        assert_eq!(
            rebind(&KeyBindings::default(), 7, "KeyG").unwrap_err(),
            RebindRefusal::Taken {
                key: "KeyG".into(),
                by: "Visitor statistics"
            }
        );
    }

    #[test]
    fn key_labels_read_like_keyboards() {
        assert_eq!(key_label("KeyW"), "W");
        assert_eq!(key_label("w"), "W");
        assert_eq!(key_label("Digit7"), "7");
        assert_eq!(key_label("ArrowLeft"), "Left arrow");
        assert_eq!(key_label("ShiftLeft"), "Left Shift");
        assert_eq!(key_label("ControlRight"), "Right Ctrl");
        assert_eq!(key_label("PageDown"), "Page Down");
        assert_eq!(key_label("F5"), "F5");
        assert_eq!(key_label("Space"), "Space");
    }

    #[test]
    fn every_quality_has_a_one_line_explanation() {
        for quality in Quality::ALL {
            let (name, blurb) = quality_text(quality);
            assert!(!name.is_empty());
            assert!(!blurb.contains('\n') && blurb.len() < 80, "{blurb}");
        }
    }
}
