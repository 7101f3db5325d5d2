//! Whose each rule is, on every plan: the tags beside the rules, the checklist and the
//! checkpoints, the "Sources" block with what each source is, and the roles and checks of a
//! signed plan (the ordering physician, the person giving the drug, the patient monitor, an
//! independent double check before the first bolus, a witness for wasted drug), in text,
//! Markdown, HTML, JSON and FHIR.

use crate::approvals::{clinic, within, FENTANYL};
use crate::support::{Test, CATALOG};

/// The built-in plan for a patient identified by name and date of birth (a plan that may be
/// signed, so with its roles).
fn plan(format: &str) -> String {
    Test::new()
        .args([
            "plan",
            "ketamine-kap-iv",
            "--weight",
            "82",
            "--patient-name",
            "Jane Example",
            "--born",
            "1980-04-02",
            "--format",
            format,
        ])
        .run()
        .stdout
}

/// The text between a line equal to `title` and the next empty line.
fn block(text: &str, title: &str) -> String {
    let start = text
        .find(&format!("\n{title}\n"))
        .unwrap_or_else(|| panic!("no `{title}` in:\n{text}"))
        + 1;
    let end = text[start..]
        .find("\n\n")
        .map_or(text.len(), |i| start + i + 1);
    text[start..end].to_string()
}

