//! The inspect panel: everything the level says about one work (with a larger look at it, its
//! price, editions and royalty split), and the visitor's rating, like and comment.

use std::sync::Arc;

use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, EguiTextureHandle, egui};

use super::catalogue::{
    ACCENT, HUD_CLEARANCE, INK, INK_SOFT, INSET, MUTED, WARNING, card_frame, dim_gallery,
    panel_heading, panel_hint, panel_requested_at_launch, panel_window, room_name, year_label,
};
use super::collection::{
    Confirmation, MarketAccess, Outcome, Settled, ask, outcome_text, settle_confirmation,
    take_outcome, tokens, wallet_name,
};
use crate::feedback::event::{FeedbackEvent, MAX_COMMENT_CHARS, Refusal, What, clean_comment};
use crate::feedback::{Action, FeedbackAction, FeedbackLog, FeedbackRecorded, VisitorId};
use crate::gallery::ActiveLevel;
use crate::gallery::build::{Artwork, HighlightMaterial};
use crate::interaction::Focus;
use crate::level::schema::{Role, Work, WorkKind};
use crate::market::{Market, MarketOrder, Order};
use crate::player::{ActionRefused, LocalVisitor};
use crate::scoring::game::GalleryScores;
use crate::scoring::{Scores, WorkScore};
use crate::screens::{Panel, Screen};

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<InspectState>()
        .add_systems(OnEnter(Screen::Gallery), open_inspect_on_request)
        .add_systems(OnEnter(Panel::Inspect), prepare_inspect)
        .add_systems(OnExit(Panel::Inspect), forget_preview)
        .add_systems(
            EguiPrimaryContextPass,
            show_inspect.run_if(in_state(Panel::Inspect)),
        );
}

/// Comments listed under the work, newest first.
const COMMENTS_SHOWN: usize = 30;
/// How long a confirmation stays, seconds.
const CONFIRMATION_SECONDS: f64 = 4.0;
/// Points scrolled by an arrow key and by Page Up / Page Down.
const LINE_SCROLL: f32 = 48.0;
const PAGE_SCROLL: f32 = 320.0;
/// Contributions drawn in the score's bar chart.
const CONTRIBUTIONS_SHOWN: usize = 6;
/// Bars that raise the score (warm, to the right) and lower it (cool, to the left).
const RAISES: egui::Color32 = egui::Color32::from_rgb(226, 142, 92);
const LOWERS: egui::Color32 = egui::Color32::from_rgb(112, 162, 214);

/// The work on show and what the panel is in the middle of.
#[derive(Resource, Debug, Default)]
struct InspectState {
    /// The work inspected: its entity and id, remembered on opening.
    work: Option<(Entity, String)>,
    /// Asked for at launch: the work is chosen once the visitor's focus is known.
    pending_launch: bool,
    /// The first frame after opening: messages from before are skipped.
    just_opened: bool,
    /// The comment being written, and the work it is for (kept while the panel is closed).
    draft: String,
    draft_work: String,
    /// The outcome of the last action, with when it came (real seconds).
    note: Option<(Note, f64)>,
    /// The image registered with egui for the preview.
    preview: Option<AssetId<Image>>,
    figures: Option<Figures>,
    /// A purchase waiting for the visitor's word in the confirmation dialog.
    confirm: Option<Confirmation>,
    /// The order sent to the market, until its outcome comes back.
    awaiting: Option<Order>,
    /// The last order's outcome (kept until the panel closes).
    market_note: Option<Outcome>,
}

#[derive(Debug, Clone, PartialEq)]
enum Note {
    Done(String),
    Refused(String),
}

/// What the log says about the work, recomputed only when the log grows.
#[derive(Debug, Clone, Default)]
struct Figures {
    /// (events in the log, work id) they were computed for.
    key: (usize, String),
    rating: Option<u8>,
    liked: bool,
    likes: usize,
    comment_count: usize,
    comments: Vec<CommentLine>,
}

fn comment_id() -> egui::Id {
    egui::Id::new("inspect-comment")
}

/// Screenshot aid: `VERNISSAGE_OPEN_PANEL=inspect` (see
/// [`super::catalogue::panel_requested_at_launch`]) inspects the work the visitor looks at
/// from the spawn point, or the level's first work.
fn open_inspect_on_request(mut next: ResMut<NextState<Panel>>, mut state: ResMut<InspectState>) {
    if panel_requested_at_launch("inspect") {
        state.pending_launch = true;
        next.set(Panel::Inspect);
    }
}

fn prepare_inspect(
    mut state: ResMut<InspectState>,
    visitors: Query<&Focus, With<LocalVisitor>>,
    works: Query<&Artwork>,
    mut next: ResMut<NextState<Panel>>,
) {
    state.just_opened = true;
    state.note = None;
    state.figures = None;
    state.confirm = None;
    state.awaiting = None;
    state.market_note = None;
    state.work = visitors
        .iter()
        .find_map(|f| Some((f.work?, f.work_id.clone()?)))
        .filter(|(entity, _)| works.contains(*entity));
    match &state.work {
        // The browser test waits for this line rather than guessing from pixels.
        Some((_, id)) => info!("inspect: {id}"),
        None if !state.pending_launch => next.set(Panel::Closed),
        None => {}
    }
}

fn forget_preview(mut state: ResMut<InspectState>, mut contexts: EguiContexts) {
    if let Some(image) = state.preview.take() {
        contexts.remove_image(image);
    }
    state.pending_launch = false;
}

