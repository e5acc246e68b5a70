//! Property tests: no sequence of imports, entries, undos and amendments
//! ever changes an amended score's effective value (except a later
//! amendment), and the history is append-only and replays to the effective
//! value.

use crate::common;

use std::collections::HashMap;

use common::{competition, draft, workout};
use proptest::prelude::*;
use scoretable_core::model::{Entrant, Gender, PublicationState, Score, ScoreType, Source};
use scoretable_store::{replay_history, CompetitionFile, ImportedResult, ScoreEvent, ScoreInput};

#[derive(Debug, Clone)]
enum Operation {
    Enter { who: usize, ms: i64 },
    Import { who: usize, ms: i64 },
    Undo { pick: usize },
    Amend { who: usize, ms: i64 },
    Publish { official: bool },
}

fn operation() -> impl Strategy<Value = Operation> {
    let who = 0..3_usize;
    let ms = 60_000..600_000_i64;
    prop_oneof![
        4 => (who.clone(), ms.clone()).prop_map(|(who, ms)| Operation::Enter { who, ms }),
        3 => (who.clone(), ms.clone()).prop_map(|(who, ms)| Operation::Import { who, ms }),
        2 => (0..8_usize).prop_map(|pick| Operation::Undo { pick }),
        3 => (who, ms).prop_map(|(who, ms)| Operation::Amend { who, ms }),
        1 => any::<bool>().prop_map(|official| Operation::Publish { official }),
    ]
}

/// What the rules say each entrant's values are.
#[derive(Debug, Default, Clone)]
struct Expected {
    source: Option<i64>,
    /// The entry id that set `source`, when it was typed.
    source_entry: Option<i64>,
    amended: Option<i64>,
}

impl Expected {
    fn effective(&self) -> Option<i64> {
        self.amended.or(self.source)
    }

    fn has_result(&self) -> bool {
        self.source.is_some() || self.amended.is_some()
    }
}

