//! Builds the gallery world from a validated level: rooms, lights, works, plinths and plaques.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use bevy::asset::AssetPath;
use bevy::light::{GlobalAmbientLight, NotShadowCaster};
use bevy::mesh::{Indices, PrimitiveTopology, VertexAttributeValues};
use bevy::prelude::*;
use bevy::world_serialization::WorldAssetRoot;
use bevy_rapier3d::prelude::Collider;

use super::jobs::{AwaitedImage, JobQueue, placeholder};
use super::typeset::Typesetter;
use super::{GalleryScene, LoadProgress, generative, sculpture, textures};
use crate::level::check::plinth_radius;
use crate::level::geometry::{FRAME_DEPTH, WALL_THICKNESS, openings, placement_pose, wall_line};
use crate::level::schema::{
    Floor, FrameStyle, Level, Placement, Rgb, SculptureSource, SpotTarget, Wall, WorkKind,
};

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<GalleryShadows>()
        .add_systems(Update, (redraw_plaques, budget_shadows));
}

/// How many lights may cast shadows at once (the render quality setting lowers it; the web
/// build allows one). The lights the level marks as shadow casters nearest the visitor win.
#[derive(Resource, Debug, Clone, Copy, PartialEq, Eq)]
pub struct GalleryShadows {
    pub budget: usize,
}

impl Default for GalleryShadows {
    fn default() -> Self {
        GalleryShadows { budget: usize::MAX }
    }
}

/// What the platform allows at most: WebGL2 has one shadow-casting spot or directional light.
pub const PLATFORM_SHADOW_LIGHTS: usize = if cfg!(target_arch = "wasm32") {
    1
} else {
    crate::level::check::MAX_SHADOW_LIGHTS
};

/// Whether the level asks this light to cast shadows.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeclaredShadows(pub bool);

/// Gives shadows to the declared shadow casters nearest the visitor, within the budget.
fn budget_shadows(
    shadows: Res<GalleryShadows>,
    eyes: Query<&GlobalTransform, With<Camera3d>>,
    mut spots: Query<(&DeclaredShadows, &GlobalTransform, &mut SpotLight)>,
    mut suns: Query<(&DeclaredShadows, &mut DirectionalLight)>,
    mut frame: Local<u32>,
) {
    *frame = frame.wrapping_add(1);
    if *frame % 15 != 1 && !shadows.is_changed() {
        return;
    }
    let eye = eyes.iter().next().map_or(Vec3::ZERO, |t| t.translation());
    let mut budget = shadows.budget.min(PLATFORM_SHADOW_LIGHTS);
    for (declared, mut sun) in &mut suns {
        let on = declared.0 && budget > 0;
        budget -= usize::from(on);
        if sun.shadow_maps_enabled != on {
            sun.shadow_maps_enabled = on;
        }
    }
    let mut distances: Vec<f32> = spots
        .iter()
        .filter(|(declared, _, _)| declared.0)
        .map(|(_, transform, _)| transform.translation().distance_squared(eye))
        .collect();
    distances.sort_by(f32::total_cmp);
    let cutoff = shadow_cutoff(&distances, budget);
    for (declared, transform, mut spot) in &mut spots {
        let on = declared.0
            && budget > 0
            && cutoff.is_some_and(|limit| transform.translation().distance_squared(eye) <= limit);
        if spot.shadow_maps_enabled != on {
            spot.shadow_maps_enabled = on;
        }
    }
}

/// The squared distance up to which declared shadow casters (`sorted`: their squared distances
/// to the visitor, nearest first) get their shadows: the `budget`-th nearest's, or the farthest's
/// when there are no more casters than the budget.
fn shadow_cutoff(sorted: &[f32], budget: usize) -> Option<f32> {
    if budget == 0 {
        return None;
    }
    sorted.get(budget - 1).or(sorted.last()).copied()
}

/// A creative work in the world. Its children are the frame, canvas and plaque.
#[derive(Component, Debug, Clone)]
#[require(Transform, Visibility)]
pub struct Artwork {
    /// Stable id from the level.
    pub id: String,
    /// Index in the level's `works`.
    pub index: usize,
    pub kind: ArtKind,
}

/// The kind of a work, as a plain tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArtKind {
    Image,
    Generative,
    Sculpture,
    Text,
}

impl ArtKind {
    pub fn of(kind: &WorkKind) -> ArtKind {
        match kind {
            WorkKind::Image { .. } => ArtKind::Image,
            WorkKind::Generative { .. } => ArtKind::Generative,
            WorkKind::Sculpture { .. } => ArtKind::Sculpture,
            WorkKind::Text { .. } => ArtKind::Text,
        }
    }
}

/// Where the level places a work.
#[derive(Component, Debug, Clone, PartialEq)]
pub struct WorkPlacement(pub Placement);

/// What one edition costs, and how many there are.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Price {
    pub tokens: i64,
    pub editions: i64,
}

/// The material that shows a work (its canvas or sculpture), lit up while it is in focus.
#[derive(Component, Debug, Clone)]
pub struct HighlightMaterial(pub Handle<StandardMaterial>);

/// A soft glow around a work, shown while the person has it in focus.
#[derive(Component, Debug, Clone, Copy)]
pub struct FocusHalo;

/// A room of the level.
#[derive(Component, Debug, Clone)]
pub struct GalleryRoom {
    pub id: String,
    pub index: usize,
}

/// A light from the level's light plan.
#[derive(Component, Debug, Clone, Copy)]
pub struct GalleryLight;

/// The label beside a work. Changing it redraws the plaque texture.
#[derive(Component, Debug, Clone, PartialEq)]
pub struct PlaqueText {
    pub title: String,
    pub artist_line: String,
    pub detail_line: String,
    /// A line for live facts (the score).
    pub extra: String,
    /// The market's line: price and editions left, or "Sold out".
    pub sale: String,
}

/// The texture a plaque draws into.
#[derive(Component, Debug, Clone)]
pub struct PlaqueCanvas(pub Handle<Image>);

