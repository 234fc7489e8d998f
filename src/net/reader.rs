//! Bevy's asset sources `http` and `https`: an asset reader backed by [`Net`], so levels and
//! their works load by URL through the asset system like files.

use std::path::Path;
use std::sync::Arc;

use bevy::asset::AssetPath;
use bevy::asset::io::{
    AssetReader, AssetReaderError, AssetReaderFuture, AssetSourceBuilder, PathStream, Reader,
    VecReader,
};
use bevy::prelude::*;
use bevy::tasks::ConditionalSendFuture;

use super::client::Net;
use super::policy::{self, NetError};

/// Reads `scheme://path` with [`Net::fetch`].
pub struct HttpReader {
    scheme: &'static str,
    net: Arc<Net>,
}

impl HttpReader {
    fn url_of(&self, path: &Path) -> Result<url::Url, NetError> {
        let path = path.to_string_lossy().replace('\\', "/");
        policy::parse_url(&format!("{}://{path}", self.scheme))
    }
}

/// A download failure as the asset system carries it; [`net_error_text`] gets it back out.
fn reader_error(error: NetError) -> AssetReaderError {
    AssetReaderError::Io(Arc::new(std::io::Error::other(error)))
}

impl AssetReader for HttpReader {
    fn read<'a>(&'a self, path: &'a Path) -> impl AssetReaderFuture<Value: Reader + 'a> {
        async move {
            let url = self.url_of(path).map_err(reader_error)?;
            let bytes = self.net.fetch(&url).await.map_err(reader_error)?;
            Ok(VecReader::new(bytes))
        }
    }

    fn read_meta<'a>(&'a self, path: &'a Path) -> impl AssetReaderFuture<Value: Reader + 'a> {
        // Exhibitions carry no `.meta` files (the asset plugin is told not to look for them).
        async move { Err::<VecReader, _>(AssetReaderError::NotFound(path.to_path_buf())) }
    }

    fn read_directory<'a>(
        &'a self,
        path: &'a Path,
    ) -> impl ConditionalSendFuture<Output = Result<Box<PathStream>, AssetReaderError>> {
        async move { Err(AssetReaderError::NotFound(path.to_path_buf())) }
    }

    fn is_directory<'a>(
        &'a self,
        _path: &'a Path,
    ) -> impl ConditionalSendFuture<Output = Result<bool, AssetReaderError>> {
        async { Ok(false) }
    }
}

/// Registers the `http` and `https` asset sources on `net`. Must run before the asset plugin.
pub fn register_sources(app: &mut App, net: &Arc<Net>) {
    for scheme in ["http", "https"] {
        let net = net.clone();
        app.register_asset_source(
            scheme,
            AssetSourceBuilder::new(move || {
                Box::new(HttpReader {
                    scheme,
                    net: net.clone(),
                })
            }),
        );
    }
}

/// The message of a download failure inside an asset error, if it is one: `URL: what`.
pub fn net_error_text(error: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut current = Some(error);
    while let Some(e) = current {
        if let Some(net) = e.downcast_ref::<NetError>() {
            return Some(net.to_string());
        }
        // Transparent wrappers hand `source()` on past the reader error, so look inside.
        let reader = match e.downcast_ref::<bevy::asset::AssetLoadError>() {
            Some(bevy::asset::AssetLoadError::AssetReaderError(r)) => Some(r),
            _ => match e.downcast_ref::<bevy::asset::ReadAssetBytesError>() {
                Some(bevy::asset::ReadAssetBytesError::AssetReaderError(r)) => Some(r),
                _ => e.downcast_ref::<AssetReaderError>(),
            },
        };
        if let Some(AssetReaderError::Io(io)) = reader
            && let Some(net) = io.get_ref().and_then(|i| i.downcast_ref::<NetError>())
        {
            return Some(net.to_string());
        }
        if let Some(io) = e.downcast_ref::<std::io::Error>()
            && let Some(net) = io.get_ref().and_then(|i| i.downcast_ref::<NetError>())
        {
            return Some(net.to_string());
        }
        current = e.source();
    }
    None
}

/// The level's URL, when it was loaded over http(s).
pub fn level_url(level: &AssetPath) -> Option<url::Url> {
    let scheme = level.source().as_str()?;
    if !matches!(scheme, "http" | "https") {
        return None;
    }
    let path = level.path().to_string_lossy().replace('\\', "/");
    policy::parse_url(&format!("{scheme}://{path}")).ok()
}

/// Where an asset path written in a level lives, as an asset path: relative paths against the
/// level's exhibition root (a folder on disk or a URL), absolute http(s) URLs as they are.
pub fn asset_path_for(level: &AssetPath, asset: &str) -> Result<AssetPath<'static>, NetError> {
    let url = match level_url(level) {
        Some(level_url) => Some(policy::resolve(&level_url, asset)?),
        None if asset.contains("://") => Some(policy::parse_url(asset)?),
        None => None,
    };
    Ok(match url {
        Some(mut url) => {
            // A fragment would read as an asset label.
            url.set_fragment(None);
            AssetPath::from(url.to_string())
        }
        None => AssetPath::from(asset.to_string()).with_source(level.source().clone_owned()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asset_paths_follow_the_level() {
        let local = AssetPath::from("levels/a.ron").with_source(crate::EXHIBITION_SOURCE);
        assert_eq!(
            asset_path_for(&local, "works/a.png").unwrap(),
            AssetPath::from("works/a.png").with_source(crate::EXHIBITION_SOURCE)
        );
        let remote = AssetPath::from("http://127.0.0.1:8080/show/levels/a.ron");
        assert_eq!(remote.source().as_str(), Some("http"));
        assert_eq!(
            level_url(&remote).unwrap().as_str(),
            "http://127.0.0.1:8080/show/levels/a.ron"
        );
        let asset = asset_path_for(&remote, "works/a b.png").unwrap();
        assert_eq!(asset.source().as_str(), Some("http"));
        assert_eq!(
            asset.path().to_string_lossy(),
            "127.0.0.1:8080/show/works/a%20b.png"
        );
        let cdn = asset_path_for(&local, "https://cdn.example.org/x.png").unwrap();
        assert_eq!(cdn.source().as_str(), Some("https"));
        assert!(asset_path_for(&remote, "ftp://x/y.png").is_err());
    }

    #[test]
    fn download_errors_come_back_out_of_asset_errors() {
        let error = NetError::new(
            &url::Url::parse("http://h/a.png").unwrap(),
            policy::Failure::Status(500, "Internal Server Error".into()),
        );
        let wrapped = reader_error(error.clone());
        assert_eq!(net_error_text(&wrapped), Some(error.to_string()));
        let loading = bevy::asset::AssetLoadError::AssetReaderError(reader_error(error.clone()));
        assert_eq!(net_error_text(&loading), Some(error.to_string()));
        let plain = AssetReaderError::NotFound("x".into());
        assert_eq!(net_error_text(&plain), None);
    }
}
