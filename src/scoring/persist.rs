//! The saved model: version, feature names, standardisation statistics, parameters, settings
//! and a fingerprint of the data it was trained on, as RON text in the exhibition's data
//! directory ([`FILE_NAME`]).
//!
//! A saved model is trusted only when everything it depends on is unchanged: the
//! [`MODEL_VERSION`], the feature names (in order), the settings, the shapes of its numbers
//! (and that they are finite), and the data fingerprint (the raw features and ratings that
//! batch training would see now; training is deterministic, so the same data would give the
//! same model). A model updated online since its batch training is not the batch result of
//! any stored data and is not trusted either. [`load_matching`] says why a file was refused,
//! and the caller retrains.

use std::fmt;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::evaluate::CrossValidation;
use super::features::{RawFeatures, WorkActivity};
use super::model::{Model, ScoringSettings};

/// Version of the saved-model format and of the features' definitions. Raise it whenever a
/// feature is computed differently, so older files are retrained.
pub const MODEL_VERSION: u32 = 1;
/// The file in the exhibition's data directory.
pub const FILE_NAME: &str = "scoring-model.ron";

/// Everything needed to score with a trained model later.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedModel {
    pub version: u32,
    pub features: Vec<String>,
    pub means: Vec<f64>,
    pub stds: Vec<f64>,
    pub model: Model,
    pub settings: ScoringSettings,
    /// [`fingerprint`] of the training data.
    pub data: u64,
    /// Ratings it was trained on in batch.
    pub ratings: usize,
    /// Online steps taken since.
    pub online_steps: usize,
    pub cross_validation: Option<CrossValidation>,
}

/// Why a saved model is not used.
#[derive(Debug, Clone, PartialEq)]
pub enum Rejection {
    /// There is none.
    Missing,
    /// The file could not be read.
    Unreadable(String),
    /// The text is not a saved model of this format.
    Unparsable(String),
    /// Another format version.
    Version { found: u32, expected: u32 },
    /// The features differ from the current ones.
    Features,
    /// The settings differ.
    Settings,
    /// Statistics or parameters of the wrong shape, or not finite.
    Malformed,
    /// Trained on other data, or updated online since.
    Data,
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rejection::Missing => write!(f, "no saved model"),
            Rejection::Unreadable(e) => write!(f, "the saved model cannot be read: {e}"),
            Rejection::Unparsable(e) => write!(f, "the saved model is not valid: {e}"),
            Rejection::Version { found, expected } => write!(
                f,
                "the saved model has version {found}; this build uses {expected}"
            ),
            Rejection::Features => write!(f, "the saved model was trained on other features"),
            Rejection::Settings => write!(f, "the saved model was trained with other settings"),
            Rejection::Malformed => write!(f, "the saved model's numbers do not fit its features"),
            Rejection::Data => write!(f, "the feedback changed since the model was trained"),
        }
    }
}

impl SavedModel {
    /// Whether this model may be used for these features, settings and data.
    pub fn check(
        &self,
        features: &[String],
        settings: &ScoringSettings,
        data: u64,
    ) -> Result<(), Rejection> {
        if self.version != MODEL_VERSION {
            return Err(Rejection::Version {
                found: self.version,
                expected: MODEL_VERSION,
            });
        }
        if self.features != features {
            return Err(Rejection::Features);
        }
        if &self.settings != settings {
            return Err(Rejection::Settings);
        }
        let d = features.len();
        let finite = |v: &[f64]| v.iter().all(|x| x.is_finite());
        if self.means.len() != d
            || self.stds.len() != d
            || !finite(&self.means)
            || !finite(&self.stds)
            || self.stds.iter().any(|&s| s <= 0.0)
            || !self.model.is_well_formed(d)
        {
            return Err(Rejection::Malformed);
        }
        if self.data != data || self.online_steps != 0 {
            return Err(Rejection::Data);
        }
        Ok(())
    }

