//! The walking body: a capsule on Rapier's kinematic character controller, moved each fixed
//! step from the visitor's input — gravity, smooth acceleration, steps and ramps — and put
//! back at the spawn point if it ever ends up outside the building.

use bevy::prelude::*;
use bevy_rapier3d::prelude::*;

use super::{Visitor, VisitorInput, VisitorSettings, VisitorSystems};
use crate::gallery::ActiveLevel;
use crate::gallery::build::SpawnPoint;
use crate::screens::{Panel, Pause, Screen};

pub(super) fn plugin(app: &mut App) {
    app.add_systems(
        FixedUpdate,
        move_visitors
            .in_set(VisitorSystems::Move)
            .run_if(in_state(Screen::Gallery))
            .run_if(in_state(Pause::Running)),
    )
    .add_systems(
        FixedUpdate,
        (land_visitors, recover_lost_visitors)
            .chain()
            .in_set(VisitorSystems::Recover)
            .run_if(in_state(Screen::Gallery)),
    )
    .add_systems(
        Update,
        apply_look
            .run_if(in_state(Screen::Gallery))
            .run_if(in_state(Pause::Running)),
    );
}

/// A visitor is this tall, with the eyes here (metres above the floor).
pub const BODY_HEIGHT: f32 = 1.75;
pub const EYE_HEIGHT: f32 = crate::gallery::build::EYE_HEIGHT;
pub const BODY_RADIUS: f32 = 0.28;
/// Steps up to this height are climbed without a ramp.
pub const MAX_STEP: f32 = crate::level::geometry::MAX_STEP;
/// Steepest ramp a visitor walks up.
pub const MAX_SLOPE_DEGREES: f32 = crate::level::geometry::MAX_RAMP_DEGREES;
const GRAVITY: f32 = 9.81;
/// How quickly walking speed follows the keys (1/s): about 0.2 s to full speed.
const ACCELERATION: f32 = 12.0;
/// Turning with the arrow keys, radians per second.
const TURN_SPEED: f32 = 1.9;
const RUN_FACTOR: f32 = 2.0;
/// Below this the visitor has fallen out of the building.
const LOST_DEPTH: f32 = -3.0;

/// The character controller keeps this gap between the body and what it stands on.
pub const GROUND_GAP: f32 = 0.02;

/// Height of the capsule's centre above the floor it stands on.
pub fn body_center_height() -> f32 {
    BODY_HEIGHT / 2.0
}

/// Collision groups: the building blocks visitors; visitors pass through each other.
pub const WORLD_GROUP: Group = Group::GROUP_1;
pub const VISITOR_GROUP: Group = Group::GROUP_2;

/// Everything a visitor's body needs, standing with its eyes at `eye` (feet on the floor).
pub fn visitor_body(eye: Vec3, yaw: f32) -> impl Bundle {
    let half = BODY_HEIGHT / 2.0 - BODY_RADIUS;
    (
        Visitor { yaw, ..default() },
        Transform::from_xyz(eye.x, body_center_height(), eye.z)
            .with_rotation(Quat::from_rotation_y(yaw)),
        RigidBody::KinematicPositionBased,
        Collider::capsule_y(half, BODY_RADIUS),
        CollisionGroups::new(VISITOR_GROUP, WORLD_GROUP),
        KinematicCharacterController {
            up: Vec3::Y,
            offset: CharacterLength::Absolute(GROUND_GAP),
            slide: true,
            autostep: Some(CharacterAutostep {
                max_height: CharacterLength::Absolute(MAX_STEP + 0.02),
                min_width: CharacterLength::Absolute(0.15),
                include_dynamic_bodies: false,
            }),
            max_slope_climb_angle: MAX_SLOPE_DEGREES.to_radians() + 0.05,
            min_slope_slide_angle: (MAX_SLOPE_DEGREES + 10.0).to_radians(),
            snap_to_ground: Some(CharacterLength::Absolute(0.3)),
            filter_groups: Some(CollisionGroups::new(VISITOR_GROUP, WORLD_GROUP)),
            ..default()
        },
    )
}

/// Horizontal walking direction wanted by the input, in the visitor's own frame: x to the
/// right, y forward, length at most 1.
pub fn walk_intent(input: &VisitorInput, settings: &super::settings::Settings) -> Vec2 {
    let k = &settings.keys;
    let axis = |plus: bool, minus: bool| plus as i32 as f32 - minus as i32 as f32;
    let forward = axis(
        input.holds(&k.forward) || input.holds("ArrowUp"),
        input.holds(&k.back) || input.holds("ArrowDown"),
    );
    let right = axis(input.holds(&k.right), input.holds(&k.left));
    let keys = Vec2::new(right, forward);
    let wanted = keys + input.stick;
    if wanted.length() > 1.0 {
        wanted.normalize()
    } else {
        wanted
    }
}

