//! Relative times ("2 years ago" / "2 tahun lalu") worded in the page's language.
//!
//! The core buckets a duration as Docker's `units.HumanDuration` does
//! ([`pancake_core::units::elapsed`]); this module only says the bucket in words,
//! so English on the page stays exactly what `docker image history` prints and Indonesian
//! reads naturally. Plurals go through [`crate::i18n::tf`]'s `-one` entries.

use pancake_core::units::{elapsed, Elapsed};

use crate::i18n::{t, tf, Lang};

/// Seconds since 1970 by the browser's clock (0 outside a browser, e.g. in unit tests).
pub fn now_unix() -> i64 {
    #[cfg(target_arch = "wasm32")]
    {
        (js_sys::Date::now() / 1000.0) as i64
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        0
    }
}

/// `then` (seconds since 1970) said relative to `now`, e.g. `3 weeks ago`, `3 minggu lalu`.
/// A time ahead of `now` reads as "less than a second ago", as Docker prints it.
pub fn ago(lang: Lang, then: i64, now: i64) -> String {
    let count = |key: &str, n: i64| tf(lang, key, &[("count", &n.to_string())]);
    match elapsed(now.saturating_sub(then)) {
        Elapsed::LessThanSecond => t(lang, "ago-less-than-second"),
        Elapsed::Seconds(n) => count("ago-seconds", n),
        Elapsed::AboutMinute => t(lang, "ago-about-minute"),
        Elapsed::Minutes(n) => count("ago-minutes", n),
        Elapsed::AboutHour => t(lang, "ago-about-hour"),
        Elapsed::Hours(n) => count("ago-hours", n),
        Elapsed::Days(n) => count("ago-days", n),
        Elapsed::Weeks(n) => count("ago-weeks", n),
        Elapsed::Months(n) => count("ago-months", n),
        Elapsed::Years(n) => count("ago-years", n),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pancake_core::units::relative_time;

    const T: i64 = 1_709_209_815; // 2024-02-29T12:30:15Z

    /// English on the page is the CLI's text, word for word, in every bucket.
    #[test]
    fn english_matches_docker() {
        for d in [
            0,
            1,
            47,
            60,
            35 * 60,
            3600,
            5 * 3600,
            3 * 86400,
            21 * 86400,
            100 * 86400,
            800 * 86400,
        ] {
            assert_eq!(
                ago(Lang::En, T, T + d),
                relative_time("2024-02-29T12:30:15Z", T + d),
                "{d}"
            );
        }
    }

    #[test]
    fn indonesian_words_every_bucket() {
        let id = |d: i64| ago(Lang::Id, T, T + d);
        assert_eq!(id(0), "kurang dari sedetik yang lalu");
        assert_eq!(id(1), "1 detik yang lalu");
        assert_eq!(id(47), "47 detik yang lalu");
        assert_eq!(id(90), "sekitar semenit yang lalu");
        assert_eq!(id(35 * 60), "35 menit yang lalu");
        assert_eq!(id(3600), "sekitar sejam yang lalu");
        assert_eq!(id(5 * 3600), "5 jam yang lalu");
        assert_eq!(id(3 * 86400), "3 hari yang lalu");
        assert_eq!(id(21 * 86400), "3 minggu yang lalu");
        assert_eq!(id(100 * 86400), "3 bulan yang lalu");
        assert_eq!(id(800 * 86400), "2 tahun yang lalu");
    }
}
