//! Picking what a command works on: an image of an archive, a layer of an image (both
//! 0-based, as `ls` and the JSON count them), with one-line errors naming the file.

use std::path::Path;

use pancake_core::{Archive, Image};

use crate::Fail;

/// Image `index` of `a` (read from `file`), or why not.
pub fn image<'a>(a: &'a Archive, file: &Path, index: usize) -> Result<&'a Image, Fail> {
    a.images.get(index).ok_or_else(|| {
        Fail(format!(
            "{}: no image {index} (the archive has {}, numbered from 0)",
            file.display(),
            a.images.len()
        ))
    })
}

/// Checks that `img` (image `image` of `file`) has a layer `layer`.
pub fn layer(img: &Image, file: &Path, image: usize, layer: usize) -> Result<usize, Fail> {
    if layer < img.layers.len() {
        Ok(layer)
    } else {
        Err(Fail(format!(
            "{}: image {image} has no layer {layer} (it has {}, numbered from 0 = base)",
            file.display(),
            img.layers.len()
        )))
    }
}
