//! The browser interface: static files compiled into the binary with
//! `include_bytes!` and served at `/` (the page) and `/ui/...` (scripts,
//! styles). No build step: plain ES modules and hand-written CSS, so the
//! files in `assets/` are exactly what the browser runs.
//!
//! Every answer carries a strict Content-Security-Policy: scripts, styles,
//! images and requests only from this server, no inline scripts or styles,
//! no frames, no plugins.

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// The policy sent with every page and asset: nothing from other hosts.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; \
connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

macro_rules! asset {
    ($path:literal, $ty:expr) => {
        ($path, $ty, include_bytes!(concat!("../assets/", $path)) as &[u8])
    };
}

const JS: &str = "text/javascript; charset=utf-8";

/// Every file of the interface: its path under `/ui/`, content type and bytes.
pub const ASSETS: &[(&str, &str, &[u8])] = &[
    asset!("index.html", "text/html; charset=utf-8"),
    asset!("style.css", "text/css; charset=utf-8"),
    asset!("favicon.svg", "image/svg+xml"),
    asset!("app.js", JS),
    asset!("i18n.js", JS),
    asset!("lib/api.js", JS),
    asset!("lib/dom.js", JS),
    asset!("lib/table.js", JS),
    asset!("lib/chart.js", JS),
    asset!("lib/csv.js", JS),
    asset!("lib/runs.js", JS),
    asset!("lib/forecast.js", JS),
    asset!("pages/organization.js", JS),
    asset!("pages/issues.js", JS),
    asset!("pages/workbench.js", JS),
];

/// The asset at `path` (relative to `/ui/`), if there is one.
pub fn find(path: &str) -> Option<(&'static str, &'static [u8])> {
    ASSETS
        .iter()
        .find(|(p, _, _)| *p == path)
        .map(|&(_, ty, bytes)| (ty, bytes))
}

fn answer(content_type: &'static str, bytes: &'static [u8]) -> Response {
    let mut resp = (StatusCode::OK, bytes).into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    // The binary's version decides the files, so a browser may keep them
    // only until it asks again (no stale scripts after an upgrade).
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    resp
}

/// `GET /`: the interface's page.
pub async fn index() -> Response {
    match find("index.html") {
        Some((ty, bytes)) => answer(ty, bytes),
        None => crate::ApiError::not_found("the interface is not built into this binary").into_response(),
    }
}

/// `GET /ui/{*path}`: one file of the interface, or 404.
pub async fn file(Path(path): Path<String>) -> Response {
    match find(&path) {
        Some((ty, bytes)) => answer(ty, bytes),
        None => crate::ApiError::not_found(format!("no file {path:?} in the interface (the pages are at /)"))
            .into_response(),
    }
}

/// Adds the security headers to every answer (API and assets alike).
pub fn secure(resp: &mut Response) {
    let h = resp.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_asset_is_found_by_its_path_and_nothing_else_is() {
        for (p, ty, bytes) in ASSETS {
            assert_eq!(find(p), Some((*ty, *bytes)));
            assert!(!bytes.is_empty(), "{p} is empty");
        }
        assert_eq!(find("../Cargo.toml"), None);
        assert_eq!(find(""), None);
    }

    #[test]
    fn no_asset_loads_anything_from_another_host_or_parses_markup() {
        for (p, _, bytes) in ASSETS {
            // The SVG namespace URI is a name, not a request.
            let text = std::str::from_utf8(bytes)
                .unwrap()
                .replace("http://www.w3.org/2000/svg", "");
            for bad in [
                "http://",
                "https://",
                "//cdn",
                "innerHTML",
                "outerHTML",
                "insertAdjacentHTML",
                "eval(",
            ] {
                assert!(!text.contains(bad), "{p} contains {bad:?}");
            }
        }
    }

    fn files_under(dir: &std::path::Path, prefix: &str, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
            if entry.file_type().unwrap().is_dir() {
                files_under(&entry.path(), &format!("{name}/"), out);
            } else {
                out.push(name);
            }
        }
    }

    #[test]
    fn every_file_in_the_assets_folder_is_served_and_every_import_resolves() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets");
        let mut on_disk = Vec::new();
        files_under(&dir, "", &mut on_disk);
        on_disk.sort();
        let mut listed: Vec<String> = ASSETS.iter().map(|(p, _, _)| p.to_string()).collect();
        listed.sort();
        assert_eq!(on_disk, listed, "assets/ and ASSETS differ: list every file once");
        // Every module a script imports (relative `from '...'`) is one of the assets.
        for (p, _, bytes) in ASSETS.iter().filter(|(p, _, _)| p.ends_with(".js")) {
            let text = std::str::from_utf8(bytes).unwrap();
            let base = p.rsplit_once('/').map_or("", |(d, _)| d);
            for spec in text
                .split("from '")
                .skip(1)
                .filter_map(|r| r.split_once('\''))
                .map(|(s, _)| s)
            {
                let mut parts: Vec<&str> = if base.is_empty() {
                    Vec::new()
                } else {
                    base.split('/').collect()
                };
                for seg in spec.split('/') {
                    match seg {
                        "." => {}
                        ".." => {
                            parts.pop();
                        }
                        s => parts.push(s),
                    }
                }
                let target = parts.join("/");
                assert!(
                    find(&target).is_some(),
                    "{p} imports {spec} ({target}), which is not served"
                );
            }
        }
    }
}
