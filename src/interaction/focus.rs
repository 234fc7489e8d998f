//! Focus: the work under the centre of a visitor's view, within reach and in line of sight.
//! Each fixed step a ray goes from the visitor's eyes along the view; walls stop it.

use bevy::prelude::*;
use bevy_rapier3d::prelude::{CollisionGroups, Group, QueryFilter, ReadRapierContext};

use crate::gallery::build::{Artwork, FocusHalo};
use crate::player::controller::WORLD_GROUP;
use crate::player::{LocalVisitor, Visitor, VisitorSystems};
use crate::screens::{Panel, Screen};

pub(super) fn plugin(app: &mut App) {
    app.add_systems(
        FixedUpdate,
        (give_visitors_focus, update_focus)
            .chain()
            .in_set(FocusSystems)
            .after(VisitorSystems::Recover)
            .run_if(in_state(Screen::Gallery)),
    )
    // Leaving the gallery may rebuild it (a hot reload, a published work): the works'
    // entities go, so nobody keeps looking at one of them.
    .add_systems(OnExit(Screen::Gallery), forget_focus);
    if !app.world().contains_resource::<crate::Headless>() {
        app.add_systems(
            Update,
            (highlight_focus, show_focus_label, open_inspect).run_if(in_state(Screen::Gallery)),
        )
        .add_systems(OnEnter(Screen::Gallery), spawn_focus_label);
    }
}

/// Runs after the visitors moved, before anything reads [`Focus`].
#[derive(SystemSet, Debug, Clone, PartialEq, Eq, Hash)]
pub struct FocusSystems;

/// How far away a work can be and still be in focus, metres (eye to its surface).
pub const REACH: f32 = 4.0;

/// The work a visitor is looking at, if any.
#[derive(Component, Debug, Clone, Default, PartialEq)]
pub struct Focus {
    pub work: Option<Entity>,
    pub work_id: Option<String>,
    /// Distance from the eyes to the work's surface.
    pub distance: f32,
}

/// The direction a visitor looks, from yaw and pitch.
pub fn view_direction(visitor: &Visitor) -> Vec3 {
    Quat::from_euler(EulerRot::YXZ, visitor.yaw, visitor.pitch, 0.0) * Vec3::NEG_Z
}

/// Where a visitor's eyes are, from the body's transform.
pub fn eye_position(body: &Transform) -> Vec3 {
    body.translation + Vec3::Y * (crate::player::EYE_HEIGHT - crate::player::body_center_height())
}

fn give_visitors_focus(
    mut commands: Commands,
    visitors: Query<Entity, (With<Visitor>, Without<Focus>)>,
) {
    for visitor in &visitors {
        commands.entity(visitor).insert(Focus::default());
    }
}

fn forget_focus(mut visitors: Query<&mut Focus>) {
    for mut focus in &mut visitors {
        *focus = Focus::default();
    }
}

fn update_focus(
    rapier: ReadRapierContext,
    mut visitors: Query<(&Visitor, &Transform, &mut Focus)>,
    parents: Query<&ChildOf>,
    works: Query<&Artwork>,
) {
    let Ok(context) = rapier.single() else {
        return;
    };
    // Only the building and its works stop the ray, never other visitors.
    let filter = QueryFilter::new().groups(CollisionGroups::new(Group::ALL, WORLD_GROUP));
    for (visitor, transform, mut focus) in &mut visitors {
        let eye = eye_position(transform);
        let hit = context.cast_ray(eye, view_direction(visitor), REACH, true, filter);
        let found = hit.and_then(|(entity, distance)| {
            // The collider belongs to the work or to one of its parts.
            let mut current = entity;
            for _ in 0..4 {
                if let Ok(work) = works.get(current) {
                    return Some((current, work.id.clone(), distance));
                }
                current = parents.get(current).ok()?.parent();
            }
            None
        });
        let next = match found {
            Some((entity, id, distance)) => Focus {
                work: Some(entity),
                work_id: Some(id),
                distance,
            },
            None => Focus::default(),
        };
        if *focus != next {
            debug!("focus: {:?} at {:.2} m", next.work_id, next.distance);
            *focus = next;
        }
    }
}

