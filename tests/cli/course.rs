//! `bolus course`: the sessions' dates, each session's timed plan, the patient's instructions as
//! clock times, the refusals of a course that breaks the protocol's rules, and the calendar read
//! back by an independent iCalendar parser (the `ical` crate).

use std::io::BufReader;

use crate::support::Test;

/// `bolus course ketamine-kap-iv --weight 82 --first 2026-12-01` and more arguments.
fn course(more: &[&str]) -> Test {
    course_from("2026-12-01", more)
}

/// `bolus course ketamine-kap-iv --weight 82 --first FIRST` and more arguments.
fn course_from(first: &str, more: &[&str]) -> Test {
    let mut args = vec![
        "course",
        "ketamine-kap-iv",
        "--weight",
        "82",
        "--first",
        first,
    ];
    args.extend_from_slice(more);
    let ics = args.contains(&"ics");
    let test = Test::new().args(args);
    // An iCalendar file's lines end in CRLF; its zone is the clinic's, from BOLUS_TZ unless a
    // test gives `--tz` or removes it.
    if ics {
        test.crlf().env("BOLUS_TZ", "Europe/Paris")
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
            "No driving until 06:00 on 2026-12-02 (Wednesday), the next morning",
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
            "No driving until 06:00 on 2026-12-02 (Wednesday), the next morning",
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
            "No driving until 06:00 on 2026-12-03 (Thursday), the next morning",
            "No machinery until 00:30 on 2026-12-03 (Thursday)",
            "No alcohol until 00:30 on 2026-12-03 (Thursday)",
        ]
    );
    assert!(out.contains("00:30 on 2026-12-02 (Wednesday)"), "{out}");
    // It ends on the next day: a late session.
    assert!(
        out.contains(
            "\nSession 1: 2026-12-01 (Tuesday)\n  Late session: it ends at 00:30 on 2026-12-02 \
             (Wednesday), after 18:00 (this project's limit), leaving too little of the day to recover\n"
        ),
        "{out}"
    );
}

