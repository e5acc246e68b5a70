//! Scoretable's day-end exports.
//!
//! Everything here renders one [`ExportData`] snapshot into bytes, with no
//! SQL and no network. [`gather_export_data`] takes the snapshot from a
//! competition file through the store's API, and [`seal_competition`] does
//! that plus the online backup and the sealed archive in one call.
//!
//! - [`Exporter::workout_results_csv`] and [`Exporter::overall_results_csv`]:
//!   results CSV per workout, division and overall, with splits and statuses;
//! - [`Exporter::results_json`]: the whole competition as one versioned JSON
//!   document ([`results_json`] documents the shape);
//! - [`Exporter::runsignup_csv`], [`Exporter::runsignup_json`] and
//!   [`Exporter::runsignup_xml`]: per-workout files in the shapes RunSignup's
//!   "Post Event Results" accepts, for manual upload ([`runsignup`] documents
//!   the fields and the status mapping);
//! - [`Exporter::division_results_pdf`]: printable A4 results per division;
//! - [`Exporter::award_list`], [`Exporter::awards_csv`] and
//!   [`Exporter::awards_pdf`]: the top-N award list under [`AwardRules`];
//! - [`run_export`]: one export request against an open competition file
//!   (snapshot, render, write atomically, never over the competition file),
//!   shared by the CLI and the desktop app ([`request`]);
//! - [`write_sealed_archive`] and [`verify_archive`]: a zip of all of the
//!   above plus the competition file backup and the amendment log, sealed by
//!   a SHA-256 manifest and a hash chain over the amendment log.
//!
//! Every CSV cell is neutralised against spreadsheet formula injection
//! ([`csv_safety`]). Exports hold model data only; nothing outside
//! [`ExportData`] (settings, credentials, paths) can reach them.

pub mod archive;
pub mod awards;
pub mod bundle;
pub mod csv_safety;
pub mod data;
pub mod error;
mod external_sort;
pub mod gather;
pub mod live;
pub mod names;
mod narrow;
mod overall_stream;
pub mod pdf;
pub mod request;
pub mod results_csv;
pub mod results_json;
pub mod runsignup;
mod spill;
pub mod spilled_board;
mod work_files;

pub use archive::{
    verify_archive, write_sealed_archive, ArchiveOptions, ArchiveSummary, ArchiveVerification,
};
pub use awards::{Award, AwardBasis, AwardCategory, AwardCategoryList, AwardList, AwardRules};
pub use bundle::{BundleFile, BundlePlan, PlannedFile};
pub use data::{
    division_rows, AmendmentLogEntry, CompetitorTable, CompetitorView, EntrantDirectory,
    EntrantDisplay, EntrantRef, ExportData, Exporter, OverallLeaderboard, OverallScopes,
    SnapshotParts, WorkoutLeaderboard, WorkoutRows,
};
pub use error::ExportError;
pub use gather::{
    gather_export_data, gather_export_data_observed, rank_first_board_for_profile,
    seal_competition, seal_competition_observed, SnapshotClock,
};
pub use live::{BoardRows, LiveWorkout, LiveWorkouts, SplitColumns};
pub use names::{EntrantNames, NameRecord, Named, TableNames};
pub use overall_stream::{EntrantReader, MemberReader, TeamMembers};
pub use request::{
    run_export, run_export_observed, run_export_with_clock, AwardsFormat, ExportRequest,
    ExportSummary, RunSignupFormat, SkipReason, SkippedExport, WrittenFile,
};
pub use results_json::{
    parse_results_json, ResultsDocument, RESULTS_JSON_FORMAT, RESULTS_JSON_VERSION,
};
pub use runsignup::{
    RunSignupCustomField, RunSignupFiles, RunSignupOptions, RunSignupStatusPolicy,
};
pub use spilled_board::SpilledBoard;
