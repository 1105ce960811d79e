//! The Dockerfile an image was built from, read back from its config history and the
//! history ↔ layer pairing ([`crate::analyze::history::pair`]).
//!
//! A config's `history` is what the builder recorded per Dockerfile step, base image first
//! (Docker copies the base's history into every image built on it). What it records differs
//! by builder, and this module undoes each form:
//!
//! | builder | `created_by` | shown |
//! |---|---|---|
//! | classic (Docker ≤ 22) | `/bin/sh -c #(nop)  CMD ["a" "b"]` | `CMD ["a", "b"]` |
//! | classic | `/bin/sh -c make && make install` | `RUN make \` / `    && make install` |
//! | classic | `\|2 A=1 B=2 /bin/sh -c make` | `ARG A=1`, `ARG B=2`, `RUN make` |
//! | BuildKit | `RUN /bin/sh -c make # buildkit`, `EXPOSE map[80/tcp:{}]` | `RUN make`, `EXPOSE 80/tcp` |
//! | both | `HEALTHCHECK &{["CMD-SHELL" "x"] "30s" "5s" "0s" '\x03'}` | `HEALTHCHECK --interval=30s --timeout=5s --retries=3 CMD x` |
//! | buildah / podman | `/bin/sh -c #(nop) COPY dir:… in /data/`, comment `FROM base:1` | `COPY dir:… /data/`, `FROM base:1` |
//!
//! Build arguments recorded with a `RUN` are the values in force for that step: each becomes
//! an `ARG NAME=value` line before the first `RUN` that records it, and again before a `RUN`
//! that records another value than the one last declared (a later `ARG` re-declared it).
//!
//! The base part becomes one `FROM` line. Where the base ends is decided by, in order: a
//! known base ([`KnownBase`]: a demo's base, or another image opened in the session) whose
//! layers are this image's lowest layers by ChainID and that covers fewer layers, or as many
//! with a history that is a proper prefix of this one's (so two images are never each
//! other's base); buildah's `FROM <name>` comment on the
//! first step of the build; layers no recorded step made (history paired from the top: the
//! base was built without history); else the bottom layer and the steps up to the one that
//! made it. The base's own steps are not repeated.

use serde::{Deserialize, Serialize};

use crate::analyze::history::{self, shorten_hashes};
use crate::analyze::share;
use crate::digest::Digest;
use crate::model::{Image, PairingRule};

/// An image that may be the base of another: its name and what identifies its layers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnownBase {
    /// The name a `FROM` line would give, e.g. `debian:bookworm-slim`.
    pub name: String,
    /// ChainIDs of its layers, bottom first (image-spec ChainID, see [`share::chain_ids`]).
    pub chain_ids: Vec<Digest>,
    /// The `created_by` of each of its history steps, oldest first; a child built on it
    /// starts its history with the same steps. Empty when unknown.
    pub history: Vec<String>,
    /// Its image ID (config digest), so an image is never its own base.
    pub image_id: Option<Digest>,
}

impl KnownBase {
    /// The base an opened image would be for others: named by its first tag (or its short
    /// ID), identified by its ChainIDs and history. `None` when a layer's ChainID cannot be
    /// named (a missing blob with no claim) or the image has no layers.
    pub fn of_image(image: &Image) -> Option<KnownBase> {
        let chain_ids: Option<Vec<Digest>> = share::chain_ids(image).into_iter().collect();
        let chain_ids = chain_ids.filter(|c| !c.is_empty())?;
        let name = image
            .tags
            .first()
            .cloned()
            .or_else(|| image.config_digest.as_ref().map(|d| d.short().to_string()))?;
        Some(KnownBase {
            name,
            chain_ids,
            history: image
                .history
                .iter()
                .map(|h| h.created_by.clone().unwrap_or_default())
                .collect(),
            image_id: image.config_digest.clone(),
        })
    }
}

/// How the `FROM` line's base was recognised.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BaseEvidence {
    /// A [`KnownBase`]'s ChainIDs are this image's lowest layers.
    Known,
    /// buildah/podman wrote `FROM <name>` as the comment of the build's first step.
    BuilderComment,
    /// The lowest layers have no recorded step (history paired from the top).
    Unrecorded,
    /// Nothing says where the base ends: the bottom layer and the steps up to the one that
    /// made it are taken as the base.
    BottomLayer,
    /// No layer below the build's first step: `FROM scratch`, or no history at all.
    None,
}

/// The `FROM` line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct From {
    /// The base's name when known (`FROM debian:bookworm-slim`); `None` renders as
    /// `FROM <base image, N layers>` (or `FROM scratch` when `layers` is 0).
    pub name: Option<String>,
    /// How many of the image's lowest layers are the base's.
    pub layers: usize,
    /// History indexes of the base's own steps (not repeated as instructions), oldest first.
    pub steps: Vec<usize>,
    /// Why those layers are taken as the base.
    pub evidence: BaseEvidence,
}

/// What an instruction is tied to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "layer", rename_all = "kebab-case")]
pub enum Link {
    /// It made the layer at this 0-based position (bottom = 0).
    Layer(usize),
    /// It changed only the config (`empty_layer`, or a config-only step pairing set aside).
    SettingsOnly,
    /// It should have made a layer but none is left for it (more steps than layers, paired
    /// from the bottom).
    NoLayer,
    /// Not a recorded step: an `ARG` read back from the build arguments the builder recorded
    /// with a later `RUN`.
    BuildArg,
    /// Which layer it made, if any, is uncertain ([`PairingRule::Uncertain`]): a step below a
    /// `RUN`/`COPY`/`ADD` marked `empty_layer` while the layers outnumber the steps, or such a
    /// step itself (also one below every paired step while bottom layers have no step).
    Uncertain,
}

