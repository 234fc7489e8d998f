//! The linear model `f(x; θ) = θ0 + Σ θi·xi`: squared loss with L2, its gradient, batch
//! gradient descent, online steps, a closed-form solver and explanations.
//!
//! # Loss
//!
//! With sample weights `w` (1 for plain samples) and `W = Σ w`:
//!
//! `L(θ) = 1/W · Σ w·(y − f(x; θ))² + λ·Σ_{i≥1} θi²`
//!
//! The intercept `θ0` is not penalised. Gradient:
//! `∂L/∂θ0 = −2/W · Σ w·(y − f)`, `∂L/∂θi = −2/W · Σ w·(y − f)·xi + 2λ·θi`.
//!
//! # Grouped samples
//!
//! All ratings of one work share its feature vector, so [`Dataset::push_group`] stores a work
//! once, with weight `n` (its number of ratings) and target `ȳ` (their mean). Because
//! `Σ (yk − f)² = n·(ȳ − f)² + Σ (yk − ȳ)²`, the gradient is exactly that of the ungrouped
//! ratings and the loss differs by the constant `Σ (yk − ȳ)²`, which the dataset keeps
//! ([`Dataset::pure_error`]) and [`LinearModel::loss`] adds back: the reported loss is the
//! mean squared error over the individual ratings.
//!
//! # Batch training
//!
//! For squared loss the gradient needs only the weighted moments `G = 1/W · Σ w·x̃x̃ᵀ` and
//! `b = 1/W · Σ w·y·x̃` of the augmented rows `x̃ = (1, x)`: `∇L = 2(Gθ − b) + 2λDθ`, with `D`
//! the identity without its first entry. [`LinearModel::train`] computes them once
//! (`O(N·d²)`) and then runs full-batch gradient descent at `O(d²)` per epoch, so 100 000
//! ratings cost no more per epoch than ten. Each epoch is one step `θ ← θ − η·∇L`; training
//! stops early when `‖∇L‖ < tolerance`.
//!
//! The step `η` is the configured learning rate, capped at `1/λmax`, where `λmax` is the
//! largest eigenvalue of the Hessian `2(G + λD)` (estimated by power iteration on that small
//! matrix): beyond `2/λmax` gradient descent diverges, and between `1/λmax` and `2/λmax` it
//! oscillates and converges slowly. With standardised, weakly correlated features the cap
//! rarely binds; strongly correlated ones need it. As a last guard, should a step still
//! increase the loss, the rate is halved for the rest of training. The rate finally used is
//! reported.

use serde::{Deserialize, Serialize};

/// Training samples: feature rows, targets, weights.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Dataset {
    dims: usize,
    /// `len × dims`, row-major.
    x: Vec<f64>,
    y: Vec<f64>,
    weight: Vec<f64>,
    /// Σ over grouped samples of `(yk − ȳ)²`.
    pure_error: f64,
}

impl Dataset {
    pub fn new(dims: usize) -> Dataset {
        Dataset {
            dims,
            ..Dataset::default()
        }
    }

    /// A plain sample (weight 1).
    pub fn push(&mut self, x: &[f64], y: f64) {
        self.push_weighted(x, y, 1.0);
    }

    /// A sample that counts `weight` times.
    pub fn push_weighted(&mut self, x: &[f64], y: f64, weight: f64) {
        assert_eq!(x.len(), self.dims, "feature row of the wrong length");
        self.x.extend_from_slice(x);
        self.y.push(y);
        self.weight.push(weight);
    }

    /// Several targets sharing one feature row (a work's ratings), stored as one sample; see
    /// the module documentation. Does nothing for no targets.
    pub fn push_group(&mut self, x: &[f64], targets: &[f64]) {
        if targets.is_empty() {
            return;
        }
        let n = targets.len() as f64;
        let mean = targets.iter().sum::<f64>() / n;
        self.pure_error += targets.iter().map(|t| (t - mean) * (t - mean)).sum::<f64>();
        self.push_weighted(x, mean, n);
    }