fn time_of(value: Option<&scoretable_store::ScoreValue>) -> Option<i64> {
    value.and_then(|value| match value.score {
        Some(Score::Time { ms }) => Some(ms),
        _ => None,
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn amended_scores_never_change_and_history_replays(operations in prop::collection::vec(operation(), 1..30)) {
        let directory = tempfile::tempdir().unwrap();
        let mut file = CompetitionFile::create(directory.path().join("p.scoretable"), &competition()).unwrap();
        file.set_backup_policy(scoretable_store::BackupPolicy { automatic: false, ..file.backup_policy().clone() });
        let drafts: Vec<_> = (1..=3).map(|bib| draft(bib + 1, &bib.to_string(), "P", "Q", Gender::Female)).collect();
        file.import_competitors(&drafts).unwrap();
        let workout_id = file.add_workout(&workout("Row", 1, ScoreType::Time)).unwrap();
        let entrants: Vec<Entrant> = (1..=3)
            .map(|bib| Entrant::Competitor(file.competitor_by_bib(&bib.to_string()).unwrap().unwrap().id))
            .collect();
        let mut expected: Vec<Expected> = vec![Expected::default(); 3];
        let mut official = false;
        let mut entry_ids: Vec<(usize, i64)> = Vec::new();
        let mut histories: HashMap<Entrant, Vec<ScoreEvent>> = HashMap::new();

        for operation in operations {
            match operation {
                Operation::Enter { who, ms } => {
                    let outcome = file.enter_score(workout_id, entrants[who], ScoreInput::score(Score::Time { ms }), "table");
                    let allowed = !official && !expected[who].has_result();
                    prop_assert_eq!(outcome.is_ok(), allowed, "enter {:?}", outcome);
                    if let Ok(receipt) = outcome {
                        expected[who].source = Some(ms);
                        expected[who].source_entry = Some(receipt.entry_id);
                        entry_ids.push((who, receipt.entry_id));
                    }
                }
                Operation::Import { who, ms } => {
                    let record = ImportedResult {
                        row: 2,
                        entrant: entrants[who],
                        value: ScoreInput::text(format!("{}.{:03}", ms / 1000, ms % 1000)),
                        penalty_ms: 0,
                        splits: Vec::new(),
                        incidents: Vec::new(),
                        record_id: None,
                        received_at: None,
                    };
                    let outcome = file.import_results(workout_id, Source::Feed, "feed", &[record]);
                    if official {
                        prop_assert!(outcome.is_err());
                    } else {
                        let summary = outcome.unwrap();
                        let inserts = !expected[who].has_result();
                        prop_assert_eq!(summary.inserted, usize::from(inserts));
                        if inserts {
                            expected[who].source = Some(ms);
                            expected[who].source_entry = None;
                        }
                    }
                }
                Operation::Undo { pick } => {
                    if entry_ids.is_empty() {
                        continue;
                    }
                    let (who, entry_id) = entry_ids[pick % entry_ids.len()];
                    let outcome = file.undo_entry(entry_id, "table");
                    let allowed = !official
                        && expected[who].amended.is_none()
                        && expected[who].source_entry == Some(entry_id);
                    prop_assert_eq!(outcome.is_ok(), allowed, "undo {:?}", outcome);
                    if allowed {
                        expected[who].source = None;
                        expected[who].source_entry = None;
                    }
                }
                Operation::Amend { who, ms } => {
                    let text = format!("{}.{:03}", ms / 1000, ms % 1000);
                    file.amend_score(workout_id, entrants[who], &text, "judge", "review", None).unwrap();
                    expected[who].amended = Some(ms);
                }
                Operation::Publish { official: now_official } => {
                    let state = if now_official { PublicationState::Official } else { PublicationState::Provisional };
                    file.set_workout_state(workout_id, state).unwrap();
                    official = now_official;
                }
            }
            for (who, entrant) in entrants.iter().enumerate() {
                let stored = file.result(workout_id, *entrant).unwrap();
                let effective = time_of(stored.as_ref().and_then(|result| result.effective_value()));
                prop_assert_eq!(effective, expected[who].effective());
                if let Some(amended) = expected[who].amended {
                    prop_assert_eq!(effective, Some(amended));
                    prop_assert!(stored.as_ref().unwrap().is_amended());
                }
                let history = file.score_history(workout_id, *entrant).unwrap();
                let previous = histories.entry(*entrant).or_default();
                prop_assert!(history.len() >= previous.len());
                prop_assert_eq!(&history[..previous.len()], &previous[..], "history was rewritten");
                prop_assert_eq!(time_of(replay_history(&history).as_ref()), effective);
                *previous = history;
            }
        }
    }
}

fn roster() -> impl Strategy<Value = Vec<(u8, String, bool)>> {
    // (bib 1..=12, last name, is_female); bibs may repeat across imports
    // but are made unique within one file below.
    prop::collection::vec((1..=12_u8, "[A-Z][a-z]{1,6}", any::<bool>()), 0..10)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    /// Re-importing start lists (any bibs, any changes, in any order) keeps
    /// every competitor's id and never loses a score.
    #[test]
    fn reimports_keep_ids_and_scores(imports in prop::collection::vec(roster(), 1..6)) {
        let directory = tempfile::tempdir().unwrap();
        let mut file = CompetitionFile::create(directory.path().join("r.scoretable"), &competition()).unwrap();
        let workout_id = file.add_workout(&workout("Row", 1, ScoreType::Time)).unwrap();
        let mut ids: HashMap<String, i64> = HashMap::new();
        let mut scored: Vec<Entrant> = Vec::new();
        for (import_number, rows) in imports.into_iter().enumerate() {
            let mut seen = std::collections::HashSet::new();
            let drafts: Vec<_> = rows
                .into_iter()
                .filter(|(bib, _, _)| seen.insert(*bib))
                .enumerate()
                .map(|(index, (bib, last, female))| {
                    let gender = if female { Gender::Female } else { Gender::Male };
                    draft(index + 2, &bib.to_string(), "Runner", &last, gender)
                })
                .collect();
            let summary = file.import_competitors_from("list.csv", &drafts).unwrap();
            prop_assert_eq!(summary.new + summary.updated + summary.unchanged, drafts.len());
            for draft in &drafts {
                let stored = file.competitor_by_bib(&draft.bib).unwrap().unwrap();
                prop_assert_eq!(&stored.last_name, &draft.last_name);
                let id = *ids.entry(draft.bib.clone()).or_insert(stored.id);
                prop_assert_eq!(stored.id, id, "bib {} changed id", draft.bib);
            }
            // Score the first new competitor of this import, if any.
            if let Some(draft) = drafts.iter().find(|draft| {
                let entrant = Entrant::Competitor(ids[&draft.bib]);
                !scored.contains(&entrant)
            }) {
                let entrant = Entrant::Competitor(ids[&draft.bib]);
                file.enter_score(workout_id, entrant, ScoreInput::score(Score::Time { ms: 60_000 + import_number as i64 }), "table").unwrap();
                scored.push(entrant);
            }
            prop_assert_eq!(file.results(workout_id).unwrap().len(), scored.len());
            prop_assert_eq!(file.competitors().unwrap().len(), ids.len());
        }
    }
}