/// One Dockerfile instruction.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Instruction {
    /// `RUN`, `COPY`, `ENV` …; empty when the step's text is in no form we know (then `text`
    /// is the recorded text as a comment, `# not a Dockerfile step: /bin/bash`, or
    /// `# (no recorded instruction)` when there is none).
    pub keyword: String,
    /// The instruction as it would be written; long shell commands are broken over lines
    /// (` \` continuation, following lines indented by four spaces), heredocs kept.
    pub text: String,
    /// Index into `Image::history` of the step; `None` for [`Link::BuildArg`].
    pub step: Option<usize>,
    /// What the instruction is tied to (a layer, the config only, nothing, a build argument).
    pub link: Link,
}

/// A Dockerfile read back from an image.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dockerfile {
    /// The `FROM` line: the base and how many layers it covers.
    pub from: From,
    /// This build's own steps, oldest first.
    pub instructions: Vec<Instruction>,
}

/// Reads the Dockerfile back from `image` (whose history must already be paired with its
/// layers: `HistoryEntry::layer`, `Layer::history`, `Image::pairing`). `bases` are images
/// that may be its base (a demo's base, the other images of the session): of those whose
/// layers are this image's lowest and that cover fewer layers (or as many, with a history
/// this image's extends), the one covering the most layers wins, then the longest shared
/// history; the image itself (same image ID) never does.
pub fn reconstruct(image: &Image, bases: &[KnownBase]) -> Dockerfile {
    let from = find_base(image, bases);
    // Sets, not lists: a history of millions of steps (an 8 MiB config allows ~2.7M) must not
    // cost steps × steps.
    let base_steps: std::collections::HashSet<usize> = from.steps.iter().copied().collect();
    // The lowest layers whose step is uncertain: no instruction is tied to them.
    let unsure = history::uncertain_layers(image);
    // A RUN/COPY/ADD marked empty below every step paired with a layer, while the bottom
    // layers have none (all steps marked empty, say): it may have made one of them, so it is
    // not said to have changed settings only.
    let first_paired = image.history.iter().position(|h| h.layer.is_some());
    let bare = image
        .layers
        .iter()
        .take_while(|l| l.history.is_none())
        .count();
    let below_bare = |i: usize, h: &crate::model::HistoryEntry| {
        bare > 0 && first_paired.is_none_or(|f| i < f) && h.empty_layer && history::makes_layers(h)
    };
    // Each build argument declared so far and the value last declared for it (`None`: an
    // `ARG NAME` without a default, whose value the build was given from outside).
    let mut declared: std::collections::HashMap<String, Option<String>> =
        std::collections::HashMap::new();
    let mut instructions = Vec::new();
    for (i, h) in image.history.iter().enumerate() {
        if base_steps.contains(&i) {
            continue;
        }
        let created_by = h.created_by.as_deref().unwrap_or("");
        let ins = history::instruction(created_by);
        let link = match h.layer {
            Some(l) if l < unsure => Link::Uncertain,
            None if unsure > 0 && h.empty_layer && history::makes_layers(h) => Link::Uncertain,
            None if below_bare(i, h) => Link::Uncertain,
            Some(l) => Link::Layer(l),
            None if h.empty_layer || history::is_config_only(h) => Link::SettingsOnly,
            None => Link::NoLayer,
        };
        if ins.keyword == "ARG" {
            for (name, value) in arg_step(ins.text.get(3..).unwrap_or(""))
                .into_iter()
                .flatten()
            {
                declared.insert(name, value);
            }
        }
        for arg in &ins.build_args {
            let Some((name, value)) = arg_pair(arg) else {
                continue;
            };
            // The builder records the value in force for this step. An argument not yet
            // declared, or declared with another value (`RUN |1 A=1 …` then `RUN |1 A=2 …`:
            // a later `ARG A=2` re-declared it), gets an `ARG` line so a rebuild runs the step
            // with that value. One declared without a default took its value from outside.
            let needed = match declared.get(&name) {
                None => true,
                Some(None) => false,
                Some(Some(last)) => value.as_ref() != Some(last),
            };
            declared.insert(name, value);
            if needed {
                instructions.push(Instruction {
                    keyword: "ARG".into(),
                    text: arg_line(arg),
                    step: None,
                    link: Link::BuildArg,
                });
            }
        }
        let text = if ins.keyword.is_empty() && created_by.trim().is_empty() {
            // Some tools (buildpacks) record no text at all: say so rather than print nothing.
            "# (no recorded instruction)".to_string()
        } else if ins.keyword.is_empty() {
            // Text in no builder's form (`docker commit` records the container's command,
            // e.g. `/bin/bash`; other tools their own words) is no instruction: written as a
            // comment, so the Dockerfile stays one a builder could read.
            not_an_instruction(&ins.text)
        } else {
            written_form(&ins.keyword, &ins.text)
        };
        instructions.push(Instruction {
            keyword: ins.keyword,
            text,
            step: Some(i),
            link,
        });
    }
    Dockerfile { from, instructions }
}

/// A step's text that is no Dockerfile instruction, as comment lines:
/// `# not a Dockerfile step: /bin/bash`, each further line of it starting `# ` too.
fn not_an_instruction(text: &str) -> String {
    let mut out = String::from("# not a Dockerfile step: ");
    out.push_str(&text.trim().replace('\n', "\n# "));
    out
}

/// The name and value of a `NAME=value` or `NAME` build argument (as recorded with a `RUN`,
/// or the first one of an `ARG` step); a value the Dockerfile quoted (`ARG A="x y"`) is read
/// without its quotes, as the builder records it with a `RUN`.
fn arg_pair(arg: &str) -> Option<(String, Option<String>)> {
    let arg = arg.trim();
    let (name, value) = match arg.split_once('=') {
        Some((n, v)) => {
            let v = v.trim();
            let unquoted = ['"', '\'']
                .iter()
                .find_map(|q| v.strip_prefix(*q).and_then(|r| r.strip_suffix(*q)))
                .unwrap_or(v);
            (n.trim(), Some(unquoted.to_string()))
        }
        None => (arg.split_whitespace().next().unwrap_or(""), None),
    };
    (!name.is_empty()).then(|| (name.to_string(), value))
}

