//! `pancake diff FILE_A FILE_B [--image-a N] [--image-b N] [--json]`: where two images' layer
//! stacks part (by ChainID), then the paths their final filesystems differ in, with sizes
//! (`pancake_core::analyze::diff`). The same file twice compares two of its images. Files
//! rewritten by another layer with the same size and mode are compared byte for byte (up to
//! 64 MiB each), so only real changes are listed.

use std::path::Path;

use pancake_core::analyze::capability;
use pancake_core::analyze::diff::{self, ImageDiff, LayerSide};
use pancake_core::analyze::gaps::listing_gaps;
use pancake_core::analyze::union::{Change, ContentCheck};
use pancake_core::read::archive;
use pancake_core::units::human_size;
use pancake_core::{Archive, Image, Xattr};
use serde_json::json;

use crate::term::{self, Safe};
use crate::{select, table, write_stdout, Fail};

/// Largest file whose bytes are compared when only another layer wrote it.
const MAX_COMPARED_BYTES: u64 = 64 << 20;

pub fn run(
    file_a: &Path,
    file_b: &Path,
    image_a: usize,
    image_b: usize,
    json_out: bool,
) -> Result<(), Fail> {
    let aa = crate::read(file_a)?;
    let ab = crate::read(file_b)?;
    let a = select::image(&aa, file_a, image_a)?;
    let b = select::image(&ab, file_b, image_b)?;
    let mut d = diff::diff(&aa, a, &ab, b);
    let open = |f: &Path| {
        std::fs::File::open(f).map_err(|e| Fail(format!("{}: cannot open: {e}", f.display())))
    };
    let (fa, fb) = (open(file_a)?, open(file_b)?);
    let opts = crate::OPTIONS.get_or_init(archive::Options::default);
    diff::settle_rewritten(
        &mut d,
        (&fa, &aa, a),
        (&fb, &ab, b),
        MAX_COMPARED_BYTES,
        &opts.limits,
    )
    .map_err(|e| Fail(Safe(e.to_string()).to_string()))?;
    let out = if json_out {
        let incomplete: Vec<serde_json::Value> = [("a", &aa, a), ("b", &ab, b)]
            .iter()
            .flat_map(|(side, ar, img)| {
                listing_gaps(ar, img, usize::MAX).into_iter().map(move |g| {
                    json!({"side": side, "layer": g.layer, "blob": g.blob, "why": g.to_string()})
                })
            })
            .collect();
        let doc = json!({
            "a": who(&aa, image_a, a),
            "b": who(&ab, image_b, b),
            "shared_layers": d.shared_layers,
            "first_divergent_layer": d.first_divergent.as_ref().map(|(x, y)| json!({"a": x, "b": y})),
            "paths": d.paths.iter().map(|p| json!({
                "path": p.path.display(),
                "change": p.change,
                "kind": p.kind,
                "a_size": p.a_size,
                "b_size": p.b_size,
                // True only when both sides' bytes were read and compared: they differ, or
                // (`content` "same") the path is listed for its mode, owner or attributes
                // alone; `content` says why not otherwise.
                "content_compared": matches!(p.content, ContentCheck::Differs | ContentCheck::Same),
                "content": p.content,
                // A's and B's owner when they differ (the path is modified for that alone).
                "owners": p.owners.map(|((ua, ga), (ub, gb))| json!({
                    "a": {"uid": ua, "gid": ga},
                    "b": {"uid": ub, "gid": gb},
                })),
                // A's and B's permission bits when they differ, as octal text (`0755`).
                "modes": p.modes.map(|(ma, mb)| json!({
                    "a": format!("{ma:04o}"),
                    "b": format!("{mb:04o}"),
                })),
                // A's and B's extended attributes when they differ (a `setcap`: the path is
                // modified for that alone), each side all of its attributes, and its file
                // capabilities as getcap prints them (null for none).
                "xattrs": p.xattrs.as_ref().map(|(xa, xb)| json!({
                    "a": xa,
                    "b": xb,
                    "capabilities": {"a": capability::of(xa), "b": capability::of(xb)},
                })),
            })).collect::<Vec<_>>(),
            // The layers either side could not read to their end: the paths they would have
            // added, changed or kept are not known, so a path listed as deleted or added
            // may only be missing from the reading (the command also fails).
            "incomplete": incomplete,
            "added": d.added,
            "modified": d.modified,
            "deleted": d.deleted,
            "added_bytes": d.added_bytes,
            "deleted_bytes": d.deleted_bytes,
        });
        let mut s =
            serde_json::to_string_pretty(&doc).map_err(|e| Fail(format!("JSON output: {e}")))?;
        s.push('\n');
        term::json_out(&s).into_owned()
    } else {
        term::text_out(&text(&aa, image_a, a, &ab, image_b, b, &d)).into_owned()
    };
    write_stdout(out.as_bytes())?;
    let gaps: Vec<String> = [
        crate::gaps::line(file_a, image_a, &aa, a, usize::MAX, "A"),
        crate::gaps::line(file_b, image_b, &ab, b, usize::MAX, "B"),
    ]
    .into_iter()
    .flatten()
    .collect();
    if gaps.is_empty() {
        Ok(())
    } else {
        Err(Fail(format!(
            "the comparison above is incomplete: {}",
            gaps.join("; ")
        )))
    }
}

