//! The Files view's tree (issue 15): folding, order, keyboard and the largest files
//! (`model`, pure), and saving a file's bytes (`download`).

pub mod download;
pub mod model;
