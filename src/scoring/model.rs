//! Scoring settings and the choice between the linear model (default) and the hidden-layer
//! network, behind one [`Model`] type.

use serde::{Deserialize, Serialize};

use super::linear::{BatchSettings, Dataset, LinearModel, TrainReport};
use super::mlp::{AdamSettings, Mlp};

/// What an untrained model predicts: the middle of the 1 to 5 star scale.
pub const NEUTRAL_RATING: f64 = 3.0;
/// Predictions are shown clamped to the star scale.
pub const MIN_STARS: f64 = 1.0;
pub const MAX_STARS: f64 = 5.0;

/// Which model scores the works.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum ModelKind {
    /// `θ0 + Σ θi·xi`: it explains itself exactly.
    #[default]
    Linear,
    /// One hidden layer of `hidden_units` tanh units, trained with Adam.
    Hidden,
}

/// Everything that can be tuned. Missing fields take their defaults when read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScoringSettings {
    pub model: ModelKind,
    /// Batch gradient descent step (linear model).
    pub learning_rate: f64,
    /// Most full passes over the data at start-up (both models).
    pub epochs: usize,
    /// L2 strength λ (both models; the intercept and biases are not penalised).
    pub l2: f64,
    /// Batch training stops when the gradient norm falls below this.
    pub tolerance: f64,
    /// Step size of the online step taken for each new rating while the game runs.
    pub online_learning_rate: f64,
    /// Hidden units of the network.
    pub hidden_units: usize,
    /// Adam's step size (network).
    pub adam_learning_rate: f64,
    /// Network mini-batch size in works; 0 for the whole set.
    pub batch_size: usize,
    /// Cross-validation folds (at most the number of rated works).
    pub folds: usize,
    /// Seed of every random choice: fold assignment, network initialisation and shuffles.
    pub seed: u64,
    /// The number of ratings at which a prediction's confidence is one half (see
    /// [`super::confidence`]).
    pub confidence_ratings: f64,
}

impl Default for ScoringSettings {
    fn default() -> Self {
        ScoringSettings {
            model: ModelKind::Linear,
            learning_rate: 0.1,
            epochs: 5000,
            l2: 0.1,
            tolerance: 1e-9,
            online_learning_rate: 0.01,
            hidden_units: 8,
            adam_learning_rate: 0.01,
            batch_size: 0,
            folds: 5,
            seed: 1,
            confidence_ratings: 5.0,
        }
    }
}

impl ScoringSettings {
    /// The settings file in an exhibition's data folder.
    pub const FILE_NAME: &'static str = "scoring-settings.ron";

    /// Reads settings written as RON (`ScoringSettings(l2: 0.5, epochs: 2000)`); missing fields
    /// take their defaults; errors are `LINE:COLUMN: message`.
    pub fn from_ron(text: &str) -> Result<ScoringSettings, String> {
        crate::level::ron_options()
            .from_str(text)
            .map_err(|e| format!("{}:{}: {}", e.span.start.line, e.span.start.col, e.code))
    }

    /// The linear model's training settings.
    pub fn batch(&self) -> BatchSettings {
        BatchSettings {
            learning_rate: self.learning_rate,
            epochs: self.epochs,
            l2: self.l2,
            tolerance: self.tolerance,
        }
    }

    /// The network's training settings.
    pub fn adam(&self) -> AdamSettings {
        AdamSettings {
            learning_rate: self.adam_learning_rate,
            epochs: self.epochs,
            l2: self.l2,
            batch_size: self.batch_size,
            tolerance: self.tolerance,
            seed: self.seed,
        }
    }
}

/// A trained (or untrained) model of either kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Model {
    Linear(LinearModel),
    Hidden(Mlp),
}

impl Model {
    /// A model of the configured kind trained in batch on `data`, starting from the mean
    /// target ([`NEUTRAL_RATING`] without data).
    pub fn train_new(data: &Dataset, settings: &ScoringSettings) -> (Model, TrainReport) {
        let mean = data.mean_target().unwrap_or(NEUTRAL_RATING);
        match settings.model {
            ModelKind::Linear => {
                let mut model = LinearModel::new(data.dims());
                model.theta[0] = mean;
                let report = model.train(data, &settings.batch());
                (Model::Linear(model), report)
            }
            ModelKind::Hidden => {
                let mut net = Mlp::new(data.dims(), settings.hidden_units, mean, settings.seed);
                let report = net.train(data, &settings.adam());
                (Model::Hidden(net), report)
            }
        }
    }