/// The arguments an `ARG` step declares (`A=1 B`, values with spaces as recorded): a new one
/// starts at each word shaped `NAME=…` or `NAME`; other words continue the previous value.
fn arg_step(rest: &str) -> Vec<Option<(String, Option<String>)>> {
    let is_name = |w: &str| {
        w.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && w.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    let mut args: Vec<String> = Vec::new();
    for word in rest.split_whitespace() {
        let starts = is_name(word.split('=').next().unwrap_or(""));
        match args.last_mut() {
            Some(last) if !starts && last.contains('=') => {
                last.push(' ');
                last.push_str(word);
            }
            _ => args.push(word.to_string()),
        }
    }
    args.iter().map(|a| arg_pair(a)).collect()
}

/// The `ARG` line for a build argument recorded with a `RUN` (`NAME=value`, the value as the
/// build used it, after expansion): a value the Dockerfile's word parsing would change —
/// whitespace, quotes, `$` (expanded again on a rebuild) or `\` — is written in double quotes
/// with `\`, `"` and `$` escaped (BuildKit's `shell.Lex`, the default escape character), so a
/// rebuild declares the same value.
fn arg_line(arg: &str) -> String {
    let special = |c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '$' | '\\');
    match arg.split_once('=') {
        Some((k, v)) if v.contains(special) => {
            let mut quoted = String::with_capacity(v.len() + 2);
            for c in v.chars() {
                if matches!(c, '\\' | '"' | '$') {
                    quoted.push('\\');
                }
                quoted.push(c);
            }
            format!("ARG {k}=\"{quoted}\"")
        }
        _ => format!("ARG {arg}"),
    }
}

/// Decides the base part (see the module docs for the order of evidence).
fn find_base(image: &Image, bases: &[KnownBase]) -> From {
    let layers = image.layers.len();
    let chain = share::chain_ids(image);
    // The known base covering the most of this image's lowest layers (then the longest
    // history prefix), among those that can be its base at all (see [`base_rank`]).
    let known = bases
        .iter()
        .filter(|b| b.image_id.is_none() || b.image_id != image.config_digest)
        .filter_map(|b| base_rank(image, &chain, b).map(|rank| (rank, b)))
        .max_by_key(|(rank, _)| *rank)
        .map(|(_, b)| b);
    if let Some(b) = known {
        let k = b.chain_ids.len();
        let end = match history_prefix(image, b) {
            Some(n) => n,
            // The base's history is not a prefix of ours (rebuilt, squashed): its steps end
            // with the step that made its top layer.
            None => steps_through_layer(image, k),
        };
        return From {
            name: Some(b.name.clone()),
            layers: k,
            steps: (0..end).collect(),
            evidence: BaseEvidence::Known,
        };
    }
    // buildah/podman: the build's first step carries `FROM <base>` as its comment.
    if let Some((i, name)) = image.history.iter().enumerate().find_map(|(i, h)| {
        let c = h.comment.as_deref()?.trim();
        let name = c.strip_prefix("FROM ")?.split_whitespace().next()?;
        Some((i, name.to_string()))
    }) {
        return From {
            name: Some(name),
            layers: base_layers(image, i),
            steps: (0..i).collect(),
            evidence: BaseEvidence::BuilderComment,
        };
    }
    if layers == 0 || image.history.is_empty() {
        return From {
            name: None,
            layers,
            steps: Vec::new(),
            evidence: if layers == 0 {
                BaseEvidence::None
            } else {
                BaseEvidence::Unrecorded
            },
        };
    }
    let bare = image
        .layers
        .iter()
        .take_while(|l| l.history.is_none())
        .count();
    if bare > 0 {
        return From {
            name: None,
            layers: bare,
            steps: Vec::new(),
            // Under an uncertain pairing, or with a RUN/COPY/ADD marked empty below every
            // paired step, a step marked empty may have made them: not said to have none.
            evidence: if image.pairing == PairingRule::Uncertain
                || image
                    .history
                    .iter()
                    .take_while(|h| h.layer.is_none())
                    .any(|h| h.empty_layer && history::makes_layers(h))
            {
                BaseEvidence::BottomLayer
            } else {
                BaseEvidence::Unrecorded
            },
        };
    }
    let end = steps_through_layer(image, 1);
    From {
        name: None,
        layers: base_layers(image, end),
        steps: (0..end).collect(),
        evidence: BaseEvidence::BottomLayer,
    }
}

/// Can `b` be the base of `image`, and how good a match is it: `(layers it covers, history
/// steps it shares)`, the larger the better; `None` when it cannot be.
///
/// Its ChainIDs must be this image's lowest ones. It must also be strictly "less" than the
/// image, or two images could each be named the other's base (same layers, different
/// trailing `ENV`/`CMD`): it covers fewer layers (a proper prefix by ChainID), or as many
/// layers and its known history is a proper prefix of this image's (the same steps, fewer of
/// them: an image that only adds config steps on top of it). An image with the same layers
/// and a different history (a sibling, or one rebuilt from another recipe) is not a base:
/// building `FROM` it would inherit its settings.
fn base_rank(image: &Image, chain: &[Option<Digest>], b: &KnownBase) -> Option<(usize, usize)> {
    let k = b.chain_ids.len();
    let covers = k > 0
        && k <= chain.len()
        && b.chain_ids
            .iter()
            .zip(chain)
            .all(|(a, c)| c.as_ref() == Some(a));
    if !covers {
        return None;
    }
    let shared = history_prefix(image, b);
    if k < chain.len() {
        return Some((k, shared.unwrap_or(0)));
    }
    // Same layers: only an image whose history this one extends.
    shared.filter(|n| *n < image.history.len()).map(|n| (k, n))
}