/// Where the visitor starts: eye position and compass heading (degrees).
#[derive(Resource, Debug, Clone, Copy)]
pub struct SpawnPoint {
    pub eye: Vec3,
    pub heading: f32,
}

/// Eye height of a standing visitor.
pub const EYE_HEIGHT: f32 = 1.6;
const PLAQUE_SIZE: Vec2 = Vec2::new(0.26, 0.13);
const PLAQUE_PIXELS: (u32, u32) = (512, 256);
/// Plaques of big exhibitions (and at low quality): sharp enough from a step away, a quarter of
/// the memory.
const SMALL_PLAQUE_PIXELS: (u32, u32) = (256, 128);
/// From this many wall works on, an exhibition's textures are painted smaller.
pub const BIG_LEVEL_WORKS: usize = 300;

/// How large the gallery paints its textures, from the quality setting, the platform and the
/// size of the exhibition: a thousand works at full size would not fit in video memory.
#[derive(Resource, Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextureCaps {
    /// Largest edge of a generative picture or text panel, pixels.
    pub edge: u32,
    /// Size of a plaque's texture, pixels.
    pub plaque: (u32, u32),
}

impl TextureCaps {
    pub fn new(level: &Level, quality: crate::player::settings::Quality) -> TextureCaps {
        let wall_works = level
            .works
            .iter()
            .filter(|w| !matches!(w.kind, WorkKind::Sculpture { .. }))
            .count();
        let big = wall_works >= BIG_LEVEL_WORKS;
        let edge = quality.texture_edge().min(if big { 512 } else { u32::MAX });
        let low = quality == crate::player::settings::Quality::Low;
        TextureCaps {
            edge,
            plaque: if big || low {
                SMALL_PLAQUE_PIXELS
            } else {
                PLAQUE_PIXELS
            },
        }
    }
}
const PLAQUE_CENTER_HEIGHT: f32 = 1.35;

fn typesetter() -> Option<&'static Typesetter> {
    static TYPESETTER: OnceLock<Option<Typesetter>> = OnceLock::new();
    TYPESETTER
        .get_or_init(|| match Typesetter::new() {
            Ok(t) => Some(t),
            Err(e) => {
                error!("cannot load the label font: {e}");
                None
            }
        })
        .as_ref()
}

fn color(rgb: Rgb) -> Color {
    let [r, g, b] = rgb.0;
    Color::srgb_u8(r, g, b)
}

fn frame_color(style: FrameStyle) -> (Color, f32, f32) {
    // (colour, metallic, roughness)
    match style {
        FrameStyle::None => (Color::NONE, 0.0, 1.0),
        FrameStyle::Black => (Color::srgb(0.04, 0.04, 0.045), 0.0, 0.45),
        FrameStyle::White => (Color::srgb(0.93, 0.92, 0.9), 0.0, 0.6),
        FrameStyle::Oak => (Color::srgb(0.62, 0.45, 0.27), 0.0, 0.55),
        FrameStyle::Walnut => (Color::srgb(0.3, 0.19, 0.12), 0.0, 0.5),
        FrameStyle::Gold => (Color::srgb(0.83, 0.66, 0.33), 0.9, 0.35),
    }
}

/// Meshes and materials shared by every work.
struct Shared {
    unit_cube: Handle<Mesh>,
    unit_quad: Handle<Mesh>,
    frames: HashMap<&'static str, Handle<StandardMaterial>>,
    mat: Handle<StandardMaterial>,
    plinth: Handle<StandardMaterial>,
    plaque_back: Handle<StandardMaterial>,
    halo: Handle<StandardMaterial>,
    caps: TextureCaps,
}

