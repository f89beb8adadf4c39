//! Lowering type syntax: named types, `money [in CUR]`, `list of T` and the optional mark.

use super::Lower;
use crate::syntax::ast::*;
use crate::syntax::Rule;
use pest::iterators::Pair;

impl Lower {
    pub(super) fn type_expr(&mut self, p: Pair<Rule>) -> Option<TypeExpr> {
        let span = self.span(&p);
        let mut kind = None;
        let mut optional = false;
        for x in p.into_inner() {
            match x.as_rule() {
                Rule::optional_mark => optional = true,
                Rule::named_type => {
                    kind = x
                        .into_inner()
                        .next()
                        .map(|i| TypeKind::Named(self.ident(&i)))
                }
                Rule::money_type => {
                    let cur = x
                        .into_inner()
                        .find(|c| c.as_rule() == Rule::currency)
                        .map(|c| self.ident(&c));
                    kind = Some(TypeKind::Money(cur));
                }
                Rule::list_type => {
                    let inner = x.into_inner().find(|t| t.as_rule() == Rule::type_expr)?;
                    kind = Some(TypeKind::List(Box::new(self.type_expr(inner)?)));
                }
                _ => {}
            }
        }
        Some(TypeExpr {
            kind: kind?,
            optional,
            span,
        })
    }
}

#[cfg(test)]
#[allow(clippy::panic)]
mod tests {
    use super::super::test_support::declaration;
    use crate::syntax::ast::*;

    /// The type of `fact f : TYPE`.
    fn fact_type(ty: &str) -> TypeExpr {
        match declaration(&format!("fact f : {ty}\n")).kind {
            DeclKind::Fact(f) => f.ty,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn named_types_may_be_optional() {
        let t = fact_type("Integer");
        assert!(matches!(t.kind, TypeKind::Named(ref n) if n.name == "Integer"));
        assert!(!t.optional);
        let t = fact_type("Person?");
        assert!(matches!(t.kind, TypeKind::Named(ref n) if n.name == "Person"));
        assert!(t.optional);
    }

    #[test]
    fn money_names_its_currency_or_none() {
        let t = fact_type("money in KZT");
        assert!(matches!(t.kind, TypeKind::Money(Some(ref c)) if c.name == "KZT"));
        assert!(matches!(fact_type("money").kind, TypeKind::Money(None)));
    }

    #[test]
    fn lists_nest_and_the_mark_belongs_to_the_innermost_type() {
        let t = fact_type("list of list of Text?");
        assert!(!t.optional);
        let TypeKind::List(inner) = t.kind else {
            panic!("{t:?}")
        };
        assert!(!inner.optional);
        let TypeKind::List(innermost) = inner.kind else {
            panic!("{inner:?}")
        };
        assert!(innermost.optional);
        assert!(matches!(innermost.kind, TypeKind::Named(ref n) if n.name == "Text"));
        assert_eq!(
            t.span.end - t.span.start,
            "list of list of Text?".len() as u32
        );
    }
}