fn show_inspect(
    mut contexts: EguiContexts,
    keys: Res<ButtonInput<KeyCode>>,
    time: Res<Time<Real>>,
    level: Option<Res<ActiveLevel>>,
    log: Res<FeedbackLog>,
    scores: Option<Res<GalleryScores>>,
    mut state: ResMut<InspectState>,
    visitors: Query<(Entity, Option<&Focus>, Option<&VisitorId>), With<LocalVisitor>>,
    works: Query<(Entity, &Artwork, Option<&HighlightMaterial>)>,
    materials: Res<Assets<StandardMaterial>>,
    images: Res<Assets<Image>>,
    mut refusals: MessageReader<ActionRefused>,
    mut recorded: MessageReader<FeedbackRecorded>,
    mut actions: MessageWriter<FeedbackAction>,
    mut access: MarketAccess,
    mut next: ResMut<NextState<Panel>>,
) {
    let Some(level) = level.map(|l| Arc::clone(&l.0)) else {
        next.set(Panel::Closed);
        return;
    };
    let Ok((visitor, focus, visitor_id)) = visitors.single() else {
        return;
    };
    let state = &mut *state;

    // Asked for at launch: wait for the first focus test, then take its work or the first one.
    if state.work.is_none() && state.pending_launch {
        let Some(focus) = focus else {
            return;
        };
        state.work = focus.work.zip(focus.work_id.clone()).or_else(|| {
            works
                .iter()
                .min_by_key(|(_, art, _)| art.index)
                .map(|(entity, art, _)| (entity, art.id.clone()))
        });
        state.pending_launch = false;
    }
    let Some((entity, work_id)) = state.work.clone() else {
        next.set(Panel::Closed);
        return;
    };
    let Some(work) = level.works.iter().find(|w| w.id == work_id) else {
        next.set(Panel::Closed);
        return;
    };
    if state.draft_work != work_id {
        state.draft.clear();
        state.draft_work.clone_from(&work_id);
    }

    // What came back from earlier actions.
    let now = time.elapsed_secs_f64();
    if state.just_opened {
        refusals.clear();
        recorded.clear();
        access.done.clear();
        state.just_opened = false;
    }
    if let Some(outcome) = take_outcome(&mut access, visitor, &mut state.awaiting) {
        state.market_note = Some(outcome);
    }
    let wallet = access.wallet();
    // Only refusals of what this panel asked for: feedback on this work.
    let about_this_work = format!("\"{work_id}\"");
    for refusal in refusals
        .read()
        .filter(|r| r.visitor == visitor && r.action.ends_with(&about_this_work))
    {
        state.note = Some((Note::Refused(refusal_line(&refusal.reason)), now));
    }
    for done in recorded.read().filter(|r| r.visitor == visitor) {
        if done.event.what.work() == Some(work_id.as_str())
            && let Some(line) = confirmation(&done.event.what)
        {
            state.note = Some((Note::Done(line), now));
            if matches!(done.event.what, What::Comment { .. }) {
                state.draft.clear();
            }
        }
    }
    if matches!(&state.note, Some((Note::Done(_), at)) if now - at > CONFIRMATION_SECONDS) {
        state.note = None;
    }

    // The figures, from the log.
    let me = visitor_id.map(|v| v.id.as_str()).unwrap_or_default();
    let key = (log.events.len(), work_id.clone());
    if state.figures.as_ref().is_none_or(|f| f.key != key) {
        state.figures = Some(Figures {
            rating: log.rating(me, &work_id),
            liked: log.liked(me, &work_id),
            likes: like_count(&log.events, &work_id),
            comment_count: log.comments(&work_id).len(),
            comments: latest_comments(&log.events, &work_id, me, COMMENTS_SHOWN),
            key,
        });
    }
    let figures = state.figures.clone().unwrap_or_default();

    // The preview: the canvas texture, once it is a real picture (not a 1-pixel stand-in).
    let texture = works
        .get(entity)
        .ok()
        .and_then(|(_, _, highlight)| materials.get(&highlight?.0))
        .and_then(|m| m.base_color_texture.clone())
        .and_then(|handle| {
            let size = images.get(&handle)?.size();
            (size.x > 4 && size.y > 4).then_some((handle, size))
        });
    if state.preview != texture.as_ref().map(|(h, _)| h.id())
        && let Some(old) = state.preview.take()
    {
        contexts.remove_image(old);
    }
    let preview = texture.map(|(handle, size)| {
        state.preview = Some(handle.id());
        let id = contexts.add_image(EguiTextureHandle::Weak(handle.id()));
        (id, size.x as f32 / size.y as f32)
    });

    let Ok(ctx) = contexts.ctx_mut() else {
        return;
    };

    // Keys: Esc always closes (the confirmation dialog first, when it is open); E, 1 to 5, L
    // and scrolling only when not typing a comment, and not while the dialog is open.
    let confirming = state.confirm.is_some();
    let typing = ctx.memory(|m| m.has_focus(comment_id())) && !confirming;
    let any_typing = ctx.text_edit_focused() || confirming;
    if confirming && keys.just_pressed(KeyCode::Escape) {
        state.confirm = None;
    } else if keys.just_pressed(KeyCode::Escape)
        || (!any_typing && keys.just_pressed(KeyCode::KeyE))
    {
        next.set(Panel::Closed);
        return;
    }
    let mut wanted: Option<Action> = None;
    if !any_typing {
        if let Some(stars) = rating_key(keys.get_just_pressed().copied()) {
            wanted = Some(Action::Rate(i64::from(stars)));
        } else if keys.just_pressed(KeyCode::KeyL) {
            wanted = Some(Action::Like(!figures.liked));
        }
    }
    let scroll = if any_typing {
        0.0
    } else {
        ctx.input_mut(|i| {
            let none = egui::Modifiers::NONE;
            let mut count = |key| i.count_and_consume_key(none, key) as f32;
            LINE_SCROLL * (count(egui::Key::ArrowDown) - count(egui::Key::ArrowUp))
                + PAGE_SCROLL * (count(egui::Key::PageDown) - count(egui::Key::PageUp))
        })
    };
    // Enter in the comment box sends (Shift+Enter too: comments are one paragraph).
    let enter_sends = typing
        && ctx.input_mut(|i| {
            i.consume_key(egui::Modifiers::NONE, egui::Key::Enter)
                | i.consume_key(egui::Modifiers::SHIFT, egui::Key::Enter)
        });

    dim_gallery(ctx);
    let screen = ctx.content_rect();
    let width = (screen.width() - 100.0).clamp(280.0, 920.0);
    let body_height = (screen.height() - HUD_CLEARANCE - 175.0).max(240.0);
    let wide = width >= 720.0;
    let mut close = false;
    let mut send = enter_sends;
    let mut market_click: Option<Order> = None;
    // B buys the next edition, as the Buy button does (the confirmation still asks first).
    if !any_typing && keys.just_pressed(KeyCode::KeyB) {
        market_click = Some(Order::Buy {
            work: work_id.clone(),
        });
    }
    let market = access.market.as_deref();
    let subtitle = format!(
        "{}, {}  \u{b7}  {}",
        work.artist,
        year_label(work.year),
        room_name(&level, work.placement.room())
    );
    panel_window("Inspect", width).show(ctx, |ui| {
        ui.set_width(width);
        close = panel_heading(ui, &work.title, &subtitle);
        let mut right = |ui: &mut egui::Ui| {
            show_about(ui, work);
            ui.add_space(12.0);
            // The visitor's own response first, where it needs no scrolling; then the score.
            let response = show_response(ui, &figures, &mut state.draft, &state.note);
            wanted = wanted.take().or(response.action);
            send |= response.send;
            ui.add_space(12.0);
            let waiting = state.awaiting.is_some();
            if let Some(order) = show_market(
                ui,
                work,
                market,
                wallet.as_deref(),
                waiting,
                &state.market_note,
            ) {
                market_click = Some(order);
            }
            ui.add_space(12.0);
            show_score(ui, scores.as_deref().map(|s| &s.scores), &work_id);
            ui.add_space(12.0);
            show_comments(ui, &figures);
            if scroll != 0.0 {
                ui.scroll_with_delta(egui::vec2(0.0, -scroll));
            }
        };
        if wide {
            let left_width = (width * 0.36).clamp(260.0, 340.0);
            ui.horizontal_top(|ui| {
                ui.vertical(|ui| {
                    ui.set_width(left_width);
                    show_preview(ui, work, preview, left_width, body_height - 250.0);
                    ui.add_space(10.0);
                    show_facts(ui, work, market);
                });
                ui.add_space(20.0);
                ui.vertical(|ui| {
                    egui::ScrollArea::vertical()
                        .id_salt("inspect-scroll")
                        .max_height(body_height)
                        .auto_shrink([false, true])
                        .show(ui, |ui| {
                            ui.set_width(ui.available_width() - 14.0);
                            right(ui);
                        });
                });
            });
        } else {
            egui::ScrollArea::vertical()
                .id_salt("inspect-scroll")
                .max_height(body_height)
                .auto_shrink([false, true])
                .show(ui, |ui| {
                    ui.set_width(ui.available_width() - 14.0);
                    show_preview(ui, work, preview, ui.available_width(), body_height * 0.5);
                    ui.add_space(10.0);
                    show_facts(ui, work, market);
                    ui.add_space(12.0);
                    right(ui);
                });
        }
        ui.add_space(8.0);
        panel_hint(
            ui,
            "1\u{2013}5: rate    L: like    B: buy    Tab: to the comment box    Enter: send    \
             arrows, Page Up / Down: scroll    Esc or E: close",
        );
    });

    // A Buy button: quote the order and ask for confirmation.
    if let (Some(order), Some(market), Some(wallet)) = (market_click, market, wallet.as_deref()) {
        match ask(market, wallet, order.clone()) {
            Ok(confirmation) => {
                state.confirm = Some(confirmation);
                state.market_note = None;
            }
            Err(reason) => state.market_note = Some(outcome_text(&order, &Err(reason), None)),
        }
    }
    if let (Some(market), Some(wallet)) = (market, wallet.as_deref()) {
        match settle_confirmation(ctx, &mut state.confirm, market, &level, wallet) {
            Settled::Open | Settled::Closed(None) => {}
            Settled::Send(order) => {
                access.orders.write(MarketOrder {
                    visitor,
                    order: order.clone(),
                });
                state.awaiting = Some(order);
            }
            Settled::Closed(Some(note)) => state.market_note = Some(note),
        }
    }

    if send && !confirming && comment_sendable(&state.draft) {
        wanted = Some(Action::Comment(state.draft.clone()));
    }
    if let Some(action) = wanted {
        actions.write(FeedbackAction {
            visitor,
            work: work_id,
            action,
        });
    }
    if close {
        next.set(Panel::Closed);
    }
}

