//! The list forms that answer per item: `map x in L of E` (one value per item, in order),
//! `filter x in L where C` (the items that pass, in order) and `min`/`max x in L of E` (the
//! least or greatest value, absent for no items). `any`, `all`, `count` and `sum` stay in
//! `mod.rs`, beside the loop they share.

use super::{EvalError, Machine};
use crate::ir::{Ex, QuantKind};
use crate::ops;
use crate::value::Value;

impl Machine<'_> {
    /// `kind` over `items`, the item in local `slot` while `body` is evaluated.
    pub(super) fn list_form(
        &mut self,
        kind: QuantKind,
        slot: u32,
        items: &[Value],
        body: &Ex,
    ) -> Result<Value, EvalError> {
        let mut kept = Vec::new();
        let mut best: Option<Value> = None;
        for item in items {
            if let Some(l) = self.locals.get_mut(self.frame + slot as usize) {
                *l = item.clone();
            }
            match kind {
                QuantKind::Filter => {
                    if self.truth(body)? {
                        kept.push(item.clone());
                    }
                }
                QuantKind::Min | QuantKind::Max => {
                    let v = self.expr(body)?;
                    best = Some(match best {
                        None => v,
                        Some(so_far) => ops::least_or_greatest(kind == QuantKind::Min, so_far, v)?,
                    });
                }
                _ => kept.push(self.expr(body)?),
            }
        }
        Ok(match kind {
            QuantKind::Min | QuantKind::Max => best.unwrap_or(Value::Absent),
            _ => Value::List(kept.into()),
        })
    }
}
