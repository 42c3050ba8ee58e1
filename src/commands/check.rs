//! `cutover check`.

use crate::cli::CheckArgs;

pub fn run(_args: CheckArgs) -> color_eyre::Result<u8> {
    Err(color_eyre::eyre::eyre!("`cutover check` is not built yet"))
}
