//! The visitor: a first-person camera at the level's spawn point, walked with keys and mouse.

use bevy::input::mouse::AccumulatedMouseMotion;
use bevy::prelude::*;

use crate::gallery::build::SpawnPoint;
use crate::screens::{Pause, Screen};

pub(super) fn plugin(app: &mut App) {
    app.add_systems(OnEnter(Screen::Gallery), place_visitor)
        .add_systems(
            Update,
            (look, walk)
                .chain()
                .run_if(in_state(Screen::Gallery).and_then(in_state(Pause::Running))),
        );
    if !app.world().contains_resource::<crate::Headless>() {
        app.add_systems(Startup, spawn_camera);
    }
}

/// The visitor's eye: yaw and pitch in radians (yaw 0 looks north, −Z).
#[derive(Component, Debug, Clone, Copy, Default)]
#[require(Transform, Visibility)]
pub struct Visitor {
    pub yaw: f32,
    pub pitch: f32,
}

/// Walking speed in metres per second (Shift doubles it).
pub const WALK_SPEED: f32 = 1.4;
const MOUSE_SENSITIVITY: f32 = 0.0025;
const TURN_SPEED: f32 = 1.8;

fn spawn_camera(mut commands: Commands) {
    commands.spawn((
        Name::new("Visitor"),
        Visitor::default(),
        Camera3d::default(),
        Projection::Perspective(PerspectiveProjection {
            fov: 70f32.to_radians(),
            ..default()
        }),
        bevy::camera::Exposure::INDOOR,
        Transform::from_xyz(0.0, crate::gallery::build::EYE_HEIGHT, 0.0),
    ));
}

/// Compass heading (degrees, 0 = north, 90 = east) to a yaw about +Y.
pub fn heading_to_yaw(heading_degrees: f32) -> f32 {
    -heading_degrees.to_radians()
}

fn place_visitor(
    spawn: Option<Res<SpawnPoint>>,
    mut visitors: Query<(&mut Visitor, &mut Transform)>,
    mut placed_for: Local<Option<Vec3>>,
) {
    let Some(spawn) = spawn else {
        return;
    };
    // A hot reload of the same level keeps the visitor where they stand.
    if *placed_for == Some(spawn.eye) {
        return;
    }
    *placed_for = Some(spawn.eye);
    for (mut visitor, mut transform) in &mut visitors {
        visitor.yaw = heading_to_yaw(spawn.heading);
        visitor.pitch = 0.0;
        transform.translation = spawn.eye;
        transform.rotation = Quat::from_euler(EulerRot::YXZ, visitor.yaw, visitor.pitch, 0.0);
    }
}

fn look(
    motion: Res<AccumulatedMouseMotion>,
    mouse: Res<ButtonInput<MouseButton>>,
    keys: Res<ButtonInput<KeyCode>>,
    time: Res<Time>,
    mut visitors: Query<(&mut Visitor, &mut Transform)>,
) {
    let mut delta = Vec2::ZERO;
    if mouse.pressed(MouseButton::Left) || mouse.pressed(MouseButton::Right) {
        delta += motion.delta * MOUSE_SENSITIVITY;
    }
    let turn =
        (keys.pressed(KeyCode::ArrowRight) as i32 - keys.pressed(KeyCode::ArrowLeft) as i32) as f32;
    delta.x += turn * TURN_SPEED * time.delta_secs();
    if delta == Vec2::ZERO {
        return;
    }
    for (mut visitor, mut transform) in &mut visitors {
        visitor.yaw -= delta.x;
        visitor.pitch = (visitor.pitch - delta.y).clamp(-1.4, 1.4);
        transform.rotation = Quat::from_euler(EulerRot::YXZ, visitor.yaw, visitor.pitch, 0.0);
    }
}

fn walk(
    keys: Res<ButtonInput<KeyCode>>,
    time: Res<Time>,
    mut visitors: Query<(&Visitor, &mut Transform)>,
) {
    let forward = (keys.any_pressed([KeyCode::KeyW, KeyCode::ArrowUp]) as i32
        - keys.any_pressed([KeyCode::KeyS, KeyCode::ArrowDown]) as i32) as f32;
    let strafe = (keys.pressed(KeyCode::KeyD) as i32 - keys.pressed(KeyCode::KeyA) as i32) as f32;
    if forward == 0.0 && strafe == 0.0 {
        return;
    }
    let speed = if keys.any_pressed([KeyCode::ShiftLeft, KeyCode::ShiftRight]) {
        WALK_SPEED * 2.0
    } else {
        WALK_SPEED
    };
    for (visitor, mut transform) in &mut visitors {
        let ahead = Vec3::new(-visitor.yaw.sin(), 0.0, -visitor.yaw.cos());
        let right = Vec3::new(-ahead.z, 0.0, ahead.x);
        let step =
            (ahead * forward + right * strafe).normalize_or_zero() * speed * time.delta_secs();
        transform.translation += step;
    }
}
