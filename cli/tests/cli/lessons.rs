//! `brink lessons` and `brink lesson NAME [--check]`.

use super::brink;
use serde_json::Value;

fn names() -> Vec<String> {
    let out = brink(&["lessons", "--format", "json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let list: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let list = list.as_array().expect("a list");
    for l in list {
        let o = l.as_object().expect("an object");
        let mut keys: Vec<&str> = o.keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(keys, ["name", "title"], "{l}");
        assert!(!o["title"].as_str().unwrap().is_empty());
    }
    list.iter().map(|l| l["name"].as_str().unwrap().to_string()).collect()
}

#[test]
fn lessons_lists_every_lesson_as_text_and_json() {
    let names = names();
    assert_eq!(names.len(), 15, "{names:?}");
    assert!(names.contains(&"metastable-retry-storm".to_string()));
    let out = brink(&["lessons"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().count(), names.len());
    for (line, name) in text.lines().zip(&names) {
        assert!(line.starts_with(name.as_str()), "{line}");
    }
    let out = brink(&["lessons", "--format", "yaml"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn every_lesson_passes_its_checks() {
    for name in names() {
        let out = brink(&["lesson", &name, "--check"]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{name}: {stdout}{}", String::from_utf8_lossy(&out.stderr));
        let steps: Vec<&str> = stdout.lines().filter(|l| l.starts_with("step ")).collect();
        assert!((2..=4).contains(&steps.len()), "{name}: {stdout}");
        assert!(steps.iter().all(|l| l.contains(": pass (")), "{name}: {stdout}");
    }
}

#[test]
fn a_lesson_shows_its_steps_changes_and_checks() {
    let out = brink(&["lesson", "thread-pool-switching"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("--set nodes.workers=32"), "{text}");
    assert!(text.contains("CPU share switching ≥ 35% and goodput per s < 9000 for 5 s"), "{text}");
}

#[test]
fn an_unknown_lesson_exits_2_naming_the_lessons() {
    let out = brink(&["lesson", "no-such", "--check"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.starts_with("brink: no lesson named 'no-such'; lessons: phase-transition,"), "{err}");
    assert_eq!(err.lines().count(), 1);
}