#[test]
fn the_text_plan_says_whose_each_rule_it_was_verified_against_is() {
    let text = plan("text");
    assert_eq!(
        block(&text, "Verified against protocol ketamine-kap-iv"),
        "\
Verified against protocol ketamine-kap-iv
  [ok] weight within the hard limits 30 kg to 250 kg and the soft limits 40 kg
       to 150 kg (project's choice: in the manner of infusion-pump drug
       libraries)
  [ok] each bolus at most 50 mg (guideline)
  [ok] total not above the calculated total of 164 mg (guideline)
  [ok] at least 4 boluses for 82 kg (guideline: 4 or more boluses, more than
       4 when the patient weighs over 100 kg)
  [ok] at least 10 min between boluses (guideline: about 10 minutes apart)
  [ok] each dose a whole number of 1 mg (project's choice)
  [ok] total not under the planned total of 164 mg (project's choice)
"
    );
}

#[test]
fn the_text_plan_names_the_route_as_the_projects_choice_and_each_source_for_what_it_is() {
    let text = plan("text");
    assert_eq!(
        block(&text, "Sources"),
        "\
Sources
  route IV (project's choice: the guideline's dosing names no route; the label
      gives ketamine intravenously for anaesthesia, with 2 mg/kg IV as its
      average dose for 5 to 10 minutes of surgical anaesthesia, not for
      psychotherapy)
  concentrations allowed: 10 mg/mL, 50 mg/mL and 100 mg/mL (project's choice:
      the strengths the label supplies)
  the checkpoints' times (project's choice: the guideline gives ranges, kept in
      each action's words)
  guideline: \"Ketamine-Assisted Psychotherapy for Depression: treatment
      guidelines\" (Frshminds): a section of an article on a consumer
      mental-health website, which notes that the information \"is not a
      substitute for information given directly to you by a physician\" and is
      for general knowledge only
  label: US prescribing information for Ketalar (ketamine hydrochloride
      injection), DailyMed label of Par/Pfizer and of the generic makers,
      revised 10/2024: a label for anaesthesia, cited for how the drug is given
      and monitored, never for the psychotherapy dose
  account of practice: \"Ketamine-Assisted Psychotherapy: How This Innovative
      Treatment Helped Me\": one patient's account of practice (the course of six
      sessions)
  project's choice: the protocol's own choice, in none of its sources
"
    );
}

#[test]
fn the_text_plan_has_lines_for_each_role_the_double_check_and_the_waste_witness() {
    let text = plan("text");
    assert_eq!(
        block(&text, "Roles and checks"),
        "\
Roles and checks
  Ordering physician  ____________________  Signature ____________  Time ______
  Giving the drug     ____________________  Signature ____________  Time ______
  Patient monitor     ____________________  Signature ____________  Time ______
  Independent double check before the first bolus, by a second person, of the
  drug, strength, dose and patient: [ ] drug [ ] strength [ ] dose [ ] patient
  Checked by          ____________________  Signature ____________  Time ______
  Wasted drug         ________ mg in ________ mL
  Witnessed by        ____________________  Signature ____________  Time ______
  Sources: the roles: guideline: given by an anesthesiologist on a
  psychiatrist's recommendation; a patient monitor who observes and documents
  the response; the double check: project's choice: this project treats ketamine
  as a high-alert medication; the waste witness: label: a Schedule III
  controlled substance; waste is witnessed and recorded (controlled-drug
  practice).
"
    );
}

#[test]
fn the_text_plan_monitors_continuously_and_discharges_by_criteria_not_by_the_clock() {
    let text = Test::new()
        .args([
            "plan",
            "ketamine-kap-iv",
            "--weight",
            "82",
            "--start",
            "14:00",
        ])
        .run()
        .stdout;
    let timeline = block(&text, "Timeline");
    for part in [
        "13:55  Measure blood pressure before dosing (guideline)",
        "13:55  Continuously monitor vital signs, from now until discharge\n                   (label)",
        "15:00  Earliest discharge: the patient has stayed 20-30 minutes to\n                   recover (a minimum, not a time to leave) (guideline)",
        "15:00  Discharge only when recovery is complete, and then accompanied\n                   by a responsible adult (label)",
    ] {
        assert!(timeline.contains(part), "no `{part}` in:\n{timeline}");
    }
    assert!(!text.contains("goes home with an escort"), "{text}");
    let checklist = block(&text, "Checklist (tick each before dosing)");
    for part in [
        "[ ] Emergency airway equipment must be immediately available (label)",
        "[ ] No history of psychosis (project's choice)",
        "[ ] Other medications reviewed (project's choice)",
        "[ ] Monitoring equipment and a recovery area ready (project's choice)",
        "[ ] Aftercare given: no important decisions for 24 hours (project's choice)",
        "[ ] Resuscitation equipment (guideline)",
    ] {
        assert!(checklist.contains(part), "no `{part}` in:\n{checklist}");
    }
}

#[test]
fn a_draft_has_no_roles_or_signature_lines_in_any_printed_format() {
    let dir = clinic();
    within(
        dir.path(),
        &[
            "protocols",
            "approve",
            &format!("{}/{FENTANYL}.toml", dir.path().display()),
            "--by",
            "Dr A",
        ],
    )
    .run();
    for (format, roles) in [
        ("text", "Roles and checks"),
        ("markdown", "## Roles and checks"),
        ("html", "<h2>Roles and checks</h2>"),
        ("json", "\"roles\": ["),
    ] {
        let draft = within(
            dir.path(),
            &[
                "plan",
                "ketamine-kap-iv",
                "--weight",
                "70",
                "--draft",
                "--format",
                format,
            ],
        )
        .any_stderr()
        .run()
        .stdout;
        assert!(!draft.contains(roles), "{format}:\n{draft}");
        assert!(!draft.contains("Witnessed by"), "{format}:\n{draft}");
        // The sources are told on a draft too.
        assert!(
            ["project's choice", "project&#39;s choice", "\"project\""]
                .iter()
                .any(|w| draft.contains(w)),
            "{format}:\n{draft}"
        );
    }
}

#[test]
fn a_protocol_that_tags_nothing_says_so_and_tags_no_rule() {
    let text = Test::new()
        .args([
            "plan",
            &format!("{CATALOG}/{FENTANYL}.toml"),
            "--weight",
            "70",
            "--patient-name",
            "Jane Example",
            "--born",
            "1980-04-02",
        ])
        .run()
        .stdout;
    assert_eq!(
        block(&text, "Sources"),
        "Sources\n  The protocol states no sources for its rules.\n"
    );
    assert!(!text.contains("(source not stated)"), "{text}");
    assert!(!text.contains("(guideline)"), "{text}");
    // The roles are on every signed plan, the waste in the protocol's unit.
    assert!(
        text.contains("  Wasted drug         ________ mcg in ________ mL\n"),
        "{text}"
    );
    assert!(!text.contains("Sources: the roles"), "{text}");
}

#[test]
fn a_protocol_that_tags_some_rules_says_which_it_does_not() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(format!("{CATALOG}/{FENTANYL}.toml"))
        .unwrap()
        .replace(
            "\n[dose]",
            "\nreferences = [{ reference = \"A guideline\", source = \"guideline\" }]\n\n[sources]\nmax_dose = \"guideline\"\n\n[dose]",
        );
    let path = dir.path().join(format!("{FENTANYL}.toml"));
    std::fs::write(&path, text).unwrap();
    let out = Test::new()
        .args(["plan", path.to_str().unwrap(), "--weight", "70"])
        .run()
        .stdout;
    assert!(
        out.contains("  [ok] each bolus at most 25 mcg (guideline)\n"),
        "{out}"
    );
    assert!(
        out.contains("  [ok] at least 5 min between boluses (source not stated)\n"),
        "{out}"
    );
    assert!(out.contains("  guideline: A guideline\n"), "{out}");
    assert!(out.contains("  route IV (source not stated)\n"), "{out}");
}

