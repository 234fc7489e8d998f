//! The optional second model: one small hidden layer of `tanh` units, trained with Adam.
//!
//! `f(x) = b2 + Σj w2j · tanh(b1j + Σi w1ji · xi)`, on the same loss as the linear model
//! (weighted squared error over the ratings, pure error of grouped samples included, L2 on
//! the weights `w1`, `w2` but not the biases). Parameters start from a seeded Xavier-uniform
//! draw with `b2` at the mean target, so an untrained network predicts the mean rating.
//!
//! Training runs `epochs` passes of Adam (β1 = 0.9, β2 = 0.999, ε = 1e-8) over mini-batches of
//! `batch_size` samples (0: the whole set), the order reshuffled every epoch from the seed;
//! full-batch training stops early when the gradient norm is below the tolerance. Online
//! steps are plain gradient steps on one sample.
//!
//! The network does not explain itself the way the linear model does: its
//! [`Mlp::contributions`] are gradient × input, `∂f/∂xi · xi` at the work's features, a local
//! linear reading that does not add up to the prediction exactly.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::linear::{Dataset, TrainReport, dot, ranked};

/// Adam's first-moment decay.
pub const BETA1: f64 = 0.9;
/// Adam's second-moment decay.
pub const BETA2: f64 = 0.999;
/// Adam's denominator guard.
pub const EPSILON: f64 = 1e-8;

/// How to train the network.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AdamSettings {
    pub learning_rate: f64,
    pub epochs: usize,
    pub l2: f64,
    /// Samples per step; 0 for the whole set.
    pub batch_size: usize,
    pub tolerance: f64,
    pub seed: u64,
}

/// A network with one hidden layer; parameters in one flat vector: `w1` (`hidden × inputs`,
/// row per unit), `b1` (`hidden`), `w2` (`hidden`), `b2`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mlp {
    pub inputs: usize,
    pub hidden: usize,
    pub params: Vec<f64>,
}

impl Mlp {
    /// A fresh network: Xavier-uniform weights from `seed`, zero hidden biases, the output bias
    /// at `mean`.
    pub fn new(inputs: usize, hidden: usize, mean: f64, seed: u64) -> Mlp {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut uniform = |limit: f64| {
            let u = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
            (2.0 * u - 1.0) * limit
        };
        let mut params = Vec::with_capacity(Self::count(inputs, hidden));
        let first = (6.0 / (inputs + hidden) as f64).sqrt();
        params.extend((0..hidden * inputs).map(|_| uniform(first)));
        params.extend(std::iter::repeat_n(0.0, hidden));
        let second = (6.0 / (hidden + 1) as f64).sqrt();
        params.extend((0..hidden).map(|_| uniform(second)));
        params.push(mean);
        Mlp {
            inputs,
            hidden,
            params,
        }
    }

    /// Number of parameters for a shape.
    pub fn count(inputs: usize, hidden: usize) -> usize {
        hidden * inputs + 2 * hidden + 1
    }

    /// Whether the parameter vector fits the shape.
    pub fn is_well_formed(&self) -> bool {
        self.params.len() == Self::count(self.inputs, self.hidden)
    }

    fn w1(&self) -> &[f64] {
        &self.params[..self.hidden * self.inputs]
    }

    fn b1(&self) -> &[f64] {
        let s = self.hidden * self.inputs;
        &self.params[s..s + self.hidden]
    }

    fn w2(&self) -> &[f64] {
        let s = self.hidden * self.inputs + self.hidden;
        &self.params[s..s + self.hidden]
    }

    fn b2(&self) -> f64 {
        self.params[self.params.len() - 1]
    }

    /// Hidden activations into `act`; returns the output.
    fn forward(&self, x: &[f64], act: &mut [f64]) -> f64 {
        let (w1, d) = (self.w1(), self.inputs);
        for (j, (a, b)) in act.iter_mut().zip(self.b1()).enumerate() {
            *a = (b + dot(&w1[j * d..(j + 1) * d], x)).tanh();
        }
        self.b2() + dot(self.w2(), act)
    }

