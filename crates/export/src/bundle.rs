//! The day-end bundle: the one list of files `export all` writes and the
//! sealed archive holds (under `results/`), with one folder layout, one
//! order and one list of what is left out and why.
//!
//! ```text
//! results.json                          the versioned results document
//! csv/<workout>/all.csv                 each workout, whole field
//! csv/<workout>/<division>.csv          each workout, each division
//! runsignup/<workout>.csv|.json|.xml    RunSignup upload files (time workouts)
//! csv/overall/all.csv, <division>.csv   overall standings
//! csv/overall-teams/all.csv, <division>.csv
//!                                       a mixed event's team overall
//! pdf/all.pdf, pdf/<division>.pdf       printable results
//! awards/awards.csv, awards/awards.pdf  the award list, when award rules are given
//! ```
//!
//! `<workout>` is `<sequence, two digits>-<name slug>` and `<division>` the
//! division's name slug, each with the id appended when two share one (or a
//! division's slug is `all`). [`BundlePlan::new`] decides every file and
//! every skip from the snapshot before anything is rendered;
//! [`write_bundle`] renders the files in plan order into a [`BundleSink`]
//! (a staging folder for `export all`, the zip for the seal), each file
//! written to its sink as it is rendered, the PDFs one object at a time.

use std::io::Write;

use scoretable_core::model::{Division, Id, ScoreType, Workout};

use crate::awards::{AwardBasis, AwardRules};
use crate::data::{slug, Exporter};
use crate::error::ExportError;
use crate::request::{RunSignupFormat, SkipReason, SkippedExport};
use crate::runsignup::RunSignupOptions;

/// What one bundle file holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BundleFile {
    ResultsJson,
    WorkoutCsv {
        workout_id: Id,
        division_id: Option<Id>,
    },
    RunSignup {
        workout_id: Id,
        format: RunSignupFormat,
    },
    OverallCsv {
        division_id: Option<Id>,
    },
    /// A mixed event's team overall standings CSV, whole field or one division.
    TeamOverallCsv {
        division_id: Option<Id>,
    },
    Pdf {
        division_id: Option<Id>,
    },
    AwardsCsv,
    AwardsPdf,
}

/// One file of the bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedFile {
    /// The path inside the bundle, `/`-separated.
    pub path: String,
    /// What it holds, e.g. `results CSV of Fran, Women`.
    pub contents: String,
    pub file: BundleFile,
}

/// Every file of the bundle in order, and what is left out.
#[derive(Debug)]
pub struct BundlePlan {
    pub files: Vec<PlannedFile>,
    pub skipped: Vec<SkippedExport>,
    runsignup: RunSignupOptions,
    award_rules: Option<AwardRules>,
}

/// A file-name slug per division scope (`None`: the whole field, `all`),
/// made unique with the id when two divisions share one (or one is `all`),
/// with the scope's name.
pub(crate) fn division_slugs(divisions: &[Division]) -> Vec<(Option<Id>, String, String)> {
    let mut slugs = vec![(None, "all".to_string(), "whole field".to_string())];
    for division in divisions {
        let base = slug(&division.name);
        let clashes = base == "all"
            || divisions
                .iter()
                .filter(|other| slug(&other.name) == base)
                .count()
                > 1;
        let unique = if clashes {
            format!("{base}-{}", division.id)
        } else {
            base
        };
        slugs.push((Some(division.id), unique, division.name.clone()));
    }
    slugs
}

/// A folder name per workout, in schedule order: `<sequence>-<name slug>`,
/// with the id when two workouts share one.
pub(crate) fn workout_slugs(workouts: &[Workout]) -> Vec<(&Workout, String)> {
    let base = |workout: &Workout| format!("{:02}-{}", workout.sequence, slug(&workout.name));
    let mut ordered: Vec<&Workout> = workouts.iter().collect();
    ordered.sort_by_key(|workout| (workout.sequence, workout.id));
    ordered
        .iter()
        .map(|workout| {
            let own = base(workout);
            let shared = workouts.iter().filter(|other| base(other) == own).count() > 1;
            let unique = if shared {
                format!("{own}-{}", workout.id)
            } else {
                own
            };
            (*workout, unique)
        })
        .collect()
}