/// `Some(len)` when `b`'s history (known, non-empty) is a prefix of `image`'s, comparing
/// `created_by` texts.
fn history_prefix(image: &Image, b: &KnownBase) -> Option<usize> {
    let prefix = !b.history.is_empty()
        && b.history.len() <= image.history.len()
        && b.history
            .iter()
            .zip(&image.history)
            .all(|(a, h)| h.created_by.as_deref().unwrap_or("") == a);
    prefix.then_some(b.history.len())
}

/// How many history steps there are up to and including the one that made layer `k - 1`.
fn steps_through_layer(image: &Image, k: usize) -> usize {
    k.checked_sub(1)
        .and_then(|top| image.layers.get(top))
        .and_then(|l| l.history)
        .map(|s| s.saturating_add(1))
        .unwrap_or(0)
}

/// How many of the lowest layers come before history step `first_own`: those no step made
/// and those made by earlier steps.
fn base_layers(image: &Image, first_own: usize) -> usize {
    image
        .layers
        .iter()
        .take_while(|l| l.history.is_none_or(|s| s < first_own))
        .count()
}

/// The instruction as a Dockerfile would have it, from [`history::instruction`]'s text.
fn written_form(keyword: &str, text: &str) -> String {
    let rest = text
        .strip_prefix(keyword)
        .map(str::trim_start)
        .unwrap_or(text);
    match keyword {
        "RUN" => format!("RUN {}", break_shell(rest)),
        "CMD" | "ENTRYPOINT" | "VOLUME" | "SHELL" => format!("{keyword} {}", exec_form(rest)),
        "EXPOSE" => format!("EXPOSE {}", expose(rest)),
        "COPY" | "ADD" => format!("{keyword} {}", copy_args(rest)),
        // A Go-printed config (`&{…}`) this cannot read is no Dockerfile line: a comment,
        // as any step in no builder's form is; another text is kept as written.
        "HEALTHCHECK" => healthcheck(rest).unwrap_or_else(|| {
            if rest.starts_with("&{") {
                not_an_instruction(text)
            } else {
                format!("HEALTHCHECK {rest}")
            }
        }),
        "" => text.to_string(),
        _ => format!("{keyword} {rest}"),
    }
}

/// The `HEALTHCHECK` line from the Go-printed config both builders record: moby's
/// `fmt.Sprintf("HEALTHCHECK %q", runConfig.Healthcheck)` and BuildKit's same format of its
/// `HealthConfig` print the struct pointer as `&{Test Interval Timeout [StartPeriod
/// [StartInterval]] Retries}`: `Test` a list of Go-quoted strings, each duration its Go
/// string quoted (`"30s"`, `"1m0s"`), and `Retries`, an `int` under `%q`, as a Go rune
/// literal (`'\x03'` is 3, `'\n'` 10). Docker 1.12 had no `StartPeriod`, BuildKit with
/// Dockerfile 1.6+ adds `StartInterval`.
///
/// `["CMD-SHELL" "x"]` → `HEALTHCHECK --interval=30s … CMD x`; `["CMD" "a" "b"]` → the exec
/// form `CMD ["a", "b"]`; `["NONE"]` → `HEALTHCHECK NONE`. Zero durations and retries (the
/// defaults) are left out. `None` when the text is not in that form.
fn healthcheck(rest: &str) -> Option<String> {
    let inner = rest.trim().strip_prefix("&{")?.strip_suffix('}')?;
    let list_end = go_list_end(inner)?;
    let test = go_strings(inner.get(1..list_end)?)?;
    // Then the durations (Go-quoted strings), then the retries rune literal (which may be
    // `' '`, so the text is read token by token rather than split at blanks).
    let mut rest = inner.get(list_end + 1..)?.trim_start();
    let mut durations: Vec<String> = Vec::new();
    while rest.starts_with('"') {
        let (d, tail) = go_unquote(rest, '"')?;
        durations.push(d);
        rest = tail.trim_start();
    }
    if !(2..=4).contains(&durations.len()) {
        return None;
    }
    let retries = go_rune(rest)?;
    let flags = ["interval", "timeout", "start-period", "start-interval"];
    let mut line = String::from("HEALTHCHECK");
    let (kind, args) = test.split_first()?;
    match kind.as_str() {
        "NONE" if args.is_empty() => return Some(line + " NONE"),
        "CMD-SHELL" | "CMD" => {}
        _ => return None,
    }
    for (flag, d) in flags.iter().zip(&durations) {
        // A duration is Go's `Duration.String()`, which `--interval=` etc. parse back.
        if d != "0s" {
            line.push_str(&format!(" --{flag}={d}"));
        }
    }
    if retries != 0 {
        line.push_str(&format!(" --retries={retries}"));
    }
    match (kind.as_str(), args) {
        ("CMD-SHELL", [cmd]) => Some(format!("{line} CMD {cmd}")),
        ("CMD", args) if !args.is_empty() => {
            let json: Vec<String> = args
                .iter()
                .map(|a| serde_json::to_string(a).ok())
                .collect::<Option<_>>()?;
            Some(format!("{line} CMD [{}]", json.join(", ")))
        }
        _ => None,
    }
}

/// The byte index of the `]` closing the Go-printed string list `inner` starts with.
fn go_list_end(inner: &str) -> Option<usize> {
    if !inner.starts_with('[') {
        return None;
    }
    let mut in_string = false;
    let mut escaped = false;
    for (i, c) in inner.char_indices().skip(1) {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            ']' if !in_string => return Some(i),
            _ => {}
        }
    }
    None
}