    pub fn dims(&self) -> usize {
        self.dims
    }

    /// Stored samples (a group counts once).
    pub fn len(&self) -> usize {
        self.y.len()
    }

    pub fn is_empty(&self) -> bool {
        self.y.is_empty()
    }

    pub fn row(&self, i: usize) -> &[f64] {
        &self.x[i * self.dims..(i + 1) * self.dims]
    }

    pub fn target(&self, i: usize) -> f64 {
        self.y[i]
    }

    pub fn weight(&self, i: usize) -> f64 {
        self.weight[i]
    }

    /// `W`: the number of individual samples (ratings) when weights are counts.
    pub fn total_weight(&self) -> f64 {
        self.weight.iter().sum()
    }

    /// Σ over grouped samples of `(yk − ȳ)²`: the part of the loss no model can remove.
    pub fn pure_error(&self) -> f64 {
        self.pure_error
    }

    /// Weighted mean target; `None` without samples.
    pub fn mean_target(&self) -> Option<f64> {
        let w = self.total_weight();
        (w > 0.0).then(|| {
            self.y
                .iter()
                .zip(&self.weight)
                .map(|(y, w)| y * w)
                .sum::<f64>()
                / w
        })
    }

    /// Rows, targets and weights together.
    pub(crate) fn samples(&self) -> impl Iterator<Item = (&[f64], f64, f64)> {
        (0..self.y.len()).map(|i| (self.row(i), self.y[i], self.weight[i]))
    }
}

/// Learning rate, epochs, L2 strength and stopping tolerance of batch gradient descent.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BatchSettings {
    pub learning_rate: f64,
    pub epochs: usize,
    pub l2: f64,
    pub tolerance: f64,
}

/// How a training run went.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TrainReport {
    /// Epochs (full passes) run.
    pub epochs: usize,
    /// Loss at the end, L2 term included.
    pub loss: f64,
    /// The learning rate in use at the end.
    pub learning_rate: f64,
    /// Whether the stopping tolerance was reached before the epochs ran out.
    pub converged: bool,
}

/// `θ`, intercept first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinearModel {
    pub theta: Vec<f64>,
}

impl LinearModel {
    /// All zeros for `dims` features.
    pub fn new(dims: usize) -> LinearModel {
        LinearModel {
            theta: vec![0.0; dims + 1],
        }
    }

    pub fn dims(&self) -> usize {
        self.theta.len() - 1
    }

    pub fn intercept(&self) -> f64 {
        self.theta[0]
    }

    /// `f(x; θ)`.
    pub fn predict(&self, x: &[f64]) -> f64 {
        debug_assert_eq!(x.len(), self.dims());
        self.theta[0] + dot(&self.theta[1..], x)
    }

    /// `θi·xi` for each feature, largest magnitude first (ties by name). Together with the
    /// intercept they add up to the prediction.
    pub fn contributions(&self, x: &[f64], names: &[String]) -> Vec<(String, f64)> {
        let values: Vec<f64> = self.theta[1..].iter().zip(x).map(|(t, x)| t * x).collect();
        ranked(names, &values)
    }

    /// The loss `L(θ)` on `data` (see the module documentation).
    pub fn loss(&self, data: &Dataset, l2: f64) -> f64 {
        loss(self, data, l2)
    }

    /// Writes `∂L/∂θ` into `grad` (length `dims + 1`) by a pass over the samples; returns the
    /// loss.
    pub fn gradient(&self, data: &Dataset, l2: f64, grad: &mut [f64]) -> f64 {
        assert_eq!(grad.len(), self.theta.len());
        grad.fill(0.0);
        let total = data.total_weight();
        if total <= 0.0 {
            return penalty(&self.theta, l2);
        }
        let mut sse = data.pure_error;
        for (x, y, w) in data.samples() {
            let r = y - self.predict(x);
            sse += w * r * r;
            let g = -2.0 * w * r / total;
            grad[0] += g;
            for (gi, xi) in grad[1..].iter_mut().zip(x) {
                *gi += g * xi;
            }
        }
        for (gi, t) in grad[1..].iter_mut().zip(&self.theta[1..]) {
            *gi += 2.0 * l2 * t;
        }
        sse / total + penalty(&self.theta, l2)
    }

