//! `pancake inspect --ci`: dive's CI gate (`dive --ci`, `.dive-ci`) over Pancake's figures.
//!
//! Three rules, dive's names and defaults, each a threshold or `disabled`:
//! - `lowestEfficiency` (default 0.9): fails when the image's efficiency (visible content
//!   bytes ÷ stored content bytes, `union::efficiency`) is below it;
//! - `highestWastedBytes` (default disabled): fails when the wasted bytes (`union::wasted`,
//!   summed) are above it; a number of bytes or a size with a unit (`20MB` = 20,000,000,
//!   `20MiB` = 20 × 2^20, as dive reads it);
//! - `highestUserWastedPercent` (default 0.1, a ratio from 0 to 1 as in dive): fails when the
//!   wasted bytes ÷ the content bytes stored by the layers above the base (layer 0) are above it.
//!
//! Read from `.pancake-ci.yaml` (or `--ci-config PATH`) in dive's shape
//! (`rules: {lowestEfficiency: 0.95, ...}`); a flag overrides the file's value. Every image of
//! every file is checked; one line per rule (PASS, FAIL with the figures, SKIP when disabled),
//! and the command fails when any rule failed. An image with a layer not read to its end (or
//! not in the file) also gets `FAIL complete`, naming each such layer: its figures would be
//! those of the files read only (`pancake_core::analyze::gaps`), and an image with a layer
//! whose bytes do not match what it claims (`Verification::Mismatch`) gets `FAIL verified`.
//! A file that is damaged as a whole (an outer stream error, `ProblemKind::Archive`) gets
//! `FAIL intact` once, an image `docker load` refuses (`image_claims::load_refusals`, an entry
//! unpacking fails on: `image_claims::unpack_failures`) `FAIL loadable` with its first reasons,
//! and a file from which no image could be read `FAIL readable`: the
//! result is never PASS over a file the gate could not trust or read.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use pancake_core::analyze::{image_claims, union};
use pancake_core::units::human_size;
use pancake_core::Archive;

use crate::term::Safe;
use crate::Fail;

/// Which problems one of a file's own rules (`FAIL intact`, the file's `FAIL loadable`) takes.
type AboutFile = fn(&pancake_core::Problem) -> bool;

/// How many of an image's reasons `FAIL loadable` names before it counts the rest.
const LOADABLE_REASONS: usize = 3;

/// The file read when `--ci-config` is not given (skipped when absent).
pub const DEFAULT_CONFIG: &str = ".pancake-ci.yaml";

/// Rule thresholds from the flags (each `None` when the flag was not given).
pub struct Flags {
    pub config: Option<PathBuf>,
    pub lowest_efficiency: Option<String>,
    pub highest_wasted_bytes: Option<String>,
    pub highest_user_wasted_percent: Option<String>,
}

/// A rule's threshold.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Threshold {
    Disabled,
    Ratio(f64),
    Bytes(u64),
}

const RULES: [&str; 3] = [
    "lowestEfficiency",
    "highestWastedBytes",
    "highestUserWastedPercent",
];

/// Parses a ratio (0 to 1) or `disabled`.
fn ratio(rule: &str, text: &str) -> Result<Threshold, Fail> {
    let t = text.trim();
    if t.eq_ignore_ascii_case("disabled") {
        return Ok(Threshold::Disabled);
    }
    match t.parse::<f64>() {
        Ok(v) if (0.0..=1.0).contains(&v) => Ok(Threshold::Ratio(v)),
        _ => Err(Fail(format!(
            "{rule}: \"{}\" is not a ratio from 0 to 1 or \"disabled\"",
            Safe(text)
        ))),
    }
}

/// Parses a byte count (`1000`, `20MB`, `1.5 GiB`, `20kb`: decimal units are powers of 1000,
/// `Ki`/`Mi`/`Gi`/`Ti` powers of 1024, case-insensitive, as go-humanize's `ParseBytes`,
/// which dive uses) or `disabled`.
fn bytes(rule: &str, text: &str) -> Result<Threshold, Fail> {
    let t = text.trim();
    if t.eq_ignore_ascii_case("disabled") {
        return Ok(Threshold::Disabled);
    }
    let bad = || {
        Fail(format!(
            "{rule}: \"{}\" is not a size (like 20MB, 1.5GiB, 1000) or \"disabled\"",
            Safe(text)
        ))
    };
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num.parse().map_err(|_| bad())?;
    let unit = unit.trim().to_ascii_lowercase();
    let mult: f64 = match unit.as_str() {
        "" | "b" => 1.0,
        "k" | "kb" => 1e3,
        "m" | "mb" => 1e6,
        "g" | "gb" => 1e9,
        "t" | "tb" => 1e12,
        "ki" | "kib" => 1024.0,
        "mi" | "mib" => 1024.0 * 1024.0,
        "gi" | "gib" => 1024.0 * 1024.0 * 1024.0,
        "ti" | "tib" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        _ => return Err(bad()),
    };
    let v = n * mult;
    if !v.is_finite() || v < 0.0 || v > u64::MAX as f64 {
        return Err(bad());
    }
    Ok(Threshold::Bytes(v.round() as u64))
}