    /// The model as RON text.
    pub fn to_text(&self) -> String {
        let config = ron::ser::PrettyConfig::new().depth_limit(3);
        ron::ser::to_string_pretty(self, config).expect("a saved model serialises")
    }

    /// Reads RON text, checking the version first so an old file is named as such.
    pub fn from_text(text: &str) -> Result<SavedModel, Rejection> {
        /// Only the version; RON skips the other fields.
        #[derive(Deserialize)]
        struct Header {
            version: u32,
        }
        if let Ok(header) = ron::from_str::<Header>(text)
            && header.version != MODEL_VERSION
        {
            return Err(Rejection::Version {
                found: header.version,
                expected: MODEL_VERSION,
            });
        }
        ron::from_str::<SavedModel>(text).map_err(|e| Rejection::Unparsable(e.to_string()))
    }
}

/// Writes the model to `path` (through a temporary file renamed into place, so a crash never
/// leaves half a model), creating the directory if needed.
pub fn save(path: &Path, model: &SavedModel) -> std::io::Result<()> {
    if let Some(dir) = path.parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir)?;
    }
    let temporary = path.with_extension("ron.tmp");
    std::fs::write(&temporary, model.to_text())?;
    std::fs::rename(&temporary, path)
}

/// Reads a saved model; [`Rejection::Missing`] when there is no file.
pub fn load(path: &Path) -> Result<SavedModel, Rejection> {
    match std::fs::read_to_string(path) {
        Ok(text) => SavedModel::from_text(&text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(Rejection::Missing),
        Err(e) => Err(Rejection::Unreadable(e.to_string())),
    }
}

/// Reads a saved model and checks it against the current features, settings and data; on
/// `Err` the caller retrains.
pub fn load_matching(
    path: &Path,
    features: &[String],
    settings: &ScoringSettings,
    data: u64,
) -> Result<SavedModel, Rejection> {
    let saved = load(path)?;
    saved.check(features, settings, data)?;
    Ok(saved)
}

/// FNV-1a (64-bit) over the feature names, every raw value (missing ones marked as such)
/// and every work's ratings: what batch training sees.
pub fn fingerprint(raw: &RawFeatures, activity: &[WorkActivity]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for &byte in bytes {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    };
    for name in &raw.names {
        eat(name.as_bytes());
        eat(&[0xFF]);
    }
    for work in &raw.works {
        eat(work.as_bytes());
        eat(&[0xFF]);
    }
    for value in &raw.values {
        match value {
            Some(v) => {
                eat(&[1]);
                eat(&v.to_bits().to_le_bytes());
            }
            None => eat(&[0]),
        }
    }
    for a in activity {
        eat(&(a.ratings.len() as u64).to_le_bytes());
        eat(&a.ratings);
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::super::linear::LinearModel;
    use super::*;

    fn saved() -> SavedModel {
        SavedModel {
            version: MODEL_VERSION,
            features: vec!["curator.craft".into(), "image.luminance".into()],
            means: vec![0.5, 0.123_456_789_012_345_67],
            stds: vec![0.1, 1.0],
            model: Model::Linear(LinearModel {
                theta: vec![3.2, 0.1 + 0.2, -1e-17],
            }),
            settings: ScoringSettings::default(),
            data: u64::MAX - 5,
            ratings: 12,
            online_steps: 0,
            cross_validation: Some(CrossValidation {
                folds: 2,
                ratings: 12,
                model_mse: 0.8,
                baseline_mse: 1.1,
            }),
        }
    }

    fn temp_dir(name: &str) -> std::path::PathBuf {
        let dir =
            std::env::temp_dir().join(format!("vernissage-scoring-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn text_round_trips_exactly() {
        let s = saved();
        let text = s.to_text();
        assert!(text.contains("version: 1"));
        assert_eq!(SavedModel::from_text(&text).unwrap(), s);
        let mut hidden = s.clone();
        hidden.model = Model::Hidden(super::super::mlp::Mlp::new(2, 3, 3.0, 1));
        hidden.cross_validation = None;
        assert_eq!(SavedModel::from_text(&hidden.to_text()).unwrap(), hidden);
    }

    #[test]
    fn files_save_and_load() {
        let dir = temp_dir("files");
        let path = dir.join("nested").join(FILE_NAME);
        assert_eq!(load(&path), Err(Rejection::Missing));
        save(&path, &saved()).unwrap();
        assert_eq!(load(&path).unwrap(), saved());
        assert!(!path.with_extension("ron.tmp").exists());
        let s = saved();
        assert_eq!(
            load_matching(&path, &s.features, &s.settings, s.data).unwrap(),
            s
        );
        std::fs::write(&path, "(version: 1, nonsense: true)").unwrap();
        assert!(matches!(load(&path), Err(Rejection::Unparsable(_))));
        std::fs::write(&path, "not ron at all {").unwrap();
        assert!(matches!(load(&path), Err(Rejection::Unparsable(_))));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn mismatches_are_refused_with_a_reason() {
        let s = saved();
        let (names, settings, data) = (s.features.clone(), s.settings.clone(), s.data);
        assert_eq!(s.check(&names, &settings, data), Ok(()));
        // An older format, even one whose other fields no longer parse.
        let old = s.to_text().replace("version: 1", "version: 0");
        assert_eq!(
            SavedModel::from_text(&old),
            Err(Rejection::Version {
                found: 0,
                expected: 1
            })
        );
        let older = "(version: 0, theta: [1.0])";
        assert_eq!(
            SavedModel::from_text(older),
            Err(Rejection::Version {
                found: 0,
                expected: 1
            })
        );
        let other_names = vec!["curator.craft".to_string(), "image.contrast".to_string()];
        assert_eq!(
            s.check(&other_names, &settings, data),
            Err(Rejection::Features)
        );
        assert_eq!(
            s.check(&names[..1], &settings, data),
            Err(Rejection::Features)
        );
        let other_settings = ScoringSettings {
            l2: 0.3,
            ..settings.clone()
        };
        assert_eq!(
            s.check(&names, &other_settings, data),
            Err(Rejection::Settings)
        );
        assert_eq!(s.check(&names, &settings, data ^ 1), Err(Rejection::Data));
        let mut online = s.clone();
        online.online_steps = 3;
        assert_eq!(online.check(&names, &settings, data), Err(Rejection::Data));
        let mut short = s.clone();
        short.model = Model::Linear(LinearModel { theta: vec![1.0] });
        assert_eq!(
            short.check(&names, &settings, data),
            Err(Rejection::Malformed)
        );
        let mut nan = s.clone();
        nan.means[0] = f64::NAN;
        assert_eq!(
            nan.check(&names, &settings, data),
            Err(Rejection::Malformed)
        );
        assert!(Rejection::Data.to_string().contains("feedback changed"));
    }

    #[test]
    fn the_fingerprint_sees_values_missing_values_and_ratings() {
        let raw = RawFeatures {
            names: vec!["a".into()],
            works: vec!["w".into()],
            values: vec![Some(1.0)],
        };
        let act = vec![WorkActivity {
            ratings: vec![4],
            ..WorkActivity::default()
        }];
        let base = fingerprint(&raw, &act);
        assert_eq!(base, fingerprint(&raw.clone(), &act.clone()));
        let mut other = raw.clone();
        other.values[0] = Some(1.0 + f64::EPSILON);
        assert_ne!(fingerprint(&other, &act), base);
        other.values[0] = None;
        assert_ne!(fingerprint(&other, &act), base);
        let mut rated = act.clone();
        rated[0].ratings.push(5);
        assert_ne!(fingerprint(&raw, &rated), base);
        // Engagement that is not a feature value does not matter by itself.
        let mut seen = act.clone();
        seen[0].views = 7;
        assert_eq!(fingerprint(&raw, &seen), base);
    }
}
