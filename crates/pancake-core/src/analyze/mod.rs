//! Understanding: pure functions over the read model — the union (merged) view and
//! whiteouts, history ↔ layer pairing, sharing by chain ID.

pub mod dockerfile;
pub mod history;
pub mod share;
pub mod union;
pub mod whiteout;
