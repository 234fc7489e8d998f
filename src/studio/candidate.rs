//! A studio candidate: one generative algorithm, a seed and a full set of parameters, what it
//! looks like and the content hash a publication registers (plain Rust).

use std::collections::BTreeMap;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::gallery::generative::{self, ParamSpec};
use crate::gallery::pixels::Pixels;
use crate::level::content::kind_content_hash;
use crate::level::schema::WorkKind;

/// Texture edge of a published work (the level format's default `resolution`).
pub const RESOLUTION: u32 = 512;
/// Largest seed the studio draws or accepts from its slider (any `u64` is a valid seed).
pub const MAX_SEED: u64 = 999_999;

/// A generative work before it is published.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub algorithm: String,
    pub seed: u64,
    /// Every parameter of the algorithm, defaults included, so the content hash names them all.
    pub params: BTreeMap<String, f64>,
}

/// Whether a parameter takes whole numbers (its help says so).
pub fn is_integer(spec: &ParamSpec) -> bool {
    spec.help.contains("integer")
}

/// A value as the studio keeps it: clamped to the parameter's range, whole for integer
/// parameters and to three decimals otherwise, so files and hashes stay short and exact.
pub fn tidy(spec: &ParamSpec, value: f64) -> f64 {
    let value = if value.is_finite() {
        value.clamp(spec.min, spec.max)
    } else {
        spec.default
    };
    let value = if is_integer(spec) {
        value.round()
    } else {
        (value * 1000.0).round() / 1000.0
    };
    // Fold -0 into 0 so both spellings hash alike.
    if value == 0.0 { 0.0 } else { value }
}

impl Candidate {
    /// The algorithm at its default parameters and `seed`.
    pub fn new(algorithm: &str, seed: u64) -> Result<Candidate, String> {
        Candidate::with_params(algorithm, seed, &BTreeMap::new())
    }

    /// `algorithm` with `params` (others at their defaults); unknown algorithms or parameter
    /// names and values out of range are refused with the reason.
    pub fn with_params(
        algorithm: &str,
        seed: u64,
        params: &BTreeMap<String, f64>,
    ) -> Result<Candidate, String> {
        let specs = generative::params(algorithm).ok_or_else(|| {
            format!(
                "unknown algorithm \"{algorithm}\" (one of: {})",
                generative::ALGORITHMS.join(", ")
            )
        })?;
        generative::validate(algorithm, params).map_err(|e| e.to_string())?;
        let mut full = BTreeMap::new();
        for spec in specs {
            let value = params.get(spec.name).copied().unwrap_or(spec.default);
            full.insert(spec.name.to_string(), tidy(spec, value));
        }
        Ok(Candidate {
            algorithm: algorithm.to_string(),
            seed,
            params: full,
        })
    }

    /// Random parameters and seed for `algorithm` ("surprise me"): the same `draw` always gives
    /// the same candidate.
    pub fn surprise(algorithm: &str, draw: u64) -> Result<Candidate, String> {
        let specs = generative::params(algorithm)
            .ok_or_else(|| format!("unknown algorithm \"{algorithm}\""))?;
        let mut rng = ChaCha8Rng::seed_from_u64(draw ^ 0x5747_D105_EED0);
        let unit = |rng: &mut ChaCha8Rng| (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        let seed = rng.next_u64() % (MAX_SEED + 1);
        let mut params = BTreeMap::new();
        for spec in specs {
            // Most of the range, not its extremes: those are rarely what anyone wants.
            let u = 0.1 + 0.8 * unit(&mut rng);
            let value = spec.min + (spec.max - spec.min) * u;
            params.insert(spec.name.to_string(), tidy(spec, value));
        }
        Ok(Candidate {
            algorithm: algorithm.to_string(),
            seed,
            params,
        })
    }

    /// The algorithm's parameter specifications.
    pub fn specs(&self) -> &'static [ParamSpec] {
        generative::params(&self.algorithm).unwrap_or(&[])
    }

    /// Sets one parameter (tidied); unknown names are ignored.
    pub fn set(&mut self, name: &str, value: f64) {
        if let Some(spec) = self.specs().iter().find(|s| s.name == name) {
            self.params.insert(name.to_string(), tidy(spec, value));
        }
    }

    /// The pixels at `size`×`size`.
    pub fn render(&self, size: u32) -> Result<Pixels, String> {
        generative::render(&self.algorithm, self.seed, &self.params, size)
            .map_err(|e| e.to_string())
    }

    /// The level's description of this content.
    pub fn kind(&self) -> WorkKind {
        WorkKind::Generative {
            algorithm: self.algorithm.clone(),
            seed: self.seed,
            params: self.params.clone(),
            resolution: RESOLUTION,
        }
    }

