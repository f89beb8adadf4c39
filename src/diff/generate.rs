//! Generated cases for the behavioural diff (written by the generator task).