fn parse(rule: &str, text: &str) -> Result<Threshold, Fail> {
    if rule == "highestWastedBytes" {
        bytes(rule, text)
    } else {
        ratio(rule, text)
    }
}

/// The rules in force: dive's defaults, then the config file, then the flags.
fn rules(flags: &Flags) -> Result<Vec<(&'static str, Threshold)>, Fail> {
    let mut values: BTreeMap<&str, String> = BTreeMap::from([
        ("lowestEfficiency", "0.9".to_string()),
        ("highestWastedBytes", "disabled".to_string()),
        ("highestUserWastedPercent", "0.1".to_string()),
    ]);
    let (path, required) = match &flags.config {
        Some(p) => (p.clone(), true),
        None => (PathBuf::from(DEFAULT_CONFIG), false),
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            for (k, v) in config_rules(&path, &text)? {
                let Some(name) = RULES.iter().find(|r| **r == k) else {
                    return Err(Fail(format!(
                        "{}: unknown rule \"{}\" (known: {})",
                        path.display(),
                        Safe(&k),
                        RULES.join(", ")
                    )));
                };
                values.insert(name, v);
            }
        }
        Err(e) if required || e.kind() != std::io::ErrorKind::NotFound => {
            return Err(Fail(format!("{}: cannot read: {e}", path.display())));
        }
        Err(_) => {}
    }
    for (name, flag) in [
        ("lowestEfficiency", &flags.lowest_efficiency),
        ("highestWastedBytes", &flags.highest_wasted_bytes),
        (
            "highestUserWastedPercent",
            &flags.highest_user_wasted_percent,
        ),
    ] {
        if let Some(v) = flag {
            values.insert(name, v.clone());
        }
    }
    RULES
        .iter()
        .map(|r| {
            let text = values.get(r).map(String::as_str).unwrap_or("disabled");
            parse(r, text).map(|t| (*r, t))
        })
        .collect()
}

/// `rules:` of a `.dive-ci`-shaped YAML document, each value as text (numbers as written).
fn config_rules(path: &Path, text: &str) -> Result<Vec<(String, String)>, Fail> {
    let bad = |why: String| Fail(format!("{}: {why}", path.display()));
    let doc: serde_yaml_ng::Value =
        serde_yaml_ng::from_str(text).map_err(|e| bad(format!("not YAML: {e}")))?;
    if doc.is_null() {
        return Ok(Vec::new());
    }
    let Some(rules) = doc.get("rules") else {
        return Err(bad("no `rules:` mapping (as in dive's .dive-ci)".into()));
    };
    let Some(map) = rules.as_mapping() else {
        return Err(bad("`rules:` is not a mapping".into()));
    };
    let mut out = Vec::new();
    for (k, v) in map {
        let key = k
            .as_str()
            .ok_or_else(|| bad("a rule name is not text".into()))?;
        let value = match v {
            serde_yaml_ng::Value::String(s) => s.clone(),
            serde_yaml_ng::Value::Number(n) => n.to_string(),
            serde_yaml_ng::Value::Bool(false) => "disabled".into(),
            _ => return Err(bad(format!("{key}: expected a number or a string"))),
        };
        out.push((key.to_string(), value));
    }
    Ok(out)
}

/// One image's figures.
struct Figures {
    efficiency: f64,
    wasted: u64,
    /// Content bytes stored by the layers above the base.
    user: u64,
}

impl Figures {
    /// dive's `wastedBytes / userSizeBytes`. With nothing stored above the base, bytes
    /// wasted all the same (layers that only delete what the base stored) are infinitely
    /// many times what was added, as dive's float division makes them, and the rule fails;
    /// with nothing wasted either there is nothing to fail on.
    fn user_wasted(&self) -> f64 {
        match (self.wasted, self.user) {
            (0, 0) => 0.0,
            (_, 0) => f64::INFINITY,
            (w, u) => w as f64 / u as f64,
        }
    }
}

