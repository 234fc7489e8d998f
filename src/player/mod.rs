//! Visitors: a body on Rapier's kinematic character controller, walked by the person at the
//! keyboard (mouse, keys, touch) or by a script, through the same input and the same systems.

pub mod controller;
pub mod input;
pub mod keys;
pub mod settings;
pub mod settings_io;
pub mod teleport;

use bevy::prelude::*;

use crate::gallery::build::SpawnPoint;
use crate::screens::Screen;

pub use controller::{BODY_HEIGHT, EYE_HEIGHT, body_center_height};
pub use settings_io::VisitorSettings;

pub(super) fn plugin(app: &mut App) {
    app.add_message::<ActionRefused>()
        .configure_sets(
            FixedUpdate,
            (VisitorSystems::Teleport, VisitorSystems::Move)
                .chain()
                .before(bevy_rapier3d::plugin::PhysicsSet::SyncBackend),
        )
        .configure_sets(
            FixedUpdate,
            VisitorSystems::Recover.after(bevy_rapier3d::plugin::PhysicsSet::Writeback),
        )
        .add_systems(OnEnter(Screen::Gallery), place_local_visitor)
        .add_systems(Last, log_local_refusals)
        // Bevy propagates transforms once per frame, but a slow frame runs several fixed steps
        // and Rapier starts each from the global transforms: propagate them before every step,
        // or a frame would only move a visitor by one step.
        .add_systems(
            FixedUpdate,
            (
                bevy::transform::systems::mark_dirty_trees,
                bevy::transform::systems::propagate_parent_transforms,
                bevy::transform::systems::sync_simple_transforms,
            )
                .chain()
                .after(VisitorSystems::Move)
                .before(bevy_rapier3d::plugin::PhysicsSet::SyncBackend),
        );
    app.add_plugins((
        controller::plugin,
        input::plugin,
        settings_io::plugin,
        teleport::plugin,
    ));
}

/// Ordering of the visitor systems inside the fixed step.
#[derive(SystemSet, Debug, Clone, PartialEq, Eq, Hash)]
pub enum VisitorSystems {
    Teleport,
    Move,
    Recover,
}

/// A person in the gallery: where they look, and how fast they are moving.
#[derive(Component, Debug, Clone, Copy, Default, PartialEq)]
#[require(Transform, Visibility, VisitorInput)]
pub struct Visitor {
    /// Turn about +Y in radians; 0 looks north (−Z).
    pub yaw: f32,
    /// Up/down look in radians, positive up.
    pub pitch: f32,
    /// Horizontal velocity, m/s.
    pub velocity: Vec3,
    pub vertical_speed: f32,
}

/// A visitor whose input comes from a script, not from this computer's devices.
#[derive(Component, Debug, Clone, Copy, Default)]
pub struct Scripted;

/// The visitor at this computer (simulated visitors lack it).
#[derive(Component, Debug, Clone, Copy, Default)]
pub struct LocalVisitor;

/// What a visitor is doing with keyboard and mouse: the keys held down and the mouse movement
/// not yet turned into looking. People and scripts both drive visitors through this.
#[derive(Component, Debug, Clone, Default, PartialEq)]
pub struct VisitorInput {
    pub held: std::collections::BTreeSet<KeyName>,
    /// Mouse movement in pixels since it was last applied.
    pub look: Vec2,
    /// Analogue walking from touch: x strafes right, y walks forward, each −1..=1.
    pub stick: Vec2,
}

/// A key, by its stable name (`KeyW`, `ArrowUp`...), so inputs sort and compare the same
/// everywhere.
pub type KeyName = String;

impl VisitorInput {
    pub fn holds(&self, key: &str) -> bool {
        self.held.contains(key)
    }
}

/// An action a visitor asked for that the game refused, with the reason (reports and UI).
#[derive(Message, Debug, Clone, PartialEq)]
pub struct ActionRefused {
    pub visitor: Entity,
    pub action: String,
    pub reason: String,
}

/// Logs what the game refused the person at the computer, with why (the panels show it too);
/// scripted visitors' refusals go to their run's report instead.
fn log_local_refusals(
    mut refusals: MessageReader<ActionRefused>,
    local: Query<(), With<LocalVisitor>>,
) {
    for refusal in refusals.read() {
        if local.contains(refusal.visitor) {
            info!("refused: {}: {}", refusal.action, refusal.reason);
        }
    }
}

/// Compass heading (degrees, 0 = north, 90 = east) to a yaw about +Y.
pub fn heading_to_yaw(heading_degrees: f32) -> f32 {
    -heading_degrees.to_radians()
}

/// Puts the person at the spawn point when the gallery opens (a hot reload of the same level
/// keeps them where they stand).
fn place_local_visitor(
    mut commands: Commands,
    spawn: Option<Res<SpawnPoint>>,
    mut visitors: Query<(&mut Visitor, &mut Transform), With<LocalVisitor>>,
    headless: Option<Res<crate::Headless>>,
    mut placed_for: Local<Option<Vec3>>,
) {
    let Some(spawn) = spawn else {
        return;
    };
    if visitors.is_empty() {
        if headless.is_some() {
            return;
        }
        commands
            .spawn((
                Name::new("Visitor"),
                LocalVisitor,
                controller::visitor_body(spawn.eye, heading_to_yaw(spawn.heading)),
            ))
            .with_children(|body| {
                body.spawn(input::eye_camera());
            });
        *placed_for = Some(spawn.eye);
        return;
    }
    if *placed_for == Some(spawn.eye) {
        return;
    }
    *placed_for = Some(spawn.eye);
    for (mut visitor, mut transform) in &mut visitors {
        *visitor = Visitor {
            yaw: heading_to_yaw(spawn.heading),
            ..default()
        };
        transform.translation = Vec3::new(spawn.eye.x, body_center_height(), spawn.eye.z);
        transform.rotation = Quat::from_rotation_y(visitor.yaw);
    }
}
