//! Plan geometry of a level: wall segments, doorway openings and world positions of works.

use super::schema::{Level, Placement, Platform, Room, Wall};

/// Walls are slabs this thick, built inside each room's footprint, so two rooms that share an
/// edge get a wall twice as thick between them and never z-fight.
pub const WALL_THICKNESS: f32 = 0.1;
/// Minimum clear space between a work's framed extent and a wall corner.
pub const CORNER_CLEARANCE: f32 = 0.15;
/// Minimum clear space between a work and a doorway on the same wall.
pub const DOORWAY_CLEARANCE: f32 = 0.3;
/// Depth of a framed wall work, from the wall surface to the picture face.
pub const FRAME_DEPTH: f32 = 0.04;

/// A room wall as a line on the floor plan, walked from its left end (seen from inside).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WallLine {
    /// (x, z) of the left end, on the room's footprint edge.
    pub start: [f32; 2],
    /// Unit direction from the left end to the right end.
    pub dir: [f32; 2],
    pub length: f32,
    /// Unit normal pointing into the room.
    pub inward: [f32; 2],
}

impl WallLine {
    /// The plan point `offset` metres along the wall, on the footprint edge.
    pub fn point(&self, offset: f32) -> [f32; 2] {
        [
            self.start[0] + self.dir[0] * offset,
            self.start[1] + self.dir[1] * offset,
        ]
    }

    /// The offset along this wall of a plan point (its projection).
    pub fn offset_of(&self, point: [f32; 2]) -> f32 {
        (point[0] - self.start[0]) * self.dir[0] + (point[1] - self.start[1]) * self.dir[1]
    }

    /// Distance of a plan point from the wall's line (positive inside the room).
    pub fn depth_of(&self, point: [f32; 2]) -> f32 {
        (point[0] - self.start[0]) * self.inward[0] + (point[1] - self.start[1]) * self.inward[1]
    }
}

/// The footprint corners of a room: (x0, z0, x1, z1).
pub fn bounds(room: &Room) -> [f32; 4] {
    [
        room.origin.0,
        room.origin.1,
        room.origin.0 + room.size.0,
        room.origin.1 + room.size.1,
    ]
}

pub fn wall_line(room: &Room, wall: Wall) -> WallLine {
    let [x0, z0, x1, z1] = bounds(room);
    let (w, d) = room.size;
    match wall {
        Wall::North => WallLine {
            start: [x0, z0],
            dir: [1.0, 0.0],
            length: w,
            inward: [0.0, 1.0],
        },
        Wall::East => WallLine {
            start: [x1, z0],
            dir: [0.0, 1.0],
            length: d,
            inward: [-1.0, 0.0],
        },
        Wall::South => WallLine {
            start: [x1, z1],
            dir: [-1.0, 0.0],
            length: w,
            inward: [0.0, -1.0],
        },
        Wall::West => WallLine {
            start: [x0, z1],
            dir: [0.0, -1.0],
            length: d,
            inward: [1.0, 0.0],
        },
    }
}

/// An opening in one wall of one room, in that wall's own offsets.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Opening {
    /// Offset of the opening's centre along the wall.
    pub center: f32,
    pub width: f32,
    pub height: f32,
    /// Index of the room on the other side.
    pub other_room: usize,
}

impl Opening {
    pub fn span(&self) -> (f32, f32) {
        (
            self.center - self.width / 2.0,
            self.center + self.width / 2.0,
        )
    }
}

/// Every opening cut into `wall` of room `room_index`: the doorways it declares and those its
/// neighbours declare on the shared wall. Doorways naming unknown rooms are ignored here (the
/// validator reports them).
pub fn openings(level: &Level, room_index: usize, wall: Wall) -> Vec<Opening> {
    let room = &level.rooms[room_index];
    let line = wall_line(room, wall);
    let mut found = Vec::new();
    for door in room.doorways.iter().filter(|d| d.wall == wall) {
        if let Some(other) = level.rooms.iter().position(|r| r.id == door.to)
            && line
                .depth_of(wall_line(&level.rooms[other], wall.opposite()).start)
                .abs()
                <= 1e-3
        {
            found.push(Opening {
                center: door.offset,
                width: door.width,
                height: door.height,
                other_room: other,
            });
        }
    }
    for (other_index, other) in level.rooms.iter().enumerate() {
        if other_index == room_index {
            continue;
        }
        for door in other.doorways.iter() {
            if door.to != room.id || door.wall.opposite() != wall {
                continue;
            }
            let other_line = wall_line(other, door.wall);
            let centre = other_line.point(door.offset);
            // Only if the two walls really lie on one line.
            if line.depth_of(centre).abs() > 1e-3 {
                continue;
            }
            found.push(Opening {
                center: line.offset_of(centre),
                width: door.width,
                height: door.height,
                other_room: other_index,
            });
        }
    }
    found.sort_by(|a, b| a.center.total_cmp(&b.center));
    found
}

