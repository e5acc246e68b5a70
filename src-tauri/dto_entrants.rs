//! The view types of team entrants and division membership editing.
//!
//! Like [`crate::dto`], these are plain data shaped for the screens. Team
//! members travel as bibs, the way a scorekeeper reads them off a start
//! list; the command layer resolves them to competitors. The test
//! `entrant_bindings_are_current` below writes these types to
//! `ui/src/api/bindingsEntrants.ts` and fails when that file is stale.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// One member of a team, in leg or member order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TeamMemberView {
    /// 1-based leg or member order.
    pub order: u32,
    #[ts(type = "number")]
    pub competitor_id: i64,
    pub bib: String,
    pub name: String,
}

/// A team entrant, as the Teams section lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TeamView {
    #[ts(type = "number")]
    pub id: i64,
    pub name: String,
    pub bib: Option<String>,
    #[ts(type = "number[]")]
    pub division_ids: Vec<i64>,
    pub division_names: Vec<String>,
    pub members: Vec<TeamMemberView>,
}

/// A team to add, or the new details of one to change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TeamDraft {
    pub name: String,
    /// Empty for a team without its own bib.
    pub bib: String,
    #[ts(type = "number[]")]
    pub division_ids: Vec<i64>,
    /// Member bibs in leg or member order.
    pub member_bibs: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The committed bindings, relative to the root package.
    const BINDINGS_PATH: &str = "ui/src/api/bindingsEntrants.ts";

    fn declaration<T: TS>() -> String {
        format!("export {}\n", T::decl())
    }

    fn generate() -> String {
        let declarations = [
            declaration::<TeamMemberView>(),
            declaration::<TeamView>(),
            declaration::<TeamDraft>(),
        ];
        let mut text = String::from(
            "// Generated from src-tauri/dto_entrants.rs by ts-rs; do not edit by hand.\n\
             // Regenerate with: UPDATE_BINDINGS=1 cargo test --bin scoretable-app entrant_bindings\n\n",
        );
        text.push_str(&declarations.join("\n"));
        text
    }

    #[test]
    fn entrant_bindings_are_current() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(BINDINGS_PATH);
        let generated = generate();
        if std::env::var_os("UPDATE_BINDINGS").is_some() {
            std::fs::write(&path, &generated).expect("could not write the bindings");
            return;
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == generated,
            "{} is stale; regenerate it with UPDATE_BINDINGS=1 cargo test --bin scoretable-app entrant_bindings",
            path.display()
        );
    }
}
