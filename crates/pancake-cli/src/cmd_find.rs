//! `pancake find FILE PATTERN [--image N] [--json]`: each path matching PATTERN, with its
//! history across the image's layers (the layer that added it, each that modified it, the one
//! that deleted it and how), as the page's search lists it. Layers are numbered from 0 (the
//! base), as `ls` and the JSON count them. The matching rules are
//! `pancake_core::analyze::path_history`'s.

use std::path::Path;

use pancake_core::analyze::path_history::{DeletedBy, PathEvent, PathHistory, PathIndex, Pattern};
use pancake_core::analyze::union::Change;
use pancake_core::Image;
use serde::Serialize;

use crate::term::Safe;
use crate::{read, table, term, write_stdout, Fail};

/// The `--json` document.
#[derive(Serialize)]
struct Doc {
    archive: String,
    image: usize,
    pattern: String,
    /// Paths that matched (all are listed).
    total: usize,
    paths: Vec<PathDoc>,
}

#[derive(Serialize)]
struct PathDoc {
    /// The name as shown (`pancake_core::escape`: reversible, non-UTF-8 bytes as `\xNN`).
    path: String,
    /// Is the path in the image's final filesystem?
    present: bool,
    events: Vec<EventDoc>,
}

#[derive(Serialize)]
struct EventDoc {
    layer: usize,
    /// `added`, `modified` or `deleted`.
    change: Change,
    kind: pancake_core::EntryKind,
    size: u64,
    link_target: Option<String>,
    /// `whiteout`, `opaque-dir` or `replaced`; null unless deleted.
    deleted_by: Option<DeletedBy>,
    /// The history step that made the layer, when one is paired with it.
    created_by: Option<String>,
}

/// Runs the command. Exits non-zero (a `Fail`) when the file cannot be read, the image does
/// not exist, the pattern is not a valid glob, or nothing matches (as `grep` does, so a CI
/// step can check that a path is absent).
pub fn run(file: &Path, pattern: &str, image: usize, json: bool) -> Result<(), Fail> {
    let pat = Pattern::parse(pattern).map_err(|e| Fail(format!("{pattern}: {e}")))?;
    let a = read(file)?;
    let img = a.images.get(image).ok_or_else(|| {
        Fail(format!(
            "{}: no image {image} (the archive has {})",
            file.display(),
            a.images.len()
        ))
    })?;
    // Only the matching paths' histories are kept: one query, asked once.
    let index = PathIndex::build_matching(&a, img, &pat);
    let found = index.find(&pat, usize::MAX);
    let out = if json {
        let doc = Doc {
            archive: a.name.clone(),
            image,
            pattern: pattern.to_string(),
            total: found.total,
            paths: found.histories.iter().map(|h| path_doc(img, h)).collect(),
        };
        let mut s =
            serde_json::to_string_pretty(&doc).map_err(|e| Fail(format!("JSON output: {e}")))?;
        s.push('\n');
        term::json_out(&s).into_owned()
    } else if found.total == 0 {
        String::new() // no table with only its header: the error line says it
    } else {
        term::text_out(&text(img, &found.histories)).into_owned()
    };
    write_stdout(out.as_bytes())?;
    let gaps = crate::gaps::line(file, image, &a, img, usize::MAX, "the search");
    if found.total == 0 {
        let gaps = gaps.map(|g| format!("; {g}")).unwrap_or_default();
        return Err(Fail(format!(
            "no path of image {image} matches \"{}\" ({} paths in its layers){gaps}",
            Safe(pattern),
            index.seen()
        )));
    }
    gaps.map_or(Ok(()), |g| Err(Fail(g)))
}

fn created_by(img: &Image, layer: usize) -> Option<String> {
    img.layers
        .get(layer)
        .and_then(|l| l.history)
        .and_then(|h| img.history.get(h))
        .and_then(|h| h.created_by.clone())
}

fn word<T: Serialize>(v: T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn path_doc(img: &Image, h: &PathHistory) -> PathDoc {
    PathDoc {
        path: h.path.display().into_owned(),
        present: h.present_at_top(),
        events: h
            .events
            .iter()
            .map(|e| EventDoc {
                layer: e.layer,
                change: e.change,
                kind: e.kind,
                size: e.size,
                link_target: e.link_target.as_ref().map(|t| t.display().into_owned()),
                deleted_by: e.deleted_by,
                created_by: created_by(img, e.layer),
            })
            .collect(),
    }
}

/// What an event's CHANGE cell says: `deleted` names how (`deleted (whiteout)`).
fn change_cell(e: &PathEvent) -> String {
    match e.deleted_by {
        Some(by) => format!("{} ({})", word(e.change), word(by)),
        None => word(e.change),
    }
}

/// One table: a row per event, the path on its first event's row (with `-> target` for
/// links), then the layer, change, kind, size in bytes and the layer's step, cut at 60
/// characters.
fn text(img: &Image, histories: &[PathHistory]) -> String {
    let mut rows = vec![["PATH", "LAYER", "CHANGE", "KIND", "SIZE", "CREATED BY"]
        .map(String::from)
        .to_vec()];
    for h in histories {
        for (i, e) in h.events.iter().enumerate() {
            let path = if i == 0 {
                h.path.display().into_owned()
            } else {
                String::new()
            };
            let kind = match &e.link_target {
                Some(t) => format!("{} -> {}", word(e.kind), t.display()),
                None => word(e.kind),
            };
            let step: String = created_by(img, e.layer).unwrap_or_default();
            let step = if step.chars().count() > 60 {
                let mut s: String = step.chars().take(59).collect();
                s.push('…');
                s
            } else {
                step
            };
            rows.push(vec![
                path,
                e.layer.to_string(),
                change_cell(e),
                kind,
                e.size.to_string(),
                step,
            ]);
        }
    }
    table::render(&rows)
}
