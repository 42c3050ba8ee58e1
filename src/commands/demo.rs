//! `cutover demo`.

use crate::cli::DemoArgs;

pub fn run(_args: DemoArgs) -> color_eyre::Result<u8> {
    Err(color_eyre::eyre::eyre!("`cutover demo` is not built yet"))
}