// ---------------------------------------------------------------------------------------------
// The parts of the panel.

fn section(ui: &mut egui::Ui, title: &str) {
    ui.label(egui::RichText::new(title).size(18.5).color(ACCENT));
}

/// The work's picture, as large as the column allows, or a placeholder naming the medium.
fn show_preview(
    ui: &mut egui::Ui,
    work: &Work,
    texture: Option<(egui::TextureId, f32)>,
    max_width: f32,
    max_height: f32,
) {
    let max = egui::vec2(max_width, max_height.max(150.0));
    if let Some((id, aspect)) = texture {
        let size = fit_preview(aspect, max);
        ui.vertical_centered(|ui| {
            egui::Frame::new()
                .fill(INSET)
                .stroke(egui::Stroke::new(1.0, MUTED.gamma_multiply(0.35)))
                .inner_margin(egui::Margin::same(6))
                .corner_radius(4)
                .show(ui, |ui| {
                    let response = ui.add(
                        egui::Image::new(egui::load::SizedTexture::new(id, size)).corner_radius(2),
                    );
                    response.widget_info(|| {
                        egui::WidgetInfo::labeled(egui::WidgetType::Image, true, &work.alt_text)
                    });
                });
        });
        return;
    }
    let aspect = if work.size.1 > 0.0 {
        work.size.0 / work.size.1
    } else {
        1.0
    };
    let size = fit_preview(aspect.clamp(0.6, 1.6), max);
    let (rect, response) = ui.allocate_exact_size(egui::vec2(max.x, size.y), egui::Sense::hover());
    response
        .widget_info(|| egui::WidgetInfo::labeled(egui::WidgetType::Image, true, &work.alt_text));
    paint_placeholder(ui.painter(), rect, work);
}

/// A quiet stand-in for a work without a picture: under a pool of light, a plinth with a
/// stacked form in the work's own colour (sculptures) or an empty frame, over the medium.
fn paint_placeholder(painter: &egui::Painter, rect: egui::Rect, work: &Work) {
    painter.rect_filled(rect, 4.0, INSET);
    painter.rect_stroke(
        rect,
        4.0,
        egui::Stroke::new(1.0, MUTED.gamma_multiply(0.35)),
        egui::StrokeKind::Inside,
    );
    let painter = painter.with_clip_rect(rect.shrink(1.0));
    let unit = rect.height().min(rect.width()) * 0.2;
    let centre = rect.center() - egui::vec2(0.0, rect.height() * 0.08);
    paint_glow(
        &painter,
        centre - egui::vec2(0.0, unit * 0.4),
        unit * 2.6,
        egui::Color32::from_rgba_unmultiplied(255, 236, 200, 30),
    );
    let edge = egui::Stroke::new(1.0, MUTED.gamma_multiply(0.45));
    if let WorkKind::Sculpture { color, .. } = &work.kind {
        let [r, g, b] = color.0;
        let tint = egui::Color32::from_rgb(r, g, b);
        let plinth = egui::Rect::from_center_size(
            centre + egui::vec2(0.0, unit * 1.0),
            egui::vec2(unit * 1.7, unit * 0.9),
        );
        painter.add(egui::Shape::ellipse_filled(
            plinth.center_bottom(),
            egui::vec2(unit * 1.3, unit * 0.14),
            egui::Color32::from_black_alpha(90),
        ));
        painter.rect_filled(plinth, 1.5, egui::Color32::from_rgb(66, 62, 56));
        painter.rect_filled(
            egui::Rect::from_min_size(plinth.min, egui::vec2(plinth.width(), 3.0)),
            1.5,
            egui::Color32::from_rgb(92, 87, 79),
        );
        // Stones or volumes, largest at the bottom, each lit from the upper left.
        let mut base = plinth.top();
        for (rx, ry) in [(0.62, 0.3), (0.5, 0.27), (0.4, 0.24), (0.27, 0.19)] {
            let radius = egui::vec2(rx * unit, ry * unit);
            let middle = egui::pos2(centre.x, base - radius.y * 0.9);
            painter.add(egui::Shape::ellipse_filled(middle, radius, tint));
            painter.add(egui::Shape::ellipse_filled(
                middle - radius * egui::vec2(0.3, 0.35),
                radius * 0.45,
                egui::Color32::from_white_alpha(26),
            ));
            painter.add(egui::Shape::ellipse_stroke(middle, radius, edge));
            base = middle.y - radius.y * 0.75;
        }
    } else {
        let frame = egui::Rect::from_center_size(centre, egui::vec2(unit * 2.6, unit * 2.0));
        painter.rect_stroke(frame, 2.0, edge, egui::StrokeKind::Inside);
        painter.rect_stroke(
            frame.shrink(unit * 0.25),
            1.0,
            egui::Stroke::new(1.0, MUTED.gamma_multiply(0.3)),
            egui::StrokeKind::Inside,
        );
    }
    let mut caption = egui::text::LayoutJob::single_section(
        work.medium.clone(),
        egui::TextFormat {
            font_id: egui::FontId::proportional(15.0),
            color: MUTED,
            italics: true,
            ..Default::default()
        },
    );
    caption.wrap = egui::text::TextWrapping::truncate_at_width(rect.width() - 24.0);
    let galley = painter.layout_job(caption);
    painter.galley(
        egui::pos2(
            rect.center().x - galley.size().x / 2.0,
            rect.bottom() - 14.0 - galley.size().y,
        ),
        galley,
        MUTED,
    );
}

/// A soft round pool of `colour`, fading to nothing at `radius`.
fn paint_glow(painter: &egui::Painter, centre: egui::Pos2, radius: f32, colour: egui::Color32) {
    let mut mesh = egui::Mesh::default();
    mesh.colored_vertex(centre, colour);
    let steps = 48u32;
    for i in 0..steps {
        let angle = std::f32::consts::TAU * i as f32 / steps as f32;
        mesh.colored_vertex(
            centre + radius * egui::vec2(angle.cos(), angle.sin()),
            egui::Color32::TRANSPARENT,
        );
    }
    for i in 0..steps {
        mesh.add_triangle(0, 1 + i, 1 + (i + 1) % steps);
    }
    painter.add(egui::Shape::mesh(mesh));
}

/// Price, editions (as the ledger has them, once the market is open), license and the
/// royalty split.
fn show_facts(ui: &mut egui::Ui, work: &Work, market: Option<&Market>) {
    let registered = market.and_then(|m| m.state().works.get(&work.id));
    let price = registered.map_or(work.price, |w| tokens(w.price));
    let editions = registered.map_or_else(
        || editions_line(work.editions, work.editions),
        |w| {
            let left = w.editions.saturating_sub(w.sold);
            if left == 0 {
                format!("sold out, all {} owned", w.editions)
            } else {
                editions_line(i64::from(left), i64::from(w.editions))
            }
        },
    );
    egui::Grid::new("inspect-facts")
        .num_columns(2)
        .spacing([14.0, 5.0])
        .show(ui, |ui| {
            let name = |ui: &mut egui::Ui, text: &str| {
                ui.label(egui::RichText::new(text).color(MUTED));
            };
            name(ui, "Price");
            ui.label(egui::RichText::new(tokens_label(price)).color(INK));
            ui.end_row();
            name(ui, "Editions");
            ui.label(egui::RichText::new(editions).color(INK));
            ui.end_row();
            name(ui, "License");
            ui.label(egui::RichText::new(&work.license).color(INK_SOFT));
            ui.end_row();
        });
    ui.add_space(8.0);
    section(ui, "Royalty split");
    paint_split_bar(ui, work);
    egui::Grid::new("inspect-royalties")
        .num_columns(3)
        .spacing([10.0, 3.0])
        .show(ui, |ui| {
            for (index, share) in work.royalties.iter().enumerate() {
                ui.horizontal(|ui| {
                    let (dot, _) =
                        ui.allocate_exact_size(egui::vec2(10.0, 10.0), egui::Sense::hover());
                    ui.painter()
                        .circle_filled(dot.center(), 4.5, split_colour(index));
                    ui.label(egui::RichText::new(&share.recipient).color(INK_SOFT));
                });
                ui.label(
                    egui::RichText::new(role_name(share.role))
                        .text_style(egui::TextStyle::Small)
                        .color(MUTED),
                );
                ui.label(egui::RichText::new(percent_label(share.percent)).color(INK));
                ui.end_row();
            }
        });
}

