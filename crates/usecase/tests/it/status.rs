//! The status strip's words for a real competition file: its backups as
//! the store lists them, and nothing to say when nothing needs a person.

use scoretable_store::CompetitionFile;
use scoretable_testkit::fixtures;
use scoretable_usecase::status::status_view;

#[test]
fn a_new_file_has_nothing_to_say_until_its_first_backup_is_listed() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("strip.scoretable");
    let mut file =
        CompetitionFile::create(&path, &fixtures::competition("Strip Open", "strip-open")).unwrap();
    let strip = status_view(&file, &|_| false).unwrap();
    assert!(strip.targets.is_empty() && strip.feeds.is_empty());
    let policy = file.backup_policy().clone();
    assert_eq!(
        strip.backup.directory,
        policy.directory.display().to_string()
    );
    assert_eq!((strip.backup.last_at, strip.backup.file_name), (None, None));
    assert_eq!((strip.backup.problem, strip.backup.detail), (None, None));

    let written = file.backup_now(&policy.directory).unwrap();
    let strip = status_view(&file, &|_| false).unwrap();
    assert_eq!(
        strip.backup.file_name.as_deref(),
        written.file_name().and_then(|name| name.to_str())
    );
    assert!(strip.backup.last_at.unwrap().ends_with('Z'));
    assert_eq!(strip.backup.problem, None);
}