/// Spawns the whole gallery for `level` under a fresh [`GalleryScene`] root.
pub fn build_gallery(
    In(level): In<Arc<Level>>,
    mut commands: Commands,
    mut meshes: ResMut<Assets<Mesh>>,
    mut materials: ResMut<Assets<StandardMaterial>>,
    mut images: ResMut<Assets<Image>>,
    asset_server: Res<AssetServer>,
    mut progress: ResMut<LoadProgress>,
    world_assets: Option<Res<Assets<bevy::world_serialization::WorldAsset>>>,
    headless: Option<Res<crate::Headless>>,
    settings: Option<Res<crate::player::VisitorSettings>>,
    launch: Option<Res<crate::launch::Launch>>,
    current: Option<Res<super::CurrentLevel>>,
) {
    // Asset paths in the level are relative to its exhibition root, a folder or a URL.
    let level_path = current
        .and_then(|c| c.handle.path().cloned())
        .unwrap_or_else(|| AssetPath::from("level.ron").with_source(crate::EXHIBITION_SOURCE));
    let caps = TextureCaps::new(&level, settings.map(|s| s.quality).unwrap_or_default());
    commands.insert_resource(caps);
    // Without a renderer (tests, simulation) glTF scenes cannot be loaded; the work's entity
    // and plinth are still built.
    let can_load_scenes = world_assets.is_some();
    let root = commands.spawn((Name::new("Gallery"), GalleryScene)).id();
    let mut jobs = JobQueue {
        count: 0,
        paint: headless.is_none(),
    };

    let mut frames = HashMap::new();
    for (name, style) in [
        ("black", FrameStyle::Black),
        ("white", FrameStyle::White),
        ("oak", FrameStyle::Oak),
        ("walnut", FrameStyle::Walnut),
        ("gold", FrameStyle::Gold),
    ] {
        let (base_color, metallic, perceptual_roughness) = frame_color(style);
        frames.insert(
            name,
            materials.add(StandardMaterial {
                base_color,
                metallic,
                perceptual_roughness,
                ..default()
            }),
        );
    }
    let shared = Shared {
        unit_cube: meshes.add(Cuboid::new(1.0, 1.0, 1.0)),
        unit_quad: meshes.add(Rectangle::new(1.0, 1.0)),
        frames,
        mat: materials.add(StandardMaterial {
            base_color: Color::srgb(0.95, 0.94, 0.9),
            perceptual_roughness: 0.95,
            ..default()
        }),
        plinth: materials.add(StandardMaterial {
            base_color: Color::srgb(0.92, 0.91, 0.89),
            perceptual_roughness: 0.8,
            ..default()
        }),
        halo: materials.add(StandardMaterial {
            base_color: Color::srgba(1.0, 0.86, 0.55, 0.55),
            emissive: LinearRgba::rgb(1.0, 0.8, 0.45) * 2.0,
            unlit: true,
            alpha_mode: AlphaMode::Blend,
            ..default()
        }),
        plaque_back: materials.add(StandardMaterial {
            base_color: Color::srgb(0.85, 0.84, 0.8),
            perceptual_roughness: 0.7,
            ..default()
        }),
        caps,
    };

    // Rooms.
    let plaster = placeholder(&mut images, [240, 240, 240, 255]);
    jobs.add(
        &mut commands,
        root,
        plaster.clone(),
        true,
        "wall plaster",
        || Ok(textures::plaster_texture(256)),
    );
    let mut floor_textures: HashMap<Floor, Handle<Image>> = HashMap::new();
    let mut room_cache = RoomCache::default();
    for (index, room) in level.rooms.iter().enumerate() {
        let floor_image = floor_textures
            .entry(room.floor)
            .or_insert_with(|| {
                let handle = placeholder(&mut images, [150, 120, 90, 255]);
                let kind = room.floor;
                jobs.add(
                    &mut commands,
                    root,
                    handle.clone(),
                    true,
                    format!("{kind:?} floor"),
                    move || Ok(textures::floor_texture(kind, 512)),
                );
                handle
            })
            .clone();
        spawn_room(
            &mut commands,
            &mut meshes,
            &mut materials,
            &level,
            index,
            root,
            floor_image,
            plaster.clone(),
            &mut room_cache,
        );
    }

    // Lights.
    commands.insert_resource(GlobalAmbientLight {
        color: color(level.lights.ambient.color),
        brightness: level.lights.ambient.brightness,
        ..default()
    });
    if let Some(sun) = &level.lights.directional {
        let dir =
            Vec3::new(sun.direction.0, sun.direction.1, sun.direction.2).normalize_or(Vec3::NEG_Y);
        commands.spawn((
            Name::new("Sun"),
            GalleryLight,
            DirectionalLight {
                color: color(sun.color),
                illuminance: sun.illuminance,
                shadow_maps_enabled: sun.shadows,
                ..default()
            },
            Transform::default()
                .looking_to(dir, if dir.y.abs() > 0.99 { Vec3::Z } else { Vec3::Y }),
            DeclaredShadows(sun.shadows),
            ChildOf(root),
        ));
    }
    let fixture_mesh = meshes.add(Cylinder::new(0.055, 0.16));
    let fixture_material = materials.add(StandardMaterial {
        base_color: Color::srgb(0.08, 0.08, 0.085),
        metallic: 0.6,
        perceptual_roughness: 0.4,
        ..default()
    });
    for spot in &level.lights.spots {
        let Some((target, position)) = spot_geometry(&level, spot) else {
            continue;
        };
        // Lamps in rooms far from the visitor are switched off with their room.
        let in_room = crate::level::geometry::room_at(&level, [position.x, position.z])
            .map(super::culling::InRoom);
        // The lamp housing the light shines from, so the ceiling shows where light comes from.
        let direction = (target - position).normalize_or(Vec3::NEG_Y);
        let fixture = commands
            .spawn((
                Name::new("Spot fixture"),
                Mesh3d(fixture_mesh.clone()),
                MeshMaterial3d(fixture_material.clone()),
                Transform::from_translation(position - direction * 0.1)
                    .with_rotation(Quat::from_rotation_arc(Vec3::NEG_Y, direction)),
                NotShadowCaster,
                ChildOf(root),
            ))
            .id();
        let angle = spot.angle.to_radians();
        let light = commands
            .spawn((
                Name::new("Spot light"),
                GalleryLight,
                SpotLight {
                    color: color(spot.color),
                    intensity: spot.intensity,
                    range: 20.0,
                    radius: 0.05,
                    shadow_maps_enabled: spot.shadows,
                    outer_angle: angle,
                    inner_angle: angle * 0.6,
                    ..default()
                },
                Transform::from_translation(position).looking_at(target, Vec3::Y),
                DeclaredShadows(spot.shadows),
                ChildOf(root),
            ))
            .id();
        if let Some(in_room) = in_room {
            commands.entity(fixture).insert(in_room);
            commands.entity(light).insert(in_room);
        }
    }

    // Works. The baseline scene (`--baseline`) has none: the spots aimed at them above are lit
    // all the same, so a measurement compares the works' own cost only.
    let baseline = launch.is_some_and(|l| l.baseline);
    let hung = hung_by_wall(&level);
    let works = if baseline { &[][..] } else { &level.works[..] };
    for (index, work) in works.iter().enumerate() {
        let Some(pose) = placement_pose(&level, &work.placement, work.size) else {
            continue;
        };
        let center = Vec3::from_array(pose.center);
        let facing = Vec3::new(pose.facing[0], 0.0, pose.facing[1]);
        let transform = Transform::from_translation(center).looking_to(-facing, Vec3::Y);
        let entity = commands
            .spawn((
                Name::new(format!("Work {}", work.id)),
                Artwork {
                    id: work.id.clone(),
                    index,
                    kind: ArtKind::of(&work.kind),
                },
                WorkPlacement(work.placement.clone()),
                super::culling::InRoom(
                    level
                        .rooms
                        .iter()
                        .position(|r| r.id == work.placement.room())
                        .unwrap_or_default(),
                ),
                Price {
                    tokens: work.price,
                    editions: work.editions,
                },
                transform,
                ChildOf(root),
            ))
            .id();

        let plaque_text = PlaqueText {
            title: work.title.clone(),
            artist_line: format!("{}, {}", work.artist, work.year),
            detail_line: work.medium.clone(),
            extra: String::new(),
            sale: String::new(),
        };

        match &work.placement {
            Placement::Wall { .. } => {
                let (fw, fh) = work.framed_size();
                let style_key = match work.frame.style {
                    FrameStyle::None => None,
                    FrameStyle::Black => Some("black"),
                    FrameStyle::White => Some("white"),
                    FrameStyle::Oak => Some("oak"),
                    FrameStyle::Walnut => Some("walnut"),
                    FrameStyle::Gold => Some("gold"),
                };
                if let Some(key) = style_key {
                    commands.spawn((
                        Mesh3d(shared.unit_cube.clone()),
                        MeshMaterial3d(shared.frames[key].clone()),
                        Transform::from_scale(Vec3::new(fw, fh, FRAME_DEPTH)),
                        ChildOf(entity),
                    ));
                }
                if work.frame.mat > 0.0 {
                    let mw = work.size.0 + 2.0 * work.frame.mat;
                    let mh = work.size.1 + 2.0 * work.frame.mat;
                    commands.spawn((
                        Mesh3d(shared.unit_quad.clone()),
                        MeshMaterial3d(shared.mat.clone()),
                        Transform::from_xyz(0.0, 0.0, FRAME_DEPTH / 2.0 + 0.002)
                            .with_scale(Vec3::new(mw, mh, 1.0)),
                        ChildOf(entity),
                    ));
                }
                // A warm glow on the wall around the frame, lit while the work is in focus.
                commands.spawn((
                    FocusHalo,
                    Mesh3d(shared.unit_quad.clone()),
                    MeshMaterial3d(shared.halo.clone()),
                    Transform::from_xyz(0.0, 0.0, -FRAME_DEPTH / 2.0 + 0.0015)
                        .with_scale(Vec3::new(fw + 0.12, fh + 0.12, 1.0)),
                    Visibility::Hidden,
                    NotShadowCaster,
                    ChildOf(entity),
                ));
                // The framed work is solid: visitors stop in front of it.
                commands.spawn((
                    Collider::cuboid(fw / 2.0, fh / 2.0, FRAME_DEPTH / 2.0),
                    Transform::default(),
                    ChildOf(entity),
                ));
                let canvas = canvas_texture(
                    &mut commands,
                    &mut images,
                    &asset_server,
                    &level_path,
                    root,
                    work,
                    &mut jobs,
                    caps,
                );
                let canvas_material = materials.add(StandardMaterial {
                    base_color_texture: Some(canvas),
                    perceptual_roughness: 0.85,
                    reflectance: 0.3,
                    ..default()
                });
                commands
                    .entity(entity)
                    .insert(HighlightMaterial(canvas_material.clone()));
                commands.spawn((
                    Mesh3d(shared.unit_quad.clone()),
                    MeshMaterial3d(canvas_material),
                    Transform::from_xyz(0.0, 0.0, FRAME_DEPTH / 2.0 + 0.004).with_scale(Vec3::new(
                        work.size.0,
                        work.size.1,
                        1.0,
                    )),
                    ChildOf(entity),
                ));
                // The label hangs to the right of the work at a fixed height, or to the left
                // when a neighbour or a corner is in the way.
                let side = plaque_side(&level, index, &hung);
                let x = side * (fw / 2.0 + 0.12 + PLAQUE_SIZE.x / 2.0);
                let y = PLAQUE_CENTER_HEIGHT - center.y;
                let z = -FRAME_DEPTH / 2.0 + 0.001;
                spawn_plaque(
                    &mut commands,
                    &mut images,
                    &mut materials,
                    &shared,
                    entity,
                    Transform::from_xyz(x, y, z),
                    plaque_text,
                    &mut jobs,
                    root,
                );
            }
            Placement::Plinth { plinth_height, .. } => {
                let radius = plinth_radius(work.size.0);
                let half_height = work.size.1 / 2.0;
                commands.spawn((
                    Mesh3d(shared.unit_cube.clone()),
                    MeshMaterial3d(shared.plinth.clone()),
                    Transform::from_xyz(0.0, -half_height - plinth_height / 2.0, 0.0)
                        .with_scale(Vec3::new(radius * 2.0, *plinth_height, radius * 2.0)),
                    Collider::cuboid(0.5, 0.5, 0.5),
                    ChildOf(entity),
                ));
                // A glowing rim on the floor around the plinth, lit while in focus.
                commands.spawn((
                    FocusHalo,
                    Mesh3d(shared.unit_cube.clone()),
                    MeshMaterial3d(shared.halo.clone()),
                    Transform::from_xyz(0.0, -half_height - plinth_height + 0.004, 0.0)
                        .with_scale(Vec3::new(radius * 2.0 + 0.16, 0.006, radius * 2.0 + 0.16)),
                    Visibility::Hidden,
                    NotShadowCaster,
                    ChildOf(entity),
                ));
                // The sculpture itself is solid too (a cylinder around it).
                commands.spawn((
                    Collider::cylinder(half_height, work.size.0 / 2.0),
                    Transform::default(),
                    ChildOf(entity),
                ));
                if let WorkKind::Sculpture {
                    source,
                    color: tint,
                    metallic,
                    roughness,
                } = &work.kind
                {
                    let material = materials.add(StandardMaterial {
                        base_color: color(*tint),
                        metallic: *metallic,
                        perceptual_roughness: *roughness,
                        ..default()
                    });
                    commands
                        .entity(entity)
                        .insert(HighlightMaterial(material.clone()));
                    match source {
                        SculptureSource::Procedural { shape, params } => {
                            match sculpture::build(shape, params) {
                                Ok(data) => {
                                    let mesh = meshes.add(to_mesh(&data));
                                    commands.spawn((
                                        Mesh3d(mesh),
                                        MeshMaterial3d(material),
                                        Transform::from_xyz(0.0, -half_height, 0.0).with_scale(
                                            Vec3::new(work.size.0, work.size.1, work.size.0),
                                        ),
                                        ChildOf(entity),
                                    ));
                                }
                                Err(e) => warn!("sculpture {}: {e}", work.id),
                            }
                        }
                        SculptureSource::Gltf { .. } if !can_load_scenes => {}
                        SculptureSource::Gltf { path } => {
                            let scene = asset_server.load(
                                GltfAssetLabel::Scene(0).from_asset(work_asset(&level_path, path)),
                            );
                            commands.spawn((
                                WorldAssetRoot(scene),
                                Transform::from_xyz(0.0, -half_height, 0.0).with_scale(Vec3::new(
                                    work.size.0,
                                    work.size.1,
                                    work.size.0,
                                )),
                                ChildOf(entity),
                            ));
                        }
                    }
                }
                // The label leans on the plinth's front face.
                let z = radius + 0.001;
                let y = -half_height - plinth_height * 0.25;
                spawn_plaque(
                    &mut commands,
                    &mut images,
                    &mut materials,
                    &shared,
                    entity,
                    Transform::from_xyz(0.0, y, z),
                    plaque_text,
                    &mut jobs,
                    root,
                );
            }
            // Filled in by the layout step when the level is read; `placement_pose` has
            // already skipped such a work.
            Placement::Auto { .. } => {}
        }
    }

    // Where the visitor starts.
    if let Some(room) = level.rooms.iter().find(|r| r.id == level.spawn.room) {
        commands.insert_resource(SpawnPoint {
            eye: Vec3::new(
                room.origin.0 + level.spawn.position.0,
                EYE_HEIGHT,
                room.origin.1 + level.spawn.position.1,
            ),
            heading: level.spawn.heading,
        });
    }
    progress.total = jobs.count;
}

