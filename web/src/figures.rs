//! Figures as the page writes them in its own sentences, cards, details and tooltips, per
//! language. The core stays locale-free: it gives Docker's units (`87.6kB`,
//! `pancake_core::units::human_size`), and this module words them for the reader.
//!
//! - English keeps Docker's form exactly (`87.6kB`, `0B`): what `docker` prints, and what the
//!   course's English text quotes.
//! - Indonesian writes a decimal comma and a space before the unit (`87,6 kB`, `0 B`), and
//!   groups thousands with a point (`1.234.567`), as Indonesian text writes figures.
//!
//! Where the page reproduces a Docker command's terminal output — the `docker pull`/`docker
//! push` transcript lines — it keeps Docker's exact form in every language
//! (`pancake_core::units::human_size` there, on purpose): a learner compares those lines with
//! their own terminal. The History table is not such a transcript (its CREATED column is
//! worded in the page's language): its SIZE column is written here, so a layer's size reads
//! the same in History as in the Stack ("1,98 MB" in Indonesian, not "1.98MB" beside it).

use crate::i18n::Lang;

/// A size in Docker's decimal units, worded for `lang`: `87.6kB` (English, as Docker prints
/// it) or `87,6 kB` (Indonesian).
pub fn human_size(lang: Lang, bytes: u64) -> String {
    let docker = pancake_core::units::human_size(bytes);
    match lang {
        Lang::En => docker,
        Lang::Id => {
            // Docker's form is the figure (`%.3g`) followed by the unit's letters.
            let unit_at = docker
                .char_indices()
                .rev()
                .take_while(|(_, c)| c.is_ascii_alphabetic())
                .last()
                .map_or(docker.len(), |(i, _)| i);
            let (figure, unit) = docker.split_at(unit_at);
            format!("{} {unit}", figure.replace('.', ","))
        }
    }
}

/// `x` with `places` decimals, with the decimal separator of `lang` (`44.8` / `44,8`).
pub fn decimal(lang: Lang, x: f64, places: usize) -> String {
    let s = format!("{x:.places$}");
    match lang {
        Lang::En => s,
        Lang::Id => s.replace('.', ","),
    }
}

/// A whole number with its thousands grouped as `lang` writes them: `1,234,567` (English),
/// `1.234.567` (Indonesian). For exact byte counts said in a sentence.
pub fn grouped(lang: Lang, n: u64) -> String {
    let sep = match lang {
        Lang::En => ',',
        Lang::Id => '.',
    };
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

/// A count of things (files, entries, layers, matches) as `lang` writes it: [`grouped`].
pub fn count(lang: Lang, n: usize) -> String {
    grouped(lang, u64::try_from(n).unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_sizes_are_dockers_own() {
        for (n, want) in [
            (0, "0B"),
            (999, "999B"),
            (87_600, "87.6kB"),
            (1_000, "1kB"),
            (1_980_000, "1.98MB"),
            (123_456_789_012, "123GB"),
        ] {
            assert_eq!(human_size(Lang::En, n), want, "{n}");
            assert_eq!(human_size(Lang::En, n), pancake_core::units::human_size(n));
        }
    }

    #[test]
    fn indonesian_sizes_have_a_decimal_comma_and_a_space() {
        for (n, want) in [
            (0, "0 B"),
            (5, "5 B"),
            (999, "999 B"),
            (1_000, "1 kB"),
            (87_600, "87,6 kB"),
            (87_649, "87,6 kB"),
            (35_300, "35,3 kB"),
            (1_980_000, "1,98 MB"),
            (296_000_000, "296 MB"),
            (4_500_000_000, "4,5 GB"),
            (u64::MAX, "18,4 EB"),
        ] {
            assert_eq!(human_size(Lang::Id, n), want, "{n}");
        }
        // No point is left in an Indonesian size: a point there groups thousands.
        for n in [
            1,
            12,
            123,
            1_234,
            12_345,
            123_456,
            1_234_567,
            98_765_432_109,
        ] {
            assert!(!human_size(Lang::Id, n).contains('.'), "{n}");
        }
    }

    #[test]
    fn decimals_and_grouping_per_language() {
        assert_eq!(decimal(Lang::En, 44.84, 1), "44.8");
        assert_eq!(decimal(Lang::Id, 44.84, 1), "44,8");
        assert_eq!(decimal(Lang::Id, 100.0, 1), "100,0");
        assert_eq!(decimal(Lang::En, 0.0, 0), "0");
        for (n, en, id) in [
            (0, "0", "0"),
            (999, "999", "999"),
            (1_000, "1,000", "1.000"),
            (4_096, "4,096", "4.096"),
            (1_234_567, "1,234,567", "1.234.567"),
            (100_000_000, "100,000,000", "100.000.000"),
            (
                u64::MAX,
                "18,446,744,073,709,551,615",
                "18.446.744.073.709.551.615",
            ),
        ] {
            assert_eq!(grouped(Lang::En, n), en);
            assert_eq!(grouped(Lang::Id, n), id);
        }
    }

    /// Views say sizes through [`human_size`] with the page's language; Docker's own form
    /// (`pancake_core::units::human_size`) stays only where the page replicates a command's
    /// terminal output. A new view that formats a size without the language fails here.
    #[test]
    fn only_command_replicas_use_dockers_form() {
        // File → why it may keep Docker's form.
        let allowed = [
            // The `docker pull`/`docker push` transcript lines (its counter is worded).
            "views/transfer.rs",
            // This module.
            "figures.rs",
        ];
        let root = std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/src"));
        let mut dirs = vec![root.clone()];
        let mut found = Vec::new();
        while let Some(p) = dirs.pop() {
            if p.is_dir() {
                dirs.extend(
                    std::fs::read_dir(&p)
                        .expect("dir")
                        .flatten()
                        .map(|e| e.path()),
                );
                continue;
            }
            if p.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let rel = p
                .strip_prefix(&root)
                .expect("under src")
                .display()
                .to_string();
            let text = std::fs::read_to_string(&p).expect("source");
            let code = text.split("#[cfg(test)]").next().unwrap_or("");
            if code.contains("units::human_size") && !allowed.contains(&rel.as_str()) {
                found.push(rel);
            }
        }
        found.sort();
        assert!(
            found.is_empty(),
            "Docker's size form outside a command replica: {found:?}"
        );
    }
}