/// Turns the look input into yaw and pitch (mouse, arrow keys).
fn apply_look(
    time: Res<Time>,
    settings: Res<VisitorSettings>,
    panel: Option<Res<State<Panel>>>,
    mut visitors: Query<(&mut Visitor, &mut VisitorInput, &mut Transform)>,
) {
    if panel.is_some_and(|p| *p.get() != Panel::Closed) {
        return;
    }
    let per_pixel = settings.radians_per_pixel();
    let invert = if settings.invert_y { -1.0 } else { 1.0 };
    let k = &settings.keys;
    for (mut visitor, mut input, mut transform) in &mut visitors {
        let turn =
            input.holds(&k.turn_left) as i32 as f32 - input.holds(&k.turn_right) as i32 as f32;
        let look = std::mem::take(&mut input.look);
        let yaw = visitor.yaw - look.x * per_pixel + turn * TURN_SPEED * time.delta_secs();
        let pitch = (visitor.pitch - look.y * per_pixel * invert).clamp(-1.4, 1.4);
        if yaw != visitor.yaw || pitch != visitor.pitch {
            visitor.yaw = yaw;
            visitor.pitch = pitch;
        }
        // The body turns with the yaw (however it changed: look, keys, a tap, a teleport).
        let facing = Quat::from_rotation_y(visitor.yaw);
        if transform.rotation != facing {
            transform.rotation = facing;
        }
    }
}

/// One fixed step of walking: smooth acceleration towards the wanted velocity, gravity, and
/// the character controller's sweep (which slides along walls and never tunnels through them,
/// however long the step).
fn move_visitors(
    time: Res<Time>,
    settings: Res<VisitorSettings>,
    panel: Option<Res<State<Panel>>>,
    mut visitors: Query<(
        &mut Visitor,
        &VisitorInput,
        &mut KinematicCharacterController,
        &Transform,
    )>,
) {
    let dt = time.delta_secs();
    if dt <= 0.0 {
        return;
    }
    let frozen = panel.is_some_and(|p| *p.get() != Panel::Closed);
    for (mut visitor, input, mut controller, transform) in &mut visitors {
        let intent = if frozen {
            Vec2::ZERO
        } else {
            walk_intent(input, &settings)
        };
        let run = !frozen && (input.holds(&settings.keys.run) || input.holds("ShiftRight"));
        let speed = settings.walk_speed * if run { RUN_FACTOR } else { 1.0 };
        let (sin, cos) = visitor.yaw.sin_cos();
        let ahead = Vec3::new(-sin, 0.0, -cos);
        let right = Vec3::new(cos, 0.0, -sin);
        let wanted = (right * intent.x + ahead * intent.y) * speed;
        let blend = 1.0 - (-ACCELERATION * dt).exp();
        let velocity = visitor.velocity;
        visitor.velocity = velocity + (wanted - velocity) * blend;
        if visitor.velocity.length_squared() < 1e-6 && wanted == Vec3::ZERO {
            visitor.velocity = Vec3::ZERO;
        }
        visitor.vertical_speed -= GRAVITY * dt;
        let step = visitor.velocity * dt + Vec3::Y * visitor.vertical_speed * dt;
        if std::env::var_os("VERNISSAGE_TRACE_WALK").is_some() {
            debug!(
                "walk: at {} intent {intent} velocity {} step {step}",
                transform.translation, visitor.velocity
            );
        }
        controller.translation = Some(step);
    }
}

/// Standing on something stops the fall.
fn land_visitors(mut visitors: Query<(&mut Visitor, &KinematicCharacterControllerOutput)>) {
    for (mut visitor, output) in &mut visitors {
        if output.grounded {
            visitor.vertical_speed = 0.0;
        }
    }
}

/// A visitor below the floor or outside every room goes back to the spawn point.
fn recover_lost_visitors(
    level: Option<Res<ActiveLevel>>,
    spawn: Option<Res<SpawnPoint>>,
    mut visitors: Query<(&mut Visitor, &mut Transform)>,
) {
    let (Some(level), Some(spawn)) = (level, spawn) else {
        return;
    };
    for (mut visitor, mut transform) in &mut visitors {
        let p = transform.translation;
        let inside = crate::level::geometry::room_at(&level.0, [p.x, p.z]).is_some();
        if p.y < LOST_DEPTH || !inside || !p.is_finite() {
            warn!("a visitor left the building at {p}; back to the entrance");
            transform.translation = Vec3::new(spawn.eye.x, body_center_height(), spawn.eye.z);
            *visitor = Visitor {
                yaw: super::heading_to_yaw(spawn.heading),
                ..default()
            };
            transform.rotation = Quat::from_rotation_y(visitor.yaw);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::player::settings::Settings;

    fn input(keys: &[&str]) -> VisitorInput {
        VisitorInput {
            held: keys.iter().map(|k| k.to_string()).collect(),
            ..default()
        }
    }

    #[test]
    fn keys_map_to_walking_directions_through_the_bindings() {
        let mut settings = Settings::default();
        assert_eq!(
            walk_intent(&input(&["KeyW"]), &settings),
            Vec2::new(0.0, 1.0)
        );
        assert_eq!(
            walk_intent(&input(&["ArrowDown"]), &settings),
            Vec2::new(0.0, -1.0)
        );
        assert_eq!(
            walk_intent(&input(&["KeyD"]), &settings),
            Vec2::new(1.0, 0.0)
        );
        let diagonal = walk_intent(&input(&["KeyW", "KeyA"]), &settings);
        assert!((diagonal.length() - 1.0).abs() < 1e-5);
        assert_eq!(
            walk_intent(&input(&["KeyW", "KeyS"]), &settings),
            Vec2::ZERO
        );
        settings.keys.forward = "KeyI".into();
        assert_eq!(walk_intent(&input(&["KeyW"]), &settings), Vec2::ZERO);
        assert_eq!(
            walk_intent(&input(&["KeyI"]), &settings),
            Vec2::new(0.0, 1.0)
        );
    }
}
