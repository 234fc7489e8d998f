//! Scores in the gallery: trained in the background when the exhibition opens, nudged by
//! every new rating, and written on each work's plaque ("Score 4.2 of 5").

use bevy::prelude::*;
use bevy::tasks::{AsyncComputeTaskPool, Task, futures::check_ready};

use super::{Scorer, Scores, ScoringSettings};
use crate::feedback::event::What;
use crate::feedback::{FeedbackLog, FeedbackRecorded, clean};
use crate::gallery::build::{Artwork, PlaqueText};
use crate::gallery::{ActiveLevel, ExhibitionData};
use crate::launch::{Launch, LevelLocation};
use crate::screens::Screen;

pub(super) fn plugin(app: &mut App) {
    if app.world().contains_resource::<crate::Headless>() {
        // Simulations report their own figures; nobody reads plaques there.
        return;
    }
    app.add_systems(
        OnEnter(Screen::Gallery),
        start_scoring.after(crate::feedback::load_feedback),
    )
    .add_systems(
        Update,
        (finish_scoring, learn_from_ratings, write_plaques)
            .chain()
            .run_if(in_state(Screen::Gallery)),
    );
}

/// The running model and its latest scores.
#[derive(Resource)]
pub struct GalleryScores {
    pub scorer: Scorer,
    pub scores: Scores,
    /// The scores when the gallery opened, to see which works are rising.
    pub at_opening: Scores,
}

#[derive(Resource)]
struct ScoringTask(Task<Scorer>);

fn start_scoring(
    mut commands: Commands,
    level: Option<Res<ActiveLevel>>,
    data: Option<Res<ExhibitionData>>,
    log: Res<FeedbackLog>,
    launch: Res<Launch>,
    net: Option<Res<crate::net::NetClient>>,
) {
    let Some(level) = level else {
        return;
    };
    let level = level.0.clone();
    let dir = data.and_then(|d| d.dir.clone());
    let events = log.events.clone();
    let root = match &launch.level {
        LevelLocation::File { root, .. } => Some(std::path::PathBuf::from(root)),
        LevelLocation::Url(_) => None,
    };
    // An exhibition by URL: its images were downloaded while loading and come back from the
    // cache (desktop).
    let remote = match (&launch.level, net) {
        (LevelLocation::Url(url), Some(net)) => crate::net::policy::parse_url(url)
            .ok()
            .map(|url| (url, net.0.clone())),
        _ => None,
    };
    // The browser keeps the model in IndexedDB (read before the game started).
    #[cfg(target_arch = "wasm32")]
    let browser_model = crate::web::storage::model(&level.exhibition.id)
        .and_then(|text| super::persist::SavedModel::from_text(&text).ok());
    #[cfg(not(target_arch = "wasm32"))]
    let browser_model: Option<super::persist::SavedModel> = None;
    let task = AsyncComputeTaskPool::get().spawn(async move {
        let read = |path: &str| -> Result<Vec<u8>, String> {
            #[cfg(not(target_arch = "wasm32"))]
            {
                if let Some(root) = &root {
                    return std::fs::read(root.join(path)).map_err(|e| e.to_string());
                }
                if let Some((level_url, net)) = &remote {
                    return crate::net::policy::resolve(level_url, path)
                        .and_then(|url| net.fetch_blocking(&url))
                        .map_err(|e| e.to_string());
                }
            }
            let _ = (&root, &remote, path);
            Err("no files here".into())
        };
        let stats = super::content::content_stats(&level, read);
        let cleaned = clean::clean(&events, |w| level.works.iter().any(|x| x.id == w));
        let settings = read_settings(dir.as_deref());
        match &dir {
            #[cfg(not(target_arch = "wasm32"))]
            Some(dir) => {
                let (scorer, saved) =
                    Scorer::start_in(dir, &level, &stats, &cleaned.kept, &settings);
                if let Err(e) = saved {
                    warn!("cannot save the scoring model in {}: {e}", dir.display());
                }
                scorer
            }
            _ => Scorer::start(
                &level,
                &stats,
                &cleaned.kept,
                &settings,
                browser_model.as_ref(),
            ),
        }
    });
    commands.insert_resource(ScoringTask(task));
    commands.remove_resource::<GalleryScores>();
}