#[test]
fn a_session_ending_at_23_30_keeps_the_patient_from_driving_12_hours_not_until_00_30() {
    // First bolus at 22:30: the session ends at 23:30, its last checkpoint.
    let out = course(&["--start", "22:30", "--sessions", "1"])
        .run()
        .stdout;
    assert_eq!(
        instructions(&out, 1),
        [
            "No food after 16:30",
            "Clear liquids until 20:30, then nothing to drink",
            "Come with an escort who takes you home: do not leave alone",
            "No driving until 11:30 on 2026-12-02 (Wednesday), 12 h after the session ends",
            "No machinery until 23:30 on 2026-12-02 (Wednesday)",
            "No alcohol until 23:30 on 2026-12-02 (Wednesday)",
        ]
    );
    assert!(
        out.contains(
            "\nRest of the day    kept until 06:00 the next morning, and for at least 12 h after \
             the session ends (this project's choice)\n"
        ),
        "{out}"
    );
    assert!(
        out.contains("  1  2026-12-01 (Tuesday)  22:25   22:30        23:30  as planned, late\n"),
        "{out}"
    );
    assert!(
        out.contains("  Late session: it ends at 23:30, after 18:00"),
        "{out}"
    );
    let doc = json(&["--start", "22:30", "--sessions", "1"]);
    let s = &doc["sessions"][0];
    assert_eq!(s["late"], true);
    let driving = s["instructions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["kind"] == "no_driving")
        .unwrap();
    assert_eq!(driving["at"], "2026-12-02T11:30");
    assert_eq!(driving["lasts"], "rest_of_the_day");
    // The calendar event says so too.
    let ics = course(&["--start", "22:30", "--sessions", "1", "--format", "ics"])
        .run()
        .stdout
        .replace("\r\n ", "");
    assert!(
        ics.contains(r"Late session: it ends at 23:30\, after 18:00 (this project's limit)\, leaving too little of the day to recover."),
        "{ics}"
    );
    assert!(
        ics.contains(
            r"No driving until 11:30 on 2026-12-02 (Wednesday)\, 12 h after the session ends"
        ),
        "{ics}"
    );
}

#[test]
fn a_session_is_late_only_when_it_ends_after_18_00() {
    // First bolus at 17:00: the session ends at 18:00 exactly, not late; driving waits for the
    // next morning, 12 h after the end.
    let at_six = course(&["--start", "17:00", "--sessions", "1"])
        .run()
        .stdout;
    assert!(!at_six.contains("Late session"), "{at_six}");
    assert!(
        at_six.contains("[ ] No driving until 06:00 on 2026-12-02 (Wednesday), the next morning\n"),
        "{at_six}"
    );
    let doc = json(&["--start", "17:00", "--sessions", "1"]);
    assert_eq!(doc["sessions"][0]["late"], false);
    // One minute later, it is late, and 12 h after the end come after 06:00.
    let later = course(&["--start", "17:01", "--sessions", "1"])
        .run()
        .stdout;
    assert!(
        later.contains("Late session: it ends at 18:01, after 18:00"),
        "{later}"
    );
    assert!(
        later.contains(
            "[ ] No driving until 06:01 on 2026-12-02 (Wednesday), 12 h after the session ends\n"
        ),
        "{later}"
    );
    // Without a start there is no clock time, so nothing is late.
    let doc = json(&["--sessions", "1"]);
    assert_eq!(doc["sessions"][0]["late"], false);
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
        .stderr(
            "error: `--format ics` needs `--start HH:MM`: a calendar event has a time in a time zone\n",
        )
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
    ics_from("2026-12-01", more)
}

/// The calendar of a course from `first`, at 10:00 unless `more` gives `--start`.
#[track_caller]
fn ics_from(first: &str, more: &[&str]) -> String {
    let mut args = vec!["--format", "ics"];
    if !more.contains(&"--start") {
        args.extend(["--start", "10:00"]);
    }
    args.extend_from_slice(more);
    course_from(first, &args)
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .run()
        .stdout
}

/// The triggers of the first event's alarms.
fn triggers(text: &str) -> Vec<String> {
    parse(text)[0]
        .alarms
        .iter()
        .map(|a| {
            a.properties
                .iter()
                .find(|p| p.name == "TRIGGER")
                .and_then(|p| p.value.clone())
                .unwrap()
        })
        .collect()
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

/// The `TZID` parameter of an event's property.
fn tzid(e: &ical::parser::ical::component::IcalEvent, name: &str) -> String {
    let p = e.properties.iter().find(|p| p.name == name).unwrap();
    let params = p.params.as_ref().expect("the property has parameters");
    params
        .iter()
        .find(|(k, _)| k == "TZID")
        .map(|(_, v)| v.join(","))
        .unwrap_or_else(|| panic!("{name} has no TZID"))
}

#[test]
fn the_calendar_has_one_event_per_session_that_an_independent_parser_reads() {
    let text = ics(&[]);
    let events = parse(&text);
    assert_eq!(events.len(), 6);
    let starts: Vec<String> = events.iter().map(|e| prop(e, "DTSTART")).collect();
    for e in &events {
        for key in ["DTSTART", "DTEND"] {
            assert_eq!(tzid(e, key), "Europe/Paris", "{key}");
        }
    }
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
        // Fasting reminders an hour before each deadline: no food from 04:00, clear liquids
        // until 08:00 (reminders at 03:00 and 07:00: 6 h 55 min and 2 h 55 min before the
        // session begins at 09:55, 5 min before the first bolus).
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
        assert_eq!(triggers, ["-PT6H55M", "-PT2H55M"]);
        let first_alarm = &e.alarms[0].properties;
        let said = first_alarm
            .iter()
            .find(|p| p.name == "DESCRIPTION")
            .and_then(|p| p.value.clone())
            .unwrap();
        assert!(said.contains("No food after 04:00"), "{said}");
        assert!(said.contains("this reminder is 1 hour ahead"), "{said}");
        assert!(said.contains("escort"), "{said}");
    }
    assert_eq!(prop(&events[0], "STATUS"), "CONFIRMED");
    assert_eq!(prop(&events[1], "STATUS"), "TENTATIVE");
    let description = prop(&events[0], "DESCRIPTION");
    assert!(
        description.contains("No driving until 06:00 on 2026-12-02 (Wednesday)"),
        "{description}"
    );
    assert!(
        description.contains("the clinic's clock in the time zone Europe/Paris"),
        "{description}"
    );
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
        .env("BOLUS_TZ", "Europe/Paris")
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
        let out = if format == "ics" {
            test.crlf().env("BOLUS_TZ", "Europe/Paris")
        } else {
            test
        }
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

/// The lines of the calendar's `VTIMEZONE`, unfolded.
fn vtimezone(text: &str) -> Vec<String> {
    let unfolded = text.replace("\r\n ", "");
    let lines: Vec<&str> = unfolded.split("\r\n").collect();
    let from = lines
        .iter()
        .position(|l| *l == "BEGIN:VTIMEZONE")
        .expect("a VTIMEZONE");
    let to = lines.iter().position(|l| *l == "END:VTIMEZONE").unwrap();
    lines[from..=to].iter().map(|l| l.to_string()).collect()
}

#[test]
fn the_calendar_has_no_method_and_its_zones_vtimezone_from_the_database() {
    let text = ics(&[]);
    assert!(!text.contains("METHOD:"), "not an iTIP message");
    assert!(!text.contains("ORGANIZER"));
    // December 2026 in Paris: the observance in force since the clocks went back on
    // 2026-10-25 at 03:00 summer time.
    assert_eq!(
        vtimezone(&text),
        [
            "BEGIN:VTIMEZONE",
            "TZID:Europe/Paris",
            "BEGIN:STANDARD",
            "DTSTART:20261025T030000",
            "TZOFFSETFROM:+0200",
            "TZOFFSETTO:+0100",
            "TZNAME:CET",
            "END:STANDARD",
            "END:VTIMEZONE",
        ]
    );
    // A course in New York from 2027-03-06: the clocks go forward on 2027-03-14, between
    // sessions 2 and 3, so both observances are written, and every event keeps 09:55 on the
    // clinic's clock.
    let text = ics_from("2027-03-06", &["--tz", "America/New_York"]);
    let zone = vtimezone(&text);
    assert!(zone.contains(&"BEGIN:DAYLIGHT".to_string()), "{zone:?}");
    assert!(
        zone.contains(&"DTSTART:20270314T020000".to_string()),
        "{zone:?}"
    );
    assert!(zone.contains(&"TZOFFSETTO:-0400".to_string()), "{zone:?}");
    let events = parse(&text);
    assert_eq!(prop(&events[2], "DTSTART"), "20270314T095500");
    assert_eq!(tzid(&events[2], "DTSTART"), "America/New_York");
    // In UTC, one observance of offset zero.
    let text = ics(&["--tz", "UTC"]);
    let zone = vtimezone(&text);
    assert!(zone.contains(&"TZOFFSETTO:+0000".to_string()), "{zone:?}");
}

#[test]
fn a_calendar_needs_a_time_zone_never_the_systems() {
    let base = ["--start", "10:00", "--format", "ics"];
    course(&base)
        .env_remove("BOLUS_TZ")
        .env("TZ", "Europe/Paris")
        .status(2)
        .stderr(
            "error: `--format ics` needs `--tz ZONE` (or BOLUS_TZ): a calendar event has a time in a time zone\n",
        )
        .run();
    course(&["--format", "ics"])
        .env_remove("BOLUS_TZ")
        .status(2)
        .stderr(
            "error: `--format ics` needs `--start HH:MM` and `--tz ZONE` (or BOLUS_TZ): a calendar event has a time in a time zone\n",
        )
        .run();
    // `--tz` wins over BOLUS_TZ; a zone the database does not have is named, with where it came
    // from.
    let text = course(&base)
        .env("BOLUS_TZ", "Asia/Tokyo")
        .args(["--tz", "Europe/Paris"])
        .run()
        .stdout;
    assert!(text.contains("TZID:Europe/Paris\r\n"));
    course(&base)
        .args(["--tz", "Nowhere/Bogus"])
        .status(2)
        .stderr(
            "error: invalid `--tz`: `Nowhere/Bogus` is not a time zone of the IANA database; give one such as `Europe/Paris` or `America/New_York`\n",
        )
        .run();
    course(&base)
        .env("BOLUS_TZ", "Nowhere/Bogus")
        .status(2)
        .stderr(
            "error: the environment variable BOLUS_TZ names no time zone (`Nowhere/Bogus`); set it to a zone of the IANA database such as `Europe/Paris`, or give `--tz`\n",
        )
        .run();
    // The other formats are civil time and take no zone.
    course(&["--tz", "Europe/Paris"])
        .status(2)
        .stderr(
            "error: `--tz` is used only with `--format ics` in a course; leave it out, or add `--format ics`\n",
        )
        .run();
}

#[test]
fn a_reminder_is_an_hour_before_its_deadline_by_the_time_that_passes() {
    // New York, 2027-03-14: the clocks go from 02:00 to 03:00. A session at 10:00 on that day
    // fasts from 04:00 (after the change): reminders at 03:00 and 07:00, as on any day.
    let ny = ["--tz", "America/New_York", "--sessions", "1"];
    assert_eq!(
        triggers(&ics_from("2027-03-14", &ny)),
        ["-PT6H55M", "-PT2H55M"]
    );
    // A session at 09:00: no food after 03:00 daylight time, just after the change, reminded an
    // hour before, at 01:00 standard time (02:00 to 03:00 is skipped): 6 h 55 min of time that
    // passes before the session, though the clock shows 7 h 55 min.
    let text = ics_from("2027-03-14", &[&ny[..], &["--start", "09:00"]].concat());
    assert_eq!(triggers(&text), ["-PT6H55M", "-PT2H55M"]);
}

#[test]
fn a_calendar_time_the_clocks_skip_or_show_twice_is_refused() {
    let ny = |first: &str, start: &str| {
        course_from(
            first,
            &[
                "--start",
                start,
                "--format",
                "ics",
                "--tz",
                "America/New_York",
            ],
        )
        .status(2)
    };
    // A session at 08:30 on 2027-03-14 in New York fasts from 02:30, which the clocks skip.
    ny("2027-03-14", "08:30")
        .stderr(
            "error: 2027-03-14 02:30 does not exist in America/New_York: the clocks go from UTC-05:00 to UTC-04:00 then; choose another `--start` or `--first`\n",
        )
        .run();
    // A session at 07:00 fasts from 01:00 standard time: 5 h of time that passes, not 6.
    ny("2027-03-14", "07:00")
        .stderr(
            "error: the session crosses a change of the clocks in America/New_York (UTC-04:00 at the first bolus, UTC-05:00 at 2027-03-14 01:00), so its clock times would not be the times that pass; choose another `--start` or `--first`\n",
        )
        .run();
    // A session at 01:30 on 2026-11-01, which the clocks show twice.
    ny("2026-11-01", "01:30")
        .stderr(
            "error: 2026-11-01 01:30 happens twice in America/New_York: the clocks go back from UTC-04:00 to UTC-05:00 then; choose another `--start` or `--first`\n",
        )
        .run();
}

/// The test protocol whose course steps the dose per weight: 1, 1.5, 2 and 2 mg/kg.
const STEPPED: &str = "tests/fixtures/course/test-stepped-course.toml";

#[test]
fn a_stepped_course_computes_each_sessions_plan_with_its_own_dose_per_weight() {
    let args = |format: &str| {
        Test::new().args([
            "course",
            STEPPED,
            "--weight",
            "82",
            "--first",
            "2026-12-01",
            "--start",
            "10:00",
            "--format",
            format,
        ])
    };
    let out = args("text").run().stdout;
    for line in [
        "Session 1          1 mg/kg × 82 kg = 82 mg; 4 boluses, 10 min apart: 20 mg, 20 mg, 21 mg, 21 mg (total 82 mg)\n",
        "Session 2          1.5 mg/kg × 82 kg = 123 mg; 4 boluses, 10 min apart: 30 mg, 31 mg, 31 mg, 31 mg (total 123 mg)\n",
        "Session 3          2 mg/kg × 82 kg = 164 mg; 4 boluses, 10 min apart: 41 mg, 41 mg, 41 mg, 41 mg (total 164 mg)\n",
        "  1  2026-12-01 (Tuesday)  10:00   10:00        11:00  1 mg/kg, as planned\n",
        "  2  2026-12-08 (Tuesday)  10:00   10:00        11:00  1.5 mg/kg, provisional\n",
    ] {
        assert!(out.contains(line), "no `{line}` in:\n{out}");
    }
    assert!(
        out.contains("none is above the protocol's dose of 2 mg/kg"),
        "{out}"
    );
    // Each sheet has its own session's boluses.
    let sheet = |n: u64| {
        out.split(&format!("Session {n}: "))
            .nth(1)
            .and_then(|rest| rest.split("\nSession ").next())
            .unwrap()
            .to_string()
    };
    assert!(sheet(1).contains("10:00  Bolus 1: 20 mg\n"), "{}", sheet(1));
    assert!(sheet(2).contains("10:00  Bolus 1: 30 mg\n"), "{}", sheet(2));
    let doc: serde_json::Value = serde_json::from_str(&args("json").run().stdout).unwrap();
    let steps: Vec<serde_json::Value> = doc["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            serde_json::json!([
                s["dose_per_weight"]["value"],
                s["plan"]["total"]["value"],
                s["plan"]["dose_per_weight"]["value"]
            ])
        })
        .collect();
    assert_eq!(
        steps,
        [
            serde_json::json!([1, 82, 1]),
            serde_json::json!([1.5, 123, 1.5]),
            serde_json::json!([2, 164, 2]),
            serde_json::json!([2, 164, 2]),
        ]
    );
    // The course's plan is the first session's, in the words of its own dose.
    assert_eq!(doc["plan"]["dose_per_weight"]["value"], 1);
    assert_eq!(doc["plan"], doc["sessions"][0]["plan"]);
    assert_eq!(
        doc["rules"]["per_weight"],
        serde_json::json!([{"value": 1, "unit": "mg/kg"}, {"value": 1.5, "unit": "mg/kg"},
                           {"value": 2, "unit": "mg/kg"}, {"value": 2, "unit": "mg/kg"}])
    );
    // Fewer sessions take the first steps, in order.
    let two: serde_json::Value = serde_json::from_str(
        &Test::new()
            .args([
                "course",
                STEPPED,
                "--weight",
                "82",
                "--first",
                "2026-12-01",
                "--sessions",
                "2",
                "--format",
                "json",
            ])
            .run()
            .stdout,
    )
    .unwrap();
    let steps: Vec<&serde_json::Value> = two["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| &s["dose_per_weight"]["value"])
        .collect();
    assert_eq!(steps, [&serde_json::json!(1), &serde_json::json!(1.5)]);
    // `protocols show` names the steps.
    let shown = Test::new()
        .args(["protocols", "show", STEPPED])
        .run()
        .stdout;
    assert!(
        shown.contains(
            "  dose by session (`course.per_weight`): 1 mg/kg, 1.5 mg/kg, 2 mg/kg, 2 mg/kg; none \
             above the protocol's 2 mg/kg\n"
        ),
        "{shown}"
    );
    // A course of the protocol's own dose has no per-session plan.
    let builtin = json(&["--start", "10:00"]);
    assert!(builtin["sessions"][0].get("plan").is_none());
    assert_eq!(
        builtin["sessions"][0]["dose_per_weight"],
        serde_json::json!({"value": 2, "unit": "mg/kg"})
    );
}

