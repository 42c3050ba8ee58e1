//! `cutover status`.

use crate::cli::StatusArgs;

pub fn run(_args: StatusArgs) -> color_eyre::Result<u8> {
    Err(color_eyre::eyre::eyre!("`cutover status` is not built yet"))
}