/// The wall works of each wall: (room id, wall) → (work index, offset, framed width).
type HungWorks<'a> = HashMap<(&'a str, Wall), Vec<(usize, f32, f32)>>;

fn hung_by_wall(level: &Level) -> HungWorks<'_> {
    let mut hung: HungWorks<'_> = HashMap::new();
    for (index, work) in level.works.iter().enumerate() {
        if let Placement::Wall {
            room, wall, offset, ..
        } = &work.placement
        {
            hung.entry((room.as_str(), *wall)).or_default().push((
                index,
                *offset,
                work.framed_size().0,
            ));
        }
    }
    hung
}

/// +1 to hang a work's label on its right, −1 on its left.
fn plaque_side(level: &Level, index: usize, hung: &HungWorks<'_>) -> f32 {
    let work = &level.works[index];
    let Placement::Wall {
        room, wall, offset, ..
    } = &work.placement
    else {
        return 1.0;
    };
    let Some(room_index) = level.rooms.iter().position(|r| &r.id == room) else {
        return 1.0;
    };
    let line = wall_line(&level.rooms[room_index], *wall);
    let (fw, _) = work.framed_size();
    let need = 0.12 + PLAQUE_SIZE.x + 0.08;
    let right_edge = offset + fw / 2.0;
    let left_edge = offset - fw / 2.0;
    let mut right_space = line.length - WALL_THICKNESS - right_edge;
    let mut left_space = left_edge - WALL_THICKNESS;
    let neighbours = hung.get(&(room.as_str(), *wall)).into_iter().flatten();
    for &(other, o, ow) in neighbours {
        if other == index {
            continue;
        }
        if o > *offset {
            right_space = right_space.min(o - ow / 2.0 - right_edge);
        } else {
            left_space = left_space.min(left_edge - (o + ow / 2.0));
        }
    }
    for opening in openings(level, room_index, *wall) {
        let (a, b) = opening.span();
        if a >= right_edge {
            right_space = right_space.min(a - right_edge);
        } else if b <= left_edge {
            left_space = left_space.min(left_edge - b);
        }
    }
    if right_space >= need || right_space >= left_space {
        1.0
    } else {
        -1.0
    }
}

