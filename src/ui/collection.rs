//! The collection panel: the editions the local visitor owns (what they paid, when), each one
//! offered for resale at a price the visitor types, and its certificate of authenticity, checked
//! live against the ledger and saved as a picture or as text.
//!
//! Also what the market's dialogs share with the inspect panel: the confirmation that shows
//! exactly who receives what before anything is committed, wallet names, and how an order's
//! outcome reads.

use bevy::ecs::system::SystemParam;
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};

use super::catalogue::{
    ACCENT, HUD_CLEARANCE, INK, INK_SOFT, INSET, MUTED, WARNING, card_frame, dim_gallery,
    edits_text, panel_frame, panel_heading, panel_hint, panel_window,
};
use super::inspect::{date_label, percent_label, role_name, tokens_label};
use super::settings_panel::key_label;
use crate::gallery::{ActiveLevel, ExhibitionData};
use crate::level::Level;
use crate::market::certificate::{Certificate, WorkLabel};
use crate::market::ledger::{BP_WHOLE, Entry, Payload};
use crate::market::{Market, MarketDone, MarketOrder, Order, Wallet};
use crate::player::keys::key_code;
use crate::player::{LocalVisitor, VisitorSettings};
use crate::screens::Panel;

pub(super) fn plugin(app: &mut App) {
    super::open_panel_with(app, "collection", |k| &k.collection, Panel::Collection);
    app.init_resource::<CollectionState>()
        .add_systems(OnEnter(Panel::Collection), prepare_collection)
        .add_systems(
            EguiPrimaryContextPass,
            show_collection.run_if(in_state(Panel::Collection)),
        );
}

/// Highest asking price a visitor may type, in tokens.
pub const MAX_PRICE: u64 = 1_000_000_000;
/// Green for a check that passed (the warning colour marks one that failed).
const PASSED: egui::Color32 = egui::Color32::from_rgb(140, 204, 150);
/// The fill of the button that commits to the ledger.
const COMMIT_FILL: egui::Color32 = egui::Color32::from_rgb(104, 80, 42);

// ---------------------------------------------------------------------------------------------
// What the market's panels share.

/// The market as the panels use it: the ledger, the local visitor's wallet, and orders.
#[derive(SystemParam)]
pub(super) struct MarketAccess<'w, 's> {
    pub market: Option<Res<'w, Market>>,
    pub orders: MessageWriter<'w, MarketOrder>,
    pub done: MessageReader<'w, 's, MarketDone>,
    pub wallets: Query<'w, 's, &'static Wallet, With<LocalVisitor>>,
}

impl MarketAccess<'_, '_> {
    /// The local visitor's wallet id, once it is open.
    pub fn wallet(&self) -> Option<String> {
        self.wallets.single().ok().map(|w| w.0.clone())
    }
}

/// An order waiting for the visitor's word, with exactly what it would commit.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Confirmation {
    pub order: Order,
    pub quote: Payload,
    /// Set when the terms changed while the dialog was open.
    pub changed: bool,
    /// Drawn at least once: Enter confirms only then, so the Enter that asked for the dialog
    /// does not also answer it.
    pub shown: bool,
}

/// What became of an order, as the panel shows it: (committed, sentence).
pub(super) type Outcome = (bool, String);

/// What the visitor answered in the confirmation dialog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Answer {
    Waiting,
    Confirm,
    Cancel,
}

/// What became of an open confirmation this frame.
pub(super) enum Settled {
    /// Still open (or the terms changed and it shows the new ones).
    Open,
    /// Confirmed with the terms shown: send this order.
    Send(Order),
    /// Closed: cancelled (`None`), or the order can no longer be done (the note to show, as
    /// [`outcome_text`] writes it).
    Closed(Option<(bool, String)>),
}

/// Shows the open confirmation, if any, and settles it: the one path both panels use.
pub(super) fn settle_confirmation(
    ctx: &egui::Context,
    confirm: &mut Option<Confirmation>,
    market: &Market,
    level: &Level,
    wallet: &str,
) -> Settled {
    let Some(confirmation) = confirm.as_mut() else {
        return Settled::Open;
    };
    let settled = match confirmation_dialog(ctx, confirmation, market, level, wallet) {
        Answer::Waiting => Settled::Open,
        Answer::Cancel => Settled::Closed(None),
        Answer::Confirm => match confirmed(market, wallet, confirmation) {
            Ok(Some(order)) => Settled::Send(order),
            Ok(None) => Settled::Open,
            Err(reason) => {
                Settled::Closed(Some(outcome_text(&confirmation.order, &Err(reason), None)))
            }
        },
    };
    if !matches!(settled, Settled::Open) {
        *confirm = None;
    }
    settled
}

/// Quotes `order` for `wallet`: a confirmation to show, or why it cannot be done.
pub(super) fn ask(market: &Market, wallet: &str, order: Order) -> Result<Confirmation, String> {
    let quote = market.quote(wallet, &order)?;
    Ok(Confirmation {
        order,
        quote,
        changed: false,
        shown: false,
    })
}

/// The visitor confirmed: quotes again, and returns the order to send only if it would commit
/// exactly what the dialog showed. When the terms moved, the dialog shows the new ones and
/// waits; when the order can no longer be done, the reason.
pub(super) fn confirmed(
    market: &Market,
    wallet: &str,
    confirmation: &mut Confirmation,
) -> Result<Option<Order>, String> {
    let quote = market.quote(wallet, &confirmation.order)?;
    if quote == confirmation.quote {
        Ok(Some(confirmation.order.clone()))
    } else {
        confirmation.quote = quote;
        confirmation.changed = true;
        Ok(None)
    }
}

