//! Image names as `docker load` parses a `manifest.json` `RepoTags` entry: the grammar of
//! `github.com/distribution/reference` (`regexp.go`, `normalize.go`), which moby's
//! `image/tarexport/load.go` applies with `reference.ParseNormalizedNamed` and then requires
//! a tag (`reference.NamedTagged`, else "invalid tag"). No crate on crates.io implements it
//! as Go does (the case rule of the first component, the 255-character name limit), so it
//! is written out here, small and without regular expressions:
//!
//! ```text
//! reference        := name [ ":" tag ] [ "@" digest ]
//! name             := [domain '/'] remote-name
//! domain           := host [':' port-number]
//! host             := domain-name | IPv4address | \[ IPv6address \]
//! domain-name      := domain-component ['.' domain-component]*
//! domain-component := /([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])/
//! port-number      := /[0-9]+/
//! remote-name      := path-component ['/' path-component]*
//! path-component   := alpha-numeric [separator alpha-numeric]*
//! alpha-numeric    := /[a-z0-9]+/
//! separator        := /[_.]|__|[-]+/
//! tag              := /[\w][\w.-]{0,127}/
//! digest           := algorithm ":" /[0-9a-fA-F]{32,}/
//! algorithm        := /[A-Za-z][A-Za-z0-9]*/ ([+._-] /[A-Za-z][A-Za-z0-9]*/)*
//! ```

/// Why `docker load` does not take a `RepoTags` entry as a name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RefError {
    /// Not a reference by the grammar (`ParseNormalizedNamed` fails: "invalid reference
    /// format", an upper-case repository, a name over 255 characters, 64 hex digits alone).
    Invalid,
    /// A valid name without a tag (only a name, or a name and a digest): moby's load says
    /// "invalid tag".
    NoTag,
}

/// The longest name (domain and path) `distribution/reference` accepts.
const NAME_TOTAL_LENGTH_MAX: usize = 255;

/// Checks `s` as moby's `load.go` checks a `RepoTags` entry: `ParseNormalizedNamed`, then a
/// tag required. `Ok` when `docker load` tags the image with it.
pub fn check_repo_tag(s: &str) -> Result<(), RefError> {
    // "cannot specify 64-byte hexadecimal strings": an image ID alone is not a name.
    if s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return Err(RefError::Invalid);
    }
    let (domain, remainder) = split_docker_domain(s);
    let remote = remainder.split(':').next().unwrap_or(&remainder);
    // normalize.go: "repository name (%s) must be lowercase" (checked before the grammar,
    // on everything up to the first ':').
    if remote.to_lowercase() != remote {
        return Err(RefError::Invalid);
    }
    let full = format!("{domain}/{remainder}");
    let (rest, digest) = match full.split_once('@') {
        Some((r, d)) => (r, Some(d)),
        None => (full.as_str(), None),
    };
    if let Some(d) = digest {
        if !is_digest(d) {
            return Err(RefError::Invalid);
        }
    }
    // The tag follows the last ':' after the last '/' (a ':' before it is a port).
    let last_slash = rest.rfind('/').unwrap_or(0);
    let (name, tag) = match rest.get(last_slash..).and_then(|t| t.rfind(':')) {
        Some(i) => (
            rest.get(..last_slash + i).unwrap_or(rest),
            rest.get(last_slash + i + 1..),
        ),
        None => (rest, None),
    };
    if !is_name(name) || name.len() > NAME_TOTAL_LENGTH_MAX {
        return Err(RefError::Invalid);
    }
    match tag {
        Some(t) if is_tag(t) => Ok(()),
        Some(_) => Err(RefError::Invalid),
        None => Err(RefError::NoTag),
    }
}

/// `normalize.go` `splitDockerDomain`: the first component is a domain when it has a `.` or
/// `:`, is `localhost`, or has an upper-case letter; otherwise the name is on Docker Hub
/// (`docker.io`, with `library/` before a one-component name).
fn split_docker_domain(name: &str) -> (String, String) {
    let (domain, remainder) = match name.split_once('/') {
        Some((first, rest))
            if first.contains(['.', ':'])
                || first == "localhost"
                || first.to_lowercase() != first =>
        {
            (first.to_string(), rest.to_string())
        }
        _ => ("docker.io".to_string(), name.to_string()),
    };
    let domain = if domain == "index.docker.io" {
        "docker.io".to_string()
    } else {
        domain
    };
    let remainder = if domain == "docker.io" && !remainder.contains('/') {
        format!("library/{remainder}")
    } else {
        remainder
    };
    (domain, remainder)
}

/// `name := [domain '/'] remote-name`, where the first component is the domain when the
/// whole matches that way (the domain alternative is tried first, as the regexp does).
fn is_name(name: &str) -> bool {
    if let Some((first, rest)) = name.split_once('/') {
        if is_domain(first) && is_remote_name(rest) {
            return true;
        }
    }
    is_remote_name(name)
}

fn is_remote_name(s: &str) -> bool {
    s.split('/').all(is_path_component)
}

