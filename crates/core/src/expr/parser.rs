//! Recursive-descent parser for the grammar in docs/runbook.md.

use super::ast::{ArithOp, CmpOp, Expr, MetricRef, TwoSampleFn, WindowFn, BASELINE_STATS};
use super::lexer::{lex, ExprError, Tok, Token};

/// Parses an expression; errors carry the character offset inside `src`.
pub fn parse(src: &str) -> Result<Expr, ExprError> {
    let tokens = lex(src)?;
    let end = src.chars().count();
    let mut p = Parser {
        tokens,
        pos: 0,
        end,
        depth: 0,
    };
    if p.tokens.is_empty() {
        return Err(ExprError::new(0, "empty expression"));
    }
    let e = p.expr()?;
    match p.peek() {
        None => Ok(e),
        Some(t) => Err(ExprError::new(
            t.offset,
            format!(
                "unexpected {} after a complete expression",
                describe(&t.tok)
            ),
        )),
    }
}

/// Parses an expression and requires it to be boolean, as a `when` must be.
pub fn parse_condition(src: &str) -> Result<Expr, ExprError> {
    let e = parse(src)?;
    match e.ty() {
        Ok(super::ast::Ty::Bool) => Ok(e),
        Ok(super::ast::Ty::Number) => Err(ExprError::new(
            0,
            "a `when` must be a condition (true/false), e.g. `x > 800`; this is a number",
        )),
        Err(m) => Err(ExprError::new(0, m)),
    }
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    end: usize,
    /// Current recursion depth, bounded so hostile input cannot overflow the stack.
    depth: usize,
}

const MAX_DEPTH: usize = 64;