/// Reads the outcomes of the local visitor's orders; the one for `awaiting` ends the wait.
pub(super) fn take_outcome(
    access: &mut MarketAccess,
    visitor: Entity,
    awaiting: &mut Option<Order>,
) -> Option<Outcome> {
    let editions = |work: &str| {
        access
            .market
            .as_ref()
            .and_then(|m| m.editions_left(work))
            .map(|(_, n)| n)
    };
    let mut found = None;
    for done in access.done.read() {
        if done.visitor == visitor && awaiting.as_ref() == Some(&done.order) {
            let work = match &done.order {
                Order::Buy { work } | Order::List { work, .. } | Order::BuyListing { work, .. } => {
                    work
                }
            };
            found = Some(outcome_text(&done.order, &done.outcome, editions(work)));
        }
    }
    if found.is_some() {
        *awaiting = None;
    }
    found
}

/// How an order's outcome reads: "You own edition 3 of 8 (ledger entry #41)." or
/// "Not bought: not enough tokens…".
pub fn outcome_text(
    order: &Order,
    outcome: &Result<Entry, String>,
    editions: Option<u32>,
) -> Outcome {
    let of = |edition: u32| match editions {
        Some(n) => format!("edition {edition} of {n}"),
        None => format!("edition {edition}"),
    };
    match outcome {
        Ok(entry) => {
            let text = match &entry.payload {
                Payload::Purchase { edition, .. } | Payload::Resale { edition, .. } => {
                    format!(
                        "You own {} \u{2014} ledger entry #{}.",
                        of(*edition),
                        entry.index
                    )
                }
                Payload::List { edition, price, .. } => format!(
                    "{} is offered for resale at {} \u{2014} ledger entry #{}.",
                    capitalised(&of(*edition)),
                    tokens_label(tokens(*price)),
                    entry.index
                ),
                _ => format!("Done \u{2014} ledger entry #{}.", entry.index),
            };
            (true, text)
        }
        Err(reason) => {
            let verb = match order {
                Order::List { .. } => "Not listed",
                Order::Buy { .. } | Order::BuyListing { .. } => "Not bought",
            };
            let reason = reason.trim().trim_end_matches('.');
            (false, format!("{verb}: {reason}."))
        }
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Tokens as the labels take them.
pub fn tokens(amount: u64) -> i64 {
    i64::try_from(amount).unwrap_or(i64::MAX)
}

/// A wallet as the visitor reads it: "you", a person's or organisation's name as the level
/// gives it, or "visitor 3f9a2c0b…" for another visitor's anonymous id.
pub fn wallet_name(wallet: &str, me: Option<&str>) -> String {
    if me == Some(wallet) {
        return "you".into();
    }
    let anonymous = !wallet.is_empty()
        && wallet
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !anonymous {
        return wallet.to_string();
    }
    // Random ids are long hex: their first digits tell them apart. Names made from a
    // simulated visitor's name read as words.
    let hex = wallet.chars().all(|c| c.is_ascii_hexdigit());
    let keep = if hex { 8 } else { 18 };
    let short: String = wallet.chars().take(keep).collect();
    let short = short.replace('_', " ");
    if wallet.chars().count() > keep {
        format!("visitor {}\u{2026}", short.trim_end())
    } else {
        format!("visitor {short}")
    }
}

/// Who a wallet is in a work's contract, from the ledger's registered shares and the level's
/// roles: "artist, 85%", "curator, 10%".
fn payee_role(market: &Market, level: &Level, work: &str, wallet: &str) -> Option<String> {
    let registered = market.state().works.get(work)?;
    let role = level
        .works
        .iter()
        .find(|w| w.id == work)
        .and_then(|w| w.royalties.iter().find(|s| s.recipient == wallet))
        .map(|s| role_name(s.role))
        .or_else(|| (registered.artist == wallet).then_some("artist"));
    let share = registered
        .shares
        .iter()
        .find(|s| s.wallet == wallet)
        .map(|s| percent_label(f64::from(s.bp) / 100.0));
    match (role, share) {
        (Some(role), Some(share)) => Some(format!("{role}, {share}")),
        (Some(role), None) => Some(role.to_string()),
        (None, Some(share)) => Some(share),
        (None, None) => None,
    }
}

/// Whole tokens > 0 and at most [`MAX_PRICE`], as typed: digits, optionally grouped with
/// commas, spaces or underscores ("1,500").
pub fn parse_price(text: &str) -> Result<u64, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("type an asking price in whole tokens".into());
    }
    let digits: String = text
        .chars()
        .filter(|c| !matches!(c, ',' | '_' | ' ' | '\u{a0}'))
        .collect();
    if digits.contains('.') {
        return Err("whole tokens only, without decimals".into());
    }
    if !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err("whole tokens only, like 450".into());
    }
    let value = digits.trim_start_matches('0');
    if value.is_empty() {
        return Err("the price must be at least 1 token".into());
    }
    match value.parse::<u64>() {
        Ok(n) if n <= MAX_PRICE => Ok(n),
        _ => Err(format!("at most {}", tokens_label(tokens(MAX_PRICE)))),
    }
}

