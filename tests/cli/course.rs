//! `bolus course`: the sessions' dates, each session's timed plan, the patient's instructions as
//! clock times, the refusals of a course that breaks the protocol's rules, and the calendar read
//! back by an independent iCalendar parser (the `ical` crate).

use std::io::BufReader;

use crate::support::Test;

/// `bolus course ketamine-kap-iv --weight 82 --first 2026-12-01` and more arguments.
fn course(more: &[&str]) -> Test {
    let mut args = vec![
        "course",
        "ketamine-kap-iv",
        "--weight",
        "82",
        "--first",
        "2026-12-01",
    ];
    args.extend_from_slice(more);
    let ics = args.contains(&"ics");
    let test = Test::new().args(args);
    // An iCalendar file's lines end in CRLF.
    if ics {
        test.crlf()
    } else {
        test
    }
}

#[track_caller]
fn json(more: &[&str]) -> serde_json::Value {
    let mut args = more.to_vec();
    args.extend_from_slice(&["--format", "json"]);
    serde_json::from_str(&course(&args).run().stdout).expect("the course is JSON")
}

fn dates(doc: &serde_json::Value) -> Vec<String> {
    doc["sessions"]
        .as_array()
        .expect("sessions")
        .iter()
        .map(|s| s["date"].as_str().expect("date").to_string())
        .collect()
}

/// The instruction texts of one session in the text output.
fn instructions(text: &str, session: u64) -> Vec<String> {
    let head = format!("Session {session}: ");
    text.lines()
        .skip_while(|l| !l.starts_with(&head))
        .skip(1)
        .take_while(|l| !l.starts_with("Session ") && !l.is_empty())
        .filter_map(|l| l.trim().strip_prefix("[ ] "))
        .map(String::from)
        .collect()
}

/// A protocol file with the built-in protocol's text edited, in a temporary directory.
fn protocol_file(dir: &std::path::Path, id: &str, edit: impl Fn(String) -> String) -> String {
    let text = include_str!("../../protocols/ketamine-kap-iv.toml")
        .replace("id = \"ketamine-kap-iv\"", &format!("id = \"{id}\""));
    let path = dir.join(format!("{id}.toml"));
    std::fs::write(&path, edit(text)).unwrap();
    path.display().to_string()
}

#[test]
fn the_builtin_course_is_6_sessions_4_days_apart_from_the_first_date() {
    let doc = json(&["--start", "10:00"]);
    assert_eq!(
        dates(&doc),
        [
            "2026-12-01",
            "2026-12-05",
            "2026-12-09",
            "2026-12-13",
            "2026-12-17",
            "2026-12-21"
        ]
    );
    assert_eq!(doc["schema"], 1);
    assert_eq!(doc["time_zone"], "local");
    assert_eq!(doc["every"], serde_json::json!({"value": 4, "unit": "d"}));
    assert_eq!(doc["spacing"], "spread");
    assert_eq!(doc["span"], serde_json::json!({"value": 20, "unit": "d"}));
    assert_eq!(
        doc["rules"],
        serde_json::json!({"sessions": 6, "max_span": {"value": 21, "unit": "d"},
                           "min_gap": {"value": 1, "unit": "d"}})
    );
    let sessions = doc["sessions"].as_array().unwrap();
    let provisional: Vec<bool> = sessions
        .iter()
        .map(|s| s["provisional"].as_bool().unwrap())
        .collect();
    assert_eq!(provisional, [false, true, true, true, true, true]);
    assert_eq!(sessions[0]["weekday"], "Tuesday");
    assert_eq!(sessions[0]["begins"], "2026-12-01T09:55");
    assert_eq!(sessions[0]["first_bolus"], "2026-12-01T10:00");
    // The session ends at its last checkpoint: 30 min after the last bolus at 10:30.
    assert_eq!(sessions[0]["ends"], "2026-12-01T11:00");
    // The plan is the one `plan` computes for the same weight and start.
    let plan: serde_json::Value = serde_json::from_str(
        &Test::new()
            .args([
                "plan",
                "ketamine-kap-iv",
                "--weight",
                "82",
                "--start",
                "10:00",
                "--format",
                "json",
            ])
            .run()
            .stdout,
    )
    .unwrap();
    assert_eq!(doc["plan"], plan);
}

