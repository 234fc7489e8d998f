//! The studio panel: up to four generative candidates side by side, each with its live
//! picture and the score the model predicts for it (with the reasons and how unsure it is),
//! an editor for the selected one (algorithm, seed, parameter sliders, "surprise me") and the
//! publishing form (title, artist, description, price, editions, split).

use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};

use super::catalogue::{
    ACCENT, HUD_CLEARANCE, INK, INK_SOFT, MUTED, WARNING, card_frame, dim_gallery, edits_text,
    panel_heading, panel_hint, panel_window,
};
use crate::gallery::generative;
use crate::player::keys::key_code;
use crate::player::{LocalVisitor, VisitorSettings};
use crate::scoring::features::ImageStats;
use crate::scoring::game::GalleryScores;
use crate::scoring::scorer::Prediction;
use crate::screens::Panel;
use crate::studio::candidate::{Candidate, MAX_SEED, is_integer};
use crate::studio::publish::{self, Publication};
use crate::studio::{PublishDone, PublishRequest, PublishedWorks};

pub(super) fn plugin(app: &mut App) {
    super::open_panel_with(app, "studio", |k| &k.studio, Panel::Studio);
    app.init_resource::<StudioState>()
        .add_systems(OnEnter(Panel::Studio), prepare_studio)
        .add_systems(OnExit(Panel::Studio), || info!("studio: closed"))
        .add_systems(
            EguiPrimaryContextPass,
            show_studio.run_if(in_state(Panel::Studio)),
        )
        .add_systems(Update, collect_outcomes)
        .add_systems(Update, reopen_with_outcome.run_if(in_state(Panel::Closed)));
}

/// Shows the outcome of a publication: the panel opens again once the gallery is rebuilt.
fn reopen_with_outcome(
    state: Res<StudioState>,
    screen: Res<State<crate::screens::Screen>>,
    mut next: ResMut<NextState<Panel>>,
) {
    if state.reopen && *screen.get() == crate::screens::Screen::Gallery {
        next.set(Panel::Studio);
    }
}

/// Most candidates shown side by side.
pub const MAX_CANDIDATES: usize = 4;
/// Edge of the live pictures, pixels: the size the model's image statistics are taken at.
const PREVIEW: u32 = crate::scoring::content::STATS_SIZE;
/// Shown size of a candidate's picture in the panel.
const SHOWN: f32 = 140.0;
/// The bench (four cards) on the left, the editor on the right.
const BENCH_WIDTH: f32 = 4.0 * (SHOWN + 30.0);
const EDITOR_WIDTH: f32 = 380.0;
const PANEL_WIDTH: f32 = BENCH_WIDTH + EDITOR_WIDTH + 24.0;

/// One candidate on the bench, with its picture and statistics once drawn.
struct Slot {
    candidate: Candidate,
    /// What the picture and statistics show (redrawn when the candidate changes).
    drawn: Option<Candidate>,
    texture: Option<egui::TextureHandle>,
    stats: Option<ImageStats>,
}

impl Slot {
    fn new(candidate: Candidate) -> Slot {
        Slot {
            candidate,
            drawn: None,
            texture: None,
            stats: None,
        }
    }
}

/// The bench: kept while the gallery runs, so a visitor can come back to their candidates.
#[derive(Resource, Default)]
struct StudioState {
    slots: Vec<Slot>,
    selected: usize,
    /// "Surprise me" presses so far: each draws new parameters.
    draws: u64,
    form: Publication,
    /// A publication sent and not answered yet.
    waiting: bool,
    /// The last outcome: (published, sentence).
    note: Option<(bool, String)>,
    /// An outcome came while the panel was closed (publishing rebuilds the gallery): open it
    /// again to say what happened.
    reopen: bool,
}

fn prepare_studio(mut state: ResMut<StudioState>, level: Option<Res<crate::gallery::ActiveLevel>>) {
    state.reopen = false;
    if state.slots.is_empty() {
        // Three to start with, so there is something to compare.
        state.slots = ["flow-field", "voronoi-mosaic", "mountain-layers"]
            .iter()
            .enumerate()
            .filter_map(|(i, a)| Candidate::surprise(a, 1000 + i as u64).ok())
            .map(Slot::new)
            .collect();
        state.draws = 3;
    }
    info!(
        "studio: open, {} candidates on the bench",
        state.slots.len()
    );
    if state.form.gallery == Publication::default().gallery
        && let Some(level) = level
    {
        state.form.gallery = level.0.exhibition.curator.clone();
    }
}

