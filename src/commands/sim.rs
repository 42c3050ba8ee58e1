//! `cutover sim NAME|FILE --listen ADDR [--speed N]`: serve simulated systems until Ctrl-C.

use crate::cli::SimArgs;
use color_eyre::eyre::{eyre, WrapErr};
use cutover_cockpit::sim::{self, Scenario};
use std::net::SocketAddr;

pub fn run(args: SimArgs) -> color_eyre::Result<u8> {
    let listen: SocketAddr = args.listen.parse().map_err(|_| {
        eyre!(
            "--listen {}: not an address (expected IP:PORT, e.g. 127.0.0.1:7700)",
            args.listen
        )
    })?;
    if !(args.speed.is_finite() && args.speed > 0.0) {
        return Err(eyre!("--speed {}: expected a positive number", args.speed));
    }
    let scenario = Scenario::resolve(&args.scenario)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .wrap_err("cannot start the async runtime")?;
    rt.block_on(async {
        let handle = sim::start(scenario.clone(), listen, args.speed).await?;
        eprintln!(
            "cutover sim: scenario \"{}\" ({}) on {} at speed {}; Ctrl-C stops",
            cutover_cockpit::core::sanitize::inert(&scenario.name),
            scenario.length,
            handle.base_url(),
            args.speed
        );
        if let (Some(tls), Some(pem)) = (handle.tls_addr, &handle.ca_pem) {
            let path = std::env::temp_dir().join(format!("cutover-sim-{}-ca.pem", tls.port()));
            std::fs::write(&path, pem)
                .wrap_err_with(|| format!("cannot write the simulator CA to {}", path.display()))?;
            eprintln!(
                "cutover sim: HTTPS on https://{tls} (certificate expires at scenario time {}); ca_file = \"{}\"",
                scenario.cert_expires_at.unwrap_or_default(),
                path.display()
            );
        }
        let _ = tokio::signal::ctrl_c().await;
        handle.stop().await;
        Ok::<u8, color_eyre::Report>(0)
    })
}
