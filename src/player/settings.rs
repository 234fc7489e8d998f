//! Visitor settings (look, movement, key bindings, render quality), kept in the data directory.
//!
//! The settings file belongs to the person, not the exhibition: it lives at
//! `<data dir>/settings.ron`, beside the per-exhibition folders. The format is plain data with
//! key names as text, so it can be read and edited by hand; a damaged file is reported (with
//! line and column), kept aside as `settings.ron.bad`, and replaced by defaults.

use serde::{Deserialize, Serialize};

/// Version of the settings file this build writes.
pub const SETTINGS_FORMAT: u32 = 1;

/// Everything the settings panel changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    pub format: u32,
    /// Degrees turned per 100 pixels of mouse movement.
    pub mouse_sensitivity: f32,
    /// Vertical field of view, degrees.
    pub field_of_view: f32,
    /// Walking speed, metres per second (the run key doubles it).
    pub walk_speed: f32,
    /// Moving the mouse forward looks down.
    pub invert_y: bool,
    pub quality: Quality,
    pub keys: KeyBindings,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            format: SETTINGS_FORMAT,
            mouse_sensitivity: 12.0,
            field_of_view: 70.0,
            walk_speed: 1.4,
            invert_y: false,
            quality: Quality::High,
            keys: KeyBindings::default(),
        }
    }
}

/// Ranges the panel offers and loading clamps to.
pub const SENSITIVITY_RANGE: (f32, f32) = (1.0, 60.0);
pub const FOV_RANGE: (f32, f32) = (45.0, 110.0);
pub const WALK_SPEED_RANGE: (f32, f32) = (0.5, 3.0);

impl Settings {
    /// Brings every value into its range (a hand-edited file may hold anything).
    pub fn clamped(mut self) -> Settings {
        let clamp = |v: f32, (lo, hi): (f32, f32), default: f32| {
            if v.is_finite() {
                v.clamp(lo, hi)
            } else {
                default
            }
        };
        let d = Settings::default();
        self.mouse_sensitivity = clamp(
            self.mouse_sensitivity,
            SENSITIVITY_RANGE,
            d.mouse_sensitivity,
        );
        self.field_of_view = clamp(self.field_of_view, FOV_RANGE, d.field_of_view);
        self.walk_speed = clamp(self.walk_speed, WALK_SPEED_RANGE, d.walk_speed);
        self.format = SETTINGS_FORMAT;
        self
    }

    /// Radians of turn per pixel of mouse movement.
    pub fn radians_per_pixel(&self) -> f32 {
        self.mouse_sensitivity.to_radians() / 100.0
    }

    /// Reads a settings file; errors name the line and column.
    pub fn from_ron(text: &str) -> Result<Settings, String> {
        crate::level::ron_options()
            .from_str::<Settings>(text)
            .map(Settings::clamped)
            .map_err(|e| format!("{}:{}: {}", e.span.start.line, e.span.start.col, e.code))
    }

    pub fn to_ron(&self) -> String {
        ron::ser::to_string_pretty(self, ron::ser::PrettyConfig::new().struct_names(true))
            .unwrap_or_default()
    }
}

/// How much the renderer does: shadows and anti-aliasing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Quality {
    /// No shadows, no multisampling: for weak machines and phones.
    Low,
    /// Shadows from the nearest spot lights only, 2× multisampling.
    Medium,
    /// Shadows as the level declares them, 4× multisampling.
    #[default]
    High,
}

impl Quality {
    pub const ALL: [Quality; 3] = [Quality::Low, Quality::Medium, Quality::High];

    /// How many shadow-casting lights this preset allows at most.
    pub fn shadow_budget(self) -> usize {
        match self {
            Quality::Low => 0,
            Quality::Medium => 2,
            Quality::High => usize::MAX,
        }
    }

    /// The largest texture edge the gallery paints at (generative works, text panels): a
    /// level's larger `resolution` is painted at this size.
    pub fn texture_edge(self) -> u32 {
        match self {
            Quality::Low => 512,
            Quality::Medium => 1024,
            Quality::High => 2048,
        }
    }