/// Picks up publication outcomes even while the panel is closed (publishing rebuilds the
/// gallery, which closes it).
fn collect_outcomes(
    mut done: MessageReader<PublishDone>,
    mut state: ResMut<StudioState>,
    visitors: Query<Entity, With<LocalVisitor>>,
) {
    for outcome in done.read() {
        if !visitors.contains(outcome.visitor) {
            continue;
        }
        state.waiting = false;
        // A publication rebuilds the gallery, which closes the panel; a refusal leaves it open.
        state.reopen = outcome.outcome.is_ok();
        state.note = Some(match &outcome.outcome {
            Ok(p) => (
                true,
                format!(
                    "Published \"{}\" as {}: registered in the ledger (entry {}, content {}), {}.",
                    outcome.title,
                    p.work,
                    p.entry.index,
                    crate::market::report::short_hash(&p.content_hash),
                    p.placement
                ),
            ),
            Err(e) => (false, format!("Not published: {e}")),
        });
    }
}

/// Draws pictures and statistics for candidates that changed (one per frame, so dragging a
/// slider stays smooth).
fn redraw(ctx: &egui::Context, state: &mut StudioState) {
    let selected = state.selected;
    let order = std::iter::once(selected).chain(0..state.slots.len());
    for i in order {
        let Some(slot) = state.slots.get_mut(i) else {
            continue;
        };
        if slot.drawn.as_ref() == Some(&slot.candidate) {
            continue;
        }
        slot.drawn = Some(slot.candidate.clone());
        match slot.candidate.render(PREVIEW) {
            Ok(pixels) => {
                slot.stats = ImageStats::of(&pixels);
                let image = egui::ColorImage::from_rgba_unmultiplied(
                    [pixels.width as usize, pixels.height as usize],
                    &pixels.rgba,
                );
                match &mut slot.texture {
                    Some(texture) => texture.set(image, egui::TextureOptions::LINEAR),
                    None => {
                        slot.texture = Some(ctx.load_texture(
                            format!("studio-candidate-{i}"),
                            image,
                            egui::TextureOptions::LINEAR,
                        ))
                    }
                }
            }
            Err(e) => warn!("studio: cannot draw the candidate: {e}"),
        }
        return;
    }
}

/// The model's prediction for a candidate, as the form would publish it.
fn predict(scores: Option<&GalleryScores>, slot: &Slot, form: &Publication) -> Option<Prediction> {
    let scores = scores?;
    let work = publish::make_work(&slot.candidate, form, "candidate", 2026, Vec::new());
    Some(scores.scorer.predict_new(&work, slot.stats.as_ref()))
}

/// "Predicted 3.4 of 5", and how sure that is ("± 0.8 stars: nobody rated it yet; the model
/// learned from 40 ratings").
pub fn prediction_lines(p: &Prediction) -> (String, String) {
    let head = format!("Predicted {:.1} of 5", p.predicted);
    let ratings = |n: usize| {
        if n == 1 {
            "1 rating".to_string()
        } else {
            format!("{n} ratings")
        }
    };
    let sure = match (p.ratings_learned, p.uncertainty) {
        (0, _) => {
            "Unsure: nothing is rated in this exhibition yet, so this is the model's prior".into()
        }
        (n, Some(u)) => format!(
            "\u{b1} {u:.1} stars: nobody rated it yet; the model learned from {}",
            ratings(n)
        ),
        (n, None) => format!(
            "Unsure: nobody rated it yet, and the model has only {}",
            ratings(n)
        ),
    };
    (head, sure)
}

/// A feature's name as a visitor reads it.
pub fn feature_label(name: &str) -> String {
    let short = name
        .strip_prefix("image.")
        .or_else(|| name.strip_prefix("engagement."))
        .or_else(|| name.strip_prefix("curator."))
        .unwrap_or(name);
    short.replace(['_', '.'], " ")
}