/// Go-quoted strings separated by single spaces (`"a" "b c"`) → their values.
fn go_strings(s: &str) -> Option<Vec<String>> {
    let mut out = Vec::new();
    let mut rest = s.trim_start();
    while !rest.is_empty() {
        let (value, tail) = go_unquote(rest, '"')?;
        out.push(value);
        rest = tail.trim_start();
    }
    Some(out)
}

/// A Go rune literal (`'\x03'`, `'\n'`, `'A'`, `'\u00e9'`) → its code point.
fn go_rune(s: &str) -> Option<u32> {
    let (value, tail) = go_unquote(s, '\'')?;
    let mut chars = value.chars();
    match (chars.next(), chars.next(), tail.is_empty()) {
        (Some(c), None, true) => Some(u32::from(c)),
        _ => None,
    }
}

/// Reads one Go-quoted literal (delimited by `quote`) from the start of `s`: its value and
/// the text after it. Escapes as Go's `strconv.Quote`/`QuoteRune` write them; `\xHH` bytes
/// must make valid UTF-8.
fn go_unquote(s: &str, quote: char) -> Option<(String, &str)> {
    let mut chars = s.strip_prefix(quote)?.char_indices();
    let mut bytes: Vec<u8> = Vec::new();
    let body_start = quote.len_utf8();
    let hex = |chars: &mut std::str::CharIndices, n: usize| -> Option<u32> {
        let mut v: u32 = 0;
        for _ in 0..n {
            v = v
                .checked_mul(16)?
                .checked_add(chars.next()?.1.to_digit(16)?)?;
        }
        Some(v)
    };
    while let Some((i, c)) = chars.next() {
        if c == quote {
            let value = String::from_utf8(bytes).ok()?;
            return Some((value, s.get(body_start + i + c.len_utf8()..)?));
        }
        let ch = if c == '\\' {
            match chars.next()?.1 {
                'a' => '\u{7}',
                'b' => '\u{8}',
                'f' => '\u{c}',
                'n' => '\n',
                'r' => '\r',
                't' => '\t',
                'v' => '\u{b}',
                '\\' => '\\',
                '"' => '"',
                '\'' => '\'',
                'x' => {
                    // A byte, which may be part of a multi-byte character.
                    bytes.push(u8::try_from(hex(&mut chars, 2)?).ok()?);
                    continue;
                }
                'u' => char::from_u32(hex(&mut chars, 4)?)?,
                'U' => char::from_u32(hex(&mut chars, 8)?)?,
                _ => return None,
            }
        } else {
            c
        };
        let mut buf = [0u8; 4];
        bytes.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
    }
    None
}

/// `file:<64 hex> in /dest ` (classic builder, buildah) → `file:<12 hex>… /dest`.
fn copy_args(rest: &str) -> String {
    let rest = rest.trim();
    let is_recorded_source = ["file:", "dir:", "multi:"]
        .iter()
        .any(|p| rest.starts_with(p));
    match rest.split_once(" in ") {
        Some((src, dest)) if is_recorded_source => {
            format!("{} {}", shorten_hashes(src), dest.trim())
        }
        _ => rest.to_string(),
    }
}

/// BuildKit writes exposed ports as a Go map: `map[80/tcp:{} 443/tcp:{}]` → `80/tcp 443/tcp`.
fn expose(rest: &str) -> String {
    let Some(inner) = rest
        .trim()
        .strip_prefix("map[")
        .and_then(|r| r.strip_suffix(']'))
    else {
        return rest.trim().to_string();
    };
    inner
        .split_whitespace()
        .map(|p| p.strip_suffix(":{}").unwrap_or(p))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A Go-printed string list (`["a" "b c"]`, or `[/var/lib/mysql]` without quotes) → the
/// Dockerfile's JSON exec form `["a", "b c"]`. Anything else is kept as it is.
fn exec_form(rest: &str) -> String {
    let t = rest.trim();
    let Some(inner) = t.strip_prefix('[').and_then(|r| r.strip_suffix(']')) else {
        return t.to_string();
    };
    if inner.contains(", ") || inner.trim().is_empty() {
        return t.to_string();
    }
    let mut items: Vec<String> = Vec::new();
    if inner.contains('"') {
        // Quoted items: each is a JSON-compatible string (Go's %q), separated by spaces.
        let mut chars = inner.chars().peekable();
        loop {
            while chars.peek().is_some_and(|c| *c == ' ') {
                chars.next();
            }
            match chars.next() {
                None => break,
                Some('"') => {}
                Some(_) => return t.to_string(),
            }
            let mut item = String::from('"');
            let mut closed = false;
            while let Some(c) = chars.next() {
                item.push(c);
                if c == '\\' {
                    if let Some(n) = chars.next() {
                        item.push(n);
                    }
                } else if c == '"' {
                    closed = true;
                    break;
                }
            }
            if !closed {
                return t.to_string();
            }
            items.push(item);
        }
    } else {
        items = inner
            .split_whitespace()
            .map(|s| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\"")))
            .collect();
    }
    format!("[{}]", items.join(", "))
}