    pub fn kind(&self) -> ModelKind {
        match self {
            Model::Linear(_) => ModelKind::Linear,
            Model::Hidden(_) => ModelKind::Hidden,
        }
    }

    /// Number of input features.
    pub fn dims(&self) -> usize {
        match self {
            Model::Linear(m) => m.dims(),
            Model::Hidden(n) => n.inputs,
        }
    }

    /// Whether the parameters fit `dims` inputs and are all finite.
    pub fn is_well_formed(&self, dims: usize) -> bool {
        match self {
            Model::Linear(m) => m.theta.len() == dims + 1 && m.theta.iter().all(|t| t.is_finite()),
            Model::Hidden(n) => {
                n.inputs == dims && n.is_well_formed() && n.params.iter().all(|t| t.is_finite())
            }
        }
    }

    pub fn predict(&self, x: &[f64]) -> f64 {
        match self {
            Model::Linear(m) => m.predict(x),
            Model::Hidden(n) => n.predict(x),
        }
    }

    /// The prediction for an average work (every standardised feature 0): the linear
    /// model's intercept.
    pub fn baseline(&self) -> f64 {
        match self {
            Model::Linear(m) => m.intercept(),
            Model::Hidden(n) => n.predict(&vec![0.0; n.inputs]),
        }
    }

    /// Each feature's contribution, largest magnitude first: exact `θi·xi` for the linear
    /// model, gradient × input for the network.
    pub fn contributions(&self, x: &[f64], names: &[String]) -> Vec<(String, f64)> {
        match self {
            Model::Linear(m) => m.contributions(x, names),
            Model::Hidden(n) => n.contributions(x, names),
        }
    }

    /// One online step for a new rating.
    pub fn online_step(&mut self, x: &[f64], y: f64, settings: &ScoringSettings) {
        match self {
            Model::Linear(m) => m.online_step(x, y, settings.online_learning_rate, settings.l2),
            Model::Hidden(n) => n.online_step(x, y, settings.online_learning_rate, settings.l2),
        }
    }

    /// The training loss on `data`.
    pub fn loss(&self, data: &Dataset, l2: f64) -> f64 {
        match self {
            Model::Linear(m) => m.loss(data, l2),
            Model::Hidden(n) => n.loss(data, l2),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_read_with_defaults_and_refuse_unknown_fields() {
        let s: ScoringSettings = ron::from_str("(l2: 0.5, model: Hidden)").unwrap();
        assert_eq!(s.l2, 0.5);
        assert_eq!(s.model, ModelKind::Hidden);
        assert_eq!(s.epochs, ScoringSettings::default().epochs);
        assert!(ron::from_str::<ScoringSettings>("(l3: 0.5)").is_err());
        assert_eq!(s.batch().l2, 0.5);
        assert_eq!(s.adam().seed, s.seed);
    }

    #[test]
    fn both_kinds_train_and_start_from_the_mean() {
        let mut data = Dataset::new(2);
        data.push_group(&[1.0, 0.0], &[5.0, 4.0]);
        data.push_group(&[-1.0, 0.5], &[2.0]);
        data.push_group(&[0.0, -0.5], &[3.0, 3.0, 4.0]);
        for kind in [ModelKind::Linear, ModelKind::Hidden] {
            let settings = ScoringSettings {
                model: kind,
                epochs: 300,
                ..ScoringSettings::default()
            };
            let untrained = ScoringSettings {
                epochs: 0,
                ..settings.clone()
            };
            let (start, _) = Model::train_new(&data, &untrained);
            assert!((start.baseline() - 3.5).abs() < 1e-12);
            let (model, report) = Model::train_new(&data, &settings);
            assert_eq!(model.kind(), kind);
            assert!(model.is_well_formed(2) && !model.is_well_formed(3));
            assert!(report.loss < start.loss(&data, settings.l2));
            assert_eq!(
                model
                    .contributions(&[1.0, 0.0], &["a".into(), "b".into()])
                    .len(),
                2
            );
        }
        let (empty, _) = Model::train_new(&Dataset::new(2), &ScoringSettings::default());
        assert_eq!(empty.predict(&[0.3, 0.3]), NEUTRAL_RATING);
    }
}