/// `alpha-numeric [separator alpha-numeric]*`, separator `[_.]|__|[-]+`.
fn is_path_component(s: &str) -> bool {
    let b = s.as_bytes();
    let alnum = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    let mut i = 0;
    loop {
        // One alpha-numeric run.
        let start = i;
        while b.get(i).copied().is_some_and(alnum) {
            i += 1;
        }
        if i == start {
            return false;
        }
        if i == b.len() {
            return true;
        }
        // One separator.
        let sep_start = i;
        match b.get(i) {
            Some(b'.') => i += 1,
            Some(b'_') => {
                i += 1;
                if b.get(i) == Some(&b'_') {
                    i += 1;
                }
            }
            Some(b'-') => {
                while b.get(i) == Some(&b'-') {
                    i += 1;
                }
            }
            _ => return false,
        }
        if i == sep_start {
            return false;
        }
    }
}

/// `host [':' port-number]`.
fn is_domain(s: &str) -> bool {
    let (host, port) = if let Some(rest) = s.strip_prefix('[') {
        // `\[ IPv6address \]`, loosely as the regexp has it: hex digits and colons.
        let Some((v6, after)) = rest.split_once(']') else {
            return false;
        };
        if v6.is_empty() || !v6.bytes().all(|c| c.is_ascii_hexdigit() || c == b':') {
            return false;
        }
        match after.strip_prefix(':') {
            Some(p) => ("", Some(p)),
            None if after.is_empty() => ("", None),
            None => return false,
        }
    } else {
        match s.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (s, None),
        }
    };
    if let Some(p) = port {
        if p.is_empty() || !p.bytes().all(|c| c.is_ascii_digit()) {
            return false;
        }
    }
    // An IPv6 host was checked above; a domain name (which IPv4 addresses also match).
    s.starts_with('[') || (!host.is_empty() && host.split('.').all(is_domain_component))
}

fn is_domain_component(s: &str) -> bool {
    let b = s.as_bytes();
    let ok = |c: &u8| c.is_ascii_alphanumeric();
    match (b.first(), b.last()) {
        (Some(f), Some(l)) => {
            ok(f) && ok(l) && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
        }
        _ => false,
    }
}

/// `[\w][\w.-]{0,127}`.
fn is_tag(s: &str) -> bool {
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let b = s.as_bytes();
    b.first().copied().is_some_and(word)
        && b.len() <= 128
        && b.iter().all(|&c| word(c) || c == b'.' || c == b'-')
}

/// A digest `reference.Parse` takes: the grammar's `algorithm ":" hex{32,}`, then
/// `digest.Parse` (opencontainers/go-digest), which wants an algorithm Go has linked in
/// (sha256, sha384, sha512 in moby) and its exact length of lower-case hex.
fn is_digest(s: &str) -> bool {
    let Some((alg, hex)) = s.split_once(':') else {
        return false;
    };
    let len = match alg {
        "sha256" => 64,
        "sha384" => 96,
        "sha512" => 128,
        _ => return false,
    };
    hex.len() == len && hex.bytes().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_docker_load_tags() {
        for s in [
            "alpine:3.19",
            "docker.io/library/alpine:3.19",
            "localhost:5000/x:y",
            "localhost/x:y",
            "registry.example.com:443/a/b/c:v1.2-rc_3",
            "my__name/with.dots-and--dashes:tag",
            "a/b_c:Latest",
            "192.168.1.1:5000/x:1",
            "[::1]:5000/x:1",
            "Registry.Example.com/x:1",
            "x:t@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        ] {
            assert_eq!(check_repo_tag(s), Ok(()), "{s}");
        }
    }

    #[test]
    fn names_docker_load_refuses() {
        for (s, why) in [
            ("Attack/Upper:1", RefError::Invalid),
            ("attack/Upper:1", RefError::Invalid),
            ("attack/x:tag with space", RefError::Invalid),
            ("attack/x:-tag", RefError::Invalid),
            ("attack/x_/y:1", RefError::Invalid),
            ("attack/x___y:1", RefError::Invalid),
            ("attack//x:1", RefError::Invalid),
            ("", RefError::Invalid),
            (":1", RefError::Invalid),
            ("localhost:port/x:1", RefError::Invalid),
            (&"a".repeat(64), RefError::Invalid),
            (&format!("{}:1", "a".repeat(250)), RefError::Invalid),
            (&format!("x:{}", "t".repeat(129)), RefError::Invalid),
            ("attack/notag", RefError::NoTag),
            ("localhost:5000/x", RefError::NoTag),
            (
                "attack/x@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                RefError::NoTag,
            ),
            ("attack/x@sha256:abc", RefError::Invalid),
            // go-digest: upper-case hex, an unknown algorithm, a wrong length.
            (&format!("x:1@sha256:{}", "A".repeat(64)), RefError::Invalid),
            (&format!("x:1@md5:{}", "a".repeat(32)), RefError::Invalid),
            (&format!("x:1@sha512:{}", "a".repeat(64)), RefError::Invalid),
        ] {
            assert_eq!(check_repo_tag(s), Err(why), "{s}");
        }
    }
}
