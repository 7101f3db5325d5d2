//! A reader that closes the pipe early is not an error: exit 0, nothing on standard error.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use crate::support::{binary, root};

fn spawn_plan() -> std::process::Child {
    Command::new(binary())
        .current_dir(root())
        .env_remove("BOLUS_PROTOCOLS")
        .args([
            "plan",
            "ketamine-kap-iv",
            "--weight",
            "82",
            "--explain",
            "--start",
            "14:00",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs")
}

fn stderr_of(child: &mut std::process::Child) -> String {
    let mut s = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut s).unwrap();
    s
}

#[test]
fn exits_cleanly_when_the_reader_stops_after_one_line() {
    let mut child = spawn_plan();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert_eq!(first, "Patient ________  Born ________  ID ________\n");
    // The reader is dropped here: the pipe is closed.
    let stderr = stderr_of(&mut child);
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}; stderr: {stderr}");
    assert_eq!(stderr, "");
}

#[test]
fn exits_cleanly_when_the_reader_closed_the_pipe_before_anything_was_written() {
    for _ in 0..5 {
        let mut child = spawn_plan();
        drop(child.stdout.take());
        let stderr = stderr_of(&mut child);
        let status = child.wait().unwrap();
        assert!(status.success(), "{status:?}; stderr: {stderr}");
        assert_eq!(stderr, "");
    }
}

#[test]
fn exits_cleanly_when_piped_into_head() {
    let script = format!(
        "'{}' plan ketamine-kap-iv --weight 82 --explain | head -n 1; exit \"${{PIPESTATUS[0]:-0}}\"",
        binary().display()
    );
    let out = Command::new("bash")
        .args(["-c", &script])
        .current_dir(root())
        .env_remove("BOLUS_PROTOCOLS")
        .output()
        .expect("bash runs");
    assert!(out.status.success(), "{:?}", out.status);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "Patient ________  Born ________  ID ________\n"
    );
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}
