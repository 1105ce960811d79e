//! `pancake`: inspect container image tarballs from the command line. Thin: arguments in,
//! `pancake_core` does the work, text or JSON out.

mod cmd_cat;
mod cmd_ci;
mod cmd_diff;
mod cmd_export;
mod cmd_find;
mod cmd_ls;
mod dockerfile_cmd;
mod gaps;
mod platforms;
mod report;
mod select;
mod table;
mod term;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use pancake_core::{analyze::history, read::archive, Archive, Image, Verification};
use term::Safe;

#[derive(Parser)]
#[command(
    name = "pancake",
    version,
    about = "Inspect container image tarballs (docker save, OCI archives).",
    after_help = "Positions are 0-based here and in the JSON: image 0 is the first image of the archive, \
layer 0 the base layer. (The web page numbers layers from 1 at the base: its layer 1 is --layer 0.)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Threads that hash blobs in parallel (default: one per core).
    #[arg(long, global = true)]
    threads: Option<usize>,
    /// Bytes one layer may decompress to, at least (default 4 GiB); the bound in force is the
    /// larger of this and 100 times the file's size, and all the layers of a file together
    /// may decompress to twice that.
    #[arg(long, global = true, value_name = "BYTES")]
    max_decompressed_bytes: Option<u64>,
}

#[derive(Subcommand)]
enum Command {
    /// Per image: the `docker image history` table, then each layer's digests and checks.
    Inspect {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Don't truncate CREATED BY and IDs.
        #[arg(long)]
        no_trunc: bool,
        /// One JSON document for all files (schema in the README).
        #[arg(long)]
        json: bool,
        /// Of a multi-platform archive, show only this platform (OS/ARCH[/VARIANT], e.g.
        /// linux/arm64/v8; without VARIANT any variant): the first present match.
        #[arg(long, value_name = "OS/ARCH[/VARIANT]")]
        platform: Option<String>,
        /// CI gate (dive's --ci): check every image against the rules, one line per rule,
        /// exit non-zero when one fails. Rules from .pancake-ci.yaml when present.
        #[arg(long, conflicts_with = "json")]
        ci: bool,
        /// The rules file (dive's .dive-ci shape) instead of ./.pancake-ci.yaml.
        #[arg(long, requires = "ci", value_name = "PATH")]
        ci_config: Option<PathBuf>,
        /// Fail when an image's efficiency is below this ratio (0-1, or "disabled"; default 0.9).
        #[arg(long, requires = "ci", value_name = "RATIO")]
        lowest_efficiency: Option<String>,
        /// Fail when an image wastes more than this (bytes, 20MB, 1GiB, or "disabled", the
        /// default).
        #[arg(long, requires = "ci", value_name = "SIZE")]
        highest_wasted_bytes: Option<String>,
        /// Fail when wasted bytes ÷ bytes stored above the base layer exceed this ratio (0-1,
        /// or "disabled"; default 0.1).
        #[arg(long, requires = "ci", value_name = "RATIO")]
        highest_user_wasted_percent: Option<String>,
    },
    /// List files of one layer (its changes) or of the merged filesystem.
    Ls {
        file: PathBuf,
        /// Image index in the archive (0-based: 0 = the first).
        #[arg(long, default_value_t = 0)]
        image: usize,
        /// Layer index, 0-based (0 = base; the web page's "Layer 1"): what that layer added,
        /// modified and deleted (CHANGE).
        #[arg(long, conflicts_with = "merged")]
        layer: Option<usize>,
        /// The filesystem a container of the image sees (the default). Its LAST CHANGED BY
        /// column names the layer that last wrote each path: L3 = layer 3 (0 = base).
        #[arg(long)]
        merged: bool,
        /// table (aligned columns) or csv (RFC 4180: path,kind,size,layer,change,link_target).
        #[arg(long, value_enum, default_value_t = cmd_ls::Format::Table)]
        format: cmd_ls::Format,
    },
    /// One file's exact bytes on stdout (the merged filesystem unless --layer).
    Cat {
        file: PathBuf,
        /// The path in the image, with or without a leading `/`; symlinks are followed as a
        /// process in the container would. A name that is not UTF-8 as `\xNN` (as `ls` prints
        /// it), or as its raw bytes.
        path: std::ffi::OsString,
        /// Image index in the archive (0-based).
        #[arg(long, default_value_t = 0)]
        image: usize,
        /// The copy layer N itself stores (0 = base); a symlink there is followed in the
        /// filesystem as it stands after layer N.
        #[arg(long)]
        layer: Option<usize>,
    },
    /// Layer N's uncompressed tar on stdout, byte for byte (its sha256 is the diff_id).
    ExportLayer {
        file: PathBuf,
        /// Layer index (0 = base).
        layer: usize,
        /// Image index in the archive (0-based).
        #[arg(long, default_value_t = 0)]
        image: usize,
    },
    /// Compare two images: the first layer where they part (by ChainID), then the paths
    /// added, modified and deleted, with sizes. The same file twice compares two of its images.
    Diff {
        file_a: PathBuf,
        file_b: PathBuf,
        /// Image index in FILE_A (0-based).
        #[arg(long, default_value_t = 0)]
        image_a: usize,
        /// Image index in FILE_B (0-based).
        #[arg(long, default_value_t = 0)]
        image_b: usize,
        /// One JSON document (fields in the README).
        #[arg(long)]
        json: bool,
    },
    /// Find paths (substring, or glob with `*?[`) across every layer, with each one's history.
    Find {
        file: PathBuf,
        /// Text found anywhere in `/PATH`, or a glob (`*.conf` matches names, `/usr/*/lib*`
        /// whole paths); ASCII case ignored. Bytes that are not UTF-8 as `\xNN`, or raw.
        pattern: std::ffi::OsString,
        /// Image index in the archive (0-based).
        #[arg(long, default_value_t = 0)]
        image: usize,
        /// One JSON document instead of the table.
        #[arg(long)]
        json: bool,
    },
    /// The Dockerfile an image was built from, read back from its history.
    Dockerfile {
        file: PathBuf,
        /// Image index in the archive (0-based).
        #[arg(long, default_value_t = 0)]
        image: usize,
        /// Only the Dockerfile, without the comment lines naming each instruction's layer.
        #[arg(long)]
        plain: bool,
    },
    /// Write a built-in demo image as a `docker save` tarball to stdout.
    Demo {
        /// One of the demo names (run without a name to list them).
        name: Option<String>,
    },
}

