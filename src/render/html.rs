//! The plan as one self-contained HTML5 document made for paper: inline CSS, no script and no
//! external resource of any kind, so that it prints the same on a computer with no network.
//!
//! The page is black and white, its body text 10 pt, and nothing depends on colour. The print
//! stylesheet leaves the paper size to the printer (`@page { size: auto }`) with margins that
//! fit both A4 and US Letter portrait. The first page is the order, whole: the patient, the date,
//! the dose, every bolus with its strength and tick box, the timeline, the roles to sign and the
//! protocol's identity; up to 8 boluses of the built-in protocol fit it at full size. The
//! checklist, the rules checked and the sources begin the second page.
//! Every piece of text is escaped.

use std::fmt::Write;

use super::{identity_parts, mass, when_text, Context, VERSION};
use super::{order, sections};
use crate::engine::plan::Plan;
use crate::engine::units;
use crate::render::explain;

/// The page's stylesheet. The content box is at most 186 mm wide (A4, 210 mm, less 12 mm
/// margins) and 259 mm high (US Letter, 279 mm, less margins of 8 mm at the top and 12 mm at
/// the bottom, where each page says whose plan it is and its number: [`page_rule`]).
const STYLE: &str = "\
* { box-sizing: border-box; }
html { color: #000; background: #fff; }
body { font: 10pt/1.1 Arial, \"Liberation Sans\", \"DejaVu Sans\", Helvetica, sans-serif; margin: 0 auto; max-width: 186mm; }
@media screen { body { padding: 10mm 0; } }
h1 { font-size: 14pt; margin: 0; }
h2 { font-size: 11pt; margin: 1mm 0 0.4mm; padding-bottom: 0.3mm; border-bottom: 1.5px solid #000; }
p { margin: 0.5mm 0; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #000; padding: 0.6mm 1.5mm; text-align: left; vertical-align: top; }
th { font-weight: bold; }
.n { text-align: right; white-space: nowrap; }
.nowrap { white-space: nowrap; }
.plain td, .plain th { border: none; padding: 0.2mm 1.5mm 0.2mm 0; }
.patient { margin-bottom: 1.5mm; table-layout: fixed; }
.patient th { border-right: none; padding-right: 0; }
.patient td { border-left: none; height: 8mm; vertical-align: bottom; font-size: 11pt; overflow-wrap: anywhere; }
.boluses td, .boluses th { padding: 0.4mm 1mm; vertical-align: middle; }
.boluses th { white-space: normal; }
.boluses td { height: 5mm; }
.dose { font-weight: bold; font-size: 11pt; }
.box { display: inline-block; width: 3.6mm; height: 3.6mm; border: 1.2px solid #000; vertical-align: -0.6mm; margin-right: 1.5mm; }
ul.ticks { list-style: none; margin: 0; padding: 0; }
ul.ticks li { position: relative; padding-left: 6mm; margin: 0.2mm 0; break-inside: avoid; }
ul.ticks li > .box, ul.ticks li > .ok { position: absolute; left: 0; top: 0.4mm; }
ul.ticks li > .ok { top: 0; }
.ok { font-weight: bold; }
.checklist { columns: 3; column-gap: 4mm; }
.facts { margin-bottom: 1mm; }
.warning { border: 2px solid #000; padding: 0.5mm 2mm; margin: 1mm 0; }
.warning p { margin: 0.3mm 0; }
.bolus-event { font-weight: bold; }
code, .hash { font-family: \"DejaVu Sans Mono\", \"Liberation Mono\", Consolas, monospace; }
.hash { overflow-wrap: anywhere; }
.sign { margin-top: 1mm; }
.footer { margin-top: 1mm; }
.sign td { height: 10mm; width: 33%; vertical-align: top; }
@media print { .mark.head { display: none; } }
.mark { font-size: 16pt; font-weight: bold; border: 3px solid #000; padding: 1mm 2mm; margin: 0 0 2mm; text-align: center; }
.mark.foot { font-size: 13pt; border-width: 2px; padding: 0.3mm 2mm; margin: 1mm 0 0; }
.date { float: right; margin: 0.5mm 0 0 4mm; font-size: 11pt; }
.give { margin: 0.3mm 0 0.6mm; }
.roles td { height: 8mm; }
h2 .note { font-size: 10pt; font-weight: normal; }
ul.ticks li.group { padding-left: 0; font-weight: bold; break-after: avoid; }
.sources ul { margin: 0; padding-left: 4mm; columns: 2; column-gap: 4mm; }
.sources li { break-inside: avoid; }
.before { break-before: page; }
.page2 { font-weight: bold; margin: 0 0 1mm; }
.see { margin: 1mm 0 0; }
ul.timeline { list-style: none; margin: 0; padding: 0; columns: 2; column-gap: 4mm; }
ul.timeline li { break-inside: avoid; padding-left: 4mm; text-indent: -4mm; }
.at { font-weight: bold; white-space: nowrap; }
section, table, .warning, .sign { break-inside: avoid; }
";

/// The `@page` rule: the paper size left to the printer, and at the foot of every page the
/// patient (so that a second page cannot be taken for another patient's) and `Page 1 of 2`. A
/// plan that may not be used has its marks (a draft's, no patient identified) at the head of
/// every page, large, and at the start of every page's foot.
fn page_rule(marks: &[&str], plan: &Plan) -> String {
    let who = identity_parts(plan)
        .map(|(label, value)| format!("{label} {}", cut(&value, 40)))
        .join("  \u{b7}  ");
    // Each mark's words before its colon (`DRAFT`, `NOT VALID FOR ADMINISTRATION`): the foot
    // of a page has room for one line.
    let foot = marks
        .iter()
        .map(|m| m.split(':').next().unwrap_or(m).to_string())
        .chain(std::iter::once(who))
        .collect::<Vec<_>>()
        .join("  \u{b7}  ");
    let head = if marks.is_empty() {
        String::new()
    } else {
        format!(
            "  @top-center {{ content: \"{}\"; font-family: Arial, \"Liberation Sans\", sans-serif; font-size: 14pt; font-weight: bold; white-space: nowrap; }}\n",
            css_string(&marks.join("  \u{b7}  "))
        )
    };
    format!(
        "@page {{ size: auto; margin: 8mm 12mm 12mm;\n{head}  \
         @bottom-left {{ content: \"{}\"; font: 10pt Arial, \"Liberation Sans\", sans-serif; }}\n  \
         @bottom-right {{ content: \"Page \" counter(page) \" of \" counter(pages); font: 10pt Arial, \"Liberation Sans\", sans-serif; white-space: nowrap; }}\n}}\n",
        css_string(&foot)
    )
}

/// A text cut to `n` characters, with `…` where it was cut.
fn cut(text: &str, n: usize) -> String {
    if text.chars().count() <= n {
        return text.to_string();
    }
    let mut out: String = text.chars().take(n - 1).collect();
    out.push('…');
    out
}

/// Escapes text for a CSS string between double quotes inside a `<style>` element: a quote, a
/// backslash, and every character that HTML or CSS could read as markup is written as a CSS
/// escape (`\3C `), so that no name can end the string or the style element.
pub fn css_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_ascii_alphanumeric()
            || (!c.is_ascii() && !c.is_control())
            || " .,-_:;/()'".contains(c)
        {
            out.push(c);
        } else {
            let _ = write!(out, "\\{:X} ", c as u32);
        }
    }
    out
}

/// Escapes text for HTML: `&`, `<`, `>`, `\"` and `'`.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The head of the second page, which the order on the first refers to.
const SECOND_PAGE: &str =
    "For the order on page 1: the checklist before dosing, the rules checked and their sources";

/// The head of the second page of a protocol with no checklist.
const SECOND_PAGE_NO_CHECKLIST: &str =
    "For the order on page 1: the rules checked and their sources";

/// On the first page, where the checklist is.
const SEE_CHECKLIST: &str =
    "The checklist on page 2 is completed, each item ticked, before the first bolus.";

/// A blank line to write on, for a missing part of the patient block.
const BLANK_CELL: &str = "&nbsp;";

/// Renders the plan as a self-contained HTML5 document.
pub fn render(ctx: &Context, plan: &Plan) -> String {
    let p = ctx.protocol;
    let marks = order::marks(p, plan);
    let mut o = String::with_capacity(16 * 1024);
    let title_marks: String = marks.iter().map(|m| format!("{m} \u{2014} ")).collect();
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"generator\" content=\"bolus {VERSION}\">\n\
         <title>{}Bolus plan: {} ({})</title>\n<style>\n{}{STYLE}</style>\n</head>\n<body>\n",
        esc(&title_marks),
        esc(&p.title),
        esc(&p.id),
        page_rule(&marks, plan)
    );
    // On paper the marks at the head are the page's own (`@top-center`), on every page.
    for m in &marks {
        let _ = writeln!(o, "<p class=\"mark head\">{}</p>", esc(m));
    }
    patient(plan, &mut o);
    let _ = writeln!(o, "<p class=\"date\">{}</p>", date_html(plan));
    dose(ctx, plan, &mut o);
    boluses(ctx, plan, &mut o);
    timeline(ctx, plan, &mut o);
    signature(ctx, plan, &marks, &mut o);
    // The second page: what is checked before dosing and where each rule comes from.
    let _ = writeln!(
        o,
        "<div class=\"before\">\n<p class=\"page2\">{}</p>",
        if ctx.protocol.checklist.is_empty() {
            SECOND_PAGE_NO_CHECKLIST
        } else {
            SECOND_PAGE
        }
    );
    explained(ctx, plan, &mut o);
    checklist(ctx.protocol, &mut o);
    rules(ctx, plan, &mut o);
    sources_section(ctx.protocol, &mut o);
    o.push_str("</div>\n");
    // At the foot in the reverse order of the head: a draft's mark frames the plan.
    for m in marks.iter().rev() {
        let _ = writeln!(o, "<p class=\"mark foot\">{}</p>", esc(m));
    }
    o.push_str("</body>\n</html>\n");
    o
}

/// Who the plan is for: a blank to fill in by hand for each missing part.
fn patient(plan: &Plan, o: &mut String) {
    // Who the plan is for: a blank to fill in by hand for each missing part.
    o.push_str(
        "<table class=\"patient\"><colgroup><col style=\"width: 17mm\"><col style=\"width: 78mm\">\
         <col style=\"width: 12mm\"><col style=\"width: 27mm\"><col style=\"width: 8mm\">\
         <col style=\"width: 44mm\"></colgroup><tr>",
    );
    for (label, value) in identity_parts(plan) {
        let given = match label {
            "Patient" => plan.identity.name.is_some(),
            "Born" => plan.identity.born.is_some(),
            _ => plan.identity.id.is_some(),
        };
        let cell = if given {
            esc(&value)
        } else {
            BLANK_CELL.into()
        };
        let _ = write!(o, "<th>{label}</th><td>{cell}</td>");
    }
    o.push_str("</tr></table>\n");
}

/// `<b>Date</b> 2026-12-08 (valid for this date only)`, a line to write on when there is no
/// date.
fn date_html(plan: &Plan) -> String {
    let date = match plan.date {
        Some(d) => format!("<b>{}</b>", d),
        None => esc(order::DATE_BLANK),
    };
    format!("<b>{}</b> {date} ({})", order::DATE, order::VALID_FOR_DATE)
}

/// The title, the protocol, and the dose: the weights and the arithmetic.
fn dose(ctx: &Context, plan: &Plan, o: &mut String) {
    let p = ctx.protocol;
    let _ = writeln!(
        o,
        "<h1>{}</h1>\n<p>{} {}: {}. Protocol <code>{}</code>.</p>",
        esc(&p.title),
        esc(&p.drug),
        esc(&p.route),
        esc(&p.summary),
        esc(&p.id)
    );

    // The weights on a line (a formula's steps go on from the weight they give), then the
    // dose arithmetic.
    let mut facts: Vec<String> = Vec::new();
    for (k, v) in super::facts(ctx, plan) {
        match facts.last_mut() {
            Some(last) if k.is_empty() => {
                let _ = write!(last, "; {}", esc(&v));
            }
            _ => facts.push(format!("<b>{}</b> {}", esc(&k), esc(&v))),
        }
    }
    let _ = writeln!(
        o,
        "<section>\n<h2>Dose</h2>\n<p class=\"facts\">{}</p>\n<table class=\"plain\">",
        facts.join(" &nbsp;&middot;&nbsp; ")
    );
    // Two steps of the arithmetic a row, to keep the order to one page.
    for pair in super::arithmetic(ctx, plan).chunks(2) {
        o.push_str("<tr>");
        for (k, v) in pair {
            let _ = write!(o, "<th class=\"nowrap\">{}</th><td>{}</td>", esc(k), esc(v));
        }
        o.push_str("</tr>\n");
    }
    o.push_str("</table>\n</section>\n");
}

/// With `--explain`: the arithmetic step by step.
fn explained(ctx: &Context, plan: &Plan, o: &mut String) {
    let p = ctx.protocol;
    if ctx.explain {
        let _ = write!(o, "<section>\n<h2>{}</h2>\n<ol>\n", sections::EXPLAINED);
        for s in explain::steps(p, plan) {
            let _ = writeln!(o, "<li>{}</li>", esc(&s));
        }
        o.push_str("</ol>\n</section>\n");
    }
}

/// The boluses, each with a box to tick when given, and the warnings.
fn boluses(ctx: &Context, plan: &Plan, o: &mut String) {
    let t = sections::bolus_table(ctx, plan);
    // The table must fit the page's width, or the browser shrinks the whole page below 10 pt:
    // its headings may wrap (`.boluses th`), its cells do not.
    let class = |c: &sections::Column| match (c.right, c.emphasis) {
        (true, true) => "n dose",
        (true, false) => "n",
        (false, true) => "nowrap dose",
        (false, false) => "nowrap",
    };
    let _ = write!(o, "<section>\n<h2>{}</h2>\n", sections::BOLUSES);
    let give = order::administration(ctx.protocol, plan);
    if !give.is_empty() {
        let lines: Vec<String> = give.iter().map(|g| esc(g)).collect();
        let _ = writeln!(
            o,
            "<p class=\"give\"><b>{}:</b> {}.</p>",
            order::ADMINISTRATION,
            lines.join(".<br>")
        );
    }
    let signable = order::signable(ctx.protocol, plan);
    o.push_str("<table class=\"boluses\">\n<tr>");
    for c in &t.columns {
        match c.right {
            true => write!(o, "<th class=\"n\">{}</th>", esc(c.title)),
            false => write!(o, "<th>{}</th>", esc(c.title)),
        }
        .expect("writing to a string");
    }
    o.push_str(if signable {
        "<th>Given at, by</th></tr>\n"
    } else {
        "</tr>\n"
    });
    for r in &t.rows {
        o.push_str("<tr>");
        for (c, cell) in t.columns.iter().zip(r) {
            let _ = write!(o, "<td class=\"{}\">{}</td>", class(c), esc(cell));
        }
        o.push_str(if signable {
            "<td class=\"nowrap\"><span class=\"box\"></span>___:___ by ________</td></tr>\n"
        } else {
            "</tr>\n"
        });
    }
    let total = format!("<b>{}</b>", esc(&mass(ctx, &plan.planned_total)));
    let _ = writeln!(
        o,
        "</table>\n<p>{}.</p>\n</section>",
        sections::total_sentence(&total, plan.count)
    );

    // A draft's warning is left to its marks, at the head and foot of every page.
    let draft = format!("{}: ", super::DRAFT);
    let warnings: Vec<String> = super::warnings(ctx.protocol, plan)
        .into_iter()
        .filter(|w| !w.starts_with(&draft))
        .collect();
    if !warnings.is_empty() {
        // A box of its own, each warning a line: no heading, to keep the order to one page.
        o.push_str("<section class=\"warning\">\n");
        for w in &warnings {
            let _ = writeln!(o, "<p><b>Warning:</b> {}</p>", esc(w));
        }
        o.push_str("</section>\n");
    }
}

/// The timeline: the checkpoints, and the boluses one after another on one line.
fn timeline(ctx: &Context, plan: &Plan, o: &mut String) {
    let p = ctx.protocol;
    o.push_str("<section>\n<h2>Timeline</h2>\n<ul class=\"timeline\">\n");
    // The clock time where there is one, else the time after the first bolus (the table of
    // boluses above gives both).
    let when = |e: &super::Event| when_text(plan, e.offset);
    // Boluses one after another, with no checkpoint between them, take one line: the table
    // above has each of them, and the order has one page.
    let events = super::order_timeline(ctx, plan);
    let mut bolus = 0;
    let mut i = 0;
    while i < events.len() {
        let e = &events[i];
        if !e.bolus {
            let _ = writeln!(
                o,
                "<li><span class=\"at\">{}</span> {}</li>",
                esc(&when(e)),
                esc(&e.what)
            );
            i += 1;
            continue;
        }
        let run = events[i..].iter().take_while(|e| e.bolus).count();
        let first = bolus + 1;
        bolus += run;
        let (time, what) = if run == 1 {
            (when(e), e.what.to_string())
        } else {
            (
                format!("{} to {}", when(e), when(&events[i + run - 1])),
                format!(
                    "Boluses {first} to {bolus}, {} apart (table above)",
                    units::show_time(&p.interval)
                ),
            )
        };
        let _ = writeln!(
            o,
            "<li class=\"bolus-event\"><span class=\"at\">{}</span> {}</li>",
            esc(&time),
            esc(&what)
        );
        i += run;
    }
    o.push_str("</ul>\n</section>\n");
}

/// The rules checked, each with its source, one paragraph across the page.
fn rules(ctx: &Context, plan: &Plan, o: &mut String) {
    let checked: Vec<String> = sections::verified(ctx.protocol, plan)
        .iter()
        .map(|r| format!("<span class=\"ok\">ok</span> {}", esc(r)))
        .collect();
    let _ = writeln!(
        o,
        "<section class=\"checked\">\n<h2>Checked against the protocol</h2>\n<p>{}.</p>\n</section>",
        checked.join("; ")
    );
}

/// Whose the rules stated on the plan are, and what each source is, in two columns.
fn sources_section(p: &crate::engine::protocol::Protocol, o: &mut String) {
    let _ = write!(
        o,
        "<section class=\"sources\">\n<h2>{}</h2>\n<ul>\n",
        super::sources::SOURCES
    );
    for l in super::sources::block(p) {
        let _ = writeln!(o, "<li>{}</li>", esc(&l));
    }
    o.push_str("</ul>\n</section>\n");
}

/// A cell of the roles table: the role in bold, and room to write the name, the signature and
/// the time.
fn role_cell(role: &str) -> String {
    format!("<td><b>{}</b><br>name, signature, time</td>", esc(role))
}

/// The roles and checks of a signed plan, as a table to sign: the ordering physician, the person
/// giving the drug and the patient monitor (their source after the heading); the independent
/// double check with its tick boxes; the wasted drug and its witness; each with its source.
fn roles(p: &crate::engine::protocol::Protocol, o: &mut String) {
    use super::sources as src;
    use crate::engine::sources::Rule;
    let source = |rule| esc(&src::suffix(p, p.sources.of(rule)));
    let roles_source = match src::suffix(p, p.sources.of(Rule::Roles)) {
        s if s.is_empty() => String::new(),
        s => format!(" <span class=\"note\">roles{}</span>", esc(&s)),
    };
    let _ = write!(
        o,
        "<section class=\"roles\">\n<h2>{}{roles_source}</h2>\n<table class=\"sign roles\"><tr>",
        src::ROLES
    );
    for (role, _) in src::ROLE_LINES {
        o.push_str(&role_cell(role));
    }
    let boxes: Vec<String> = src::DOUBLE_CHECK_ITEMS
        .iter()
        .map(|i| format!("<span class=\"box\"></span>{i}"))
        .collect();
    let _ = writeln!(
        o,
        "</tr>\n<tr><td colspan=\"2\">{} {}{}: {}</td>{}</tr>",
        src::DOUBLE_CHECK,
        explain::join_and(&src::DOUBLE_CHECK_ITEMS.map(String::from)),
        source(Rule::DoubleCheck),
        boxes.join(" &nbsp;"),
        role_cell(src::CHECKED_BY)
    );
    let _ = writeln!(
        o,
        "<tr><td colspan=\"2\">{}: {}{}</td>{}</tr>\n</table>\n</section>",
        src::WASTED,
        esc(&src::wasted_blanks(p)),
        source(Rule::Waste),
        role_cell(src::WITNESSED_BY)
    );
}

/// The checklist's items under the source each is from (`Guideline`, `Label`, …), in the
/// protocol's order within each; a protocol that tags no item has one list with no headings.
fn checklist_items(p: &crate::engine::protocol::Protocol, o: &mut String) {
    use crate::engine::sources::Whose;
    let item = |o: &mut String, c: &str| {
        let _ = writeln!(o, "<li><span class=\"box\"></span>{}</li>", esc(c));
    };
    if !super::sources::any(p) {
        for c in &p.checklist {
            item(o, c);
        }
        return;
    }
    let groups: [Option<Whose>; 5] = [
        Some(Whose::Guideline),
        Some(Whose::Label),
        Some(Whose::Account),
        Some(Whose::Project),
        None,
    ];
    for g in groups {
        let items: Vec<&String> = p
            .checklist
            .iter()
            .enumerate()
            .filter(|(i, _)| p.sources.item(*i) == g)
            .map(|(_, c)| c)
            .collect();
        if items.is_empty() {
            continue;
        }
        let heading = g.map_or(super::sources::NOT_STATED, super::sources::word);
        let _ = writeln!(o, "<li class=\"group\">{}:</li>", esc(heading));
        for c in items {
            item(o, c);
        }
    }
}

/// The checklist under the source of each item.
fn checklist(p: &crate::engine::protocol::Protocol, o: &mut String) {
    if !p.checklist.is_empty() {
        let _ = write!(
            o,
            "<section>\n<h2>{}</h2>\n<ul class=\"ticks checklist\">\n",
            sections::CHECKLIST
        );
        checklist_items(p, o);
        o.push_str("</ul>\n</section>\n");
    }
}

/// The roles and the signature lines of a plan that may be used (none on one that may not:
/// its marks instead), then the protocol's identity and approval and the order's validity.
fn signature(ctx: &Context, plan: &Plan, marks: &[&str], o: &mut String) {
    let p = ctx.protocol;
    if marks.is_empty() {
        if !p.checklist.is_empty() {
            let _ = writeln!(
                o,
                "<p class=\"see\"><span class=\"box\"></span>{SEE_CHECKLIST}</p>"
            );
        }
        roles(p, o);
    }
    // A plan that may be signed says for which date it is valid, in the same paragraph.
    let validity = if marks.is_empty() {
        format!(" <b>{}</b>", esc(&order::validity_sentence(plan)))
    } else {
        String::new()
    };
    let _ = writeln!(
        o,
        "<section class=\"footer\">\n<p>Protocol <code>{}</code> ({}); approval: {}; computed by bolus {VERSION}; <b>{}.</b>{validity}<br>\
         SHA-256 of the protocol: <span class=\"hash\">{}</span></p>\n</section>",
        esc(&p.id),
        esc(&super::source_text(p)),
        esc(&super::approval_text(p)),
        sections::use_sentence(!marks.is_empty()),
        esc(&p.sha256)
    );
}
