//! The exhibition level format (RON): plain data types, their defaults and units.
//!
//! Every field is documented in `levels/README.md`; keep the two in step. Lengths are metres,
//! angles degrees, prices whole tokens, light intensities lumens (spots) and lux (sun).

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The newest level format this build reads and writes.
pub const FORMAT_VERSION: u32 = 1;

/// A whole exhibition: what a curator authors in one `.ron` file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Level {
    /// Level format version; must not be newer than [`FORMAT_VERSION`].
    pub format: u32,
    pub exhibition: Exhibition,
    pub rooms: Vec<Room>,
    #[serde(default, skip_serializing_if = "is_default")]
    pub lights: Lights,
    pub spawn: Spawn,
    pub works: Vec<Work>,
    /// Terms of the token market; every field has a default.
    #[serde(default, skip_serializing_if = "is_default")]
    pub market: Market,
}

/// The exhibition's market terms: what a new visitor's wallet starts with and who vouches for
/// the works' registrations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Market {
    /// Tokens granted once to each new visitor wallet, whole tokens.
    #[serde(
        default = "default_starting_grant",
        skip_serializing_if = "is_default_starting_grant"
    )]
    pub starting_grant: i64,
    /// The curator's Ed25519 public key (64 hex digits). When set, every work's registration
    /// must carry the curator's signature in `endorsements`, or the work is not for sale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub curator_key: Option<String>,
    /// Work id → the curator's signature of its registration (128 hex digits), written by
    /// `vernissage ledger sign-level`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub endorsements: BTreeMap<String, String>,
}

impl Default for Market {
    fn default() -> Self {
        Market {
            starting_grant: default_starting_grant(),
            curator_key: None,
            endorsements: BTreeMap::new(),
        }
    }
}

pub fn default_starting_grant() -> i64 {
    1_000
}

pub fn default_resale_royalty() -> f64 {
    10.0
}

/// Who shows what: the exhibition's identity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exhibition {
    /// Stable id: lowercase letters, digits and `-`; names the exhibition's data folder.
    pub id: String,
    pub title: String,
    pub curator: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Other origins (`https://cdn.example.org`) the level may name works on, as absolute
    /// URLs. Without them a level's files come from its own folder or site only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allowed_origins: Vec<String>,
}

/// An axis-aligned rectangular room. North is −Z, east is +X; `origin` is the north-west corner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Room {
    pub id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// (x, z) of the north-west corner, metres.
    pub origin: (f32, f32),
    /// (width along +X, depth along +Z), metres.
    pub size: (f32, f32),
    #[serde(
        default = "default_wall_height",
        skip_serializing_if = "is_default_wall_height"
    )]
    pub wall_height: f32,
    #[serde(
        default = "default_wall_color",
        skip_serializing_if = "is_default_wall_color"
    )]
    pub wall_color: Rgb,
    #[serde(default, skip_serializing_if = "is_default")]
    pub floor: Floor,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub doorways: Vec<Doorway>,
    /// Raised floors (a dais, a stage) reached by a step or a ramp.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub platforms: Vec<Platform>,
}

/// A raised, walkable floor inside a room. Up to 0.25 m it is a step a visitor simply walks
/// onto; higher platforms need a `ramp`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Platform {
    /// (x, z) of its north-west corner, relative to the room's origin.
    pub position: (f32, f32),
    /// (width along +X, depth along +Z), metres.
    pub size: (f32, f32),
    /// Height of its top above the room's floor, metres.
    pub height: f32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ramp: Option<Ramp>,
}

/// A slope leading down from one side of a platform to the floor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ramp {
    /// The side of the platform the ramp leaves from.
    pub side: Wall,
    /// Horizontal length of the ramp, metres.
    pub length: f32,
}

/// The four walls of a room, named by the compass direction they face away from the centre.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Wall {
    North,
    East,
    South,
    West,
}

impl Wall {
    pub const ALL: [Wall; 4] = [Wall::North, Wall::East, Wall::South, Wall::West];

    pub fn opposite(self) -> Wall {
        match self {
            Wall::North => Wall::South,
            Wall::East => Wall::West,
            Wall::South => Wall::North,
            Wall::West => Wall::East,
        }
    }
}

impl fmt::Display for Wall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// Floor finish; each is a procedurally drawn texture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Floor {
    #[default]
    Oak,
    Walnut,
    Concrete,
    Terrazzo,
    Marble,
}

