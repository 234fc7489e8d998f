//! The person at the computer: keyboard, mouse (with pointer capture) and touch become the
//! local visitor's [`VisitorInput`]; the eye camera follows the visitor's pitch.

use bevy::input::InputSystems;
use bevy::input::mouse::AccumulatedMouseMotion;
use bevy::input::touch::Touches;
use bevy::prelude::*;
use bevy::window::{CursorGrabMode, CursorOptions, PrimaryWindow};

use super::keys::key_name;
use super::{LocalVisitor, Visitor, VisitorInput};
use crate::screens::{Panel, Pause, Screen};

pub(super) fn plugin(app: &mut App) {
    if app.world().contains_resource::<crate::Headless>() {
        return;
    }
    app.init_resource::<PointerCapture>()
        .add_systems(
            PreUpdate,
            release_pointer_on_escape
                .after(InputSystems)
                .run_if(in_state(Screen::Gallery)),
        )
        .add_systems(
            Update,
            (
                capture_pointer,
                gather_local_input,
                look_at_tap,
                follow_pitch,
            )
                .chain()
                .run_if(in_state(Screen::Gallery)),
        )
        .add_systems(Last, close_eyes_off_gallery)
        .add_systems(OnExit(Screen::Gallery), release_pointer)
        .add_systems(OnExit(Panel::Closed), release_pointer)
        .add_systems(OnEnter(Pause::Paused), release_pointer);
}

/// Whether the mouse pointer is captured for looking around.
#[derive(Resource, Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PointerCapture(pub bool);

/// The camera at the visitor's eyes, a child of the body.
#[derive(Component, Debug, Clone, Copy, Default)]
pub struct EyeCamera;

pub fn eye_camera() -> impl Bundle {
    (
        Name::new("Eye camera"),
        EyeCamera,
        Camera3d::default(),
        Projection::Perspective(PerspectiveProjection {
            fov: 70f32.to_radians(),
            ..default()
        }),
        bevy::camera::Exposure::INDOOR,
        // A tonemapper computed in the shader: the lookup-table ones (Bevy's default among
        // them) embed 680 KB of tables in the browser download. This one keeps darks and
        // mid-tones, where the paintings are, close to their colours.
        bevy::core_pipeline::tonemapping::Tonemapping::SomewhatBoringDisplayTransform,
        Transform::from_xyz(0.0, super::EYE_HEIGHT - super::body_center_height(), 0.0),
    )
}

/// A left click in the gallery (not on a panel) captures the pointer, so the mouse looks around.
/// The eye camera draws only in the gallery. The visitor stays while the gallery is hung again
/// (a publication, a changed level file), and the loading screen almost covers the view: drawing
/// the half-built gallery under it made every frame, and so the painting of textures between
/// frames, several times slower in the browser.
fn close_eyes_off_gallery(
    screen: Res<State<Screen>>,
    mut eyes: Query<&mut Camera, With<EyeCamera>>,
) {
    let open = *screen.get() == Screen::Gallery;
    for mut camera in &mut eyes {
        if camera.is_active != open {
            camera.is_active = open;
        }
    }
}

fn capture_pointer(
    mouse: Res<ButtonInput<MouseButton>>,
    panel: Res<State<Panel>>,
    pause: Res<State<Pause>>,
    mut capture: ResMut<PointerCapture>,
    mut cursor: Query<&mut CursorOptions, With<PrimaryWindow>>,
) {
    if capture.0 || *panel.get() != Panel::Closed || *pause.get() != Pause::Running {
        return;
    }
    if mouse.just_pressed(MouseButton::Left)
        && let Ok(mut options) = cursor.single_mut()
    {
        options.grab_mode = CursorGrabMode::Locked;
        options.visible = false;
        capture.0 = true;
    }
}

