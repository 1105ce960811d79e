//! History: `created_by` read back as a Dockerfile instruction, and the exact text
//! `docker image history` prints (sizes, "… ago", truncation).

use serde::{Deserialize, Serialize};

use std::collections::HashMap;

use crate::analyze::whiteout;
use crate::model::{Archive, EntryKind, HistoryEntry, Image, Member, PairingRule};
use crate::path::RawPath;
use crate::units::{created_unix, human_size, relative_time};

/// A history step as a Dockerfile-like instruction.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Instruction {
    /// `RUN`, `COPY`, `ENV` …; empty when `created_by` is not in a form we know.
    pub keyword: String,
    /// The whole instruction, e.g. `ENV A=b` or `RUN make`.
    pub text: String,
    /// Build arguments the classic builder recorded as `|2 A=b C=d /bin/sh -c …`.
    pub build_args: Vec<String>,
}

/// How an instruction is drawn (same colour everywhere in the UI).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum InstructionKind {
    /// The bottom layer: it came with `FROM` (or is the first step of a scratch image).
    Base,
    /// A `RUN` step.
    Run,
    /// `COPY` / `ADD`.
    Copy,
    /// Any other step that made a layer (BuildKit's `WORKDIR`, tools' own text).
    OtherLayer,
    /// Steps that only changed the config (`ENV`, `CMD`, `EXPOSE` …).
    Metadata,
}

const KEYWORDS: &[&str] = &[
    "FROM",
    "RUN",
    "CMD",
    "LABEL",
    "MAINTAINER",
    "EXPOSE",
    "ENV",
    "ADD",
    "COPY",
    "ENTRYPOINT",
    "VOLUME",
    "USER",
    "WORKDIR",
    "ARG",
    "ONBUILD",
    "STOPSIGNAL",
    "HEALTHCHECK",
    "SHELL",
];
const SHELLS: &[&str] = &["/bin/sh -c ", "cmd /S /C ", "/bin/bash -c ", "/bin/ash -c "];

fn first_word(s: &str) -> &str {
    s.split_whitespace().next().unwrap_or("")
}

fn is_keyword(w: &str) -> bool {
    KEYWORDS.contains(&w)
}

/// Splits a `|N k=v … rest` build-arg prefix off (classic builder, and BuildKit's `RUN |N …`).
///
/// Both builders join the `k=v` pairs with spaces and quote nothing, so a value may hold
/// spaces (`|1 GREETING=hello world /bin/sh -c …`). When a shell marker (`/bin/sh -c` …)
/// follows, the pairs are the text before it, a new pair starting at each word shaped
/// `NAME=` (a build arg's name: letters, digits, `_`); that must give exactly `N` pairs.
/// Otherwise (no marker, or another count) the pairs are read word by word.
fn strip_build_args(s: &str) -> (Vec<String>, &str) {
    let Some(rest) = s.strip_prefix('|') else {
        return (Vec::new(), s);
    };
    let Some((n, mut rest)) = rest.split_once(' ') else {
        return (Vec::new(), s);
    };
    let Ok(n) = n.parse::<usize>() else {
        return (Vec::new(), s);
    };
    if let Some(at) = SHELLS
        .iter()
        .filter_map(|sh| rest.find(&format!(" {sh}")))
        .min()
    {
        let (pairs, command) = rest.split_at(at);
        let mut args: Vec<String> = Vec::new();
        for word in pairs.split(' ').filter(|w| !w.is_empty()) {
            match args.last_mut() {
                Some(last) if !starts_a_pair(word) => {
                    last.push(' ');
                    last.push_str(word);
                }
                _ if starts_a_pair(word) => args.push(word.to_string()),
                _ => {
                    args.clear();
                    break;
                }
            }
        }
        if args.len() == n && n > 0 {
            return (args, command.trim_start());
        }
    }
    // `n` comes from the file: no allocation sized by it (a huge `|99999999999 …` would abort);
    // the loop ends at the first word that is not `k=v`, so it is bounded by the text's length.
    let mut args = Vec::new();
    for _ in 0..n {
        rest = rest.trim_start();
        let (arg, tail) = rest.split_once(' ').unwrap_or((rest, ""));
        if !arg.contains('=') {
            return (Vec::new(), s);
        }
        args.push(arg.to_string());
        rest = tail;
    }
    (args, rest.trim_start())
}

