//! Listeners bound to port 0 and handed over bound: no bind-release-reuse
//! race between tests running in parallel.

/// A loopback listener on a free port, still bound.
pub fn listener() -> std::net::TcpListener {
    std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0")
}

/// For a server that must bind its own port (an external process): the
/// OS picks a free port; the small window before the server binds it is
/// the one race left, and the caller retries on a bind failure.
pub fn port_for_external() -> u16 {
    listener()
        .local_addr()
        .map(|a| a.port())
        .expect("local addr")
}