/// Esc with the pointer captured only frees the pointer (it does not also pause).
fn release_pointer_on_escape(
    mut keys: ResMut<ButtonInput<KeyCode>>,
    panel: Res<State<Panel>>,
    mut capture: ResMut<PointerCapture>,
    mut cursor: Query<&mut CursorOptions, With<PrimaryWindow>>,
) {
    if capture.0 && *panel.get() == Panel::Closed && keys.just_pressed(KeyCode::Escape) {
        keys.clear_just_pressed(KeyCode::Escape);
        free(&mut capture, &mut cursor);
    }
}

fn release_pointer(
    capture: Option<ResMut<PointerCapture>>,
    mut cursor: Query<&mut CursorOptions, With<PrimaryWindow>>,
) {
    if let Some(mut capture) = capture {
        free(&mut capture, &mut cursor);
    }
}

fn free(capture: &mut PointerCapture, cursor: &mut Query<&mut CursorOptions, With<PrimaryWindow>>) {
    capture.0 = false;
    if let Ok(mut options) = cursor.single_mut() {
        options.grab_mode = CursorGrabMode::None;
        options.visible = true;
    }
}

/// Keys, mouse and touch of this computer into the local visitor's input.
fn gather_local_input(
    keys: Res<ButtonInput<KeyCode>>,
    mouse: Res<ButtonInput<MouseButton>>,
    motion: Res<AccumulatedMouseMotion>,
    touches: Res<Touches>,
    capture: Res<PointerCapture>,
    windows: Query<&Window, With<PrimaryWindow>>,
    mut visitors: Query<&mut VisitorInput, (With<LocalVisitor>, Without<super::Scripted>)>,
) {
    let width = windows.single().map(|w| w.width()).unwrap_or(1280.0);
    let (stick, touch_look) = touch_controls(
        touches
            .iter()
            .map(|t| (t.start_position(), t.position(), t.delta())),
        width,
    );
    for mut input in &mut visitors {
        input.held = keys
            .get_pressed()
            .filter_map(|k| key_name(*k))
            .map(String::from)
            .collect();
        if capture.0 || mouse.pressed(MouseButton::Right) {
            input.look += motion.delta;
        }
        input.look += touch_look;
        input.stick = stick;
    }
}

/// Drag distance (pixels) that means full walking speed on a touch screen.
const TOUCH_FULL_STICK: f32 = 90.0;
/// Touch look is this much faster than the mouse, since fingers travel less.
const TOUCH_LOOK_GAIN: f32 = 1.6;

/// The touch scheme: a finger that went down on the left half of the screen is a joystick
/// (its offset from where it went down walks), one on the right half looks around by its
/// movement. Returns (stick, look pixels).
pub fn touch_controls(
    touches: impl Iterator<Item = (Vec2, Vec2, Vec2)>,
    screen_width: f32,
) -> (Vec2, Vec2) {
    let mut stick = Vec2::ZERO;
    let mut look = Vec2::ZERO;
    for (start, now, delta) in touches {
        if start.x < screen_width / 2.0 {
            let offset = now - start;
            // Screen y grows downwards; dragging up walks forward.
            stick = Vec2::new(offset.x, -offset.y) / TOUCH_FULL_STICK;
            if stick.length() > 1.0 {
                stick = stick.normalize();
            }
        } else {
            look += delta * TOUCH_LOOK_GAIN;
        }
    }
    (stick, look)
}

/// A tap is a touch that barely moved.
const TAP_SLOP: f32 = 12.0;

/// Tapping a work on a touch screen turns the visitor to look at it, so it comes into focus
/// (if within reach) exactly as looking at it with the mouse would.
fn look_at_tap(
    touches: Res<Touches>,
    cameras: Query<(&Camera, &GlobalTransform), With<EyeCamera>>,
    mut visitors: Query<&mut Visitor, With<LocalVisitor>>,
    panel: Res<State<Panel>>,
) {
    if *panel.get() != Panel::Closed {
        return;
    }
    let Some(tap) = touches
        .iter_just_released()
        .find(|t| t.start_position().distance(t.position()) < TAP_SLOP)
    else {
        return;
    };
    let Ok((camera, eye)) = cameras.single() else {
        return;
    };
    let Ok(ray) = camera.viewport_to_world(eye, tap.position()) else {
        return;
    };
    for mut visitor in &mut visitors {
        let (yaw, pitch) = yaw_pitch_of(*ray.direction);
        visitor.yaw = yaw;
        visitor.pitch = pitch;
    }
}