/// An opening in a wall that joins this room to its neighbour `to`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Doorway {
    pub wall: Wall,
    /// Distance from the wall's left end (seen from inside, facing the wall) to the doorway's centre.
    pub offset: f32,
    #[serde(
        default = "default_doorway_width",
        skip_serializing_if = "is_default_doorway_width"
    )]
    pub width: f32,
    #[serde(
        default = "default_doorway_height",
        skip_serializing_if = "is_default_doorway_height"
    )]
    pub height: f32,
    /// Id of the room on the other side; it must share this wall.
    pub to: String,
}

/// The light plan.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lights {
    #[serde(default, skip_serializing_if = "is_default")]
    pub ambient: Ambient,
    /// Sun through skylights; `None` for a closed building.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub directional: Option<Directional>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub spots: Vec<Spot>,
}

/// Fill light that reaches everywhere.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ambient {
    #[serde(
        default = "default_light_color",
        skip_serializing_if = "is_default_light_color"
    )]
    pub color: Rgb,
    /// Bevy ambient brightness (cd/m²).
    #[serde(
        default = "default_ambient_brightness",
        skip_serializing_if = "is_default_ambient_brightness"
    )]
    pub brightness: f32,
}

impl Default for Ambient {
    fn default() -> Self {
        Ambient {
            color: default_light_color(),
            brightness: default_ambient_brightness(),
        }
    }
}

/// A directional light.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Directional {
    /// Direction the light travels, (x, y, z); need not be normalised.
    pub direction: (f32, f32, f32),
    /// Lux.
    #[serde(
        default = "default_illuminance",
        skip_serializing_if = "is_default_illuminance"
    )]
    pub illuminance: f32,
    #[serde(
        default = "default_light_color",
        skip_serializing_if = "is_default_light_color"
    )]
    pub color: Rgb,
    #[serde(default, skip_serializing_if = "is_default")]
    pub shadows: bool,
}

/// A spot light aimed at a work or at a point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spot {
    pub target: SpotTarget,
    /// World position (x, y, z); default: 1.6 m in front of the target, 0.3 m under the ceiling.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<(f32, f32, f32)>,
    /// Lumens.
    #[serde(
        default = "default_spot_intensity",
        skip_serializing_if = "is_default_spot_intensity"
    )]
    pub intensity: f32,
    #[serde(
        default = "default_light_color",
        skip_serializing_if = "is_default_light_color"
    )]
    pub color: Rgb,
    /// Outer cone half-angle, degrees.
    #[serde(
        default = "default_spot_angle",
        skip_serializing_if = "is_default_spot_angle"
    )]
    pub angle: f32,
    #[serde(default, skip_serializing_if = "is_default")]
    pub shadows: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum SpotTarget {
    /// The centre of the work with this id.
    Work(String),
    /// A world point (x, y, z).
    Point((f32, f32, f32)),
}

/// Where the visitor starts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spawn {
    pub room: String,
    /// (x, z) relative to the room's origin, metres.
    pub position: (f32, f32),
    /// Compass heading in degrees: 0 looks north (−Z), 90 east (+X).
    #[serde(default, skip_serializing_if = "is_default")]
    pub heading: f32,
}

/// A creative work.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Work {
    /// Stable id, unique in the level; feedback and the ledger refer to it.
    pub id: String,
    pub title: String,
    pub artist: String,
    pub year: i32,
    pub medium: String,
    pub description: String,
    /// What a screen reader says instead of the picture.
    pub alt_text: String,
    pub license: String,
    pub kind: WorkKind,
    /// Where it hangs or stands; omitted, the layout step chooses (see [`Placement::Auto`]).
    #[serde(default)]
    pub placement: Placement,
    /// (width, height) in metres of the picture (without frame); for sculptures the
    /// footprint diameter and the height.
    pub size: (f32, f32),
    #[serde(default, skip_serializing_if = "is_default")]
    pub frame: Frame,
    /// Price of one edition in whole tokens.
    pub price: i64,
    /// Editions for sale, at least 1.
    pub editions: i64,
    /// Who receives what share of a sale; the percentages add up to 100.
    pub royalties: Vec<Share>,
    /// The artist's share of every resale, percent (default 10).
    #[serde(
        default = "default_resale_royalty",
        skip_serializing_if = "is_default_resale_royalty"
    )]
    pub resale_royalty: f64,
    /// Curator-declared numeric features, by name (used by the scoring model).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub features: BTreeMap<String, f64>,
}

