//! Lowering the table forms that choose rows: band patterns (`1..=3 days`, `more than 10
//! days`) and hit policies (`hit first`, `hit most specific`).

use super::Lower;
use crate::syntax::ast::*;
use crate::syntax::Rule;
use pest::iterators::Pair;

impl Lower {
    /// A band: in `low..=high` a bare low bound takes the unit of the high one; the words of
    /// `more than`, `at least`, `less than` and `up to` say which bound is open and whether
    /// the other includes its value.
    pub(super) fn band(&mut self, p: Pair<Rule>) -> Band {
        let span = self.span(&p);
        let mut band = Band {
            low: None,
            high: None,
            span,
        };
        let Some(form) = p.into_inner().next() else {
            return band;
        };
        let rule = form.as_rule();
        let mut words = Vec::new();
        let mut bounds = Vec::new();
        for x in form.into_inner() {
            match x.as_rule() {
                Rule::band_to => {}
                r if is_band_word(r) => words.push(r),
                _ => bounds.push(self.operand(x)),
            }
        }
        let mut bounds = bounds.into_iter();
        match rule {
            Rule::band_range => {
                let low = bounds.next();
                band.high = bounds.next().map(|value| BandBound {
                    value,
                    inclusive: true,
                    bare: false,
                });
                band.low = low.map(|value| BandBound {
                    bare: band.high.is_some() && is_bare_number(&value),
                    value,
                    inclusive: true,
                });
            }
            Rule::band_between => {
                let low = bounds.next();
                band.high = bounds.next().map(|value| BandBound {
                    value,
                    inclusive: words.contains(&Rule::kw_up),
                    bare: false,
                });
                band.low = low.map(|value| BandBound {
                    bare: band.high.is_some() && is_bare_number(&value),
                    value,
                    inclusive: words.contains(&Rule::kw_least),
                });
            }
            Rule::band_above => {
                band.low = bounds.next().map(|value| BandBound {
                    value,
                    inclusive: words.contains(&Rule::kw_least),
                    bare: false,
                });
            }
            _ => {
                band.high = bounds.next().map(|value| BandBound {
                    value,
                    inclusive: words.contains(&Rule::kw_up),
                    bare: false,
                });
            }
        }
        band
    }

    pub(super) fn hit_policy(&mut self, p: Pair<Rule>) -> (HitPolicy, crate::source::Span) {
        let span = self.span(&p);
        let policy = p
            .into_inner()
            .find_map(|x| match x.as_rule() {
                Rule::hit_first => Some(HitPolicy::First),
                Rule::hit_most_specific => Some(HitPolicy::MostSpecific),
                Rule::hit_unique => Some(HitPolicy::Unique),
                _ => None,
            })
            .unwrap_or(HitPolicy::Unique);
        (policy, span)
    }
}

fn is_band_word(r: Rule) -> bool {
    matches!(
        r,
        Rule::kw_more
            | Rule::kw_than
            | Rule::kw_at
            | Rule::kw_least
            | Rule::kw_less
            | Rule::kw_up
            | Rule::kw_to
    )
}

fn is_bare_number(e: &Expr) -> bool {
    matches!(e.kind, ExprKind::Integer(_) | ExprKind::Decimal(_))
}

#[cfg(test)]
#[allow(clippy::panic, clippy::unwrap_used)]
mod tests {
    use super::super::test_support::declaration;
    use crate::syntax::ast::*;

    fn table(text: &str) -> TableDecl {
        match declaration(text).kind {
            DeclKind::Table(t) => t,
            other => panic!("{other:?}"),
        }
    }

    fn band(p: &Pattern) -> &Band {
        match p {
            Pattern::Band(b) => b,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn bands_read_their_bounds_and_which_are_included() {
        let t = table(
            "table fine(days: duration) -> integer\n  hit first\n{\n  1..=3 days => 0\n  \
             more than 3 days or at least 20 days => 10\n  less than 1 day, up to 2 days => 5\n}\n",
        );
        assert_eq!(t.hit.map(|h| h.0), Some(HitPolicy::First));
        let first = band(&t.rows[0].keys[0].alternatives[0]);
        let (low, high) = (first.low.as_ref().unwrap(), first.high.as_ref().unwrap());
        assert!(low.bare && low.inclusive && high.inclusive && !high.bare);
        assert!(matches!(low.value.kind, ExprKind::Integer(1)));
        assert!(matches!(high.value.kind, ExprKind::Duration { .. }));
        let alts = &t.rows[1].keys[0].alternatives;
        let (more, least) = (band(&alts[0]), band(&alts[1]));
        assert!(more.high.is_none() && !more.low.as_ref().unwrap().inclusive);
        assert!(least.low.as_ref().unwrap().inclusive);
        let between = table("table t(d: duration) -> integer {\n  more than 3 up to 5 days => 1\n  otherwise => 0\n}\n");
        let b = band(&between.rows[0].keys[0].alternatives[0]);
        let (low, high) = (b.low.as_ref().unwrap(), b.high.as_ref().unwrap());
        assert!(!low.inclusive && low.bare && high.inclusive);
        let less = band(&t.rows[2].keys[0].alternatives[0]);
        let up = band(&t.rows[2].keys[1].alternatives[0]);
        assert!(less.low.is_none() && !less.high.as_ref().unwrap().inclusive);
        assert!(up.high.as_ref().unwrap().inclusive);
    }

    #[test]
    fn a_name_that_starts_like_a_band_word_is_still_a_value() {
        let t = table(
            "table t(level: Level) -> integer hit most specific {\n  more => 1\n  up => 2\n}\n",
        );
        assert_eq!(t.hit.map(|h| h.0), Some(HitPolicy::MostSpecific));
        assert!(matches!(
            t.rows[0].keys[0].alternatives[0],
            Pattern::Value(_)
        ));
        assert!(matches!(
            t.rows[1].keys[0].alternatives[0],
            Pattern::Value(_)
        ));
    }
}
