//! `pancake cat FILE PATH [--image N] [--layer N]`: one file's exact bytes on stdout.
//!
//! Default: the merged filesystem of the image, PATH resolved as a process in the container
//! would (symlinks followed, also in directories: `pancake_core::analyze::lookup`). With
//! `--layer N`: the copy layer N itself stores (it must have added or modified PATH); a
//! symlink there is followed in the filesystem as it stands after layer N. A hard link gives
//! the bytes of the file it links to (`union::FileRow::content`).

use std::io::IsTerminal;
use std::path::Path;

use pancake_core::analyze::lookup::{self, LookupError};
use pancake_core::analyze::union;
use pancake_core::read::archive;
use pancake_core::read::export::{self, ExportError};
use pancake_core::{EntryKind, RawPath};

use crate::term::Safe;
use crate::{select, write_stdout, Fail};

/// The most bytes `cat` collects to show on a terminal (a file or a pipe gets any size,
/// streamed): 64 MiB.
const TERMINAL_MAX: u64 = 64 << 20;

pub fn run(file: &Path, path: &str, image: usize, layer: Option<usize>) -> Result<(), Fail> {
    let a = crate::read(file)?;
    let img = select::image(&a, file, image)?;
    let top = img.layers.len().saturating_sub(1);
    let upto = match layer {
        Some(l) => select::layer(img, file, image, l)?,
        None => top,
    };
    let wanted = RawPath::from_typed(path);
    // Looked up as typed: a trailing `/` or `/.` asks for a directory (ENOTDIR for a file).
    let typed = RawPath::from_typed_as_written(path);
    let shown = |p: &RawPath| format!("/{}", p.display());
    // A path not found may only be past where a layer could be read: said with the reason.
    let gaps = crate::gaps::line(file, image, &a, img, upto, "the filesystem read")
        .map(|g| format!(" ({g})"))
        .unwrap_or_default();
    let fail = |why: String| Fail(format!("{}: {why}{gaps}", file.display()));
    let not_found = |e: LookupError| fail(lookup_failed(path, &wanted, &e));
    let merged = union::merged(&a, img, upto);
    let changes = match layer {
        Some(l) => union::layer_changes(&a, img, l).rows,
        None => Vec::new(),
    };
    let row = match layer {
        None => {
            let i = lookup::resolve(&merged, &typed, true).map_err(not_found)?;
            i.and_then(|i| merged.get(i))
        }
        Some(l) => {
            // Directories on the way may be symlinks (`/bin -> usr/bin`): the path the layer
            // stores is the one they lead to. A file asked for as a directory (`file/`) is
            // no file to give, whatever the layer stores.
            let real = match lookup::resolve(&merged, &typed, false) {
                Err(e @ LookupError::NotADirectory { .. }) => return Err(not_found(e)),
                r => r.ok().flatten(),
            };
            let real = real
                .and_then(|i| merged.get(i))
                .map(|r| r.path.clone())
                .unwrap_or_else(|| wanted.clone());
            let own = changes
                .iter()
                .find(|r| r.path == real && r.change != union::Change::Deleted);
            let Some(own) = own else {
                let last = merged
                    .binary_search_by(|r| r.path.cmp(&real))
                    .ok()
                    .and_then(|i| merged.get(i))
                    .map(|r| format!("; layer {} last changed it", r.layer))
                    .unwrap_or_default();
                return Err(fail(format!(
                    "layer {l} of image {image} does not add or modify {}{last}",
                    shown(&wanted)
                )));
            };
            if own.kind == EntryKind::Symlink {
                let i = lookup::resolve(&merged, &real, true).map_err(not_found)?;
                i.and_then(|i| merged.get(i))
            } else {
                Some(own)
            }
        }
    };
    // The root and directories with no entry of their own resolve to no row.
    let Some(row) = row else {
        // A path that climbs (`..`, `etc/..`) is said as typed, as `cat` says it: its
        // normalized form kept the `..` ("/.. is a directory") and named no folder.
        let said = if path.split('/').any(|c| c == "..") {
            path.to_string()
        } else {
            shown(&wanted)
        };
        return Err(fail(format!("{said} is a directory")));
    };
    let what = match row.kind {
        EntryKind::File | EntryKind::Hardlink => None,
        EntryKind::Dir => Some("a directory"),
        EntryKind::Symlink => Some("a symlink"),
        EntryKind::Char => Some("a character device"),
        EntryKind::Block => Some("a block device"),
        EntryKind::Fifo => Some("a FIFO"),
        EntryKind::Other => Some("not a regular file"),
    };
    if let Some(what) = what {
        return Err(fail(format!(
            "{} is {what}: it has no content",
            shown(&row.path)
        )));
    }
    // Only a hard link that points to no file is left here (one to a symlink or a device
    // has that kind); inspect reports why: a `hard-link` problem, or `unsafe-path` for a
    // target outside the root.
    let Some(content) = &row.content else {
        let to = row
            .link_target
            .as_ref()
            .map(|t| format!(" to {}", shown(t)))
            .unwrap_or_default();
        return Err(fail(format!(
            "{} is a hard link{to} that points to no file (see the problems pancake inspect reports)",
            shown(&row.path)
        )));
    };
    // Streamed whatever the size: by offset from the file, or re-inflated from the layer up
    // to the file, with the decompression bound the reading kept (a header claiming 2^63
    // bytes stops at the bound, it is never allocated).
    let opts = crate::OPTIONS.get_or_init(archive::Options::default);
    // Reading the bytes can still fail (a layer corrupt past the file's header): said with
    // the file, the path, the layer and its blob.
    let export_failed = |e: &ExportError| {
        let shown = Safe(shown(&row.path)).to_string();
        let at = img.layers.get(content.layer);
        let line = crate::cmd_export::named(file, image, content.layer, at, e);
        format!("{line} (reading {shown})")
    };
    let source = std::fs::File::open(file).map_err(|e| fail(format!("cannot open: {e}")))?;
    // Once the bytes are out: whether they are the image's file. The layer holding them may
    // not be the one the config names (its diff_id differs), or be a compressed stream that
    // failed its checksum; a layer
    // above may be missing or cut short and delete or rewrite the file. The bytes are shown
    // all the same, then `cat` fails saying why (as `ls` does over a listing it could not
    // finish), rather than give a stale or damaged file with success.
    let doubt = || -> Result<(), Fail> {
        let lines: Vec<String> = [
            crate::gaps::mismatch_line(file, image, img, content.layer),
            crate::gaps::above_line(file, image, &a, img, content.layer, upto),
        ]
        .into_iter()
        .flatten()
        .collect();
        if lines.is_empty() {
            Ok(())
        } else {
            Err(Fail(lines.join("; also ")))
        }
    };
    // A file or a pipe gets the bytes as they are; a terminal only text, escaped like every
    // other string from a file (an ESC in a file must not rewrite the screen).
    if std::io::stdout().is_terminal() {
        // Collected before it is shown (to tell text from binary): never more than this.
        if content.size > TERMINAL_MAX {
            return Err(Fail(format!(
                "{} is {} bytes, more than a terminal is shown ({TERMINAL_MAX}); redirect it: \
                 pancake cat FILE PATH > out",
                Safe(shown(&row.path)),
                content.size
            )));
        }
        let mut bytes = Vec::new();
        export::write_content(&source, &a, content, &opts.limits, &mut bytes)
            .map_err(|e| Fail(export_failed(&e)))?;
        return match std::str::from_utf8(&bytes) {
            Ok(text) => write_stdout(crate::term::text_out(text).as_bytes()).and_then(|_| doubt()),
            Err(_) => Err(Fail(format!(
                "{} is binary; redirect it: pancake cat FILE PATH > out",
                Safe(shown(&row.path))
            ))),
        };
    }
    let mut out = std::io::stdout().lock();
    match export::write_content(&source, &a, content, &opts.limits, &mut out) {
        Ok(_) => {
            drop(out);
            doubt()
        }
        // `pancake cat x /big | head` is not an error.
        Err(ExportError::Write(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Fail(export_failed(&e))),
    }
}

/// Why `typed` (the path as given, normalized: `wanted`) could not be looked up. The lookup
/// names the component that failed; the path asked for is said first when that is another
/// one (a directory on the way, where a symlink led, a name asked for as a directory), so
/// the line says what was asked and what stopped it: `lib/x/: /usr/lib/x is not a directory`.
fn lookup_failed(typed: &str, wanted: &RawPath, e: &LookupError) -> String {
    let names_it = match e {
        LookupError::NotFound { missing } => missing == wanted,
        LookupError::Dangling { link, .. } => link == wanted,
        LookupError::NotADirectory { .. } | LookupError::TooManyLinks { .. } => false,
    };
    if names_it {
        e.to_string()
    } else {
        format!("{}: {e}", Safe(typed))
    }
}