/// Where a work sits in the world: its centre (x, y, z) and the plan direction it faces.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pose {
    pub center: [f32; 3],
    /// Unit plan direction the work's face looks towards (into the room for wall works).
    pub facing: [f32; 2],
}

/// World pose of a placement, or `None` if its room does not exist or it is not placed yet
/// ([`Placement::Auto`], which the layout step replaces when a level is read).
pub fn placement_pose(level: &Level, placement: &Placement, size: (f32, f32)) -> Option<Pose> {
    if placement.is_auto() {
        return None;
    }
    let room = level.rooms.iter().find(|r| r.id == placement.room())?;
    Some(match placement {
        Placement::Wall {
            wall,
            offset,
            height,
            ..
        } => {
            let line = wall_line(room, *wall);
            let p = line.point(*offset);
            let out = WALL_THICKNESS + FRAME_DEPTH / 2.0;
            Pose {
                center: [
                    p[0] + line.inward[0] * out,
                    *height,
                    p[1] + line.inward[1] * out,
                ],
                facing: line.inward,
            }
        }
        Placement::Plinth {
            position,
            rotation,
            plinth_height,
            ..
        } => {
            let (s, c) = rotation.to_radians().sin_cos();
            Pose {
                center: [
                    room.origin.0 + position.0,
                    plinth_height + size.1 / 2.0,
                    room.origin.1 + position.1,
                ],
                // Heading 0 faces south (towards a visitor entering from the south looks north).
                facing: [s, c],
            }
        }
        Placement::Auto { .. } => return None,
    })
}

/// Steps up to this height need no ramp.
pub const MAX_STEP: f32 = 0.25;
/// The steepest ramp a visitor can walk up, degrees.
pub const MAX_RAMP_DEGREES: f32 = 30.0;

/// World plan rectangle `[x0, z0, x1, z1]` of a platform's top.
pub fn platform_rect(room: &Room, platform: &Platform) -> [f32; 4] {
    let x0 = room.origin.0 + platform.position.0;
    let z0 = room.origin.1 + platform.position.1;
    [x0, z0, x0 + platform.size.0, z0 + platform.size.1]
}

/// World plan rectangle of a platform's ramp, and the unit plan direction it descends in.
pub fn ramp_rect(room: &Room, platform: &Platform) -> Option<([f32; 4], [f32; 2])> {
    let ramp = platform.ramp.as_ref()?;
    let [x0, z0, x1, z1] = platform_rect(room, platform);
    let l = ramp.length;
    Some(match ramp.side {
        Wall::North => ([x0, z0 - l, x1, z0], [0.0, -1.0]),
        Wall::South => ([x0, z1, x1, z1 + l], [0.0, 1.0]),
        Wall::West => ([x0 - l, z0, x0, z1], [-1.0, 0.0]),
        Wall::East => ([x1, z0, x1 + l, z1], [1.0, 0.0]),
    })
}

/// Height of the walkable floor at a plan point: 0, or the top of a platform, or partway up a
/// ramp.
pub fn floor_height_at(level: &Level, point: [f32; 2]) -> f32 {
    let Some(room) = room_at(level, point).map(|i| &level.rooms[i]) else {
        return 0.0;
    };
    let inside =
        |r: [f32; 4]| point[0] >= r[0] && point[0] <= r[2] && point[1] >= r[1] && point[1] <= r[3];
    let mut height: f32 = 0.0;
    for platform in &room.platforms {
        if inside(platform_rect(room, platform)) {
            height = height.max(platform.height);
        }
        if let (Some(ramp), Some((rect, dir))) = (&platform.ramp, ramp_rect(room, platform))
            && inside(rect)
        {
            // Distance down the ramp from its top edge.
            let top = platform_rect(room, platform);
            let down = match ramp.side {
                Wall::North => top[1] - point[1],
                Wall::South => point[1] - top[3],
                Wall::West => top[0] - point[0],
                Wall::East => point[0] - top[2],
            };
            let _ = dir;
            let h = platform.height * (1.0 - (down / ramp.length).clamp(0.0, 1.0));
            height = height.max(h);
        }
    }
    height
}