/// The dialog that shows exactly what an order commits, with Confirm and Cancel.
pub(super) fn confirmation_dialog(
    ctx: &egui::Context,
    confirmation: &mut Confirmation,
    market: &Market,
    level: &Level,
    wallet: &str,
) -> Answer {
    let mut answer = Answer::Waiting;
    let width = (ctx.content_rect().width() - 80.0).clamp(280.0, 520.0);
    let title = |work: &str| {
        level.works.iter().find(|w| w.id == work).map_or_else(
            || work.to_string(),
            |w| format!("{}, by {}", w.title, w.artist),
        )
    };
    let editions = |work: &str| market.editions_left(work).map_or(0, |(_, n)| n);
    let balance = market.balance(wallet).unwrap_or(0);
    let response = egui::Modal::new(egui::Id::new("market-confirmation"))
        .frame(panel_frame())
        .backdrop_color(egui::Color32::from_black_alpha(90))
        .show(ctx, |ui| {
            ui.set_width(width);
            let (heading, work, commit) = match &confirmation.quote {
                Payload::Purchase { work, edition, .. } => (
                    format!("Buy edition {edition} of {}", editions(work)),
                    work.as_str(),
                    "Confirm purchase",
                ),
                Payload::Resale { work, edition, .. } => (
                    format!("Buy edition {edition} of {} on resale", editions(work)),
                    work.as_str(),
                    "Confirm purchase",
                ),
                Payload::List { work, edition, .. } => (
                    format!("Offer edition {edition} of {} for resale", editions(work)),
                    work.as_str(),
                    "Confirm listing",
                ),
                _ => ("Confirm".to_string(), "", "Confirm"),
            };
            ui.label(
                egui::RichText::new(heading)
                    .text_style(egui::TextStyle::Heading)
                    .size(23.0)
                    .color(INK),
            );
            ui.label(egui::RichText::new(title(work)).color(MUTED));
            ui.add_space(8.0);
            let row = |ui: &mut egui::Ui, name: &str, value: String, note: &str| {
                ui.label(egui::RichText::new(name).color(MUTED));
                ui.label(egui::RichText::new(value).color(INK));
                ui.label(
                    egui::RichText::new(note)
                        .text_style(egui::TextStyle::Small)
                        .color(MUTED),
                );
                ui.end_row();
            };
            let artist = market
                .state()
                .works
                .get(work)
                .map(|w| w.artist.clone())
                .unwrap_or_default();
            let resale_bp = market.state().works.get(work).map_or(0, |w| w.resale_bp);
            let resale_percent = percent_label(f64::from(resale_bp) * 100.0 / f64::from(BP_WHOLE));
            egui::Grid::new("market-confirmation-terms")
                .num_columns(3)
                .spacing([16.0, 6.0])
                .show(ui, |ui| match &confirmation.quote {
                    Payload::Purchase { price, .. } | Payload::Resale { price, .. } => {
                        row(ui, "Price", tokens_label(tokens(*price)), "");
                        row(ui, "Your wallet", tokens_label(tokens(balance)), "now");
                        row(
                            ui,
                            "",
                            tokens_label(tokens(balance.saturating_sub(*price))),
                            "after the purchase",
                        );
                    }
                    Payload::List { price, .. } => {
                        row(ui, "Asking price", tokens_label(tokens(*price)), "");
                        row(
                            ui,
                            "Your wallet",
                            tokens_label(tokens(balance)),
                            "unchanged until it sells",
                        );
                    }
                    _ => {}
                });
            ui.add_space(8.0);
            let heading = match &confirmation.quote {
                Payload::List { .. } => "If it sells",
                _ => "Who receives what",
            };
            ui.label(egui::RichText::new(heading).size(18.5).color(ACCENT));
            let payees: Vec<(String, String, u64)> = match &confirmation.quote {
                Payload::Purchase { work, credits, .. } => credits
                    .iter()
                    .map(|(to, amount)| {
                        (
                            wallet_name(to, Some(wallet)),
                            payee_role(market, level, work, to).unwrap_or_default(),
                            *amount,
                        )
                    })
                    .collect(),
                Payload::Resale {
                    seller,
                    price,
                    royalty,
                    ..
                } => vec![
                    (
                        wallet_name(&artist, Some(wallet)),
                        format!("artist, resale royalty {resale_percent}"),
                        *royalty,
                    ),
                    (
                        wallet_name(seller, Some(wallet)),
                        "the seller, the rest".into(),
                        price.saturating_sub(*royalty),
                    ),
                ],
                Payload::List { price, .. } => {
                    let royalty =
                        crate::market::ledger::resale_royalty(*price, resale_bp).unwrap_or(0);
                    vec![
                        (
                            wallet_name(&artist, Some(wallet)),
                            format!("artist, resale royalty {resale_percent}"),
                            royalty,
                        ),
                        (
                            "you".into(),
                            "the seller, the rest".into(),
                            price.saturating_sub(royalty),
                        ),
                    ]
                }
                _ => Vec::new(),
            };
            card_frame().show(ui, |ui| {
                ui.set_width(ui.available_width());
                ui.spacing_mut().item_spacing.y = 6.0;
                for (name, role, amount) in &payees {
                    ui.horizontal(|ui| {
                        ui.label(egui::RichText::new(capitalised(name)).color(INK_SOFT));
                        if !role.is_empty() {
                            ui.label(
                                egui::RichText::new(role)
                                    .text_style(egui::TextStyle::Small)
                                    .color(MUTED),
                            );
                        }
                        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                            ui.label(egui::RichText::new(tokens_label(tokens(*amount))).color(INK));
                        });
                    });
                }
            });
            ui.add_space(6.0);
            if confirmation.changed {
                ui.label(
                    egui::RichText::new(
                        "The terms changed while this was open: these are the new ones.",
                    )
                    .color(WARNING),
                );
            }
            panel_hint(
                ui,
                match &confirmation.quote {
                    Payload::List { .. } => {
                        "You keep the edition until someone buys it; listing it again \
                         replaces the price."
                    }
                    _ => "Signed into the exhibition's ledger; a purchase cannot be undone.",
                },
            );
            ui.add_space(4.0);
            ui.horizontal(|ui| {
                let confirm = ui
                    .add(
                        egui::Button::new(egui::RichText::new(commit).color(INK))
                            .fill(COMMIT_FILL)
                            .min_size(egui::vec2(150.0, 0.0)),
                    )
                    .on_hover_text("Enter");
                if confirm.clicked() {
                    answer = Answer::Confirm;
                }
                if ui
                    .add(egui::Button::new("Cancel").min_size(egui::vec2(90.0, 0.0)))
                    .on_hover_text("Esc")
                    .clicked()
                {
                    answer = Answer::Cancel;
                }
            });
        });
    if response.backdrop_response.clicked() {
        answer = Answer::Cancel;
    }
    let enter = ctx.input_mut(|i| i.consume_key(egui::Modifiers::NONE, egui::Key::Enter));
    if enter && confirmation.shown && answer == Answer::Waiting {
        answer = Answer::Confirm;
    }
    confirmation.shown = true;
    answer
}