/// The royalty shares side by side in one bar.
fn paint_split_bar(ui: &mut egui::Ui, work: &Work) {
    let (rect, _) =
        ui.allocate_exact_size(egui::vec2(ui.available_width(), 8.0), egui::Sense::hover());
    let total: f64 = work.royalties.iter().map(|s| s.percent.max(0.0)).sum();
    if total <= 0.0 {
        return;
    }
    let painter = ui.painter();
    painter.rect_filled(rect, 4.0, INSET);
    let mut x = rect.left();
    for (index, share) in work.royalties.iter().enumerate() {
        let w = rect.width() * (share.percent.max(0.0) / total) as f32;
        let part =
            egui::Rect::from_min_size(egui::pos2(x, rect.top()), egui::vec2(w, rect.height()));
        painter.rect_filled(part.shrink2(egui::vec2(0.5, 0.0)), 2.0, split_colour(index));
        x += w;
    }
}

/// The colour of the `index`th share: brass first, then quieter tones.
fn split_colour(index: usize) -> egui::Color32 {
    const TONES: [egui::Color32; 4] = [
        ACCENT,
        egui::Color32::from_rgb(150, 170, 160),
        egui::Color32::from_rgb(168, 140, 170),
        egui::Color32::from_rgb(120, 150, 190),
    ];
    TONES[index % TONES.len()]
}

/// The market for this work: what is left at what price, a Buy button (or why not), the
/// editions the visitor owns, resale listings by other wallets with their own Buy buttons,
/// and the last order's outcome. Returns the order a button asked for.
fn show_market(
    ui: &mut egui::Ui,
    work: &Work,
    market: Option<&Market>,
    me: Option<&str>,
    waiting: bool,
    note: &Option<Outcome>,
) -> Option<Order> {
    section(ui, "Collect");
    let Some(market) = market else {
        ui.label(egui::RichText::new("The market is opening\u{2026}").color(MUTED));
        return None;
    };
    let mut clicked = None;
    let small = |text: String, colour: egui::Color32| {
        egui::RichText::new(text)
            .text_style(egui::TextStyle::Small)
            .color(colour)
    };
    let registered = market.state().works.get(&work.id);
    if let Some(reason) = &market.closed {
        ui.label(egui::RichText::new(format!("The market is read-only: {reason}")).color(WARNING));
    } else if let Some(reason) = market.not_for_sale.get(&work.id) {
        ui.label(egui::RichText::new(format!("Not for sale: {reason}.")).color(WARNING));
    }
    if let Some(differences) = market.overridden.get(&work.id) {
        ui.label(small(
            "The ledger keeps the registered terms; the level was edited since.".into(),
            WARNING,
        ))
        .on_hover_text(differences.join("\n"));
    }
    let registered = registered?;
    let left = registered.editions.saturating_sub(registered.sold);
    let price = tokens_label(tokens(registered.price));
    let status = if left == 0 {
        format!("Sold out: all {} editions are owned.", registered.editions)
    } else if registered.editions == 1 {
        format!("A unique work, {price}.")
    } else {
        format!(
            "{left} of {} editions left, {price} each.",
            registered.editions
        )
    };
    ui.label(egui::RichText::new(status).color(INK_SOFT));

    // The next edition.
    let open = market.closed.is_none() && !market.not_for_sale.contains_key(&work.id);
    if left > 0 && open {
        let buy = Order::Buy {
            work: work.id.clone(),
        };
        let quote = match me {
            Some(me) => market.quote(me, &buy),
            None => Err("your wallet is being opened".into()),
        };
        ui.horizontal(|ui| {
            let label = if registered.editions == 1 {
                format!("Buy it \u{b7} {price}")
            } else {
                format!(
                    "Buy edition {} of {} \u{b7} {price}",
                    registered.sold + 1,
                    registered.editions
                )
            };
            let button = ui.add_enabled(
                quote.is_ok() && !waiting,
                egui::Button::new(egui::RichText::new(label).color(INK))
                    .fill(egui::Color32::from_rgb(104, 80, 42)),
            );
            if button.clicked() {
                clicked = Some(buy.clone());
            }
            if let Some(balance) = me.and_then(|me| market.balance(me)) {
                ui.label(small(
                    format!("your wallet: {}", tokens_label(tokens(balance))),
                    MUTED,
                ));
            }
        });
        if let Err(reason) = &quote {
            ui.label(small(format!("You cannot buy it: {reason}."), WARNING));
        }
    }

    // What the visitor already owns of it.
    if let Some(me) = me {
        let mine: Vec<u32> = market
            .collection(me)
            .into_iter()
            .filter(|(w, _)| *w == work.id)
            .map(|(_, n)| n)
            .collect();
        if !mine.is_empty() {
            let list: Vec<String> = mine.iter().map(u32::to_string).collect();
            let noun = if mine.len() == 1 {
                "edition"
            } else {
                "editions"
            };
            ui.label(small(
                format!(
                    "You own {noun} {} \u{2014} see your collection for its certificate.",
                    list.join(", ")
                ),
                ACCENT,
            ));
        }
    }

    // Resale listings.
    let listings = market.listings(&work.id);
    if !listings.is_empty() {
        ui.add_space(4.0);
        ui.label(egui::RichText::new("Offered for resale").color(MUTED));
        egui::Grid::new("inspect-listings")
            .num_columns(4)
            .spacing([14.0, 4.0])
            .min_col_width(0.0)
            .show(ui, |ui| {
                for (edition, seller, asking) in &listings {
                    ui.label(egui::RichText::new(format!("Edition {edition}")).color(INK_SOFT));
                    let own = me == Some(seller.as_str());
                    ui.label(if own {
                        small("your listing".into(), ACCENT)
                    } else {
                        small(format!("from {}", wallet_name(seller, me)), MUTED)
                    });
                    ui.label(egui::RichText::new(tokens_label(tokens(*asking))).color(INK));
                    if own {
                        ui.label("");
                    } else {
                        let order = Order::BuyListing {
                            work: work.id.clone(),
                            edition: *edition,
                        };
                        let quote = match me {
                            Some(me) if open => market.quote(me, &order).map(|_| ()),
                            Some(_) => Err("the market is read-only".into()),
                            None => Err("your wallet is being opened".into()),
                        };
                        let button = ui
                            .add_enabled(quote.is_ok() && !waiting, egui::Button::new("Buy"))
                            .on_disabled_hover_text(match &quote {
                                Err(reason) => format!("You cannot buy it: {reason}."),
                                Ok(()) => "Waiting for the last order\u{2026}".into(),
                            });
                        if button.clicked() {
                            clicked = Some(order);
                        }
                    }
                    ui.end_row();
                }
            });
    }

    if waiting {
        ui.label(small("Signing it into the ledger\u{2026}".into(), MUTED));
    } else if let Some((ok, text)) = note {
        ui.label(egui::RichText::new(text).color(if *ok { ACCENT } else { WARNING }));
    }
    clicked
}

/// The description and the alt text.
fn show_about(ui: &mut egui::Ui, work: &Work) {
    ui.label(
        egui::RichText::new(format!("{}  \u{b7}  {}", work.medium, work.kind.name())).color(MUTED),
    );
    ui.add_space(2.0);
    ui.label(egui::RichText::new(&work.description).color(INK_SOFT));
    ui.add_space(6.0);
    section(ui, "What it shows");
    ui.label(egui::RichText::new(&work.alt_text).color(INK_SOFT));
}

