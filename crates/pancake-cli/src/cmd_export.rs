//! `pancake export-layer FILE N [--image N] > layer.tar`: layer N's uncompressed tar, byte for
//! byte, streamed from the file (its sha256 is the layer's diff_id).

use std::io::IsTerminal;
use std::path::Path;

use pancake_core::read::archive;
use pancake_core::read::export::{self, ExportError};

use crate::term::Safe;
use crate::{select, Fail};

pub fn run(file: &Path, layer: usize, image: usize) -> Result<(), Fail> {
    if std::io::stdout().is_terminal() {
        return Err(Fail(
            "refusing to write a tarball to a terminal; redirect it: pancake export-layer FILE N > layer.tar"
                .into(),
        ));
    }
    let a = crate::read(file)?;
    let img = select::image(&a, file, image)?;
    let l = select::layer(img, file, image, layer)?;
    let Some(member) = img.layers.get(l).and_then(|x| x.member) else {
        return Err(Fail(format!(
            "{}: layer {l} of image {image} is not in the archive (its blob is missing)",
            file.display()
        )));
    };
    let source = std::fs::File::open(file)
        .map_err(|e| Fail(format!("{}: cannot open: {e}", file.display())))?;
    let mut out = std::io::stdout().lock();
    let opts = crate::OPTIONS.get_or_init(archive::Options::default);
    match export::write_layer_tar(&source, &a, member, &opts.limits, &mut out) {
        // Written; a layer that does not match what the image claims of it (a damaged file)
        // is said, and the command fails: the tar is the file's, not necessarily the image's.
        Ok(_) => match crate::gaps::mismatch_line(file, image, img, l) {
            Some(line) => Err(Fail(line)),
            None => Ok(()),
        },
        // `pancake export-layer x 0 | tar t | head` is not an error.
        Err(ExportError::Write(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e @ ExportError::OverLimit { .. }) => Err(Fail(format!(
            "{} (raise it with --max-decompressed-bytes)",
            Safe(e.to_string())
        ))),
        Err(e) => Err(Fail(named(file, image, l, img.layers.get(l), &e))),
    }
}

/// `e` as one line naming the file, the layer and its blob, unless it names them itself.
pub fn named(
    file: &Path,
    image: usize,
    layer: usize,
    at: Option<&pancake_core::Layer>,
    e: &ExportError,
) -> String {
    match e {
        ExportError::OverLimit { .. }
        | ExportError::TooLarge { .. }
        | ExportError::WrongEntry { .. }
        | ExportError::Read(pancake_core::Error::EntryData { .. }) => {
            Safe(e.to_string()).to_string()
        }
        _ => {
            let blob = crate::gaps::blob_of(at);
            format!(
                "{}: image {image} layer {layer}{blob}: {}",
                file.display(),
                Safe(e.to_string())
            )
        }
    }
}
