//! The SQL a `sql` probe sends, per engine: every value is rendered inside
//! the database as one canonical text (docs/probes.md, "Normalisation"), so
//! equal data hashes equal on PostgreSQL, MariaDB/MySQL and SQLite alike
//! (SQLite has no MD5 and no text formats for these types: it calls the
//! functions `lite` registers on each connection, which render the same texts).

use crate::core::config::recon::SqlSource;

/// The engine on one side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Postgres,
    Mysql,
    Sqlite,
}

/// What kind of value a column holds, as far as the canonical text goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    Int,
    Decimal,
    Float,
    Bool,
    Text,
    Bytes,
    Date,
    Timestamp,
    /// With time zone: rendered in UTC.
    TimestampTz,
    Time,
    /// Anything else: the engine's own text form.
    Other,
}

impl Family {
    /// The family's name as SQLite's `cutover_canon` reads it.
    pub fn code(self) -> &'static str {
        match self {
            Family::Int => "int",
            Family::Decimal => "decimal",
            Family::Float => "float",
            Family::Bool => "bool",
            Family::Text => "text",
            Family::Bytes => "bytes",
            Family::Date => "date",
            Family::Timestamp => "timestamp",
            Family::TimestampTz => "timestamptz",
            Family::Time => "time",
            Family::Other => "other",
        }
    }

    /// From `code` (anything unknown is `Other`).
    pub fn of_code(code: &str) -> Family {
        [
            Family::Int,
            Family::Decimal,
            Family::Float,
            Family::Bool,
            Family::Text,
            Family::Bytes,
            Family::Date,
            Family::Timestamp,
            Family::TimestampTz,
            Family::Time,
        ]
        .into_iter()
        .find(|f| f.code() == code)
        .unwrap_or(Family::Other)
    }
}

/// The parts of the statement that do not depend on the segment.
#[derive(Debug, Clone)]
pub struct Shape {
    pub dialect: Dialect,
    /// `FROM ...` (a quoted table or a parenthesised query).
    pub from: String,
    /// `where` from the config, if any.
    pub filter: Option<String>,
    /// Key columns (name, family), then compared columns.
    pub key: Vec<(String, Family)>,
    pub columns: Vec<(String, Family)>,
    /// Both sides are PostgreSQL: sum its built-in 64-bit text hash, about
    /// twice as fast as MD5 (mixed engines need a hash both compute: MD5).
    pub native_hash: bool,
}

/// A half-open range `[lo, hi)` of the first key column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    pub lo: i64,
    pub hi: i64,
}

impl Dialect {
    /// From a connection URL's scheme.
    pub fn of_url(url: &str) -> Option<Dialect> {
        let scheme = url.split_once("://")?.0.to_ascii_lowercase();
        match scheme.as_str() {
            "postgres" | "postgresql" => Some(Dialect::Postgres),
            "mysql" | "mariadb" => Some(Dialect::Mysql),
            "sqlite" => Some(Dialect::Sqlite),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Dialect::Postgres => "PostgreSQL",
            Dialect::Mysql => "MySQL/MariaDB",
            Dialect::Sqlite => "SQLite",
        }
    }

    /// A quoted identifier (names are checked to be plain identifiers in the config).
    pub fn ident(self, name: &str) -> String {
        match self {
            Dialect::Postgres | Dialect::Sqlite => format!("\"{name}\""),
            Dialect::Mysql => format!("`{name}`"),
        }
    }

    fn to_text(self, e: &str) -> String {
        match self {
            Dialect::Postgres => format!("({e})::text"),
            Dialect::Mysql => format!("CAST({e} AS CHAR)"),
            Dialect::Sqlite => format!("CAST({e} AS TEXT)"),
        }
    }

    /// MySQL decimal text without trailing fractional zeros: 1.50 and 1.5
    /// are one value (PostgreSQL has `trim_scale`).
    fn trim_scale(self, text: &str) -> String {
        format!(
            "CASE WHEN INSTR({text}, '.') > 0 THEN TRIM(TRAILING '.' FROM TRIM(TRAILING '0' FROM {text})) ELSE {text} END"
        )
    }

