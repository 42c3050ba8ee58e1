//! `cutover verify`.

use crate::cli::VerifyArgs;

pub fn run(_args: VerifyArgs) -> color_eyre::Result<u8> {
    Err(color_eyre::eyre::eyre!("`cutover verify` is not built yet"))
}
