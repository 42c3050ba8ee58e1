//! `cutover run`.

use crate::cli::RunArgs;

pub fn run(_args: RunArgs) -> color_eyre::Result<u8> {
    Err(color_eyre::eyre::eyre!("`cutover run` is not built yet"))
}