#[test]
fn the_builtin_course_text_gives_each_session_its_timeline_and_instructions() {
    let out = course(&["--start", "10:00"]).run().stdout;
    assert!(
        out.contains("Dates and times are local civil time"),
        "{out}"
    );
    assert!(out.contains("6 sessions, 4 days apart (the protocol's 21 days spread evenly in whole days); 20 days from the first to the last"), "{out}");
    assert!(out.contains("at most 6 sessions within 21 days, at least 1 day apart"));
    assert!(out.contains("2 mg/kg × 82 kg = 164 mg; 4 boluses, 10 min apart: 41 mg, 41 mg, 41 mg, 41 mg (total 164 mg)"));
    assert_eq!(
        instructions(&out, 1),
        [
            "No food after 04:00",
            "Clear liquids until 08:00, then nothing to drink",
            "Come with an escort who takes you home: do not leave alone",
            "No driving until tomorrow, 2026-12-02 (Wednesday)",
            "No machinery until 11:00 on 2026-12-02 (Wednesday)",
            "No alcohol until 11:00 on 2026-12-02 (Wednesday)",
        ]
    );
    assert!(out.contains("Session 1: 2026-12-01 (Tuesday)\n"), "{out}");
    for n in 2..=6 {
        assert!(
            out.lines().any(|l| l.starts_with(&format!("Session {n}: "))
                && l.ends_with("provisional: the dose is recomputed from the weight on the day and signed then")),
            "session {n} is not marked provisional:\n{out}"
        );
    }
    assert!(out.contains("    10:00  Bolus 1: 41 mg\n"), "{out}");
    assert_eq!(out.matches("Bolus 4: 41 mg").count(), 6);
}

#[test]
fn every_spaces_the_sessions_and_fewer_sessions_may_be_asked_for() {
    let doc = json(&["--every", "3d"]);
    assert_eq!(
        dates(&doc),
        [
            "2026-12-01",
            "2026-12-04",
            "2026-12-07",
            "2026-12-10",
            "2026-12-13",
            "2026-12-16"
        ]
    );
    assert_eq!(doc["spacing"], "given");
    assert_eq!(doc["span"], serde_json::json!({"value": 15, "unit": "d"}));
    assert_eq!(
        dates(&json(&["--every", "1 d", "--sessions", "3"])),
        ["2026-12-01", "2026-12-02", "2026-12-03"]
    );
    // Three sessions spread over the protocol's 21 days: 10 days apart.
    assert_eq!(
        dates(&json(&["--sessions", "3"])),
        ["2026-12-01", "2026-12-11", "2026-12-21"]
    );
    // Across a month and a year's end.
    let doc: serde_json::Value = serde_json::from_str(
        &Test::new()
            .args([
                "course",
                "ketamine-kap-iv",
                "--weight",
                "82",
                "--first",
                "2026-12-29",
                "--every",
                "2d",
                "--sessions",
                "3",
                "--format",
                "json",
            ])
            .run()
            .stdout,
    )
    .unwrap();
    assert_eq!(dates(&doc), ["2026-12-29", "2026-12-31", "2027-01-02"]);
}

