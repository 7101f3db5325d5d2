//! `batch --output` writes a file, and only a file: anything else at the path (a device, a named
//! pipe, a directory, a broken link) and the batch's own input are refused with nothing changed;
//! a symbolic link is followed and stays; permissions are kept (a new file is 0600); and a signal
//! during the write leaves no temporary file behind.

use std::io::Write;
use std::os::unix::fs::{symlink, MetadataExt, PermissionsExt};
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{binary, system, Test};

const INPUT: &str = "id,weight\np1,82\np2,60\n";

/// `bolus batch ketamine-kap-iv INPUT --output TARGET`, run in `dir`.
fn batch_to(dir: &Path, input: &str, target: &str) -> Test {
    Test::new()
        .args(["batch", "ketamine-kap-iv", input, "--output", target])
        .current_dir(dir)
}

/// The names in a directory that are temporary batch files.
fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".bolus-batch-"))
        .collect()
}

fn mkfifo(path: &Path) {
    assert!(system("mkfifo").arg(path).status().unwrap().success());
}

#[test]
fn refuses_a_target_that_is_not_a_regular_file_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("in.csv"), INPUT).unwrap();
    mkfifo(&d.join("pipe"));
    std::fs::create_dir(d.join("folder")).unwrap();
    symlink("/dev/null", d.join("to-null")).unwrap();
    symlink("missing.csv", d.join("broken")).unwrap();
    symlink("loop-b", d.join("loop-a")).unwrap();
    symlink("loop-a", d.join("loop-b")).unwrap();
    for (target, says) in [
        ("/dev/null", "it is a device"),
        ("pipe", "named pipe (FIFO)"),
        ("folder", "it is a directory"),
        ("to-null", "it is a device"),
        ("broken", "broken link"),
        ("loop-a", "loop of links"),
    ] {
        let mut cmd = batch_to(d, "in.csv", target);
        cmd = cmd.timeout(Duration::from_secs(10));
        let err = cmd.status(2).run().stderr;
        assert!(err.contains(says), "{target}: {err}");
        assert!(err.contains("nothing was written"), "{target}: {err}");
        assert!(leftovers(d).is_empty(), "{target}");
    }
    assert!(std::fs::symlink_metadata(d.join("pipe"))
        .unwrap()
        .file_type()
        .is_symlink()
        .eq(&false));
    assert_eq!(
        std::fs::read_link(d.join("broken")).unwrap(),
        Path::new("missing.csv")
    );
    assert!(std::fs::symlink_metadata(d.join("missing.csv")).is_err());
    assert!(std::fs::metadata(d.join("folder")).unwrap().is_dir());
}

#[test]
fn refuses_to_write_over_its_own_input_by_any_name() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("in.csv"), INPUT).unwrap();
    symlink("in.csv", d.join("link.csv")).unwrap();
    std::fs::hard_link(d.join("in.csv"), d.join("hard.csv")).unwrap();
    for target in ["in.csv", "./in.csv", "link.csv", "hard.csv"] {
        batch_to(d, "in.csv", target)
            .status(2)
            .stderr(format!(
                "error: cannot write `{target}`: it is the batch's input file; write the results \
                 to another file; nothing was written\n"
            ))
            .run();
    }
    // Read through the link, written to the file.
    batch_to(d, "link.csv", "in.csv")
        .status(2)
        .stderr(
            "error: cannot write `in.csv`: it is the batch's input file; write the results to \
             another file; nothing was written\n",
        )
        .run();
    // Standard input redirected from the file is the file.
    batch_to(d, "-", "in.csv")
        .stdin_file("in.csv")
        .status(2)
        .stderr(
            "error: cannot write `in.csv`: it is the batch's input file; write the results to \
             another file; nothing was written\n",
        )
        .run();
    assert_eq!(std::fs::read_to_string(d.join("in.csv")).unwrap(), INPUT);
    assert!(leftovers(d).is_empty());
}

#[test]
fn follows_a_symbolic_link_and_keeps_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("in.csv"), INPUT).unwrap();
    std::fs::create_dir(d.join("results")).unwrap();
    std::fs::write(d.join("results/plans.csv"), "old\n").unwrap();
    symlink("results/plans.csv", d.join("latest.csv")).unwrap();
    let r = batch_to(d, "in.csv", "latest.csv").output();
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        std::fs::read_link(d.join("latest.csv")).unwrap(),
        Path::new("results/plans.csv")
    );
    let written = std::fs::read_to_string(d.join("results/plans.csv")).unwrap();
    assert!(written.starts_with("row,id,"), "{written}");
    assert_eq!(written.lines().count(), 3);
    assert!(leftovers(d).is_empty() && leftovers(&d.join("results")).is_empty());
}

