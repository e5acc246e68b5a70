//! The conflict inbox and the review queue: every resolution records the
//! operator the shell names (the CLI's `--operator`, the app's table
//! operator), never a constant.

use scoretable_core::model::Id;
use scoretable_store::{
    CompetitionFile, ConflictResolution, InboundConflict, InboundReport, ReviewItem,
};

use crate::error::{UseCaseError, UseCaseResult};

/// What the official decided about a conflict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConflictDecision<'a> {
    /// Amend the score to the source's value; the reason is required.
    Accept {
        reason: &'a str,
        appeal: Option<&'a str>,
    },
    /// Keep the stored value; the note is optional.
    Dismiss { note: &'a str },
}

/// The outcome of [`resolve_conflict`].
#[derive(Debug, Clone, PartialEq)]
pub enum ConflictOutcome {
    /// Both boxed: a conflict is 700 bytes, and a caller moves the outcome
    /// around before it reads it.
    Accepted(Box<ConflictResolution>),
    Dismissed(Box<InboundConflict>),
}

fn operator(who: &str) -> UseCaseResult<&str> {
    let who = who.trim();
    if who.is_empty() {
        return Err(UseCaseError::invalid(
            "operator",
            "say who resolves it: the operator's name is recorded in the audit trail",
        ));
    }
    Ok(who)
}

/// Accepts or dismisses conflict `id` as `who`.
pub fn resolve_conflict(
    file: &mut CompetitionFile,
    id: Id,
    who: &str,
    decision: ConflictDecision<'_>,
) -> UseCaseResult<ConflictOutcome> {
    let who = operator(who)?;
    match decision {
        ConflictDecision::Accept { reason, appeal } => {
            let reason = reason.trim();
            if reason.is_empty() {
                return Err(UseCaseError::invalid(
                    "reason",
                    "accepting a conflict amends the score, so give a reason",
                ));
            }
            let appeal = appeal.map(str::trim).filter(|text| !text.is_empty());
            Ok(ConflictOutcome::Accepted(Box::new(
                file.accept_conflict(id, who, reason, appeal)?,
            )))
        }
        ConflictDecision::Dismiss { note } => Ok(ConflictOutcome::Dismissed(Box::new(
            file.dismiss_conflict(id, who, note.trim())?,
        ))),
    }
}

/// Assigns review item `id` (a record whose participant was unknown) to the
/// entrant with `bib` in the item's workout, importing it as `who`.
pub fn assign_review(
    file: &mut CompetitionFile,
    id: Id,
    bib: &str,
    who: &str,
) -> UseCaseResult<InboundReport> {
    let who = operator(who)?;
    let item = file.review_item(id)?;
    let entrant = file.entrant_by_bib(item.workout_id, bib.trim())?;
    Ok(file.assign_review(id, entrant, who)?)
}

/// Ignores review item `id` from now on, as `who`.
pub fn dismiss_review(file: &mut CompetitionFile, id: Id, who: &str) -> UseCaseResult<ReviewItem> {
    let who = operator(who)?;
    Ok(file.dismiss_review(id, who)?)
}