#[test]
fn a_course_that_breaks_the_protocols_span_is_refused_naming_the_rule() {
    let err = course(&["--every", "5d"]).status(2).stderr("error: 6 sessions 5 days apart span 25 days from the first to the last, more than protocol `ketamine-kap-iv`'s longest course of 21 days (`course.max_span`); choose a smaller `--every` or fewer `--sessions`\n")
        .run()
        .stderr;
    assert_eq!(
        err,
        "error: 6 sessions 5 days apart span 25 days from the first to the last, more than \
         protocol `ketamine-kap-iv`'s longest course of 21 days (`course.max_span`); choose a \
         smaller `--every` or fewer `--sessions`\n"
    );
    course(&["--every", "11d", "--sessions", "3"])
        .status(2)
        .stderr("error: 3 sessions 11 days apart span 22 days from the first to the last, more than protocol `ketamine-kap-iv`'s longest course of 21 days (`course.max_span`); choose a smaller `--every` or fewer `--sessions`\n")
        .run();
    // Exactly the span is kept.
    assert_eq!(
        dates(&json(&["--every", "7d", "--sessions", "4"]))
            .last()
            .unwrap(),
        "2026-12-22"
    );
}

#[test]
fn more_sessions_than_the_protocols_course_are_refused() {
    course(&["--sessions", "7"]).status(2).stderr("error: 7 sessions are more than the 6 of protocol `ketamine-kap-iv`'s course (`course.sessions`); ask for at most 6 with `--sessions`\n")
        .run();
}

#[test]
fn sessions_closer_than_the_protocols_least_gap_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = protocol_file(dir.path(), "two-day-gap", |t| {
        t.replace("min_gap = \"1 d\"", "min_gap = \"2 d\"")
    });
    let err = Test::new()
        .args([
            "course",
            &file,
            "--weight",
            "82",
            "--first",
            "2026-12-01",
            "--every",
            "1d",
        ])
        .status(2)
        .stderr("error: sessions 1 day apart break protocol `two-day-gap`'s least gap of 2 days between sessions (`course.min_gap`); choose `--every 2d` or more\n")
        .run()
        .stderr;
    assert_eq!(
        err,
        "error: sessions 1 day apart break protocol `two-day-gap`'s least gap of 2 days between \
         sessions (`course.min_gap`); choose `--every 2d` or more\n"
    );
}

#[test]
fn a_session_starting_at_05_00_fasts_from_the_day_before() {
    let out = course(&["--start", "05:00", "--sessions", "1"])
        .run()
        .stdout;
    assert_eq!(
        instructions(&out, 1),
        [
            "No food after 23:00 on 2026-11-30 (Monday)",
            "Clear liquids until 03:00, then nothing to drink",
            "Come with an escort who takes you home: do not leave alone",
            "No driving until tomorrow, 2026-12-02 (Wednesday)",
            "No machinery until 06:00 on 2026-12-02 (Wednesday)",
            "No alcohol until 06:00 on 2026-12-02 (Wednesday)",
        ]
    );
    let doc = json(&["--start", "05:00", "--sessions", "1"]);
    let first = &doc["sessions"][0]["instructions"][0];
    assert_eq!(first["kind"], "no_food");
    assert_eq!(first["at"], "2026-11-30T23:00");
    assert_eq!(first["rule"], serde_json::json!({"value": 6, "unit": "h"}));
}

#[test]
fn a_session_ending_after_midnight_keeps_the_restrictions_from_its_end() {
    // First bolus at 23:30: the last bolus at 00:00, the session ends at 00:30 the next day.
    let out = course(&["--start", "23:30", "--sessions", "1"])
        .run()
        .stdout;
    assert_eq!(
        instructions(&out, 1),
        [
            "No food after 17:30",
            "Clear liquids until 21:30, then nothing to drink",
            "Come with an escort who takes you home: do not leave alone",
            "No driving until 2026-12-03 (Thursday)",
            "No machinery until 00:30 on 2026-12-03 (Thursday)",
            "No alcohol until 00:30 on 2026-12-03 (Thursday)",
        ]
    );
    assert!(out.contains("00:30 on 2026-12-02 (Wednesday)"), "{out}");
}