    /// `f(x)`.
    pub fn predict(&self, x: &[f64]) -> f64 {
        debug_assert_eq!(x.len(), self.inputs);
        let mut out = self.b2();
        for ((b, w2), j) in self.b1().iter().zip(self.w2()).zip(0..) {
            let row = &self.w1()[j * self.inputs..(j + 1) * self.inputs];
            out += w2 * (b + dot(row, x)).tanh();
        }
        out
    }

    fn penalty(&self, l2: f64) -> f64 {
        let sq = |s: &[f64]| s.iter().map(|v| v * v).sum::<f64>();
        l2 * (sq(self.w1()) + sq(self.w2()))
    }

    /// Adds `2λ·w` for the weights to `grad`.
    fn add_penalty_gradient(&self, l2: f64, grad: &mut [f64]) {
        let (w1_end, w2_start) = (
            self.hidden * self.inputs,
            self.hidden * self.inputs + self.hidden,
        );
        let w2_end = w2_start + self.hidden;
        for i in (0..w1_end).chain(w2_start..w2_end) {
            grad[i] += 2.0 * l2 * self.params[i];
        }
    }

    /// Adds `scale · ∂(y − f)²/∂params` for one sample to `grad`; returns `(y − f)²`.
    fn accumulate(&self, x: &[f64], y: f64, scale: f64, grad: &mut [f64], act: &mut [f64]) -> f64 {
        let f = self.forward(x, act);
        let r = f - y;
        let g = 2.0 * scale * r;
        let (h, d) = (self.hidden, self.inputs);
        let (w1_grad, rest) = grad.split_at_mut(h * d);
        let (b1_grad, rest) = rest.split_at_mut(h);
        let (w2_grad, b2_grad) = rest.split_at_mut(h);
        b2_grad[0] += g;
        for (j, (&a, &w2)) in act.iter().zip(self.w2()).enumerate() {
            w2_grad[j] += g * a;
            let gz = g * w2 * (1.0 - a * a);
            b1_grad[j] += gz;
            for (gw, xi) in w1_grad[j * d..(j + 1) * d].iter_mut().zip(x) {
                *gw += gz * xi;
            }
        }
        r * r
    }

    /// The loss on `data`.
    pub fn loss(&self, data: &Dataset, l2: f64) -> f64 {
        let total = data.total_weight();
        let mut sse = data.pure_error();
        for (x, y, w) in data.samples() {
            let r = y - self.predict(x);
            sse += w * r * r;
        }
        let mse = if total > 0.0 { sse / total } else { 0.0 };
        mse + self.penalty(l2)
    }

    /// Writes the full-batch gradient into `grad`; returns the loss.
    pub fn gradient(&self, data: &Dataset, l2: f64, grad: &mut [f64]) -> f64 {
        assert_eq!(grad.len(), self.params.len());
        grad.fill(0.0);
        let total = data.total_weight();
        let mut act = vec![0.0; self.hidden];
        let mut sse = data.pure_error();
        if total > 0.0 {
            for (x, y, w) in data.samples() {
                sse += w * self.accumulate(x, y, w / total, grad, &mut act);
            }
        }
        self.add_penalty_gradient(l2, grad);
        let mse = if total > 0.0 { sse / total } else { 0.0 };
        mse + self.penalty(l2)
    }

