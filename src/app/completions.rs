//! `bolus completions`: a shell completion script offering the protocol ids.

use super::{Failure, Outcome};
use crate::cli;
use crate::input::catalog::Catalog;

/// `bolus completions`: the script for a shell, offering the protocol ids that are safe to
/// write into it.
pub(super) fn completions(
    catalog: &Catalog,
    shell: clap_complete::Shell,
) -> Result<Outcome, Failure> {
    catalog.check_dir()?;
    let (ids, unsafe_ids): (Vec<String>, Vec<String>) =
        catalog.ids()?.into_iter().partition(|id| completable(id));
    let mut buf = Vec::new();
    clap_complete::generate(
        shell,
        &mut cli::completion_command(shell, &ids),
        "bolus",
        &mut buf,
    );
    let mut outcome = Outcome::out(String::from_utf8(buf).expect("UTF-8"));
    if shell == clap_complete::Shell::Bash {
        for id in unsafe_ids {
            outcome.stderr.push_str(&format!(
                "note: the protocol id `{}` is not offered for completion: only letters, \
                 digits, `.`, `_` and `-` are written into a completion script\n",
                id.escape_debug()
            ));
        }
    }
    Ok(outcome)
}

/// Whether a protocol id can be written into a completion script as it is: letters, digits,
/// `.`, `_` and `-` only, so no shell reads anything into it.
pub(super) fn completable(id: &str) -> bool {
    !id.is_empty()
        && !id.starts_with('-')
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}