#[allow(clippy::too_many_arguments)]
fn show_studio(
    mut contexts: EguiContexts,
    keys: Res<ButtonInput<KeyCode>>,
    settings: Res<VisitorSettings>,
    scores: Option<Res<GalleryScores>>,
    published: Res<PublishedWorks>,
    market: Option<Res<crate::market::Market>>,
    mut state: ResMut<StudioState>,
    mut requests: MessageWriter<PublishRequest>,
    visitors: Query<Entity, With<LocalVisitor>>,
    mut next: ResMut<NextState<Panel>>,
) {
    let Ok(ctx) = contexts.ctx_mut() else {
        return;
    };
    let own_key = &settings.keys.studio;
    let typing = ctx.text_edit_focused() && edits_text(own_key);
    if keys.just_pressed(KeyCode::Escape)
        || (!typing && key_code(own_key).is_some_and(|k| keys.just_pressed(k)))
    {
        next.set(Panel::Closed);
        return;
    }
    let state = &mut *state;
    redraw(ctx, state);
    dim_gallery(ctx);
    let mut close = false;
    panel_window("Studio", PANEL_WIDTH).show(ctx, |ui| {
        ui.set_width(PANEL_WIDTH);
        close = panel_heading(ui, "The Studio", "");
        egui::ScrollArea::vertical()
            .max_height(ui.ctx().content_rect().height() - HUD_CLEARANCE - 150.0)
            .show(ui, |ui| {
                ui.horizontal_top(|ui| {
                    ui.vertical(|ui| {
                        ui.set_width(BENCH_WIDTH);
                        bench(ui, state, scores.as_deref());
                        if let Some((good, note)) = &state.note {
                            ui.add_space(6.0);
                            ui.colored_label(if *good { ACCENT } else { WARNING }, note);
                        }
                    });
                    ui.vertical(|ui| {
                        ui.set_width(EDITOR_WIDTH);
                        editor(ui, state);
                        ui.add_space(6.0);
                        let ready = market.as_ref().is_some_and(|m| m.closed.is_none())
                            && published.broken.is_none();
                        if let Some(why) = &published.broken {
                            ui.colored_label(WARNING, why);
                        }
                        if let Some(why) = market.as_ref().and_then(|m| m.closed.as_ref()) {
                            ui.colored_label(WARNING, format!("The market is read-only: {why}"));
                        }
                        if form(ui, state, ready)
                            && let Ok(visitor) = visitors.single()
                            && let Some(slot) = state.slots.get(state.selected)
                        {
                            requests.write(PublishRequest {
                                visitor,
                                candidate: slot.candidate.clone(),
                                publication: state.form.clone(),
                            });
                            state.waiting = true;
                            state.note = Some((true, "Publishing...".into()));
                        }
                    });
                });
            });
        ui.add_space(4.0);
        panel_hint(
            ui,
            "Make a generative work and see what visitors' ratings predict for it.  Click a \
             candidate to edit it; publishing registers it in the ledger under your artist key \
             and hangs it in the studio room.  Esc closes.",
        );
    });
    if close {
        next.set(Panel::Closed);
    }
}

