//! Small constructors for the 2D interface, so every screen looks the same.

use bevy::prelude::*;

const INK: Color = Color::srgb(0.95, 0.93, 0.88);
const MUTED: Color = Color::srgb(0.75, 0.72, 0.66);

/// A full-screen dark panel that centres its children in a column.
pub fn overlay() -> impl Bundle {
    (
        Node {
            position_type: PositionType::Absolute,
            width: percent(100),
            height: percent(100),
            flex_direction: FlexDirection::Column,
            align_items: AlignItems::Center,
            justify_content: JustifyContent::Center,
            row_gap: px(10),
            padding: UiRect::all(px(24)),
            ..default()
        },
        BackgroundColor(Color::srgba(0.07, 0.065, 0.06, 0.94)),
        GlobalZIndex(10),
    )
}

pub fn title(text: impl Into<String>) -> impl Bundle {
    (
        Text::new(text),
        TextFont::from_font_size(64.0),
        TextColor(INK),
    )
}

pub fn heading(text: impl Into<String>) -> impl Bundle {
    (
        Text::new(text),
        TextFont::from_font_size(34.0),
        TextColor(INK),
    )
}

pub fn body(text: impl Into<String>) -> impl Bundle {
    (
        Text::new(text),
        TextFont::from_font_size(20.0),
        TextColor(MUTED),
    )
}

/// For file:line:column messages.
pub fn mono(text: impl Into<String>) -> impl Bundle {
    (
        Text::new(text),
        TextFont::from_font_size(15.0),
        TextColor(Color::srgb(1.0, 0.78, 0.7)),
        Node {
            max_width: percent(95),
            ..default()
        },
    )
}

/// Small text over the 3D view, with a shadow-like backing for legibility.
pub fn caption(text: impl Into<String>) -> impl Bundle {
    (
        Text::new(text),
        TextFont::from_font_size(15.0),
        TextColor(Color::srgba(1.0, 1.0, 1.0, 0.85)),
        text_shadow(),
    )
}

/// A tight drop shadow that keeps small text legible over bright walls without doubling it.
pub fn text_shadow() -> TextShadow {
    TextShadow {
        offset: Vec2::splat(1.5),
        color: Color::linear_rgba(0.0, 0.0, 0.0, 0.8),
    }
}