/// The learned quality score: the number, whether visitors' ratings back it, how sure it is,
/// and which features move it away from an average work's score.
fn show_score(ui: &mut egui::Ui, scores: Option<&Scores>, work_id: &str) {
    section(ui, "Score");
    let Some(scores) = scores else {
        ui.label(egui::RichText::new("Score: being computed\u{2026}").color(MUTED));
        return;
    };
    let Some(score) = scores.per_work.iter().find(|s| s.work == work_id) else {
        ui.label(egui::RichText::new("This work is not scored.").color(MUTED));
        return;
    };
    let measured = score.ratings > 0;
    ui.horizontal(|ui| {
        let figure = if measured {
            format!("{:.1}", score.predicted)
        } else {
            format!("\u{2248}{:.1}", score.predicted)
        };
        ui.label(egui::RichText::new(figure).size(26.0).strong().color(INK));
        ui.label(egui::RichText::new("of 5").color(MUTED));
        ui.add_space(8.0);
        ui.vertical(|ui| {
            ui.spacing_mut().item_spacing.y = 1.0;
            let (status, colour) = if measured {
                (score_status(score), INK_SOFT)
            } else {
                (score_status(score), WARNING)
            };
            ui.label(
                egui::RichText::new(status)
                    .text_style(egui::TextStyle::Small)
                    .color(colour),
            );
            confidence_bar(ui, score.confidence);
        });
    });
    ui.add_space(2.0);
    let shown = strongest(&score.contributions, CONTRIBUTIONS_SHOWN);
    let flat = shown.iter().all(|(_, v)| v.abs() < 0.005);
    if flat {
        panel_hint(
            ui,
            "No feature moves this score yet: the model learns from visitors' ratings.",
        );
    } else {
        contribution_chart(ui, &shown);
    }
    ui.label(
        egui::RichText::new(format!(
            "An average work scores {:.1}{}",
            scores.baseline,
            if flat {
                "."
            } else {
                "; the bars show what moves this one from there."
            }
        ))
        .text_style(egui::TextStyle::Small)
        .color(MUTED),
    );
}

/// How sure the score is, as a thin bar and a percentage.
fn confidence_bar(ui: &mut egui::Ui, confidence: f64) {
    let confidence = if confidence.is_finite() {
        confidence.clamp(0.0, 1.0) as f32
    } else {
        0.0
    };
    ui.horizontal(|ui| {
        let (rect, response) = ui.allocate_exact_size(egui::vec2(110.0, 6.0), egui::Sense::hover());
        let painter = ui.painter();
        painter.rect_filled(rect, 3.0, INSET);
        painter.rect_stroke(
            rect,
            3.0,
            egui::Stroke::new(1.0, MUTED.gamma_multiply(0.4)),
            egui::StrokeKind::Inside,
        );
        if confidence > 0.0 {
            let filled = egui::Rect::from_min_size(
                rect.min,
                egui::vec2(rect.width() * confidence, rect.height()),
            );
            painter.rect_filled(filled, 3.0, ACCENT);
        }
        let text = format!("confidence {:.0}%", confidence * 100.0);
        response.widget_info(|| {
            egui::WidgetInfo::labeled(egui::WidgetType::ProgressIndicator, true, &text)
        });
        ui.label(
            egui::RichText::new(text)
                .text_style(egui::TextStyle::Small)
                .color(MUTED),
        );
    });
}

/// A horizontal diverging bar chart: one row per feature, bars to the right of the centre line
/// raise the score, bars to the left lower it, each with its value in stars.
fn contribution_chart(ui: &mut egui::Ui, shown: &[(String, f64)]) {
    let font = egui::FontId::proportional(13.0);
    let row = 19.0;
    let width = ui.available_width();
    let (rect, _) = ui.allocate_exact_size(
        egui::vec2(width, row * shown.len() as f32 + 4.0),
        egui::Sense::hover(),
    );
    let label_width = (width * 0.38).clamp(110.0, 190.0);
    let value_width = 42.0;
    let chart = egui::Rect::from_min_max(
        egui::pos2(rect.left() + label_width + value_width, rect.top()),
        egui::pos2(rect.right() - value_width, rect.bottom()),
    );
    let half = (chart.width() / 2.0).max(10.0);
    let centre = chart.center().x;
    let largest = shown
        .iter()
        .map(|(_, v)| v.abs())
        .fold(0.0_f64, f64::max)
        .max(1e-9);
    let painter = ui.painter_at(rect);
    for (index, (name, value)) in shown.iter().enumerate() {
        let top = rect.top() + 2.0 + row * index as f32;
        let middle = top + row / 2.0;
        let label = feature_label(name);
        let mut job = egui::text::LayoutJob::single_section(
            label.clone(),
            egui::TextFormat::simple(font.clone(), INK_SOFT),
        );
        job.wrap = egui::text::TextWrapping::truncate_at_width(label_width - 8.0);
        let galley = painter.layout_job(job);
        painter.galley(
            egui::pos2(rect.left(), middle - galley.size().y / 2.0),
            galley,
            INK_SOFT,
        );
        let length = half * (value.abs() / largest) as f32;
        let (colour, bar) = if *value >= 0.0 {
            (
                RAISES,
                egui::Rect::from_min_max(
                    egui::pos2(centre, top + 4.0),
                    egui::pos2(centre + length, top + row - 4.0),
                ),
            )
        } else {
            (
                LOWERS,
                egui::Rect::from_min_max(
                    egui::pos2(centre - length, top + 4.0),
                    egui::pos2(centre, top + row - 4.0),
                ),
            )
        };
        painter.rect_filled(bar, 2.0, colour);
        let (anchor, align) = if *value >= 0.0 {
            (
                egui::pos2(bar.right() + 5.0, middle),
                egui::Align2::LEFT_CENTER,
            )
        } else {
            (
                egui::pos2(bar.left() - 5.0, middle),
                egui::Align2::RIGHT_CENTER,
            )
        };
        painter.text(
            anchor,
            align,
            contribution_value(*value),
            font.clone(),
            colour,
        );
        // Each row answers to a screen reader and a hover with the feature's own name.
        let row_rect =
            egui::Rect::from_min_size(egui::pos2(rect.left(), top), egui::vec2(rect.width(), row));
        let response = ui.interact(
            row_rect,
            ui.id().with(("inspect-contribution", index)),
            egui::Sense::hover(),
        );
        let spoken = format!("{label}: {} stars", contribution_value(*value));
        response.widget_info(|| egui::WidgetInfo::labeled(egui::WidgetType::Label, true, &spoken));
        response.on_hover_text(format!(
            "{name}: {} the score by {:.2} stars",
            if *value >= 0.0 { "raises" } else { "lowers" },
            value.abs()
        ));
    }
    painter.line_segment(
        [
            egui::pos2(centre, rect.top()),
            egui::pos2(centre, rect.bottom()),
        ],
        egui::Stroke::new(1.0, MUTED.gamma_multiply(0.7)),
    );
}

/// What the response controls asked for this frame.
struct ResponseOutcome {
    action: Option<Action>,
    send: bool,
}