/// The candidates side by side, each with its picture and prediction.
fn bench(ui: &mut egui::Ui, state: &mut StudioState, scores: Option<&GalleryScores>) {
    let mut remove = None;
    ui.horizontal_top(|ui| {
        for (i, slot) in state.slots.iter().enumerate() {
            let chosen = i == state.selected;
            let mut frame = card_frame();
            if chosen {
                frame = frame.stroke(egui::Stroke::new(2.0, ACCENT));
            }
            let response = frame
                .show(ui, |ui| {
                    ui.set_width(SHOWN);
                    ui.vertical(|ui| {
                        match &slot.texture {
                            Some(t) => {
                                ui.add(
                                    egui::Image::new(egui::load::SizedTexture::new(
                                        t.id(),
                                        egui::vec2(SHOWN, SHOWN),
                                    ))
                                    .corner_radius(2),
                                );
                            }
                            None => {
                                ui.add_space(SHOWN);
                            }
                        }
                        ui.label(
                            egui::RichText::new(format!(
                                "{} #{}",
                                slot.candidate.algorithm, slot.candidate.seed
                            ))
                            .color(if chosen { ACCENT } else { INK_SOFT })
                            .small(),
                        );
                        match predict(scores, slot, &state.form) {
                            None => {
                                ui.colored_label(MUTED, "The model is still training...");
                            }
                            Some(p) => {
                                let (head, sure) = prediction_lines(&p);
                                ui.label(egui::RichText::new(head).color(INK).strong());
                                ui.label(egui::RichText::new(sure).color(MUTED).small());
                                let pushes: Vec<_> = p
                                    .contributions
                                    .iter()
                                    .filter(|(_, value)| value.abs() >= 0.005)
                                    .take(3)
                                    .collect();
                                if pushes.is_empty() {
                                    ui.label(
                                        egui::RichText::new("No feature pushes it up or down yet")
                                            .color(MUTED)
                                            .small(),
                                    );
                                }
                                for (name, value) in pushes {
                                    let (arrow, colour) = if *value >= 0.0 {
                                        ("\u{2191}", egui::Color32::from_rgb(140, 204, 150))
                                    } else {
                                        ("\u{2193}", WARNING)
                                    };
                                    ui.label(
                                        egui::RichText::new(format!(
                                            "{arrow} {} {value:+.2}",
                                            feature_label(name)
                                        ))
                                        .color(colour)
                                        .small(),
                                    );
                                }
                            }
                        }
                        if state.slots.len() > 1 && ui.small_button("Remove").clicked() {
                            remove = Some(i);
                        }
                    });
                })
                .response;
            if response.interact(egui::Sense::click()).clicked() {
                state.selected = i;
            }
        }
    });
    if let Some(i) = remove {
        state.slots.remove(i);
        state.selected = state.selected.min(state.slots.len().saturating_sub(1));
        if i < state.selected {
            state.selected -= 1;
        }
    }
}

/// Algorithm, seed and sliders of the selected candidate; "surprise me" and "add".
fn editor(ui: &mut egui::Ui, state: &mut StudioState) {
    let can_add = state.slots.len() < MAX_CANDIDATES;
    let draw = state.draws;
    let Some(slot) = state.slots.get_mut(state.selected) else {
        return;
    };
    let mut surprise = false;
    let mut add = false;
    card_frame().show(ui, |ui| {
        ui.set_width(EDITOR_WIDTH - 24.0);
        ui.horizontal(|ui| {
            ui.label(egui::RichText::new("Algorithm").color(INK));
            let mut algorithm = slot.candidate.algorithm.clone();
            egui::ComboBox::from_id_salt("studio-algorithm")
                .selected_text(&algorithm)
                .show_ui(ui, |ui| {
                    for a in generative::ALGORITHMS {
                        ui.selectable_value(&mut algorithm, (*a).to_string(), *a);
                    }
                });
            if algorithm != slot.candidate.algorithm
                && let Ok(c) = Candidate::new(&algorithm, slot.candidate.seed)
            {
                slot.candidate = c;
            }
            ui.label(egui::RichText::new("Seed").color(INK));
            ui.add(egui::DragValue::new(&mut slot.candidate.seed).range(0..=MAX_SEED));
        });
        ui.horizontal(|ui| {
            surprise = ui.button("Surprise me").clicked();
            add = ui
                .add_enabled(can_add, egui::Button::new("Add a candidate"))
                .clicked();
        });
        let specs = slot.candidate.specs();
        ui.add_space(4.0);
        ui.spacing_mut().slider_width = 200.0;
        egui::Grid::new("studio-params")
            .num_columns(2)
            .spacing([12.0, 2.0])
            .show(ui, |ui| {
                for spec in specs {
                    let mut value = slot
                        .candidate
                        .params
                        .get(spec.name)
                        .copied()
                        .unwrap_or(spec.default);
                    ui.label(egui::RichText::new(spec.name).color(INK_SOFT))
                        .on_hover_text(spec.help);
                    let mut slider = egui::Slider::new(&mut value, spec.min..=spec.max);
                    if is_integer(spec) {
                        slider = slider.integer();
                    }
                    if ui.add(slider).on_hover_text(spec.help).changed() {
                        slot.candidate.set(spec.name, value);
                    }
                    ui.end_row();
                }
            });
    });
    if surprise {
        let algorithm = slot.candidate.algorithm.clone();
        if let Ok(c) = Candidate::surprise(&algorithm, draw + 1000) {
            slot.candidate = c;
        }
        state.draws += 1;
    }
    if add {
        let algorithm = generative::ALGORITHMS[(draw as usize) % generative::ALGORITHMS.len()];
        if let Ok(c) = Candidate::surprise(algorithm, draw + 1000) {
            state.slots.push(Slot::new(c));
            state.selected = state.slots.len() - 1;
        }
        state.draws += 1;
    }
}