    /// Adam over mini-batches (see the module documentation).
    pub fn train(&mut self, data: &Dataset, settings: &AdamSettings) -> TrainReport {
        let n = data.len();
        let p = self.params.len();
        let mut m = vec![0.0; p];
        let mut v = vec![0.0; p];
        let mut grad = vec![0.0; p];
        let mut act = vec![0.0; self.hidden];
        let mut order: Vec<usize> = (0..n).collect();
        let mut rng = ChaCha8Rng::seed_from_u64(settings.seed);
        let batch = if settings.batch_size == 0 || settings.batch_size >= n {
            n
        } else {
            settings.batch_size
        };
        let (mut beta1_t, mut beta2_t) = (1.0, 1.0);
        let mut epochs = 0;
        let mut converged = false;
        while epochs < settings.epochs && n > 0 {
            if batch < n {
                for i in (1..n).rev() {
                    // Modulo bias is below 2⁻⁴⁰ for any realistic n.
                    let j = (rng.next_u64() % (i as u64 + 1)) as usize;
                    order.swap(i, j);
                }
            }
            for chunk in order.chunks(batch) {
                let weight: f64 = chunk.iter().map(|&i| data.weight(i)).sum();
                grad.fill(0.0);
                if weight > 0.0 {
                    for &i in chunk {
                        let scale = data.weight(i) / weight;
                        self.accumulate(data.row(i), data.target(i), scale, &mut grad, &mut act);
                    }
                }
                self.add_penalty_gradient(settings.l2, &mut grad);
                if batch == n && dot(&grad, &grad).sqrt() < settings.tolerance {
                    converged = true;
                    break;
                }
                beta1_t *= BETA1;
                beta2_t *= BETA2;
                for (((theta, g), m), v) in
                    self.params.iter_mut().zip(&grad).zip(&mut m).zip(&mut v)
                {
                    *m = BETA1 * *m + (1.0 - BETA1) * g;
                    *v = BETA2 * *v + (1.0 - BETA2) * g * g;
                    let m_hat = *m / (1.0 - beta1_t);
                    let v_hat = *v / (1.0 - beta2_t);
                    *theta -= settings.learning_rate * m_hat / (v_hat.sqrt() + EPSILON);
                }
            }
            if converged {
                break;
            }
            epochs += 1;
        }
        TrainReport {
            epochs,
            loss: self.loss(data, settings.l2),
            learning_rate: settings.learning_rate,
            converged,
        }
    }

    /// One plain gradient step on one sample of `(y − f(x))² + λ·‖w‖²`.
    pub fn online_step(&mut self, x: &[f64], y: f64, learning_rate: f64, l2: f64) {
        let mut grad = vec![0.0; self.params.len()];
        let mut act = vec![0.0; self.hidden];
        self.accumulate(x, y, 1.0, &mut grad, &mut act);
        self.add_penalty_gradient(l2, &mut grad);
        for (t, g) in self.params.iter_mut().zip(&grad) {
            *t -= learning_rate * g;
        }
    }

    /// Gradient × input, `∂f/∂xi · xi`, largest magnitude first (see the module documentation).
    pub fn contributions(&self, x: &[f64], names: &[String]) -> Vec<(String, f64)> {
        let mut act = vec![0.0; self.hidden];
        self.forward(x, &mut act);
        let mut slope = vec![0.0; self.inputs];
        for (j, (&a, &w2)) in act.iter().zip(self.w2()).enumerate() {
            let gz = w2 * (1.0 - a * a);
            let row = &self.w1()[j * self.inputs..(j + 1) * self.inputs];
            for (s, w) in slope.iter_mut().zip(row) {
                *s += gz * w;
            }
        }
        let values: Vec<f64> = slope.iter().zip(x).map(|(s, x)| s * x).collect();
        ranked(names, &values)
    }
}

#[cfg(test)]
mod tests {
    use super::super::linear::testing::Draw;
    use super::super::linear::{BatchSettings, LinearModel};
    use super::*;

    fn data(n: usize, d: usize, seed: u64, target: impl Fn(&[f64]) -> f64) -> Dataset {
        let mut draw = Draw::new(seed);
        let mut data = Dataset::new(d);
        let mut x = vec![0.0; d];
        for _ in 0..n {
            for xi in &mut x {
                *xi = draw.normal();
            }
            let y = target(&x) + 0.1 * draw.normal();
            data.push_weighted(&x, y, 1.0 + (draw.unit() * 3.0).floor());
        }
        data
    }

