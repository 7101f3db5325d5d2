//! The whole command line built for the man page and the completion scripts.

use clap::CommandFactory;

use super::protocols::ProtocolsArgs;
use super::teach::TeachArgs;
use super::Cli;

/// The whole command line for completions and the man page. Subcommands are deferred (their
/// arguments are built when they run, for start-up time); `protocols` has subcommands of its own,
/// which the `help` subcommand lists only if they exist when the tree is built. So its deferred
/// part (what the derive would run: `ProtocolsArgs::augment_args`) is run here, and replaced by
/// nothing.
pub fn full_command() -> clap::Command {
    Cli::command().mut_subcommands(|sub| {
        if sub.get_name() == "protocols" {
            <ProtocolsArgs as clap::Args>::augment_args(sub.defer(|built| built))
        } else if sub.get_name() == "teach" {
            <TeachArgs as clap::Args>::augment_args(sub.defer(|built| built))
        } else {
            sub
        }
    })
}

/// The command line for a completion script. For bash, every positional `<PROTOCOL>` lists
/// `ids` as its possible values: bash offers them, and falls back to file names for a word that
/// matches none (its script is registered with `-o default`). The other shells' scripts are
/// generated from clap's static definitions, which can offer a list of values only in place of
/// file names (zsh) or not for positional arguments at all (fish, elvish, PowerShell); there a
/// `<PROTOCOL>` completes as a file name.
pub fn completion_command(shell: clap_complete::Shell, ids: &[String]) -> clap::Command {
    let mut cmd = full_command();
    if shell != clap_complete::Shell::Bash || ids.is_empty() {
        return cmd;
    }
    // Building runs the deferred parts, so that every subcommand's arguments exist to be changed.
    cmd.build();
    with_protocol_ids(cmd, ids)
}

fn with_protocol_ids(cmd: clap::Command, ids: &[String]) -> clap::Command {
    let has_protocol = cmd
        .get_positionals()
        .any(|a| a.get_id().as_str() == "protocol");
    let cmd = if has_protocol {
        let values: Vec<clap::builder::PossibleValue> = ids
            .iter()
            .map(|id| clap::builder::PossibleValue::new(id.clone()))
            .collect();
        cmd.mut_arg("protocol", |a| {
            a.value_parser(clap::builder::PossibleValuesParser::new(values))
        })
    } else {
        cmd
    };
    cmd.mut_subcommands(|sub| with_protocol_ids(sub, ids))
}

/// The man page, with a section for each subcommand and the EXIT STATUS and EXAMPLES
/// sections, as roff.
pub fn man_page() -> String {
    let cmd = full_command();
    let mut out = Vec::new();
    let man = clap_mangen::Man::new(cmd.clone()).date("2026-11-22");
    man.render_title(&mut out).expect("in memory");
    man.render_name_section(&mut out).expect("in memory");
    man.render_synopsis_section(&mut out).expect("in memory");
    man.render_description_section(&mut out).expect("in memory");
    man.render_options_section(&mut out).expect("in memory");
    let mut text = String::from_utf8(out).expect("UTF-8");
    // No hyphenation: options and units must stay whole to be copied.
    if let Some(end) = text.find('\n') {
        text.insert_str(end + 1, ".nr HY 0\n.nh\n");
    }
    text.push_str(".SH COMMANDS\n");
    let mut stack: Vec<(String, clap::Command)> = cmd
        .get_subcommands()
        .filter(|c| c.get_name() != "help")
        .map(|c| (format!("bolus {}", c.get_name()), c.clone()))
        .collect();
    stack.reverse();
    while let Some((name, sub)) = stack.pop() {
        let mut sub = sub
            .bin_name(name.clone())
            .name(name.clone())
            .disable_help_flag(true);
        // Rendering the usage builds the subcommand, deferred arguments and subcommands included.
        let usage = sub.render_usage().to_string();
        // The shared options are described once, in the OPTIONS section.
        let sub = sub.mut_args(|a| match a.get_id().as_str() {
            "protocols" | "draft" | "clinic" => a.hide(true),
            _ => a,
        });
        let nested: Vec<_> = sub
            .get_subcommands()
            .filter(|c| c.get_name() != "help")
            .map(|c| (format!("{name} {}", c.get_name()), c.clone()))
            .collect();
        let usage = usage.trim().trim_start_matches("Usage:").trim();
        let man = clap_mangen::Man::new(sub.clone());
        let mut buf = Vec::new();
        if sub.get_arguments().any(|a| !a.is_hide_set()) {
            man.render_options_section(&mut buf).expect("in memory");
        }
        let body = String::from_utf8(buf).expect("UTF-8");
        text.push_str(&format!(".SS \"{name}\"\n"));
        text.push_str(&format!(".B {}\n.PP\n", roff_escape(usage)));
        if let Some(about) = sub.get_long_about().or(sub.get_about()) {
            text.push_str(&format!("{}\n.PP\n", roff_escape(&about.to_string())));
        }
        for line in body.lines() {
            if line.starts_with(".SH ") {
                continue;
            }
            text.push_str(line);
            text.push('\n');
        }
        stack.extend(nested.into_iter().rev());
    }
    text.push_str(MAN_EXTRA);
    text
}

/// Escapes text for a roff line: backslashes, and hyphens as minus signs.
fn roff_escape(s: &str) -> String {
    s.replace('\\', "\\e").replace('-', "\\-")
}

const MAN_EXTRA: &str = include_str!("man_extra.roff");
