//! `cutover replay`.

use crate::cli::ReplayArgs;

pub fn run(_args: ReplayArgs) -> color_eyre::Result<u8> {
    Err(color_eyre::eyre::eyre!("`cutover replay` is not built yet"))
}