// ---------------------------------------------------------------------------------------------
// The collection panel.

/// What the panel is in the middle of.
#[derive(Resource, Debug, Default)]
struct CollectionState {
    /// The edition whose asking price is being typed, and the text so far.
    pricing: Option<((String, u32), String)>,
    confirm: Option<Confirmation>,
    /// The order sent, until its outcome comes back.
    awaiting: Option<Order>,
    note: Option<Outcome>,
    /// The edition whose certificate is open.
    certificate: Option<(String, u32)>,
    /// The certificate as issued for (work, edition, ledger revision).
    issued: Option<((String, u32, u64), Option<Certificate>)>,
    /// Where the certificate was saved, or why it was not.
    saved: Option<Outcome>,
    just_opened: bool,
}

fn prepare_collection(mut state: ResMut<CollectionState>) {
    *state = CollectionState {
        just_opened: true,
        ..default()
    };
}

/// One owned edition as the panel lists it.
struct Owned {
    work: String,
    edition: u32,
    editions: u32,
    title: String,
    artist: String,
    acquired: String,
    listed: Option<u64>,
    resale_bp: u16,
}

/// What a row asked for.
enum RowClick {
    Price((String, u32)),
    List(Order),
    Certificate((String, u32)),
}

fn price_id() -> egui::Id {
    egui::Id::new("collection-price")
}

