//! `cutover report`.

use crate::cli::ReportArgs;

pub fn run(_args: ReportArgs) -> color_eyre::Result<u8> {
    Err(color_eyre::eyre::eyre!("`cutover report` is not built yet"))
}