/// The publishing form; true when Publish was pressed with valid terms.
fn form(ui: &mut egui::Ui, state: &mut StudioState, ready: bool) -> bool {
    let mut pressed = false;
    card_frame().show(ui, |ui| {
        ui.set_width(EDITOR_WIDTH - 24.0);
        let f = &mut state.form;
        let field = 230.0;
        egui::Grid::new("studio-form")
            .num_columns(2)
            .spacing([10.0, 3.0])
            .show(ui, |ui| {
                ui.label("Title");
                ui.add(egui::TextEdit::singleline(&mut f.title).desired_width(field));
                ui.end_row();
                ui.label("Artist");
                ui.add(egui::TextEdit::singleline(&mut f.artist).desired_width(field));
                ui.end_row();
                ui.label("Description");
                ui.add(egui::TextEdit::singleline(&mut f.description).desired_width(field));
                ui.end_row();
                ui.label("Price (tokens)");
                ui.horizontal(|ui| {
                    ui.add(
                        egui::DragValue::new(&mut f.price)
                            .range(1..=crate::level::check::MAX_PRICE),
                    );
                    ui.label("Editions");
                    ui.add(egui::DragValue::new(&mut f.editions).range(1..=10_000));
                });
                ui.end_row();
                ui.label("Artist's share %");
                ui.horizontal(|ui| {
                    ui.add(
                        egui::DragValue::new(&mut f.artist_percent)
                            .range(1.0..=100.0)
                            .speed(0.5),
                    );
                    ui.label("resale royalty %");
                    ui.add(
                        egui::DragValue::new(&mut f.resale_percent)
                            .range(0.0..=50.0)
                            .speed(0.5),
                    );
                });
                ui.end_row();
                ui.label("Rest of a sale to");
                ui.add(egui::TextEdit::singleline(&mut f.gallery).desired_width(field));
                ui.end_row();
            });
        // Shares move in half percents, so they always have two decimals at most.
        f.artist_percent = (f.artist_percent * 2.0).round() / 2.0;
        f.resale_percent = (f.resale_percent * 2.0).round() / 2.0;
        let problems = publish::problems(f);
        ui.horizontal(|ui| {
            let enabled = ready && problems.is_empty() && !state.waiting;
            pressed = ui
                .add_enabled(
                    enabled,
                    egui::Button::new(egui::RichText::new("Publish the selected one").strong()),
                )
                .clicked();
            if let Some(first) = problems.first() {
                ui.colored_label(MUTED, first);
            }
        });
    });
    pressed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn predictions_say_how_sure_they_are() {
        let p = Prediction {
            predicted: 3.44,
            model_output: 3.44,
            baseline: 3.0,
            contributions: vec![("image.colourfulness".into(), 0.3)],
            ratings_learned: 0,
            uncertainty: None,
        };
        let (head, sure) = prediction_lines(&p);
        assert_eq!(head, "Predicted 3.4 of 5");
        assert!(sure.starts_with("Unsure: nothing is rated"), "{sure}");
        let q = Prediction {
            ratings_learned: 40,
            uncertainty: Some(0.81),
            ..p
        };
        let (_, sure) = prediction_lines(&q.clone());
        assert!(sure.starts_with("\u{b1} 0.8 stars"), "{sure}");
        assert!(sure.contains("40 ratings"), "{sure}");
        let one = Prediction {
            ratings_learned: 1,
            uncertainty: None,
            ..q
        };
        let (_, sure) = prediction_lines(&one);
        assert!(sure.ends_with("has only 1 rating"), "{sure}");
        assert_eq!(feature_label("image.edge_density"), "edge density");
    }
}
