//! Random visitors: each picks works to see (from its own seeded generator), finds the way
//! through the doorways, walks there with the same keys and mouse a person would use, looks
//! for a while, and moves on.

use std::collections::VecDeque;

use bevy::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::{EventLines, SimClock, SimVisitor, emit};
use crate::gallery::ActiveLevel;
use crate::level::geometry::{openings, room_at, wall_line};
use crate::level::schema::{Level, Wall};
use crate::player::teleport::viewing_spot;
use crate::player::{Visitor, VisitorInput, VisitorSettings};

/// A random visitor's mind: where it is going and how long it lingers.
#[derive(Component, Debug, Clone)]
pub struct Wanderer {
    rng: ChaCha8Rng,
    /// Plan points still to reach, nearest first.
    route: VecDeque<Vec2>,
    target: Option<usize>,
    dwell_until: f64,
    /// Closest distance to the current waypoint so far, and when it last improved.
    best: (f32, f64),
}

impl Wanderer {
    /// Visitor `index` of a run seeded with `seed`: its own stream, the same every run.
    pub fn new(seed: u64, index: u32, _level: &Level) -> Wanderer {
        let stream = seed ^ (u64::from(index) + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        Wanderer {
            rng: ChaCha8Rng::seed_from_u64(stream),
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
        (self.rng.next_u64() >> 11) as f64 / 9_007_199_254_740_992.0
    }
}

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
        &mut Wanderer,
        &Visitor,
        &Transform,
        &mut VisitorInput,
        &SimVisitor,
    )>,
) {
    let Some(level) = level else {
        return;
    };
    let level = &level.0;
    if level.works.is_empty() {
        return;
    }
    let dt = time.delta_secs();
    let per_pixel = settings.radians_per_pixel();
    for (mut mind, visitor, transform, mut input, sim) in &mut wanderers {
        let here = Vec2::new(transform.translation.x, transform.translation.z);
        input.held.remove("KeyW");
        if clock.time < mind.dwell_until {
            continue;
        }
        if mind.route.is_empty() {
            // Pick the next work to see, and the way there.
            let work = mind.below(level.works.len());
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
                let linger = 2.0 + 6.0 * mind.unit();
                mind.dwell_until = clock.time + linger;
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
