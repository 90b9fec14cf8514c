//! The main window's size and place: restored from the last run
//! (`tauri-plugin-window-state`), and never larger than the work area of the
//! screen it opens on (a 1280×820 window on a 1280×800 screen is shrunk to
//! fit and moved onto it).

use tauri::{Manager, PhysicalPosition, PhysicalSize, Runtime};

/// Shrinks the main window to the work area of its monitor when it does not
/// fit, keeping the configured minimum where the screen allows. Does nothing
/// when the window system reports no monitor.
pub fn fit_to_screen<R: Runtime, M: Manager<R>>(app: &M) {
    let Some(w) = app.get_webview_window("main") else {
        return;
    };
    let monitor = match w.current_monitor() {
        Ok(Some(m)) => m,
        _ => match w.primary_monitor() {
            Ok(Some(m)) => m,
            _ => return,
        },
    };
    let area = *monitor.work_area();
    let (Ok(outer), Ok(inner), Ok(pos)) = (w.outer_size(), w.inner_size(), w.outer_position())
    else {
        return;
    };
    // What the window manager adds around the content (title bar, borders).
    let frame_w = outer.width.saturating_sub(inner.width);
    let frame_h = outer.height.saturating_sub(inner.height);
    let fits_size = outer.width <= area.size.width && outer.height <= area.size.height;
    let inside = pos.x >= area.position.x
        && pos.y >= area.position.y
        && pos.x + outer.width as i32 <= area.position.x + area.size.width as i32
        && pos.y + outer.height as i32 <= area.position.y + area.size.height as i32;
    if fits_size && inside {
        return;
    }
    let size = PhysicalSize::new(
        inner.width.min(area.size.width.saturating_sub(frame_w)),
        inner.height.min(area.size.height.saturating_sub(frame_h)),
    );
    if let Err(e) = w.set_size(size) {
        tracing::warn!("cannot fit the window to the screen: {e}");
        return;
    }
    let x = area.position.x + (area.size.width.saturating_sub(size.width + frame_w) / 2) as i32;
    let y = area.position.y + (area.size.height.saturating_sub(size.height + frame_h) / 2) as i32;
    if let Err(e) = w.set_position(PhysicalPosition::new(x, y)) {
        tracing::warn!("cannot move the window onto the screen: {e}");
    }
}