/// `NAME=…`: a word that starts a build-arg pair.
fn starts_a_pair(word: &str) -> bool {
    word.split_once('=').is_some_and(|(name, _)| {
        name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

fn strip_shell(s: &str) -> Option<&str> {
    SHELLS.iter().find_map(|sh| s.strip_prefix(sh))
}

/// Reads `created_by` as an instruction:
/// `/bin/sh -c #(nop)  CMD ["nginx"]` → `CMD ["nginx"]`; `/bin/sh -c apt-get …` → `RUN apt-get …`;
/// `RUN /bin/sh -c make # buildkit` → `RUN make`; `|2 A=b C=d /bin/sh -c make` → `RUN make`
/// with `build_args = ["A=b", "C=d"]`.
pub fn instruction(created_by: &str) -> Instruction {
    let s = created_by.trim();
    let s = s.strip_suffix("# buildkit").map(str::trim_end).unwrap_or(s);
    let (mut build_args, s) = strip_build_args(s);
    if let Some(rest) = strip_shell(s) {
        let rest = rest.trim_start();
        if let Some(nop) = rest.strip_prefix("#(nop)") {
            let text = nop.trim().to_string();
            let w = first_word(&text);
            let keyword = if is_keyword(w) {
                w.to_string()
            } else {
                String::new()
            };
            return Instruction {
                keyword,
                text,
                build_args,
            };
        }
        return Instruction {
            keyword: "RUN".into(),
            text: format!("RUN {rest}"),
            build_args,
        };
    }
    let w = first_word(s);
    if is_keyword(w) {
        let rest = s.get(w.len()..).unwrap_or("").trim_start();
        if w == "RUN" {
            // BuildKit: `RUN |1 A=b /bin/sh -c make` or `RUN /bin/sh -c make`.
            let (args, rest) = strip_build_args(rest);
            if !args.is_empty() {
                build_args = args;
            }
            let cmd = strip_shell(rest).unwrap_or(rest);
            return Instruction {
                keyword: w.into(),
                text: format!("RUN {cmd}"),
                build_args,
            };
        }
        return Instruction {
            keyword: w.into(),
            text: s.to_string(),
            build_args,
        };
    }
    Instruction {
        keyword: String::new(),
        text: s.to_string(),
        build_args,
    }
}

/// The colour class of a history step.
pub fn kind(entry: &HistoryEntry) -> InstructionKind {
    // A config-only step that pairing left without a layer is drawn as what its text says.
    if entry.empty_layer || (entry.layer.is_none() && is_config_only(entry)) {
        return InstructionKind::Metadata;
    }
    if is_base(entry) {
        return InstructionKind::Base;
    }
    let ins = instruction(entry.created_by.as_deref().unwrap_or(""));
    match ins.keyword.as_str() {
        "RUN" => InstructionKind::Run,
        "COPY" | "ADD" => InstructionKind::Copy,
        _ => InstructionKind::OtherLayer,
    }
}

/// Did this step make the bottom layer (the one `FROM` brought)?
pub fn is_base(entry: &HistoryEntry) -> bool {
    !entry.empty_layer && entry.layer == Some(0)
}

/// Instructions that only change the image config and never the filesystem (Dockerfile
/// reference). `WORKDIR` is not one: BuildKit creates the directory in a layer.
const CONFIG_ONLY: &[&str] = &[
    "CMD",
    "ENTRYPOINT",
    "ENV",
    "LABEL",
    "EXPOSE",
    "VOLUME",
    "USER",
    "STOPSIGNAL",
    "HEALTHCHECK",
    "SHELL",
    "ARG",
    "ONBUILD",
    "MAINTAINER",
];

/// Does the step's text name an instruction that only changes the config (`CMD`, `ENV` …)?
/// Such a step cannot have made a layer that holds files, whatever its `empty_layer` says
/// (buildah 1.28 writes `CMD` without `empty_layer` and the base `COPY` with it).
pub fn is_config_only(entry: &HistoryEntry) -> bool {
    let ins = instruction(entry.created_by.as_deref().unwrap_or(""));
    CONFIG_ONLY.contains(&ins.keyword.as_str())
}

/// Does the step's text name an instruction that writes a layer (`RUN`, `COPY`, `ADD`)?
pub fn makes_layers(entry: &HistoryEntry) -> bool {
    let ins = instruction(entry.created_by.as_deref().unwrap_or(""));
    matches!(ins.keyword.as_str(), "RUN" | "COPY" | "ADD")
}

/// The layers whose step is uncertain under [`PairingRule::Uncertain`]: how many of the
/// lowest layers. Had some of `doubtful` made layers, every step before the last of them
/// would sit one layer lower or more, and the bottom layers with no step could be theirs;
/// only the layers of steps after the last doubtful one are certain.
pub fn uncertain_layers(image: &Image) -> usize {
    if image.pairing != PairingRule::Uncertain {
        return 0;
    }
    let Some(last) = image
        .history
        .iter()
        .rposition(|h| h.empty_layer && makes_layers(h))
    else {
        return 0;
    };
    image
        .layers
        .iter()
        .take_while(|l| l.history.is_none_or(|s| s < last))
        .count()
}

/// What a layer's own bytes say about the step that made it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LayerEvidence {
    /// It holds files, links, devices or whiteouts: a step changed the filesystem.
    Files,
    /// Nothing that says either way: only directories, an empty changeset, or not indexed.
    Unknown,
}

/// The evidence of each layer of `image`, bottom first, from the layer indexes in `members`.
/// A layer holding only directories is `Unknown`: a config-only step writes nothing, but
/// some builders record an empty directory for it.
pub fn layer_evidence(image: &Image, members: &[Member]) -> Vec<LayerEvidence> {
    image
        .layers
        .iter()
        .map(|l| {
            let entries = l
                .member
                .and_then(|m| members.get(m))
                .and_then(|m| m.facts.layer.as_ref())
                .map(|ix| ix.entries.as_slice())
                .unwrap_or(&[]);
            if entries.iter().any(|e| e.kind != EntryKind::Dir) {
                LayerEvidence::Files
            } else {
                LayerEvidence::Unknown
            }
        })
        .collect()
}

/// The outcome of [`pair`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pairing {
    /// Which rule paired the steps with the layers.
    pub rule: PairingRule,
    /// Per layer, bottom first: the index into the history of the step that made it, or
    /// `None` (no recorded step: a base image's layer under [`PairingRule::FromTop`]).
    pub steps: Vec<Option<usize>>,
    /// History indexes of steps without `empty_layer` whose text is config-only and that would
    /// have been paired with a layer holding files: attached to no layer, in history order.
    pub set_aside: Vec<usize>,
    /// History indexes of layer-making steps left without a layer ([`PairingRule::FromBottom`]).
    pub unpaired_steps: Vec<usize>,
    /// History indexes of steps marked `empty_layer` whose text makes layers (`RUN`, `COPY`,
    /// `ADD`), above the first paired step, while the layers outnumber the steps paired with
    /// them: each may have made a layer after all, which would move the steps below it one
    /// layer down ([`PairingRule::Uncertain`]); empty under any other rule.
    #[serde(default)]
    pub doubtful: Vec<usize>,
}

/// Matches history steps to layers (`evidence` has one value per layer, bottom first).
///
/// Steps with `empty_layer: true` never get a layer. The others are lined up with the
/// layers: in order when there are as many (Docker's rule); from the top when there are
/// fewer, since a build appends its steps above its base and a base built without history
/// leaves its layers without steps; from the bottom when there are more, as `docker image
/// history` does. A config-only step (`CMD`, `ENV` …) that would land on a layer holding
/// files did not make it: it is set aside and the others are lined up again.
pub fn pair(history: &[HistoryEntry], evidence: &[LayerEvidence]) -> Pairing {
    let layers = evidence.len();
    if history.is_empty() {
        return Pairing {
            rule: PairingRule::NoHistory,
            steps: vec![None; layers],
            set_aside: Vec::new(),
            unpaired_steps: Vec::new(),
            doubtful: Vec::new(),
        };
    }
    let mut candidates: Vec<usize> = history
        .iter()
        .enumerate()
        .filter(|(_, h)| !h.empty_layer)
        .map(|(i, _)| i)
        .collect();
    let mut set_aside: Vec<usize> = Vec::new();
    // Each round removes at least one candidate, so this ends.
    loop {
        let (rule, steps) = line_up(&candidates, layers);
        let wrong: Vec<usize> = steps
            .iter()
            .zip(evidence)
            .filter_map(|(s, e)| match (s, e) {
                (Some(h), LayerEvidence::Files) if history.get(*h).is_some_and(is_config_only) => {
                    Some(*h)
                }
                _ => None,
            })
            .collect();
        if wrong.is_empty() {
            let unpaired_steps = candidates
                .iter()
                .copied()
                .filter(|c| !steps.contains(&Some(*c)))
                .collect();
            set_aside.sort_unstable();
            // Fewer steps than layers: a base without history, or a step that did make a
            // layer though marked empty. The mirror of setting aside config-only steps (pairing
            // such a step with a layer) is not safe: BuildKit rightly marks a RUN that
            // changed nothing as empty, and a base without history gives the same counts. So
            // the pairing stays from the top, but is said to be uncertain. Only a step after
            // the first paired one counts: one below every paired step (buildah 1.28 marks
            // the base's COPY empty) could only have made the bare bottom layers, which are
            // the base either way, and every other step keeps its layer.
            let first = candidates.first().copied();
            let doubtful: Vec<usize> = match first {
                Some(first) if rule == PairingRule::FromTop => history
                    .iter()
                    .enumerate()
                    .skip(first + 1)
                    .filter(|(_, h)| h.empty_layer && makes_layers(h))
                    .map(|(i, _)| i)
                    .collect(),
                _ => Vec::new(),
            };
            return Pairing {
                rule: if doubtful.is_empty() {
                    rule
                } else {
                    PairingRule::Uncertain
                },
                steps,
                set_aside,
                unpaired_steps,
                doubtful,
            };
        }
        candidates.retain(|c| !wrong.contains(c));
        set_aside.extend(wrong);
    }
}

/// Lines `candidates` (history indexes, oldest first) up with `layers` layers by count.
fn line_up(candidates: &[usize], layers: usize) -> (PairingRule, Vec<Option<usize>>) {
    let mut steps = vec![None; layers];
    let rule = match candidates.len().cmp(&layers) {
        std::cmp::Ordering::Equal => PairingRule::InOrder,
        std::cmp::Ordering::Less => PairingRule::FromTop,
        std::cmp::Ordering::Greater => PairingRule::FromBottom,
    };
    // From the top: the last candidate made the last layer.
    let offset = layers.saturating_sub(candidates.len());
    for (k, c) in candidates.iter().enumerate() {
        if let Some(slot) = steps.get_mut(k + offset) {
            *slot = Some(*c);
        }
    }
    (rule, steps)
}

/// Writes `pairing` into `image` (`HistoryEntry::layer`, `Layer::history`, `Image::pairing`)
/// and returns, when the history did not line up with the layers one to one, a sentence
/// saying which rule was used and what was left unpaired (for a [`crate::ProblemKind::History`]).
pub fn apply_pairing(image: &mut Image, pairing: &Pairing) -> Option<String> {
    image.pairing = pairing.rule;
    for h in image.history.iter_mut() {
        h.layer = None;
    }
    for (li, (l, s)) in image.layers.iter_mut().zip(&pairing.steps).enumerate() {
        l.history = *s;
        if let Some(h) = s.and_then(|s| image.history.get_mut(s)) {
            h.layer = Some(li);
        }
    }
    let producing = image.history.iter().filter(|h| !h.empty_layer).count();
    let layers = match image.layers.len() {
        1 => "1 layer".to_string(),
        n => format!("{n} layers"),
    };
    let mut out = Vec::new();
    match pairing.rule {
        PairingRule::InOrder | PairingRule::NoHistory => {}
        PairingRule::FromTop => {
            let bare = pairing.steps.iter().take_while(|s| s.is_none()).count();
            out.push(format!(
                "the config history has {producing} layer-making steps for {layers}; paired from the top (a build appends its steps above its base), so {} no recorded step (base image)",
                // Said by position, without a number: the CLI counts layers from 0 and the
                // page from 1, and this text is shown by both.
                match bare {
                    1 => "the bottom layer has".to_string(),
                    n => format!("the bottom {n} layers have"),
                }
            ));
        }
        PairingRule::Uncertain => {
            let unsure = uncertain_layers(image);
            out.push(format!(
                "the config history has {producing} layer-making steps for {layers}, and {} {} marked empty_layer though such a step makes a layer: either the lowest layers are a base's with no recorded step, or {} made a layer; paired from the top (a build appends its steps above its base), but which step made {} is uncertain",
                step_list(image, &pairing.doubtful),
                if pairing.doubtful.len() == 1 { "is" } else { "are" },
                if pairing.doubtful.len() == 1 { "it" } else { "some of them" },
                // By position, as above.
                match unsure {
                    1 => "the bottom layer".to_string(),
                    n => format!("each of the bottom {n} layers"),
                }
            ));
        }
        PairingRule::FromBottom => out.push(format!(
            "the config history has {producing} layer-making steps for {layers}; paired from the bottom as `docker image history` does, so {} made no layer here",
            step_list(image, &pairing.unpaired_steps)
        )),
    }
    if !pairing.set_aside.is_empty() {
        out.push(format!(
            "{}: only the config changes in such a step, yet it is not marked empty_layer and the layer it would pair with holds files, so it is attached to no layer",
            step_list(image, &pairing.set_aside)
        ));
    }
    (!out.is_empty()).then(|| out.join("; "))
}

/// `history[3] (CMD ["/bin/sh"])`, comma-separated.
fn step_list(image: &Image, steps: &[usize]) -> String {
    let one = |i: &usize| {
        let text = image
            .history
            .get(*i)
            .and_then(|h| h.created_by.as_deref())
            .map(|c| instruction(c).text)
            .unwrap_or_default();
        format!("history[{i}] ({})", ellipsis(&text, 40))
    };
    let list: Vec<String> = steps.iter().map(one).collect();
    let verb = if steps.len() == 1 { "step" } else { "steps" };
    format!("{verb} {}", list.join(", "))
}

/// Columns a character takes in a terminal (East Asian wide/fullwidth = 2), as Docker counts.
fn char_width(c: char) -> usize {
    let u = c as u32;
    let wide = matches!(u,
        0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6 | 0x1F300..=0x1F64F | 0x1F900..=0x1F9FF | 0x20000..=0x3FFFD);
    if wide {
        2
    } else {
        1
    }
}

/// Docker cli's `formatter.Ellipsis`: cut to `max` display columns, the last one being `…`.
pub fn ellipsis(s: &str, max: usize) -> String {
    if max == 0 {
        return String::new();
    }
    if max == 1 {
        return s.chars().next().map(String::from).unwrap_or_default();
    }
    let width: usize = s.chars().map(char_width).sum();
    if width <= max {
        return s.to_string();
    }
    let mut out = String::new();
    let mut w = 0;
    for c in s.chars() {
        w += char_width(c);
        if w > max - 1 {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

/// One line of `docker image history`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryRow {
    /// Short (or, with no_trunc, full) image ID on the top row, `<missing>` below.
    pub id: String,
    /// Docker's English CREATED text (`2 years ago`), made with the `now_unix` given.
    pub created: String,
    /// The same time in seconds since 1970 (`None` where `created` is blank), for a UI that
    /// words it in its own language; see [`created_unix`] and [`elapsed`].
    pub created_unix: Option<i64>,
    /// The step's `created_by` with tabs as spaces, cut to 45 characters with `…` unless no_trunc
    /// (Docker's CREATED BY).
    pub created_by: String,
    /// `size_bytes` in Docker's units (`1.5MB`, powers of 1000), as the SIZE column shows it;
    /// `—` when the size is not known (see `size_bytes`).
    pub size: String,
    /// The step's `comment`, empty when absent.
    pub comment: String,
    /// Byte count behind `size`: 0 for a step that made no layer (Docker's `0B`); `None`
    /// for a layer whose files are not all known ([`known_content_size`]), never the sum of
    /// what a truncated header claims.
    pub size_bytes: Option<u64>,
    /// Index into `Image::history`.
    pub history: usize,
    /// Index into `Image::layers` when the step made a layer.
    pub layer: Option<usize>,
    /// How the step is drawn (its instruction's kind).
    pub kind: InstructionKind,
}

/// What `docker image history` shows as a layer's size (Docker 20.10, overlay2: `DiffSize`
/// walks the unpacked layer directory): the sizes of its non-directory files, a symlink
/// counting the length of its target, a hard link nothing (its inode is counted once), a
/// path written twice once (the last copy). Whiteout markers, invalid `.wh.` names and AUFS
/// metadata count 0; a hard link into AUFS's `.wh..wh.plnk/` counts the size of the file
/// stored there, since Docker unpacks it as a copy of that file. So a 1024-byte tar holding
/// one empty directory is `0B`. Falls back to the uncompressed blob size when the layer was
/// not indexed. Bytes; the sum saturates.
pub fn layer_content_size(archive: &Archive, image: &Image, layer: usize) -> u64 {
    let Some(l) = image.layers.get(layer) else {
        return 0;
    };
    let Some(ix) = l
        .member
        .and_then(|m| archive.members.get(m))
        .and_then(|m| m.facts.layer.as_ref())
    else {
        return l.size;
    };
    let mut plnk: HashMap<&[u8], u64> = HashMap::new();
    let mut sizes: HashMap<&RawPath, u64> = HashMap::with_capacity(ix.entries.len());
    for e in ix.entries.iter() {
        let marker = whiteout::classify_entry(e);
        if whiteout::is_aufs_link_source(e) {
            plnk.insert(e.path.file_name(), e.size);
        }
        let size = match e.kind {
            _ if marker.is_some() => 0,
            EntryKind::File => e.size,
            EntryKind::Symlink => e
                .link_target
                .as_ref()
                .map(|t| t.as_bytes().len() as u64)
                .unwrap_or(0),
            EntryKind::Hardlink => e
                .link_target
                .as_ref()
                .and_then(whiteout::aufs_link_key)
                .and_then(|k| plnk.get(k).copied())
                .unwrap_or(0),
            _ => 0,
        };
        sizes.insert(&e.path, size);
    }
    sizes.values().fold(0u64, |s, v| s.saturating_add(*v))
}

/// [`layer_content_size`] when it is the size of all the layer's files: `None` when some are
/// not known (`gaps::layer_gap`: the blob missing or left out on purpose, not read to its end,
/// or entries left out by a reading limit). A layer cut short inside an entry would otherwise
/// count the size its header claims (1 TB for a 5 kB blob), and a missing one the 0 its
/// absent index sums to. A layer still being read (`Verification::Pending`) has `Some`: what
/// is listed so far. Bytes; `None` also for a layer that does not exist.
pub fn known_content_size(archive: &Archive, image: &Image, layer: usize) -> Option<u64> {
    (layer < image.layers.len() && crate::analyze::gaps::layer_gap(archive, image, layer).is_none())
        .then(|| layer_content_size(archive, image, layer))
}

/// The rows `docker image history` prints for this image as loaded from a tarball, top first.
/// Like Docker, rows come from the config's history only, and the n-th step without
/// `empty_layer` gets the n-th layer's size (even where a tool mislabelled its steps).
pub fn history_table(
    archive: &Archive,
    image: &Image,
    now_unix: i64,
    no_trunc: bool,
) -> Vec<HistoryRow> {
    let sizes: Vec<Option<u64>> = (0..image.layers.len())
        .map(|l| known_content_size(archive, image, l))
        .collect();
    history_table_sized(image, &sizes, now_unix, no_trunc)
}

/// [`history_table`] with each layer's size given: `sizes[l]` is layer `l`'s
/// [`known_content_size`] in bytes (`None` shown as `—`; 0 for a layer the slice does not
/// reach). `analyze::summary` gives each layer's [`layer_content_size`], which a reader masks
/// with `gaps::layer_gap` to make these. Reads no layer entries, so a reader that has the
/// figures (the page, from its scanner worker) does not walk 200,000 entries for a table of a
/// dozen rows.
pub fn history_table_sized(
    image: &Image,
    sizes: &[Option<u64>],
    now_unix: i64,
    no_trunc: bool,
) -> Vec<HistoryRow> {
    let top_id = image
        .config_digest
        .as_ref()
        .map(|d| {
            if no_trunc {
                d.to_string()
            } else {
                d.short().to_string()
            }
        })
        .unwrap_or_else(|| "<missing>".into());
    let mut next_layer = 0;
    let layer_of: Vec<Option<usize>> = image
        .history
        .iter()
        .map(|h| {
            (!h.empty_layer).then(|| {
                next_layer += 1;
                next_layer - 1
            })
        })
        .collect();
    let mut rows: Vec<HistoryRow> = image
        .history
        .iter()
        .enumerate()
        .rev()
        .map(|(i, h)| {
            let layer = layer_of
                .get(i)
                .copied()
                .flatten()
                .filter(|l| *l < image.layers.len());
            let size_bytes = match layer {
                Some(l) => sizes.get(l).copied().unwrap_or(Some(0)),
                None => Some(0),
            };
            let created_by = h.created_by.as_deref().unwrap_or("").replace('\t', " ");
            HistoryRow {
                id: "<missing>".into(),
                created: h
                    .created
                    .as_deref()
                    .map(|c| relative_time(c, now_unix))
                    .unwrap_or_default(),
                created_unix: h.created.as_deref().and_then(created_unix),
                created_by: if no_trunc {
                    created_by
                } else {
                    ellipsis(&created_by, 45)
                },
                size: size_bytes.map_or_else(|| "—".to_string(), human_size),
                comment: h.comment.clone().unwrap_or_default(),
                size_bytes,
                history: i,
                layer,
                kind: kind(h),
            }
        })
        .collect();
    if let Some(first) = rows.first_mut() {
        first.id = top_id;
    }
    rows
}

impl Instruction {
    /// What follows the keyword, for a one-line label: content hashes the classic builder
    /// records (`COPY file:75da…dbdea in /etc/nginx/nginx.conf`) shortened to 12 hex digits,
    /// so the part a learner recognises (the destination) still fits.
    pub fn label(&self) -> String {
        let rest = self
            .text
            .strip_prefix(self.keyword.as_str())
            .map(str::trim_start)
            .unwrap_or(&self.text);
        shorten_hashes(rest)
    }
}

/// Replaces every run of 64 hex digits with its first 12 and an ellipsis.
pub(crate) fn shorten_hashes(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if run.len() == 64 {
            out.push_str(run.get(..12).unwrap_or(run));
            out.push('…');
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in s.chars() {
        if c.is_ascii_hexdigit() {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Layer;
    use crate::units::*;

    fn ins(s: &str) -> (String, String, Vec<String>) {
        let i = instruction(s);
        (i.keyword, i.text, i.build_args)
    }

    #[test]
    fn classic_builder_forms() {
        assert_eq!(ins("/bin/sh -c #(nop) ENV A=b").1, "ENV A=b");
        assert_eq!(
            ins("/bin/sh -c #(nop)  CMD [\"nginx\" \"-g\" \"daemon off;\"]").0,
            "CMD"
        );
        assert_eq!(
            ins("/bin/sh -c #(nop)  CMD [\"nginx\"]").1,
            "CMD [\"nginx\"]"
        );
        assert_eq!(
            ins("/bin/sh -c apt-get update && apt-get install -y nginx"),
            (
                "RUN".into(),
                "RUN apt-get update && apt-get install -y nginx".into(),
                vec![]
            )
        );
        let copy = ins("/bin/sh -c #(nop) COPY file:4b0a8b2cdb4fc1a9fe4ee29bd5a5c7eb1b1dbe9e9f9b0e8f1d16c6dd6a1f8c44 in /etc/nginx/nginx.conf ");
        assert_eq!(copy.0, "COPY");
        assert!(copy.1.ends_with("in /etc/nginx/nginx.conf"));
        assert_eq!(
            ins("/bin/sh -c #(nop) ADD file:d3d1b8c0a0 in / ").1,
            "ADD file:d3d1b8c0a0 in /"
        );
        assert_eq!(ins("/bin/sh -c #(nop) WORKDIR /data").0, "WORKDIR");
    }

    #[test]
    fn build_args_prefix() {
        assert_eq!(
            ins("|2 A=b C=d /bin/sh -c make"),
            (
                "RUN".into(),
                "RUN make".into(),
                vec!["A=b".to_string(), "C=d".to_string()]
            )
        );
        assert_eq!(
            ins("RUN |1 VERSION=1.2 /bin/sh -c echo $VERSION # buildkit"),
            (
                "RUN".into(),
                "RUN echo $VERSION".into(),
                vec!["VERSION=1.2".to_string()]
            )
        );
        // Not a build-arg prefix: left alone.
        assert_eq!(ins("|x y").1, "|x y");
        // Values with spaces: both builders write the pairs unquoted.
        assert_eq!(
            ins("RUN |1 GREETING=hello world /bin/sh -c echo \"$GREETING\" > /g # buildkit"),
            (
                "RUN".into(),
                "RUN echo \"$GREETING\" > /g".into(),
                vec!["GREETING=hello world".to_string()]
            )
        );
        assert_eq!(
            ins("|2 MSG=two words B=x /bin/sh -c echo $MSG"),
            (
                "RUN".into(),
                "RUN echo $MSG".into(),
                vec!["MSG=two words".to_string(), "B=x".to_string()]
            )
        );
        // An empty value, and a value that looks like a path.
        assert_eq!(
            ins("|2 A= P=/usr/local/bin /bin/sh -c make").2,
            vec!["A=".to_string(), "P=/usr/local/bin".to_string()]
        );
    }

    #[test]
    fn buildkit_forms() {
        // Real history of the docker26 fixtures.
        assert_eq!(
            ins("COPY base/ / # buildkit"),
            ("COPY".into(), "COPY base/ /".into(), vec![])
        );
        assert_eq!(
            ins("RUN /bin/sh -c echo \"modified\" >> /data/hello.txt # buildkit").1,
            "RUN echo \"modified\" >> /data/hello.txt"
        );
        assert_eq!(ins("EXPOSE map[8080/tcp:{}]").0, "EXPOSE");
        assert_eq!(ins("WORKDIR /data").1, "WORKDIR /data");
        assert_eq!(
            ins("CMD [\"/bin/sh\" \"-c\" \"cat /data/hello.txt\"]").0,
            "CMD"
        );
        assert_eq!(ins("bazel build //x").0, "");
        assert_eq!(ins("").0, "");
    }

    #[test]
    fn kinds() {
        let h = |by: &str, empty: bool, layer: Option<usize>| HistoryEntry {
            created_by: Some(by.into()),
            empty_layer: empty,
            layer,
            ..Default::default()
        };
        assert_eq!(
            kind(&h("/bin/sh -c #(nop) ADD file:abc in / ", false, Some(0))),
            InstructionKind::Base
        );
        assert_eq!(
            kind(&h("COPY base/ / # buildkit", false, Some(0))),
            InstructionKind::Base
        );
        assert_eq!(
            kind(&h("/bin/sh -c #(nop)  CMD [\"sh\"]", true, None)),
            InstructionKind::Metadata
        );
        assert_eq!(
            kind(&h("RUN /bin/sh -c rm x # buildkit", false, Some(3))),
            InstructionKind::Run
        );
        assert_eq!(
            kind(&h("/bin/sh -c #(nop) COPY file:a in /x ", false, Some(1))),
            InstructionKind::Copy
        );
        assert_eq!(
            kind(&h("WORKDIR /data", false, Some(6))),
            InstructionKind::OtherLayer
        );
    }

    #[test]
    fn human_sizes_like_docker() {
        // Values go-units' tests and real `docker history` output show.
        let cases = [
            (0, "0B"),
            (21, "21B"),
            (999, "999B"),
            (1000, "1kB"),
            (1024, "1.02kB"),
            (4610, "4.61kB"),
            (1_982_286, "1.98MB"),
            (5_580_000, "5.58MB"),
            (1_990_000, "1.99MB"),
            (999_500, "1e+03kB"),
            (72_800_000, "72.8MB"),
            (123_456_789, "123MB"),
            (3_000_000_000, "3GB"),
        ];
        for (n, want) in cases {
            assert_eq!(human_size(n), want, "{n}");
        }
    }

    #[test]
    fn durations_like_go_units() {
        let (min, hour, day) = (60, 3600, 86400);
        let (week, month, year) = (7 * day, 30 * day, 365 * day);
        let cases = [
            (0, "Less than a second"),
            (1, "1 second"),
            (47, "47 seconds"),
            (60, "About a minute"),
            (35 * min + 40, "35 minutes"),
            (hour, "About an hour"),
            (hour + 29 * min, "About an hour"),
            (hour + 31 * min, "2 hours"),
            (3 * hour + 60 * min, "4 hours"),
            (day + 12 * hour, "36 hours"),
            (2 * day, "2 days"),
            (13 * day + 5 * hour, "13 days"),
            (2 * week + 4 * day, "2 weeks"),
            (month, "4 weeks"),
            (month + 2 * week, "6 weeks"),
            (3 * month + week, "3 months"),
            (24 * month, "24 months"),
            (24 * month + 2 * week, "2 years"),
            (3 * year + 2 * month, "3 years"),
        ];
        for (s, want) in cases {
            assert_eq!(human_duration(s), want, "{s}");
        }
    }

    #[test]
    fn rfc3339_and_relative() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_rfc3339("2000-01-01T00:00:00Z"), Some(946_684_800));
        assert_eq!(
            parse_rfc3339("2024-02-29T12:30:15.123456789Z"),
            Some(1_709_209_815)
        );
        assert_eq!(
            parse_rfc3339("2024-02-29T19:30:15+07:00"),
            Some(1_709_209_815)
        );
        assert_eq!(parse_rfc3339("garbage"), None);
        let t = 1_709_209_815;
        assert_eq!(
            relative_time("2024-02-29T12:30:15Z", t + 2 * 365 * 86400 + 86400 * 40),
            "2 years ago"
        );
        assert_eq!(
            relative_time("2024-02-29T12:30:15Z", t + 3600),
            "About an hour ago"
        );
        assert_eq!(
            relative_time("2024-02-29T12:30:15Z", t + 21 * 86400),
            "3 weeks ago"
        );
        // Docker hides times at or before 2000-01-01 (e.g. reproducible builds' epoch 0).
        assert_eq!(relative_time("1970-01-01T00:00:00Z", t), "");
    }

    #[test]
    fn elapsed_buckets_carry_the_counts_docker_prints() {
        let (min, hour, day) = (60, 3600, 86400);
        assert_eq!(elapsed(-5), Elapsed::LessThanSecond);
        assert_eq!(elapsed(1), Elapsed::Seconds(1));
        assert_eq!(elapsed(90), Elapsed::AboutMinute);
        assert_eq!(elapsed(35 * min), Elapsed::Minutes(35));
        assert_eq!(elapsed(hour + 29 * min), Elapsed::AboutHour);
        assert_eq!(elapsed(36 * hour), Elapsed::Hours(36));
        assert_eq!(elapsed(13 * day), Elapsed::Days(13));
        assert_eq!(elapsed(30 * day), Elapsed::Weeks(4));
        assert_eq!(elapsed(100 * day), Elapsed::Months(3));
        assert_eq!(elapsed(800 * day), Elapsed::Years(2));
        // The timestamp behind a row, blank exactly where Docker's text is blank.
        assert_eq!(created_unix("2024-02-29T12:30:15Z"), Some(1_709_209_815));
        assert_eq!(created_unix("1970-01-01T00:00:00Z"), None);
        assert_eq!(created_unix("not a time"), None);
    }

    #[test]
    fn truncation_like_docker_cli() {
        let long = "/bin/sh -c #(nop)  CMD [\"/bin/sh\" \"-c\" \"cat /data/hello.txt\"]";
        let cut = ellipsis(long, 45);
        assert_eq!(cut.chars().count(), 45);
        assert_eq!(cut, "/bin/sh -c #(nop)  CMD [\"/bin/sh\" \"-c\" \"cat …");
        assert_eq!(ellipsis("short", 45), "short");
        // Wide characters take two columns.
        assert_eq!(ellipsis("日本語のテキスト", 7), "日本語…");
    }

    #[test]
    fn table_rows_top_first() {
        use crate::digest::Digest;
        use crate::model::{Entry, Layer, LayerIndex, Member, MemberFacts};
        let entry = |p: &str, kind: EntryKind, size: u64| Entry {
            size,
            ..crate::test_support::entry(p, kind)
        };
        let member = |entries: Vec<Entry>| Member {
            path: RawPath::from("x"),
            kind: EntryKind::File,
            size: 0,
            data_offset: None,
            link_target: None,
            facts: MemberFacts {
                layer: Some(LayerIndex {
                    entries: entries.into(),
                    ..Default::default()
                }),
                ..Default::default()
            },
        };
        let archive = Archive {
            members: vec![
                member(vec![
                    entry("bin", EntryKind::Dir, 0),
                    entry("bin/busybox", EntryKind::File, 1_982_256),
                ]),
                member(vec![entry("data", EntryKind::Dir, 0)]),
            ],
            ..Default::default()
        };
        let h = |by: &str, empty: bool, layer: Option<usize>| HistoryEntry {
            created: Some("2024-01-01T00:00:00Z".into()),
            created_by: Some(by.into()),
            comment: Some("buildkit.dockerfile.v0".into()),
            empty_layer: empty,
            layer,
            ..Default::default()
        };
        let image = Image {
            config_digest: Digest::from_hex(&"ab".repeat(32)),
            layers: vec![
                Layer {
                    member: Some(0),
                    size: 1_994_240,
                    ..Default::default()
                },
                Layer {
                    member: Some(1),
                    size: 1024,
                    ..Default::default()
                },
            ],
            history: vec![
                h("COPY base/ / # buildkit", false, Some(0)),
                h("CMD [\"/bin/sh\"]", true, None),
                h("WORKDIR /data", false, Some(1)),
            ],
            ..Default::default()
        };
        let now = parse_rfc3339("2024-01-22T00:00:00Z").unwrap_or(0);
        let rows = history_table(&archive, &image, now, false);
        // Every row also carries its time (2024-01-01T00:00:00Z), three weeks before `now`.
        assert!(rows.iter().all(|r| r.created_unix == Some(1_704_067_200)));
        assert_eq!(elapsed(now - 1_704_067_200), Elapsed::Weeks(3));
        let cols: Vec<(&str, &str, &str, &str)> = rows
            .iter()
            .map(|r| {
                (
                    r.id.as_str(),
                    r.created.as_str(),
                    r.created_by.as_str(),
                    r.size.as_str(),
                )
            })
            .collect();
        assert_eq!(
            cols,
            [
                ("abababababab", "3 weeks ago", "WORKDIR /data", "0B"),
                ("<missing>", "3 weeks ago", "CMD [\"/bin/sh\"]", "0B"),
                (
                    "<missing>",
                    "3 weeks ago",
                    "COPY base/ / # buildkit",
                    "1.98MB"
                ),
            ]
        );
        assert_eq!(rows.last().map(|r| r.kind), Some(InstructionKind::Base));
        let full = history_table(&archive, &image, now, true);
        assert_eq!(full.first().map(|r| r.id.len()), Some(71));
        // The same table from the layers' sizes given (the scanner's figures on the page),
        // without reading the entries; a size the slice does not reach is 0.
        let sizes: Vec<Option<u64>> = (0..image.layers.len())
            .map(|l| Some(layer_content_size(&archive, &image, l)))
            .collect();
        assert_eq!(history_table_sized(&image, &sizes, now, false), rows);
        assert_eq!(history_table_sized(&image, &sizes, now, true), full);
        let short = history_table_sized(&image, &[], now, false);
        assert!(short.iter().all(|r| r.size_bytes == Some(0)));
        // A size not known is `—`, not a figure.
        let unknown = history_table_sized(&image, &[None, Some(5)], now, false);
        let cols: Vec<(Option<u64>, &str)> = unknown
            .iter()
            .map(|r| (r.size_bytes, r.size.as_str()))
            .collect();
        assert_eq!(cols, [(Some(5), "5B"), (Some(0), "0B"), (None, "—")]);
    }

    #[test]
    fn labels_shorten_content_hashes() {
        let ins = instruction(
            "/bin/sh -c #(nop) COPY file:75da2f7eb526928ff0c69a81c7dd4953b64d7606b43fee510280d0611dbdbdea in /etc/nginx/nginx.conf ",
        );
        assert_eq!(ins.keyword, "COPY");
        assert_eq!(ins.label(), "file:75da2f7eb526… in /etc/nginx/nginx.conf");
        assert_eq!(
            instruction("RUN /bin/sh -c make # buildkit").label(),
            "make"
        );
        assert_eq!(instruction("ENV A=cafe").label(), "A=cafe");
    }

    #[test]
    fn content_size_skips_aufs_metadata_counts_plnk_links_and_saturates() {
        use crate::model::{Entry, Layer, LayerIndex, Member, MemberFacts};
        let e = |p: &str, kind: EntryKind, size: u64, link: Option<&str>| Entry {
            path: RawPath::from(p),
            kind,
            size,
            mode: 0o644,
            uid: 0,
            gid: 0,
            mtime: 0,
            link_target: link.map(RawPath::from),
            content_offset: None,
            extra: None,
        };
        let one = |entries: Vec<Entry>| {
            let mut a = Archive::default();
            a.members.push(Member {
                path: RawPath::from("l.tar"),
                kind: EntryKind::File,
                size: 0,
                data_offset: None,
                link_target: None,
                facts: MemberFacts {
                    layer: Some(LayerIndex {
                        entries: entries.into(),
                        ..Default::default()
                    }),
                    ..Default::default()
                },
            });
            let img = Image {
                layers: vec![Layer {
                    member: Some(0),
                    ..Default::default()
                }],
                ..Default::default()
            };
            layer_content_size(&a, &img, 0)
        };
        use EntryKind::{Dir, File, Hardlink};
        let aufs = one(vec![
            e(".wh..wh.aufs", File, 11, None),
            e(".wh..wh.orph", Dir, 0, None),
            e(".wh..wh.orph/junk", File, 13, None),
            e(".wh..wh.plnk", Dir, 0, None),
            e(".wh..wh.plnk/7.8", File, 30, None),
            e("a", Hardlink, 0, Some(".wh..wh.plnk/7.8")),
            e("b", Hardlink, 0, Some(".wh..wh.plnk/7.8")),
            e("c", File, 5, None),
            e("dir/.wh.", File, 17, None),
        ]);
        // Docker unpacks each link into the plnk directory as its own copy: 30 + 30 + 5.
        assert_eq!(aufs, 65);
        let huge = one(vec![
            e("x", File, u64::MAX, None),
            e("y", File, u64::MAX, None),
        ]);
        assert_eq!(huge, u64::MAX);
    }

    fn step(by: &str, empty: bool) -> HistoryEntry {
        HistoryEntry {
            created_by: Some(by.into()),
            empty_layer: empty,
            ..Default::default()
        }
    }

    #[test]
    fn base_without_history_pairs_from_the_top() {
        use LayerEvidence::Files;
        // A base image built without history (two layers), extended by a build that
        // appended COPY and CMD: the COPY made the top layer, not the base's first.
        let history = vec![
            step("COPY app /app # buildkit", false),
            step("CMD [\"/app\"]", true),
        ];
        let p = pair(&history, &[Files, Files, Files]);
        assert_eq!(p.rule, PairingRule::FromTop);
        assert_eq!(p.steps, vec![None, None, Some(0)]);
        let mut image = Image {
            history,
            layers: vec![Layer::default(), Layer::default(), Layer::default()],
            ..Default::default()
        };
        let note = apply_pairing(&mut image, &p).unwrap_or_default();
        assert!(note.contains("paired from the top"), "{note}");
        assert!(
            note.contains("the bottom 2 layers have no recorded step (base image)"),
            "{note}"
        );
        assert_eq!(image.pairing, PairingRule::FromTop);
        let made: Vec<Option<usize>> = image.layers.iter().map(|l| l.history).collect();
        assert_eq!(made, [None, None, Some(0)]);
        assert_eq!(image.history.first().and_then(|h| h.layer), Some(2));
        // No step made the bottom layer, so no step is the base.
        assert!(!image.history.iter().any(is_base));
    }

    #[test]
    fn config_only_step_is_never_put_on_a_layer_with_files() {
        use LayerEvidence::{Files, Unknown};
        // buildah 1.28: base COPY marked empty_layer, base CMD not; as many steps as layers.
        let history = vec![
            step("/bin/sh -c #(nop) COPY dir:5efe in / ", true),
            step("/bin/sh -c #(nop) CMD [\"/bin/sh\"]", false),
            step("/bin/sh -c #(nop) ENV A=b", true),
            step("/bin/sh -c #(nop) COPY dir:88e9 in /data ", false),
            step("/bin/sh -c echo modified >> /data/hello.txt", false),
        ];
        let p = pair(&history, &[Files, Files, Unknown]);
        assert_eq!(p.rule, PairingRule::FromTop);
        assert_eq!(p.steps, vec![None, Some(3), Some(4)]);
        assert_eq!(p.set_aside, vec![1]);
        let mut image = Image {
            history: history.clone(),
            layers: vec![Layer::default(); 3],
            ..Default::default()
        };
        let note = apply_pairing(&mut image, &p).unwrap_or_default();
        assert!(note.contains("history[1] (CMD [\"/bin/sh\"])"), "{note}");
        assert!(
            note.contains("the bottom layer has no recorded step (base image)"),
            "{note}"
        );
        assert_eq!(
            image.history.get(1).map(kind),
            Some(InstructionKind::Metadata)
        );
        // With no evidence against it (a layer of directories only), the same step stays.
        let p = pair(&history, &[Unknown, Files, Unknown]);
        assert_eq!(
            (p.rule, p.steps, p.set_aside),
            (
                PairingRule::InOrder,
                vec![Some(1), Some(3), Some(4)],
                vec![]
            )
        );
    }

    #[test]
    fn more_steps_than_layers() {
        use LayerEvidence::{Files, Unknown};
        // A tool forgot empty_layer on ENV: setting it aside makes the counts agree.
        let history = vec![
            step("COPY . / # buildkit", false),
            step("ENV A=b", false),
            step("RUN make # buildkit", false),
        ];
        let p = pair(&history, &[Files, Files]);
        assert_eq!(
            (p.rule, p.steps.clone(), p.set_aside.clone()),
            (PairingRule::InOrder, vec![Some(0), Some(2)], vec![1])
        );
        // Nothing to go on: from the bottom, as `docker image history`, and said.
        let history = vec![
            step("RUN a", false),
            step("RUN b", false),
            step("RUN c", false),
        ];
        let p = pair(&history, &[Unknown, Unknown]);
        assert_eq!(p.rule, PairingRule::FromBottom);
        assert_eq!(p.steps, vec![Some(0), Some(1)]);
        assert_eq!(p.unpaired_steps, vec![2]);
        let mut image = Image {
            history,
            layers: vec![Layer::default(); 2],
            ..Default::default()
        };
        let note = apply_pairing(&mut image, &p).unwrap_or_default();
        assert!(
            note.contains("3 layer-making steps for 2 layers; paired from the bottom"),
            "{note}"
        );
        assert!(
            note.contains("step history[2] (RUN c) made no layer"),
            "{note}"
        );
    }

    #[test]
    fn one_to_one_and_no_history_say_nothing() {
        use LayerEvidence::Unknown;
        // Zero-byte layers with empty created_by (buildpacks): plain in-order pairing.
        let history = vec![step("", false), step("", false)];
        let p = pair(&history, &[Unknown, Unknown]);
        assert_eq!(
            (p.rule, p.steps.clone()),
            (PairingRule::InOrder, vec![Some(0), Some(1)])
        );
        let mut image = Image {
            history,
            layers: vec![Layer::default(); 2],
            ..Default::default()
        };
        assert_eq!(apply_pairing(&mut image, &p), None);
        let p = pair(&[], &[Unknown]);
        assert_eq!((p.rule, p.steps), (PairingRule::NoHistory, vec![None]));
    }
}

#[cfg(test)]
mod uncertain_tests {
    use super::*;
    use crate::model::Layer;

    fn step(by: &str, empty: bool) -> HistoryEntry {
        HistoryEntry {
            created_by: Some(by.into()),
            empty_layer: empty,
            ..Default::default()
        }
    }

    #[test]
    fn a_layer_making_step_marked_empty_makes_the_pairing_uncertain() {
        use LayerEvidence::Files;
        // Three layers (0 holds /bin/sh, 1 /a, 2 /b); the RUN that wrote /a is marked empty.
        // Paired from the top, ADD would be said to have made the layer holding /a; had the
        // RUN made it, ADD made the bottom one. Nothing tells which: only the top layer's step
        // (after the doubtful one) is certain.
        let history = vec![
            step("/bin/sh -c #(nop) ADD file:0123 in / ", false),
            step("/bin/sh -c #(nop)  CMD [\"sh\"]", true),
            step("/bin/sh -c echo aaaa > /a", true),
            step("/bin/sh -c echo bbbbbbbb > /b", false),
        ];
        let p = pair(&history, &[Files, Files, Files]);
        assert_eq!(p.rule, PairingRule::Uncertain);
        assert_eq!(p.steps, vec![None, Some(0), Some(3)]);
        assert_eq!(p.doubtful, vec![2]);
        let mut image = Image {
            history,
            layers: vec![Layer::default(), Layer::default(), Layer::default()],
            ..Default::default()
        };
        let note = apply_pairing(&mut image, &p).unwrap_or_default();
        assert!(
            note.contains("step history[2] (RUN echo aaaa > /a) is marked empty_layer"),
            "{note}"
        );
        assert!(
            note.contains("which step made each of the bottom 2 layers is uncertain"),
            "{note}"
        );
        assert_eq!(uncertain_layers(&image), 2);
        // docker history's table is unchanged: non-empty steps take the layers bottom up.
        let rows = history_table_sized(&image, &[Some(10), Some(20), Some(30)], 0, true);
        let sized: Vec<(usize, Option<u64>)> =
            rows.iter().map(|r| (r.history, r.size_bytes)).collect();
        assert_eq!(
            sized,
            [(3, Some(20)), (2, Some(0)), (1, Some(0)), (0, Some(10))]
        );
    }

    #[test]
    fn empty_config_steps_or_a_late_empty_run_leave_from_top_as_it_was() {
        use LayerEvidence::Files;
        // No layer-making step marked empty: plain FromTop.
        let p = pair(
            &[
                step("COPY a /a # buildkit", false),
                step("CMD [\"x\"]", true),
            ],
            &[Files, Files],
        );
        assert_eq!((p.rule, p.doubtful.len()), (PairingRule::FromTop, 0));
        // Below every paired step (buildah 1.28's base COPY marked empty): only the bare
        // bottom layer could be its, the base either way; every other step keeps its layer.
        let p = pair(
            &[
                step("/bin/sh -c #(nop) COPY dir:5efe in / ", true),
                step("/bin/sh -c #(nop) COPY dir:88e9 in /data ", false),
            ],
            &[Files, Files],
        );
        assert_eq!((p.rule, p.doubtful.len()), (PairingRule::FromTop, 0));
        // After the last paired step: that step may sit one layer lower.
        let p = pair(
            &[
                step("RUN a # buildkit", false),
                step("RUN b # buildkit", true),
            ],
            &[Files, Files],
        );
        assert_eq!((p.rule, p.doubtful), (PairingRule::Uncertain, vec![1]));
        // As many steps as layers: an empty RUN (BuildKit, nothing changed) is no doubt.
        let p = pair(
            &[
                step("RUN true # buildkit", true),
                step("COPY a /a # buildkit", false),
            ],
            &[Files],
        );
        assert_eq!(p.rule, PairingRule::InOrder);
        assert!(p.doubtful.is_empty());
    }
}