/// Yaw (0 looks towards −Z) and pitch (positive up) that look along `direction`.
pub fn yaw_pitch_of(direction: Vec3) -> (f32, f32) {
    let d = direction.normalize_or(Vec3::NEG_Z);
    let yaw = (-d.x).atan2(-d.z);
    let pitch = d.y.clamp(-1.0, 1.0).asin().clamp(-1.4, 1.4);
    (yaw, pitch)
}

/// The eye camera tilts with the visitor's pitch; the body only turns.
fn follow_pitch(
    visitors: Query<(&Visitor, &Children), With<LocalVisitor>>,
    mut eyes: Query<&mut Transform, With<EyeCamera>>,
) {
    for (visitor, children) in &visitors {
        for child in children.iter() {
            if let Ok(mut eye) = eyes.get_mut(child) {
                eye.rotation = Quat::from_rotation_x(visitor.pitch);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tap_direction_becomes_the_view_direction() {
        for (yaw, pitch) in [(0.0f32, 0.0f32), (1.0, 0.3), (-2.5, -0.6), (3.0, 1.2)] {
            let dir = Quat::from_euler(EulerRot::YXZ, yaw, pitch, 0.0) * Vec3::NEG_Z;
            let (y, p) = yaw_pitch_of(dir);
            assert!(
                (y - yaw).abs() < 1e-4 && (p - pitch).abs() < 1e-4,
                "{yaw} {pitch} -> {y} {p}"
            );
        }
    }

    #[test]
    fn left_half_walks_right_half_looks() {
        // A finger pushed 45 px up from where it landed on the left: half speed forward.
        let (stick, look) = touch_controls(
            [(Vec2::new(100.0, 500.0), Vec2::new(100.0, 455.0), Vec2::ZERO)].into_iter(),
            1000.0,
        );
        assert!((stick - Vec2::new(0.0, 0.5)).length() < 1e-5, "{stick}");
        assert_eq!(look, Vec2::ZERO);
        // Far away: capped at full speed.
        let (stick, _) = touch_controls(
            [(Vec2::new(100.0, 500.0), Vec2::new(400.0, 500.0), Vec2::ZERO)].into_iter(),
            1000.0,
        );
        assert!((stick.length() - 1.0).abs() < 1e-5);
        // A finger on the right half turns by its movement this frame.
        let (stick, look) = touch_controls(
            [(
                Vec2::new(800.0, 300.0),
                Vec2::new(810.0, 300.0),
                Vec2::new(10.0, 0.0),
            )]
            .into_iter(),
            1000.0,
        );
        assert_eq!(stick, Vec2::ZERO);
        assert_eq!(look, Vec2::new(10.0 * TOUCH_LOOK_GAIN, 0.0));
    }

    #[test]
    fn the_eye_camera_draws_only_in_the_gallery() {
        let mut app = App::new();
        app.add_plugins(bevy::state::app::StatesPlugin)
            .init_state::<Screen>()
            .add_systems(Update, close_eyes_off_gallery);
        let eye = app.world_mut().spawn((EyeCamera, Camera::default())).id();
        let other = app.world_mut().spawn(Camera::default()).id();
        let active = |app: &App, e: Entity| app.world().get::<Camera>(e).unwrap().is_active;
        for (screen, drawn) in [
            (Screen::Loading, false),
            (Screen::Gallery, true),
            (Screen::Loading, false),
            (Screen::Title, false),
        ] {
            app.world_mut()
                .resource_mut::<NextState<Screen>>()
                .set(screen);
            app.update();
            assert_eq!(active(&app, eye), drawn, "{screen:?}");
            // Other cameras (the screens' own) are left alone.
            assert!(active(&app, other));
        }
    }
}