fn spawn_plaque(
    commands: &mut Commands,
    images: &mut Assets<Image>,
    materials: &mut Assets<StandardMaterial>,
    shared: &Shared,
    parent: Entity,
    transform: Transform,
    text: PlaqueText,
    jobs: &mut JobQueue,
    root: Entity,
) {
    let image = placeholder(images, [244, 241, 234, 255]);
    let material = materials.add(StandardMaterial {
        base_color_texture: Some(image.clone()),
        perceptual_roughness: 0.9,
        ..default()
    });
    let plaque = commands
        .spawn((
            Name::new("Plaque"),
            transform,
            Visibility::default(),
            ChildOf(parent),
        ))
        .id();
    commands.spawn((
        Mesh3d(shared.unit_cube.clone()),
        MeshMaterial3d(shared.plaque_back.clone()),
        Transform::from_xyz(0.0, 0.0, 0.004).with_scale(Vec3::new(
            PLAQUE_SIZE.x + 0.01,
            PLAQUE_SIZE.y + 0.01,
            0.008,
        )),
        NotShadowCaster,
        ChildOf(plaque),
    ));
    commands.spawn((
        Mesh3d(shared.unit_quad.clone()),
        MeshMaterial3d(material),
        Transform::from_xyz(0.0, 0.0, 0.0085).with_scale(PLAQUE_SIZE.extend(1.0)),
        NotShadowCaster,
        PlaqueCanvas(image.clone()),
        text.clone(),
        ChildOf(plaque),
    ));
    if jobs.paint {
        spawn_plaque_job(commands, root, image, &text, shared.caps.plaque);
        jobs.count += 1;
    }
}

fn spawn_plaque_job(
    commands: &mut Commands,
    root: Entity,
    image: Handle<Image>,
    text: &PlaqueText,
    pixels: (u32, u32),
) {
    let text = text.clone();
    super::jobs::spawn_job(
        commands,
        root,
        image,
        false,
        format!("plaque of \"{}\"", text.title),
        move || {
            let setter = typesetter().ok_or("the label font is missing")?;
            let live: Vec<&str> = [text.extra.as_str(), text.sale.as_str()]
                .into_iter()
                .filter(|l| !l.is_empty())
                .collect();
            Ok(setter.plaque(
                &text.title,
                &text.artist_line,
                &text.detail_line,
                &live.join("\n"),
                pixels.0,
                pixels.1,
            ))
        },
    );
}

