//! Re-queueing rejected rows after a fix. (A new target is checked by its
//! adapter: [`crate::registry::Registry::validate`].)

use scoretable_store::CompetitionFile;

use crate::error::Result;

/// Queues a target's rejected rows again (all, or one entity and those
/// under it); returns how many.
pub fn retry_rejected(
    file: &mut CompetitionFile,
    target_name: &str,
    entity: Option<&str>,
) -> Result<u64> {
    let target = file.sync_target(target_name)?;
    let entity = entity.map(str::trim).filter(|entity| !entity.is_empty());
    Ok(file.requeue_rejected(target.id, entity)?)
}
