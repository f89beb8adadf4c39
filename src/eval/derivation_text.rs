//! The derivation written for people: the tree indented, values as a person reads them.

use super::derivation::Node;
use super::value_text::value_text;
use crate::ir::{Program, Rulebook};

/// The derivation of one output (or any node), indented, ending with a newline.
pub fn derivation_text(rb: &Rulebook, p: &Program, node: &Node) -> String {
    let mut out = String::new();
    write_node(rb, p, node, 0, &mut out);
    out
}

fn write_node(rb: &Rulebook, p: &Program, node: &Node, indent: usize, out: &mut String) {
    let value = match &node.value {
        Ok(v) => value_text(rb, p, &node.ty, v),
        Err(e) => format!("error: {}", e.message),
    };
    out.push_str(&format!("{:indent$}{} = {value}\n", "", node.text));
    for c in &node.children {
        write_node(rb, p, c, indent + 2, out);
    }
}