#[test]
fn without_a_start_the_instructions_keep_the_protocols_rules() {
    let out = course(&["--sessions", "1"]).run().stdout;
    assert_eq!(
        instructions(&out, 1),
        [
            "No food in the 6 h before the first bolus",
            "Clear liquids until 2 h before the first bolus, then nothing to drink",
            "Come with an escort who takes you home: do not leave alone",
            "No driving for the rest of the day",
            "No machinery for 24 h after the session ends",
            "No alcohol for 24 h after the session ends",
        ]
    );
    course(&["--format", "ics"])
        .status(2)
        .stderr("error: `--format ics` needs `--start HH:MM`: a calendar event has a time\n")
        .run();
}

#[test]
fn a_protocol_without_a_course_gives_one_session_and_refuses_more() {
    let args = |more: &[&str]| {
        let mut a = vec![
            "--protocols",
            crate::support::CATALOG,
            "course",
            "test-fentanyl-iv",
            "--weight",
            "70",
            "--first",
            "2026-12-01",
        ];
        a.extend_from_slice(more);
        Test::new().args(a)
    };
    let out = args(&["--start", "09:00"]).run().stdout;
    assert!(
        out.contains("1 session (the protocol has no course of sessions)"),
        "{out}"
    );
    assert!(
        out.contains("none: the protocol has no [course] table"),
        "{out}"
    );
    assert!(
        out.contains("(the protocol gives no instructions)"),
        "{out}"
    );
    assert!(!out.contains("Session 2"), "{out}");
    args(&["--sessions", "2"]).status(2).stderr("error: protocol `test-fentanyl-iv` has no [course] table, so its course is one session; 2 sessions were asked for with `--sessions`\n")
        .run();
    args(&["--every", "2d"]).status(2).stderr("error: `--every` spaces the sessions of a course, and this course has one session; leave `--every` out\n")
        .run();
}

#[test]
fn a_weight_outside_the_hard_limits_is_refused_with_exit_3() {
    Test::new()
        .args([
            "course",
            "ketamine-kap-iv",
            "--weight",
            "300",
            "--first",
            "2026-12-01",
        ])
        .status(3)
        .stderr("error: a weight of 300 kg is above the hard maximum of 250 kg for protocol `ketamine-kap-iv`; no plan can be made, and hard limits have no override\n")
        .run();
}

#[test]
fn bad_dates_and_spacings_are_refused() {
    for (args, says) in [
        (vec!["--first", "2026-02-30"], "not a day of the calendar"),
        (vec!["--first", "01/12/2026"], "YYYY-MM-DD"),
        (vec!["--first", "2026-1-01"], "YYYY-MM-DD"),
        (vec!["--every", "4"], "no unit"),
        (vec!["--every", "4 days"], "write days as `d`"),
        (vec!["--every", "96 h"], "a number of days"),
        (vec!["--every", "1.5d"], "not a whole number of days"),
        (vec!["--every", "0d"], "zero"),
        (vec!["--every", "-4d"], "negative"),
        (vec!["--every", "400d"], "more than 366 days"),
        (vec!["--first", "9999-12-20"], "after the year 9999"),
        (
            vec![
                "--calendar-id",
                "P-1",
                "--start",
                "10:00",
                "--format",
                "ics",
            ],
            "invalid `--calendar-id`: expected a UUID",
        ),
        (
            vec![
                "--calendar-id",
                "0b7e6a3c5d2f4a8e9c1b2f4d6e8a0c13",
                "--start",
                "10:00",
                "--format",
                "ics",
            ],
            "expected a UUID such as",
        ),
        (
            vec!["--calendar-id", "0b7e6a3c-5d2f-4a8e-9c1b-2f4d6e8a0c13"],
            "`--calendar-id` is used only with `--format ics`",
        ),
    ] {
        let cmd = Test::new().args(
            ["course", "ketamine-kap-iv", "--weight", "82"]
                .into_iter()
                .chain(if args[0] == "--first" {
                    vec![]
                } else {
                    vec!["--first", "2026-12-01"]
                })
                .chain(args.iter().copied()),
        );
        let err = cmd.status(2).run().stderr;
        assert!(err.contains(says), "{args:?}: {err}");
    }
}

