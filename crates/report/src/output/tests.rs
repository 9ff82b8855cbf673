//! Tests of `output`.
use super::*;

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .map(|e| {
            e.filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().to_string())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

#[test]
fn nothing_appears_until_commit_and_an_abandoned_run_leaves_nothing() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = dir.path().join("out");
    {
        let mut s = Staging::new(&out).expect("staging");
        s.write("findings.csv", |w| w.write_all(b"a,b\n"))
            .expect("write");
        s.write("review/x.csv", |w| w.write_all(b"c\n"))
            .expect("write");
        // Not committed: as if the run failed half-way.
    }
    assert!(names(&out).is_empty(), "{:?}", names(&out));
    let mut s = Staging::new(&out).expect("staging");
    s.write("findings.csv", |w| w.write_all(b"a,b\n"))
        .expect("write");
    s.write("review/x.csv", |w| w.write_all(b"c\n"))
        .expect("write");
    s.commit().expect("commit");
    assert_eq!(names(&out), ["findings.csv", "review"]);
}

#[test]
fn a_killed_runs_staging_folder_is_cleaned_up() {
    let dir = tempfile::tempdir().expect("tmp");
    // A PID that cannot be alive: above the kernel's maximum.
    let stale = dir.path().join(format!("{STAGING_PREFIX}4294967295"));
    fs::create_dir_all(&stale).expect("mkdir");
    fs::write(stale.join("findings.csv"), b"half").expect("write");
    let s = Staging::new(dir.path()).expect("staging");
    drop(s);
    assert!(!stale.exists());
    assert!(names(dir.path()).is_empty());
}

/// Every file under `dir` with its content, paths relative to `dir`.
fn contents(dir: &Path) -> Vec<(String, String)> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, String)>) {
        for entry in fs::read_dir(dir).expect("read_dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path.strip_prefix(root).expect("prefix");
                let text = fs::read_to_string(&path).expect("read");
                out.push((rel.to_string_lossy().to_string(), text));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// Writes one run of `files` into `out` and commits it.
fn run(out: &Path, files: &[(&str, &str)]) {
    let mut folder = OutputFolder::open(out).expect("open");
    for (name, text) in files {
        folder
            .write(name, |w| w.write_all(text.as_bytes()))
            .expect("write");
    }
    folder.commit().expect("commit");
}

fn with_marker(files: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = files
        .iter()
        .map(|(n, t)| (n.to_string(), t.to_string()))
        .chain([(MARKER.to_string(), MARKER_TEXT.to_string())])
        .collect();
    v.sort();
    v
}

const FIRST: [(&str, &str); 3] = [
    ("findings.csv", "first"),
    ("review/Gone.csv", "first"),
    ("review/Kept.csv", "first"),
];
const SECOND: [(&str, &str); 2] = [("findings.csv", "second"), ("review/Kept.csv", "second")];

/// Opens a second run over FIRST, writes SECOND and is killed after `step`.
fn killed_after(out: &Path, step: Option<Step>) {
    run(out, &FIRST);
    let mut folder = OutputFolder::open(out).expect("open");
    for (name, text) in SECOND {
        folder
            .write(name, |w| w.write_all(text.as_bytes()))
            .expect("write");
    }
    folder.crash_after(step);
}

/// Only the output folder is left beside it: no staging, old or lock.
fn nothing_beside(dir: &Path) {
    assert_eq!(names(dir), ["out"]);
}

#[test]
fn a_run_killed_between_the_two_renames_is_finished_by_the_next_run() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = dir.path().join("out");
    killed_after(&out, Some(Step::OldAside));
    assert!(!out.exists(), "killed with the old folder aside");
    let next = OutputFolder::open(&out).expect("open");
    assert_eq!(contents(&out), with_marker(&SECOND));
    drop(next);
    assert_eq!(contents(&out), with_marker(&SECOND));
    nothing_beside(dir.path());
}

#[test]
fn a_run_killed_with_an_incomplete_new_folder_aside_gets_the_old_one_back() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = dir.path().join("out");
    killed_after(&out, Some(Step::OldAside));
    // As if the new folder were not complete (no marker yet).
    fs::remove_file(dir.path().join(".out.accessaudit-new").join(MARKER)).expect("rm");
    drop(OutputFolder::open(&out).expect("open"));
    assert_eq!(contents(&out), with_marker(&FIRST));
    nothing_beside(dir.path());
}