    /// The canonical text of a column value (NULL stays NULL).
    pub fn canonical(self, column: &str, family: Family) -> String {
        let c = self.ident(column);
        use Dialect::*;
        use Family::*;
        match (self, family) {
            (Postgres, Int | Other) => format!("{c}::text"),
            (Postgres, Text) => format!("{c}::text"),
            (Postgres, Decimal) => format!("trim_scale({c})::text"),
            (Postgres, Float) => format!("trim_scale(round({c}::numeric, 9))::text"),
            (Postgres, Bool) => format!("({c}::int)::text"),
            (Postgres, Bytes) => format!("encode({c}, 'hex')"),
            (Postgres, Date) => format!("to_char({c}, 'YYYY-MM-DD')"),
            (Postgres, Timestamp) => format!("to_char({c}, 'YYYY-MM-DD\"T\"HH24:MI:SS.US')"),
            (Postgres, TimestampTz) => {
                format!("to_char({c} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US')")
            }
            (Postgres, Time) => format!("to_char({c}, 'HH24:MI:SS.US')"),
            (Mysql, Int | Other | Bool) => format!("CAST({c} AS CHAR)"),
            (Mysql, Text) => format!("CONVERT({c} USING utf8mb4)"),
            (Mysql, Decimal) => self.trim_scale(&format!("CAST({c} AS CHAR)")),
            (Mysql, Float) => self.trim_scale(&format!("CAST(CAST({c} AS DECIMAL(65,9)) AS CHAR)")),
            (Mysql, Bytes) => format!("LOWER(HEX({c}))"),
            (Mysql, Date) => format!("DATE_FORMAT({c}, '%Y-%m-%d')"),
            // TIMESTAMP values come out in the session time zone, set to UTC
            (Mysql, Timestamp | TimestampTz) => format!("DATE_FORMAT({c}, '%Y-%m-%dT%H:%i:%s.%f')"),
            (Mysql, Time) => format!("TIME_FORMAT({c}, '%H:%i:%s.%f')"),
            (Sqlite, f) => format!("cutover_canon({c}, '{}')", f.code()),
        }
    }

    /// One field of the row text: the text and U+001F (unit separator), or
    /// U+001E (record separator) alone for NULL, so that NULL and '' differ.
    /// (A length prefix would also rule out shifts between neighbours whose
    /// values contain these control characters, at twice the cost per row.)
    fn field(self, column: &str, family: Family) -> String {
        let v = self.canonical(column, family);
        match self {
            Dialect::Postgres => format!("coalesce({v} || chr(31), chr(30))"),
            Dialect::Sqlite => format!("coalesce({v} || char(31), char(30))"),
            Dialect::Mysql => {
                format!("COALESCE(CONCAT({v}, CHAR(31 USING utf8mb4)), CHAR(30 USING utf8mb4))")
            }
        }
    }

    /// The canonical row text: key fields, then compared fields.
    fn row_text(self, shape: &Shape) -> String {
        let fields: Vec<String> = shape
            .key
            .iter()
            .chain(&shape.columns)
            .map(|(c, f)| self.field(c, *f))
            .collect();
        match self {
            Dialect::Postgres | Dialect::Sqlite => fields.join(" || "),
            Dialect::Mysql => format!("CONCAT({})", fields.join(", ")),
        }
    }

    /// The row's hash as an integer: the first 15 hex digits of MD5 (60
    /// bits), or PostgreSQL's `hashtextextended` when both sides are PostgreSQL.
    fn row_hash60(self, shape: &Shape) -> String {
        let row = self.row_text(shape);
        match self {
            Dialect::Postgres if shape.native_hash => format!("hashtextextended({row}, 0)"),
            Dialect::Postgres => format!("('x' || substr(md5({row}), 1, 15))::bit(60)::bigint"),
            Dialect::Mysql => {
                format!("CAST(CONV(SUBSTRING(MD5({row}), 1, 15), 16, 10) AS UNSIGNED)")
            }
            // SQLite sums in 64 bits and fails on overflow: its hash sum is an aggregate
            Dialect::Sqlite => format!("cutover_h60({row})"),
        }
    }

    /// The sum of the row hashes as text ("0" over no row).
    fn hash_sum(self, shape: &Shape) -> String {
        match self {
            Dialect::Sqlite => format!("cutover_hashsum({})", self.row_text(shape)),
            _ => self.to_text(&format!("COALESCE(SUM({}), 0)", self.row_hash60(shape))),
        }
    }

    fn first_key_int(self, shape: &Shape) -> String {
        let k = self.ident(shape.key.first().map(|k| k.0.as_str()).unwrap_or(""));
        match self {
            Dialect::Postgres => format!("{k}::bigint"),
            Dialect::Mysql => format!("CAST({k} AS SIGNED)"),
            Dialect::Sqlite => format!("CAST({k} AS INTEGER)"),
        }
    }