#[test]
fn markdown_has_a_section_for_each_session() {
    let out = course(&["--start", "10:00", "--format", "markdown"])
        .run()
        .stdout;
    assert!(out.starts_with("# Course: Ketamine-assisted psychotherapy"));
    assert!(out.contains("| 1 | 2026-12-01 (Tuesday) | 09:55 | 10:00 | 11:00 | as planned |"));
    assert!(out.contains("## Session 2: 2026-12-05 (Saturday), provisional"));
    assert!(out.contains("- [ ] No food after 04:00\n"));
    assert_eq!(out.matches("### Before the session").count(), 6);
}

// The calendar.

const EPOCH: &str = "1796083200"; // 2026-12-01T00:00:00Z

#[track_caller]
fn ics(more: &[&str]) -> String {
    let mut args = vec!["--start", "10:00", "--format", "ics"];
    args.extend_from_slice(more);
    course(&args).env("SOURCE_DATE_EPOCH", EPOCH).run().stdout
}

/// The calendar parsed by the `ical` crate: the events, each with its properties and alarms.
fn parse(text: &str) -> Vec<ical::parser::ical::component::IcalEvent> {
    let mut calendars = ical::IcalParser::new(BufReader::new(text.as_bytes()));
    let calendar = calendars
        .next()
        .expect("one calendar")
        .expect("the calendar parses");
    assert!(calendars.next().is_none(), "one calendar only");
    calendar.events
}

fn prop(e: &ical::parser::ical::component::IcalEvent, name: &str) -> String {
    e.properties
        .iter()
        .find(|p| p.name == name)
        .and_then(|p| p.value.clone())
        .unwrap_or_else(|| panic!("no {name}"))
}

#[test]
fn the_calendar_has_one_event_per_session_that_an_independent_parser_reads() {
    let text = ics(&[]);
    let events = parse(&text);
    assert_eq!(events.len(), 6);
    let starts: Vec<String> = events.iter().map(|e| prop(e, "DTSTART")).collect();
    assert_eq!(
        starts,
        [
            "20261201T095500",
            "20261205T095500",
            "20261209T095500",
            "20261213T095500",
            "20261217T095500",
            "20261221T095500"
        ]
    );
    assert_eq!(prop(&events[0], "DTEND"), "20261201T110000");
    for e in &events {
        assert_eq!(prop(e, "DTSTAMP"), "20261201T000000Z");
        // Fasting reminders: no food from 04:00, clear liquids until 08:00 (5 h 55 min and
        // 1 h 55 min before the session begins at 09:55, 5 min before the first bolus).
        let triggers: Vec<String> = e
            .alarms
            .iter()
            .map(|a| {
                a.properties
                    .iter()
                    .find(|p| p.name == "TRIGGER")
                    .and_then(|p| p.value.clone())
                    .unwrap()
            })
            .collect();
        assert_eq!(triggers, ["-PT5H55M", "-PT1H55M"]);
        let first_alarm = &e.alarms[0].properties;
        let said = first_alarm
            .iter()
            .find(|p| p.name == "DESCRIPTION")
            .and_then(|p| p.value.clone())
            .unwrap();
        assert!(said.contains("No food after 04:00"), "{said}");
        assert!(said.contains("escort"), "{said}");
    }
    assert_eq!(prop(&events[0], "STATUS"), "CONFIRMED");
    assert_eq!(prop(&events[1], "STATUS"), "TENTATIVE");
    let description = prop(&events[0], "DESCRIPTION");
    assert!(
        description.contains("No driving until tomorrow"),
        "{description}"
    );
    assert!(description.contains("local civil time"), "{description}");
    let mut uids: Vec<String> = events.iter().map(|e| prop(e, "UID")).collect();
    uids.sort();
    uids.dedup();
    assert_eq!(uids.len(), 6, "each session has its own UID");
}

