//! Content digests (`algorithm:hex`) and the streaming hasher every blob goes through.
//!
//! The OCI image-spec (descriptor.md, "Registered algorithms") registers `sha256` (64 hex
//! digits) and `sha512` (128 hex digits); both are understood here. Any other algorithm that
//! is well formed per the spec's grammar is *unknown*: named as such ([`DigestError`]), never
//! confused with a missing digest.

pub mod lanes;

use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256, Sha512};

/// A content digest in the `algorithm:hex` form the image-spec uses; the algorithm is one of
/// [`Algorithm`] and the hex is lower case.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Digest(String);

/// The digest algorithms the OCI image-spec registers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Algorithm {
    /// SHA-256: `sha256:` and 64 lowercase hex digits.
    Sha256,
    /// SHA-512: `sha512:` and 128 lowercase hex digits.
    Sha512,
}

impl Algorithm {
    /// The name as written before the `:` (`sha256`, `sha512`).
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Sha256 => "sha256",
            Algorithm::Sha512 => "sha512",
        }
    }

    /// Hex digits of an encoded digest: 64 for sha256, 128 for sha512.
    pub fn hex_len(self) -> usize {
        match self {
            Algorithm::Sha256 => 64,
            Algorithm::Sha512 => 128,
        }
    }

    fn from_name(name: &str) -> Option<Algorithm> {
        match name {
            "sha256" => Some(Algorithm::Sha256),
            "sha512" => Some(Algorithm::Sha512),
            _ => None,
        }
    }
}

/// Why a string is not a usable digest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DigestError {
    /// Well formed (`algorithm:encoded` per the image-spec grammar) but the algorithm is not
    /// one the spec registers (e.g. `md5`, `blake3`): the content cannot be checked here.
    UnknownAlgorithm(String),
    /// Not `algorithm:encoded`, or a registered algorithm with the wrong length or non-hex.
    Malformed,
}

impl fmt::Display for DigestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DigestError::UnknownAlgorithm(a) => write!(
                f,
                "digest algorithm {a:?} is not one the OCI image-spec registers (sha256, sha512)"
            ),
            DigestError::Malformed => f.write_str(
                "not a digest of the form sha256:<64 lower-case hex digits> or sha512:<128 lower-case hex digits>",
            ),
        }
    }
}

impl Digest {
    /// Accepts `sha256:<64 hex>` and `sha512:<128 hex>`, lower-case hex only as the image-spec
    /// requires (`[a-f0-9]`; Docker compares digests as strings, so an upper-case diff_id
    /// fails `docker load`); anything else is `None` (see [`Digest::parse_checked`] for why).
    pub fn parse(s: &str) -> Option<Digest> {
        Digest::parse_checked(s).ok()
    }

    /// Like [`Digest::parse`], saying why not: an unknown but well-formed algorithm
    /// (grammar `[a-z0-9]+([+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+`, image-spec descriptor.md) is
    /// [`DigestError::UnknownAlgorithm`], everything else [`DigestError::Malformed`].
    pub fn parse_checked(s: &str) -> Result<Digest, DigestError> {
        let (alg, enc) = s.split_once(':').ok_or(DigestError::Malformed)?;
        match Algorithm::from_name(alg) {
            Some(a) => {
                let lower_hex = |b: u8| b.is_ascii_digit() || (b'a'..=b'f').contains(&b);
                if enc.len() == a.hex_len() && enc.bytes().all(lower_hex) {
                    Ok(Digest(format!("{alg}:{enc}")))
                } else {
                    Err(DigestError::Malformed)
                }
            }
            None => {
                let alg_ok = !alg.is_empty()
                    && alg.split(['+', '.', '_', '-']).all(|part| {
                        !part.is_empty()
                            && part
                                .bytes()
                                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
                    });
                let enc_ok = !enc.is_empty()
                    && enc
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'=' | b'_' | b'-'));
                if alg_ok && enc_ok {
                    Err(DigestError::UnknownAlgorithm(alg.to_string()))
                } else {
                    Err(DigestError::Malformed)
                }
            }
        }
    }

    /// The algorithm (always a registered one: a `Digest` cannot hold another).
    pub fn algorithm(&self) -> Algorithm {
        if self.0.starts_with("sha512:") {
            Algorithm::Sha512
        } else {
            Algorithm::Sha256
        }
    }

    /// Where an OCI image layout stores this blob: `blobs/<algorithm>/<hex>`.
    pub fn blob_path(&self) -> String {
        format!("blobs/{}/{}", self.algorithm().name(), self.hex())
    }

    /// The digest of `bytes` with `alg`.
    pub fn of_bytes_with(alg: Algorithm, bytes: &[u8]) -> Digest {
        match alg {
            Algorithm::Sha256 => Digest::of_bytes(bytes),
            Algorithm::Sha512 => Digest(format!("sha512:{}", hex::encode(Sha512::digest(bytes)))),
        }
    }

    /// A bare 64-hex string (legacy layer ids, blob file names) as a sha256 digest.
    pub fn from_hex(hex: &str) -> Option<Digest> {
        Digest::parse(&format!("sha256:{hex}"))
    }

    /// sha256 of `bytes`.
    pub fn of_bytes(bytes: &[u8]) -> Digest {
        let mut h = Hasher::new();
        h.update(bytes);
        h.finish()
    }

    /// The whole digest text, `<algorithm>:<hex>`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The hex part, without the algorithm.
    pub fn hex(&self) -> &str {
        self.0.split_once(':').map(|(_, h)| h).unwrap_or(&self.0)
    }

    /// Docker's short ID: the first 12 hex digits.
    pub fn short(&self) -> &str {
        let h = self.hex();
        h.get(..12).unwrap_or(h)
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Digest({})", self.0)
    }
}