/// What kind of work it is and where its content comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum WorkKind {
    /// A PNG or JPEG file, relative to the exhibition root.
    Image { path: String },
    /// Drawn at load time from an algorithm, a seed and parameters.
    Generative {
        algorithm: String,
        seed: u64,
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        params: BTreeMap<String, f64>,
        /// Texture edge in pixels.
        #[serde(
            default = "default_resolution",
            skip_serializing_if = "is_default_resolution"
        )]
        resolution: u32,
    },
    /// A three-dimensional piece on a plinth.
    Sculpture {
        source: SculptureSource,
        #[serde(
            default = "default_sculpture_color",
            skip_serializing_if = "is_default_sculpture_color"
        )]
        color: Rgb,
        #[serde(default, skip_serializing_if = "is_default")]
        metallic: f32,
        #[serde(
            default = "default_roughness",
            skip_serializing_if = "is_default_roughness"
        )]
        roughness: f32,
    },
    /// A poem or statement typeset on a panel.
    Text {
        body: String,
        #[serde(default = "default_paper", skip_serializing_if = "is_default_paper")]
        paper: Rgb,
        #[serde(default = "default_ink", skip_serializing_if = "is_default_ink")]
        ink: Rgb,
    },
}

impl WorkKind {
    pub fn name(&self) -> &'static str {
        match self {
            WorkKind::Image { .. } => "Image",
            WorkKind::Generative { .. } => "Generative",
            WorkKind::Sculpture { .. } => "Sculpture",
            WorkKind::Text { .. } => "Text",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum SculptureSource {
    /// A mesh built from a named shape and its parameters.
    Procedural {
        shape: String,
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        params: BTreeMap<String, f64>,
    },
    /// A glTF file (`.gltf` or `.glb`), relative to the exhibition root.
    Gltf { path: String },
}

/// Where a work stands or hangs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum Placement {
    /// On a wall: `offset` from the wall's left end (seen from inside, facing it) to the work's
    /// centre, `height` of the centre above the floor.
    Wall {
        room: String,
        wall: Wall,
        offset: f32,
        #[serde(
            default = "default_hang_height",
            skip_serializing_if = "is_default_hang_height"
        )]
        height: f32,
    },
    /// On a plinth at (x, z) relative to the room's origin.
    Plinth {
        room: String,
        position: (f32, f32),
        #[serde(default, skip_serializing_if = "is_default")]
        rotation: f32,
        #[serde(
            default = "default_plinth_height",
            skip_serializing_if = "is_default_plinth_height"
        )]
        plinth_height: f32,
    },
    /// Chosen by the layout step (`crate::level::layout::fill`) when the level is read: a wall
    /// of one of `rooms` at eye height, or for a sculpture a plinth on their floor. An empty
    /// list means every room, in level order. After the level is read no work is `Auto` any more.
    Auto {
        #[serde(default)]
        rooms: Vec<String>,
    },
}

impl Default for Placement {
    /// A work without a `placement` is placed by the layout step, in any room.
    fn default() -> Self {
        Placement::Auto { rooms: Vec::new() }
    }
}

impl Placement {
    /// The room of a concrete placement; `""` for [`Placement::Auto`] (not placed yet).
    pub fn room(&self) -> &str {
        match self {
            Placement::Wall { room, .. } | Placement::Plinth { room, .. } => room,
            Placement::Auto { .. } => "",
        }
    }

    /// Whether the layout step still has to place the work.
    pub fn is_auto(&self) -> bool {
        matches!(self, Placement::Auto { .. })
    }
}

/// The frame around a wall work.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Frame {
    #[serde(default, skip_serializing_if = "is_default")]
    pub style: FrameStyle,
    /// Moulding width, metres.
    #[serde(
        default = "default_frame_width",
        skip_serializing_if = "is_default_frame_width"
    )]
    pub width: f32,
    /// Passe-partout (mat) width inside the moulding, metres.
    #[serde(default, skip_serializing_if = "is_default")]
    pub mat: f32,
}

