//! Connections to one side's database: PostgreSQL through tokio-postgres,
//! MySQL/MariaDB through mysql_async, SQLite through rusqlite (`lite`). Every session is read-only, in UTC,
//! with a server-side statement timeout. Every query returns text columns
//! (the canonical texts are built inside the database), so both engines
//! answer in one shape. Errors never carry the connection URL.

use super::dialect::{Dialect, Family};
use super::side::{redact, show, SideSpec, TextRow};
use crate::probe::http::Failure;
use std::time::Duration;

/// One open connection.
pub enum Conn {
    Pg(tokio_postgres::Client, tokio::task::JoinHandle<()>),
    My(Box<mysql_async::Conn>),
    Lite(super::lite::Lite),
}

fn fail(side: &str, what: &str, msg: String, url: &str) -> Failure {
    let msg = redact(&msg, url);
    Failure::new(format!(
        "{side}: {what}: {}",
        crate::core::sanitize::inert_short(&msg, 160)
    ))
}

/// Why a query failed, in words an operator needs (a timeout is named as such).
fn pg_error(e: &tokio_postgres::Error, timeout: Duration) -> String {
    match e.as_db_error() {
        Some(db) if db.code() == &tokio_postgres::error::SqlState::QUERY_CANCELED => {
            format!("statement timeout ({}) exceeded", show(timeout))
        }
        Some(db) => format!("{} ({})", db.message(), db.code().code()),
        None => e.to_string(),
    }
}

fn my_error(e: &mysql_async::Error, timeout: Duration) -> String {
    match e {
        // 1969: MariaDB max_statement_time; 3024: MySQL max_execution_time
        mysql_async::Error::Server(s) if s.code == 1969 || s.code == 3024 => {
            format!("statement timeout ({}) exceeded", show(timeout))
        }
        mysql_async::Error::Server(s) => format!("{} ({})", s.message, s.code),
        other => other.to_string(),
    }
}

impl SideSpec {
    /// Opens a read-only UTC session with the statement timeout set.
    pub async fn connect(&self) -> Result<Conn, Failure> {
        let t = self.statement_timeout;
        match self.dialect {
            Dialect::Postgres => {
                let (client, connection) =
                    tokio_postgres::connect(&self.url, tokio_postgres::NoTls)
                        .await
                        .map_err(|e| {
                            fail(self.side, "cannot connect", pg_error(&e, t), &self.url)
                        })?;
                let task = tokio::spawn(async move {
                    let _ = connection.await;
                });
                let setup = format!(
                    "SET default_transaction_read_only = on; SET statement_timeout = {}; \
                     SET TimeZone = 'UTC'; SET application_name = 'cutover-recon'",
                    t.as_millis().max(1)
                );
                client
                    .batch_execute(&setup)
                    .await
                    .map_err(|e| fail(self.side, "session setup", pg_error(&e, t), &self.url))?;
                Ok(Conn::Pg(client, task))
            }
            Dialect::Mysql => {
                // mysql_async reads only mysql:// URLs
                let url = match self.url.split_once("://") {
                    Some((_, rest)) => format!("mysql://{rest}"),
                    None => self.url.clone(),
                };
                let opts = mysql_async::Opts::from_url(&url).map_err(|_| {
                    Failure::new(format!(
                        "{}: the connection URL is not a valid MySQL URL",
                        self.side
                    ))
                })?;
                let mut conn = mysql_async::Conn::new(opts)
                    .await
                    .map_err(|e| fail(self.side, "cannot connect", my_error(&e, t), &url))?;
                use mysql_async::prelude::Queryable;
                let version: Option<String> = conn
                    .query_first("SELECT VERSION()")
                    .await
                    .map_err(|e| fail(self.side, "session setup", my_error(&e, t), &url))?;
                let mariadb = version.is_some_and(|v| v.to_ascii_lowercase().contains("mariadb"));
                let limit = if mariadb {
                    format!(
                        "SET SESSION max_statement_time = {}",
                        t.as_secs_f64().max(0.001)
                    )
                } else {
                    format!("SET SESSION max_execution_time = {}", t.as_millis().max(1))
                };
                for stmt in [
                    "SET NAMES utf8mb4",
                    "SET SESSION time_zone = '+00:00'",
                    "SET SESSION TRANSACTION READ ONLY",
                    limit.as_str(),
                ] {
                    conn.query_drop(stmt)
                        .await
                        .map_err(|e| fail(self.side, "session setup", my_error(&e, t), &url))?;
                }
                Ok(Conn::My(Box::new(conn)))
            }
            Dialect::Sqlite => Ok(Conn::Lite(super::lite::Lite::open(self).await?)),
        }
    }
}

