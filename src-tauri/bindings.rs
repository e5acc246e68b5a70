//! The TypeScript bindings of the command layer's types.
//!
//! `ui/src/api/bindings.ts` is generated from [`crate::dto`] with ts-rs. The
//! test below regenerates it in memory and fails when the committed file
//! differs; run it with `UPDATE_BINDINGS=1` to rewrite the file.

/// What every generated bindings file's staleness test shares.
#[cfg(test)]
pub(crate) mod support {
    use ts_rs::TS;

    /// One exported TypeScript declaration of `T`.
    pub(crate) fn declaration<T: TS>() -> String {
        format!("export {}\n", T::decl(&ts_rs::Config::new()))
    }

    /// The text of a generated bindings file: a header naming its Rust source
    /// and the test that regenerates it, any imports, then the declarations.
    pub(crate) fn bindings_text(
        rust_source: &str,
        test_name: &str,
        imports: &str,
        declarations: &[String],
    ) -> String {
        let mut text = format!(
            "// Generated from src-tauri/{rust_source} by ts-rs; do not edit by hand.\n\
             // Regenerate with: UPDATE_BINDINGS=1 cargo test --bin scoretable-app {test_name}\n\n{imports}"
        );
        text.push_str(&declarations.join("\n"));
        text
    }

    /// Fails when the committed file (relative to the root package) differs
    /// from `generated`; with `UPDATE_BINDINGS` set, rewrites it instead.
    pub(crate) fn check_bindings_file(relative_path: &str, test_name: &str, generated: &str) {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(relative_path);
        if std::env::var_os("UPDATE_BINDINGS").is_some() {
            std::fs::write(&path, generated).expect("could not write the bindings");
            return;
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == generated,
            "{} is stale; regenerate it with UPDATE_BINDINGS=1 cargo test --bin scoretable-app {test_name}",
            path.display()
        );
    }
}

#[cfg(test)]
mod tests {
    use super::support::{bindings_text, check_bindings_file, declaration};
    use crate::dto::*;

    fn generate() -> String {
        let declarations = [
            declaration::<CommandError>(),
            declaration::<ErrorKind>(),
            declaration::<CompetitionSummary>(),
            declaration::<NewCompetition>(),
            declaration::<GenderView>(),
            declaration::<DivisionKindView>(),
            declaration::<DivisionView>(),
            declaration::<NewDivision>(),
            declaration::<ScoreTypeView>(),
            declaration::<PublicationStateView>(),
            declaration::<TieBreakView>(),
            declaration::<TimingPointView>(),
            declaration::<HeatView>(),
            declaration::<WorkoutView>(),
            declaration::<NewWorkout>(),
            declaration::<CompetitorView>(),
            declaration::<ImportSummary>(),
            declaration::<ImportProgress>(),
            declaration::<EnterScoreRequest>(),
            declaration::<EntryView>(),
            declaration::<AthletePreview>(),
            declaration::<StatusCodeView>(),
            declaration::<LeaderboardRowView>(),
            declaration::<DivisionPlace>(),
            declaration::<LeaderboardView>(),
            declaration::<OverallCellView>(),
            declaration::<OverallRowView>(),
            declaration::<WorkoutHeader>(),
            declaration::<TeamWorkoutsRuleView>(),
            declaration::<OverallSettingsView>(),
            declaration::<OverallView>(),
            declaration::<ScoreSummary>(),
            declaration::<HistoryEntryView>(),
            declaration::<AmendRequest>(),
            declaration::<PlacementChangeView>(),
            declaration::<AmendOutcome>(),
        ];
        bindings_text("dto.rs", "bindings", "", &declarations)
    }

    #[test]
    fn bindings_are_current() {
        check_bindings_file("ui/src/api/bindings.ts", "bindings", &generate());
    }

    /// The view enums serialize exactly as the TypeScript unions say.
    #[test]
    fn enums_serialize_as_their_bindings_declare() {
        let json = |value: &dyn erased::Serialize| value.to_json();
        assert_eq!(json(&ErrorKind::UnknownBib), "\"unknown_bib\"");
        assert_eq!(json(&ScoreTypeView::TimeCapped), "\"time_capped\"");
        assert_eq!(json(&DivisionKindView::AgeGroup), "\"age_group\"");
        assert_eq!(json(&PublicationStateView::Official), "\"official\"");
        assert_eq!(json(&GenderView::Female), "\"female\"");
        assert_eq!(json(&StatusCodeView::Dnf), "\"DNF\"");
        for status in [
            scoretable_core::model::Status::Lap,
            scoretable_core::model::Status::Nc,
            scoretable_core::model::Status::Dnf,
            scoretable_core::model::Status::Dnq,
            scoretable_core::model::Status::Wd,
            scoretable_core::model::Status::Dsq,
            scoretable_core::model::Status::Dns,
        ] {
            // The view's word is the core's code, the one the board shows.
            assert_eq!(
                json(&StatusCodeView::from(status)),
                format!("\"{}\"", status.code())
            );
        }
        let bindings = generate();
        for union in [
            "\"unknown_bib\"",
            "\"time_capped\"",
            "\"age_group\"",
            "\"official\"",
            "\"female\"",
            "\"DNF\"",
        ] {
            assert!(bindings.contains(union), "bindings lack {union}");
        }
    }

    /// A tiny object-safe wrapper so the test can list values of different types.
    mod erased {
        pub trait Serialize {
            fn to_json(&self) -> String;
        }

        impl<T: serde::Serialize> Serialize for T {
            fn to_json(&self) -> String {
                serde_json::to_string(self).expect("view types always serialize")
            }
        }
    }
}
