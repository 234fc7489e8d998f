//! Rooms far from the visitor cost nothing to draw: only the visitor's room and the rooms a few
//! doorways from it are visible; everything in the others (walls, floor, works, plaques, lamps
//! and their lights) is hidden, so the renderer neither culls nor draws it. Bevy's frustum
//! culling then handles what is left.
//!
//! The set only changes when the visitor walks into another room, so the system costs a room
//! lookup per frame.

use std::collections::VecDeque;

use bevy::prelude::*;

use super::ActiveLevel;
use super::build::GalleryRoom;
use crate::level::geometry::{openings, room_at};
use crate::level::schema::{Level, Wall};

pub(super) fn plugin(app: &mut App) {
    app.add_systems(Update, cull_rooms);
}

/// Rooms this many doorways from the visitor's room (and nearer) are drawn. Through two aligned
/// doorways a visitor sees at most two rooms on; what lies beyond is hidden by walls or too
/// small to matter.
pub const DRAWN_DOORWAYS: usize = 2;

/// Which room (index in the level) an entity belongs to, for room culling.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub struct InRoom(pub usize);

/// Rooms joined by a doorway, by room index.
pub fn neighbours(level: &Level) -> Vec<Vec<usize>> {
    (0..level.rooms.len())
        .map(|r| {
            let mut next: Vec<usize> = Wall::ALL
                .iter()
                .flat_map(|&wall| openings(level, r, wall))
                .map(|o| o.other_room)
                .collect();
            next.sort_unstable();
            next.dedup();
            next
        })
        .collect()
}

/// Whether each room is within `depth` doorways of room `from`.
pub fn near_rooms(neighbours: &[Vec<usize>], from: usize, depth: usize) -> Vec<bool> {
    let mut near = vec![false; neighbours.len()];
    let mut queue = VecDeque::from([(from, 0)]);
    if let Some(first) = near.get_mut(from) {
        *first = true;
    }
    while let Some((room, d)) = queue.pop_front() {
        if d == depth {
            continue;
        }
        for &next in &neighbours[room] {
            if !near[next] {
                near[next] = true;
                queue.push_back((next, d + 1));
            }
        }
    }
    near
}

#[derive(Default)]
struct CullState {
    /// The level the neighbour lists were made for.
    level: Option<std::sync::Weak<Level>>,
    neighbours: Vec<Vec<usize>>,
    /// The room the visitor was in when the set was last made.
    room: Option<usize>,
}

fn cull_rooms(
    level: Option<Res<ActiveLevel>>,
    eyes: Query<&GlobalTransform, With<Camera3d>>,
    mut rooms: Query<(&GalleryRoom, &mut Visibility), Without<InRoom>>,
    mut members: Query<(&InRoom, &mut Visibility), Without<GalleryRoom>>,
    added: Query<(), Or<(Added<InRoom>, Added<GalleryRoom>)>>,
    mut state: Local<CullState>,
) {
    let Some(level) = level else {
        return;
    };
    let current = state
        .level
        .as_ref()
        .and_then(std::sync::Weak::upgrade)
        .is_some_and(|l| std::sync::Arc::ptr_eq(&l, &level.0));
    if !current {
        state.level = Some(std::sync::Arc::downgrade(&level.0));
        state.neighbours = neighbours(&level.0);
        state.room = None;
    }
    // Many visitors (a simulation) or none: nothing to cull for.
    let mut cameras = eyes.iter();
    let (Some(eye), None) = (cameras.next(), cameras.next()) else {
        return;
    };
    let p = eye.translation();
    let Some(room) = room_at(&level.0, [p.x, p.z]).or(state.room) else {
        return;
    };
    if state.room == Some(room) && added.is_empty() {
        return;
    }
    state.room = Some(room);
    let near = near_rooms(&state.neighbours, room, DRAWN_DOORWAYS);
    let wanted = |index: usize| {
        if near.get(index).copied().unwrap_or(true) {
            Visibility::Inherited
        } else {
            Visibility::Hidden
        }
    };
    for (room, mut visibility) in &mut rooms {
        visibility.set_if_neq(wanted(room.index));
    }
    for (member, mut visibility) in &mut members {
        visibility.set_if_neq(wanted(member.0));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rooms_a_few_doorways_away_are_near() {
        // A row of five rooms: 0 - 1 - 2 - 3 - 4.
        let neighbours = vec![vec![1], vec![0, 2], vec![1, 3], vec![2, 4], vec![3]];
        assert_eq!(
            near_rooms(&neighbours, 0, 2),
            vec![true, true, true, false, false]
        );
        assert_eq!(
            near_rooms(&neighbours, 2, 1),
            vec![false, true, true, true, false]
        );
    }

    #[test]
    fn rooms_far_from_the_camera_are_hidden_and_shown_again() {
        use crate::level::generate::{Spec, generate};
        // 17 rooms in rows of 5: r0 is at the north-west corner.
        let level = generate(&Spec {
            works: 100,
            rooms: Some(17),
            seed: 1,
            placed: true,
        })
        .unwrap();
        let side = level.rooms[0].size.0;
        let mut app = App::new();
        app.insert_resource(ActiveLevel(std::sync::Arc::new(level)))
            .add_systems(Update, cull_rooms);
        let far = app
            .world_mut()
            .spawn((
                GalleryRoom {
                    id: "r4".into(),
                    index: 4,
                },
                Visibility::default(),
            ))
            .id();
        let near = app
            .world_mut()
            .spawn((
                GalleryRoom {
                    id: "r1".into(),
                    index: 1,
                },
                Visibility::default(),
            ))
            .id();
        let work_far = app
            .world_mut()
            .spawn((InRoom(4), Visibility::default()))
            .id();
        let camera = app
            .world_mut()
            .spawn((
                Camera3d::default(),
                GlobalTransform::from_translation(Vec3::new(side / 2.0, 1.6, side / 2.0)),
            ))
            .id();
        app.update();
        let visibility = |app: &App, e: Entity| *app.world().get::<Visibility>(e).unwrap();
        assert_eq!(visibility(&app, far), Visibility::Hidden);
        assert_eq!(visibility(&app, work_far), Visibility::Hidden);
        assert_eq!(visibility(&app, near), Visibility::Inherited);
        // Walk into r3: r4 is next door now.
        app.world_mut()
            .entity_mut(camera)
            .insert(GlobalTransform::from_translation(Vec3::new(
                3.5 * side,
                1.6,
                side / 2.0,
            )));
        app.update();
        assert_eq!(visibility(&app, far), Visibility::Inherited);
        assert_eq!(visibility(&app, work_far), Visibility::Inherited);
    }

    #[test]
    fn the_default_level_is_near_from_its_foyer() {
        let level = crate::level::parse(&std::fs::read("levels/default.ron").unwrap()).unwrap();
        let neighbours = neighbours(&level);
        let foyer = level.rooms.iter().position(|r| r.id == "foyer").unwrap();
        // Every room of the default level is drawn from the foyer.
        assert!(
            near_rooms(&neighbours, foyer, DRAWN_DOORWAYS)
                .iter()
                .all(|&n| n)
        );
    }
}