/// Redraws a plaque whenever its text changes (scores, "sold out"). The first drawing is
/// queued by the builder, so freshly added plaques are skipped.
fn redraw_plaques(
    mut commands: Commands,
    plaques: Query<(Ref<PlaqueText>, &PlaqueCanvas)>,
    scenes: Query<Entity, With<GalleryScene>>,
    headless: Option<Res<crate::Headless>>,
    caps: Option<Res<TextureCaps>>,
) {
    if headless.is_some() {
        return;
    }
    let pixels = caps.map_or(PLAQUE_PIXELS, |c| c.plaque);
    let Some(root) = scenes.iter().next() else {
        return;
    };
    for (text, canvas) in &plaques {
        if text.is_changed() && !text.is_added() {
            spawn_plaque_job(&mut commands, root, canvas.0.clone(), &text, pixels);
        }
    }
}

/// The asset path of a file a level names (validation has accepted the reference already).
fn work_asset(level_path: &AssetPath<'static>, path: &str) -> AssetPath<'static> {
    crate::net::reader::asset_path_for(level_path, path)
        .unwrap_or_else(|_| AssetPath::from(path.to_string()).with_source(crate::EXHIBITION_SOURCE))
}

/// The texture of a wall work's canvas: a loaded image, or a job that paints it.
fn canvas_texture(
    commands: &mut Commands,
    images: &mut Assets<Image>,
    asset_server: &AssetServer,
    level_path: &AssetPath<'static>,
    root: Entity,
    work: &crate::level::schema::Work,
    jobs: &mut JobQueue,
    caps: TextureCaps,
) -> Handle<Image> {
    match &work.kind {
        WorkKind::Image { path } => {
            if !jobs.paint {
                return placeholder(images, [128, 128, 128, 255]);
            }
            let handle: Handle<Image> = asset_server.load(work_asset(level_path, path));
            commands.spawn((AwaitedImage(handle.clone()), ChildOf(root)));
            jobs.count += 1;
            handle
        }
        WorkKind::Generative {
            algorithm,
            seed,
            params,
            resolution,
        } => {
            let handle = placeholder(images, [128, 128, 128, 255]);
            let (algorithm, seed, params, size) = (
                algorithm.clone(),
                *seed,
                params.clone(),
                (*resolution).min(caps.edge),
            );
            jobs.add(
                commands,
                root,
                handle.clone(),
                false,
                format!("work {}", work.id),
                move || {
                    generative::render(&algorithm, seed, &params, size).map_err(|e| e.to_string())
                },
            );
            handle
        }
        WorkKind::Text { body, paper, ink } => {
            let handle = placeholder(images, [paper.0[0], paper.0[1], paper.0[2], 255]);
            let (body, paper, ink) = (body.clone(), paper.0, ink.0);
            // Keep the panel's aspect ratio, about 900 px on the long side.
            let scale = 900.0_f32.min(caps.edge as f32) / work.size.0.max(work.size.1);
            let (w, h) = (
                ((work.size.0 * scale) as u32).max(64),
                ((work.size.1 * scale) as u32).max(64),
            );
            jobs.add(
                commands,
                root,
                handle.clone(),
                false,
                format!("work {}", work.id),
                move || {
                    let setter = typesetter().ok_or("the text font is missing")?;
                    Ok(setter.text_panel(&body, paper, ink, w, h))
                },
            );
            handle
        }
        WorkKind::Sculpture { .. } => placeholder(images, [200, 200, 200, 255]),
    }
}

/// Where a spot light hangs and what it points at.
fn spot_geometry(level: &Level, spot: &crate::level::schema::Spot) -> Option<(Vec3, Vec3)> {
    let (target, facing, ceiling) = match &spot.target {
        SpotTarget::Work(id) => {
            let work = level.works.iter().find(|w| &w.id == id)?;
            let pose = placement_pose(level, &work.placement, work.size)?;
            let room = level.rooms.iter().find(|r| r.id == work.placement.room())?;
            (
                Vec3::from_array(pose.center),
                Vec3::new(pose.facing[0], 0.0, pose.facing[1]),
                room.wall_height,
            )
        }
        SpotTarget::Point((x, y, z)) => {
            let room = crate::level::geometry::room_at(level, [*x, *z])
                .map(|i| level.rooms[i].wall_height)
                .unwrap_or(4.0);
            (Vec3::new(*x, *y, *z), Vec3::Z, room)
        }
    };
    let position = match spot.position {
        Some((x, y, z)) => Vec3::new(x, y, z),
        None => {
            let mut p = target + facing * 1.6;
            p.y = ceiling - 0.3;
            p
        }
    };
    // A light from above is brightest above its aim point: aim a little low so the pool of
    // light centres on the work.
    let aim = if matches!(spot.target, SpotTarget::Work(_)) {
        target - Vec3::Y * 0.12
    } else {
        target
    };
    Some((aim, position))
}

/// Meshes and materials that rooms of the same size, floor or colour share: a level of many
/// alike rooms then has a handful of each, which the renderer batches.
#[derive(Default)]
struct RoomCache {
    /// By (width, depth) in millimetres.
    floor_meshes: HashMap<(i64, i64), Handle<Mesh>>,
    ceiling_meshes: HashMap<(i64, i64), Handle<Mesh>>,
    /// Wall slabs by (length, height) in millimetres.
    wall_meshes: HashMap<(i64, i64), Handle<Mesh>>,
    /// Platforms and ramps by their size in millimetres.
    boxes: HashMap<(i64, i64, i64), Handle<Mesh>>,
    floor_materials: HashMap<Floor, Handle<StandardMaterial>>,
    wall_materials: HashMap<[u8; 3], Handle<StandardMaterial>>,
    ceiling_materials: HashMap<[u8; 3], Handle<StandardMaterial>>,
    stage: Option<Handle<StandardMaterial>>,
}

/// A length as a whole number of millimetres, for cache keys.
fn mm(x: f32) -> i64 {
    (f64::from(x) * 1000.0).round() as i64
}

/// Floor, ceiling and walls (with doorway openings) of one room.
#[allow(clippy::too_many_arguments)]
fn spawn_room(
    commands: &mut Commands,
    meshes: &mut Assets<Mesh>,
    materials: &mut Assets<StandardMaterial>,
    level: &Level,
    index: usize,
    root: Entity,
    floor_image: Handle<Image>,
    plaster: Handle<Image>,
    cache: &mut RoomCache,
) {
    let room = &level.rooms[index];
    let (w, d) = room.size;
    // Emissive is measured against the camera's exposure; this keeps the ceiling a soft grey-white.
    // A dark room has a dark ceiling: less light comes back from its walls.
    let [r, g, b] = room.wall_color.to_f32();
    let wall_luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b;
    let ceiling_glow = 1.5 * (0.15 + 0.85 * wall_luminance);
    let center = Vec3::new(room.origin.0 + w / 2.0, 0.0, room.origin.1 + d / 2.0);
    let room_entity = commands
        .spawn((
            Name::new(format!("Room {}", room.id)),
            GalleryRoom {
                id: room.id.clone(),
                index,
            },
            Transform::default(),
            Visibility::default(),
            ChildOf(root),
        ))
        .id();

    // Floor: one texture repeat every 2 m.
    let floor_mesh = cache
        .floor_meshes
        .entry((mm(w), mm(d)))
        .or_insert_with(|| meshes.add(tiled_plane(w, d, 2.0)))
        .clone();
    let floor_material = cache
        .floor_materials
        .entry(room.floor)
        .or_insert_with(|| {
            materials.add(StandardMaterial {
                base_color_texture: Some(floor_image),
                perceptual_roughness: match room.floor {
                    Floor::Marble => 0.25,
                    Floor::Terrazzo => 0.4,
                    Floor::Concrete => 0.75,
                    Floor::Oak | Floor::Walnut => 0.55,
                },
                reflectance: 0.4,
                ..default()
            })
        })
        .clone();
    commands.spawn((
        Mesh3d(floor_mesh),
        MeshMaterial3d(floor_material),
        Transform::from_translation(center),
        ChildOf(room_entity),
    ));
    // The floor is a slab a little larger than the room, so the seams between rooms are
    // covered twice and a visitor never catches on an edge in a doorway.
    commands.spawn((
        Name::new("Floor collider"),
        Collider::cuboid(w / 2.0 + WALL_THICKNESS, 0.1, d / 2.0 + WALL_THICKNESS),
        Transform::from_translation(center - Vec3::Y * 0.1),
        ChildOf(room_entity),
    ));
    let stage = cache
        .stage
        .get_or_insert_with(|| {
            materials.add(StandardMaterial {
                base_color: Color::srgb(0.8, 0.78, 0.74),
                perceptual_roughness: 0.7,
                ..default()
            })
        })
        .clone();
    let mut box_mesh = |size: Vec3| {
        cache
            .boxes
            .entry((mm(size.x), mm(size.y), mm(size.z)))
            .or_insert_with(|| meshes.add(Cuboid::from_size(size)))
            .clone()
    };
    for platform in &room.platforms {
        let [x0, z0, x1, z1] = crate::level::geometry::platform_rect(room, platform);
        let size = Vec3::new(x1 - x0, platform.height, z1 - z0);
        commands.spawn((
            Name::new("Platform"),
            Mesh3d(box_mesh(size)),
            MeshMaterial3d(stage.clone()),
            Transform::from_xyz((x0 + x1) / 2.0, platform.height / 2.0, (z0 + z1) / 2.0),
            Collider::cuboid(size.x / 2.0, size.y / 2.0, size.z / 2.0),
            ChildOf(room_entity),
        ));
        if let Some(ramp) = &platform.ramp
            && let Some(([rx0, rz0, rx1, rz1], dir)) =
                crate::level::geometry::ramp_rect(room, platform)
        {
            let rise = platform.height;
            let run = ramp.length;
            let slope = (rise * rise + run * run).sqrt();
            let width = match ramp.side {
                Wall::North | Wall::South => rx1 - rx0,
                Wall::East | Wall::West => rz1 - rz0,
            };
            let thickness = 0.1;
            let tilt = rise.atan2(run);
            let rotation =
                Quat::from_rotation_y(dir[0].atan2(dir[1])) * Quat::from_rotation_x(tilt);
            let top_mid = Vec3::new((rx0 + rx1) / 2.0, rise / 2.0, (rz0 + rz1) / 2.0);
            let centre = top_mid - rotation * Vec3::Y * (thickness / 2.0);
            commands.spawn((
                Name::new("Ramp"),
                Mesh3d(box_mesh(Vec3::new(width, thickness, slope))),
                MeshMaterial3d(stage.clone()),
                Transform::from_translation(centre).with_rotation(rotation),
                Collider::cuboid(width / 2.0, thickness / 2.0, slope / 2.0),
                ChildOf(room_entity),
            ));
        }
    }
    // Ceiling.
    let ceiling_mesh = cache
        .ceiling_meshes
        .entry((mm(w), mm(d)))
        .or_insert_with(|| {
            meshes.add(Plane3d::new(Vec3::NEG_Y, Vec2::new(w / 2.0, d / 2.0)).mesh())
        })
        .clone();
    let ceiling_material = cache
        .ceiling_materials
        .entry(room.wall_color.0)
        .or_insert_with(|| {
            materials.add(StandardMaterial {
                base_color: Color::srgb(0.97, 0.965, 0.955).mix(&color(room.wall_color), 0.35),
                // Stands in for the light that walls and floor bounce up to a real ceiling.
                emissive: LinearRgba::rgb(0.55, 0.53, 0.5) * ceiling_glow,
                perceptual_roughness: 0.95,
                ..default()
            })
        })
        .clone();
    commands.spawn((
        Mesh3d(ceiling_mesh),
        MeshMaterial3d(ceiling_material),
        Transform::from_translation(center + Vec3::Y * room.wall_height),
        NotShadowCaster,
        ChildOf(room_entity),
    ));

    let wall_material = cache
        .wall_materials
        .entry(room.wall_color.0)
        .or_insert_with(|| {
            materials.add(StandardMaterial {
                base_color: color(room.wall_color),
                base_color_texture: Some(plaster),
                perceptual_roughness: 0.92,
                reflectance: 0.3,
                ..default()
            })
        })
        .clone();
    let height = room.wall_height;
    for wall in Wall::ALL {
        let line = wall_line(room, wall);
        let holes = openings(level, index, wall);
        // Solid spans along the wall, and lintels over the openings.
        let mut cursor = 0.0;
        let mut pieces: Vec<(f32, f32, f32, f32)> = Vec::new(); // (from, to, bottom, top)
        for hole in &holes {
            let (a, b) = hole.span();
            if a > cursor {
                pieces.push((cursor, a, 0.0, height));
            }
            pieces.push((a.max(0.0), b.min(line.length), hole.height, height));
            cursor = cursor.max(b);
        }
        if cursor < line.length {
            pieces.push((cursor, line.length, 0.0, height));
        }
        for (from, to, bottom, top) in pieces {
            let length = to - from;
            let tall = top - bottom;
            if length <= 1e-4 || tall <= 1e-4 {
                continue;
            }
            let mid = line.point((from + to) / 2.0);
            let inward = Vec3::new(line.inward[0], 0.0, line.inward[1]);
            let position =
                Vec3::new(mid[0], (bottom + top) / 2.0, mid[1]) + inward * (WALL_THICKNESS / 2.0);
            let along = Vec3::new(line.dir[0], 0.0, line.dir[1]);
            let rotation = Quat::from_rotation_arc(Vec3::X, along);
            let slab = cache
                .wall_meshes
                .entry((mm(length), mm(tall)))
                .or_insert_with(|| meshes.add(tiled_box(length, tall, WALL_THICKNESS, 2.0)))
                .clone();
            commands.spawn((
                Mesh3d(slab),
                MeshMaterial3d(wall_material.clone()),
                Transform::from_translation(position).with_rotation(rotation),
                Collider::cuboid(length / 2.0, tall / 2.0, WALL_THICKNESS / 2.0),
                ChildOf(room_entity),
            ));
        }
    }
}

/// A horizontal plane of `w` × `d` metres whose UVs repeat every `tile` metres.
fn tiled_plane(w: f32, d: f32, tile: f32) -> Mesh {
    let mut mesh = Plane3d::new(Vec3::Y, Vec2::new(w / 2.0, d / 2.0))
        .mesh()
        .build();
    scale_uvs(&mut mesh, w / tile, d / tile);
    mesh
}

/// A box whose UVs repeat every `tile` metres on its large faces.
fn tiled_box(length: f32, height: f32, depth: f32, tile: f32) -> Mesh {
    let mut mesh = Cuboid::new(length, height, depth).mesh().build();
    scale_uvs(&mut mesh, length / tile, height / tile);
    mesh
}

fn scale_uvs(mesh: &mut Mesh, su: f32, sv: f32) {
    if let Some(VertexAttributeValues::Float32x2(uvs)) = mesh.attribute_mut(Mesh::ATTRIBUTE_UV_0) {
        for uv in uvs.iter_mut() {
            uv[0] *= su;
            uv[1] *= sv;
        }
    }
}

/// A Bevy mesh from the sculpture painter's plain data.
pub fn to_mesh(data: &sculpture::MeshData) -> Mesh {
    Mesh::new(
        PrimitiveTopology::TriangleList,
        bevy::asset::RenderAssetUsages::default(),
    )
    .with_inserted_attribute(Mesh::ATTRIBUTE_POSITION, data.positions.clone())
    .with_inserted_attribute(Mesh::ATTRIBUTE_NORMAL, data.normals.clone())
    .with_inserted_attribute(Mesh::ATTRIBUTE_UV_0, data.uvs.clone())
    .with_inserted_indices(Indices::U32(data.indices.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::level::generate::{Spec, generate};
    use crate::player::settings::Quality;

    #[test]
    fn shadows_go_to_the_nearest_casters_within_the_budget() {
        let sorted = [1.0, 4.0, 9.0, 16.0];
        assert_eq!(shadow_cutoff(&sorted, 2), Some(4.0));
        // More budget than casters: every declared caster keeps its shadows.
        assert_eq!(shadow_cutoff(&sorted, 8), Some(16.0));
        assert_eq!(shadow_cutoff(&sorted, usize::MAX), Some(16.0));
        assert_eq!(shadow_cutoff(&sorted, 0), None);
        assert_eq!(shadow_cutoff(&[], 8), None);
    }

    #[test]
    fn big_exhibitions_and_low_quality_paint_smaller_textures() {
        let small = crate::level::parse(&std::fs::read("levels/small.ron").unwrap()).unwrap();
        let caps = TextureCaps::new(&small, Quality::High);
        assert_eq!(caps.edge, 2048);
        assert_eq!(caps.plaque, PLAQUE_PIXELS);
        let caps = TextureCaps::new(&small, Quality::Low);
        assert_eq!(caps.edge, 512);
        assert_eq!(caps.plaque, SMALL_PLAQUE_PIXELS);
        let big = generate(&Spec {
            works: 400,
            rooms: None,
            seed: 0,
            placed: false,
        })
        .unwrap();
        let caps = TextureCaps::new(&big, Quality::High);
        assert_eq!(caps.edge, 512);
        assert_eq!(caps.plaque, SMALL_PLAQUE_PIXELS);
    }
}
