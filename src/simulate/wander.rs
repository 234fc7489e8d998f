//! Random visitors: each picks works to see (from its own seeded generator), finds the way
//! through the doorways, walks there with the same keys and mouse a person would use, looks
//! for a while, and moves on.

use std::collections::VecDeque;

use bevy::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::{EventLines, SimClock, SimVisitor, emit};
use crate::feedback::{Action, FeedbackAction};
use crate::gallery::ActiveLevel;
use crate::level::geometry::{openings, room_at, wall_line};
use crate::level::schema::{Level, Wall};
use crate::player::teleport::viewing_spot;
use crate::player::{Visitor, VisitorInput, VisitorSettings};

/// How likely a random visitor is to buy a work it likes (appeal above 0.7) after looking.
pub const BUY_CHANCE: f64 = 0.25;

/// A random visitor's mind: where it is going and how long it lingers.
#[derive(Component, Debug, Clone)]
pub struct Wanderer {
    rng: ChaCha8Rng,
    /// A stream of its own for buying, so purchases never change where a visitor walks.
    purse: ChaCha8Rng,
    /// How much this visitor likes each work (by level index), 0..1: the run's shared taste
    /// (drawn from the seed, so some works are clearly preferred) plus a personal nudge.
    appeal: Vec<f64>,
    /// Feedback still to give when the current look ends.
    react_at: Option<f64>,
    /// Plan points still to reach, nearest first.
    route: VecDeque<Vec2>,
    target: Option<usize>,
    dwell_until: f64,
    /// Closest distance to the current waypoint so far, and when it last improved.
    best: (f32, f64),
}

impl Wanderer {
    /// Visitor `index` of a run seeded with `seed`: its own stream, the same every run.
    pub fn new(seed: u64, index: u32, level: &Level) -> Wanderer {
        let stream = seed ^ (u64::from(index) + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let mut rng = ChaCha8Rng::seed_from_u64(stream);
        let shared = shared_taste(seed, level.works.len());
        let appeal = shared
            .iter()
            .map(|a| (a + (unit(&mut rng) - 0.5) * 0.2).clamp(0.0, 1.0))
            .collect();
        Wanderer {
            rng,
            purse: ChaCha8Rng::seed_from_u64(stream ^ 0x00B1_D50F_A11E_5A1E),
            appeal,
            react_at: None,
            route: VecDeque::new(),
            target: None,
            dwell_until: 0.0,
            best: (f32::MAX, 0.0),
        }
    }

    fn below(&mut self, n: usize) -> usize {
        (((self.rng.next_u64() >> 32) * n as u64) >> 32) as usize
    }

    fn unit(&mut self) -> f64 {
        unit(&mut self.rng)
    }

    /// A work to see next: the more appealing, the likelier (never the one just seen).
    fn choose(&mut self, current: Option<usize>) -> usize {
        let weights: Vec<f64> = self
            .appeal
            .iter()
            .enumerate()
            .map(|(i, a)| {
                if Some(i) == current {
                    0.0
                } else {
                    (0.1 + a) * (0.1 + a)
                }
            })
            .collect();
        let total: f64 = weights.iter().sum();
        if total <= 0.0 {
            return self.below(self.appeal.len());
        }
        let mut pick = self.unit() * total;
        for (i, w) in weights.iter().enumerate() {
            if pick < *w {
                return i;
            }
            pick -= w;
        }
        weights.len() - 1
    }
}

fn unit(rng: &mut ChaCha8Rng) -> f64 {
    (rng.next_u64() >> 11) as f64 / 9_007_199_254_740_992.0
}

/// The run's shared taste: every visitor of a seed agrees on it, give or take.
pub fn shared_taste(seed: u64, works: usize) -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x7A57_E000_0000_0001);
    let mut appeal: Vec<f64> = (0..works)
        .map(|_| {
            let u = unit(&mut rng);
            0.1 + 0.6 * u * u
        })
        .collect();
    // A few favourites everyone notices.
    for _ in 0..works.min(3) {
        let i = (((rng.next_u64() >> 32) * works as u64) >> 32) as usize;
        appeal[i] = 0.9 + 0.1 * unit(&mut rng);
    }
    appeal
}

/// What random visitors write, by how much they liked the work.
const COMMENTS: [&[&str]; 3] = [
    &[
        "Not for me.",
        "I did not understand this one.",
        "没什么感觉。",
    ],
    &["Interesting colours.", "Quiet and calm.", "还不错。"],
    &[
        "Beautiful, I stood here for ages.",
        "The best thing in the show!",
        "非常美，我很喜欢。",
    ],
];