/// Stars, like, and the comment box.
fn show_response(
    ui: &mut egui::Ui,
    figures: &Figures,
    draft: &mut String,
    note: &Option<(Note, f64)>,
) -> ResponseOutcome {
    let mut outcome = ResponseOutcome {
        action: None,
        send: false,
    };
    section(ui, "Your response");
    ui.horizontal(|ui| {
        if let Some(stars) = star_rating(ui, figures.rating) {
            outcome.action = Some(Action::Rate(i64::from(stars)));
        }
        ui.add_space(6.0);
        let caption = match figures.rating {
            Some(n) => format!("you gave {n} of 5"),
            None => "not rated".into(),
        };
        ui.label(
            egui::RichText::new(caption)
                .text_style(egui::TextStyle::Small)
                .color(MUTED),
        );
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            ui.label(
                egui::RichText::new(likes_label(figures.likes))
                    .text_style(egui::TextStyle::Small)
                    .color(MUTED),
            );
            if like_toggle(ui, figures.liked).clicked() {
                outcome.action = Some(Action::Like(!figures.liked));
            }
        });
    });
    ui.add_space(4.0);
    // Long comments scroll inside their box rather than push the rest of the panel away.
    egui::ScrollArea::vertical()
        .id_salt("inspect-comment-scroll")
        .max_height(112.0)
        .show(ui, |ui| {
            ui.add(
                egui::TextEdit::multiline(draft)
                    .id(comment_id())
                    .hint_text("Leave a comment for the artist and the curator")
                    .font(egui::TextStyle::Body)
                    .margin(egui::Margin::symmetric(10, 7))
                    .desired_rows(2)
                    .desired_width(f32::INFINITY),
            );
        });
    ui.horizontal(|ui| {
        let length = comment_length(draft);
        let over = length > MAX_COMMENT_CHARS;
        let counter = if over {
            format!(
                "{length} / {MAX_COMMENT_CHARS}  \u{b7}  {} too many",
                length - MAX_COMMENT_CHARS
            )
        } else {
            format!("{length} / {MAX_COMMENT_CHARS}")
        };
        ui.label(
            egui::RichText::new(counter)
                .text_style(egui::TextStyle::Small)
                .color(if over { WARNING } else { MUTED }),
        );
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            let sendable = length > 0 && !over;
            let send = ui
                .add_enabled(
                    sendable,
                    egui::Button::new("Send").min_size(egui::vec2(84.0, 0.0)),
                )
                .on_hover_text("Enter in the comment box sends too")
                .on_disabled_hover_text(if over {
                    "Shorten the comment to send it"
                } else {
                    "Write something first"
                });
            outcome.send = send.clicked();
            if let Some((note, _)) = note {
                let (text, colour) = match note {
                    Note::Done(text) => (text, ACCENT),
                    Note::Refused(text) => (text, WARNING),
                };
                ui.add(egui::Label::new(egui::RichText::new(text).color(colour)).truncate());
            }
        });
    });
    outcome
}

/// Five stars: the rating so far, filled; hovering previews; a click rates. Returns the stars
/// chosen this frame.
fn star_rating(ui: &mut egui::Ui, rating: Option<u8>) -> Option<u8> {
    let mut chosen = None;
    let mut responses = Vec::with_capacity(5);
    ui.scope(|ui| {
        ui.spacing_mut().item_spacing.x = 2.0;
        for stars in 1..=5u8 {
            let (rect, response) =
                ui.allocate_exact_size(egui::vec2(30.0, 30.0), egui::Sense::click());
            response.widget_info(|| {
                egui::WidgetInfo::selected(
                    egui::WidgetType::Button,
                    true,
                    rating == Some(stars),
                    format!("Rate {stars} of 5"),
                )
            });
            if response.clicked() {
                chosen = Some(stars);
            }
            responses.push((rect, response));
        }
    });
    let hovered = responses
        .iter()
        .position(|(_, r)| r.hovered() || r.has_focus())
        .map(|i| i as u8 + 1);
    let shown = hovered.or(rating).unwrap_or(0);
    for (index, (rect, response)) in responses.iter().enumerate() {
        let stars = index as u8 + 1;
        let lit = stars <= shown;
        let colour = match (lit, hovered.is_some()) {
            (true, true) => ACCENT.gamma_multiply(0.75),
            (true, false) => ACCENT,
            (false, _) => MUTED.gamma_multiply(0.6),
        };
        if response.has_focus() {
            ui.painter().rect_stroke(
                rect.shrink(1.0),
                5.0,
                egui::Stroke::new(1.5, ACCENT),
                egui::StrokeKind::Inside,
            );
        }
        paint_star(ui.painter(), rect.center(), 11.0, lit, colour);
    }
    chosen
}

/// A five-pointed star, filled or drawn in outline.
fn paint_star(
    painter: &egui::Painter,
    centre: egui::Pos2,
    radius: f32,
    filled: bool,
    colour: egui::Color32,
) {
    let points: Vec<egui::Pos2> = (0..10)
        .map(|i| {
            let r = if i % 2 == 0 { radius } else { radius * 0.45 };
            let angle = std::f32::consts::PI * (i as f32 / 5.0 - 0.5);
            centre + r * egui::vec2(angle.cos(), angle.sin())
        })
        .collect();
    paint_fan(painter, centre, points, filled, colour);
}

/// A heart, filled or drawn in outline, `size` points wide.
fn paint_heart(
    painter: &egui::Painter,
    centre: egui::Pos2,
    size: f32,
    filled: bool,
    colour: egui::Color32,
) {
    let scale = size / 34.0;
    let points: Vec<egui::Pos2> = (0..48)
        .map(|i| {
            let t = std::f32::consts::TAU * i as f32 / 48.0;
            let x = 16.0 * t.sin().powi(3);
            let y =
                13.0 * t.cos() - 5.0 * (2.0 * t).cos() - 2.0 * (3.0 * t).cos() - (4.0 * t).cos();
            centre + scale * egui::vec2(x, -y - 2.0)
        })
        .collect();
    paint_fan(painter, centre, points, filled, colour);
}

/// Fills a shape that every point of can be seen from `centre` (a fan of triangles, smoothed
/// by an outline), or only outlines it.
fn paint_fan(
    painter: &egui::Painter,
    centre: egui::Pos2,
    points: Vec<egui::Pos2>,
    filled: bool,
    colour: egui::Color32,
) {
    if filled {
        let mut mesh = egui::Mesh::default();
        mesh.colored_vertex(centre, colour);
        for p in &points {
            mesh.colored_vertex(*p, colour);
        }
        let n = points.len() as u32;
        for i in 0..n {
            mesh.add_triangle(0, 1 + i, 1 + (i + 1) % n);
        }
        painter.add(egui::Shape::mesh(mesh));
    }
    painter.add(egui::Shape::closed_line(
        points,
        egui::Stroke::new(if filled { 1.0 } else { 1.4 }, colour),
    ));
}

/// The Like / Liked toggle, with a heart.
fn like_toggle(ui: &mut egui::Ui, liked: bool) -> egui::Response {
    let label = if liked { "Liked" } else { "Like" };
    let font = egui::TextStyle::Button.resolve(ui.style());
    let galley = ui.painter().layout_no_wrap(label.to_string(), font, INK);
    let size = egui::vec2(galley.size().x + 58.0, ui.spacing().interact_size.y);
    let (rect, response) = ui.allocate_exact_size(size, egui::Sense::click());
    response
        .widget_info(|| egui::WidgetInfo::selected(egui::WidgetType::Button, true, liked, "Like"));
    let visuals = ui.style().interact_selectable(&response, liked);
    let painter = ui.painter();
    painter.rect(
        rect.expand(visuals.expansion),
        visuals.corner_radius,
        if liked {
            visuals.bg_fill
        } else {
            visuals.weak_bg_fill
        },
        visuals.bg_stroke,
        egui::StrokeKind::Inside,
    );
    let heart = egui::pos2(rect.left() + 22.0, rect.center().y);
    let colour = if liked { WARNING } else { MUTED };
    paint_heart(painter, heart, 17.0, liked, colour);
    painter.galley(
        egui::pos2(rect.left() + 38.0, rect.center().y - galley.size().y / 2.0),
        galley,
        INK,
    );
    response.on_hover_text(if liked {
        "L: take the like back"
    } else {
        "L: like"
    })
}

