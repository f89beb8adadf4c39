//! Unit tests of the expression checker.
