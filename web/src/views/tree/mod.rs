//! The Files view's tree (issue 15): folding, order, keyboard and the largest files
//! (`model`, pure), saving a file's bytes (`download`) and a layer's blob or tar (`layer_export`), both through one save button (`save`).

pub mod aria;
pub mod download;
pub mod layer_export;
pub mod model;
pub mod save;