#[test]
fn the_calendar_has_crlf_lines_of_at_most_75_octets_and_no_dose_or_patient() {
    let text = ics(&[]);
    assert!(text.ends_with("END:VCALENDAR\r\n"));
    let body = text.strip_suffix("\r\n").unwrap();
    for line in body.split("\r\n") {
        assert!(
            !line.contains('\n') && !line.contains('\r'),
            "bare line break: {line:?}"
        );
        assert!(line.len() <= 75, "{} octets: {line}", line.len());
    }
    assert!(text.contains("\r\n "), "long descriptions are folded");
    let unfolded = text.replace("\r\n ", "");
    assert!(
        !unfolded.contains("41 mg") && !unfolded.contains(" mg"),
        "{unfolded}"
    );
    assert!(!unfolded.contains("82 kg"));
}

/// The calendar's own UUID and each event's UID, from the calendar.
fn calendar_uid(text: &str) -> String {
    let unfolded = text.replace("\r\n ", "");
    let mut lines = unfolded.split("\r\n");
    lines
        .find(|l| l.starts_with("UID:"))
        .expect("the calendar has a UID before its first event")
        .trim_start_matches("UID:")
        .to_string()
}

const CALENDAR: &str = "0b7e6a3c-5d2f-4a8e-9c1b-2f4d6e8a0c13";

#[test]
fn calendar_uids_are_random_unless_a_calendar_id_reissues_them() {
    let uids = |more: &[&str]| -> Vec<String> {
        parse(&ics(more)).iter().map(|e| prop(e, "UID")).collect()
    };
    // Two courses made alike (two patients, no id given) never share a UID.
    let (one, two) = (uids(&[]), uids(&[]));
    assert!(one.iter().all(|u| !two.contains(u)), "{one:?} {two:?}");
    // Every UID is a UUID (RFC 9562): 36 characters, hyphenated, lowercase hex.
    for u in one.iter().chain(&two) {
        assert!(uuid::Uuid::try_parse(u).is_ok() && u.len() == 36, "{u}");
    }
    // The calendar says its UUID (RFC 7986), so that a clinic can give it again.
    let text = ics(&[]);
    let calendar = calendar_uid(&text);
    assert!(uuid::Uuid::try_parse(&calendar).is_ok(), "{calendar}");
    let again = uids(&["--calendar-id", &calendar]);
    assert_eq!(
        again,
        parse(&text)
            .iter()
            .map(|e| prop(e, "UID"))
            .collect::<Vec<_>>()
    );
    // With a calendar id the UIDs are the same for the same id, even after the start time or
    // the spacing moved (a corrected course replaces the old one) ...
    let first = uids(&["--calendar-id", CALENDAR]);
    assert_eq!(first, uids(&["--calendar-id", CALENDAR]));
    assert_eq!(calendar_uid(&ics(&["--calendar-id", CALENDAR])), CALENDAR);
    let moved: Vec<String> = parse(
        &course(&[
            "--start",
            "14:00",
            "--every",
            "3d",
            "--calendar-id",
            CALENDAR,
            "--format",
            "ics",
        ])
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .run()
        .stdout,
    )
    .iter()
    .map(|e| prop(e, "UID"))
    .collect();
    assert_eq!(first, moved);
    // ... each session has its own, and no UID is the calendar id itself.
    let mut distinct = first.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), first.len());
    assert!(!first.contains(&CALENDAR.to_string()));
    // An id given in capitals is the same calendar.
    assert_eq!(first, uids(&["--calendar-id", &CALENDAR.to_uppercase()]));
}