/// Reading options from the command line, set once in `main`.
static OPTIONS: std::sync::OnceLock<archive::Options> = std::sync::OnceLock::new();

/// A failure that ends the command: one line on stderr, non-zero exit.
struct Fail(String);

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut opts = archive::Options::default();
    if let Some(n) = cli.threads {
        opts.threads = n.max(1);
    }
    if let Some(n) = cli.max_decompressed_bytes {
        opts.limits.max_decompressed_bytes = n;
    }
    let _ = OPTIONS.set(opts);
    let result = match cli.command {
        Command::Inspect {
            files,
            no_trunc,
            json,
            platform,
            ci,
            ci_config,
            lowest_efficiency,
            highest_wasted_bytes,
            highest_user_wasted_percent,
        } => {
            let ci = ci.then_some(cmd_ci::Flags {
                config: ci_config,
                lowest_efficiency,
                highest_wasted_bytes,
                highest_user_wasted_percent,
            });
            inspect(&files, no_trunc, json, platform.as_deref(), ci.as_ref())
        }
        Command::Ls {
            file,
            image,
            layer,
            merged: _,
            format,
        } => cmd_ls::run(&file, image, layer, format),
        Command::Find {
            file,
            pattern,
            image,
            json,
        } => cmd_find::run(&file, &typed_arg(&pattern), image, json),
        Command::Demo { name } => demo(name.as_deref()),
        Command::Cat {
            file,
            path,
            image,
            layer,
        } => cmd_cat::run(&file, &typed_arg(&path), image, layer),
        Command::Diff {
            file_a,
            file_b,
            image_a,
            image_b,
            json,
        } => cmd_diff::run(&file_a, &file_b, image_a, image_b, json),
        Command::ExportLayer { file, layer, image } => cmd_export::run(&file, layer, image),
        Command::Dockerfile { file, image, plain } => dockerfile_cmd::run(&file, image, plain),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Fail(msg)) => {
            eprintln!("pancake: {}", Safe(msg));
            ExitCode::FAILURE
        }
    }
}

