//! Asset references in a level: path rules and what the bytes of an asset really are.

/// Why an asset path is not acceptable, as a message that quotes it.
pub fn check_asset_path(path: &str) -> Result<(), String> {
    if path.trim().is_empty() {
        return Err("asset path must not be empty".into());
    }
    if path.contains("://") || path.starts_with("data:") || path.starts_with("file:") {
        return Err(format!(
            "asset path \"{path}\" is a URL; a file path relative to the exhibition root is expected"
        ));
    }
    if path.contains('\\') {
        return Err(format!(
            "asset path \"{path}\" uses '\\'; separate folders with '/'"
        ));
    }
    let bytes = path.as_bytes();
    if path.starts_with('/') || (bytes.len() > 1 && bytes[1] == b':') {
        return Err(format!(
            "asset path \"{path}\" is absolute; write it relative to the exhibition root"
        ));
    }
    if path.split('/').any(|part| part == "..") {
        return Err(format!("asset path \"{path}\" escapes the exhibition root"));
    }
    Ok(())
}

/// Why a level's reference to a file is not acceptable: a relative path by [`check_asset_path`],
/// or an absolute http(s) URL on an origin the level lists in `exhibition.allowed_origins`.
pub fn check_asset_reference(path: &str, allowed_origins: &[String]) -> Result<(), String> {
    if !path.contains("://") {
        return check_asset_path(path);
    }
    let url = crate::net::policy::parse_url(path).map_err(|e| match e.failure {
        crate::net::policy::Failure::Scheme(scheme) => format!(
            "asset path \"{path}\" uses {scheme}:; only http and https URLs (or paths relative \
             to the exhibition root) can be used"
        ),
        other => format!("asset path \"{path}\" is {other}"),
    })?;
    let origin = crate::net::policy::origin_of(&url);
    let listed = allowed_origins
        .iter()
        .filter_map(|o| crate::net::policy::normalize_origin(o).ok())
        .any(|o| o == origin);
    if listed {
        Ok(())
    } else {
        Err(format!(
            "asset path \"{path}\" is a URL on {origin}, which the level does not allow; \
             list \"{origin}\" in exhibition.allowed_origins, or use a path relative to the \
             exhibition root"
        ))
    }
}