    fn conditions(self, shape: &Shape, range: Option<Range>) -> String {
        let mut conds = Vec::new();
        if let Some(f) = &shape.filter {
            conds.push(format!("({f})"));
        }
        if let Some(r) = range {
            let k = self.ident(shape.key.first().map(|k| k.0.as_str()).unwrap_or(""));
            conds.push(format!("{k} >= {} AND {k} < {}", r.lo, r.hi));
        }
        if conds.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", conds.join(" AND "))
        }
    }

    /// `count, sum of row hashes` over the whole (filtered) data: for a key
    /// that cannot be split.
    pub fn overview(self, shape: &Shape) -> String {
        let count = self.to_text("COUNT(*)");
        let sum = self.hash_sum(shape);
        format!(
            "SELECT {count}, {sum} FROM {}{}",
            shape.from,
            self.conditions(shape, None)
        )
    }

    /// The integer first key column's min and max (an index lookup when indexed).
    pub fn key_range(self, shape: &Shape) -> String {
        let k = self.first_key_int(shape);
        format!(
            "SELECT {}, {} FROM {}{}",
            self.to_text(&format!("MIN({k})")),
            self.to_text(&format!("MAX({k})")),
            shape.from,
            self.conditions(shape, None)
        )
    }

    /// `bucket, count, sum` for `range` cut into buckets of `width` keys.
    pub fn buckets(self, shape: &Shape, range: Range, width: i64) -> String {
        let k = self.first_key_int(shape);
        let bucket = match self {
            Dialect::Postgres | Dialect::Sqlite => format!("(({k} - ({})) / {width})", range.lo),
            Dialect::Mysql => format!("(({k} - ({})) DIV {width})", range.lo),
        };
        format!(
            "SELECT {}, {}, {} FROM {}{} GROUP BY {bucket}",
            self.to_text(&bucket),
            self.to_text("COUNT(*)"),
            self.hash_sum(shape),
            shape.from,
            self.conditions(shape, Some(range))
        )
    }

    /// Every row of `range` (all rows when `None`): key fields as canonical
    /// text, then the MD5 of the canonical row text.
    pub fn rows(self, shape: &Shape, range: Option<Range>) -> String {
        let mut cols: Vec<String> = shape
            .key
            .iter()
            .map(|(c, f)| self.canonical(c, *f))
            .collect();
        let md5 = match self {
            Dialect::Sqlite => "cutover_md5",
            _ => "MD5",
        };
        cols.push(format!("{md5}({})", self.row_text(shape)));
        format!(
            "SELECT {} FROM {}{}",
            cols.join(", "),
            shape.from,
            self.conditions(shape, range)
        )
    }

    /// A statement that returns no row but describes the columns.
    pub fn describe(self, from: &str) -> String {
        format!("SELECT * FROM {from} WHERE 1 = 0")
    }

    /// `FROM` text for the configured table or query.
    pub fn from_clause(self, source: &SqlSource) -> String {
        match source {
            SqlSource::Table(t) => t
                .split('.')
                .map(|p| self.ident(p))
                .collect::<Vec<_>>()
                .join("."),
            SqlSource::Query(q) => format!("({q}) AS cutover_rows"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(d: Dialect) -> Shape {
        Shape {
            dialect: d,
            from: d.from_clause(&SqlSource::Table("adt.enc".into())),
            filter: Some("a > 1".into()),
            key: vec![("id".into(), Family::Int)],
            columns: vec![
                ("note".into(), Family::Text),
                ("at".into(), Family::TimestampTz),
            ],
            native_hash: false,
        }
    }

    #[test]
    fn statements_quote_names_and_bound_the_range() {
        let pg = shape(Dialect::Postgres);
        let q = Dialect::Postgres.buckets(&pg, Range { lo: -5, hi: 95 }, 10);
        assert!(
            q.contains("FROM \"adt\".\"enc\" WHERE (a > 1) AND \"id\" >= -5 AND \"id\" < 95"),
            "{q}"
        );
        assert!(q.contains("((\"id\"::bigint - (-5)) / 10)"), "{q}");
        assert!(q.contains("AT TIME ZONE 'UTC'"), "{q}");
        let my = shape(Dialect::Mysql);
        let q = Dialect::Mysql.rows(&my, None);
        assert!(
            q.starts_with("SELECT CAST(`id` AS CHAR), MD5(CONCAT(COALESCE("),
            "{q}"
        );
        assert!(q.ends_with("FROM `adt`.`enc` WHERE (a > 1)"), "{q}");
        assert_eq!(
            Dialect::of_url("postgresql://h/db"),
            Some(Dialect::Postgres)
        );
        assert_eq!(Dialect::of_url("mariadb://h/db"), Some(Dialect::Mysql));
        assert_eq!(Dialect::of_url("sqlserver://h"), None);
    }
}
