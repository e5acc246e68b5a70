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

    use crate::bindings::support::{bindings_text, check_bindings_file, declaration};

    /// The committed bindings, relative to the root package.
    const BINDINGS_PATH: &str = "ui/src/api/bindingsEntrants.ts";

    fn generate() -> String {
        let declarations = [
            declaration::<TeamMemberView>(),
            declaration::<TeamView>(),
            declaration::<TeamDraft>(),
        ];
        bindings_text("dto_entrants.rs", "entrant_bindings", "", &declarations)
    }

    #[test]
    fn entrant_bindings_are_current() {
        check_bindings_file(BINDINGS_PATH, "entrant_bindings", &generate());
    }
}
