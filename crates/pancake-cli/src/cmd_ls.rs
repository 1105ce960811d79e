//! `pancake ls FILE [--image N] [--layer N | --merged] [--format table|csv]`: the files of one
//! layer (what it added, modified and deleted) or of the merged filesystem.
//!
//! Columns: PATH (a link's ` -> target` after it in the table), KIND, SIZE (a directory's: the
//! bytes below it, each file once, like `du`; in a layer's changes what that layer wrote
//! below it, or for a deleted directory what was deleted below it), and
//! - with `--layer N`, CHANGE: `added`, `modified` or `deleted` by that layer;
//! - in the merged view, LAST CHANGED BY: `L3` = layer 3 (0 = base) is the last that wrote
//!   the path, the layer whose copy a container sees;
//! - only when some listed path has extended attributes, XATTRS: its file capabilities as
//!   `caps=cap_net_raw=ep` (as getcap prints them), then each other attribute's name and
//!   short value (`user.note hello`, or its size in bytes), separated by `; `.
//!
//! CSV (RFC 4180 quoting, a header row, LF line ends so no CR reaches a terminal):
//! in both views, names in the escaped form of the README's "Names are bytes"; `layer` is the
//! last layer that wrote the path (for a deleted row, the layer it came from), `change` what
//! the listed layer (the top one in the merged view) did: `added`, `modified`, `deleted` or
//! `unchanged`.

use std::path::Path;

use clap::ValueEnum;
use pancake_core::analyze::union::{self, Change, FileRow};
use pancake_core::analyze::{capability, gaps};
use pancake_core::{CutEntry, EntryKind, Xattr};

use crate::{select, table, term, write_stdout, Fail};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned columns for people.
    #[default]
    Table,
    /// Comma-separated values (RFC 4180) for spreadsheets and scripts.
    Csv,
}

pub fn run(file: &Path, image: usize, layer: Option<usize>, format: Format) -> Result<(), Fail> {
    let a = crate::read(file)?;
    let img = select::image(&a, file, image)?;
    let upto = match layer {
        Some(l) => select::layer(img, file, image, l)?,
        None => img.layers.len().saturating_sub(1),
    };
    let rows = match layer {
        Some(_) => union::layer_changes(&a, img, upto).rows,
        None => union::merged(&a, img, upto),
    };
    let out = match format {
        Format::Table => {
            // A deleted row's attributes are gone with it.
            let found = union::entry_xattrs(&a, img);
            let xattrs: Vec<&[Xattr]> = rows
                .iter()
                .map(|r| match r.change {
                    Change::Deleted => &[][..],
                    _ => found.get(&(r.layer, &r.path)).map_or(&[][..], |x| &x[..]),
                })
                .collect();
            // A file the layer's tar ends inside: its size is its header's claim.
            let cuts = gaps::cut_files(&a, img);
            let cut: Vec<Option<CutEntry>> = rows
                .iter()
                .map(|r| {
                    cuts.iter()
                        .find(|(l, p, _)| *l == r.layer && **p == r.path)
                        .map(|(_, _, c)| *c)
                        .filter(|_| r.kind == EntryKind::File)
                })
                .collect();
            table_text(&rows, &xattrs, &cut, layer.is_some())
        }
        Format::Csv => csv_text(&rows),
    };
    write_stdout(term::text_out(&out).as_bytes())?;
    // A layer's changes depend on the layers below it too (added or modified, deleted).
    match crate::gaps::line(file, image, &a, img, upto, "the listing above") {
        Some(l) => Err(Fail(l)),
        None => Ok(()),
    }
}

fn name<T: serde::Serialize>(v: T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn size(r: &FileRow) -> u64 {
    if r.kind == EntryKind::Dir {
        r.dir_size
    } else {
        r.size
    }
}

/// A path's extended attributes in the XATTRS column: `caps=TEXT` for its capabilities, the
/// others as [`capability::brief`] gives them, `; ` between.
fn xattrs_cell(xattrs: &[Xattr]) -> String {
    xattrs
        .iter()
        .map(|x| {
            if x.name == capability::XATTR_NAME {
                format!("caps={}", capability::value_text(&x.value))
            } else {
                capability::brief(x, 40)
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The table; `xattrs` holds each row's attributes (the XATTRS column is there only when one
/// has any), `cut` the rows whose file the layer's tar ends inside (SIZE: `CLAIMED (cut:
/// PRESENT here)`; a folder above it counts PRESENT).
fn table_text(
    rows: &[FileRow],
    xattrs: &[&[Xattr]],
    cut: &[Option<CutEntry>],
    changes: bool,
) -> String {
    let last = if changes { "CHANGE" } else { "LAST CHANGED BY" };
    let with_xattrs = xattrs.iter().any(|x| !x.is_empty());
    let mut head = vec![
        "PATH".to_string(),
        "KIND".into(),
        "SIZE".into(),
        last.into(),
    ];
    if with_xattrs {
        head.push("XATTRS".into());
    }
    let mut out = vec![head];
    for (i, r) in rows.iter().enumerate() {
        let mut path = r.path.display().into_owned();
        if let Some(t) = &r.link_target {
            path.push_str(&format!(" -> {}", t.display()));
        }
        let last = if changes {
            name(r.change)
        } else {
            format!("L{}", r.layer)
        };
        let size = match cut.get(i).copied().flatten() {
            Some(c) => format!("{} (cut: {} here)", c.claimed, c.present),
            None => size(r).to_string(),
        };
        let mut row = vec![path, name(r.kind), size, last];
        if with_xattrs {
            row.push(xattrs_cell(xattrs.get(i).copied().unwrap_or(&[])));
        }
        out.push(row);
    }
    let text = table::render(&out);
    if with_xattrs {
        // The column is empty for most paths: no padding after their last word.
        text.lines()
            .map(|l| format!("{}\n", l.trim_end()))
            .collect()
    } else {
        text
    }
}

/// One CSV field: quoted when it holds a comma, a quote, CR or LF (RFC 4180 section 2).
fn field(s: &str) -> String {
    if s.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn csv_text(rows: &[FileRow]) -> String {
    let mut s = String::from("path,kind,size,layer,change,link_target\n");
    for r in rows {
        let target = r
            .link_target
            .as_ref()
            .map(|t| t.display().into_owned())
            .unwrap_or_default();
        s.push_str(&format!(
            "{},{},{},{},{},{}\n",
            field(&r.path.display()),
            name(r.kind),
            size(r),
            r.layer,
            name(r.change),
            field(&target)
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_as_rfc_4180_says() {
        assert_eq!(field("a b"), "a b");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}