#[test]
fn the_markdown_plan_tags_the_rules_and_has_the_roles_to_sign() {
    let md = plan("markdown");
    for part in [
        "- [x] each bolus at most 50 mg (guideline)\n",
        "- [x] each dose a whole number of 1 mg (project's choice)\n",
        "- [ ] Emergency airway equipment must be immediately available (label)\n",
        "- -5 min: Continuously monitor vital signs, from now until discharge (label)\n",
        "## Sources\n\n- route IV (project's choice: the guideline's dosing names no route;",
        "## Roles and checks\n\n| Role | Name | Signature | Time |\n|---|---|---|---|\n| Ordering physician | | | |\n| Giving the drug | | | |\n| Patient monitor | | | |\n| Checked by | | | |\n| Witnessed by | | | |\n",
        "Independent double check before the first bolus, by a second person, of the drug, strength, dose and patient: \\[ \\] drug  \\[ \\] strength  \\[ \\] dose  \\[ \\] patient\n",
        "Wasted drug: \\_\\_\\_\\_\\_\\_\\_\\_ mg in \\_\\_\\_\\_\\_\\_\\_\\_ mL\n",
    ] {
        assert!(md.contains(part), "no `{part}` in:\n{md}");
    }
}

#[test]
fn the_html_plan_tags_the_rules_and_has_the_roles_to_sign() {
    let html = plan("html");
    for part in [
        "<span class=\"ok\">ok</span> each bolus at most 50 mg (guideline);",
        "<li class=\"group\">label:</li>\n<li><span class=\"box\"></span>No condition in which a significant rise in blood pressure would be a serious hazard</li>",
        "<li><span class=\"box\"></span>Emergency airway equipment must be immediately available</li>",
        "<li class=\"group\">project&#39;s choice:</li>\n<li><span class=\"box\"></span>No history of psychosis</li>",
        "<li><span class=\"at\">-5 min</span> Continuously monitor vital signs, from now until discharge (label)</li>",
        "<li>route IV (project&#39;s choice: the guideline&#39;s dosing names no route;",
        "<h2>Roles and checks <span class=\"note\">roles (guideline: given by an anesthesiologist on a psychiatrist&#39;s recommendation; a patient monitor who observes and documents the response)</span></h2>",
        "<tr><td><b>Ordering physician</b><br>name, signature, time</td><td><b>Giving the drug</b><br>name, signature, time</td><td><b>Patient monitor</b><br>name, signature, time</td></tr>",
        "<tr><td colspan=\"2\">Independent double check before the first bolus, by a second person, of the drug, strength, dose and patient (project&#39;s choice: this project treats ketamine as a high-alert medication): <span class=\"box\"></span>drug &nbsp;<span class=\"box\"></span>strength &nbsp;<span class=\"box\"></span>dose &nbsp;<span class=\"box\"></span>patient</td><td><b>Checked by</b><br>name, signature, time</td></tr>",
        "<tr><td colspan=\"2\">Wasted drug: ________ mg in ________ mL (label: a Schedule III controlled substance; waste is witnessed and recorded (controlled-drug practice))</td><td><b>Witnessed by</b><br>name, signature, time</td></tr>",
    ] {
        assert!(html.contains(part), "no `{part}` in:\n{html}");
    }
}