/// Reads one tarball through the core, with a progress bar when stderr is a terminal.
fn read(path: &Path) -> Result<Archive, Fail> {
    read_keeping(path).map_err(|f| Fail(f.message))
}

/// [`read`], keeping what was learned about a file that holds no image.
fn read_keeping(path: &Path) -> Result<Archive, report::Failure> {
    let failed = |message: String, archive: Option<Archive>| report::Failure {
        name: path.display().to_string(),
        archive: archive.map(Box::new),
        message,
    };
    let name = path.display().to_string();
    // The reader reads at places of its choosing (a layer's blob where the manifest says):
    // a pipe (`<(docker save …)`, a FIFO) cannot seek, and its first read would fail as an
    // "Illegal seek". Say what to do instead (before opening: opening a FIFO waits for a
    // writer).
    match std::fs::metadata(path) {
        Ok(m) if m.is_dir() => {
            return Err(failed(
                format!("{name}: is a directory, not a tarball (an image laid out in a folder: pack it with tar first)"),
                None,
            ))
        }
        Ok(m) if !seekable(&m.file_type()) => {
            return Err(failed(
                format!("{name}: not a regular file (a pipe or FIFO?): pancake reads a tarball at the places its manifest names, so it needs a file it can seek in; save to a file first (docker save -o image.tar IMAGE)"),
                None,
            ))
        }
        _ => {}
    }
    let file =
        std::fs::File::open(path).map_err(|e| failed(format!("{name}: cannot open: {e}"), None))?;
    let bar = std::io::stderr().is_terminal().then(|| {
        let total = file.metadata().map(|m| m.len()).unwrap_or(0);
        let bar = indicatif::ProgressBar::new(total);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{msg} {wide_bar} {bytes}/{total_bytes} {binary_bytes_per_sec}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar.set_message(Safe(&name).to_string());
        bar
    });
    let mut on_progress = |p: &archive::Progress| {
        if let Some(b) = &bar {
            b.set_length(p.bytes_total);
            b.set_position(p.bytes_done);
        }
    };
    let opts = OPTIONS.get_or_init(archive::Options::default);
    let result = archive::open(&name, &file, opts, &mut on_progress);
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let archive = result.map_err(|e| failed(e.to_string(), None))?;
    if archive.images.is_empty() {
        let why = archive
            .problems
            .first()
            .map(|p| match p.member_name() {
                Some(m) => format!("{m}: {p}"),
                None => p.message(),
            })
            .unwrap_or_else(|| {
                // A manifest that is there but lists nothing (`[]`): not "no manifest".
                let listed = ["manifest.json", "index.json"].into_iter().find(|n| {
                    archive
                        .members
                        .iter()
                        .any(|m| m.path.as_bytes() == n.as_bytes())
                });
                match listed {
                    Some(m) => format!("{m} lists no image"),
                    None => "no manifest, index or image config found".into(),
                }
            });
        return Err(failed(
            format!("{name}: no image could be read: {why}"),
            Some(archive),
        ));
    }
    Ok(archive)
}

/// A path or pattern argument as the commands read typed text: as given when it is UTF-8 (so
/// `caf\xe9` typed is the byte 0xE9), else its raw bytes in the escaped form names are shown
/// in (`caf\xe9`, a backslash doubled), which reads back as exactly those bytes. A name that
/// is not UTF-8 can be passed either way (`"$(printf 'caf\xe9')"` or `'caf\xe9'`).
fn typed_arg(arg: &std::ffi::OsStr) -> String {
    match arg.to_str() {
        Some(s) => s.to_string(),
        #[cfg(unix)]
        None => {
            use std::os::unix::ffi::OsStrExt;
            pancake_core::escape::escape_name(arg.as_bytes()).into_owned()
        }
        #[cfg(not(unix))]
        None => arg.to_string_lossy().into_owned(),
    }
}

/// A regular file, or a block device (a disk image): what the reader can seek in.
fn seekable(t: &std::fs::FileType) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        t.is_file() || t.is_block_device()
    }
    #[cfg(not(unix))]
    {
        t.is_file()
    }
}

fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn inspect(
    files: &[PathBuf],
    no_trunc: bool,
    json: bool,
    platform: Option<&str>,
    ci: Option<&cmd_ci::Flags>,
) -> Result<(), Fail> {
    let mut archives = Vec::new();
    let mut failed = Vec::new();
    for f in files {
        match read_keeping(f) {
            Ok(a) => archives.push(a),
            Err(e) => failed.push(e),
        }
    }
    // Every platform each archive lists, taken before --platform keeps one image of each.
    let mut listed: Vec<_> = archives.iter().map(platforms::of).collect();
    // Each shown image's number among its file's images (`--image` counts those), for the
    // headings: `--platform` keeps one, which keeps its number.
    let mut numbers: Vec<Vec<usize>> = archives
        .iter()
        .map(|a| (0..a.images.len()).collect())
        .collect();
    if let Some(spec) = platform {
        let mut kept = (Vec::new(), Vec::new());
        numbers.clear();
        for (mut a, list) in archives.into_iter().zip(listed) {
            // The gate keeps every image, so its problems keep the file's image numbers, and
            // checks only the one chosen (`numbers`).
            let chosen = match ci {
                Some(_) => platforms::choose(&a, spec),
                None => platforms::keep_only(&mut a, spec),
            };
            match chosen {
                Ok(number) => {
                    kept.0.push(a);
                    kept.1.push(list);
                    numbers.push(vec![number]);
                }
                Err(Fail(message)) => failed.push(report::Failure {
                    name: a.name.clone(),
                    archive: None,
                    message,
                }),
            }
        }
        (archives, listed) = kept;
    }
    let mut failures: Vec<String> = failed.iter().map(|f| f.message.clone()).collect();
    // One line per unreadable file (the last one is the command's error); what could be
    // read is still shown, and the JSON document says why the others could not be.
    let last_failure = failures.pop();
    for m in &failures {
        eprintln!("pancake: {}", Safe(m));
    }
    if let Some(flags) = ci {
        let unreadable: Vec<&str> = failed.iter().map(|f| f.name.as_str()).collect();
        let (text, failed_rules) = cmd_ci::report(&archives, &numbers, &unreadable, flags)?;
        write_stdout(term::text_out(&text).as_bytes())?;
        if let Some(m) = last_failure {
            return Err(Fail(m));
        }
        return match failed_rules {
            0 => Ok(()),
            n => Err(Fail(format!("CI: {n} rule(s) failed"))),
        };
    }
    let out = if json {
        let mut doc = report::build(&archives, &numbers, &failed);
        doc.platforms = platforms::report(&archives, &listed);
        let mut s =
            serde_json::to_string_pretty(&doc).map_err(|e| Fail(format!("JSON output: {e}")))?;
        s.push('\n');
        term::json_out(&s).into_owned()
    } else {
        let now = now_unix();
        let mut s = String::new();
        for (k, a) in archives.iter().enumerate() {
            let mut memo = report::Memo::default();
            let numbers = numbers.get(k).map_or(&[][..], Vec::as_slice);
            for (i, img) in a.images.iter().enumerate() {
                let number = numbers.get(i).copied().unwrap_or(i);
                s.push_str(&image_text(a, number, img, now, no_trunc, &mut memo));
            }
            if let Some(list) = listed.get(k) {
                s.push_str(&platforms::text(a, list, numbers));
            }
            s.push_str(&problems_text(a));
        }
        s.push_str(&shared_text(&archives, &numbers, no_trunc));
        term::text_out(&s).into_owned()
    };
    write_stdout(out.as_bytes())?;
    match last_failure {
        None => Ok(()),
        Some(m) => Err(Fail(m)),
    }
}

/// Writes bytes as they are: text must have passed [`term::text_out`] or [`term::json_out`]
/// (the printers do), a tarball is for a file or a pipe.
fn write_stdout(bytes: &[u8]) -> Result<(), Fail> {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|_| out.flush()) {
        Ok(()) => Ok(()),
        // `pancake inspect x | head` is not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Fail(format!("writing output: {e}"))),
    }
}

