//! Understanding: pure functions over the read model — the union (merged) view and
//! whiteouts, history ↔ layer pairing, sharing by chain ID, each path's history across layers.

pub mod capability;
pub mod diff;
pub mod dockerfile;
pub mod gaps;
pub mod glance;
pub mod history;
pub mod image_claims;
pub mod lookup;
pub mod path_history;
pub mod share;
pub mod shared_inode;
pub mod summary;
pub mod union;
pub mod whiteout;