#[test]
fn a_run_killed_while_writing_leaves_the_earlier_run_whole() {
    for step in [None, Some(Step::Complete)] {
        let dir = tempfile::tempdir().expect("tmp");
        let out = dir.path().join("out");
        killed_after(&out, step);
        assert_eq!(contents(&out), with_marker(&FIRST));
        drop(OutputFolder::open(&out).expect("open"));
        assert_eq!(contents(&out), with_marker(&FIRST));
        nothing_beside(dir.path());
    }
}

#[test]
fn a_run_killed_after_the_new_folder_went_in_leaves_no_old_folder() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = dir.path().join("out");
    killed_after(&out, Some(Step::NewIn));
    assert_eq!(contents(&out), with_marker(&SECOND));
    drop(OutputFolder::open(&out).expect("open"));
    assert_eq!(contents(&out), with_marker(&SECOND));
    nothing_beside(dir.path());
}

#[test]
fn worksheets_of_a_unit_that_no_longer_exists_go_with_the_old_run() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = dir.path().join("out");
    run(&out, &FIRST);
    run(&out, &SECOND);
    assert_eq!(contents(&out), with_marker(&SECOND));
    nothing_beside(dir.path());
}

#[test]
fn a_second_run_into_a_locked_folder_fails_at_once() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = dir.path().join("out");
    let first = OutputFolder::open(&out).expect("open");
    let second = OutputFolder::open(&out);
    match second {
        Err(e @ OutputError::Locked { .. }) => {
            let message = e.to_string();
            assert!(message.contains("another accessaudit run"), "{message}");
            assert!(message.starts_with(&out.display().to_string()), "{message}");
        }
        Err(e) => panic!("unexpected error: {e}"),
        Ok(_) => panic!("two runs hold one folder"),
    }
    // The refused run left the holder's staging folder alone.
    first.commit().expect("commit");
    assert_eq!(names(&out), [MARKER]);
    drop(OutputFolder::open(&out).expect("free again"));
    nothing_beside(dir.path());
}

#[test]
fn a_folder_accessaudit_did_not_write_is_never_replaced() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = dir.path().join("out");
    fs::create_dir(&out).expect("mkdir");
    fs::write(out.join("thesis.docx"), b"years of work").expect("write");
    match OutputFolder::open(&out) {
        Err(e @ OutputError::Foreign { .. }) => {
            assert!(e.to_string().contains("did not write"), "{e}");
        }
        Err(e) => panic!("unexpected error: {e}"),
        Ok(_) => panic!("a user's folder would be replaced"),
    }
    assert_eq!(names(&out), ["thesis.docx"]);
    nothing_beside(dir.path());
    // A file is not a folder.
    let file = dir.path().join("file");
    fs::write(&file, b"x").expect("write");
    assert!(matches!(
        OutputFolder::open(&file),
        Err(OutputError::NotAFolder { .. })
    ));
}

#[test]
fn an_output_folder_of_an_earlier_version_is_replaced() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = dir.path().join("out");
    fs::create_dir_all(out.join("review")).expect("mkdir");
    for name in ["summary.json", "findings.csv", "review/Unit.csv"] {
        fs::write(out.join(name), b"old").expect("write");
    }
    run(&out, &SECOND);
    assert_eq!(contents(&out), with_marker(&SECOND));
}

#[cfg(unix)]
#[test]
fn an_existing_output_folder_becomes_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tmp");
    let out = dir.path().join("out");
    fs::create_dir(&out).expect("mkdir");
    fs::set_permissions(&out, fs::Permissions::from_mode(0o755)).expect("chmod");
    run(&out, &SECOND);
    let mode = |p: &Path| fs::metadata(p).expect("meta").permissions().mode() & 0o777;
    assert_eq!(mode(&out), 0o700);
    assert_eq!(mode(&out.join("review")), 0o700);
    assert_eq!(mode(&out.join("findings.csv")), 0o600);
    assert_eq!(mode(&out.join(MARKER)), 0o600);
}

#[test]
fn a_failed_run_leaves_no_folder_and_nothing_beside_it() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = dir.path().join("a/b/out");
    let mut folder = OutputFolder::open(&out).expect("open");
    folder
        .write("findings.csv", |w| w.write_all(b"x"))
        .expect("write");
    drop(folder);
    assert!(names(dir.path()).is_empty(), "{:?}", names(dir.path()));
}