fn image_text(
    a: &Archive,
    index: usize,
    img: &Image,
    now: i64,
    no_trunc: bool,
    memo: &mut report::Memo,
) -> String {
    let mut s = String::new();
    let tags = if img.tags.is_empty() {
        "<none>".to_string()
    } else {
        img.tags
            .iter()
            .map(|t| Safe(t).to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let platform = [
        img.config.os.as_deref(),
        img.config.architecture.as_deref(),
        img.config.variant.as_deref(),
    ]
    .iter()
    .flatten()
    .copied()
    .collect::<Vec<_>>()
    .join("/");
    let platform = Safe(platform).to_string();
    s.push_str(&format!("{} — image {index}: {tags}", Safe(&a.name)));
    if let Some(d) = &img.config_digest {
        s.push_str(&format!("  (ID {})", d.short()));
    }
    if !platform.is_empty() {
        s.push_str(&format!("  {platform}"));
    }
    s.push_str("\n\n");

    let mut rows = vec![["IMAGE", "CREATED", "CREATED BY", "SIZE", "COMMENT"]
        .map(String::from)
        .to_vec()];
    let sizes = memo.content_sizes(a, img);
    let table_rows = history::history_table_sized(img, &sizes, now, no_trunc);
    // docker history gives the n-th step not marked empty the n-th layer's size; the layers
    // below (and `dockerfile`) pair steps by what each layer holds. Where the two differ the
    // table is still Docker's, and each such row is said under it, not left to contradict
    // the layers in silence (the page marks the same rows ≠).
    let paired_here = |step: usize| img.layers.iter().position(|l| l.history == Some(step));
    let mut differing = Vec::new();
    for r in &table_rows {
        let here = paired_here(r.history);
        if r.layer != here {
            let docker = match r.layer {
                Some(l) => format!("shows layer {l}'s size on it"),
                None => "shows no layer on it".to_string(),
            };
            let ours = match here {
                Some(l) => format!("pair it with layer {l}"),
                None => "pair it with no layer".to_string(),
            };
            differing.push(format!(
                "≠ history[{}] ({}): docker history {docker}; the layers below {ours}\n",
                r.history,
                Safe(r.created_by.trim_end()),
            ));
        }
    }
    // A layer whose files are not all known (missing, unreadable, stopped by a limit) has
    // "—" as its size (`known_content_size`), not the 0B of a missing index or the sizes a
    // truncated header claims.
    for r in table_rows {
        rows.push(vec![r.id, r.created, r.created_by, r.size, r.comment]);
    }
    s.push_str(&table::render(&rows));
    if !differing.is_empty() {
        s.push('\n');
    }
    for line in differing {
        s.push_str(&line);
    }

    s.push_str("\nLayers (bottom → top):\n");
    for (i, l) in img.layers.iter().enumerate() {
        let short = |d: &Option<pancake_core::Digest>| {
            d.as_ref().map(|d| {
                if no_trunc {
                    d.to_string()
                } else {
                    format!("sha256:{}", d.short())
                }
            })
        };
        // ✓ every claim checked and matched; ✗ a claim failed or the blob is missing or
        // unreadable; ○ nothing to check it against, or left out on purpose (not wrong).
        let mark = match l.verification {
            Verification::Verified => "✓",
            Verification::NotCheckable | Verification::NonDistributable | Verification::Pending => {
                "○"
            }
            Verification::Mismatch | Verification::Missing | Verification::Unreadable => "✗",
        };
        let counted = memo.counts(a, l);
        s.push_str(&format!(
            "  {i:>2} {mark} diff_id {}  digest {}  size {} (stored {}{})\n",
            short(&l.diff_id).unwrap_or_else(|| {
                // No diff_id: say why, from the verification (the blob may be there).
                match l.verification {
                    Verification::Missing => "— (blob missing)",
                    Verification::NonDistributable => "— (left out on purpose)",
                    Verification::Unreadable => "— (unreadable)",
                    _ => "—",
                }
                .into()
            }),
            short(&l.digest).unwrap_or_else(|| "—".into()),
            // Unknown is "—", not 0B: a layer whose tar was never read whole (missing,
            // unreadable, over a limit) has no size, and a missing blob stores nothing here.
            report::known_size(l).map_or_else(|| "—".to_string(), pancake_core::units::human_size),
            if l.member.is_none() {
                "—".to_string()
            } else {
                pancake_core::units::human_size(l.stored_size)
            },
            match l.compression {
                pancake_core::Compression::None => "",
                pancake_core::Compression::Gzip => ", gzip",
                pancake_core::Compression::Zstd => ", zstd",
                pancake_core::Compression::Xz => ", xz",
                pancake_core::Compression::Bzip2 => ", bzip2",
            },
        ));
        s.push_str(&match counted {
            // Counts that were never taken are not zeros.
            None if l.verification == Verification::NonDistributable => {
                "       entries not known: the layer is left out of the archive on purpose\n"
                    .to_string()
            }
            None if l.member.is_none() => {
                "       entries not known: the blob is not in the archive\n".to_string()
            }
            None => "       entries not known: the blob was not read as a tar\n".to_string(),
            Some((entries, whiteouts, opaque)) => match pancake_core::analyze::gaps::layer_gap(a, img, i) {
                Some(pancake_core::analyze::gaps::GapKind::Limited) => format!(
                    "       {entries} entries, {whiteouts} whiteouts, {opaque} opaque dirs listed; a limit of this reader left others out or unnamed (see its problem)\n"
                ),
                Some(_) => format!(
                    "       {entries} entries, {whiteouts} whiteouts, {opaque} opaque dirs read before the layer stopped (see its problem)\n"
                ),
                None => format!(
                    "       {entries} entries, {whiteouts} whiteouts, {opaque} opaque dirs\n"
                ),
            },
        });
        if i < pancake_core::analyze::history::uncertain_layers(img) {
            // A step marked empty_layer may have made it (see the history problem).
            s.push_str("       step uncertain: no recorded step, or one marked empty_layer\n");
        } else if l.history.is_none() && img.pairing == pancake_core::PairingRule::FromTop {
            s.push_str("       no recorded step (base image)\n");
        }
        for m in &l.mismatches {
            s.push_str(&format!(
                "       ✗ {}: expected {}, actual {}\n",
                Safe(&m.what),
                Safe(&m.expected),
                Safe(&m.actual)
            ));
        }
        if l.mismatches.is_empty() {
            if let Some(why) = &l.verification_reason {
                s.push_str(&format!(
                    "       {mark} {}: {}\n",
                    state_name(l.verification),
                    Safe(why)
                ));
            }
        }
        for u in &l.urls {
            s.push_str(&format!("       url {}\n", Safe(u)));
        }
    }
    if !img.artifacts.is_empty() {
        s.push_str("\nArtifacts (not images; they refer to this one):\n");
        let mut rows = Vec::new();
        for art in &img.artifacts {
            let kind = serde_json::to_value(art.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            let digest = art
                .manifest_digest
                .as_ref()
                .map(|d| {
                    if no_trunc {
                        d.to_string()
                    } else {
                        format!("{}:{}", d.algorithm().name(), d.short())
                    }
                })
                .unwrap_or_else(|| "—".into());
            let mut note = format!("by {}", art.refers_by);
            if !art.present {
                note.push_str(", manifest not in the archive");
            }
            rows.push(vec![
                format!("  {kind}"),
                art.artifact_type.clone(),
                pancake_core::units::human_size(art.size),
                digest,
                note,
            ]);
        }
        s.push_str(&table::render(&rows));
    }
    s.push('\n');
    s
}

/// The JSON name of a verification state (`not-checkable` ...), for the text view too.
fn state_name(v: Verification) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// How an image is named in the shared-layers section: its first tag, else file and index.
fn image_label(a: &Archive, index: usize, img: &Image) -> String {
    match img.tags.first() {
        Some(t) => t.clone(),
        None => format!("{} image {index}", Safe(&a.name)),
    }
}

/// "Shared layers" across every image read (only when there are at least two images).
/// `numbers[k][i]`: image `i` of archive `k`'s number among its file's images.
fn shared_text(archives: &[Archive], numbers: &[Vec<usize>], no_trunc: bool) -> String {
    let labels: Vec<String> = archives
        .iter()
        .zip(numbers)
        .flat_map(|(a, numbers)| {
            a.images
                .iter()
                .enumerate()
                .map(move |(i, img)| image_label(a, numbers.get(i).copied().unwrap_or(i), img))
        })
        .collect();
    if labels.len() < 2 {
        return String::new();
    }
    let shared = report::shared(archives);
    // Docker's layer store keeps a layer once per ChainID: the same diff_id above a different
    // base is another layer there.
    let mut s =
        String::from("Shared layers (same layer on the same layers below it, by ChainID):\n");
    if shared.layers.is_empty() && shared.same_image.is_empty() {
        s.push_str("  none\n");
    } else if shared.layers.is_empty() {
        s.push_str("  none between different images\n");
    }
    // The same image ID listed twice is one image: it shares nothing with itself, which a
    // reader seeing two images with the same base layer would not guess.
    for same in &shared.same_image {
        let mut names: Vec<&str> = same
            .images
            .iter()
            .filter_map(|&i| labels.get(i))
            .map(String::as_str)
            .collect();
        let last = names.pop().unwrap_or_default();
        let hex = same
            .image_id
            .strip_prefix("sha256:")
            .unwrap_or(&same.image_id);
        let id = if no_trunc {
            same.image_id.clone()
        } else {
            hex.get(..12).unwrap_or(hex).to_string()
        };
        s.push_str(&format!(
            "  {} and {last} are one image (ID {id}), listed {} times: counted once, sharing nothing with itself{}\n",
            names.join(", "),
            same.images.len(),
            if same.layers_differ {
                "; the listings give different layers (see the problems)"
            } else {
                ""
            }
        ));
    }
    let mut rows = Vec::new();
    for l in &shared.layers {
        let short = |d: &str| {
            if no_trunc {
                d.to_string()
            } else {
                let hex = d.strip_prefix("sha256:").unwrap_or(d);
                format!("sha256:{}", hex.get(..12).unwrap_or(hex))
            }
        };
        let users: Vec<&str> = l
            .images
            .iter()
            .filter_map(|&i| labels.get(i))
            .map(String::as_str)
            .collect();
        rows.push(vec![
            format!("  chain {}", short(&l.chain_id)),
            format!("diff_id {}", short(&l.diff_id)),
            pancake_core::units::human_size(l.size),
            users.join(", "),
        ]);
    }
    if !rows.is_empty() {
        s.push_str(&table::render(&rows));
    }
    let saved = shared.separate_bytes.saturating_sub(shared.stored_bytes);
    let pct = if shared.separate_bytes > 0 {
        saved as f64 * 100.0 / shared.separate_bytes as f64
    } else {
        0.0
    };
    s.push_str(&format!(
        "Layer store (Docker, by ChainID): {} if each image were stored separately, {} with shared layers stored once, {} saved ({pct:.0}%)\n",
        pancake_core::units::human_size(shared.separate_bytes),
        pancake_core::units::human_size(shared.stored_bytes),
        pancake_core::units::human_size(saved),
    ));
    s.push_str(&format!(
        "Content store (containerd, registry; blobs by digest): {}\n",
        pancake_core::units::human_size(shared.content_store_bytes),
    ));
    s
}

fn problems_text(a: &Archive) -> String {
    if a.problems.is_empty() {
        return String::new();
    }
    let mut s = format!("{}: {} problem(s)\n", Safe(&a.name), a.problems.len());
    for p in &a.problems {
        let kind = p.kind.name();
        // The message names the member itself (`layer <member>: `, `outer member …`, or the
        // image's layer with its member in brackets): not printed twice.
        s.push_str(&format!("  [{kind}] {}\n", Safe(&p.message())));
    }
    s.push('\n');
    s
}

fn demo(name: Option<&str>) -> Result<(), Fail> {
    let names = pancake_demo::names();
    let Some(name) = name else {
        return write_stdout(term::text_out(&format!("{}\n", names.join("\n"))).as_bytes());
    };
    let bytes = pancake_demo::build(name).ok_or_else(|| {
        Fail(format!(
            "no demo named \"{}\"; known: {}",
            Safe(name),
            names.join(", ")
        ))
    })?;
    if std::io::stdout().is_terminal() {
        return Err(Fail(
            "refusing to write a tarball to a terminal; redirect it: pancake demo NAME > out.tar"
                .into(),
        ));
    }
    write_stdout(&bytes)
}
