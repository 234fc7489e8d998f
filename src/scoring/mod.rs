//! The in-world quality score: a model of visitors' ratings from what a work is and how
//! visitors engage with it. Everything but [`game`] (the thin layer that puts scores on
//! plaques) is pure Rust, without Bevy.
//!
//! The pipeline, each step in its own module:
//!
//! 1. [`features`]: each work's feature vector `x` (curator-declared numbers, image
//!    statistics, engagement aggregates, mean comment sentiment from [`sentiment`]),
//!    standardised over the exhibition; missing values (a work nobody has seen yet) are
//!    imputed by the mean.
//! 2. [`linear`]: the default model `f(x; θ) = θ0 + Σ θi·xi`, trained by gradient descent on
//!    the mean squared error over the cleaned ratings with optional L2, in batch at start-up
//!    and by one online step per new rating; [`mlp`] is the optional one-hidden-layer network
//!    trained with Adam. [`model`] holds the settings and the choice between them.
//! 3. [`scorer`]: a prediction for every work, rated or not, with a confidence that grows
//!    with its ratings ([`confidence`]) and an explanation (each feature's contribution,
//!    largest first). [`score_exhibition`] is the one-call entry point; [`Scorer`] keeps the
//!    state while the game runs.
//! 4. [`persist`]: the model, its feature statistics and a version saved as RON in the
//!    exhibition's data directory; a file that does not match is retrained, not trusted.
//! 5. [`evaluate`]: k-fold cross-validated MSE, folds split by work, next to the mean-rating
//!    baseline, with no test work's events reaching its features.

pub mod content;
pub mod evaluate;
pub mod features;
pub mod game;
pub mod linear;
pub mod mlp;
pub mod model;
pub mod persist;
pub mod recommend;
pub mod scorer;
pub mod sentiment;

pub use evaluate::CrossValidation;
pub use features::ImageStats;
pub use model::{Model, ModelKind, ScoringSettings};
pub use persist::{Rejection, SavedModel};
pub use scorer::{Origin, Scorer, Scores, WorkScore, confidence, score_exhibition};

/// The game side: scores trained when the gallery opens, updated by ratings, on plaques.
pub(super) fn plugin(app: &mut bevy::prelude::App) {
    game::plugin(app);
}