/// The message for a referenced file that could not be read: `why` is the reader's own
/// (a download failure names its URL).
pub fn unreadable(path: &str, why: &str) -> String {
    if why.contains("://") {
        format!("asset \"{path}\" could not be downloaded: {why}")
    } else {
        format!("asset file \"{path}\" not found ({why})")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFormat {
    Png,
    Jpeg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageInfo {
    pub format: ImageFormat,
    pub width: u32,
    pub height: u32,
}

/// Judges image bytes by their magic numbers and reads the pixel size from the header, without
/// decoding. An HTML error page served as `work.png` fails here with a clear message.
pub fn sniff_image(bytes: &[u8]) -> Result<ImageInfo, String> {
    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n";
    if bytes.starts_with(PNG) {
        if bytes.len() < 24 || &bytes[12..16] != b"IHDR" {
            return Err("the PNG header is truncated".into());
        }
        let width = u32::from_be_bytes([bytes[16], bytes[17], bytes[18], bytes[19]]);
        let height = u32::from_be_bytes([bytes[20], bytes[21], bytes[22], bytes[23]]);
        if width == 0 || height == 0 {
            return Err("the PNG header says it has no pixels".into());
        }
        return Ok(ImageInfo {
            format: ImageFormat::Png,
            width,
            height,
        });
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return jpeg_size(bytes).map(|(width, height)| ImageInfo {
            format: ImageFormat::Jpeg,
            width,
            height,
        });
    }
    Err(format!(
        "it is not a PNG or JPEG image ({})",
        describe_start(bytes)
    ))
}

fn jpeg_size(bytes: &[u8]) -> Result<(u32, u32), String> {
    let mut i = 2;
    while i + 4 <= bytes.len() {
        if bytes[i] != 0xFF {
            return Err("the JPEG header is damaged".into());
        }
        let marker = bytes[i + 1];
        if marker == 0xFF {
            i += 1;
            continue;
        }
        if (0xD0..=0xD9).contains(&marker) || marker == 0x01 {
            i += 2;
            continue;
        }
        let len = usize::from(u16::from_be_bytes([bytes[i + 2], bytes[i + 3]]));
        let is_sof = matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC);
        if is_sof {
            if i + 9 > bytes.len() {
                break;
            }
            let height = u32::from(u16::from_be_bytes([bytes[i + 5], bytes[i + 6]]));
            let width = u32::from(u16::from_be_bytes([bytes[i + 7], bytes[i + 8]]));
            if width == 0 || height == 0 {
                return Err("the JPEG header says it has no pixels".into());
            }
            return Ok((width, height));
        }
        if len < 2 {
            return Err("the JPEG header is damaged".into());
        }
        i += 2 + len;
    }
    Err("the JPEG header is truncated".into())
}

fn describe_start(bytes: &[u8]) -> String {
    if bytes.is_empty() {
        return "the file is empty".into();
    }
    let head = &bytes[..bytes.len().min(64)];
    let text = String::from_utf8_lossy(head).to_ascii_lowercase();
    if text.trim_start().starts_with("<!doctype html") || text.trim_start().starts_with("<html") {
        return "it is an HTML page".into();
    }
    let hex: Vec<String> = bytes.iter().take(4).map(|b| format!("{b:02X}")).collect();
    format!("it starts with bytes {}", hex.join(" "))
}

/// Counts the triangles a glTF (`.gltf` JSON or binary `.glb`) file declares, from its
/// accessors, without loading buffers.
pub fn gltf_triangles(bytes: &[u8]) -> Result<u64, String> {
    let json: &[u8] = if bytes.starts_with(b"glTF") {
        if bytes.len() < 20 {
            return Err("the GLB header is truncated".into());
        }
        let len = u32::from_le_bytes([bytes[12], bytes[13], bytes[14], bytes[15]]) as usize;
        let kind = &bytes[16..20];
        if kind != b"JSON" || bytes.len() < 20 + len {
            return Err("the GLB file has no JSON chunk".into());
        }
        &bytes[20..20 + len]
    } else {
        bytes
    };
    let doc: serde_json::Value =
        serde_json::from_slice(json).map_err(|e| format!("it is not a glTF file ({e})"))?;
    if doc.get("asset").is_none() {
        return Err("it is not a glTF file (no \"asset\" object)".into());
    }
    let accessors = doc.get("accessors").and_then(|a| a.as_array());
    let count_of = |index: Option<u64>| -> u64 {
        index
            .and_then(|i| accessors.and_then(|a| a.get(i as usize)))
            .and_then(|a| a.get("count"))
            .and_then(|c| c.as_u64())
            .unwrap_or(0)
    };
    let mut triangles: u64 = 0;
    for mesh in doc
        .get("meshes")
        .and_then(|m| m.as_array())
        .into_iter()
        .flatten()
    {
        for prim in mesh
            .get("primitives")
            .and_then(|p| p.as_array())
            .into_iter()
            .flatten()
        {
            let mode = prim.get("mode").and_then(|m| m.as_u64()).unwrap_or(4);
            let vertices = match prim.get("indices").and_then(|i| i.as_u64()) {
                Some(i) => count_of(Some(i)),
                None => count_of(
                    prim.get("attributes")
                        .and_then(|a| a.get("POSITION"))
                        .and_then(|p| p.as_u64()),
                ),
            };
            triangles = triangles.saturating_add(match mode {
                4 => vertices / 3,
                5 | 6 => vertices.saturating_sub(2),
                _ => 0,
            });
        }
    }
    Ok(triangles)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_rules() {
        assert!(check_asset_path("assets/works/a.png").is_ok());
        assert!(check_asset_path("").unwrap_err().contains("empty"));
        assert!(
            check_asset_path("../secret.png")
                .unwrap_err()
                .contains("escapes")
        );
        assert!(
            check_asset_path("assets/../../x.png")
                .unwrap_err()
                .contains("escapes")
        );
        assert!(
            check_asset_path("/etc/passwd")
                .unwrap_err()
                .contains("absolute")
        );
        assert!(
            check_asset_path("C:/x.png")
                .unwrap_err()
                .contains("absolute")
        );
        assert!(
            check_asset_path("https://example.org/a.png")
                .unwrap_err()
                .contains("URL")
        );
        assert!(
            check_asset_path("assets\\a.png")
                .unwrap_err()
                .contains("'\\'")
        );
    }

    #[test]
    fn sniffs_png_and_jpeg_headers() {
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        png.extend_from_slice(&640u32.to_be_bytes());
        png.extend_from_slice(&480u32.to_be_bytes());
        let info = sniff_image(&png).unwrap();
        assert_eq!(
            (info.format, info.width, info.height),
            (ImageFormat::Png, 640, 480)
        );

        // SOI, an APP0 segment of length 4, then SOF0 with height 300 and width 200.
        let jpeg = [
            0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0x00, 0x00, 0xFF, 0xC0, 0x00, 0x11, 0x08, 0x01,
            0x2C, 0x00, 0xC8, 0x03,
        ];
        let info = sniff_image(&jpeg).unwrap();
        assert_eq!(
            (info.format, info.width, info.height),
            (ImageFormat::Jpeg, 200, 300)
        );

        assert!(
            sniff_image(b"<!DOCTYPE html><p>404</p>")
                .unwrap_err()
                .contains("HTML page")
        );
        assert!(sniff_image(b"").unwrap_err().contains("empty"));
        assert!(sniff_image(&png[..20]).unwrap_err().contains("truncated"));
        assert!(sniff_image(&jpeg[..6]).unwrap_err().contains("truncated"));
    }

    #[test]
    fn counts_gltf_triangles() {
        let gltf = br#"{"asset":{"version":"2.0"},"accessors":[{"count":36},{"count":24}],
            "meshes":[{"primitives":[{"attributes":{"POSITION":1},"indices":0}]}]}"#;
        assert_eq!(gltf_triangles(gltf).unwrap(), 12);
        assert!(
            gltf_triangles(b"not json")
                .unwrap_err()
                .contains("not a glTF")
        );
        assert!(gltf_triangles(b"{}").unwrap_err().contains("no \"asset\""));
    }
}
