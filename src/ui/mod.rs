//! Shared look of the 2D interface (widgets) and the in-gallery heads-up display.

pub mod analytics;
pub mod catalogue;
pub mod collection;
pub mod inspect;
pub mod leaderboard;
pub mod picker;
pub mod settings_panel;
pub mod studio;
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
            collection::plugin,
            picker::plugin,
            studio::plugin,
        ))
        .add_systems(OnEnter(Screen::Gallery), spawn_hud)
        .add_systems(
            Update,
            refresh_wallet_line.run_if(in_state(Screen::Gallery)),
        );
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
    // The wallet, on the right of the title line: short, so it never meets the key line.
    commands.spawn((
        Name::new("Wallet line"),
        Node {
            position_type: PositionType::Absolute,
            right: px(16),
            bottom: px(33),
            ..default()
        },
        widgets::caption(""),
        WalletLine,
        DespawnOnExit(Screen::Gallery),
    ));
}

/// Marks the HUD line with the local visitor's wallet.
#[derive(Component, Debug, Clone, Copy, Default)]
pub struct WalletLine;

/// Follows the market: the balance and editions owned, or why the market is read-only.
fn refresh_wallet_line(
    market: Option<Res<crate::market::Market>>,
    wallets: Query<&crate::market::Wallet, With<crate::player::LocalVisitor>>,
    mut lines: Query<&mut Text, With<WalletLine>>,
    new_lines: Query<(), Added<WalletLine>>,
    mut shown_for: Local<Option<(u64, String)>>,
) {
    let wallet = wallets.single().ok();
    let key = market
        .as_ref()
        .map(|m| (m.revision, wallet.map(|w| w.0.clone()).unwrap_or_default()));
    let fresh = market.as_ref().is_some_and(|m| m.is_added());
    if key == *shown_for && !fresh && new_lines.is_empty() {
        return;
    }
    shown_for.clone_from(&key);
    let line = match &market {
        None => String::new(),
        Some(market) => wallet_line(market, wallet.map(|w| w.0.as_str())),
    };
    for mut text in &mut lines {
        if text.0 != line {
            text.0.clone_from(&line);
        }
    }
}

/// The HUD's wallet line (plain ASCII, short): "Wallet: 1,000 tokens - 2 editions", or
/// "Market read-only: <reason>".
pub fn wallet_line(market: &crate::market::Market, wallet: Option<&str>) -> String {
    if let Some(reason) = &market.closed {
        // The whole reason (with the ledger's path) is in the panels; the HUD names the cause.
        let reason = if reason.contains("damaged") {
            "the ledger is damaged (see `vernissage ledger verify`)"
        } else {
            reason.as_str()
        };
        return format!("Market read-only: {}", hud_text(reason, 64));
    }
    let Some(wallet) = wallet else {
        return String::new();
    };
    let Some(balance) = market.balance(wallet) else {
        return "Wallet: opening...".into();
    };
    let owned = market.collection(wallet).len();
    let editions = match owned {
        0 => String::new(),
        1 => " - 1 edition".into(),
        n => format!(" - {n} editions"),
    };
    format!(
        "Wallet: {}{editions}",
        inspect::tokens_label(i64::try_from(balance).unwrap_or(i64::MAX))
    )
}

/// `text` made safe for the HUD font (ASCII) and cut to `max` characters with "...".
pub fn hud_text(text: &str, max: usize) -> String {
    let ascii: String = text
        .chars()
        .map(|c| {
            if c.is_ascii() && !c.is_ascii_control() {
                c
            } else {
                '?'
            }
        })
        .collect();
    if ascii.chars().count() <= max {
        return ascii;
    }
    let cut: String = ascii.chars().take(max.saturating_sub(3)).collect();
    format!("{}...", cut.trim_end())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hud_text_is_ascii_and_short() {
        assert_eq!(hud_text("plain", 10), "plain");
        assert_eq!(hud_text("caf\u{e9} \u{b7} bar", 20), "caf? ? bar");
        assert_eq!(hud_text("a long reason that goes on", 12), "a long re...");
        assert!(hud_text(&"x".repeat(200), 64).len() <= 64);
    }
}