/// Incremental sha256 that also counts bytes (and, when asked, also computes sha512 in the
/// same pass: blobs an OCI layout stores under `blobs/sha512/`).
#[derive(Clone, Default)]
pub struct Hasher {
    inner: Sha256,
    sha512: Option<Sha512>,
    len: u64,
}

impl Hasher {
    /// A sha256 hasher with no bytes yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// A hasher that computes sha512 beside sha256 ([`Hasher::finish_all`] returns both).
    pub fn with_sha512() -> Self {
        Hasher {
            sha512: Some(Sha512::new()),
            ..Self::default()
        }
    }

    /// Adds `bytes` to the hash (and to the sha512 when there is one) and to the byte count.
    pub fn update(&mut self, bytes: &[u8]) {
        self.inner.update(bytes);
        if let Some(h) = self.sha512.as_mut() {
            h.update(bytes);
        }
        self.len += bytes.len() as u64;
    }

    /// The sha256 digest and, if this hasher was made by [`Hasher::with_sha512`], the sha512.
    pub fn finish_all(self) -> (Digest, Option<Digest>) {
        let d512 = self
            .sha512
            .map(|h| Digest(format!("sha512:{}", hex::encode(h.finalize()))));
        (
            Digest(format!("sha256:{}", hex::encode(self.inner.finalize()))),
            d512,
        )
    }

    /// Bytes hashed so far.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// True when no byte has been hashed.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The sha256 digest of everything hashed (a sha512 computed beside it is dropped: see
    /// [`Hasher::finish_all`]).
    pub fn finish(self) -> Digest {
        Digest(format!("sha256:{}", hex::encode(self.inner.finalize())))
    }
}

/// A `Read` adapter that hashes everything read through it.
pub struct HashingReader<R> {
    inner: R,
    hasher: Hasher,
}

impl<R: std::io::Read> HashingReader<R> {
    /// Wraps `inner`; nothing is read until the adapter is.
    pub fn new(inner: R) -> Self {
        HashingReader {
            inner,
            hasher: Hasher::new(),
        }
    }

    /// Reads what is left (so the digest covers the whole stream), then returns it.
    pub fn finish(mut self) -> std::io::Result<(Digest, u64)> {
        std::io::copy(&mut self, &mut std::io::sink())?;
        let len = self.hasher.len();
        Ok((self.hasher.finish(), len))
    }

    /// Bytes read through the adapter so far.
    pub fn bytes_so_far(&self) -> u64 {
        self.hasher.len()
    }
}

impl<R: std::io::Read> std::io::Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(read) = buf.get(..n) {
            self.hasher.update(read);
        }
        Ok(n)
    }
}

/// ChainIDs per the image-spec: `ChainID(L0) = DiffID(L0)`,
/// `ChainID(L0|..|Ln) = sha256(ChainID(L0|..|Ln-1) + " " + DiffID(Ln))`.
pub fn chain_ids(diff_ids: &[Digest]) -> Vec<Digest> {
    let mut out: Vec<Digest> = Vec::with_capacity(diff_ids.len());
    for d in diff_ids {
        let next = match out.last() {
            None => d.clone(),
            Some(prev) => Digest::of_bytes(format!("{prev} {d}").as_bytes()),
        };
        out.push(next);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_sha256() {
        assert_eq!(
            Digest::of_bytes(b"").as_str(),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn parse_rejects_bad() {
        assert!(Digest::parse("sha256:abc").is_none());
        assert!(Digest::parse("md5:00").is_none());
        assert_eq!(
            Digest::parse_checked("md5:d41d8cd98f00b204e9800998ecf8427e"),
            Err(DigestError::UnknownAlgorithm("md5".into()))
        );
        assert_eq!(
            Digest::parse_checked("sha512:abc"),
            Err(DigestError::Malformed)
        );
        assert_eq!(
            Digest::parse_checked("nonsense"),
            Err(DigestError::Malformed)
        );
        // The image-spec's encoded form is lower-case hex; Docker compares digests as strings.
        let upper = format!("sha256:{}", "A".repeat(64));
        assert_eq!(Digest::parse_checked(&upper), Err(DigestError::Malformed));
        assert_eq!(Digest::from_hex(&"A".repeat(64)), None);
        let d = Digest::from_hex(&"a".repeat(64)).map(|d| d.short().to_string());
        assert_eq!(d.as_deref(), Some("aaaaaaaaaaaa"));
    }

    #[test]
    fn sha512_is_registered() {
        let d = Digest::of_bytes_with(Algorithm::Sha512, b"");
        assert_eq!(
            d.as_str(),
            "sha512:cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce\
             47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e"
        );
        assert_eq!(d.algorithm(), Algorithm::Sha512);
        assert_eq!(Digest::parse(d.as_str()), Some(d.clone()));
        assert!(d.blob_path().starts_with("blobs/sha512/cf83e135"));
    }

    #[test]
    fn chain_ids_follow_spec() {
        let a = Digest::of_bytes(b"a");
        let b = Digest::of_bytes(b"b");
        let ids = chain_ids(&[a.clone(), b.clone()]);
        assert_eq!(ids.first(), Some(&a));
        assert_eq!(
            ids.get(1),
            Some(&Digest::of_bytes(format!("{a} {b}").as_bytes()))
        );
    }
}