#[test]
fn the_calendar_stamp_comes_from_source_date_epoch_and_a_bad_one_is_refused() {
    course(&["--start", "10:00", "--format", "ics"])
        .env("SOURCE_DATE_EPOCH", "1e9")
        .status(2)
        .stderr(
            "error: invalid `SOURCE_DATE_EPOCH` `1e9`: expected whole seconds since 1970-01-01 \
             UTC, such as `1796083200`\n",
        )
        .run();
    // Without it, the stamp is the current time in UTC.
    let text = course(&["--start", "10:00", "--format", "ics"])
        .env_remove("SOURCE_DATE_EPOCH")
        .run()
        .stdout;
    let stamp = prop(&parse(&text)[0], "DTSTAMP");
    assert!(stamp.len() == 16 && stamp.ends_with('Z'), "{stamp}");
    // Set but empty, it counts as unset.
    let text = course(&["--start", "10:00", "--format", "ics"])
        .env("SOURCE_DATE_EPOCH", "")
        .run()
        .stdout;
    assert!(prop(&parse(&text)[0], "DTSTAMP").ends_with('Z'));
    // Other formats do not read it.
    course(&[]).env("SOURCE_DATE_EPOCH", "garbage").run();
}

/// The course and the patient sheet shown in README.md are what `bolus course` prints.
#[test]
fn the_readme_shows_the_course_and_a_session_sheet_as_printed() {
    let readme = std::fs::read_to_string(crate::support::root().join("README.md")).unwrap();
    let block_after = |marker: &str| -> String {
        let at = readme
            .find(marker)
            .unwrap_or_else(|| panic!("README has no `{marker}`"));
        let rest = &readme[at..];
        let start = rest.find("```text\n").unwrap() + "```text\n".len();
        let len = rest[start..].find("```").unwrap();
        rest[start..start + len].to_string()
    };
    let out = course(&["--start", "10:00"]).run().stdout;
    let course_block = block_after("The course for an 82 kg patient");
    assert!(
        out.starts_with(&course_block),
        "README:\n{course_block}\nprinted:\n{out}"
    );
    let sheet = block_after("Then a sheet for each session");
    assert!(out.contains(&sheet), "README:\n{sheet}\nprinted:\n{out}");
}

#[test]
fn a_soft_limit_accepted_with_a_reason_is_printed_with_the_course() {
    let args = |format: &str| {
        Test::new().args([
            "course",
            "ketamine-kap-iv",
            "--weight",
            "160",
            "--accept-soft-limit",
            "weighed twice",
            "--first",
            "2026-12-01",
            "--format",
            format,
        ])
    };
    let warning = "the weight 160 kg is outside the soft upper limit of 150 kg, accepted for this reason: weighed twice";
    // In text, wrapped to 80 columns as the plan's warnings are.
    assert!(args("text").run().stdout.contains(
        "\nWarnings\n  ! the weight 160 kg is outside the soft upper limit of 150 kg, accepted for\n    \
         this reason: weighed twice\n\n"
    ));
    assert!(args("markdown")
        .run()
        .stdout
        .contains(&format!("- {warning}\n")));
    let doc: serde_json::Value = serde_json::from_str(&args("json").run().stdout).unwrap();
    assert_eq!(doc["plan"]["warnings"][0], warning);
    // Without the reason: refused, as `plan` refuses it.
    let err = Test::new()
        .args([
            "course",
            "ketamine-kap-iv",
            "--weight",
            "160",
            "--first",
            "2026-12-01",
        ])
        .status(3)
        .run()
        .stderr;
    assert!(err.contains("soft maximum"), "{err}");
}

#[test]
fn calendar_text_is_escaped_and_folded_between_characters() {
    let dir = tempfile::tempdir().unwrap();
    let title = "Kétamine; séances, côté \\\\ « thérapie » — une très longue description qui dépasse soixante-quinze octets";
    let file = protocol_file(dir.path(), "escaped", |t| {
        t.replace(
            "title = \"Ketamine-assisted psychotherapy, IV boluses\"",
            &format!("title = \"{title}\""),
        )
    });
    let text = Test::new()
        .args([
            "course",
            &file,
            "--weight",
            "82",
            "--first",
            "2026-12-01",
            "--start",
            "10:00",
            "--sessions",
            "1",
            "--format",
            "ics",
        ])
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .crlf()
        .run()
        .stdout;
    for line in text.strip_suffix("\r\n").unwrap().split("\r\n") {
        assert!(line.len() <= 75, "{} octets: {line}", line.len());
    }
    let events = parse(&text);
    // The title as TOML reads it: `\\` is one backslash; escaped for iCalendar, it is two again.
    let expected = title
        .replace("\\\\", "\\")
        .replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,");
    assert_eq!(
        prop(&events[0], "SUMMARY"),
        format!("{expected}: session 1 of 1")
    );
}