    /// Batch gradient descent from the current `θ` (see the module documentation).
    pub fn train(&mut self, data: &Dataset, settings: &BatchSettings) -> TrainReport {
        let m = Moments::of(data);
        let k = self.theta.len();
        let curvature = m.largest_curvature(settings.l2);
        let mut rate = if curvature > 0.0 {
            settings.learning_rate.min(1.0 / curvature)
        } else {
            settings.learning_rate
        };
        let mut grad = vec![0.0; k];
        let mut epochs = 0;
        let mut converged = false;
        while epochs < settings.epochs {
            m.gradient(&self.theta, settings.l2, &mut grad);
            let squared = dot(&grad, &grad);
            if squared.sqrt() < settings.tolerance {
                converged = true;
                break;
            }
            epochs += 1;
            // The loss is quadratic, so a step −η·g changes it by exactly
            // −η‖g‖² + η²·gᵀ(G + λD)g: no cancellation, unlike comparing two losses.
            let bend = m.bend(&grad, settings.l2);
            while rate > 0.0 && rate * bend > squared {
                rate *= 0.5;
            }
            for (t, g) in self.theta.iter_mut().zip(&grad) {
                *t -= rate * g;
            }
        }
        TrainReport {
            epochs,
            loss: loss(self, data, settings.l2),
            learning_rate: rate,
            converged,
        }
    }

    /// One online step on a single sample: `θ ← θ − η·∇ℓ` with
    /// `ℓ = (y − f(x; θ))² + λ·Σ_{i≥1} θi²`.
    pub fn online_step(&mut self, x: &[f64], y: f64, learning_rate: f64, l2: f64) {
        let r = y - self.predict(x);
        self.theta[0] += learning_rate * 2.0 * r;
        for (t, xi) in self.theta[1..].iter_mut().zip(x) {
            *t -= learning_rate * (-2.0 * r * xi + 2.0 * l2 * *t);
        }
    }
}

/// The loss of any predictor on a dataset: weighted MSE (pure error included) plus the L2
/// term of the linear model.
fn loss(model: &LinearModel, data: &Dataset, l2: f64) -> f64 {
    let total = data.total_weight();
    let mut sse = data.pure_error;
    for (x, y, w) in data.samples() {
        let r = y - model.predict(x);
        sse += w * r * r;
    }
    let mse = if total > 0.0 { sse / total } else { 0.0 };
    mse + penalty(&model.theta, l2)
}

fn penalty(theta: &[f64], l2: f64) -> f64 {
    l2 * theta[1..].iter().map(|t| t * t).sum::<f64>()
}

pub(crate) fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(a, b)| a * b).sum()
}

fn norm(v: &[f64]) -> f64 {
    dot(v, v).sqrt()
}

/// Names with values, largest magnitude first, ties by name.
pub(crate) fn ranked(names: &[String], values: &[f64]) -> Vec<(String, f64)> {
    let mut out: Vec<(String, f64)> = names.iter().cloned().zip(values.iter().copied()).collect();
    out.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()).then_with(|| a.0.cmp(&b.0)));
    out
}

/// Weighted moments of the augmented rows (see the module documentation).
struct Moments {
    /// `k × k` with `k = dims + 1`.
    g: Vec<f64>,
    b: Vec<f64>,
}

impl Moments {
    fn of(data: &Dataset) -> Moments {
        let k = data.dims + 1;
        let mut g = vec![0.0; k * k];
        let mut b = vec![0.0; k];
        let total = data.total_weight();
        let mut row = vec![0.0; k];
        row[0] = 1.0;
        for (x, y, w) in data.samples() {
            row[1..].copy_from_slice(x);
            for i in 0..k {
                let wi = w * row[i];
                b[i] += wi * y;
                let upper = &mut g[i * k + i..(i + 1) * k];
                for (gij, xj) in upper.iter_mut().zip(&row[i..]) {
                    *gij += wi * xj;
                }
            }
        }
        let scale = if total > 0.0 { 1.0 / total } else { 0.0 };
        for i in 0..k {
            for j in i..k {
                let v = g[i * k + j] * scale;
                g[i * k + j] = v;
                g[j * k + i] = v;
            }
            b[i] *= scale;
        }
        Moments { g, b }
    }