impl BundlePlan {
    /// Plans the bundle of `exporter`'s snapshot. `runsignup` gives the
    /// RunSignup files' options (its division is ignored: the bundle's
    /// RunSignup files hold the whole field); `award_rules` `None` leaves
    /// the award list out.
    pub fn new(
        exporter: &Exporter<'_>,
        runsignup: &RunSignupOptions,
        award_rules: Option<&AwardRules>,
    ) -> BundlePlan {
        let data = exporter.data;
        let mut runsignup = runsignup.clone();
        runsignup.division_id = None;
        let mut files = Vec::new();
        let mut skipped = Vec::new();
        let mut file = |path: String, contents: String, file: BundleFile| {
            files.push(PlannedFile {
                path,
                contents,
                file,
            })
        };
        file(
            "results.json".to_string(),
            "results JSON".to_string(),
            BundleFile::ResultsJson,
        );
        let divisions = division_slugs(&data.divisions);
        for (workout, workout_slug) in workout_slugs(&data.workouts) {
            for (division_id, division_slug, division_name) in &divisions {
                if data.has_workout_leaderboard(workout.id, *division_id) {
                    file(
                        format!("csv/{workout_slug}/{division_slug}.csv"),
                        format!("results CSV of {}, {division_name}", workout.name),
                        BundleFile::WorkoutCsv {
                            workout_id: workout.id,
                            division_id: *division_id,
                        },
                    );
                }
            }
            let what = format!("RunSignup files for {}", workout.name);
            if !matches!(workout.score_type, ScoreType::Time | ScoreType::TimeCapped) {
                skipped.push(SkippedExport {
                    what,
                    reason: SkipReason::Nothing(format!(
                        "RunSignup takes times only and this workout is scored as {:?}",
                        workout.score_type
                    )),
                });
                continue;
            }
            if !data.has_workout_leaderboard(workout.id, None) {
                skipped.push(SkippedExport {
                    what,
                    reason: SkipReason::Nothing(
                        "the snapshot has no leaderboard for it".to_string(),
                    ),
                });
                continue;
            }
            if let Err(error) = exporter.runsignup_check(workout.id, &runsignup) {
                skipped.push(SkippedExport {
                    what,
                    reason: SkipReason::Refused(error),
                });
                continue;
            }
            for (format, extension) in [
                (RunSignupFormat::Csv, "csv"),
                (RunSignupFormat::Json, "json"),
                (RunSignupFormat::Xml, "xml"),
            ] {
                file(
                    format!("runsignup/{workout_slug}.{extension}"),
                    format!(
                        "RunSignup {} of {}",
                        extension.to_ascii_uppercase(),
                        workout.name
                    ),
                    BundleFile::RunSignup {
                        workout_id: workout.id,
                        format,
                    },
                );
            }
        }
        if !data.has_overall() {
            skipped.push(SkippedExport {
                what: "overall results".to_string(),
                reason: SkipReason::Nothing("there are no workouts yet".to_string()),
            });
        } else {
            for (division_id, division_slug, division_name) in &divisions {
                if data.overall_rows(*division_id).is_ok() {
                    file(
                        format!("csv/overall/{division_slug}.csv"),
                        format!("overall results CSV, {division_name}"),
                        BundleFile::OverallCsv {
                            division_id: *division_id,
                        },
                    );
                }
            }
            for (division_id, division_slug, division_name) in &divisions {
                if data.team_overall_rows(*division_id).is_ok() {
                    file(
                        format!("csv/overall-teams/{division_slug}.csv"),
                        format!("team overall results CSV, {division_name}"),
                        BundleFile::TeamOverallCsv {
                            division_id: *division_id,
                        },
                    );
                }
            }
        }
        for (division_id, division_slug, division_name) in &divisions {
            // A PDF prints each workout's leaderboard of the scope and the
            // overall standings; with none of them it would be empty.
            let has_section = data.overall_rows(*division_id).is_ok()
                || data
                    .workouts
                    .iter()
                    .any(|workout| data.has_workout_leaderboard(workout.id, *division_id));
            if has_section {
                file(
                    format!("pdf/{division_slug}.pdf"),
                    format!("printable results, {division_name}"),
                    BundleFile::Pdf {
                        division_id: *division_id,
                    },
                );
            } else {
                skipped.push(SkippedExport {
                    what: format!("printable results, {division_name}"),
                    reason: SkipReason::Nothing(
                        "the snapshot has no leaderboard for it".to_string(),
                    ),
                });
            }
        }
        let mut planned_rules = None;
        if let Some(rules) = award_rules {
            match awards_unavailable(exporter, rules) {
                Some(reason) => skipped.push(SkippedExport {
                    what: "award list".to_string(),
                    reason: SkipReason::Nothing(reason),
                }),
                None => {
                    planned_rules = Some(rules.clone());
                    file(
                        "awards/awards.csv".to_string(),
                        "award list CSV".to_string(),
                        BundleFile::AwardsCsv,
                    );
                    file(
                        "awards/awards.pdf".to_string(),
                        "award list PDF".to_string(),
                        BundleFile::AwardsPdf,
                    );
                }
            }
        }
        BundlePlan {
            files,
            skipped,
            runsignup,
            award_rules: planned_rules,
        }
    }

