//! The browser bundle. In islands mode only components marked `#[island]` ship
//! to the browser; everything else stays server-rendered HTML.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    // Pull in the island registrations from the app crate.
    #[allow(unused_imports)]
    use anxin_app::*;
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