fn describe(t: &Tok) -> String {
    match t {
        Tok::Num(n) => format!("number `{n}`"),
        Tok::Dur(d) => format!("duration `{d}`"),
        Tok::Name(n) => format!("`{n}`"),
        Tok::LParen => "`(`".into(),
        Tok::RParen => "`)`".into(),
        Tok::Comma => "`,`".into(),
        Tok::Plus => "`+`".into(),
        Tok::Minus => "`-`".into(),
        Tok::Star => "`*`".into(),
        Tok::Slash => "`/`".into(),
        Tok::Lt => "`<`".into(),
        Tok::Le => "`<=`".into(),
        Tok::Gt => "`>`".into(),
        Tok::Ge => "`>=`".into(),
        Tok::EqEq => "`==`".into(),
        Tok::Ne => "`!=`".into(),
    }
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }
    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.pos).cloned();
        self.pos += 1;
        t
    }
    fn at_name(&self, kw: &str) -> bool {
        matches!(self.peek(), Some(Token { tok: Tok::Name(n), .. }) if n == kw)
    }
    fn here(&self) -> usize {
        self.peek().map(|t| t.offset).unwrap_or(self.end)
    }
    fn expect(&mut self, want: Tok, what: &str) -> Result<(), ExprError> {
        match self.next() {
            Some(t) if t.tok == want => Ok(()),
            Some(t) => Err(ExprError::new(
                t.offset,
                format!("expected {what}, found {}", describe(&t.tok)),
            )),
            None => Err(ExprError::new(
                self.end,
                format!("expected {what}, found end of expression"),
            )),
        }
    }
    fn enter(&mut self) -> Result<(), ExprError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(ExprError::new(self.here(), "expression nested too deeply"));
        }
        Ok(())
    }

    fn expr(&mut self) -> Result<Expr, ExprError> {
        self.enter()?;
        let mut lhs = self.and()?;
        while self.at_name("or") {
            self.pos += 1;
            let rhs = self.and()?;
            lhs = Expr::Or(Box::new(lhs), Box::new(rhs));
        }
        self.depth -= 1;
        Ok(lhs)
    }

    fn and(&mut self) -> Result<Expr, ExprError> {
        let mut lhs = self.not()?;
        while self.at_name("and") {
            self.pos += 1;
            let rhs = self.not()?;
            lhs = Expr::And(Box::new(lhs), Box::new(rhs));
        }
        Ok(lhs)
    }

    fn not(&mut self) -> Result<Expr, ExprError> {
        if self.at_name("not") {
            self.pos += 1;
            self.enter()?;
            let e = Expr::Not(Box::new(self.not()?));
            self.depth -= 1;
            return Ok(e);
        }
        self.cmp()
    }

    fn cmp(&mut self) -> Result<Expr, ExprError> {
        let lhs = self.sum()?;
        let op = match self.peek().map(|t| &t.tok) {
            Some(Tok::Lt) => CmpOp::Lt,
            Some(Tok::Le) => CmpOp::Le,
            Some(Tok::Gt) => CmpOp::Gt,
            Some(Tok::Ge) => CmpOp::Ge,
            Some(Tok::EqEq) => CmpOp::Eq,
            Some(Tok::Ne) => CmpOp::Ne,
            _ => return Ok(lhs),
        };
        self.pos += 1;
        let rhs = self.sum()?;
        if let Some(t) = self.peek() {
            if matches!(
                t.tok,
                Tok::Lt | Tok::Le | Tok::Gt | Tok::Ge | Tok::EqEq | Tok::Ne
            ) {
                return Err(ExprError::new(
                    t.offset,
                    "comparisons cannot be chained; use `and`",
                ));
            }
        }
        Ok(Expr::Cmp {
            op,
            lhs: Box::new(lhs),
            rhs: Box::new(rhs),
        })
    }

    fn sum(&mut self) -> Result<Expr, ExprError> {
        let mut lhs = self.term()?;
        loop {
            let op = match self.peek().map(|t| &t.tok) {
                Some(Tok::Plus) => ArithOp::Add,
                Some(Tok::Minus) => ArithOp::Sub,
                _ => return Ok(lhs),
            };
            self.pos += 1;
            let rhs = self.term()?;
            lhs = Expr::Arith {
                op,
                lhs: Box::new(lhs),
                rhs: Box::new(rhs),
            };
        }
    }

    fn term(&mut self) -> Result<Expr, ExprError> {
        let mut lhs = self.unary()?;
        loop {
            let op = match self.peek().map(|t| &t.tok) {
                Some(Tok::Star) => ArithOp::Mul,
                Some(Tok::Slash) => ArithOp::Div,
                _ => return Ok(lhs),
            };
            self.pos += 1;
            let rhs = self.unary()?;
            lhs = Expr::Arith {
                op,
                lhs: Box::new(lhs),
                rhs: Box::new(rhs),
            };
        }
    }

    fn unary(&mut self) -> Result<Expr, ExprError> {
        if matches!(self.peek().map(|t| &t.tok), Some(Tok::Minus)) {
            self.pos += 1;
            self.enter()?;
            let e = Expr::Neg(Box::new(self.unary()?));
            self.depth -= 1;
            return Ok(e);
        }
        self.atom()
    }

    fn atom(&mut self) -> Result<Expr, ExprError> {
        let Some(t) = self.next() else {
            return Err(ExprError::new(
                self.end,
                "expected a value, found end of expression",
            ));
        };
        match t.tok {
            Tok::Num(n) => Ok(Expr::Num(n)),
            Tok::LParen => {
                let e = self.expr()?;
                self.expect(Tok::RParen, "`)`")?;
                Ok(e)
            }
            Tok::Name(name) => self.named(name, t.offset),
            Tok::Dur(d) => Err(ExprError::new(
                t.offset,
                format!("a duration (`{d}`) is only allowed as a window, e.g. `avg(metric, {d})`"),
            )),
            other => Err(ExprError::new(
                t.offset,
                format!("expected a value, found {}", describe(&other)),
            )),
        }
    }

    fn named(&mut self, name: String, offset: usize) -> Result<Expr, ExprError> {
        let is_call = matches!(self.peek().map(|t| &t.tok), Some(Tok::LParen));
        match name.as_str() {
            "true" => return Ok(Expr::Bool(true)),
            "false" => return Ok(Expr::Bool(false)),
            "and" | "or" | "not" => {
                return Err(ExprError::new(
                    offset,
                    format!("expected a value, found keyword `{name}`"),
                ))
            }
            _ => {}
        }
        if !is_call {
            return Ok(Expr::Metric(MetricRef { name, offset }));
        }
        self.pos += 1; // `(`
        if name == "age" {
            let metric = self.metric_arg()?;
            self.expect(Tok::RParen, "`)` after the metric of `age(...)`")?;
            return Ok(Expr::Age(metric));
        }
        if name == "baseline" {
            return self.baseline();
        }
        if let Some(func) = TwoSampleFn::from_name(&name) {
            let a = self.metric_arg()?;
            self.expect(
                Tok::Comma,
                &format!(
                    "`,` and a second metric, e.g. `{name}({}, source.x.latency_ms, 10m)`",
                    a.name
                ),
            )?;
            let b = self.metric_arg()?;
            self.expect(
                Tok::Comma,
                &format!(
                    "`,` and a window after the metrics, e.g. `{name}({}, {}, 10m)`",
                    a.name, b.name
                ),
            )?;
            let window = self.window()?;
            self.expect(Tok::RParen, "`)`")?;
            return Ok(Expr::TwoSample { func, a, b, window });
        }
        let Some(func) = WindowFn::from_name(&name) else {
            return Err(ExprError::new(
                offset,
                format!("unknown function `{name}` (known: age, avg, min, max, p50, p95, p99, last, delta, rate, shift, shift_lo, shift_hi, mwu_p, baseline)"),
            ));
        };
        let metric = self.metric_arg()?;
        self.expect(
            Tok::Comma,
            &format!(
                "`,` and a window after the metric, e.g. `{name}({}, 5m)`",
                metric.name
            ),
        )?;
        let window = self.window()?;
        self.expect(Tok::RParen, "`)`")?;
        Ok(Expr::Window {
            func,
            metric,
            window,
        })
    }

    /// `baseline(STAT, metric)`, after its `(`.
    fn baseline(&mut self) -> Result<Expr, ExprError> {
        let known = || {
            BASELINE_STATS
                .iter()
                .map(|f| f.name())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let stat = match self.next() {
            Some(Token {
                tok: Tok::Name(n),
                offset,
            }) => match WindowFn::from_name(&n).filter(|f| BASELINE_STATS.contains(f)) {
                Some(f) => f,
                None => {
                    return Err(ExprError::new(
                        offset,
                        format!(
                            "`baseline` takes a statistic first ({}), found `{n}`",
                            known()
                        ),
                    ))
                }
            },
            Some(t) => {
                return Err(ExprError::new(
                    t.offset,
                    format!(
                        "`baseline` takes a statistic first ({}), found {}",
                        known(),
                        describe(&t.tok)
                    ),
                ))
            }
            None => {
                return Err(ExprError::new(
                    self.end,
                    "expected a statistic, found end of expression",
                ))
            }
        };
        self.expect(
            Tok::Comma,
            &format!(
                "`,` and a metric, e.g. `baseline({}, target.x.latency_ms)`",
                stat.name()
            ),
        )?;
        let metric = self.metric_arg()?;
        self.expect(Tok::RParen, "`)` after the metric of `baseline(...)`")?;
        Ok(Expr::Baseline { stat, metric })
    }

    /// A window duration argument.
    fn window(&mut self) -> Result<crate::time::Dur, ExprError> {
        let window = match self.next() {
            Some(Token {
                tok: Tok::Dur(d),
                offset,
            }) => {
                if d.0 <= 0 {
                    return Err(ExprError::new(offset, "a window must be longer than zero"));
                }
                d
            }
            Some(Token {
                offset,
                tok: Tok::Num(_),
            }) => {
                return Err(ExprError::new(
                    offset,
                    "a window needs a unit, e.g. `5m`, `30s`",
                ))
            }
            Some(t) => {
                return Err(ExprError::new(
                    t.offset,
                    format!("expected a window duration, found {}", describe(&t.tok)),
                ))
            }
            None => {
                return Err(ExprError::new(
                    self.end,
                    "expected a window duration, found end of expression",
                ))
            }
        };
        Ok(window)
    }

    fn metric_arg(&mut self) -> Result<MetricRef, ExprError> {
        match self.next() {
            Some(Token {
                tok: Tok::Name(name),
                offset,
            }) if !matches!(name.as_str(), "true" | "false" | "and" | "or" | "not") => {
                Ok(MetricRef { name, offset })
            }
            Some(t) => Err(ExprError::new(
                t.offset,
                format!("expected a metric name, found {}", describe(&t.tok)),
            )),
            None => Err(ExprError::new(
                self.end,
                "expected a metric name, found end of expression",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_spec_examples() {
        let e = parse("recon.pacs-pilot.match == 1 and recon.pacs-pilot.count_delta == 0");
        assert!(matches!(e, Ok(Expr::And(..))), "{e:?}");
        let e = parse("p95(target.pacs.latency_ms, 5m) > 800");
        assert!(
            matches!(&e, Ok(Expr::Cmp { lhs, .. }) if matches!(**lhs, Expr::Window { func: WindowFn::P95, .. })),
            "{e:?}"
        );
    }

    #[test]
    fn precedence_is_not_and_or_then_arithmetic() {
        // the same tree (printing is canonical) as the fully parenthesised reading
        let tree = |s: &str| parse(s).map(|e| e.to_string());
        assert_eq!(
            tree("not a > 1 or b < 2 and c == 3"),
            tree("(not (a > 1)) or ((b < 2) and (c == 3))")
        );
        assert_eq!(tree("1 + 2 * -x - 4"), tree("(1 + (2 * (-x))) - 4"));
        assert_ne!(tree("a - b - c"), tree("a - (b - c)"));
        assert_ne!(tree("not a > 1 or b"), tree("not (a > 1 or b)"));
    }

    #[test]
    fn printing_adds_parentheses_only_where_precedence_needs_them() {
        let printed = |s: &str| parse(s).map(|e| e.to_string());
        assert_eq!(printed("((a + b)) * c"), Ok("(a + b) * c".into()));
        assert_eq!(printed("a - (b - c)"), Ok("a - (b - c)".into()));
        assert_eq!(printed("(a - b) - c"), Ok("a - b - c".into()));
        assert_eq!(printed("not (a > 1 or b)"), Ok("not (a > 1 or b)".into()));
        assert_eq!(printed("-(a + 1) > 2"), Ok("-(a + 1) > 2".into()));
        assert_eq!(
            printed("(x > 1) == (y > 2)"),
            Ok("(x > 1) == (y > 2)".into())
        );
    }

    #[test]
    fn an_expression_at_the_depth_limit_prints_back_within_it() {
        // `not (` twice per level: 31 levels is 62 of the parser's 64
        let src = format!("{}x > 1{}", "not (".repeat(31), ")".repeat(31));
        let printed = parse(&src).unwrap().to_string();
        let again = parse(&printed).map(|e| e.to_string());
        assert_eq!(again, Ok(printed));
    }

    #[test]
    fn errors_point_at_the_column() {
        assert_eq!(parse("a >").map_err(|e| e.offset), Err(3));
        assert_eq!(parse("avg(x, 5q) > 1").map_err(|e| e.offset), Err(8));
        assert_eq!(parse("foo(x, 5m) > 1").map_err(|e| e.offset), Err(0));
        assert_eq!(parse("a > 1 b").map_err(|e| e.offset), Err(6));
        assert_eq!(parse("a = 1").map_err(|e| e.offset), Err(2));
        assert_eq!(parse("Target.x > 1").map_err(|e| e.offset), Err(0));
    }

    #[test]
    fn a_when_must_be_boolean() {
        assert!(parse_condition("x + 1").is_err());
        assert!(parse_condition("x and 1").is_err());
        assert!(parse_condition("x > 1").is_ok());
    }

    #[test]
    fn dashes_inside_names_need_spaces_to_subtract() {
        assert_eq!(parse("a-b").map(|e| e.to_string()), Ok("a-b".into()));
        assert_eq!(parse("a - b").map(|e| e.to_string()), Ok("a - b".into()));
    }

    #[test]
    fn numbers_with_fractions_and_exponents() {
        assert_eq!(parse("x > 1.5e3"), parse("x > 1500"));
        assert_eq!(
            parse("x > 0.25").map(|e| e.to_string()),
            Ok("x > 0.25".into())
        );
    }

    #[test]
    fn many_sibling_parentheses_are_fine() {
        let src = vec!["(x > 1)"; 200].join(" and ");
        assert!(parse(&src).is_ok());
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let src = format!("{}x{}", "(".repeat(10_000), ")".repeat(10_000));
        assert!(parse(&src).is_err());
        let src = format!("{}x > 1", "not ".repeat(10_000));
        assert!(parse(&src).is_err());
        let src = format!("{}x", "-".repeat(10_000));
        assert!(parse(&src).is_err());
    }
}