    /// SHA-256 of the canonical text of algorithm, seed, resolution and parameters: what the
    /// ledger registers, and the same hash the level loader computes for the published work.
    pub fn content_hash(&self) -> [u8; 32] {
        kind_content_hash(&self.kind(), None).expect("generative works always have a source")
    }

    /// `name=value` pairs, for messages.
    pub fn params_line(&self) -> String {
        self.params
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// The candidate every platform checks: its 64-pixel fingerprint and the first eight bytes of
/// its content hash are logged by the browser build (see `generative::fingerprint_line`) and
/// compared with golden values on the desktop.
pub fn reference() -> Candidate {
    let params: BTreeMap<String, f64> = [
        ("cells", 64.0),
        ("jitter", 0.5),
        ("grout", 3.0),
        ("shading", 0.8),
        ("palette", 5.0),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    Candidate::with_params("voronoi-mosaic", 2026, &params).expect("a valid reference")
}

/// `(studio-pixels, fingerprint)` and `(studio-hash, first 8 bytes of the content hash)` of
/// [`reference`].
pub fn reference_fingerprints() -> [(&'static str, u64); 2] {
    let candidate = reference();
    let pixels = candidate.render(64).map_or(0, |p| p.fingerprint());
    let hash = candidate.content_hash();
    let mut head = [0u8; 8];
    head.copy_from_slice(&hash[..8]);
    [
        ("studio-pixels", pixels),
        ("studio-hash", u64::from_be_bytes(head)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::level::content::content_hash;

    #[test]
    fn the_same_inputs_give_the_same_pixels_and_hash() {
        let a = reference();
        let b = reference();
        assert_eq!(a.render(64).unwrap(), b.render(64).unwrap());
        assert_eq!(a.content_hash(), b.content_hash());
        let mut c = reference();
        c.set("jitter", 0.6);
        assert_ne!(a.content_hash(), c.content_hash());
        assert_ne!(a.render(64).unwrap(), c.render(64).unwrap());
        let mut d = reference();
        d.seed += 1;
        assert_ne!(a.content_hash(), d.content_hash());
    }

    #[test]
    fn defaults_are_filled_in_so_the_hash_matches_the_loaded_work() {
        let c = Candidate::new("flow-field", 3).unwrap();
        assert_eq!(c.params.len(), c.specs().len());
        let work_hash = content_hash(
            &crate::level::schema::Work {
                id: "x".into(),
                title: "x".into(),
                artist: "x".into(),
                year: 2026,
                medium: "x".into(),
                description: String::new(),
                alt_text: "x".into(),
                license: "x".into(),
                kind: c.kind(),
                placement: Default::default(),
                size: (1.0, 1.0),
                frame: Default::default(),
                price: 1,
                editions: 1,
                royalties: Vec::new(),
                resale_royalty: 10.0,
                features: Default::default(),
            },
            None,
        );
        assert_eq!(work_hash, Some(c.content_hash()));
    }

    #[test]
    fn bad_inputs_are_refused_with_the_reason() {
        let err = Candidate::new("watercolour", 1).unwrap_err();
        assert!(err.contains("unknown algorithm"), "{err}");
        let mut params = BTreeMap::new();
        params.insert("wobble".to_string(), 1.0);
        assert!(Candidate::with_params("flow-field", 1, &params).is_err());
        params.clear();
        params.insert("lines".to_string(), 1e9);
        assert!(Candidate::with_params("flow-field", 1, &params).is_err());
    }

    #[test]
    fn surprise_draws_valid_repeatable_parameters() {
        for algorithm in generative::ALGORITHMS {
            let a = Candidate::surprise(algorithm, 11).unwrap();
            assert_eq!(a, Candidate::surprise(algorithm, 11).unwrap());
            assert_ne!(a, Candidate::surprise(algorithm, 12).unwrap());
            assert!(generative::validate(algorithm, &a.params).is_ok());
            for spec in a.specs() {
                let v = a.params[spec.name];
                assert!(
                    (spec.min..=spec.max).contains(&v),
                    "{algorithm} {}",
                    spec.name
                );
                if is_integer(spec) {
                    assert_eq!(v, v.round());
                }
            }
        }
    }

    #[test]
    fn set_clamps_and_rounds() {
        let mut c = Candidate::new("flow-field", 1).unwrap();
        c.set("lines", 123.7);
        assert_eq!(c.params["lines"], 124.0);
        c.set("curl", 100.0);
        assert_eq!(c.params["curl"], 8.0);
        c.set("length", 0.123_456);
        assert_eq!(c.params["length"], 0.123);
        c.set("nonsense", 1.0);
        assert!(!c.params.contains_key("nonsense"));
    }
}