fn show_collection(
    mut contexts: EguiContexts,
    keys: Res<ButtonInput<KeyCode>>,
    settings: Res<VisitorSettings>,
    level: Option<Res<ActiveLevel>>,
    data: Option<Res<ExhibitionData>>,
    mut access: MarketAccess,
    mut state: ResMut<CollectionState>,
    visitors: Query<Entity, With<LocalVisitor>>,
    mut next: ResMut<NextState<Panel>>,
) {
    let Some(level) = level.map(|l| std::sync::Arc::clone(&l.0)) else {
        next.set(Panel::Closed);
        return;
    };
    let state = &mut *state;
    let visitor = visitors.single().ok();
    if state.just_opened {
        access.done.clear();
        state.just_opened = false;
    }
    if let Some(visitor) = visitor
        && let Some(outcome) = take_outcome(&mut access, visitor, &mut state.awaiting)
    {
        if outcome.0 {
            state.pricing = None;
        }
        state.note = Some(outcome);
    }
    let wallet = access.wallet();
    let Ok(ctx) = contexts.ctx_mut() else {
        return;
    };

    // Esc closes the innermost thing open; the panel's key closes the panel (unless typing).
    let own_key = &settings.keys.collection;
    let typing = ctx.text_edit_focused() && edits_text(own_key);
    if keys.just_pressed(KeyCode::Escape) {
        if state.confirm.is_some() {
            state.confirm = None;
        } else if state.certificate.is_some() {
            state.certificate = None;
        } else if state.pricing.is_some() {
            state.pricing = None;
        } else {
            next.set(Panel::Closed);
            return;
        }
    } else if !typing
        && state.confirm.is_none()
        && key_code(own_key).is_some_and(|k| keys.just_pressed(k))
    {
        next.set(Panel::Closed);
        return;
    }

    let market = access.market.as_deref();
    let owned: Vec<Owned> = match (market, wallet.as_deref()) {
        (Some(market), Some(wallet)) => owned_editions(market, &level, wallet),
        _ => Vec::new(),
    };

    dim_gallery(ctx);
    let screen = ctx.content_rect();
    let width = (screen.width() - 100.0).clamp(300.0, 860.0);
    let subtitle = match (market, wallet.as_deref()) {
        (Some(market), Some(wallet)) => format!(
            "Wallet {}  \u{b7}  {}  \u{b7}  {}",
            short_id(wallet),
            tokens_label(tokens(market.balance(wallet).unwrap_or(0))),
            match owned.len() {
                1 => "1 edition".to_string(),
                n => format!("{n} editions"),
            }
        ),
        _ => "Your wallet is being opened\u{2026}".into(),
    };
    let mut close = false;
    let mut click: Option<RowClick> = None;
    panel_window("Collection", width).show(ctx, |ui| {
        ui.set_width(width);
        close = panel_heading(ui, "Your collection", &subtitle);
        if let Some(reason) = market.and_then(|m| m.closed.as_deref()) {
            ui.label(
                egui::RichText::new(format!(
                    "The market is read-only, so nothing can be listed: {reason}"
                ))
                .color(WARNING),
            );
            ui.add_space(4.0);
        }
        if let Some((ok, text)) = &state.note {
            ui.label(egui::RichText::new(text).color(if *ok { ACCENT } else { WARNING }));
            ui.add_space(4.0);
        } else if state.awaiting.is_some() {
            ui.label(egui::RichText::new("Signing it into the ledger\u{2026}").color(MUTED));
            ui.add_space(4.0);
        }
        if market.is_none() {
            empty_state(ui, "The market is opening\u{2026}", "");
        } else if owned.is_empty() {
            empty_state(
                ui,
                "You own no editions yet.",
                "Walk up to a work, press E to inspect it and choose Buy. The editions you buy \
                 are kept here: offer them for resale, or open their certificates of \
                 authenticity.",
            );
        } else {
            egui::ScrollArea::vertical()
                .id_salt("collection-scroll")
                .max_height((screen.height() - HUD_CLEARANCE - 230.0).max(160.0))
                .auto_shrink([false, true])
                .show(ui, |ui| {
                    ui.set_width(ui.available_width() - 14.0);
                    let can_list = market.is_some_and(|m| m.closed.is_none());
                    for row in &owned {
                        if let Some(c) = show_owned(ui, row, &mut state.pricing, can_list) {
                            click = Some(c);
                        }
                        ui.add_space(4.0);
                    }
                });
        }
        ui.add_space(8.0);
        panel_hint(
            ui,
            &format!(
                "Tab: next control    Enter: confirm    Esc or {}: close",
                key_label(own_key)
            ),
        );
    });

    match click {
        Some(RowClick::Price(key)) => {
            state.pricing = Some((key, String::new()));
            state.note = None;
            ctx.memory_mut(|m| m.request_focus(price_id()));
        }
        Some(RowClick::List(order)) => {
            if let (Some(market), Some(wallet)) = (market, wallet.as_deref()) {
                match ask(market, wallet, order.clone()) {
                    Ok(c) => state.confirm = Some(c),
                    Err(reason) => {
                        state.note = Some(outcome_text(&order, &Err(reason), None));
                    }
                }
            }
        }
        Some(RowClick::Certificate(key)) => {
            state.certificate = Some(key);
            state.saved = None;
        }
        None => {}
    }

    if let (true, Some(market), Some(wallet), Some(visitor)) =
        (state.confirm.is_some(), market, wallet.as_deref(), visitor)
    {
        match settle_confirmation(ctx, &mut state.confirm, market, &level, wallet) {
            Settled::Open | Settled::Closed(None) => {}
            Settled::Send(order) => {
                access.orders.write(MarketOrder {
                    visitor,
                    order: order.clone(),
                });
                state.awaiting = Some(order);
                state.note = None;
            }
            Settled::Closed(Some(note)) => state.note = Some(note),
        }
    } else if let (Some((work, edition)), Some(market)) = (state.certificate.clone(), market) {
        let key = (work.clone(), edition, market.revision);
        if state.issued.as_ref().is_none_or(|(k, _)| *k != key) {
            let label = level.works.iter().find(|w| w.id == work).map_or_else(
                || WorkLabel {
                    exhibition: level.exhibition.title.clone(),
                    title: work.clone(),
                    artist: String::new(),
                    curator_key: level.market.curator_key.clone(),
                },
                |w| WorkLabel {
                    exhibition: level.exhibition.title.clone(),
                    title: w.title.clone(),
                    artist: w.artist.clone(),
                    curator_key: level.market.curator_key.clone(),
                },
            );
            let issued = Certificate::issue(
                market.state(),
                market.entries(),
                label,
                &work,
                edition,
                market.verifying_key().as_ref(),
            );
            state.issued = Some((key, issued));
        }
        let certificate = state.issued.as_ref().and_then(|(_, c)| c.as_ref());
        let dir = data.as_ref().and_then(|d| d.dir.clone());
        let action = certificate_window(ctx, certificate, dir.is_some(), &state.saved);
        match action {
            CertificateAction::None => {}
            CertificateAction::Close => state.certificate = None,
            CertificateAction::Copy => {
                if let Some(c) = certificate {
                    ctx.copy_text(c.to_text());
                    state.saved = Some((true, "Copied to the clipboard.".into()));
                }
            }
            #[cfg(not(target_arch = "wasm32"))]
            CertificateAction::SavePng | CertificateAction::SaveText => {
                if let (Some(c), Some(dir)) = (certificate, dir) {
                    let result = if action == CertificateAction::SavePng {
                        c.save_png(&dir)
                    } else {
                        c.save_text(&dir)
                    };
                    state.saved = Some(match result {
                        Ok(path) => (true, format!("Saved as {}", path.display())),
                        Err(e) => (false, format!("Not saved: {e}")),
                    });
                }
            }
        }
    }
    if close {
        next.set(Panel::Closed);
    }
}