    /// `gᵀ(G + λD)g`: half the curvature of the loss along `g`, times `‖g‖²`.
    fn bend(&self, g: &[f64], l2: f64) -> f64 {
        let k = g.len();
        let quadratic: f64 = self
            .g
            .chunks_exact(k)
            .zip(g)
            .map(|(row, gi)| gi * dot(row, g))
            .sum();
        quadratic + l2 * dot(&g[1..], &g[1..])
    }

    /// The largest eigenvalue of the Hessian `2(G + λD)`, by power iteration from a fixed
    /// start (so training stays deterministic).
    fn largest_curvature(&self, l2: f64) -> f64 {
        let k = self.b.len();
        let mut v: Vec<f64> = (0..k).map(|i| 1.0 + 0.1 * i as f64).collect();
        let mut w = vec![0.0; k];
        let mut estimate = 0.0;
        for _ in 0..200 {
            let n = norm(&v);
            if n == 0.0 {
                return 0.0;
            }
            v.iter_mut().for_each(|x| *x /= n);
            for (i, (wi, row)) in w.iter_mut().zip(self.g.chunks_exact(k)).enumerate() {
                let ridge = if i == 0 { 0.0 } else { l2 * v[i] };
                *wi = 2.0 * (dot(row, &v) + ridge);
            }
            let next = norm(&w);
            let settled = (next - estimate).abs() <= 1e-9 * next;
            estimate = next;
            std::mem::swap(&mut v, &mut w);
            if settled {
                break;
            }
        }
        estimate
    }

    fn gradient(&self, theta: &[f64], l2: f64, grad: &mut [f64]) {
        let k = theta.len();
        for (i, (gi, row)) in grad.iter_mut().zip(self.g.chunks_exact(k)).enumerate() {
            let ridge = if i == 0 { 0.0 } else { 2.0 * l2 * theta[i] };
            *gi = 2.0 * (dot(row, theta) - self.b[i]) + ridge;
        }
    }
}

/// The exact minimiser of the loss: solves `(G + λD)·θ = b` (the normal equations).
/// `None` when the system is singular (e.g. fewer samples than features and no L2).
pub fn closed_form(data: &Dataset, l2: f64) -> Option<Vec<f64>> {
    let m = Moments::of(data);
    let k = data.dims + 1;
    let mut a = m.g;
    for i in 1..k {
        a[i * k + i] += l2;
    }
    solve(a, m.b)
}

/// Solves `A·x = b` for a square row-major `A` by Gaussian elimination with partial pivoting;
/// `None` when `A` is singular to working precision.
pub fn solve(mut a: Vec<f64>, mut b: Vec<f64>) -> Option<Vec<f64>> {
    let n = b.len();
    assert_eq!(a.len(), n * n, "matrix and right-hand side disagree");
    let scale = a
        .iter()
        .fold(0.0f64, |m, v| m.max(v.abs()))
        .max(f64::MIN_POSITIVE);
    for col in 0..n {
        let pivot =
            (col..n).max_by(|&r, &s| a[r * n + col].abs().total_cmp(&a[s * n + col].abs()))?;
        if a[pivot * n + col].abs() <= 1e-13 * scale {
            return None;
        }
        if pivot != col {
            for j in 0..n {
                a.swap(pivot * n + j, col * n + j);
            }
            b.swap(pivot, col);
        }
        let p = a[col * n + col];
        for r in col + 1..n {
            let factor = a[r * n + col] / p;
            if factor == 0.0 {
                continue;
            }
            for j in col..n {
                a[r * n + j] -= factor * a[col * n + j];
            }
            b[r] -= factor * b[col];
        }
    }
    let mut x = vec![0.0; n];
    for r in (0..n).rev() {
        let tail: f64 = (r + 1..n).map(|j| a[r * n + j] * x[j]).sum();
        x[r] = (b[r] - tail) / a[r * n + r];
    }
    Some(x)
}