impl Default for Frame {
    fn default() -> Self {
        Frame {
            style: FrameStyle::default(),
            width: default_frame_width(),
            mat: 0.0,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum FrameStyle {
    None,
    #[default]
    Black,
    White,
    Oak,
    Walnut,
    Gold,
}

impl Frame {
    /// Moulding width that takes space: none when the work is unframed.
    pub fn moulding(&self) -> f32 {
        if self.style == FrameStyle::None {
            0.0
        } else {
            self.width
        }
    }
}

impl Work {
    /// Outer (width, height) of a wall work with its frame and mat.
    pub fn framed_size(&self) -> (f32, f32) {
        let border = 2.0 * (self.frame.moulding().max(0.0) + self.frame.mat.max(0.0));
        (self.size.0 + border, self.size.1 + border)
    }
}

/// One party's share of a sale.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Share {
    pub recipient: String,
    pub role: Role,
    pub percent: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Role {
    Artist,
    Curator,
    Gallery,
    Other,
}

/// An sRGB colour written as `"#RRGGBB"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub [u8; 3]);

impl Rgb {
    pub fn parse(text: &str) -> Option<Rgb> {
        let hex = text.strip_prefix('#')?;
        if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
        Some(Rgb([byte(0)?, byte(2)?, byte(4)?]))
    }

    /// Components as 0..=1 floats (still sRGB-encoded).
    pub fn to_f32(self) -> [f32; 3] {
        self.0.map(|c| f32::from(c) / 255.0)
    }
}

impl fmt::Display for Rgb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [r, g, b] = self.0;
        write!(f, "#{r:02X}{g:02X}{b:02X}")
    }
}

impl Serialize for Rgb {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Rgb {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Rgb::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "invalid colour \"{text}\": expected \"#RRGGBB\" with six hex digits"
            ))
        })
    }
}

pub fn default_wall_height() -> f32 {
    4.0
}
pub fn default_wall_color() -> Rgb {
    Rgb([0xEE, 0xEA, 0xE2])
}
pub fn default_doorway_width() -> f32 {
    1.8
}
pub fn default_doorway_height() -> f32 {
    2.7
}
pub fn default_light_color() -> Rgb {
    Rgb([0xFF, 0xF4, 0xE5])
}
pub fn default_ambient_brightness() -> f32 {
    250.0
}
pub fn default_illuminance() -> f32 {
    2000.0
}
pub fn default_spot_intensity() -> f32 {
    60_000.0
}
pub fn default_spot_angle() -> f32 {
    24.0
}
pub fn default_resolution() -> u32 {
    512
}
pub fn default_sculpture_color() -> Rgb {
    Rgb([0xB8, 0xB2, 0xA8])
}
pub fn default_roughness() -> f32 {
    0.5
}
pub fn default_paper() -> Rgb {
    Rgb([0xF4, 0xF0, 0xE6])
}
pub fn default_ink() -> Rgb {
    Rgb([0x22, 0x20, 0x1E])
}
pub fn default_hang_height() -> f32 {
    1.55
}
pub fn default_plinth_height() -> f32 {
    0.9
}
pub fn default_frame_width() -> f32 {
    0.05
}

/// Whether a value equals its type's default (fields equal to their default are left out when
/// a level is written back with `level::to_ron`, as a curator would leave them out).
fn is_default<T: Default + PartialEq>(value: &T) -> bool {
    *value == T::default()
}

/// `is_<default fn>`: whether a field equals the default its `#[serde(default = ...)]` gives.
macro_rules! is_default_fn {
    ($($name:ident: $ty:ty = $default:ident;)*) => {
        $(
            fn $name(value: &$ty) -> bool {
                *value == $default()
            }
        )*
    };
}

is_default_fn! {
    is_default_starting_grant: i64 = default_starting_grant;
    is_default_resale_royalty: f64 = default_resale_royalty;
    is_default_wall_height: f32 = default_wall_height;
    is_default_wall_color: Rgb = default_wall_color;
    is_default_doorway_width: f32 = default_doorway_width;
    is_default_doorway_height: f32 = default_doorway_height;
    is_default_light_color: Rgb = default_light_color;
    is_default_ambient_brightness: f32 = default_ambient_brightness;
    is_default_illuminance: f32 = default_illuminance;
    is_default_spot_intensity: f32 = default_spot_intensity;
    is_default_spot_angle: f32 = default_spot_angle;
    is_default_resolution: u32 = default_resolution;
    is_default_sculpture_color: Rgb = default_sculpture_color;
    is_default_roughness: f32 = default_roughness;
    is_default_paper: Rgb = default_paper;
    is_default_ink: Rgb = default_ink;
    is_default_hang_height: f32 = default_hang_height;
    is_default_plinth_height: f32 = default_plinth_height;
    is_default_frame_width: f32 = default_frame_width;
}