/// The visitor's editions, in the level's order of works, then by edition.
fn owned_editions(market: &Market, level: &Level, wallet: &str) -> Vec<Owned> {
    let state = market.state();
    let order = |work: &str| {
        level
            .works
            .iter()
            .position(|w| w.id == work)
            .unwrap_or(usize::MAX)
    };
    let mut owned: Vec<Owned> = market
        .collection(wallet)
        .into_iter()
        .map(|(work, edition)| {
            let level_work = level.works.iter().find(|w| w.id == work);
            let registered = state.works.get(&work);
            let acquired = match market.acquisition(&work, edition).map(|e| (&e.payload, e)) {
                Some((Payload::Purchase { price, .. }, e)) => format!(
                    "Bought from the artist for {} on {}",
                    tokens_label(tokens(*price)),
                    date_label(e.timestamp)
                ),
                Some((Payload::Resale { price, .. }, e)) => format!(
                    "Bought on resale for {} on {}",
                    tokens_label(tokens(*price)),
                    date_label(e.timestamp)
                ),
                Some((Payload::Transfer { .. }, e)) => {
                    format!("A gift, received on {}", date_label(e.timestamp))
                }
                _ => String::new(),
            };
            Owned {
                title: level_work.map_or_else(|| work.clone(), |w| w.title.clone()),
                artist: level_work.map_or_else(String::new, |w| w.artist.clone()),
                editions: registered.map_or(0, |w| w.editions),
                resale_bp: registered.map_or(0, |w| w.resale_bp),
                listed: state.listings.get(&(work.clone(), edition)).copied(),
                acquired,
                work,
                edition,
            }
        })
        .collect();
    owned.sort_by_key(|o| (order(&o.work), o.edition));
    owned
}

fn short_id(wallet: &str) -> String {
    if wallet.chars().count() > 12 {
        let short: String = wallet.chars().take(8).collect();
        format!("{short}\u{2026}")
    } else {
        wallet.to_string()
    }
}

fn empty_state(ui: &mut egui::Ui, title: &str, text: &str) {
    ui.add_space(28.0);
    ui.vertical_centered(|ui| {
        ui.label(egui::RichText::new(title).size(20.0).color(INK_SOFT));
        if !text.is_empty() {
            ui.add_space(4.0);
            ui.set_max_width(520.0);
            ui.label(egui::RichText::new(text).color(MUTED));
        }
    });
    ui.add_space(28.0);
}

/// One owned edition: what it is and how it came, its listing, and its two buttons; the
/// price editor under it while a price is being typed.
fn show_owned(
    ui: &mut egui::Ui,
    row: &Owned,
    pricing: &mut Option<((String, u32), String)>,
    can_list: bool,
) -> Option<RowClick> {
    let key = (row.work.clone(), row.edition);
    let mut click = None;
    egui::Frame::new()
        .fill(INSET)
        .corner_radius(8)
        .inner_margin(egui::Margin::symmetric(14, 10))
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.horizontal(|ui| {
                ui.vertical(|ui| {
                    ui.spacing_mut().item_spacing.y = 2.0;
                    ui.label(egui::RichText::new(&row.title).size(19.0).color(INK));
                    let edition = if row.editions == 1 {
                        "unique work".to_string()
                    } else {
                        format!("edition {} of {}", row.edition, row.editions)
                    };
                    ui.label(
                        egui::RichText::new(format!("{}  \u{b7}  {edition}", row.artist))
                            .color(INK_SOFT),
                    );
                    if !row.acquired.is_empty() {
                        ui.label(
                            egui::RichText::new(&row.acquired)
                                .text_style(egui::TextStyle::Small)
                                .color(MUTED),
                        );
                    }
                    if let Some(price) = row.listed {
                        ui.label(
                            egui::RichText::new(format!(
                                "Offered for resale at {}",
                                tokens_label(tokens(price))
                            ))
                            .color(ACCENT),
                        );
                    }
                });
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    if ui
                        .button("Certificate")
                        .on_hover_text(
                            "Its certificate of authenticity, checked against the ledger",
                        )
                        .clicked()
                    {
                        click = Some(RowClick::Certificate(key.clone()));
                    }
                    let label = if row.listed.is_some() {
                        "Change price"
                    } else {
                        "List for resale"
                    };
                    let editing = pricing.as_ref().is_some_and(|(k, _)| *k == key);
                    if ui
                        .add_enabled(can_list && !editing, egui::Button::new(label))
                        .on_disabled_hover_text(if can_list {
                            "Type the price below"
                        } else {
                            "The market is read-only"
                        })
                        .clicked()
                    {
                        click = Some(RowClick::Price(key.clone()));
                    }
                });
            });
            let Some((_, text)) = pricing.as_mut().filter(|(k, _)| *k == key) else {
                return;
            };
            ui.add_space(6.0);
            let parsed = parse_price(text);
            let mut submit = false;
            let mut cancel = false;
            ui.horizontal(|ui| {
                ui.label(egui::RichText::new("Asking price").color(MUTED));
                let edit = ui.add(
                    egui::TextEdit::singleline(text)
                        .id(price_id())
                        .hint_text("e.g. 450")
                        .desired_width(130.0)
                        .margin(egui::Margin::symmetric(8, 5)),
                );
                if edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                    submit = true;
                }
                ui.label(egui::RichText::new("tokens").color(MUTED));
                ui.add_space(8.0);
                let list = ui
                    .add_enabled(
                        parsed.is_ok(),
                        egui::Button::new("List\u{2026}").min_size(egui::vec2(84.0, 0.0)),
                    )
                    .on_disabled_hover_text("Type a price in whole tokens first");
                submit |= list.clicked();
                cancel = ui.button("Cancel").clicked();
            });
            let royalty = percent_label(f64::from(row.resale_bp) / 100.0);
            match (&parsed, text.trim().is_empty()) {
                (Err(reason), false) => {
                    ui.label(egui::RichText::new(capitalised(reason)).color(WARNING));
                }
                _ => panel_hint(
                    ui,
                    &format!(
                        "Whole tokens, 1 to {}. When it sells, the artist receives a {royalty} \
                         royalty and you the rest.",
                        tokens_label(tokens(MAX_PRICE))
                    ),
                ),
            }
            if cancel {
                *pricing = None;
            } else if submit && let Ok(price) = parsed {
                click = Some(RowClick::List(Order::List {
                    work: row.work.clone(),
                    edition: row.edition,
                    price,
                }));
            }
        });
    click
}