/// The attributes of one side (`mine`) that the other side (`theirs`) does not have with the
/// same value, in a few words each (`security.capability cap_net_raw=ep`), or `none`.
fn xattrs_side(mine: &[Xattr], theirs: &[Xattr]) -> String {
    let differ: Vec<String> = mine
        .iter()
        .filter(|x| !theirs.contains(x))
        .map(|x| Safe(capability::brief(x, 40)).to_string())
        .collect();
    if differ.is_empty() {
        "none".to_string()
    } else {
        differ.join(", ")
    }
}

fn who(archive: &Archive, index: usize, img: &Image) -> serde_json::Value {
    json!({
        "archive": archive.name,
        "image": index,
        "tags": img.tags,
        "layers": img.layers.len(),
    })
}

fn label(archive: &Archive, index: usize, img: &Image) -> String {
    let tags = if img.tags.is_empty() {
        "<none>".to_string()
    } else {
        img.tags.join(", ")
    };
    format!(
        "{} image {index}: {} ({} layers)",
        Safe(&archive.name),
        Safe(tags),
        img.layers.len()
    )
}

fn side_line(which: &str, s: &Option<LayerSide>) -> String {
    match s {
        None => format!("  {which}: no layer here (its stack ends below)\n"),
        Some(s) => format!(
            "  {which}: layer {}  chain {}  diff_id {}  {}\n",
            s.index,
            s.chain_id
                .as_ref()
                .map(|d| format!("sha256:{}", d.short()))
                .unwrap_or_else(|| "—".into()),
            s.diff_id
                .as_ref()
                .map(|d| format!("sha256:{}", d.short()))
                .unwrap_or_else(|| "—".into()),
            Safe(s.created_by.as_deref().unwrap_or("(no recorded step)"))
        ),
    }
}

fn text(
    aa: &Archive,
    ia: usize,
    a: &Image,
    ab: &Archive,
    ib: usize,
    b: &Image,
    d: &ImageDiff,
) -> String {
    let mut s = format!("A: {}\nB: {}\n\n", label(aa, ia, a), label(ab, ib, b));
    match &d.first_divergent {
        None => s.push_str(&format!(
            "Layers: all {} the same (by ChainID)\n",
            d.shared_layers
        )),
        Some((x, y)) => {
            s.push_str(&format!(
                "Layers: {} the same from the bottom (by ChainID); the first divergent layer is layer {}:\n",
                d.shared_layers, d.shared_layers
            ));
            s.push_str(&side_line("A", x));
            s.push_str(&side_line("B", y));
        }
    }
    s.push('\n');
    if d.paths.is_empty() {
        s.push_str("Files: the same\n");
        return s;
    }
    let size = |v: Option<u64>| v.map(|n| n.to_string()).unwrap_or_else(|| "-".into());
    let mut rows = vec![["CHANGE", "PATH", "KIND", "A SIZE", "B SIZE"]
        .map(String::from)
        .to_vec()];
    for p in &d.paths {
        let change = match p.change {
            Change::Added => "added",
            Change::Modified if p.content == ContentCheck::TooLarge && p.rewritten => "rewritten",
            Change::Modified if p.content == ContentCheck::Unreadable && p.rewritten => {
                "unreadable"
            }
            Change::Modified => "modified",
            Change::Deleted => "deleted",
            Change::Unchanged => "unchanged",
        };
        let kind = serde_json::to_value(p.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        rows.push(vec![
            change.to_string(),
            p.path.display().into_owned(),
            kind,
            size(p.a_size),
            size(p.b_size),
        ]);
    }
    s.push_str(&table::render(&rows));
    s.push_str(&format!(
        "\n{} added ({}), {} modified, {} deleted ({})\n",
        d.added,
        human_size(d.added_bytes),
        d.modified,
        d.deleted,
        human_size(d.deleted_bytes)
    ));
    for p in &d.paths {
        if let Some((ma, mb)) = p.modes {
            s.push_str(&format!(
                "mode of {}: {ma:04o} in A, {mb:04o} in B\n",
                p.path.display()
            ));
        }
        if let Some(((ua, ga), (ub, gb))) = p.owners {
            s.push_str(&format!(
                "owner of {}: {ua}:{ga} in A, {ub}:{gb} in B\n",
                p.path.display()
            ));
        }
        if let Some((xa, xb)) = &p.xattrs {
            s.push_str(&format!(
                "xattrs of {}: {} in A, {} in B\n",
                p.path.display(),
                xattrs_side(xa, xb),
                xattrs_side(xb, xa)
            ));
        }
    }
    if d.paths
        .iter()
        .any(|p| p.content == ContentCheck::Unreadable && p.rewritten)
    {
        s.push_str("unreadable: same size and mode, written by another layer, but the bytes could not be read on one side, so not compared\n");
    }
    if d.paths
        .iter()
        .any(|p| p.content == ContentCheck::TooLarge && p.rewritten)
    {
        s.push_str(&format!(
            "rewritten: same size and mode, written by another layer, larger than {} so not compared byte for byte\n",
            human_size(MAX_COMPARED_BYTES)
        ));
    }
    s
}