#[test]
fn keeps_the_permissions_and_owner_of_an_existing_file_and_makes_a_new_one_0600() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("in.csv"), INPUT).unwrap();
    for mode in [0o600, 0o640, 0o664, 0o444] {
        let out = d.join(format!("out-{mode:o}.csv"));
        std::fs::write(&out, "old\n").unwrap();
        std::fs::set_permissions(&out, std::fs::Permissions::from_mode(mode)).unwrap();
        let name = out.file_name().unwrap().to_str().unwrap().to_string();
        // Under a umask that would take bits away from a new file.
        let r = system("sh")
            .args(["-c", "umask 077; exec \"$0\" \"$@\""])
            .arg(binary())
            .args(["batch", "ketamine-kap-iv", "in.csv", "--output", &name])
            .current_dir(d)
            .env_remove("BOLUS_PROTOCOLS")
            .output()
            .unwrap();
        assert_eq!(r.status.code(), Some(0), "{r:?}");
        let meta = std::fs::metadata(&out).unwrap();
        assert_eq!(meta.mode() & 0o7777, mode, "{mode:o}");
        assert!(std::fs::read_to_string(&out)
            .unwrap()
            .starts_with("row,id,"));
    }
    let r = batch_to(d, "in.csv", "new.csv").output();
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        std::fs::metadata(d.join("new.csv")).unwrap().mode() & 0o7777,
        0o600
    );
    // Run as root (as in CI), the owner of a file that belonged to another user is kept.
    let me = std::fs::metadata(d.join("new.csv")).unwrap().uid();
    if me == 0 {
        let out = d.join("theirs.csv");
        std::fs::write(&out, "old\n").unwrap();
        std::os::unix::fs::chown(&out, Some(65534), Some(65534)).unwrap();
        let r = batch_to(d, "in.csv", "theirs.csv").output();
        assert_eq!(r.code, 0, "{}", r.stderr);
        let meta = std::fs::metadata(&out).unwrap();
        assert_eq!((meta.uid(), meta.gid()), (65534, 65534));
    }
}

/// A batch fed slowly from a pipe, writing to `--output`, stopped by `signal` while the
/// temporary file exists: the file is removed, the target is as it was, and the process ends as
/// the signal ends it (a shell shows 128 + its number).
fn stopped_by(signal: &str, number: i32, existing: bool) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let target = d.join("plans.csv");
    if existing {
        std::fs::write(&target, "yesterday\n").unwrap();
    }
    let mut child = Command::new(binary())
        .current_dir(d)
        .env_remove("BOLUS_PROTOCOLS")
        .args(["batch", "ketamine-kap-iv", "-", "--output", "plans.csv"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut rows = String::from("id,weight\n");
    for i in 0..20_000 {
        rows.push_str(&format!("p{i},{}\n", 40 + i % 100));
    }
    stdin.write_all(rows.as_bytes()).unwrap();
    stdin.flush().unwrap();
    // The pipe stays open: the batch waits for more rows with its temporary file open.
    let deadline = Instant::now() + Duration::from_secs(20);
    while leftovers(d).is_empty() {
        assert!(Instant::now() < deadline, "no temporary file appeared");
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(200));
    let killed = system("kill")
        .args(["-s", signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    drop(stdin);
    // Ended by the signal, or (where its default action cannot be re-raised, as for SIGIO) by
    // the exit status a shell shows for it.
    assert!(
        status.signal() == Some(number) || status.code() == Some(128 + number),
        "{signal}: {status:?}"
    );
    assert!(leftovers(d).is_empty(), "{signal}: {:?}", leftovers(d));
    if existing {
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "yesterday\n");
    } else {
        assert!(std::fs::symlink_metadata(&target).is_err(), "{signal}");
    }
}

#[test]
fn sigterm_during_the_write_removes_the_temporary_file() {
    stopped_by("TERM", 15, false);
    stopped_by("TERM", 15, true);
}

#[test]
fn sigint_during_the_write_removes_the_temporary_file() {
    stopped_by("INT", 2, true);
}

#[test]
fn sighup_during_the_write_removes_the_temporary_file() {
    stopped_by("HUP", 1, false);
}

#[test]
fn every_other_catchable_terminating_signal_during_the_write_removes_the_temporary_file() {
    for (signal, number) in [
        ("QUIT", libc::SIGQUIT),
        ("USR1", libc::SIGUSR1),
        ("USR2", libc::SIGUSR2),
        ("ALRM", libc::SIGALRM),
        ("VTALRM", libc::SIGVTALRM),
        ("PROF", libc::SIGPROF),
        ("XCPU", libc::SIGXCPU),
        ("IO", libc::SIGIO),
        ("PWR", libc::SIGPWR),
    ] {
        stopped_by(signal, number, signal == "USR1");
    }
}

/// A file grown past the size limit (`ulimit -f`): SIGXFSZ is caught, so the write fails
/// instead of the process ending, and the error path removes the temporary file.
#[test]
fn a_file_over_the_size_limit_is_an_error_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut rows = String::from("id,weight\n");
    for i in 0..5_000 {
        rows.push_str(&format!("p{i},{}\n", 40 + i % 100));
    }
    std::fs::write(d.join("in.csv"), rows).unwrap();
    let script = format!(
        "ulimit -f 8; exec '{}' batch ketamine-kap-iv in.csv --output out.csv",
        binary().display()
    );
    let out = match system("bash")
        .args(["-c", &script])
        .current_dir(d)
        .env_remove("BOLUS_PROTOCOLS")
        .output()
    {
        Ok(out) => out,
        Err(e) => panic!("this test needs `bash` on PATH ({e})"),
    };
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{:?} {stderr}", out.status);
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(stderr.contains("out.csv"), "{stderr}");
    assert!(leftovers(d).is_empty(), "{:?}", leftovers(d));
    assert!(std::fs::symlink_metadata(d.join("out.csv")).is_err());
}

#[test]
fn a_shell_sees_128_plus_the_signal_number() {
    let dir = tempfile::tempdir().unwrap();
    let script = format!(
        "'{}' batch ketamine-kap-iv - --output out.csv < <(printf 'id,weight\\np1,82\\n'; \
          for i in $(seq 1 400); do [ -e done ] && break; sleep 0.05; done) & \
         pid=$!; \
         for i in $(seq 1 200); do ls -a | grep -q bolus-batch && break; sleep 0.05; done; \
         kill -TERM $pid; wait $pid; echo \"status $?\"; touch done; \
         ls -a | grep -c bolus-batch",
        binary().display()
    );
    let out = system("bash")
        .args(["-c", &script])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("status 143"), "{text}");
    assert!(text.trim_end().ends_with('0'), "{text}");
}