/// What the certificate window asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CertificateAction {
    None,
    Close,
    Copy,
    #[cfg(not(target_arch = "wasm32"))]
    SavePng,
    #[cfg(not(target_arch = "wasm32"))]
    SaveText,
}

/// The certificate of authenticity, with its checks done live, and ways to keep it.
fn certificate_window(
    ctx: &egui::Context,
    certificate: Option<&Certificate>,
    can_save: bool,
    saved: &Option<Outcome>,
) -> CertificateAction {
    let mut action = CertificateAction::None;
    let screen = ctx.content_rect();
    let width = (screen.width() - 80.0).clamp(300.0, 760.0);
    let area = egui::Modal::default_area(egui::Id::new("certificate"))
        .anchor(egui::Align2::CENTER_CENTER, [0.0, -HUD_CLEARANCE / 2.0]);
    let response = egui::Modal::new(egui::Id::new("certificate"))
        .area(area)
        .frame(panel_frame())
        .backdrop_color(egui::Color32::from_black_alpha(90))
        .show(ctx, |ui| {
            ui.set_width(width);
            let Some(c) = certificate else {
                if panel_heading(ui, "Certificate of authenticity", "") {
                    action = CertificateAction::Close;
                }
                ui.label(
                    egui::RichText::new("The ledger names another owner for this edition now.")
                        .color(WARNING),
                );
                return;
            };
            if panel_heading(ui, "Certificate of authenticity", &c.label.exhibition) {
                action = CertificateAction::Close;
            }
            ui.horizontal(|ui| {
                ui.label(egui::RichText::new(&c.label.title).size(24.0).color(INK));
                ui.label(
                    egui::RichText::new(format!(
                        "{}  \u{b7}  {}",
                        c.label.artist,
                        c.edition_line()
                    ))
                    .color(ACCENT),
                );
            });
            ui.add_space(4.0);
            // The verdict and the live checks first: they are what the certificate is for.
            let (verdict, colour) = if c.checks.all() {
                ("Authentic: every check passed.", PASSED)
            } else {
                ("Not verified: at least one check failed.", WARNING)
            };
            card_frame().show(ui, |ui| {
                ui.set_width(ui.available_width());
                ui.spacing_mut().item_spacing.y = 3.0;
                ui.label(egui::RichText::new(verdict).size(18.0).color(colour));
                ui.columns(2, |columns| {
                    for (index, (ok, what)) in c.checks.lines().into_iter().enumerate() {
                        let (mark, colour) = if ok {
                            ("\u{2714}", PASSED)
                        } else {
                            ("\u{2718}", WARNING)
                        };
                        columns[index % 2].label(
                            egui::RichText::new(format!("{mark}  {what}"))
                                .text_style(egui::TextStyle::Small)
                                .color(colour),
                        );
                    }
                });
            });
            ui.add_space(6.0);
            egui::ScrollArea::vertical()
                .id_salt("certificate-scroll")
                .max_height((screen.height() - HUD_CLEARANCE - 400.0).max(120.0))
                .auto_shrink([false, true])
                .show(ui, |ui| {
                    ui.set_width(ui.available_width() - 14.0);
                    egui::Grid::new("certificate-facts")
                        .num_columns(2)
                        .spacing([14.0, 3.0])
                        .min_col_width(0.0)
                        .show(ui, |ui| {
                            for (name, value) in c.rows().into_iter().skip(3) {
                                if name == "Edition" {
                                    continue;
                                }
                                ui.label(egui::RichText::new(name).color(MUTED));
                                let hex = value.len() == 64
                                    && value.bytes().all(|b| b.is_ascii_hexdigit());
                                let text = if hex {
                                    egui::RichText::new(value)
                                        .text_style(egui::TextStyle::Monospace)
                                        .size(13.0)
                                        .color(INK_SOFT)
                                } else {
                                    egui::RichText::new(value).color(INK_SOFT)
                                };
                                ui.add(egui::Label::new(text).wrap());
                                ui.end_row();
                            }
                        });
                    #[cfg(target_arch = "wasm32")]
                    {
                        ui.add_space(6.0);
                        panel_hint(ui, "As text, to copy:");
                        let mut text = c.to_text();
                        ui.add(
                            egui::TextEdit::multiline(&mut text)
                                .font(egui::TextStyle::Monospace)
                                .desired_width(f32::INFINITY),
                        );
                    }
                });
            ui.add_space(8.0);
            ui.horizontal(|ui| {
                #[cfg(not(target_arch = "wasm32"))]
                {
                    let why = "No data folder: start the gallery with --data-dir to save";
                    if ui
                        .add_enabled(can_save, egui::Button::new("Save as PNG"))
                        .on_disabled_hover_text(why)
                        .clicked()
                    {
                        action = CertificateAction::SavePng;
                    }
                    if ui
                        .add_enabled(can_save, egui::Button::new("Save as text"))
                        .on_disabled_hover_text(why)
                        .clicked()
                    {
                        action = CertificateAction::SaveText;
                    }
                }
                #[cfg(target_arch = "wasm32")]
                let _ = can_save;
                if ui.button("Copy text").clicked() {
                    action = CertificateAction::Copy;
                }
                if let Some((ok, text)) = saved {
                    ui.add(
                        egui::Label::new(
                            egui::RichText::new(text)
                                .text_style(egui::TextStyle::Small)
                                .color(if *ok { MUTED } else { WARNING }),
                        )
                        .wrap(),
                    );
                }
            });
        });
    if response.backdrop_response.clicked() {
        action = CertificateAction::Close;
    }
    action
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(index: u64, payload: Payload) -> Entry {
        Entry {
            index,
            timestamp: 0,
            payload,
            prev_hash: [0; 32],
            hash: [0; 32],
            signature: [0; 64],
        }
    }

    #[test]
    fn prices_are_whole_tokens_within_bounds() {
        assert_eq!(parse_price("450"), Ok(450));
        assert_eq!(parse_price("  1,500 "), Ok(1_500));
        assert_eq!(parse_price("1 000 000"), Ok(1_000_000));
        assert_eq!(parse_price("007"), Ok(7));
        assert_eq!(parse_price("1000000000"), Ok(MAX_PRICE));
        assert!(parse_price("1000000001").unwrap_err().contains("at most"));
        assert!(parse_price("99999999999999999999999").is_err());
        assert!(parse_price("").unwrap_err().contains("asking price"));
        assert!(parse_price("0").unwrap_err().contains("at least 1"));
        assert!(parse_price("12.5").unwrap_err().contains("decimals"));
        assert!(parse_price("-3").unwrap_err().contains("whole tokens"));
        assert!(parse_price("ten").unwrap_err().contains("whole tokens"));
    }

    #[test]
    fn outcomes_read_as_sentences() {
        let buy = Order::Buy {
            work: "lake".into(),
        };
        let bought = entry(
            41,
            Payload::Purchase {
                work: "lake".into(),
                edition: 3,
                buyer: "me".into(),
                price: 680,
                credits: vec![],
            },
        );
        assert_eq!(
            outcome_text(&buy, &Ok(bought), Some(8)),
            (
                true,
                "You own edition 3 of 8 \u{2014} ledger entry #41.".to_string()
            )
        );
        let listed = entry(
            42,
            Payload::List {
                work: "lake".into(),
                edition: 3,
                seller: "me".into(),
                price: 1_200,
            },
        );
        let list = Order::List {
            work: "lake".into(),
            edition: 3,
            price: 1_200,
        };
        assert_eq!(
            outcome_text(&list, &Ok(listed), Some(8)).1,
            "Edition 3 of 8 is offered for resale at 1,200 tokens \u{2014} ledger entry #42."
        );
        assert_eq!(
            outcome_text(
                &buy,
                &Err("sold out: every edition has been sold".into()),
                None
            ),
            (
                false,
                "Not bought: sold out: every edition has been sold.".to_string()
            )
        );
        assert_eq!(
            outcome_text(&list, &Err("the market is closed.".into()), None).1,
            "Not listed: the market is closed."
        );
    }

    #[test]
    fn wallets_read_as_people_or_anonymous_visitors() {
        assert_eq!(wallet_name("abc", Some("abc")), "you");
        assert_eq!(wallet_name("Ilse Varga", Some("abc")), "Ilse Varga");
        assert_eq!(
            wallet_name("3f9a2c0b11d4e5f60718293a4b5c6d7e", None),
            "visitor 3f9a2c0b\u{2026}"
        );
        assert_eq!(wallet_name("tester", None), "visitor tester");
        assert_eq!(
            wallet_name("random_1_seed_0", None),
            "visitor random 1 seed 0"
        );
        assert_eq!(
            wallet_name("a_very_long_simulated_name", None),
            "visitor a very long simula\u{2026}"
        );
        assert_eq!(
            short_id("3f9a2c0b11d4e5f60718293a4b5c6d7e"),
            "3f9a2c0b\u{2026}"
        );
        assert_eq!(short_id("tester"), "tester");
    }
}