/// The person's focused work glows faintly: its halo shows.
fn highlight_focus(
    visitors: Query<&Focus, (With<LocalVisitor>, Changed<Focus>)>,
    children: Query<&Children>,
    mut halos: Query<&mut Visibility, With<FocusHalo>>,
    mut lit: Local<Option<Entity>>,
) {
    let Some(focus) = visitors.iter().next() else {
        return;
    };
    if *lit == focus.work {
        return;
    }
    let mut set = |work: Entity, visible: bool| {
        for child in children.iter_descendants(work) {
            if let Ok(mut visibility) = halos.get_mut(child) {
                *visibility = if visible {
                    Visibility::Inherited
                } else {
                    Visibility::Hidden
                };
            }
        }
    };
    if let Some(previous) = lit.take() {
        set(previous, false);
    }
    if let Some(current) = focus.work {
        set(current, true);
        *lit = Some(current);
    }
}

/// The label of the focused work, at the bottom of the screen.
#[derive(Component)]
struct FocusLabel;

fn spawn_focus_label(mut commands: Commands) {
    commands.spawn((
        Name::new("Focus label"),
        FocusLabel,
        Node {
            position_type: PositionType::Absolute,
            bottom: px(64),
            width: percent(100),
            justify_content: JustifyContent::Center,
            ..default()
        },
        Visibility::Hidden,
        DespawnOnExit(Screen::Gallery),
        children![(
            Text::new(""),
            TextFont::from_font_size(20.0),
            TextColor(Color::srgb(0.97, 0.95, 0.9)),
            crate::ui::widgets::text_shadow(),
        )],
    ));
}

fn show_focus_label(
    visitors: Query<&Focus, With<LocalVisitor>>,
    level: Option<Res<crate::gallery::ActiveLevel>>,
    panel: Res<State<Panel>>,
    mut labels: Query<(&mut Visibility, &Children), With<FocusLabel>>,
    mut texts: Query<&mut Text>,
) {
    let (Some(level), Some(focus)) = (level, visitors.iter().next()) else {
        return;
    };
    let work = focus
        .work_id
        .as_ref()
        .and_then(|id| level.0.works.iter().find(|w| &w.id == id));
    for (mut visibility, children) in &mut labels {
        let show = work.is_some() && *panel.get() == Panel::Closed;
        let wanted = if show {
            Visibility::Inherited
        } else {
            Visibility::Hidden
        };
        if *visibility != wanted {
            *visibility = wanted;
        }
        if let Some(work) = work
            && let Some(child) = children.first()
            && let Ok(mut text) = texts.get_mut(*child)
        {
            let line = format!(
                "{} - {}, {}    E: inspect",
                work.title, work.artist, work.year
            );
            if text.0 != line {
                text.0 = line;
            }
        }
    }
}

/// E (or a click on the focused work while the pointer is captured) opens the inspect panel.
fn open_inspect(
    keys: Res<ButtonInput<KeyCode>>,
    mouse: Res<ButtonInput<MouseButton>>,
    capture: Option<Res<crate::player::input::PointerCapture>>,
    visitors: Query<&Focus, With<LocalVisitor>>,
    panel: Res<State<Panel>>,
    pause: Res<State<crate::screens::Pause>>,
    mut next: ResMut<NextState<Panel>>,
) {
    if *panel.get() != Panel::Closed || *pause.get() != crate::screens::Pause::Running {
        return;
    }
    let focused = visitors.iter().any(|f| f.work.is_some());
    let clicked = mouse.just_pressed(MouseButton::Left) && capture.is_some_and(|c| c.0);
    if focused && (keys.just_pressed(KeyCode::KeyE) || clicked) {
        next.set(Panel::Inspect);
    }
}
