//! Offline after the first load: registers `sw.js` (copied into dist by Trunk).
//!
//! The worker's URL carries the build — the hashed name of this app's script, which Trunk
//! puts in a `<link rel=modulepreload>` — so each build gets its own worker and cache, and
//! a cached worker_bg.wasm (not hashed) never meets an app of another build. The URL and
//! the scope are relative, so dist/ works from any sub-path.

use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};

/// `app-3be864fb02267a6` from `./app-3be864fb02267a6.js` (also with a sub-path in front).
pub fn build_of(script_href: &str) -> Option<&str> {
    let name = script_href.rsplit('/').next()?;
    let build = name.strip_suffix(".js")?;
    let hash = build.strip_prefix("app-")?;
    (!hash.is_empty() && hash.chars().all(|c| c.is_ascii_hexdigit())).then_some(build)
}

/// Registers the service worker when the browser has them and the page was built by Trunk
/// (the dev server's unhashed build is left alone). Failures only warn: the app works
/// without it, just not offline.
pub fn register() {
    if let Err(e) = try_register() {
        web_sys::console::warn_2(&JsValue::from_str("offline mode unavailable:"), &e);
    }
}

fn try_register() -> Result<(), JsValue> {
    let Some(window) = web_sys::window() else {
        return Ok(());
    };
    let Some(doc) = window.document() else {
        return Ok(());
    };
    let href = doc
        .query_selector("link[rel=modulepreload][href*='app-']")?
        .and_then(|l| l.get_attribute("href"));
    let Some(build) = href.as_deref().and_then(build_of) else {
        return Ok(());
    };
    // `navigator.serviceWorker` is missing on plain http: other than localhost, and in some
    // private modes; looked up dynamically so no extra web-sys features are needed.
    let container = Reflect::get(&window.navigator(), &JsValue::from_str("serviceWorker"))?;
    if container.is_undefined() || container.is_null() {
        return Ok(());
    }
    let register: Function =
        Reflect::get(&container, &JsValue::from_str("register"))?.dyn_into()?;
    let options = Object::new();
    Reflect::set(
        &options,
        &JsValue::from_str("scope"),
        &JsValue::from_str("./"),
    )?;
    let url = format!("./sw.js?v={build}");
    let promise: Promise = register
        .call2(&container, &JsValue::from_str(&url), &options)?
        .dyn_into()?;
    wasm_bindgen_futures::spawn_local(async move {
        if let Err(e) = wasm_bindgen_futures::JsFuture::from(promise).await {
            web_sys::console::warn_2(&JsValue::from_str("service worker not registered:"), &e);
        }
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::build_of;

    #[test]
    fn build_comes_from_the_hashed_app_script() {
        assert_eq!(
            build_of("./app-3be864fb02267a6.js"),
            Some("app-3be864fb02267a6")
        );
        assert_eq!(build_of("/course/pancake/app-00ff.js"), Some("app-00ff"));
        assert_eq!(build_of("./app.js"), None);
        assert_eq!(build_of("./app-.js"), None);
        assert_eq!(build_of("./app-xyz.js"), None);
        assert_eq!(build_of("./worker.js"), None);
    }
}