#[test]
fn every_quantity_in_the_course_json_is_a_value_with_its_unit() {
    fn walk(v: &serde_json::Value, found: &mut usize) {
        match v {
            serde_json::Value::Object(o) if o.contains_key("unit") => {
                crate::support::qty(v);
                *found += 1;
            }
            serde_json::Value::Object(o) => o.values().for_each(|x| walk(x, found)),
            serde_json::Value::Array(a) => a.iter().for_each(|x| walk(x, found)),
            _ => {}
        }
    }
    let mut found = 0;
    walk(&json(&["--start", "10:00"]), &mut found);
    assert!(found >= 40, "only {found} quantities");
}

#[test]
fn a_course_is_under_the_clinics_approvals_and_a_draft_says_so_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        crate::support::root().join("protocols/ketamine-kap-iv.toml"),
        dir.path().join("ketamine-kap-iv.toml"),
    )
    .unwrap();
    std::fs::write(dir.path().join("approved.toml"), "schema = 1\n").unwrap();
    let protocols = dir.path().display().to_string();
    let args = |more: &[&str]| {
        let mut a = vec![
            "--protocols",
            &protocols,
            "course",
            "ketamine-kap-iv",
            "--weight",
            "82",
            "--first",
            "2026-12-01",
            "--start",
            "10:00",
        ];
        a.extend_from_slice(more);
        a.iter().map(|s| s.to_string()).collect::<Vec<_>>()
    };
    let err = Test::new().args(args(&[])).status(2).run().stderr;
    assert!(err.contains("is not approved"), "{err}");
    for format in ["text", "markdown", "json", "ics"] {
        let mut a = vec!["--draft".to_string()];
        a.extend(args(&["--format", format]));
        let test = Test::new().args(a).env("SOURCE_DATE_EPOCH", EPOCH);
        let out = if format == "ics" { test.crlf() } else { test }
            .run()
            .stdout;
        assert!(
            out.replace("\r\n ", "")
                .contains("DRAFT: protocol not approved"),
            "{format}: {out}"
        );
    }
}

#[test]
fn the_markdown_course_gives_the_dosing_weight_and_its_formula_as_the_text_course_does() {
    let args = |format: &str| {
        Test::new()
            .args([
                "course",
                "test-ideal-weight",
                "--protocols",
                crate::support::CATALOG,
                "--weight",
                "95",
                "--height",
                "170",
                "--sex",
                "female",
                "--first",
                "2026-12-01",
                "--format",
                format,
            ])
            .run()
            .stdout
    };
    let formula = "ideal body weight (Devine, female) = 45.5 kg + 2.3 kg × (170 cm ÷ 2.54 cm \
                   per inch − 60 inches) = 61.437… kg, rounded down to 61.4 kg";
    let lower = "61.4 kg is below the actual 95 kg, so the dose is computed from 61.4 kg";
    let text = args("text");
    assert!(
        text.contains(&format!(
            "\nDosing weight      61.4 kg (ideal body weight)\n                   {formula}\n                   {lower}\n"
        )),
        "{text}"
    );
    let markdown = args("markdown");
    assert!(
        markdown.contains(&format!(
            "\n- **Dosing weight:** 61.4 kg (ideal body weight)\n  - {formula}\n  - {lower}\n"
        )),
        "{markdown}"
    );
}
