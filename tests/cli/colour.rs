//! Colour on standard error: the `error:`, `warning:` and `note:` prefixes are styled on a
//! terminal, and never when standard error is a pipe or a file, or `NO_COLOR` is set.

use crate::support::{binary, root, Test};

/// The escape character that starts every ANSI style.
const ESC: char = '\u{1b}';

/// `bolus` with the colour variables of the environment removed, so the stream decides.
fn uncoloured_env(args: &[&str]) -> Test {
    Test::new()
        .args(args)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR")
        .env_remove("CLICOLOR_FORCE")
        .env("TERM", "xterm-256color")
}

#[test]
fn the_prefixes_are_styled_and_nothing_else_is_changed() {
    let text = "error: one\nwarning: two\nnote: three\nplain line, error: not a prefix\n";
    let painted = bolus::render::stderr::paint(text);
    assert_eq!(
        painted,
        "\u{1b}[1m\u{1b}[31merror:\u{1b}[0m one\n\
         \u{1b}[1m\u{1b}[33mwarning:\u{1b}[0m two\n\
         \u{1b}[1m\u{1b}[36mnote:\u{1b}[0m three\n\
         plain line, error: not a prefix\n"
    );
    // Without its styles, the text is what it was.
    let stripped: String = anstream::adapter::strip_str(&painted).to_string();
    assert_eq!(stripped, text);
    assert_eq!(bolus::render::stderr::paint(""), "");
    assert_eq!(bolus::render::stderr::paint("no newline"), "no newline");
}

/// Piped standard error (as in every test and in a script) carries no escape, for an error
/// (exit 2), the errors of `protocols lint` (exit 1), and a note (exit 0), even with `TERM` set
/// to a colour terminal and `NO_COLOR` unset.
#[test]
fn piped_standard_error_has_no_escapes() {
    let cases: [(&[&str], i32); 4] = [
        (&["plan", "no-such-protocol", "--weight", "82"], 2),
        (&["plan", "ketamine-kap-iv", "--weight", "500"], 3),
        (
            &[
                "protocols",
                "lint",
                "tests/fixtures/protocols/does-not-exist.toml",
            ],
            1,
        ),
        (
            &[
                "plan",
                "ketamine-kap-iv",
                "--weight",
                "82",
                "--accept-soft-limit",
                "typed by habit",
            ],
            0,
        ),
    ];
    for (args, code) in cases {
        let r = uncoloured_env(args).output();
        assert_eq!(r.code, code, "{args:?}: {}", r.stderr);
        assert!(
            r.stderr.starts_with("error: ") || r.stderr.starts_with("note: "),
            "{args:?}: {}",
            r.stderr
        );
        assert!(!r.stderr.contains(ESC), "{args:?}: {:?}", r.stderr);
        assert!(!r.stdout.contains(ESC), "{args:?}: {:?}", r.stdout);
    }
}

/// Standard error on a pseudo-terminal: the prefix is coloured; with `NO_COLOR` set, or a
/// `dumb` terminal, it is not.
#[cfg(unix)]
#[test]
fn a_terminal_gets_coloured_prefixes_unless_no_color_is_set() {
    let coloured = on_a_terminal(&[]);
    assert!(
        coloured.starts_with("\u{1b}[1m\u{1b}[31merror:\u{1b}[0m unknown protocol"),
        "{coloured:?}"
    );
    for env in [[("NO_COLOR", "1")], [("TERM", "dumb")]] {
        let plain = on_a_terminal(&env);
        assert!(
            plain.starts_with("error: unknown protocol"),
            "{env:?}: {plain:?}"
        );
        assert!(!plain.contains(ESC), "{env:?}: {plain:?}");
    }
}

/// Runs `bolus plan no-such-protocol --weight 82` with standard error on a new pseudo-terminal
/// and returns what it wrote there.
#[cfg(unix)]
fn on_a_terminal(env: &[(&str, &str)]) -> String {
    use rustix::pty::{grantpt, openpt, ptsname, unlockpt, OpenptFlags};
    use std::io::Read;

    let master = openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY).expect("a pseudo-terminal");
    grantpt(&master).unwrap();
    unlockpt(&master).unwrap();
    let name = ptsname(&master, Vec::new()).unwrap();
    let terminal = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(name.to_str().unwrap())
        .unwrap();
    let mut cmd = std::process::Command::new(binary());
    cmd.current_dir(root())
        .args(["plan", "no-such-protocol", "--weight", "82"])
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("BOLUS_PROTOCOLS")
        // anstream colours a terminal of any `TERM` under CI (`CI` set), as CI logs show colour.
        .env_remove("CI")
        .env("TERM", "xterm-256color")
        .envs(env.iter().copied())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(terminal);
    let status = cmd.status().expect("the binary runs");
    drop(cmd); // closes this side's copy of the terminal, so reading ends
    assert_eq!(status.code(), Some(2));
    let mut master = std::fs::File::from(master);
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match master.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
            // Linux reports EIO once every terminal side is closed and all is read.
            Err(e) if e.raw_os_error() == Some(5) => break,
            Err(e) => panic!("reading the terminal: {e}"),
        }
    }
    String::from_utf8(out).unwrap().replace("\r\n", "\n")
}
