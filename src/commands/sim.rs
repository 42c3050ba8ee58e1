//! `cutover sim`.

use crate::cli::SimArgs;

pub fn run(_args: SimArgs) -> color_eyre::Result<u8> {
    Err(color_eyre::eyre::eyre!("`cutover sim` is not built yet"))
}