    /// Renders one planned file into `out`.
    pub fn render(
        &self,
        exporter: &Exporter<'_>,
        file: &BundleFile,
        out: &mut dyn Write,
    ) -> Result<(), ExportError> {
        let rules = || {
            self.award_rules
                .as_ref()
                .ok_or_else(|| ExportError::render("award list", "the plan has no award rules"))
        };
        match file {
            BundleFile::ResultsJson => exporter.write_results_json(out),
            BundleFile::WorkoutCsv {
                workout_id,
                division_id,
            } => exporter.write_workout_results_csv(*workout_id, *division_id, out),
            BundleFile::RunSignup { workout_id, format } => {
                exporter.write_runsignup(*workout_id, *format, &self.runsignup, out)
            }
            BundleFile::OverallCsv { division_id } => {
                exporter.write_overall_results_csv(*division_id, out)
            }
            BundleFile::TeamOverallCsv { division_id } => {
                exporter.write_team_overall_results_csv(*division_id, out)
            }
            BundleFile::Pdf { division_id } => {
                exporter.write_division_results_pdf(*division_id, out)
            }
            BundleFile::AwardsCsv => write_all(out, &exporter.awards_csv(rules()?)?),
            BundleFile::AwardsPdf => write_all(out, &exporter.awards_pdf(rules()?)?),
        }
    }
}

fn write_all(out: &mut dyn Write, bytes: &[u8]) -> Result<(), ExportError> {
    out.write_all(bytes)
        .map_err(|error| ExportError::render("export file", error))
}

/// Why awards cannot be drawn from this snapshot, if they cannot.
pub(crate) fn awards_unavailable(exporter: &Exporter<'_>, rules: &AwardRules) -> Option<String> {
    match rules.basis {
        AwardBasis::Overall if !exporter.data.has_overall() => Some(
            "there are no workouts yet, so there are no overall standings to give awards from"
                .to_string(),
        ),
        _ => None,
    }
}

/// Where [`write_bundle`] puts each file.
pub(crate) trait BundleSink {
    /// Adds `planned`, whose bytes `render` writes.
    fn add(
        &mut self,
        planned: &PlannedFile,
        render: &mut dyn FnMut(&mut dyn Write) -> Result<(), ExportError>,
    ) -> Result<(), ExportError>;
}

/// Renders every file of `plan` into `sink`, in plan order, each written
/// as it is rendered (the PDFs object by object), so no file is held whole.
pub(crate) fn write_bundle(
    exporter: &Exporter<'_>,
    plan: &BundlePlan,
    sink: &mut dyn BundleSink,
) -> Result<(), ExportError> {
    for planned in &plan.files {
        sink.add(planned, &mut |out| {
            plan.render(exporter, &planned.file, out)
        })?;
    }
    Ok(())
}
