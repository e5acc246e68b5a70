//! The app's command lists agree: the handlers registered in `main.rs`, the
//! commands `build.rs` generates `allow-<command>` permissions for, and the
//! permissions the capability files grant. A command registered but not in
//! `build.rs` has no permission (the window's call is refused at run time);
//! one granted by no capability (of any window) is dead to the UI; a grant
//! naming no command is a leftover.

use std::collections::BTreeSet;

/// The last path segment of every entry of `generate_handler![...]`.
fn registered() -> BTreeSet<String> {
    let main = include_str!("main.rs");
    let start = main
        .find("generate_handler![")
        .expect("main.rs registers its commands with generate_handler!");
    let body = &main[start + "generate_handler![".len()..];
    let body = &body[..body.find(']').expect("the handler list ends")];
    body.split(',')
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .map(|entry| entry.rsplit("::").next().unwrap_or(entry).to_string())
        .collect()
}

/// The quoted names in `build.rs`'s `APP_COMMANDS`.
fn generated() -> BTreeSet<String> {
    let build = include_str!("build.rs");
    let start = build
        .find("const APP_COMMANDS")
        .expect("build.rs lists APP_COMMANDS");
    let body = &build[start..];
    let body = &body[body.find('[').unwrap() + 1..body.find("];").unwrap()];
    body.lines()
        .map(str::trim)
        .filter(|line| line.starts_with('"'))
        .map(|line| line.trim_end_matches(',').trim_matches('"').to_string())
        .collect()
}

/// Every capability file: its windows and the commands it grants.
fn capabilities() -> Vec<(String, Vec<String>, BTreeSet<String>)> {
    let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src-tauri/capabilities");
    let mut found = Vec::new();
    for entry in std::fs::read_dir(&folder).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|extension| extension.to_str()) != Some("json") {
            continue;
        }
        let value: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let strings = |key: &str| -> Vec<String> {
            value[key]
                .as_array()
                .unwrap_or_else(|| panic!("{} has no {key} list", path.display()))
                .iter()
                .filter_map(|item| item.as_str().map(str::to_string))
                .collect()
        };
        let granted = strings("permissions")
            .into_iter()
            .filter_map(|permission| {
                permission
                    .strip_prefix("allow-")
                    .map(|command| command.replace('-', "_"))
            })
            .collect();
        found.push((path.display().to_string(), strings("windows"), granted));
    }
    assert!(
        found.len() >= 2,
        "capability files found in {}",
        folder.display()
    );
    found
}

#[test]
fn main_build_and_capabilities_name_the_same_commands() {
    let registered = registered();
    let generated = generated();
    assert!(registered.len() > 40, "{registered:?}");
    assert_eq!(
        registered.difference(&generated).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "registered in main.rs but missing from build.rs APP_COMMANDS (no permission)"
    );
    assert_eq!(
        generated.difference(&registered).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "in build.rs APP_COMMANDS but registered by no handler in main.rs"
    );
    let mut granted_anywhere = BTreeSet::new();
    for (file, _windows, granted) in capabilities() {
        for command in &granted {
            assert!(
                registered.contains(command),
                "{file} grants allow-{} but no such command is registered",
                command.replace('_', "-")
            );
        }
        granted_anywhere.extend(granted);
    }
    assert_eq!(
        registered.difference(&granted_anywhere).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "registered commands no capability grants (no window can call them)"
    );
}