/// Whether two plan rectangles `[x0, z0, x1, z1]` overlap (touching edges do not count).
pub fn rects_overlap(a: [f32; 4], b: [f32; 4]) -> bool {
    a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3]
}

/// Index of the room whose footprint contains the plan point, if any.
pub fn room_at(level: &Level, point: [f32; 2]) -> Option<usize> {
    level.rooms.iter().position(|room| {
        let [x0, z0, x1, z1] = bounds(room);
        point[0] >= x0 && point[0] <= x1 && point[1] >= z0 && point[1] <= z1
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::level::schema::{Floor, Room, default_wall_color};

    fn room(id: &str, origin: (f32, f32), size: (f32, f32)) -> Room {
        Room {
            id: id.into(),
            name: String::new(),
            origin,
            size,
            wall_height: 4.0,
            wall_color: default_wall_color(),
            floor: Floor::Oak,
            doorways: vec![],
            platforms: vec![],
        }
    }

    #[test]
    fn walls_run_left_to_right_seen_from_inside() {
        let r = room("a", (2.0, 3.0), (10.0, 6.0));
        let north = wall_line(&r, Wall::North);
        assert_eq!(north.point(0.0), [2.0, 3.0]);
        assert_eq!(north.point(10.0), [12.0, 3.0]);
        let east = wall_line(&r, Wall::East);
        assert_eq!(east.point(0.0), [12.0, 3.0]);
        assert_eq!(east.point(6.0), [12.0, 9.0]);
        let south = wall_line(&r, Wall::South);
        assert_eq!(south.point(0.0), [12.0, 9.0]);
        assert_eq!(south.point(10.0), [2.0, 9.0]);
        let west = wall_line(&r, Wall::West);
        assert_eq!(west.point(0.0), [2.0, 9.0]);
        assert_eq!(west.point(6.0), [2.0, 3.0]);
        for wall in Wall::ALL {
            let line = wall_line(&r, wall);
            // The room centre is inside every wall.
            assert!(line.depth_of([7.0, 6.0]) > 0.0, "{wall}");
            assert_eq!(line.offset_of(line.point(2.5)), 2.5);
        }
    }

    #[test]
    fn a_doorway_is_cut_through_both_rooms() {
        let mut a = room("a", (0.0, 0.0), (10.0, 8.0));
        let b = room("b", (10.0, 2.0), (6.0, 6.0));
        a.doorways.push(crate::level::schema::Doorway {
            wall: Wall::East,
            offset: 5.0,
            width: 2.0,
            height: 2.5,
            to: "b".into(),
        });
        let level = Level {
            format: 1,
            exhibition: crate::level::schema::Exhibition {
                id: "x".into(),
                title: "x".into(),
                curator: "x".into(),
                description: String::new(),
                allowed_origins: Vec::new(),
            },
            rooms: vec![a, b],
            lights: Default::default(),
            spawn: crate::level::schema::Spawn {
                room: "a".into(),
                position: (1.0, 1.0),
                heading: 0.0,
            },
            works: vec![],
            market: Default::default(),
        };
        let in_a = openings(&level, 0, Wall::East);
        assert_eq!(in_a.len(), 1);
        assert_eq!(in_a[0].center, 5.0);
        let in_b = openings(&level, 1, Wall::West);
        assert_eq!(in_b.len(), 1);
        // b's west wall runs from z = 8 (left) to z = 2; world z = 5 is 3 m along it.
        assert!((in_b[0].center - 3.0).abs() < 1e-6);
        assert_eq!(in_b[0].other_room, 0);
        assert!(openings(&level, 1, Wall::East).is_empty());
    }
}