    #[test]
    fn analytic_gradient_matches_finite_differences() {
        let set = data(30, 3, 1, |x| x[0] * x[1] - x[2]);
        let net = Mlp::new(3, 4, 0.5, 9);
        let l2 = 0.05;
        let mut grad = vec![0.0; net.params.len()];
        let loss = net.gradient(&set, l2, &mut grad);
        assert!((loss - net.loss(&set, l2)).abs() < 1e-12);
        let h = 1e-6;
        for (i, &analytic) in grad.iter().enumerate() {
            let (mut plus, mut minus) = (net.clone(), net.clone());
            plus.params[i] += h;
            minus.params[i] -= h;
            let numeric = (plus.loss(&set, l2) - minus.loss(&set, l2)) / (2.0 * h);
            let rel = (numeric - analytic).abs() / analytic.abs().max(numeric.abs()).max(1e-8);
            assert!(
                rel < 1e-4,
                "param {i}: analytic {analytic} numeric {numeric}"
            );
        }
    }

    #[test]
    fn loss_decreases_on_a_fixed_batch_with_a_small_learning_rate() {
        let set = data(64, 3, 2, |x| (2.0 * x[0]).tanh() + 0.5 * x[1] * x[1]);
        let mut net = Mlp::new(3, 6, set.mean_target().unwrap(), 4);
        let settings = AdamSettings {
            learning_rate: 1e-3,
            epochs: 50,
            l2: 0.0,
            batch_size: 0,
            tolerance: 0.0,
            seed: 1,
        };
        let mut last = net.loss(&set, 0.0);
        let first = last;
        for _ in 0..10 {
            let report = net.train(&set, &settings);
            assert_eq!(report.epochs, 50);
            assert!(report.loss < last, "{} then {}", last, report.loss);
            last = report.loss;
        }
        assert!(last < 0.9 * first);
    }

    #[test]
    fn it_fits_what_a_line_cannot() {
        let set = data(300, 2, 3, |x| x[0] * x[0]);
        let mut line = LinearModel::new(2);
        line.train(
            &set,
            &BatchSettings {
                learning_rate: 0.1,
                epochs: 5000,
                l2: 0.0,
                tolerance: 1e-10,
            },
        );
        let mut net = Mlp::new(2, 8, set.mean_target().unwrap(), 5);
        let report = net.train(
            &set,
            &AdamSettings {
                learning_rate: 0.01,
                epochs: 400,
                l2: 0.0,
                batch_size: 32,
                tolerance: 0.0,
                seed: 2,
            },
        );
        assert!(report.loss < 0.5 * line.loss(&set, 0.0));
        // Training is deterministic.
        let mut again = Mlp::new(2, 8, set.mean_target().unwrap(), 5);
        again.train(
            &set,
            &AdamSettings {
                learning_rate: 0.01,
                epochs: 400,
                l2: 0.0,
                batch_size: 32,
                tolerance: 0.0,
                seed: 2,
            },
        );
        assert_eq!(again, net);
    }

    #[test]
    fn a_fresh_network_predicts_near_the_mean_and_explains_locally() {
        let net = Mlp::new(3, 5, 3.5, 7);
        assert!(net.is_well_formed());
        assert_eq!(net.predict(&[0.0; 3]), 3.5);
        let names: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
        // At x = 0 every gradient × input is 0.
        assert!(
            net.contributions(&[0.0; 3], &names)
                .iter()
                .all(|(_, v)| *v == 0.0)
        );
        // Small x: the local reading adds up to the change, to first order.
        let x = [1e-4, -2e-4, 3e-4];
        let sum: f64 = net.contributions(&x, &names).iter().map(|(_, v)| v).sum();
        assert!((net.predict(&x) - 3.5 - sum).abs() < 1e-6);
        // An online step moves the prediction toward the target.
        let mut stepped = net.clone();
        stepped.online_step(&x, 5.0, 0.01, 0.0);
        assert!(stepped.predict(&x) > net.predict(&x));
    }
}
