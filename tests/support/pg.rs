//! A PostgreSQL server of the test's own: initdb into a temp dir, started on
//! a loopback port, stopped (and deleted) on drop. PostgreSQL refuses to run
//! as root, so under root it runs as the `postgres` user (runuser).

use super::{external, net, temp_dir, TempDir};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN_DIRS: &[&str] = &[
    "/usr/lib/postgresql/17/bin",
    "/usr/lib/postgresql/16/bin",
    "/usr/lib/postgresql/15/bin",
    "/usr/lib/postgresql/14/bin",
];

pub struct Pg {
    dir: TempDir,
    bin: PathBuf,
    pub port: u16,
    as_postgres: bool,
}

fn running_as_root() -> bool {
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

fn find_bin() -> Option<PathBuf> {
    let extra: Vec<String> = BIN_DIRS.iter().map(|d| format!("{d}/initdb")).collect();
    let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
    let initdb = external::require("initdb", &extra, "apt-get install -y postgresql")?;
    initdb.parent().map(Path::to_path_buf)
}

impl Pg {
    /// Starts a server; `None` when PostgreSQL is not installed (outside CI).
    pub fn start() -> Option<Pg> {
        let bin = find_bin()?;
        let dir = temp_dir("cutover-pg");
        let as_postgres = running_as_root();
        if as_postgres {
            // the postgres user must be able to enter the dir and own the data
            let _ = std::fs::set_permissions(
                &dir.path,
                std::os::unix::fs::PermissionsExt::from_mode(0o755),
            );
            let ok = Command::new("chown")
                .arg("postgres")
                .arg(&dir.path)
                .status()
                .is_ok_and(|s| s.success());
            assert!(ok, "chown postgres {}", dir.path.display());
        }
        let mut pg = Pg {
            dir,
            bin,
            port: 0,
            as_postgres,
        };
        let data = pg.dir.join("data");
        let out = pg.run(
            "initdb",
            &[
                "-D",
                &data.to_string_lossy(),
                "--auth=trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ],
        );
        assert!(
            out.status.success(),
            "initdb: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        // the port is free when picked; another process may take it first: retry
        for _ in 0..3 {
            pg.port = net::port_for_external();
            let opts = format!(
                "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off",
                pg.port,
                pg.dir.path.display()
            );
            let log = pg.dir.join("server.log");
            let out = pg.run(
                "pg_ctl",
                &[
                    "-D",
                    &data.to_string_lossy(),
                    "-o",
                    &opts,
                    "-l",
                    &log.to_string_lossy(),
                    "-w",
                    "-t",
                    "60",
                    "start",
                ],
            );
            if out.status.success() {
                return Some(pg);
            }
        }
        panic!(
            "postgres did not start: {}",
            std::fs::read_to_string(pg.dir.join("server.log")).unwrap_or_default()
        );
    }

    fn run(&self, tool: &str, args: &[&str]) -> Output {
        let exe = self.bin.join(tool);
        let mut cmd = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&exe);
            c
        } else {
            Command::new(&exe)
        };
        cmd.args(args)
            .current_dir(&self.dir.path)
            .output()
            .unwrap_or_else(|e| panic!("{tool}: {e}"))
    }

    /// A connection URL for database `db` (trust auth: any password is ignored).
    pub fn url(&self, db: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{db}", self.port)
    }

    /// Runs SQL with psql (stops at the first error, panics with it).
    pub fn sql(&self, db: &str, sql: &str) {
        let file = self.dir.join(&format!("load-{}.sql", std::process::id()));
        std::fs::write(&file, sql).expect("write sql");
        let psql = match self.bin.join("psql") {
            p if p.is_file() => p,
            _ => PathBuf::from("psql"),
        };
        let out = Command::new(psql)
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-U",
                "postgres",
            ])
            .args(["-d", db, "-v", "ON_ERROR_STOP=1", "-q", "-f"])
            .arg(&file)
            .output()
            .expect("psql");
        assert!(
            out.status.success(),
            "psql: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Creates database `db`.
    pub fn create_db(&self, db: &str) {
        self.sql("postgres", &format!("CREATE DATABASE \"{db}\";"));
    }
}

impl Drop for Pg {
    fn drop(&mut self) {
        let data = self.dir.join("data");
        let _ = self.run(
            "pg_ctl",
            &[
                "-D",
                &data.to_string_lossy(),
                "-m",
                "immediate",
                "-w",
                "stop",
            ],
        );
    }
}
