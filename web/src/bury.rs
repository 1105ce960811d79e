//! Freeing a large list a slice per task: dropping the 200,000 rows of a view that is left
//! (each with a path or two on the heap) or its tree takes a tenth of a second of the page's
//! thread, on top of the work of the view that replaces it.

/// Elements freed per task.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
const PER_TASK: usize = 20_000;

/// Drops `items` now when short, else a slice of [`PER_TASK`] per 0 ms timer (native builds,
/// which have no timers: now).
pub fn bury<T: 'static>(items: Vec<T>) {
    #[cfg(target_arch = "wasm32")]
    if items.len() > PER_TASK {
        free_slice(items);
        return;
    }
    drop(items);
}

#[cfg(target_arch = "wasm32")]
fn free_slice<T: 'static>(mut items: Vec<T>) {
    gloo::timers::callback::Timeout::new(0, move || {
        items.truncate(items.len().saturating_sub(PER_TASK));
        if !items.is_empty() {
            free_slice(items);
        }
    })
    .forget();
}
