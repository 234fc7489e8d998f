//! Teleporting a visitor in front of a work, facing it (the catalogue, scripts, "guide me").

use bevy::prelude::*;

use super::{ActionRefused, Visitor, body_center_height};
use crate::gallery::ActiveLevel;
use crate::level::check::plinth_radius;
use crate::level::geometry::placement_pose;
use crate::level::schema::{Level, Placement};

pub(super) fn plugin(app: &mut App) {
    app.add_message::<TeleportRequest>().add_systems(
        FixedUpdate,
        teleport_visitors.in_set(super::VisitorSystems::Teleport),
    );
}

/// Ask for `visitor` to be moved in front of the work with id `work`.
#[derive(Message, Debug, Clone, PartialEq)]
pub struct TeleportRequest {
    pub visitor: Entity,
    pub work: String,
}

/// Distance from a wall work's face at which a visitor stands to look at it.
pub const VIEWING_DISTANCE: f32 = 1.6;

/// Where to stand to look at a work, and the yaw that faces it: plan point (x, z) and yaw.
pub fn viewing_spot(level: &Level, work_id: &str) -> Option<(Vec2, f32)> {
    let work = level.works.iter().find(|w| w.id == work_id)?;
    let pose = placement_pose(level, &work.placement, work.size)?;
    let facing = Vec2::new(pose.facing[0], pose.facing[1]);
    let distance = match &work.placement {
        Placement::Wall { .. } => VIEWING_DISTANCE,
        Placement::Plinth { .. } => plinth_radius(work.size.0) + 1.3,
        // `placement_pose` gives no pose for a work the layout step has not placed.
        Placement::Auto { .. } => return None,
    };
    let center = Vec2::new(pose.center[0], pose.center[2]);
    let spot = center + facing * distance;
    // Look back along the facing direction: yaw 0 looks towards −Z.
    let look = -facing;
    let yaw = (-look.x).atan2(-look.y);
    Some((spot, yaw))
}

fn teleport_visitors(
    mut requests: MessageReader<TeleportRequest>,
    level: Option<Res<ActiveLevel>>,
    mut visitors: Query<(&mut Visitor, &mut Transform)>,
    mut refused: MessageWriter<ActionRefused>,
) {
    for request in requests.read() {
        let Ok((mut visitor, mut transform)) = visitors.get_mut(request.visitor) else {
            continue;
        };
        let spot = level
            .as_ref()
            .and_then(|l| viewing_spot(&l.0, &request.work));
        match spot {
            Some((plan, yaw)) => {
                let floor = level.as_ref().map_or(0.0, |l| {
                    crate::level::geometry::floor_height_at(&l.0, [plan.x, plan.y])
                });
                transform.translation = Vec3::new(
                    plan.x,
                    floor + body_center_height() + super::controller::GROUND_GAP,
                    plan.y,
                );
                visitor.yaw = yaw;
                visitor.pitch = 0.0;
                visitor.velocity = Vec3::ZERO;
                visitor.vertical_speed = 0.0;
                transform.rotation = Quat::from_rotation_y(yaw);
            }
            None => {
                refused.write(ActionRefused {
                    visitor: request.visitor,
                    action: format!("teleport to \"{}\"", request.work),
                    reason: "there is no work with that id in this exhibition".into(),
                });
            }
        }
    }
}