/// `<exhibition data>/scoring-settings.ron` if there is one (learning rate, epochs, L2, model
/// kind...), else the defaults; a damaged file is reported and the defaults used.
fn read_settings(dir: Option<&std::path::Path>) -> ScoringSettings {
    #[cfg(not(target_arch = "wasm32"))]
    if let Some(path) = dir.map(|d| d.join(ScoringSettings::FILE_NAME))
        && let Ok(text) = std::fs::read_to_string(&path)
    {
        match ScoringSettings::from_ron(&text) {
            Ok(settings) => return settings,
            Err(e) => warn!("{}:{e}; using the default scoring settings", path.display()),
        }
    }
    let _ = dir;
    ScoringSettings::default()
}

fn finish_scoring(
    mut commands: Commands,
    task: Option<ResMut<ScoringTask>>,
    level: Option<Res<ActiveLevel>>,
) {
    let Some(mut task) = task else {
        return;
    };
    if let Some(scorer) = check_ready(&mut task.0) {
        #[cfg(target_arch = "wasm32")]
        if let (Some(level), super::scorer::Origin::Trained { .. }) = (&level, scorer.origin()) {
            crate::web::storage::save_model(&level.0.exhibition.id, &scorer.to_saved().to_text());
        }
        let _ = &level;
        let scores = scorer.scores();
        info!(
            "scores ready: {} works, {} ratings",
            scores.per_work.len(),
            scores.ratings
        );
        commands.insert_resource(GalleryScores {
            scorer,
            at_opening: scores.clone(),
            scores,
        });
        commands.remove_resource::<ScoringTask>();
    }
}

/// One online step per new rating; the scores follow within a frame.
fn learn_from_ratings(
    mut recorded: MessageReader<FeedbackRecorded>,
    scores: Option<ResMut<GalleryScores>>,
) {
    let Some(mut scores) = scores else {
        recorded.clear();
        return;
    };
    let mut learned = false;
    for message in recorded.read() {
        if matches!(message.event.what, What::Rating { .. }) {
            learned |= scores.scorer.observe(&message.event);
        }
    }
    if learned {
        let fresh = scores.scorer.scores();
        scores.scores = fresh;
    }
}

/// The plaque's last line: the score, and whether visitors rated it or the model predicts it.
pub fn plaque_line(score: &super::WorkScore) -> String {
    match score.ratings {
        0 => format!(
            "Score {:.1} of 5, predicted (no ratings yet)",
            score.predicted
        ),
        1 => format!("Score {:.1} of 5, from 1 rating", score.predicted),
        n => format!("Score {:.1} of 5, from {n} ratings", score.predicted),
    }
}

fn write_plaques(
    scores: Option<Res<GalleryScores>>,
    mut plaques: Query<(&mut PlaqueText, &ChildOf)>,
    parents: Query<&ChildOf>,
    works: Query<&Artwork>,
) {
    let Some(scores) = scores.filter(|s| s.is_changed()) else {
        return;
    };
    for (mut text, child_of) in &mut plaques {
        // Plaque canvas → plaque → work.
        let Some(work) = parents
            .get(child_of.parent())
            .ok()
            .and_then(|p| works.get(p.parent()).ok())
        else {
            continue;
        };
        let Some(score) = scores.scores.per_work.iter().find(|s| s.work == work.id) else {
            continue;
        };
        let line = plaque_line(score);
        if text.extra != line {
            text.extra = line;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plaque_lines_say_predicted_or_measured() {
        let mut s = super::super::WorkScore {
            work: "w".into(),
            predicted: 3.96,
            model_output: 3.96,
            measured_mean: None,
            ratings: 0,
            confidence: 0.0,
            contributions: vec![],
        };
        assert_eq!(
            plaque_line(&s),
            "Score 4.0 of 5, predicted (no ratings yet)"
        );
        s.ratings = 7;
        assert_eq!(plaque_line(&s), "Score 4.0 of 5, from 7 ratings");
    }
}
