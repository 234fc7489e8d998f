//! `cargo bench --bench scoring`: the scoring model's two hot paths beside a plain loop that
//! does only their arithmetic — one online update (a rating arrives) and a full batch retrain
//! on 100 000 ratings — reported as times and ratios (a good ratio is under 2).

use std::hint::black_box;
use std::time::Instant;

use vernissage::scoring::linear::{BatchSettings, Dataset, LinearModel};

const DIMS: usize = 12;
const RATINGS: usize = 100_000;
const EPOCHS: usize = 300;

/// A small deterministic generator (the bench must not depend on a seed crate's internals).
struct Lcg(u64);
impl Lcg {
    fn unit(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn data() -> (Vec<f64>, Vec<f64>) {
    let mut rng = Lcg(7);
    let xs: Vec<f64> = (0..RATINGS * DIMS)
        .map(|_| rng.unit() * 2.0 - 1.0)
        .collect();
    let ys: Vec<f64> = (0..RATINGS)
        .map(|i| {
            let row = &xs[i * DIMS..(i + 1) * DIMS];
            3.0 + row
                .iter()
                .enumerate()
                .map(|(j, x)| x * (j as f64 * 0.1 - 0.5))
                .sum::<f64>()
                + rng.unit() * 0.5
        })
        .collect();
    (xs, ys)
}

fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

fn main() {
    let (xs, ys) = data();
    let settings = BatchSettings {
        learning_rate: 0.1,
        epochs: EPOCHS,
        l2: 0.001,
        tolerance: 0.0,
    };

    // One online update.
    let steps = 1_000_000;
    let model_time = median(
        (0..5)
            .map(|_| {
                let mut model = LinearModel::new(DIMS);
                let t = Instant::now();
                for i in 0..steps {
                    let r = i % RATINGS;
                    model.online_step(
                        black_box(&xs[r * DIMS..(r + 1) * DIMS]),
                        ys[r],
                        0.001,
                        0.001,
                    );
                }
                black_box(&model);
                t.elapsed().as_secs_f64() / steps as f64
            })
            .collect(),
    );
    let plain_time = median(
        (0..5)
            .map(|_| {
                let mut theta = vec![0.0f64; DIMS + 1];
                let t = Instant::now();
                for i in 0..steps {
                    let r = i % RATINGS;
                    let x = black_box(&xs[r * DIMS..(r + 1) * DIMS]);
                    let mut f = theta[0];
                    for j in 0..DIMS {
                        f += theta[j + 1] * x[j];
                    }
                    let e = ys[r] - f;
                    theta[0] += 0.002 * e;
                    for j in 0..DIMS {
                        theta[j + 1] -= 0.001 * (-2.0 * e * x[j] + 0.002 * theta[j + 1]);
                    }
                }
                black_box(&theta);
                t.elapsed().as_secs_f64() / steps as f64
            })
            .collect(),
    );
    println!(
        "online update          {:>9.1} ns   plain loop {:>9.1} ns   ratio {:.2}",
        model_time * 1e9,
        plain_time * 1e9,
        model_time / plain_time
    );

    // A full retrain on 100 000 ratings (building the dataset is part of it).
    let model_time = median(
        (0..5)
            .map(|_| {
                let t = Instant::now();
                let mut data = Dataset::new(DIMS);
                for r in 0..RATINGS {
                    data.push(&xs[r * DIMS..(r + 1) * DIMS], ys[r]);
                }
                let mut model = LinearModel::new(DIMS);
                black_box(model.train(&data, &settings));
                t.elapsed().as_secs_f64()
            })
            .collect(),
    );
    let plain_time = median(
        (0..5)
            .map(|_| {
                let t = Instant::now();
                // The same arithmetic by hand: the normal-equation moments in one pass, then
                // gradient steps on them.
                let k = DIMS + 1;
                let mut g = vec![0.0f64; k * k];
                let mut b = vec![0.0f64; k];
                let mut row = vec![1.0f64; k];
                for r in 0..RATINGS {
                    row[1..].copy_from_slice(&xs[r * DIMS..(r + 1) * DIMS]);
                    for i in 0..k {
                        b[i] += row[i] * ys[r];
                        for j in 0..k {
                            g[i * k + j] += row[i] * row[j];
                        }
                    }
                }
                let n = RATINGS as f64;
                let mut theta = vec![0.0f64; k];
                let mut grad = vec![0.0f64; k];
                for _ in 0..EPOCHS {
                    for i in 0..k {
                        let mut s = -b[i];
                        for j in 0..k {
                            s += g[i * k + j] * theta[j];
                        }
                        grad[i] = 2.0 * s / n;
                    }
                    for i in 0..k {
                        theta[i] -= 0.1 * grad[i];
                    }
                }
                black_box(&theta);
                t.elapsed().as_secs_f64()
            })
            .collect(),
    );
    println!(
        "retrain, 100 000 ratings {:>7.2} ms   plain loop {:>7.2} ms   ratio {:.2}",
        model_time * 1e3,
        plain_time * 1e3,
        model_time / plain_time
    );
}