#[test]
fn a_step_table_of_the_wrong_length_unit_or_above_the_protocols_dose_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(crate::support::root().join(STEPPED)).unwrap();
    let with = |steps: &str| {
        let path = dir.path().join("test-stepped-course.toml");
        std::fs::write(
            &path,
            text.replace(
                r#"per_weight = ["1 mg/kg", "1.5 mg/kg", "2 mg/kg", "2 mg/kg"]"#,
                &format!("per_weight = {steps}"),
            ),
        )
        .unwrap();
        let out = Test::new()
            .args(["protocols", "lint", path.to_str().unwrap()])
            .status(1)
            .run();
        out.stderr.replace(path.to_str().unwrap(), "P")
    };
    assert_eq!(
        with(r#"["1 mg/kg", "2 mg/kg", "2 mg/kg"]"#),
        "error: invalid protocol P:34:14: field `course.per_weight`: expected 4 doses per body \
         weight, one for each of the course's 4 sessions (`course.sessions`), found 3\n\
         1 of 1 protocol files has errors\n"
    );
    assert_eq!(
        with(r#"["1 mg/kg", "1.5 mg", "2.5 mg/kg", "2 mg/kg"]"#),
        "error: invalid protocol P:34:26: field `course.per_weight`: `1.5 mg` is a drug mass, but \
         a dose per body weight such as `2 mg/kg` (`mg/kg` or `mcg/kg`) is expected here\n\
         error: invalid protocol P:34:36: field `course.per_weight`: expected at most the \
         protocol's dose `dose.per_weight` (2 mg/kg), found `2.5 mg/kg`: a session's dose per \
         weight is within the protocol's\n\
         1 of 1 protocol files has errors\n"
    );
}

#[test]
fn a_step_that_gives_no_plan_names_its_session_and_nothing_is_printed() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(crate::support::root().join(STEPPED)).unwrap();
    let path = dir.path().join("test-stepped-course.toml");
    std::fs::write(&path, text.replace(r#""1.5 mg/kg""#, r#""0.01 mg/kg""#)).unwrap();
    let err = Test::new()
        .args([
            "course",
            path.to_str().unwrap(),
            "--weight",
            "82",
            "--first",
            "2026-12-01",
        ])
        .status(2)
        .run()
        .stderr;
    assert!(
        err.starts_with(
            "error: no plan for session 2 at its dose of 0.01 mg/kg (`course.per_weight`): "
        ),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
}
