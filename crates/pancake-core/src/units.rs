//! Units as Docker prints them, used by every part of Pancake: sizes in decimal units
//! (`units.HumanSizeWithPrecision`, `3.58kB`) and times (RFC 3339 parsing, `units.HumanDuration`
//! buckets and `docker image history`'s CREATED column). Sizes are bytes; times are seconds
//! since 1970 (UTC).

use serde::{Deserialize, Serialize};

/// Docker's `units.HumanSizeWithPrecision(float64(size), 3)`: decimal units, `%.3g`.
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 9] = ["B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"];
    let mut size = bytes as f64;
    let mut i = 0;
    while size >= 1000.0 && i < UNITS.len() - 1 {
        size /= 1000.0;
        i += 1;
    }
    format!("{}{}", go_g(size, 3), UNITS.get(i).unwrap_or(&"B"))
}

/// Go's `%.<prec>g` for a finite, non-negative value: shortest of fixed/exponent form,
/// trailing zeros removed, exponent with a sign and at least two digits (`1e+03`).
fn go_g(x: f64, prec: usize) -> String {
    let prec = prec.max(1);
    let e_form = format!("{:.*e}", prec - 1, x);
    let (mant, exp) = e_form.split_once('e').unwrap_or((e_form.as_str(), "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if exp < -4 || exp >= prec as i32 {
        let mant = trim_zeros(mant);
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{mant}e{sign}{:02}", exp.abs())
    } else {
        let decimals = (prec as i32 - 1 - exp).max(0) as usize;
        trim_zeros(&format!("{x:.decimals$}")).to_string()
    }
}

fn trim_zeros(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

/// Seconds since 1970 for an RFC 3339 time (`2024-05-01T10:00:00.123Z`, `…+07:00`).
pub fn parse_rfc3339(s: &str) -> Option<i64> {
    let s = s.trim();
    let num = |a: usize, b: usize| -> Option<i64> { s.get(a..b)?.parse::<i64>().ok() };
    let (y, mo, d) = (num(0, 4)?, num(5, 7)?, num(8, 10)?);
    let (h, mi, sec) = (num(11, 13)?, num(14, 16)?, num(17, 19)?);
    if !matches!(s.as_bytes().get(10), Some(b'T' | b't' | b' '))
        || !(1..=12).contains(&mo)
        || !(1..=31).contains(&d)
    {
        return None;
    }
    let mut rest = s.get(19..)?;
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        rest = frac.get(digits..)?;
    }
    let offset = match rest {
        "Z" | "z" | "" => 0,
        _ => {
            let sign = match rest.as_bytes().first() {
                Some(b'+') => 1,
                Some(b'-') => -1,
                _ => return None,
            };
            let oh: i64 = rest.get(1..3)?.parse().ok()?;
            let om: i64 = rest.get(4..6)?.parse().ok()?;
            sign * (oh * 3600 + om * 60)
        }
    };
    // Days from civil (Howard Hinnant's algorithm).
    let y2 = if mo <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146097 + doe - 719468;
    Some(days * 86400 + h * 3600 + mi * 60 + sec - offset)
}

/// How long ago, in the buckets Docker's `units.HumanDuration` uses (Go's
/// `github.com/docker/go-units`), so the page can word the same figure in any language and the
/// CLI can print Docker's English from it. Counts are whole units, rounded as Docker rounds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "unit", content = "count")]
pub enum Elapsed {
    /// Under one second (also any negative duration: a clock ahead of ours).
    LessThanSecond,
    /// 1–59 seconds.
    Seconds(i64),
    /// 60–119 seconds.
    AboutMinute,
    /// 2–59 minutes.
    Minutes(i64),
    /// Rounds to one hour.
    AboutHour,
    /// 2–47 hours.
    Hours(i64),
    /// 2–13 days.
    Days(i64),
    /// 2–8 weeks.
    Weeks(i64),
    /// 2–24 months of 30 days.
    Months(i64),
    /// 2 or more years of 365 days.
    Years(i64),
}

/// The [`Elapsed`] bucket for a duration in seconds, as `units.HumanDuration` picks it.
pub fn elapsed(secs: i64) -> Elapsed {
    let hours_f = secs as f64 / 3600.0;
    if secs < 1 {
        return Elapsed::LessThanSecond;
    }
    if secs < 60 {
        return Elapsed::Seconds(secs);
    }
    let minutes = secs / 60;
    if minutes == 1 {
        return Elapsed::AboutMinute;
    }
    if minutes < 60 {
        return Elapsed::Minutes(minutes);
    }
    let hours = (hours_f + 0.5) as i64;
    if hours == 1 {
        return Elapsed::AboutHour;
    }
    if hours < 48 {
        return Elapsed::Hours(hours);
    }
    if hours < 24 * 7 * 2 {
        return Elapsed::Days(hours / 24);
    }
    if hours < 24 * 30 * 2 {
        return Elapsed::Weeks(hours / 24 / 7);
    }
    if hours < 24 * 365 * 2 {
        return Elapsed::Months(hours / 24 / 30);
    }
    Elapsed::Years((hours_f as i64) / 24 / 365)
}

/// Docker's `units.HumanDuration(d)` for a duration in seconds (English, as the CLI prints).
pub fn human_duration(secs: i64) -> String {
    match elapsed(secs) {
        Elapsed::LessThanSecond => "Less than a second".into(),
        Elapsed::Seconds(1) => "1 second".into(),
        Elapsed::Seconds(n) => format!("{n} seconds"),
        Elapsed::AboutMinute => "About a minute".into(),
        Elapsed::Minutes(n) => format!("{n} minutes"),
        Elapsed::AboutHour => "About an hour".into(),
        Elapsed::Hours(n) => format!("{n} hours"),
        Elapsed::Days(n) => format!("{n} days"),
        Elapsed::Weeks(n) => format!("{n} weeks"),
        Elapsed::Months(n) => format!("{n} months"),
        Elapsed::Years(n) => format!("{n} years"),
    }
}

/// When a step was made, in seconds since 1970, if Docker would show it: `None` for times
/// before 2000 and unparsable ones, which Docker sees as the zero time and leaves blank.
pub fn created_unix(created_rfc3339: &str) -> Option<i64> {
    const EPOCH_2000: i64 = 946_684_800;
    parse_rfc3339(created_rfc3339).filter(|t| *t > EPOCH_2000)
}

/// `docker image history`'s CREATED column: `HumanDuration(now - created) + " ago"`, empty for
/// times before 2000 (or unparsable ones, which Docker sees as the zero time).
pub fn relative_time(created_rfc3339: &str, now_unix: i64) -> String {
    match created_unix(created_rfc3339) {
        Some(t) => format!("{} ago", human_duration(now_unix.saturating_sub(t))),
        None => String::new(),
    }
}
