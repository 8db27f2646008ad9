//! The browser bundle. In islands mode (the default) only components marked
//! `#[island]` ship to the browser; everything else stays server-rendered HTML.
//! `full-hydration` exists so bench/ can measure the alternative.

// The fully hydrated comparison build nests the whole page's view types.
#![recursion_limit = "256"]

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    // Readable panics while developing; release bundles leave the hook out (about 1 KB).
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    #[cfg(feature = "islands")]
    {
        // Pull in the island registrations from the app crate.
        #[allow(unused_imports)]
        use anxin_app::*;
        leptos::mount::hydrate_islands();
    }
    #[cfg(not(feature = "islands"))]
    leptos::mount::hydrate_body(anxin_app::App);
}