/// The latest comments on the work.
fn show_comments(ui: &mut egui::Ui, figures: &Figures) {
    section(
        ui,
        &match figures.comment_count {
            0 => "Comments".to_string(),
            n => format!("Comments ({n})"),
        },
    );
    if figures.comments.is_empty() {
        ui.label(egui::RichText::new("No comments yet. Yours could be the first.").color(MUTED));
        return;
    }
    for comment in &figures.comments {
        card_frame().show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.spacing_mut().item_spacing.y = 2.0;
            ui.label(egui::RichText::new(&comment.text).color(INK_SOFT));
            let who = if comment.mine { "You" } else { "A visitor" };
            ui.label(
                egui::RichText::new(format!("{who}  \u{b7}  {}", date_label(comment.time_ms)))
                    .text_style(egui::TextStyle::Small)
                    .color(MUTED),
            );
        });
        ui.add_space(2.0);
    }
    if figures.comment_count > figures.comments.len() {
        panel_hint(
            ui,
            &format!(
                "and {} earlier",
                figures.comment_count - figures.comments.len()
            ),
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Pure logic.

/// The rating a key press gives: 1 to 5 on the digit row or the number pad.
pub fn rating_key(pressed: impl IntoIterator<Item = KeyCode>) -> Option<u8> {
    pressed.into_iter().find_map(|key| match key {
        KeyCode::Digit1 | KeyCode::Numpad1 => Some(1),
        KeyCode::Digit2 | KeyCode::Numpad2 => Some(2),
        KeyCode::Digit3 | KeyCode::Numpad3 => Some(3),
        KeyCode::Digit4 | KeyCode::Numpad4 => Some(4),
        KeyCode::Digit5 | KeyCode::Numpad5 => Some(5),
        _ => None,
    })
}

/// How many visitors like the work now (each visitor's last like or unlike counts).
pub fn like_count(events: &[FeedbackEvent], work: &str) -> usize {
    let mut state: std::collections::HashMap<&str, bool> = std::collections::HashMap::new();
    for event in events {
        if let What::Like { work: w, liked } = &event.what
            && w == work
        {
            state.insert(event.visitor.as_str(), *liked);
        }
    }
    state.values().filter(|&&liked| liked).count()
}

/// A comment as the panel lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct CommentLine {
    pub text: String,
    /// Written by the visitor at this computer.
    pub mine: bool,
    pub time_ms: u64,
}

/// The newest `limit` comments on the work, newest first.
pub fn latest_comments(
    events: &[FeedbackEvent],
    work: &str,
    me: &str,
    limit: usize,
) -> Vec<CommentLine> {
    events
        .iter()
        .rev()
        .filter_map(|e| match &e.what {
            What::Comment { work: w, text } if w == work => Some(CommentLine {
                text: text.clone(),
                mine: !me.is_empty() && e.visitor == me,
                time_ms: e.time_ms,
            }),
            _ => None,
        })
        .take(limit)
        .collect()
}

/// The length of a comment as it would be stored (whitespace runs count once), in characters.
pub fn comment_length(raw: &str) -> usize {
    match clean_comment(raw) {
        Ok(text) => text.chars().count(),
        Err(Refusal::CommentTooLong(n)) => n,
        Err(_) => 0,
    }
}

/// Whether a draft can be sent: something left after cleaning, and not too long.
pub fn comment_sendable(raw: &str) -> bool {
    (1..=MAX_COMMENT_CHARS).contains(&comment_length(raw))
}

/// "3 of 8 editions available"; "1 of 1 edition available".
pub fn editions_line(available: i64, editions: i64) -> String {
    let noun = if editions == 1 { "edition" } else { "editions" };
    format!("{available} of {editions} {noun} available")
}

/// A price in whole tokens, thousands grouped: "1,850 tokens", "1 token".
pub fn tokens_label(price: i64) -> String {
    let digits = price.unsigned_abs().to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if price < 0 { "-" } else { "" };
    let noun = if price == 1 { "token" } else { "tokens" };
    format!("{sign}{grouped} {noun}")
}

/// A share as a percentage: "85%", "12.5%".
pub fn percent_label(percent: f64) -> String {
    let rounded = (percent * 100.0).round() / 100.0;
    if rounded.fract() == 0.0 {
        format!("{rounded:.0}%")
    } else {
        let text = format!("{rounded:.2}");
        format!("{}%", text.trim_end_matches('0'))
    }
}

pub fn role_name(role: Role) -> &'static str {
    match role {
        Role::Artist => "artist",
        Role::Curator => "curator",
        Role::Gallery => "gallery",
        Role::Other => "other",
    }
}

/// "1 like", "12 likes", "No likes yet".
pub fn likes_label(likes: usize) -> String {
    match likes {
        0 => "no likes yet".into(),
        1 => "1 like".into(),
        n => format!("{n} likes"),
    }
}

/// A feature's name as a visitor reads it: "engagement.mean_dwell" → "Time visitors spend",
/// "curator.novelty" → "Novelty (curator)"; an unknown one is tidied ("x.fine_grain" →
/// "Fine grain").
pub fn feature_label(name: &str) -> String {
    let known = match name {
        "engagement.views" => "How often it is viewed",
        "engagement.mean_dwell" => "Time visitors spend",
        "engagement.likes" => "Likes",
        "image.luminance" => "Brightness",
        "image.contrast" => "Contrast",
        "image.colourfulness" => "Colourfulness",
        "image.edge_density" => "Fine detail",
        "image.colour_entropy" => "Variety of colour",
        "comments.sentiment" => "Tone of comments",
        _ => "",
    };
    if !known.is_empty() {
        return known.to_string();
    }
    let (group, rest) = name.split_once('.').unwrap_or(("", name));
    let words = rest.replace(['_', '.', '-'], " ");
    let words = words.trim();
    let mut chars = words.chars();
    let tidy = match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect::<String>(),
        None => name.to_string(),
    };
    if group == "curator" {
        format!("{tidy} (curator)")
    } else {
        tidy
    }
}

/// The `n` contributions of largest magnitude, largest first (ties keep their order).
pub fn strongest(contributions: &[(String, f64)], n: usize) -> Vec<(String, f64)> {
    let mut sorted: Vec<(String, f64)> = contributions
        .iter()
        .filter(|(_, v)| v.is_finite())
        .cloned()
        .collect();
    sorted.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()));
    sorted.truncate(n);
    sorted
}

/// A contribution in stars, signed: "+0.42", "-0.18".
pub fn contribution_value(value: f64) -> String {
    let rounded = (value * 100.0).round() / 100.0;
    if rounded == 0.0 {
        "0.00".into()
    } else {
        format!("{rounded:+.2}")
    }
}

/// Beside the score: visitors' mean and how many rated, or that the model predicts it.
pub fn score_status(score: &WorkScore) -> String {
    match (score.ratings, score.measured_mean) {
        (0, _) | (_, None) => "predicted from the work itself; no ratings yet".into(),
        (1, Some(mean)) => format!("visitors' mean {mean:.1} from 1 rating"),
        (n, Some(mean)) => format!("visitors' mean {mean:.1} from {n} ratings"),
    }
}

/// What a stored action says back to the visitor.
fn confirmation(what: &What) -> Option<String> {
    Some(match what {
        What::Rating { stars: 1, .. } => "Rated 1 star.".into(),
        What::Rating { stars, .. } => format!("Rated {stars} stars."),
        What::Like { liked: true, .. } => "Liked.".into(),
        What::Like { liked: false, .. } => "Like taken back.".into(),
        What::Comment { .. } => "Comment sent. Thank you.".into(),
        What::Dwell { .. } | What::Position { .. } => return None,
    })
}

/// A refusal as a sentence: "Not saved: the comment is empty."
fn refusal_line(reason: &str) -> String {
    let reason = reason.trim().trim_end_matches('.');
    format!("Not saved: {reason}.")
}

/// The largest size with this aspect ratio (width / height) inside `max`.
pub fn fit_preview(aspect: f32, max: egui::Vec2) -> egui::Vec2 {
    let aspect = if aspect.is_finite() && aspect > 0.0 {
        aspect
    } else {
        1.0
    };
    if max.x / max.y > aspect {
        egui::vec2(max.y * aspect, max.y)
    } else {
        egui::vec2(max.x, max.x / aspect)
    }
}

/// A Unix time in milliseconds as a date: "7 Mar 2025" (UTC).
pub fn date_label(time_ms: u64) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let (year, month, day) = civil_date((time_ms / 86_400_000) as i64);
    format!("{day} {} {year}", MONTHS[(month - 1) as usize])
}