#[test]
fn the_json_plan_carries_the_sources_checklist_references_and_roles_as_data() {
    let json: serde_json::Value = serde_json::from_str(&plan("json")).unwrap();
    let sources = json["sources"].as_array().unwrap();
    let of = |rule: &str| {
        sources
            .iter()
            .find(|s| s["rule"] == rule)
            .unwrap_or_else(|| panic!("no {rule} in {sources:?}"))
    };
    assert_eq!(of("route")["source"], "project");
    assert!(of("route")["note"]
        .as_str()
        .unwrap()
        .starts_with("the guideline's dosing names no route"));
    assert_eq!(of("per_weight")["source"], "guideline");
    assert_eq!(of("per_weight").get("note"), None);
    assert_eq!(of("increment")["source"], "project");
    assert_eq!(of("weight")["source"], "project");
    assert_eq!(of("waste")["source"], "label");
    assert_eq!(
        json["checklist"][0],
        serde_json::json!({"item": "Adult patient", "source": "guideline"})
    );
    assert_eq!(json["references"][1]["source"], "label");
    assert_eq!(json["checkpoints"][1]["source"], "label");
    let roles: Vec<&str> = json["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["role"].as_str().unwrap())
        .collect();
    assert_eq!(
        roles,
        [
            "ordering physician",
            "giving the drug",
            "patient monitor",
            "independent double check",
            "waste witness"
        ]
    );
    assert_eq!(
        json["roles"][3]["checks"],
        serde_json::json!(["drug", "strength", "dose", "patient"])
    );
    assert_eq!(json["roles"][3]["source"], "project");
}

#[test]
fn the_fhir_order_carries_the_rules_with_their_sources_in_a_note() {
    let fhir: serde_json::Value = serde_json::from_str(
        &Test::new()
            .args([
                "plan",
                "ketamine-kap-iv",
                "--weight",
                "82",
                "--format",
                "fhir",
                "--patient",
                "MRN-1",
                "--date",
                "2026-12-08",
                "--start",
                "14:00",
                "--tz",
                "UTC",
            ])
            .run()
            .stdout,
    )
    .unwrap();
    let notes: Vec<&str> = fhir["note"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["text"].as_str().unwrap())
        .collect();
    let rules = notes
        .iter()
        .find(|n| n.starts_with("Rules and their sources: "))
        .unwrap_or_else(|| panic!("{notes:#?}"));
    for part in [
        "each bolus at most 50 mg (guideline)",
        "each dose a whole number of 1 mg (project's choice)",
        "route IV (project's choice: the guideline's dosing names no route;",
        "References: guideline: \"Ketamine-Assisted Psychotherapy for Depression: treatment guidelines\" (Frshminds): a section of an article on a consumer mental-health website",
    ] {
        assert!(rules.contains(part), "no `{part}` in {rules}");
    }
    let checkpoints = notes
        .iter()
        .find(|n| n.starts_with("Checkpoints:"))
        .unwrap();
    assert!(
        checkpoints.contains("Discharge only when recovery is complete, and then accompanied by a responsible adult (label)"),
        "{checkpoints}"
    );
}

#[test]
fn explain_says_the_source_of_each_rule_it_uses() {
    let json: serde_json::Value = serde_json::from_str(
        &Test::new()
            .args([
                "plan",
                "ketamine-kap-iv",
                "--weight",
                "82",
                "--explain",
                "--format",
                "json",
            ])
            .run()
            .stdout,
    )
    .unwrap();
    let steps: Vec<&str> = json["explanation"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert!(
        steps[0].ends_with(" Source of the dose per weight: guideline."),
        "{steps:#?}"
    );
    assert!(
        steps[2].ends_with(" Source of the increment: project's choice."),
        "{steps:#?}"
    );
    assert!(
        steps[4].ends_with(" Source of the interval: guideline: about 10 minutes apart."),
        "{steps:#?}"
    );
    assert_eq!(
        steps[5],
        "Measure blood pressure before dosing (guideline): 5 min before the first bolus, at -5 min. Source of the time: project's choice."
    );
}

#[test]
fn protocols_show_lists_whose_each_rule_is() {
    let out = Test::new()
        .args(["protocols", "show", "ketamine-kap-iv"])
        .run()
        .stdout;
    for part in [
        "Reference (guideline): \"Ketamine-Assisted Psychotherapy for Depression: treatment guidelines\" (Frshminds): a section of an article on a consumer mental-health website",
        "\nSources of the rules (`[sources]`)\n  route: project's choice: the guideline's dosing names no route;",
        "\n  per_weight: guideline\n  increment: project's choice\n  under_dose: project's choice\n",
        "\n  waste: label: a Schedule III controlled substance;",
        "  [ ] No history of psychosis (project's choice)\n",
    ] {
        assert!(out.contains(part), "no `{part}` in:\n{out}");
    }
    assert!(!out.contains("max_total:"), "{out}");
}

#[test]
fn a_json_plan_with_its_sources_and_roles_reads_back_through_check() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plan.json");
    std::fs::write(&path, plan("json")).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    for field in [
        "\"sources\"",
        "\"checklist\"",
        "\"references\"",
        "\"roles\": [",
    ] {
        assert!(text.contains(field), "{field}");
    }
    Test::new()
        .args([
            "check",
            "ketamine-kap-iv",
            "--weight",
            "82",
            path.to_str().unwrap(),
        ])
        .stdout_contains("conforms")
        .run();
}