/// Breaks a shell command over lines as a Dockerfile writes it: before each `&&` and where
/// the builder joined continuation lines (a run of blanks holding a tab: Docker keeps the
/// next line's indentation), never inside quotes. A command that already holds newlines (a
/// heredoc) is kept as it is.
fn break_shell(cmd: &str) -> String {
    let cmd = cmd.trim();
    if cmd.contains('\n') {
        return cmd.to_string();
    }
    let mut out = String::with_capacity(cmd.len() + 32);
    let mut quote: Option<char> = None;
    let mut chars = cmd.chars().peekable();
    while let Some(c) = chars.next() {
        if let Some(q) = quote {
            out.push(c);
            if c == '\\' && q == '"' {
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '\'' | '"' => {
                quote = Some(c);
                out.push(c);
            }
            '\\' => {
                out.push(c);
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            }
            ' ' | '\t' => {
                let mut blanks = String::from(c);
                while let Some(b) = chars.next_if(|b| *b == ' ' || *b == '\t') {
                    blanks.push(b);
                }
                let tabs = blanks.chars().filter(|b| *b == '\t').count();
                let and_next = chars.peek() == Some(&'&') && {
                    let mut ahead = chars.clone();
                    ahead.next();
                    ahead.next() == Some('&')
                };
                if chars.peek().is_none() {
                    // Trailing blanks: dropped.
                } else if tabs > 0 {
                    out.push_str(" \\\n");
                    out.push_str(&"    ".repeat(tabs));
                } else if and_next && !at_line_start(&out) {
                    out.push_str(" \\\n    ");
                } else {
                    out.push(' ');
                }
            }
            _ => out.push(c),
        }
    }
    out
}

/// Is `out` at the start of a continuation line (only indentation since the last newline)?
fn at_line_start(out: &str) -> bool {
    out.rsplit('\n')
        .next()
        .is_some_and(|line| line.chars().all(|c| c == ' '))
        && out.contains('\n')
}

/// The plain Dockerfile text (what a copy button gives): the `FROM` line, then each
/// instruction, one per line (continuations as written), ending with a newline. An unnamed
/// base is written `FROM <base image, N layers>`.
pub fn render(df: &Dockerfile) -> String {
    let mut out = from_line(&df.from);
    out.push('\n');
    for ins in &df.instructions {
        out.push_str(&ins.text);
        out.push('\n');
    }
    out
}

/// The `FROM` line in English: `FROM debian:bookworm-slim`, `FROM <base image, 2 layers>`,
/// `FROM scratch`.
pub fn from_line(from: &From) -> String {
    match (&from.name, from.layers) {
        (Some(n), _) => format!("FROM {n}"),
        (None, 0) => "FROM scratch".to_string(),
        (None, 1) => "FROM <base image, 1 layer>".to_string(),
        (None, n) => format!("FROM <base image, {n} layers>"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::model::{HistoryEntry, Layer};

    /// An image with the given layer contents (diff_ids from the bytes), history texts
    /// (`!` prefix: empty_layer) and tag, paired in order.
    fn image(tag: &str, layers: &[&str], history: &[&str]) -> Image {
        let mut img = Image {
            tags: vec![tag.to_string()],
            config_digest: Some(Digest::of_bytes(format!("{tag}{history:?}").as_bytes())),
            layers: layers
                .iter()
                .map(|l| Layer {
                    diff_id: Some(Digest::of_bytes(l.as_bytes())),
                    ..Default::default()
                })
                .collect(),
            history: history
                .iter()
                .map(|h| HistoryEntry {
                    created_by: Some(h.trim_start_matches('!').to_string()),
                    empty_layer: h.starts_with('!'),
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        };
        let evidence = vec![history::LayerEvidence::Unknown; img.layers.len()];
        let p = history::pair(&img.history, &evidence);
        history::apply_pairing(&mut img, &p);
        img
    }

    fn base_of(img: &Image, all: &[&Image]) -> Option<String> {
        let bases: Vec<KnownBase> = all.iter().filter_map(|i| KnownBase::of_image(i)).collect();
        find_base(img, &bases).name
    }

    #[test]
    fn same_layers_different_trailing_steps_are_not_each_others_base() {
        let common = ["ADD rootfs /", "!CMD [\"sh\"]", "RUN make app"];
        let with = |tail: &[&'static str]| -> Vec<&'static str> {
            common.iter().chain(tail).copied().collect()
        };
        let prod = image(
            "app:prod",
            &["l0", "l1"],
            &with(&["!CMD [\"/app\", \"--prod\"]"]),
        );
        let debug = image(
            "app:debug",
            &["l0", "l1"],
            &with(&["!ENV DEBUG=1", "!CMD [\"/app\", \"--debug\"]"]),
        );
        assert_eq!(base_of(&prod, &[&prod, &debug]), None);
        assert_eq!(base_of(&debug, &[&prod, &debug]), None);
        // An image that only adds config steps on top of another (same layers, its history a
        // proper prefix) has it as its base; never the other way round, nor an identical one.
        let plain = image("app:plain", &["l0", "l1"], &common);
        let twin = image("app:twin", &["l0", "l1"], &common);
        assert_eq!(
            base_of(&debug, &[&plain, &prod, &debug]).as_deref(),
            Some("app:plain")
        );
        assert_eq!(base_of(&plain, &[&plain, &prod, &debug, &twin]), None);
        let only_plain: Vec<KnownBase> = KnownBase::of_image(&plain).into_iter().collect();
        let df = reconstruct(&debug, &only_plain);
        let texts: Vec<&str> = df.instructions.iter().map(|i| i.text.as_str()).collect();
        assert_eq!(texts, ["ENV DEBUG=1", "CMD [\"/app\", \"--debug\"]"]);
    }

    #[test]
    fn an_image_covering_all_our_layers_is_not_preferred_to_a_real_prefix() {
        let base = image(
            "base:1",
            &["a", "b"],
            &["ADD a /", "!CMD [\"sh\"]", "!ENV X=1", "RUN make b"],
        );
        // Its history records only its own step; child2 has the same layers and another
        // history: it is no base of child.
        let child = image("child:1", &["a", "b", "c"], &["RUN make c"]);
        let child2 = image(
            "child2:1",
            &["a", "b", "c"],
            &["ADD a /", "RUN make b", "!LABEL z=1", "RUN make c"],
        );
        let all = [&base, &child, &child2];
        let bases: Vec<KnownBase> = all.iter().filter_map(|i| KnownBase::of_image(i)).collect();
        let df = reconstruct(&child, &bases);
        assert_eq!(
            (df.from.name.as_deref(), df.from.layers),
            (Some("base:1"), 2)
        );
        let got: Vec<(&str, Link)> = df
            .instructions
            .iter()
            .map(|i| (i.text.as_str(), i.link))
            .collect();
        assert_eq!(got, [("RUN make c", Link::Layer(2))]);
        assert_eq!(base_of(&child2, &all).as_deref(), Some("base:1"));
        // More layers covered still wins over a longer shared history.
        assert_eq!(
            base_of(&child, &[&base, &child2, &image("x", &["a"], &["ADD a /"])]).as_deref(),
            Some("base:1")
        );
    }

    fn texts(img: &Image) -> Vec<String> {
        reconstruct(img, &[])
            .instructions
            .into_iter()
            .map(|i| i.text)
            .collect()
    }

    #[test]
    fn a_build_arg_whose_value_changes_is_declared_again() {
        let img = image(
            "args:1",
            &["0", "1", "2", "3"],
            &[
                "ADD a /",
                "RUN |1 A=1 /bin/sh -c echo $A > /f1 # buildkit",
                "RUN |1 A=2 /bin/sh -c echo $A > /f2 # buildkit",
                "RUN |2 A=2 B= /bin/sh -c echo $A$B > /f3 # buildkit",
            ],
        );
        assert_eq!(
            texts(&img),
            [
                "ARG A=1",
                "RUN echo $A > /f1",
                "ARG A=2",
                "RUN echo $A > /f2",
                "ARG B=",
                "RUN echo $A$B > /f3",
            ]
        );
        // Recorded ARG steps declare (several in one step; one without a default takes the
        // value given from outside); a value with spaces stays quoted when declared again.
        let img = image(
            "args:2",
            &["0", "1", "2", "3"],
            &[
                "ADD a /",
                "!/bin/sh -c #(nop)  ARG A=1 B C=\"x y\"",
                "|3 A=1 B=7 C=x y /bin/sh -c make",
                "|3 A=1 B=7 C=x z /bin/sh -c make two",
                "|3 A=3 B=7 C=x z /bin/sh -c make three",
            ],
        );
        assert_eq!(
            texts(&img),
            [
                "ARG A=1 B C=\"x y\"",
                "RUN make",
                "ARG C=\"x z\"",
                "RUN make two",
                "ARG A=3",
                "RUN make three",
            ]
        );
    }

    #[test]
    fn a_recorded_value_the_dockerfile_would_read_otherwise_is_quoted() {
        let img = image(
            "args:3",
            &["0", "1", "2", "3", "4"],
            &[
                "ADD a /",
                "RUN |1 A=$HOME/x /bin/sh -c one # buildkit",
                "RUN |1 A=say \"hi\" /bin/sh -c two # buildkit",
                "RUN |1 A=c:\\dir /bin/sh -c three # buildkit",
                "RUN |1 A=it's /bin/sh -c four # buildkit",
            ],
        );
        assert_eq!(
            texts(&img),
            [
                "ARG A=\"\\$HOME/x\"",
                "RUN one",
                "ARG A=\"say \\\"hi\\\"\"",
                "RUN two",
                "ARG A=\"c:\\\\dir\"",
                "RUN three",
                "ARG A=\"it's\"",
                "RUN four",
            ]
        );
    }

    #[test]
    fn healthcheck_from_the_go_printed_config() {
        let hc = |created_by: &str| {
            let ins = history::instruction(created_by);
            written_form(&ins.keyword, &ins.text)
        };
        // Classic builder (moby `HEALTHCHECK %q`), StartPeriod, no StartInterval: the form the
        // tester's image and Docker Hub's plone and crate histories show.
        assert_eq!(
            hc("/bin/sh -c #(nop)  HEALTHCHECK &{[\"CMD-SHELL\" \"curl -f http://localhost/ || exit 1\"] \"30s\" \"5s\" \"0s\" '\\x03'}"),
            "HEALTHCHECK --interval=30s --timeout=5s --retries=3 CMD curl -f http://localhost/ || exit 1"
        );
        assert_eq!(
            hc("/bin/sh -c #(nop)  HEALTHCHECK &{[\"CMD-SHELL\" \"nc -z -w5 127.0.0.1 8080 || exit 1\"] \"1m0s\" \"5s\" \"1m0s\" '\\x00'}"),
            "HEALTHCHECK --interval=1m0s --timeout=5s --start-period=1m0s CMD nc -z -w5 127.0.0.1 8080 || exit 1"
        );
        assert_eq!(
            hc("/bin/sh -c #(nop)  HEALTHCHECK &{[\"CMD-SHELL\" \"curl $(hostname):4200\"] \"0s\" \"0s\" \"0s\" '\\x00'}"),
            "HEALTHCHECK CMD curl $(hostname):4200"
        );
        // BuildKit with StartInterval (Docker Hub's kong): retries 10 prints as '\n'.
        assert_eq!(
            hc("HEALTHCHECK &{[\"CMD-SHELL\" \"kong health\"] \"1m0s\" \"10s\" \"0s\" \"0s\" '\\n'}"),
            "HEALTHCHECK --interval=1m0s --timeout=10s --retries=10 CMD kong health"
        );
        // Exec form, with a quote and a non-ASCII byte sequence in an argument; NONE; the
        // Docker 1.12 form (no StartPeriod); a printable rune ('A' = 65 retries).
        assert_eq!(
            hc("HEALTHCHECK &{[\"CMD\" \"/bin/check\" \"--say=\\\"h\\xc3\\xa9\\\"\"] \"30s\" \"3s\" \"5s\" \"0s\" '\\x03'}"),
            "HEALTHCHECK --interval=30s --timeout=3s --start-period=5s --retries=3 CMD [\"/bin/check\", \"--say=\\\"hé\\\"\"]"
        );
        assert_eq!(
            hc("/bin/sh -c #(nop)  HEALTHCHECK &{[\"NONE\"] \"0s\" \"0s\" \"0s\" '\\x00'}"),
            "HEALTHCHECK NONE"
        );
        assert_eq!(
            hc("/bin/sh -c #(nop)  HEALTHCHECK &{[\"CMD-SHELL\" \"true\"] \"5s\" \"1s\" 'A'}"),
            "HEALTHCHECK --interval=5s --timeout=1s --retries=65 CMD true"
        );
        assert_eq!(
            hc("HEALTHCHECK &{[\"CMD-SHELL\" \"true\"] \"5s\" \"1s\" ' '}"),
            "HEALTHCHECK --interval=5s --timeout=1s --retries=32 CMD true"
        );
        // Not that form: kept as recorded.
        for odd in [
            "HEALTHCHECK --interval=5s CMD true",
            "HEALTHCHECK &{[\"CMD-SHELL\" \"x\"] \"5s\" '\\x00'}",
            "HEALTHCHECK &{[\"CMD-SHELL\" \"x\" \"y\"] \"5s\" \"1s\" '\\x00'}",
            "HEALTHCHECK &{[\"WHAT\" \"x\"] \"5s\" \"1s\" '\\x00'}",
            "HEALTHCHECK &{[\"CMD\" \"\\xff\"] \"5s\" \"1s\" '\\x00'}",
            "HEALTHCHECK &{[\"CMD-SHELL\" \"x] \"5s\" \"1s\" '\\x00'}",
            "HEALTHCHECK &{[] \"5s\" \"1s\" '\\x00'}",
        ] {
            // A Go-printed config it cannot read: a comment, never a broken Dockerfile line.
            let want = if odd.contains("&{") {
                format!("# not a Dockerfile step: {odd}")
            } else {
                odd.to_string()
            };
            assert_eq!(hc(odd), want);
        }
    }

    #[test]
    fn a_step_in_no_builders_form_is_a_comment() {
        let img = image(
            "c:1",
            &["a", "b", "c"],
            &["ADD a /", "/bin/bash", "", "!tool step\nsecond line"],
        );
        assert_eq!(
            texts(&img),
            [
                "# not a Dockerfile step: /bin/bash",
                "# (no recorded instruction)",
                "# not a Dockerfile step: tool step\n# second line",
            ]
        );
    }

    #[test]
    fn steps_whose_layer_is_uncertain_are_tied_to_none() {
        let img = image(
            "r:1",
            &["sh", "a", "b"],
            &[
                "/bin/sh -c #(nop) ADD file:0123 in / ",
                "!/bin/sh -c #(nop)  CMD [\"sh\"]",
                "!/bin/sh -c echo aaaa > /a",
                "/bin/sh -c echo bbbbbbbb > /b",
            ],
        );
        assert_eq!(img.pairing, PairingRule::Uncertain);
        let df = reconstruct(&img, &[]);
        assert_eq!(
            (df.from.layers, df.from.evidence),
            (1, BaseEvidence::BottomLayer)
        );
        let got: Vec<(&str, Link)> = df
            .instructions
            .iter()
            .map(|i| (i.text.as_str(), i.link))
            .collect();
        assert_eq!(
            got,
            [
                ("ADD file:0123 /", Link::Uncertain),
                ("CMD [\"sh\"]", Link::SettingsOnly),
                ("RUN echo aaaa > /a", Link::Uncertain),
                ("RUN echo bbbbbbbb > /b", Link::Layer(2)),
            ]
        );
    }

    #[test]
    fn layer_making_steps_all_marked_empty_are_not_said_to_change_settings_only() {
        let img = image("e:1", &["a", "b"], &["!ADD a", "!RUN b", "!ENV C=1"]);
        let got: Vec<Link> = reconstruct(&img, &[])
            .instructions
            .iter()
            .map(|i| i.link)
            .collect();
        assert_eq!(got, [Link::Uncertain, Link::Uncertain, Link::SettingsOnly]);
        assert_eq!(
            reconstruct(&img, &[]).from.evidence,
            BaseEvidence::BottomLayer
        );
    }

    #[test]
    fn shell_commands_break_before_and_and_at_joined_lines() {
        assert_eq!(
            break_shell("set -x     && groupadd nginx     && apt-get update"),
            "set -x \\\n    && groupadd nginx \\\n    && apt-get update"
        );
        assert_eq!(
            break_shell("set -eux; \tapt-get update; \t\tzstd \t; \trm -rf /x"),
            "set -eux; \\\n    apt-get update; \\\n        zstd \\\n    ; \\\n    rm -rf /x"
        );
        // Never inside quotes; a heredoc is kept.
        assert_eq!(
            break_shell("echo 'a && b' && echo \"c \\\" && d\""),
            "echo 'a && b' \\\n    && echo \"c \\\" && d\""
        );
        assert_eq!(
            break_shell("cat <<EOF > /x\nhi && there\nEOF"),
            "cat <<EOF > /x\nhi && there\nEOF"
        );
    }

    #[test]
    fn go_printed_forms_become_dockerfile_forms() {
        assert_eq!(
            exec_form("[\"/bin/sh\" \"-c\" \"cat /data/hello.txt\"]"),
            "[\"/bin/sh\", \"-c\", \"cat /data/hello.txt\"]"
        );
        assert_eq!(exec_form("[/var/lib/mysql]"), "[\"/var/lib/mysql\"]");
        assert_eq!(exec_form("[\"/bin/sh\", \"-c\"]"), "[\"/bin/sh\", \"-c\"]");
        assert_eq!(exec_form("nginx -g x"), "nginx -g x");
        assert_eq!(
            expose("map[3306/tcp:{} 33060/tcp:{}]"),
            "3306/tcp 33060/tcp"
        );
        assert_eq!(expose("80"), "80");
        assert_eq!(
            copy_args(&format!("file:{} in /usr/local/bin/ ", "ab".repeat(32))),
            "file:abababababab… /usr/local/bin/"
        );
        assert_eq!(copy_args("files/ /data/"), "files/ /data/");
    }
}
