//! `pancake`: inspect container image tarballs from the command line. Thin: arguments in,
//! `pancake_core` does the work, text or JSON out.

mod dockerfile_cmd;
mod report;
mod table;
mod term;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use pancake_core::{analyze::history, analyze::union, read::archive, Archive, Image, Verification};
use term::Safe;

#[derive(Parser)]
#[command(
    name = "pancake",
    version,
    about = "Inspect container image tarballs (docker save, OCI archives)."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Threads that hash blobs in parallel (default: one per core).
    #[arg(long, global = true)]
    threads: Option<usize>,
    /// Bytes one layer may decompress to, at least (default 4 GiB); the bound in force is the
    /// larger of this and 100 times the file's size.
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
    },
    /// List files of one layer (its changes) or of the merged filesystem.
    Ls {
        file: PathBuf,
        /// Image index in the archive.
        #[arg(long, default_value_t = 0)]
        image: usize,
        /// Layer index (0 = base): what that layer added, modified and deleted.
        #[arg(long, conflicts_with = "merged")]
        layer: Option<usize>,
        /// The filesystem a container of the image sees (the default).
        #[arg(long)]
        merged: bool,
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
        } => inspect(&files, no_trunc, json),
        Command::Ls {
            file,
            image,
            layer,
            merged: _,
        } => ls(&file, image, layer),
        Command::Demo { name } => demo(name.as_deref()),
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
            .map(|p| match &p.member {
                Some(m) => format!("{m}: {}", p.message),
                None => p.message.clone(),
            })
            .unwrap_or_else(|| "no manifest, index or image config found".into());
        return Err(failed(
            format!("{name}: no image could be read: {why}"),
            Some(archive),
        ));
    }
    Ok(archive)
}

fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn inspect(files: &[PathBuf], no_trunc: bool, json: bool) -> Result<(), Fail> {
    let mut archives = Vec::new();
    let mut failed = Vec::new();
    for f in files {
        match read_keeping(f) {
            Ok(a) => archives.push(a),
            Err(e) => failed.push(e),
        }
    }
    // One line per unreadable file (the last one is the command's error); what could be
    // read is still shown, and the JSON document says why the others could not be.
    let mut failures: Vec<String> = failed.iter().map(|f| f.message.clone()).collect();
    let last_failure = failures.pop();
    for m in &failures {
        eprintln!("pancake: {}", Safe(m));
    }
    let out = if json {
        let doc = report::build(&archives, &failed);
        let mut s =
            serde_json::to_string_pretty(&doc).map_err(|e| Fail(format!("JSON output: {e}")))?;
        s.push('\n');
        term::json_out(&s).into_owned()
    } else {
        let now = now_unix();
        let mut s = String::new();
        for a in &archives {
            for (i, img) in a.images.iter().enumerate() {
                s.push_str(&image_text(a, i, img, now, no_trunc));
            }
            s.push_str(&problems_text(a));
        }
        s.push_str(&shared_text(&archives, no_trunc));
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

fn image_text(a: &Archive, index: usize, img: &Image, now: i64, no_trunc: bool) -> String {
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
    for r in history::history_table(a, img, now, no_trunc) {
        rows.push(vec![r.id, r.created, r.created_by, r.size, r.comment]);
    }
    s.push_str(&table::render(&rows));

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
        let (entries, whiteouts, opaque) = report::counts(a, l);
        s.push_str(&format!(
            "  {i:>2} {mark} diff_id {}  digest {}  size {} (stored {}{})\n",
            short(&l.diff_id).unwrap_or_else(|| "— (blob missing)".into()),
            short(&l.digest).unwrap_or_else(|| "—".into()),
            history::human_size(l.size),
            history::human_size(l.stored_size),
            match l.compression {
                pancake_core::Compression::None => "",
                pancake_core::Compression::Gzip => ", gzip",
                pancake_core::Compression::Zstd => ", zstd",
                pancake_core::Compression::Xz => ", xz",
                pancake_core::Compression::Bzip2 => ", bzip2",
            },
        ));
        s.push_str(&format!(
            "       {entries} entries, {whiteouts} whiteouts, {opaque} opaque dirs\n"
        ));
        if l.history.is_none() && img.pairing == pancake_core::PairingRule::FromTop {
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
                history::human_size(art.size),
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
fn shared_text(archives: &[Archive], no_trunc: bool) -> String {
    let labels: Vec<String> = archives
        .iter()
        .flat_map(|a| {
            a.images
                .iter()
                .enumerate()
                .map(move |(i, img)| image_label(a, i, img))
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
    if shared.layers.is_empty() {
        s.push_str("  none\n");
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
            history::human_size(l.size),
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
        history::human_size(shared.separate_bytes),
        history::human_size(shared.stored_bytes),
        history::human_size(saved),
    ));
    s.push_str(&format!(
        "Content store (containerd, registry; blobs by digest): {}\n",
        history::human_size(shared.content_store_bytes),
    ));
    s
}

fn problems_text(a: &Archive) -> String {
    if a.problems.is_empty() {
        return String::new();
    }
    let mut s = format!("{}: {} problem(s)\n", Safe(&a.name), a.problems.len());
    for p in &a.problems {
        let kind = serde_json::to_value(p.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        match &p.member {
            Some(m) => s.push_str(&format!("  [{kind}] {}: {}\n", Safe(m), Safe(&p.message))),
            None => s.push_str(&format!("  [{kind}] {}\n", Safe(&p.message))),
        }
    }
    s.push('\n');
    s
}

fn ls(file: &Path, image: usize, layer: Option<usize>) -> Result<(), Fail> {
    let a = read(file)?;
    let img = a.images.get(image).ok_or_else(|| {
        Fail(format!(
            "{}: no image {image} (the archive has {})",
            file.display(),
            a.images.len()
        ))
    })?;
    let rows = match layer {
        Some(l) if l >= img.layers.len() => {
            return Err(Fail(format!(
                "{}: image {image} has no layer {l} (it has {})",
                file.display(),
                img.layers.len()
            )))
        }
        Some(l) => union::layer_changes(&a, img, l).rows,
        None => union::merged(&a, img, img.layers.len().saturating_sub(1)),
    };
    let mut out = vec![["PATH", "KIND", "SIZE", "CHANGE"]
        .map(String::from)
        .to_vec()];
    for r in rows {
        let kind = serde_json::to_value(r.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        let change = serde_json::to_value(r.change)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        let size = if r.kind == pancake_core::EntryKind::Dir {
            r.dir_size
        } else {
            r.size
        };
        let mut path = r.path.to_string();
        if let Some(t) = &r.link_target {
            path.push_str(&format!(" -> {t}"));
        }
        out.push(vec![path, kind, size.to_string(), change]);
    }
    write_stdout(term::text_out(&table::render(&out)).as_bytes())
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