/// Deterministic random numbers for tests and synthetic data.
#[cfg(test)]
pub(crate) mod testing {
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    pub struct Draw(ChaCha8Rng);

    impl Draw {
        pub fn new(seed: u64) -> Draw {
            Draw(ChaCha8Rng::seed_from_u64(seed))
        }

        /// Uniform in [0, 1).
        pub fn unit(&mut self) -> f64 {
            (self.0.next_u64() >> 11) as f64 / (1u64 << 53) as f64
        }

        /// Standard normal (Box–Muller).
        pub fn normal(&mut self) -> f64 {
            let u = 1.0 - self.unit();
            let v = self.unit();
            (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testing::Draw;
    use super::*;

    fn synthetic(n: usize, theta: &[f64], noise: f64, seed: u64) -> Dataset {
        let mut draw = Draw::new(seed);
        let d = theta.len() - 1;
        let mut data = Dataset::new(d);
        let mut x = vec![0.0; d];
        for _ in 0..n {
            for xi in &mut x {
                *xi = draw.normal();
            }
            let y = theta[0] + dot(&theta[1..], &x) + noise * draw.normal();
            data.push(&x, y);
        }
        data
    }

    fn settings(l2: f64) -> BatchSettings {
        BatchSettings {
            learning_rate: 0.1,
            epochs: 20_000,
            l2,
            tolerance: 1e-12,
        }
    }

    #[test]
    fn worked_example_by_hand() {
        // x = (3, 4, 5), (2, 5, 6); y = (4, 5); θ = (1, 0.5, −0.5, 0).
        let mut data = Dataset::new(3);
        data.push(&[3.0, 4.0, 5.0], 4.0);
        data.push(&[2.0, 5.0, 6.0], 5.0);
        let model = LinearModel {
            theta: vec![1.0, 0.5, -0.5, 0.0],
        };
        // f1 = 1 + 1.5 − 2 + 0 = 0.5; f2 = 1 + 1 − 2.5 + 0 = −0.5.
        assert_eq!(model.predict(data.row(0)), 0.5);
        assert_eq!(model.predict(data.row(1)), -0.5);
        // Residuals 3.5 and 5.5: L = (12.25 + 30.25) / 2 = 21.25.
        assert_eq!(model.loss(&data, 0.0), 21.25);
        // ∂L/∂θ = −(2/2)·Σ r·x̃ = −(3.5·(1, 3, 4, 5) + 5.5·(1, 2, 5, 6))
        //       = (−9, −21.5, −41.5, −50.5).
        let mut grad = vec![0.0; 4];
        let l = model.gradient(&data, 0.0, &mut grad);
        assert_eq!(l, 21.25);
        assert_eq!(grad, vec![-9.0, -21.5, -41.5, -50.5]);
        // With λ = 0.1 the penalty adds 0.1·(0.25 + 0.25) = 0.05 and 2λθi to the gradient.
        let l = model.gradient(&data, 0.1, &mut grad);
        assert!((l - 21.3).abs() < 1e-12);
        let expected = [-9.0, -21.4, -41.6, -50.5];
        for (g, e) in grad.iter().zip(expected) {
            assert!((g - e).abs() < 1e-12, "{grad:?}");
        }
        // The moments give the same gradient.
        let m = Moments::of(&data);
        let mut fast = vec![0.0; 4];
        m.gradient(&model.theta, 0.1, &mut fast);
        for (a, b) in fast.iter().zip(&grad) {
            assert!((a - b).abs() < 1e-12);
        }
    }

    #[test]
    fn analytic_gradient_matches_finite_differences() {
        let mut draw = Draw::new(7);
        for trial in 0..5 {
            let d = 2 + trial;
            let mut data = Dataset::new(d);
            let mut x = vec![0.0; d];
            for _ in 0..40 {
                for xi in &mut x {
                    *xi = 3.0 * draw.normal();
                }
                data.push_weighted(&x, 5.0 * draw.unit(), 0.5 + draw.unit());
            }
            let mut model = LinearModel::new(d);
            for t in &mut model.theta {
                *t = draw.normal();
            }
            let l2 = 0.3 * draw.unit();
            let mut grad = vec![0.0; d + 1];
            model.gradient(&data, l2, &mut grad);
            let h = 1e-6;
            for (i, &analytic) in grad.iter().enumerate() {
                let mut plus = model.clone();
                plus.theta[i] += h;
                let mut minus = model.clone();
                minus.theta[i] -= h;
                let numeric = (plus.loss(&data, l2) - minus.loss(&data, l2)) / (2.0 * h);
                let rel = (numeric - analytic).abs() / analytic.abs().max(numeric.abs()).max(1e-8);
                assert!(rel < 1e-4, "θ{i}: analytic {analytic} numeric {numeric}");
            }
        }
    }

    #[test]
    fn grouping_keeps_the_gradient_and_the_loss() {
        let mut plain = Dataset::new(2);
        let mut grouped = Dataset::new(2);
        let groups: [([f64; 2], &[f64]); 3] = [
            ([1.0, -1.0], &[4.0, 5.0, 3.0]),
            ([0.5, 2.0], &[1.0]),
            ([-2.0, 0.0], &[2.0, 2.0]),
        ];
        for (x, ys) in groups {
            for &y in ys {
                plain.push(&x, y);
            }
            grouped.push_group(&x, ys);
        }
        grouped.push_group(&[9.0, 9.0], &[]);
        assert_eq!(grouped.len(), 3);
        assert_eq!(grouped.total_weight(), 6.0);
        assert!((grouped.pure_error() - 2.0).abs() < 1e-12);
        let model = LinearModel {
            theta: vec![0.3, -0.7, 1.1],
        };
        let (mut a, mut b) = (vec![0.0; 3], vec![0.0; 3]);
        let la = model.gradient(&plain, 0.2, &mut a);
        let lb = model.gradient(&grouped, 0.2, &mut b);
        assert!((la - lb).abs() < 1e-12);
        for (a, b) in a.iter().zip(&b) {
            assert!((a - b).abs() < 1e-12);
        }
        let ca = closed_form(&plain, 0.2).unwrap();
        let cb = closed_form(&grouped, 0.2).unwrap();
        for (a, b) in ca.iter().zip(&cb) {
            assert!((a - b).abs() < 1e-12);
        }
    }

    #[test]
    fn batch_training_reaches_the_closed_form_and_recovers_theta() {
        let truth = [2.0, 0.8, -1.2, 0.3];
        let data = synthetic(500, &truth, 0.3, 11);
        for l2 in [0.0, 0.05] {
            let exact = closed_form(&data, l2).unwrap();
            let mut model = LinearModel::new(3);
            let report = model.train(&data, &settings(l2));
            assert!(report.converged, "{report:?}");
            for (t, e) in model.theta.iter().zip(&exact) {
                assert!((t - e).abs() < 1e-6, "{:?} vs {exact:?}", model.theta);
            }
            // The closed form is a minimum: the loss there is no larger than nearby.
            let best = model.loss(&data, l2);
            assert!((report.loss - best).abs() < 1e-12);
            let mut nudged = model.clone();
            nudged.theta[2] += 1e-3;
            assert!(nudged.loss(&data, l2) > best);
        }
        let mut model = LinearModel::new(3);
        model.train(&data, &settings(0.0));
        for (t, e) in model.theta.iter().zip(truth) {
            assert!((t - e).abs() < 0.05, "{:?}", model.theta);
        }
        // Noise variance 0.09: the fit's MSE is close to it.
        assert!((model.loss(&data, 0.0) - 0.09).abs() < 0.02);
    }

    #[test]
    fn a_learning_rate_too_large_is_capped_not_followed_into_divergence() {
        let data = synthetic(200, &[1.0, 10.0, -10.0], 0.1, 3);
        let mut model = LinearModel::new(2);
        let report = model.train(
            &data,
            &BatchSettings {
                learning_rate: 50.0,
                epochs: 5000,
                l2: 0.0,
                tolerance: 1e-10,
            },
        );
        assert!(report.learning_rate < 50.0);
        assert!(report.converged && report.loss.is_finite(), "{report:?}");
        let exact = closed_form(&data, 0.0).unwrap();
        assert!((model.theta[1] - exact[1]).abs() < 1e-6);
    }

    #[test]
    fn online_training_ends_near_the_closed_form() {
        let truth = [3.0, 0.5, -0.4, 0.2];
        let data = synthetic(100_000, &truth, 0.3, 5);
        let exact = closed_form(&data, 0.0).unwrap();
        let mut model = LinearModel::new(3);
        for i in 0..data.len() {
            model.online_step(data.row(i), data.target(i), 0.0005, 0.0);
        }
        for (t, e) in model.theta.iter().zip(&exact) {
            assert!((t - e).abs() < 0.03, "{:?} vs {exact:?}", model.theta);
        }
        // And its loss is within a hair of the best possible.
        let best = LinearModel { theta: exact };
        assert!(model.loss(&data, 0.0) < best.loss(&data, 0.0) * 1.01);
    }

    #[test]
    fn a_hundred_thousand_ratings_train_quickly() {
        let truth: Vec<f64> = (0..13).map(|i| 0.1 * i as f64 - 0.5).collect();
        let data = synthetic(100_000, &truth, 0.5, 9);
        let start = std::time::Instant::now();
        let mut model = LinearModel::new(12);
        let report = model.train(
            &data,
            &BatchSettings {
                learning_rate: 0.1,
                epochs: 5000,
                l2: 0.0,
                tolerance: 1e-10,
            },
        );
        assert!(report.converged);
        assert!(start.elapsed().as_secs_f64() < 20.0);
        for (t, e) in model.theta.iter().zip(&truth) {
            assert!((t - e).abs() < 0.02);
        }
    }

    #[test]
    fn contributions_add_up_and_rank_by_magnitude() {
        let model = LinearModel {
            theta: vec![3.0, 0.5, -2.0, 0.0, 1.0],
        };
        let names: Vec<String> = ["a", "b", "c", "d"].iter().map(|s| s.to_string()).collect();
        let x = [1.0, 0.5, 4.0, -1.0];
        let c = model.contributions(&x, &names);
        assert_eq!(
            c,
            vec![
                ("b".to_string(), -1.0),
                ("d".to_string(), -1.0),
                ("a".to_string(), 0.5),
                ("c".to_string(), 0.0),
            ]
        );
        let total: f64 = c.iter().map(|(_, v)| v).sum::<f64>() + model.intercept();
        assert_eq!(total, model.predict(&x));
    }

    #[test]
    fn the_solver_pivots_and_detects_singular_systems() {
        // A zero in the first pivot position needs a row swap.
        let x = solve(vec![0.0, 1.0, 2.0, 3.0], vec![4.0, 13.0]).unwrap();
        // 0a + b = 4, 2a + 3b = 13: b = 4, a = 0.5.
        assert!((x[0] - 0.5).abs() < 1e-12 && (x[1] - 4.0).abs() < 1e-12);
        assert_eq!(solve(vec![1.0, 2.0, 2.0, 4.0], vec![1.0, 2.0]), None);
        // Fewer samples than features: singular without L2, solvable with it.
        let mut data = Dataset::new(3);
        data.push(&[1.0, 2.0, 3.0], 1.0);
        data.push(&[0.0, 1.0, 0.0], 2.0);
        assert_eq!(closed_form(&data, 0.0), None);
        assert!(closed_form(&data, 0.1).is_some());
    }
}
