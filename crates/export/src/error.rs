//! The one error type of the export crate.
//!
//! Every variant names what it is about (the workout, the division, the
//! entrant, the file in an archive) so that a scorekeeper reading the message
//! knows what to fix.

use std::path::PathBuf;

use scoretable_core::model::{Entrant, Id, ScoreType, Status};

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("the export data has no workout with id {workout_id}")]
    UnknownWorkout { workout_id: Id },

    #[error("the export data has no division with id {division_id}")]
    UnknownDivision { division_id: Id },

    #[error("a leaderboard lists {entrant:?}, but the export data has no such competitor or team")]
    UnknownEntrant { entrant: Entrant },

    #[error(
        "the export data has no {} leaderboard for {}",
        match workout_id { Some(id) => format!("workout {id}"), None => "overall".to_string() },
        match division_id { Some(id) => format!("division {id}"), None => "the whole field".to_string() }
    )]
    MissingLeaderboard {
        workout_id: Option<Id>,
        division_id: Option<Id>,
    },

    #[error(
        "workout \"{workout}\" is scored as {score_type:?}; RunSignup results take times only, \
         so only Time and TimeCapped workouts can be exported for RunSignup"
    )]
    RunSignupScoreType {
        workout: String,
        score_type: ScoreType,
    },

    #[error(
        "workout \"{workout}\": bib {bib} ({name}) has status {status}, which RunSignup does not \
         accept (it takes DQ, DNS, DNF and DNQ); choose RunSignupStatusPolicy::MapToNearest to \
         export LAP and NC as DNF and WD as DNS, or amend the status first"
    )]
    RunSignupStatus {
        workout: String,
        bib: String,
        name: String,
        status: Status,
    },

    #[error("could not write the {what}: {message}")]
    Render { what: String, message: String },

    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error("archive {}: {message}", path.display())]
    Archive { path: PathBuf, message: String },

    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error("cannot create {}: {source}", path.display())]
    CreateDirectory {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error("{} is the competition file; choose another path for the export", path.display())]
    OutputIsCompetitionFile { path: PathBuf },

    #[error("{field}: {message}")]
    InvalidOption { field: String, message: String },

    #[error("{reason}")]
    NothingToExport { what: String, reason: String },
}

impl From<scoretable_core::runsignup::RunSignupRefusal> for ExportError {
    fn from(refusal: scoretable_core::runsignup::RunSignupRefusal) -> ExportError {
        use scoretable_core::runsignup::RunSignupRefusal;
        match refusal {
            RunSignupRefusal::ScoreType {
                workout,
                score_type,
            } => ExportError::RunSignupScoreType {
                workout,
                score_type,
            },
            RunSignupRefusal::Status {
                workout,
                bib,
                name,
                status,
            } => ExportError::RunSignupStatus {
                workout,
                bib,
                name,
                status,
            },
        }
    }
}

impl From<scoretable_store::StoreError> for ExportError {
    /// A store error while taking the snapshot (beginning or ending its read
    /// transaction); errors of one read name what was being read instead.
    fn from(error: scoretable_store::StoreError) -> ExportError {
        ExportError::Render {
            what: "snapshot (reading the competition file)".to_string(),
            message: error.to_string(),
        }
    }
}

impl ExportError {
    pub(crate) fn render(what: impl Into<String>, error: impl std::fmt::Display) -> ExportError {
        ExportError::Render {
            what: what.into(),
            message: error.to_string(),
        }
    }

    /// A failure of the export's scratch file (the spilled rows it renders
    /// from, [`crate::spill`]): the export fails and keeps nothing.
    pub(crate) fn scratch(error: impl std::fmt::Display) -> ExportError {
        ExportError::Render {
            what: "export (its scratch file of spilled rows, in the temporary folder, failed; \
                   nothing was kept)"
                .to_string(),
            message: error.to_string(),
        }
    }

    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> ExportError {
        ExportError::Io {
            path: path.into(),
            source,
        }
    }
}
