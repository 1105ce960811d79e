//! `pancake dockerfile FILE [--image N] [--plain]`: the Dockerfile an image was built from,
//! read back from its config history (`pancake_core::analyze::dockerfile`).

use std::path::Path;

use pancake_core::analyze::dockerfile::{self, BaseEvidence, Dockerfile, KnownBase, Link};

use crate::{read, term, write_stdout, Fail};

/// Prints image `image` (0-based) of `file` as a Dockerfile. Unless `plain`, a comment line
/// above each instruction says which layer (0-based, bottom = 0) it made or that it changed
/// settings only, and one above `FROM` how the base was recognised. The base is named when
/// it is a demo's base or another image of the same file.
pub fn run(file: &Path, image: usize, plain: bool) -> Result<(), Fail> {
    let a = read(file)?;
    let img = a.images.get(image).ok_or_else(|| {
        Fail(format!(
            "{}: no image {image} (the archive has {})",
            file.display(),
            a.images.len()
        ))
    })?;
    let mut bases = pancake_demo::known_bases();
    bases.extend(a.images.iter().filter_map(KnownBase::of_image));
    let df = dockerfile::reconstruct(img, &bases);
    let text = if plain {
        dockerfile::render(&df)
    } else {
        annotated(&df)
    };
    write_stdout(term::text_out(&text).as_bytes())
}

/// The Dockerfile with a `#` comment line above each line saying what it is tied to.
pub fn annotated(df: &Dockerfile) -> String {
    let f = &df.from;
    let layers = match f.layers {
        0 => "no layers".to_string(),
        1 => "layer 0".to_string(),
        n => format!("layers 0–{}", n - 1),
    };
    let how = match f.evidence {
        BaseEvidence::Known => "its layers are this image's lowest (same ChainIDs)",
        BaseEvidence::BuilderComment => "named by the builder in the history",
        BaseEvidence::Unrecorded => "no recorded step made them",
        BaseEvidence::BottomLayer => "nothing names the base: the bottom layer is taken as it",
        BaseEvidence::None => "nothing below the first step",
    };
    let mut out = format!("# base image: {layers}; {how}\n");
    out.push_str(&dockerfile::from_line(f));
    out.push('\n');
    for ins in &df.instructions {
        let note = match ins.link {
            Link::Layer(l) => format!("# layer {l}"),
            Link::SettingsOnly => "# settings only (no layer)".to_string(),
            Link::NoLayer => "# no layer left for this step".to_string(),
            Link::BuildArg => "# build argument recorded with a later RUN".to_string(),
            Link::Uncertain => {
                "# layer uncertain: a step marked empty_layer may have made one".to_string()
            }
        };
        out.push_str(&note);
        out.push('\n');
        out.push_str(&ins.text);
        out.push('\n');
    }
    out
}
