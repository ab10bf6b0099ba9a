//! `mutual man [COMMAND]`: a manual page, in roff, on stdout: the command's
//! own page, or one subcommand's (`mutual-run(1)`), as git's pages are split.

use clap::CommandFactory;
use std::io::Write;
use std::process::ExitCode;

/// Prints the manual page of `mutual`, or of its subcommand `sub`.
pub fn man(sub: Option<&str>) -> ExitCode {
    let mut command = crate::cli::Cli::command();
    command.build();
    let page_of = match sub {
        None => command,
        Some(name) => match command.find_subcommand(name) {
            Some(s) => {
                let full = format!("mutual-{name}");
                s.clone()
                    .name(full.clone())
                    .display_name(full)
                    .bin_name(format!("mutual {name}"))
            }
            None => {
                eprintln!(
                    "error: `mutual` has no command `{}`",
                    crate::terminal_text::escape(name)
                );
                return ExitCode::from(super::EXIT_USAGE);
            }
        },
    };
    let mut page = Vec::new();
    if let Err(e) = clap_mangen::Man::new(page_of).render(&mut page) {
        eprintln!("error: cannot render the manual page: {e}");
        return ExitCode::from(super::EXIT_INVALID);
    }
    let _ = std::io::stdout().lock().write_all(&page);
    ExitCode::SUCCESS
}
