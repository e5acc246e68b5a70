//! The app's log for competition day: structured JSON lines (the `tracing`
//! ecosystem) in a file per day in the app's log folder (beside its data,
//! `app_log_dir`), the newest 30 days kept. Opens, backups, imports, polls,
//! sync attempts and errors are logged by the crates that do them; never
//! secrets or request bodies. "What happened at 10:32?" is answered by the
//! lines of that day's file around `"timestamp":"...T10:32`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// How many daily files are kept.
const KEEP_DAYS: usize = 30;

/// Appends to `scoretable-<YYYY-MM-DD>.log` in a folder, switching files
/// when the (UTC) day changes.
#[derive(Clone)]
pub struct DailyFile {
    directory: PathBuf,
    current: Arc<Mutex<Option<(String, std::fs::File)>>>,
}

impl DailyFile {
    pub fn new(directory: &Path) -> std::io::Result<DailyFile> {
        std::fs::create_dir_all(directory)?;
        prune(directory);
        Ok(DailyFile {
            directory: directory.to_path_buf(),
            current: Arc::new(Mutex::new(None)),
        })
    }

    /// Today's file.
    pub fn path_for_today(&self) -> PathBuf {
        self.directory.join(file_name(&today()))
    }

    fn write_line(&self, bytes: &[u8]) -> std::io::Result<()> {
        let mut current = self
            .current
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let day = today();
        if current
            .as_ref()
            .map(|(open_day, _)| open_day != &day)
            .unwrap_or(true)
        {
            let file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(self.directory.join(file_name(&day)))?;
            *current = Some((day, file));
            prune(&self.directory);
        }
        match current.as_mut() {
            Some((_, file)) => file.write_all(bytes),
            None => Ok(()),
        }
    }
}

fn today() -> String {
    chrono::Utc::now().format("%Y-%m-%d").to_string()
}

fn file_name(day: &str) -> String {
    format!("scoretable-{day}.log")
}

/// Deletes daily files beyond the newest [`KEEP_DAYS`].
fn prune(directory: &Path) {
    let Ok(entries) = std::fs::read_dir(directory) else {
        return;
    };
    let mut logs: Vec<PathBuf> = entries
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| {
            path.file_name()
                .map(|name| {
                    let name = name.to_string_lossy();
                    name.starts_with("scoretable-") && name.ends_with(".log")
                })
                .unwrap_or(false)
        })
        .collect();
    logs.sort();
    let excess = logs.len().saturating_sub(KEEP_DAYS);
    for old in &logs[..excess] {
        let _ = std::fs::remove_file(old);
    }
}

/// One write of a log line.
pub struct LineWriter {
    target: DailyFile,
    buffer: Vec<u8>,
}

impl Write for LineWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.buffer.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for LineWriter {
    fn drop(&mut self) {
        if !self.buffer.is_empty() {
            let _ = self.target.write_line(&self.buffer);
        }
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for DailyFile {
    type Writer = LineWriter;

    fn make_writer(&'a self) -> LineWriter {
        LineWriter {
            target: self.clone(),
            buffer: Vec::with_capacity(256),
        }
    }
}

/// Today's file in `directory`.
pub fn today_file(directory: &Path) -> PathBuf {
    directory.join(file_name(&today()))
}

/// The newest `limit` lines of today's file in `directory`, newest last,
/// each as (timestamp, level, message with its fields). The lines hold no
/// secrets or bodies (nothing logs them); unreadable lines are skipped.
pub fn newest_lines(directory: &Path, limit: usize) -> Vec<(String, String, String)> {
    let Ok(text) = std::fs::read_to_string(today_file(directory)) else {
        return Vec::new();
    };
    let lines: Vec<&str> = text.lines().collect();
    let start = lines.len().saturating_sub(limit);
    lines[start..]
        .iter()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .map(|value| {
            let at = value["timestamp"].as_str().unwrap_or_default().to_string();
            let level = value["level"].as_str().unwrap_or_default().to_string();
            let mut text = value["fields"]["message"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            if let Some(fields) = value["fields"].as_object() {
                for (key, field) in fields.iter().filter(|(key, _)| *key != "message") {
                    let shown = match field.as_str() {
                        Some(text) => text.to_string(),
                        None => field.to_string(),
                    };
                    text.push_str(&format!(" · {key}={shown}"));
                }
            }
            (at, level, text)
        })
        .collect()
}

/// Starts logging to daily files in `directory`; returns today's file.
pub fn start(directory: &Path) -> std::io::Result<PathBuf> {
    let daily = DailyFile::new(directory)?;
    let today = daily.path_for_today();
    let _ = tracing_subscriber::fmt()
        .json()
        .with_writer(daily)
        .with_current_span(false)
        .with_span_list(false)
        .try_init();
    Ok(today)
}

#[cfg(test)]
mod newest_lines_tests {
    use super::*;

    #[test]
    fn newest_lines_reads_todays_file_as_people_read_it() {
        let directory = tempfile::tempdir().unwrap();
        let lines = [
            r#"{"timestamp":"2026-12-06T10:31:00Z","level":"INFO","fields":{"message":"competition file opened","path":"/d/a.scoretable"}}"#,
            "not json",
            r#"{"timestamp":"2026-12-06T10:32:00Z","level":"WARN","fields":{"message":"sync attempt failed","target":"RunSignup","waiting":3}}"#,
        ];
        std::fs::write(today_file(directory.path()), lines.join("\n") + "\n").unwrap();
        let read = newest_lines(directory.path(), 2);
        assert_eq!(
            read,
            vec![(
                "2026-12-06T10:32:00Z".to_string(),
                "WARN".to_string(),
                "sync attempt failed · target=RunSignup · waiting=3".to_string()
            )]
        );
        assert_eq!(newest_lines(directory.path(), 10).len(), 2);
        assert!(newest_lines(&directory.path().join("none"), 10).is_empty());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tracing_subscriber::fmt::MakeWriter;

    #[test]
    fn lines_go_to_todays_file_and_old_days_are_pruned() {
        let directory = tempfile::tempdir().unwrap();
        for day in 1..=35 {
            std::fs::write(
                directory
                    .path()
                    .join(format!("scoretable-2020-01-{day:02}.log")),
                "old\n",
            )
            .unwrap();
        }
        let daily = DailyFile::new(directory.path()).unwrap();
        {
            let mut writer = daily.make_writer();
            writer
                .write_all(b"{\"fields\":{\"message\":\"opened\"}}\n")
                .unwrap();
        }
        let text = std::fs::read_to_string(daily.path_for_today()).unwrap();
        assert_eq!(text, "{\"fields\":{\"message\":\"opened\"}}\n");
        let count = std::fs::read_dir(directory.path()).unwrap().count();
        assert_eq!(count, KEEP_DAYS, "the oldest days were removed");
        assert!(!directory.path().join("scoretable-2020-01-01.log").exists());
    }
}