/// How far from a waypoint counts as there.
const REACHED: f32 = 0.35;
/// Walking is only worth it roughly facing the way.
const FACING: f32 = 0.6;
/// Most a wanderer turns per second, radians (people do not snap around).
const TURN_RATE: f32 = 3.0;
/// Seconds without getting closer before a wanderer gives up on a work.
const PATIENCE: f64 = 5.0;

/// The rooms to pass through from `from` to `to` (breadth-first over doorways), as the plan
/// points either side of each doorway.
pub fn route(level: &Level, from: usize, to: usize) -> Option<Vec<Vec2>> {
    let mut previous: Vec<Option<(usize, Vec2, Vec2)>> = vec![None; level.rooms.len()];
    let mut seen = vec![false; level.rooms.len()];
    let mut queue = VecDeque::from([from]);
    seen[from] = true;
    while let Some(room) = queue.pop_front() {
        if room == to {
            break;
        }
        for wall in Wall::ALL {
            let line = wall_line(&level.rooms[room], wall);
            for opening in openings(level, room, wall) {
                let next = opening.other_room;
                if seen[next] {
                    continue;
                }
                seen[next] = true;
                let p = line.point(opening.center);
                let inward = Vec2::new(line.inward[0], line.inward[1]);
                let door = Vec2::new(p[0], p[1]);
                previous[next] = Some((room, door + inward * 0.8, door - inward * 0.9));
                queue.push_back(next);
            }
        }
    }
    if !seen[to] {
        return None;
    }
    let mut points = Vec::new();
    let mut room = to;
    while room != from {
        let (before, near, far) = previous[room]?;
        points.push(far);
        points.push(near);
        room = before;
    }
    points.reverse();
    Some(points)
}

fn wrap(angle: f32) -> f32 {
    let tau = std::f32::consts::TAU;
    (angle + std::f32::consts::PI).rem_euclid(tau) - std::f32::consts::PI
}