/// (year, month 1..=12, day 1..=31) of a day counted from 1970-01-01, proleptic Gregorian.
fn civil_date(days: i64) -> (i64, u32, u32) {
    // Count from 0000-03-01, so that the leap day ends each 4-, 100- and 400-year cycle.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153; // 0 = March
    let day = (day_of_year - (153 * month_index + 2) / 5 + 1) as u32;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feedback::event::EVENT_SCHEMA;

    fn event(visitor: &str, seq: u64, what: What) -> FeedbackEvent {
        FeedbackEvent {
            v: EVENT_SCHEMA,
            id: format!("{visitor}-{seq}"),
            visitor: visitor.into(),
            time_ms: 1_700_000_000_000 + seq,
            what,
        }
    }

    fn like(visitor: &str, seq: u64, work: &str, liked: bool) -> FeedbackEvent {
        event(
            visitor,
            seq,
            What::Like {
                work: work.into(),
                liked,
            },
        )
    }

    #[test]
    fn digits_one_to_five_rate_on_either_keypad() {
        assert_eq!(rating_key([KeyCode::Digit1]), Some(1));
        assert_eq!(rating_key([KeyCode::Numpad4]), Some(4));
        assert_eq!(rating_key([KeyCode::KeyW, KeyCode::Digit5]), Some(5));
        assert_eq!(rating_key([KeyCode::Digit0, KeyCode::Digit6]), None);
        assert_eq!(rating_key([]), None);
    }

    #[test]
    fn likes_count_each_visitor_once_by_their_last_word() {
        let events = vec![
            like("a", 1, "lake", true),
            like("a", 2, "lake", true),
            like("b", 1, "lake", true),
            like("b", 2, "lake", false),
            like("c", 1, "erg", true),
            like("d", 1, "lake", false),
            like("d", 2, "lake", true),
        ];
        assert_eq!(like_count(&events, "lake"), 2);
        assert_eq!(like_count(&events, "erg"), 1);
        assert_eq!(like_count(&events, "pines"), 0);
    }

    #[test]
    fn latest_comments_come_newest_first_and_mark_mine() {
        let comment = |v: &str, seq, text: &str| {
            event(
                v,
                seq,
                What::Comment {
                    work: "lake".into(),
                    text: text.into(),
                },
            )
        };
        let events = vec![
            comment("a", 1, "first"),
            comment("me", 2, "second"),
            like("a", 3, "lake", true),
            comment("b", 4, "third"),
        ];
        let listed = latest_comments(&events, "lake", "me", 2);
        let texts: Vec<&str> = listed.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, ["third", "second"]);
        assert_eq!(
            listed.iter().map(|c| c.mine).collect::<Vec<_>>(),
            [false, true]
        );
        assert!(latest_comments(&events, "erg", "me", 5).is_empty());
        // Without an id, nothing is "mine".
        assert!(
            latest_comments(&events, "lake", "", 5)
                .iter()
                .all(|c| !c.mine)
        );
    }

    #[test]
    fn the_counter_counts_what_would_be_stored() {
        assert_eq!(comment_length(""), 0);
        assert_eq!(comment_length("   "), 0);
        assert_eq!(comment_length("  lovely   light "), 12);
        assert_eq!(comment_length("é".repeat(10).as_str()), 10);
        assert_eq!(
            comment_length(&"x".repeat(MAX_COMMENT_CHARS + 20)),
            MAX_COMMENT_CHARS + 20
        );
    }

    #[test]
    fn only_a_comment_that_would_be_kept_can_be_sent() {
        assert!(!comment_sendable(""));
        assert!(!comment_sendable(" \n\t "));
        assert!(comment_sendable("Lovely."));
        assert!(comment_sendable(&"x".repeat(MAX_COMMENT_CHARS)));
        assert!(!comment_sendable(&"x".repeat(MAX_COMMENT_CHARS + 1)));
    }

    #[test]
    fn labels_for_price_editions_shares_and_likes() {
        assert_eq!(tokens_label(1850), "1,850 tokens");
        assert_eq!(tokens_label(680), "680 tokens");
        assert_eq!(tokens_label(1), "1 token");
        assert_eq!(tokens_label(1_234_567), "1,234,567 tokens");
        assert_eq!(tokens_label(0), "0 tokens");
        assert_eq!(editions_line(8, 8), "8 of 8 editions available");
        assert_eq!(editions_line(1, 1), "1 of 1 edition available");
        assert_eq!(percent_label(85.0), "85%");
        assert_eq!(percent_label(12.5), "12.5%");
        assert_eq!(percent_label(33.333), "33.33%");
        assert_eq!(likes_label(0), "no likes yet");
        assert_eq!(likes_label(1), "1 like");
        assert_eq!(likes_label(7), "7 likes");
        assert_eq!(role_name(Role::Curator), "curator");
    }

    #[test]
    fn confirmations_and_refusals_read_as_sentences() {
        let rated = What::Rating {
            work: "w".into(),
            stars: 4,
        };
        assert_eq!(confirmation(&rated).as_deref(), Some("Rated 4 stars."));
        assert_eq!(
            confirmation(&What::Position { x: 0.0, z: 0.0 }),
            None,
            "where a visitor stands is not news to them"
        );
        assert_eq!(
            refusal_line("the comment is empty"),
            "Not saved: the comment is empty."
        );
    }

    #[test]
    fn previews_keep_their_aspect_inside_the_box() {
        let max = egui::vec2(300.0, 200.0);
        assert_eq!(fit_preview(1.5, max), egui::vec2(300.0, 200.0));
        assert_eq!(fit_preview(3.0, max), egui::vec2(300.0, 100.0));
        assert_eq!(fit_preview(0.5, max), egui::vec2(100.0, 200.0));
        assert_eq!(fit_preview(f32::NAN, max), egui::vec2(200.0, 200.0));
    }

    #[test]
    fn feature_names_read_as_plain_words() {
        assert_eq!(
            feature_label("engagement.mean_dwell"),
            "Time visitors spend"
        );
        assert_eq!(feature_label("image.colourfulness"), "Colourfulness");
        assert_eq!(feature_label("curator.novelty"), "Novelty (curator)");
        assert_eq!(
            feature_label("curator.emotional_weight"),
            "Emotional weight (curator)"
        );
        assert_eq!(feature_label("comments.sentiment"), "Tone of comments");
        assert_eq!(feature_label("other.fine_grain"), "Fine grain");
        assert_eq!(feature_label("bare"), "Bare");
        assert_eq!(feature_label(""), "");
    }

    #[test]
    fn the_chart_shows_the_strongest_contributions_signed() {
        let c = |n: &str, v| (n.to_string(), v);
        let all = vec![
            c("a", 0.1),
            c("b", -0.5),
            c("c", 0.3),
            c("d", f64::NAN),
            c("e", -0.05),
        ];
        let top = strongest(&all, 3);
        assert_eq!(top, vec![c("b", -0.5), c("c", 0.3), c("a", 0.1)]);
        assert_eq!(strongest(&all, 10).len(), 4);
        assert_eq!(contribution_value(0.421), "+0.42");
        assert_eq!(contribution_value(-0.18), "-0.18");
        assert_eq!(contribution_value(-0.001), "0.00");
    }

    #[test]
    fn the_score_says_whether_visitors_rated_it() {
        let mut s = WorkScore {
            work: "w".into(),
            predicted: 4.2,
            model_output: 4.2,
            measured_mean: None,
            ratings: 0,
            confidence: 0.0,
            contributions: vec![],
        };
        assert_eq!(
            score_status(&s),
            "predicted from the work itself; no ratings yet"
        );
        s.ratings = 1;
        s.measured_mean = Some(4.0);
        assert_eq!(score_status(&s), "visitors' mean 4.0 from 1 rating");
        s.ratings = 12;
        s.measured_mean = Some(4.333);
        assert_eq!(score_status(&s), "visitors' mean 4.3 from 12 ratings");
    }

    #[test]
    fn dates_are_civil_utc_days() {
        assert_eq!(date_label(0), "1 Jan 1970");
        assert_eq!(date_label(951_782_400_000), "29 Feb 2000");
        assert_eq!(date_label(1_700_000_000_000), "14 Nov 2023");
        assert_eq!(date_label(1_709_251_199_000), "29 Feb 2024");
        assert_eq!(date_label(1_709_251_200_000), "1 Mar 2024");
    }
}