/// Runs the gate over every image of `archives`, and over the files named in `unreadable` (no
/// image could be read from them: each is a failed check, so the result is never PASS over a
/// file it could not look at): the report's text, and how many rules failed.
/// `numbers[k]`: the images of `archives[k]` to check, by their number in the file (all of
/// them, or the one `--platform` chose; the archive keeps every image, so its problems'
/// image numbers hold).
pub fn report(
    archives: &[Archive],
    numbers: &[Vec<usize>],
    unreadable: &[&str],
    flags: &Flags,
) -> Result<(String, usize), Fail> {
    let rules = rules(flags)?;
    let mut s = String::new();
    let (mut passed, mut failed, mut skipped) = (0usize, 0usize, 0usize);
    for name in unreadable {
        failed += 1;
        s.push_str(&format!(
            "{}\n  FAIL readable: no image could be read from the file (the error after the result says why)\n",
            Safe(name)
        ));
    }
    for (k, a) in archives.iter().enumerate() {
        // The file itself damaged (its outer gzip failing its checksum, say, after every
        // member was read): the layers' digests may all verify, but the members no digest
        // covers (`manifest.json`, `repositories`: the tags) may not be what was saved.
        // And a `load-fails` problem about the outer tar (it stops where Go's reader stops:
        // "invalid tar header") refuses the file as a whole. Each once per file, counted as
        // a failed rule; the images' own checks follow.
        let file_rules: [(&str, AboutFile); 2] = [
            (
                "intact: the file is damaged, so what no digest covers (its tags, in manifest.json or index.json) may not be what was saved",
                |p| p.kind == pancake_core::ProblemKind::Archive,
            ),
            ("loadable: docker load refuses the file", |p| {
                p.kind == pancake_core::ProblemKind::LoadFails
                    && p.origin.scope == pancake_core::Scope::Outer
            }),
        ];
        for (rule, about) in file_rules {
            let found: Vec<String> = a
                .problems
                .iter()
                .filter(|p| about(p))
                .map(|p| Safe(p.technical()).to_string())
                .collect();
            if !found.is_empty() {
                failed += 1;
                s.push_str(&format!(
                    "{}\n  FAIL {rule}: {}\n",
                    Safe(&a.name),
                    found.join("; ")
                ));
            }
        }
        let checked = numbers.get(k).map(Vec::as_slice).unwrap_or_default();
        for (i, img) in a.images.iter().enumerate() {
            if !checked.contains(&i) {
                continue;
            }
            let stored = union::stored_bytes(a, img);
            let wasted = union::wasted(a, img);
            let f = Figures {
                efficiency: union::efficiency_of(&stored, &wasted),
                wasted: wasted.iter().fold(0u64, |t, b| t.saturating_add(*b)),
                user: stored
                    .iter()
                    .skip(1)
                    .fold(0u64, |t, b| t.saturating_add(*b)),
            };
            let tags = if img.tags.is_empty() {
                "<none>".to_string()
            } else {
                img.tags.join(", ")
            };
            s.push_str(&format!(
                "{} — image {i}: {}\n  efficiency {:.4}, wasted {} ({} bytes), user wasted {:.4} of {} ({} bytes) stored above the base layer\n",
                Safe(&a.name),
                Safe(tags),
                f.efficiency,
                human_size(f.wasted),
                f.wasted,
                f.user_wasted(),
                human_size(f.user),
                f.user
            ));
            // The figures are over the files read: a layer not read to its end (or not here)
            // makes them figures of another image, and no threshold can pass on them.
            let gaps = pancake_core::analyze::gaps::listing_gaps(a, img, usize::MAX);
            if !gaps.is_empty() {
                failed += 1;
                let each: Vec<String> = gaps.iter().map(|g| Safe(g).to_string()).collect();
                s.push_str(&format!(
                    "  FAIL complete: the figures cover only the files read: {}\n",
                    each.join("; ")
                ));
            }
            // A layer whose bytes are not what the image claims (a damaged file: a flipped
            // byte, a wrong descriptor digest or size) is no image to pass, whatever its
            // figures: said once per image, counted as a failed rule. (A compressed stream that
            // failed its checksum is a layer not read to its end: `FAIL complete` above.)
            let damaged: Vec<String> = img
                .layers
                .iter()
                .enumerate()
                .filter(|(_, l)| l.verification == pancake_core::Verification::Mismatch)
                .map(|(n, l)| {
                    let blob = crate::gaps::blob_of(Some(l));
                    let what = l
                        .mismatches
                        .first()
                        .map(|m| format!(": {} differs", Safe(&m.what)))
                        .unwrap_or_default();
                    format!("layer {n}{blob}{what}")
                })
                .collect();
            if !damaged.is_empty() {
                failed += 1;
                s.push_str(&format!(
                    "  FAIL verified: the layers' bytes are not what the image claims: {}\n",
                    damaged.join("; ")
                ));
            }
            // An image `docker load` refuses (a document Go cannot decode, a history or layer
            // count the image store refuses, an entry unpacking fails on) is no image to pass,
            // whatever its figures and digests: said once per image, naming each reason.
            let refusals: Vec<String> = image_claims::image_refusals(img)
                .iter()
                .map(ToString::to_string)
                .chain(
                    image_claims::load_refusals(a, img)
                        .into_iter()
                        .chain(image_claims::unpack_failures(a, img))
                        .map(|p| Safe(p.technical()).to_string()),
                )
                .collect();
            if !refusals.is_empty() || image_claims::load_refused_in(a, img) {
                failed += 1;
                let mut each: Vec<String> =
                    refusals.iter().take(LOADABLE_REASONS).cloned().collect();
                if refusals.len() > LOADABLE_REASONS {
                    each.push(format!("and {} more", refusals.len() - LOADABLE_REASONS));
                }
                if each.is_empty() {
                    each.push("its config and manifest say so (see the problems)".into());
                }
                s.push_str(&format!(
                    "  FAIL loadable: docker load refuses the image: {}\n",
                    each.join("; ")
                ));
            }
            for (name, t) in &rules {
                let (ok, detail) = match (*name, *t) {
                    (_, Threshold::Disabled) => {
                        skipped += 1;
                        s.push_str(&format!("  SKIP {name}: rule disabled\n"));
                        continue;
                    }
                    ("lowestEfficiency", Threshold::Ratio(min)) => (
                        f.efficiency >= min,
                        format!("efficiency={:.4}, threshold={min}", f.efficiency),
                    ),
                    ("highestWastedBytes", Threshold::Bytes(max)) => (
                        f.wasted <= max,
                        format!("wasted-bytes={}, threshold={max}", f.wasted),
                    ),
                    (_, Threshold::Ratio(max)) => (
                        f.user_wasted() <= max,
                        format!("user-wasted={:.4}, threshold={max}", f.user_wasted()),
                    ),
                    (_, Threshold::Bytes(_)) => continue,
                };
                if ok {
                    passed += 1;
                    s.push_str(&format!("  PASS {name}: {detail}\n"));
                } else {
                    failed += 1;
                    let why = match *name {
                        "lowestEfficiency" => "image efficiency is too low",
                        "highestWastedBytes" => "too many bytes wasted",
                        _ => "too many bytes wasted, relative to the bytes added above the base",
                    };
                    s.push_str(&format!("  FAIL {name}: {why} ({detail})\n"));
                }
            }
        }
    }
    s.push_str(&format!(
        "Result: {} [Total:{}] [Passed:{passed}] [Failed:{failed}] [Skipped:{skipped}]\n",
        if failed > 0 { "FAIL" } else { "PASS" },
        passed + failed + skipped
    ));
    Ok((s, failed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_wasted_with_nothing_added_above_the_base_fail_the_user_rule() {
        let f = |wasted, user| Figures {
            efficiency: 1.0,
            wasted,
            user,
        };
        assert_eq!(f(100_000, 0).user_wasted(), f64::INFINITY);
        assert!(f(100_000, 0).user_wasted() > 0.1);
        assert_eq!(f(0, 0).user_wasted(), 0.0);
        assert_eq!(f(50, 100).user_wasted(), 0.5);
    }

    #[test]
    fn sizes_parse_as_dive_reads_them() {
        let b = |t: &str| bytes("r", t).ok();
        assert_eq!(b("1000"), Some(Threshold::Bytes(1000)));
        assert_eq!(b("20MB"), Some(Threshold::Bytes(20_000_000)));
        assert_eq!(b("20 mb"), Some(Threshold::Bytes(20_000_000)));
        assert_eq!(b("1.5GiB"), Some(Threshold::Bytes(1_610_612_736)));
        assert_eq!(b("2KiB"), Some(Threshold::Bytes(2048)));
        assert_eq!(b("disabled"), Some(Threshold::Disabled));
        assert_eq!(b("20 parsecs"), None);
        assert_eq!(b("-5"), None);
        assert_eq!(b(""), None);
    }

    #[test]
    fn ratios_are_between_zero_and_one() {
        assert_eq!(ratio("r", "0.95").ok(), Some(Threshold::Ratio(0.95)));
        assert_eq!(ratio("r", "Disabled").ok(), Some(Threshold::Disabled));
        assert!(ratio("r", "95").is_err());
        assert!(ratio("r", "x").is_err());
    }

    #[test]
    fn config_in_dive_shape() {
        let p = Path::new("t.yaml");
        let got = config_rules(
            p,
            "rules:\n  lowestEfficiency: 0.95\n  highestWastedBytes: 20MB\n  highestUserWastedPercent: disabled\n",
        )
        .ok();
        assert_eq!(
            got,
            Some(vec![
                ("lowestEfficiency".into(), "0.95".into()),
                ("highestWastedBytes".into(), "20MB".into()),
                ("highestUserWastedPercent".into(), "disabled".into()),
            ])
        );
        assert!(config_rules(p, "lowestEfficiency: 0.9\n").is_err());
        assert!(config_rules(p, "rules: [1, 2]\n").is_err());
    }
}
