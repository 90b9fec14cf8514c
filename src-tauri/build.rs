//! Tauri's build step for the app: reads `tauri.conf.json` at the root (the
//! package's folder) and the capabilities in `src-tauri/capabilities/`.
//! Nothing to do for a build of the `intone` command alone (no `app`
//! feature).

fn main() {
    #[cfg(feature = "app")]
    {
        println!("cargo:rerun-if-changed=src-tauri/capabilities");
        let attributes =
            tauri_build::Attributes::new().capabilities_path_pattern("src-tauri/capabilities/**/*");
        if let Err(e) = tauri_build::try_build(attributes) {
            eprintln!("error: {e:#}");
            std::process::exit(1);
        }
    }
}