impl Conn {
    /// Runs `sql` and returns every row as text cells.
    pub async fn query(&mut self, spec: &SideSpec, sql: &str) -> Result<Vec<TextRow>, Failure> {
        let t = spec.statement_timeout;
        match self {
            Conn::Pg(client, _) => {
                let rows = client
                    .simple_query(sql)
                    .await
                    .map_err(|e| fail(spec.side, "query failed", pg_error(&e, t), &spec.url))?;
                Ok(rows
                    .into_iter()
                    .filter_map(|m| match m {
                        tokio_postgres::SimpleQueryMessage::Row(r) => {
                            Some((0..r.len()).map(|i| r.get(i).map(str::to_string)).collect())
                        }
                        _ => None,
                    })
                    .collect())
            }
            Conn::My(conn) => {
                use mysql_async::prelude::Queryable;
                let rows: Vec<mysql_async::Row> = conn
                    .query(sql)
                    .await
                    .map_err(|e| fail(spec.side, "query failed", my_error(&e, t), &spec.url))?;
                Ok(rows
                    .into_iter()
                    .map(|r| {
                        (0..r.len())
                            .map(|i| match r.as_ref(i) {
                                Some(mysql_async::Value::Bytes(b)) => {
                                    Some(String::from_utf8_lossy(b).into_owned())
                                }
                                Some(mysql_async::Value::NULL) | None => None,
                                Some(other) => {
                                    Some(other.as_sql(true).trim_matches('\'').to_string())
                                }
                            })
                            .collect()
                    })
                    .collect())
            }
            Conn::Lite(lite) => lite.query(spec, sql).await,
        }
    }

    /// The columns of `sql` (a statement that returns no row), with the
    /// family each one's type belongs to.
    pub async fn describe(
        &mut self,
        spec: &SideSpec,
        sql: &str,
    ) -> Result<Vec<(String, Family)>, Failure> {
        let t = spec.statement_timeout;
        match self {
            Conn::Pg(client, _) => {
                let stmt = client.prepare(sql).await.map_err(|e| {
                    fail(
                        spec.side,
                        "cannot read the columns",
                        pg_error(&e, t),
                        &spec.url,
                    )
                })?;
                Ok(stmt
                    .columns()
                    .iter()
                    .map(|c| (c.name().to_string(), pg_family(c.type_())))
                    .collect())
            }
            Conn::My(conn) => {
                use mysql_async::prelude::Queryable;
                let result = conn.query_iter(sql).await.map_err(|e| {
                    fail(
                        spec.side,
                        "cannot read the columns",
                        my_error(&e, t),
                        &spec.url,
                    )
                })?;
                let cols: Vec<(String, Family)> = result
                    .columns_ref()
                    .iter()
                    .map(|c| (c.name_str().into_owned(), my_family(c)))
                    .collect();
                result.drop_result().await.map_err(|e| {
                    fail(
                        spec.side,
                        "cannot read the columns",
                        my_error(&e, t),
                        &spec.url,
                    )
                })?;
                Ok(cols)
            }
            Conn::Lite(lite) => lite.describe(spec, sql).await,
        }
    }

    /// Closes the connection politely (the server frees the session at once).
    pub async fn close(self) {
        match self {
            Conn::Pg(client, task) => {
                drop(client);
                let _ = tokio::time::timeout(Duration::from_secs(1), task).await;
            }
            Conn::My(conn) => {
                let _ = tokio::time::timeout(Duration::from_secs(1), conn.disconnect()).await;
            }
            Conn::Lite(_) => {}
        }
    }
}

fn pg_family(t: &tokio_postgres::types::Type) -> Family {
    use tokio_postgres::types::Type;
    match *t {
        Type::INT2 | Type::INT4 | Type::INT8 => Family::Int,
        Type::NUMERIC => Family::Decimal,
        Type::FLOAT4 | Type::FLOAT8 => Family::Float,
        Type::BOOL => Family::Bool,
        Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::CHAR => Family::Text,
        Type::BYTEA => Family::Bytes,
        Type::DATE => Family::Date,
        Type::TIMESTAMP => Family::Timestamp,
        Type::TIMESTAMPTZ => Family::TimestampTz,
        Type::TIME => Family::Time,
        _ => Family::Other,
    }
}

fn my_family(c: &mysql_async::Column) -> Family {
    use mysql_async::consts::ColumnType::*;
    // character set 63 is `binary`: BLOB / VARBINARY rather than text
    let binary = c.character_set() == 63;
    match c.column_type() {
        MYSQL_TYPE_TINY | MYSQL_TYPE_SHORT | MYSQL_TYPE_LONG | MYSQL_TYPE_LONGLONG
        | MYSQL_TYPE_INT24 | MYSQL_TYPE_YEAR => Family::Int,
        MYSQL_TYPE_DECIMAL | MYSQL_TYPE_NEWDECIMAL => Family::Decimal,
        MYSQL_TYPE_FLOAT | MYSQL_TYPE_DOUBLE => Family::Float,
        MYSQL_TYPE_VARCHAR
        | MYSQL_TYPE_VAR_STRING
        | MYSQL_TYPE_STRING
        | MYSQL_TYPE_BLOB
        | MYSQL_TYPE_TINY_BLOB
        | MYSQL_TYPE_MEDIUM_BLOB
        | MYSQL_TYPE_LONG_BLOB => {
            if binary {
                Family::Bytes
            } else {
                Family::Text
            }
        }
        MYSQL_TYPE_JSON | MYSQL_TYPE_ENUM | MYSQL_TYPE_SET => Family::Text,
        MYSQL_TYPE_DATE | MYSQL_TYPE_NEWDATE => Family::Date,
        MYSQL_TYPE_DATETIME | MYSQL_TYPE_DATETIME2 => Family::Timestamp,
        MYSQL_TYPE_TIMESTAMP | MYSQL_TYPE_TIMESTAMP2 => Family::TimestampTz,
        MYSQL_TYPE_TIME | MYSQL_TYPE_TIME2 => Family::Time,
        _ => Family::Other,
    }
}