    pub fn msaa_samples(self) -> u32 {
        match self {
            Quality::Low => 1,
            Quality::Medium => 2,
            Quality::High => 4,
        }
    }
}

/// Which key does what, by key name (`KeyW`, `ArrowUp`, `ShiftLeft`, ... as in
/// [`super::keys::key_code`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KeyBindings {
    pub forward: String,
    pub back: String,
    pub left: String,
    pub right: String,
    pub turn_left: String,
    pub turn_right: String,
    pub run: String,
    pub catalogue: String,
    pub settings: String,
    /// Opens the curators' visitor statistics.
    pub analytics: String,
    /// Opens the leaderboard: top works, rising works and recommendations.
    pub leaderboard: String,
    /// Opens the visitor's collection: owned editions, resale listings, certificates.
    pub collection: String,
    /// Opens the studio: make, compare and publish generative works.
    pub studio: String,
}

impl Default for KeyBindings {
    fn default() -> Self {
        KeyBindings {
            forward: "KeyW".into(),
            back: "KeyS".into(),
            left: "KeyA".into(),
            right: "KeyD".into(),
            turn_left: "ArrowLeft".into(),
            turn_right: "ArrowRight".into(),
            run: "ShiftLeft".into(),
            catalogue: "KeyC".into(),
            settings: "KeyO".into(),
            analytics: "KeyG".into(),
            leaderboard: "KeyB".into(),
            collection: "KeyM".into(),
            studio: "KeyN".into(),
        }
    }
}

impl KeyBindings {
    /// (action label, binding) pairs, in the order the settings panel lists them.
    pub fn actions_mut(&mut self) -> [(&'static str, &mut String); 13] {
        [
            ("Walk forward", &mut self.forward),
            ("Walk back", &mut self.back),
            ("Step left", &mut self.left),
            ("Step right", &mut self.right),
            ("Turn left", &mut self.turn_left),
            ("Turn right", &mut self.turn_right),
            ("Walk faster", &mut self.run),
            ("Catalogue", &mut self.catalogue),
            ("Settings", &mut self.settings),
            ("Visitor statistics", &mut self.analytics),
            ("Leaderboard", &mut self.leaderboard),
            ("Collection", &mut self.collection),
            ("Studio", &mut self.studio),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_round_trip_through_ron() {
        let mut s = Settings {
            invert_y: true,
            walk_speed: 2.0,
            quality: Quality::Low,
            ..Settings::default()
        };
        s.keys.forward = "ArrowUp".into();
        let back = Settings::from_ron(&s.to_ron()).unwrap();
        assert_eq!(back, s);
    }

    #[test]
    fn missing_fields_take_defaults_and_values_are_clamped() {
        let s = Settings::from_ron("Settings(walk_speed: 99.0, field_of_view: -5.0)").unwrap();
        assert_eq!(s.walk_speed, WALK_SPEED_RANGE.1);
        assert_eq!(s.field_of_view, FOV_RANGE.0);
        assert_eq!(s.keys, KeyBindings::default());
    }

    #[test]
    fn files_from_before_the_statistics_key_keep_working() {
        let s = Settings::from_ron("Settings(keys: (catalogue: \"KeyK\"))").unwrap();
        assert_eq!(s.keys.catalogue, "KeyK");
        assert_eq!(s.keys.analytics, "KeyG");
        assert_eq!(s.keys.leaderboard, "KeyB");
        assert_eq!(s.keys.collection, "KeyM");
        assert_eq!(s.keys.studio, "KeyN");
        let mut keys = KeyBindings::default();
        let actions = keys.actions_mut();
        assert_eq!(actions.len(), 13);
        assert_eq!(actions[12].0, "Studio");
        assert_eq!(actions[9].0, "Visitor statistics");
        assert_eq!(actions[10].0, "Leaderboard");
        assert_eq!(actions[11].0, "Collection");
    }

    #[test]
    fn a_damaged_file_is_an_error_with_its_position() {
        let err = Settings::from_ron("Settings(\n  walk_speed: fast,\n)").unwrap_err();
        assert!(err.starts_with("2:"), "{err}");
        let err = Settings::from_ron("Settings(colour: 1)").unwrap_err();
        assert!(err.contains("colour"), "{err}");
    }
}