/// One fixed step of every wanderer: choose, route, turn, walk, dwell.
pub fn steer(
    clock: Res<SimClock>,
    lines: Res<EventLines>,
    time: Res<Time>,
    settings: Res<VisitorSettings>,
    level: Option<Res<ActiveLevel>>,
    mut wanderers: Query<(
        Entity,
        &mut Wanderer,
        &Visitor,
        &Transform,
        &mut VisitorInput,
        &SimVisitor,
    )>,
    mut feedback: MessageWriter<FeedbackAction>,
    mut orders: MessageWriter<crate::market::MarketOrder>,
    publications: Option<Res<super::Publications>>,
) {
    let Some(level) = level else {
        return;
    };
    let level = &level.0;
    if level.works.is_empty() {
        return;
    }
    // Works published during the run join every visitor's taste: the appeal their script
    // gave them, give or take the visitor's own nudge.
    for (_, mut mind, ..) in &mut wanderers {
        while mind.appeal.len() < level.works.len() {
            let id = &level.works[mind.appeal.len()].id;
            let shared = publications
                .as_ref()
                .and_then(|p| p.appeal_of(id))
                .unwrap_or(super::script::DEFAULT_APPEAL);
            let nudge = (mind.unit() - 0.5) * 0.1;
            mind.appeal.push((shared + nudge).clamp(0.0, 1.0));
        }
    }
    let dt = time.delta_secs();
    let per_pixel = settings.radians_per_pixel();
    for (entity, mut mind, visitor, transform, mut input, sim) in &mut wanderers {
        let here = Vec2::new(transform.translation.x, transform.translation.z);
        input.held.remove("KeyW");
        if clock.time < mind.dwell_until {
            continue;
        }
        if mind.react_at.take().is_some()
            && let Some(work) = mind.target
        {
            // Done looking: maybe rate, like or comment, by taste.
            let appeal: f64 = mind.appeal[work];
            let id = level.works[work].id.clone();
            let mut act = |action| {
                feedback.write(FeedbackAction {
                    visitor: entity,
                    work: id.clone(),
                    action,
                });
            };
            if mind.unit() < 0.7 {
                let noise: f64 = (mind.unit() - 0.5) * 0.3;
                let stars = (1.0 + 4.0 * (appeal + noise)).round().clamp(1.0, 5.0) as i64;
                act(Action::Rate(stars));
            }
            if mind.unit() < appeal * appeal {
                act(Action::Like(true));
            }
            // Sometimes a visitor buys what it really likes.
            if appeal > 0.7 && unit(&mut mind.purse) < BUY_CHANCE {
                orders.write(crate::market::MarketOrder {
                    visitor: entity,
                    order: crate::market::Order::Buy { work: id.clone() },
                });
            }
            if mind.unit() < 0.08 {
                let mood = if appeal > 0.75 {
                    2
                } else if appeal > 0.35 {
                    1
                } else {
                    0
                };
                let phrases = COMMENTS[mood];
                let text = phrases[mind.below(phrases.len())];
                act(Action::Comment(text.into()));
            }
        }
        if mind.route.is_empty() {
            // Pick the next work to see, and the way there.
            let current = mind.target;
            let work = mind.choose(current);
            let Some((spot, _)) = viewing_spot(level, &level.works[work].id) else {
                continue;
            };
            let from = room_at(level, [here.x, here.y]);
            let to = room_at(level, [spot.x, spot.y]);
            let mut points = match (from, to) {
                (Some(a), Some(b)) => route(level, a, b).unwrap_or_default(),
                _ => Vec::new(),
            };
            points.push(spot);
            mind.route = points.into();
            mind.target = Some(work);
            mind.best = (f32::MAX, clock.time);
            emit(
                &lines,
                &clock,
                &sim.name,
                "heading_for",
                serde_json::json!({ "work": level.works[work].id }),
            );
        }
        let Some(&waypoint) = mind.route.front() else {
            continue;
        };
        let offset = waypoint - here;
        let distance = offset.length();
        if distance < REACHED {
            mind.route.pop_front();
            mind.best = (f32::MAX, clock.time);
            if mind.route.is_empty() {
                // Arrived: turn to the work and look at it for a while.
                if let Some((_, yaw)) = mind
                    .target
                    .and_then(|w| viewing_spot(level, &level.works[w].id))
                {
                    input.look.x -= wrap(yaw - visitor.yaw) / per_pixel;
                }
                let appeal = mind.target.map_or(0.5, |w| mind.appeal[w]);
                let linger = 2.0 + 10.0 * appeal + 2.0 * mind.unit();
                mind.dwell_until = clock.time + linger;
                mind.react_at = Some(mind.dwell_until);
            }
            continue;
        }
        if distance < mind.best.0 - 0.05 {
            mind.best = (distance, clock.time);
        } else if clock.time - mind.best.1 > PATIENCE {
            // Stuck behind something: choose another work.
            mind.route.clear();
            continue;
        }
        let wanted = (-offset.x).atan2(-offset.y);
        let turn = wrap(wanted - visitor.yaw).clamp(-TURN_RATE * dt, TURN_RATE * dt);
        // Through the mouse, like a person: yaw decreases with positive x movement.
        input.look.x -= turn / per_pixel;
        if wrap(wanted - visitor.yaw).abs() < FACING {
            input.held.insert("KeyW".into());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_pass_through_doorways() {
        let text = std::fs::read("levels/default.ron").unwrap();
        let level = crate::level::parse(&text).unwrap();
        let index = |id: &str| level.rooms.iter().position(|r| r.id == id).unwrap();
        let path = route(&level, index("court"), index("night-room")).unwrap();
        // court → foyer → long-gallery → night-room: three doorways, two points each.
        assert_eq!(path.len(), 6);
        // Consecutive points alternate rooms as the route goes.
        assert_eq!(
            room_at(&level, [path[0].x, path[0].y]),
            Some(index("court"))
        );
        assert_eq!(
            room_at(&level, [path[5].x, path[5].y]),
            Some(index("night-room"))
        );
        assert_eq!(
            route(&level, index("foyer"), index("foyer")).unwrap().len(),
            0
        );
    }

    #[test]
    fn each_visitor_has_its_own_repeatable_stream() {
        let level = crate::level::parse(&std::fs::read("levels/small.ron").unwrap()).unwrap();
        let mut a = Wanderer::new(7, 0, &level);
        let mut b = Wanderer::new(7, 0, &level);
        let mut c = Wanderer::new(7, 1, &level);
        let xs: Vec<usize> = (0..8).map(|_| a.below(100)).collect();
        let ys: Vec<usize> = (0..8).map(|_| b.below(100)).collect();
        let zs: Vec<usize> = (0..8).map(|_| c.below(100)).collect();
        assert_eq!(xs, ys);
        assert_ne!(xs, zs);
    }
}
