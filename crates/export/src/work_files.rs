//! Work files of exports: kept beside the output, owner-only, and cleaned
//! up by the next run if a run was killed.
//!
//! `export seal` needs a full copy of the competition file (dates of birth,
//! chip ids: data the exports themselves leave out) while it writes the
//! archive, and `export all` writes every file into a staging folder before
//! moving it into place. Both live in a hidden folder beside the output,
//! `.<output name>.work-<pid>-<nanos>`, created owner-only (0700 on Unix),
//! and removed when the run ends. A killed run leaves it behind; the next run
//! for the same output removes every such folder whose process is gone
//! (and the `.zip.partial` a killed seal leaves).

use std::path::{Path, PathBuf};

use crate::error::ExportError;

/// An owner-only work folder beside an output, removed on drop.
#[derive(Debug)]
pub(crate) struct WorkDir {
    path: PathBuf,
    keep: bool,
}

impl WorkDir {
    /// Creates `.<name of output>.work-<pid>-<nanos>` beside `output`,
    /// after removing the leftovers of killed runs for the same output.
    pub(crate) fn beside(output: &Path) -> Result<WorkDir, ExportError> {
        let (parent, name) = parent_and_name(output)?;
        remove_stale(&parent, &name);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|elapsed| elapsed.as_nanos())
            .unwrap_or_default();
        let path = parent.join(format!(
            "{}{}-{nanos}",
            work_prefix(&name),
            std::process::id()
        ));
        let mut builder = std::fs::DirBuilder::new();
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            builder.mode(0o700);
        }
        builder
            .create(&path)
            .map_err(|source| ExportError::CreateDirectory {
                path: path.clone(),
                source,
            })?;
        Ok(WorkDir { path, keep: false })
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// The folder has been renamed into place: do not remove it.
    pub(crate) fn keep(&mut self) {
        self.keep = true;
    }
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        if !self.keep {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

fn parent_and_name(output: &Path) -> Result<(PathBuf, String), ExportError> {
    let name = output
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .ok_or_else(|| ExportError::InvalidOption {
            field: "output".to_string(),
            message: format!("{} names no file or folder", output.display()),
        })?;
    let parent = output
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    Ok((parent, name))
}

fn work_prefix(name: &str) -> String {
    format!(".{name}.work-")
}

/// Removes work folders of killed runs for the output `name` in `parent`.
fn remove_stale(parent: &Path, name: &str) {
    let prefix = work_prefix(name);
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let entry_name = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = entry_name.strip_prefix(&prefix) else {
            continue;
        };
        let pid = rest
            .split('-')
            .next()
            .and_then(|pid| pid.parse::<i64>().ok());
        let gone = match pid {
            Some(pid) if pid == i64::from(std::process::id()) => false,
            Some(pid) => scoretable_store::file_health::process_is_gone(pid),
            None => false,
        };
        if gone {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Creates (truncating) a file only its owner can read (0600 on Unix).
pub(crate) fn create_private_file(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let file = options.open(path)?;
    // An existing file keeps its old mode through O_CREAT: set it.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(file)
}

/// Makes a file owner-only (0600 on Unix).
pub(crate) fn make_private(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    #[cfg(not(unix))]
    {
        let _ = path;
    }
    Ok(())
}
