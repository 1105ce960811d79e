//! Built-in demo images, made as real `docker save` tarballs (Docker 25+ layout) so they go
//! through exactly the same reader as a dropped file. Everything is generated from fixed
//! seeds and fixed times: the same build gives the same bytes and the same digests.
//!
//! They follow the course chapter: an nginx image on a Debian-like base (ENV, EXPOSE, COPY
//! nginx.conf, CMD), two WordPress sites that share every layer but the site data, a
//! mysql-like image with a long `docker image history`, and one with deletions.

use std::collections::BTreeMap;
use std::io::{self, Read};

use serde_json::{json, Value};

use pancake_core::digest::Digest;
use pancake_core::media::OCI_LAYER as MEDIA_TYPE_LAYER;
use pancake_core::write::tarwrite::{self, Descriptor, SaveImage, TarEntry};

const NAMES: &[&str] = &["nginx", "wordpress-a", "wordpress-b", "mysql", "whiteouts"];

/// The demo names [`build`] knows.
pub fn names() -> &'static [&'static str] {
    NAMES
}

/// One demo as a `docker save` tarball, or `None` for an unknown name.
pub fn build(name: &str) -> Option<Vec<u8>> {
    let img = recipe(name)?;
    save(&[img])
}

/// Several demos in ONE tarball (like `docker save a b`): a layer used by several images
/// (the Debian base, WordPress' lower layers) is stored once. Unknown names are skipped.
pub fn build_set(names: &[&str]) -> Vec<u8> {
    let images: Vec<Built> = names.iter().filter_map(|n| recipe(n)).collect();
    save(&images).unwrap_or_default()
}

/// The `repo:tag` a demo is saved under.
pub fn tag(name: &str) -> Option<String> {
    recipe(name).map(|b| b.tag)
}

/// The name every demo's `FROM` line gives its shared Debian-like base.
pub const BASE_NAME: &str = "debian:bookworm-slim";

/// The base images the demos are built on, as a Dockerfile view needs them to name the
/// `FROM` line: the Debian-like base (one layer, history `ADD file:… in /`, `CMD ["bash"]`).
pub fn known_bases() -> Vec<pancake_core::analyze::dockerfile::KnownBase> {
    let steps = base_steps();
    let diff_ids: Vec<Digest> = steps
        .iter()
        .filter_map(|s| s.layer.clone())
        .filter_map(|e| tarwrite::layer_tar(e).ok())
        .map(|t| Digest::of_bytes(&t))
        .collect();
    vec![pancake_core::analyze::dockerfile::KnownBase {
        name: BASE_NAME.into(),
        chain_ids: pancake_core::digest::chain_ids(&diff_ids),
        history: steps.into_iter().map(|s| s.created_by).collect(),
        image_id: None,
    }]
}

// ---------------------------------------------------------------------------------------

/// One Dockerfile step: its history line and, when it made one, its layer.
struct Step {
    created_by: String,
    layer: Option<Vec<TarEntry>>,
}

/// A built image: layer tars, config, tag.
struct Built {
    tag: String,
    layers: Vec<Vec<u8>>,
    config: Vec<u8>,
}

fn save(images: &[Built]) -> Option<Vec<u8>> {
    let mut blobs: BTreeMap<Digest, &[u8]> = BTreeMap::new();
    let mut save_images = Vec::new();
    for img in images {
        let mut descs = Vec::new();
        for l in &img.layers {
            let d = Digest::of_bytes(l);
            blobs.insert(d.clone(), l.as_slice());
            descs.push(Descriptor {
                media_type: MEDIA_TYPE_LAYER.into(),
                digest: d,
                size: l.len() as u64,
            });
        }
        save_images.push(SaveImage {
            tags: vec![img.tag.clone()],
            config: img.config.clone(),
            layers: descs,
        });
    }
    let mut fetch = |d: &Descriptor| -> io::Result<Box<dyn Read + '_>> {
        match blobs.get(&d.digest) {
            Some(b) => Ok(Box::new(*b)),
            None => Err(io::Error::new(
                io::ErrorKind::NotFound,
                d.digest.to_string(),
            )),
        }
    };
    tarwrite::write_docker_save(Vec::new(), &save_images, &mut fetch).ok()
}

/// Turns steps into layer tars and a config whose `rootfs.diff_ids` and `history` are real.
fn assemble(
    tag: &str,
    steps: Vec<Step>,
    config: Value,
    start: u64,
    buildkit: bool,
) -> Option<Built> {
    let mut layers = Vec::new();
    let mut history = Vec::new();
    for (i, step) in steps.into_iter().enumerate() {
        // Steps a few seconds apart, the base much older: like a real build on a pulled base.
        let created = rfc3339(
            start
                + if i == 0 {
                    0
                } else {
                    86_400 * 30 + 7 * i as u64
                },
        );
        let mut h = json!({ "created": created, "created_by": step.created_by });
        if buildkit && i > 1 {
            h["comment"] = json!("buildkit.dockerfile.v0");
        }
        match step.layer {
            Some(entries) => layers.push(tarwrite::layer_tar(entries).ok()?),
            None => h["empty_layer"] = json!(true),
        }
        history.push(h);
    }
    let diff_ids: Vec<String> = layers
        .iter()
        .map(|l| Digest::of_bytes(l).to_string())
        .collect();
    let created = history
        .last()
        .and_then(|h| h.get("created"))
        .cloned()
        .unwrap_or(Value::Null);
    let cfg = json!({
        "architecture": "amd64",
        "config": config,
        "created": created,
        "history": history,
        "os": "linux",
        "rootfs": { "type": "layers", "diff_ids": diff_ids },
    });
    Some(Built {
        tag: tag.to_string(),
        layers,
        config: serde_json::to_vec(&cfg).ok()?,
    })
}

fn recipe(name: &str) -> Option<Built> {
    match name {
        "nginx" => nginx(),
        "wordpress-a" => wordpress("site-a"),
        "wordpress-b" => wordpress("site-b"),
        "mysql" => mysql(),
        "whiteouts" => whiteouts(),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------
// Deterministic content.

/// splitmix64: tiny, seedable, good enough to make bytes that look like machine code.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

fn seed_of(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
    })
}

/// An ELF-looking executable of `size` bytes: a real ELF64 ident, pseudo-random "code",
/// and the strings a dynamically linked binary carries.
fn elf(name: &str, size: usize) -> Vec<u8> {
    let mut rng = Rng(seed_of(name));
    let mut out = vec![
        0x7f, b'E', b'L', b'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0x3e, 0,
    ];
    let strings = [
        "/lib64/ld-linux-x86-64.so.2",
        "libc.so.6",
        "GLIBC_2.34",
        "GLIBC_2.2.5",
        "__libc_start_main",
        "__cxa_finalize",
        "_ITM_registerTMCloneTable",
        name,
    ];
    let mut k = 0;
    while out.len() < size {
        if rng.next().is_multiple_of(23) {
            if let Some(s) = strings.get(k % strings.len()) {
                out.extend_from_slice(s.as_bytes());
                out.push(0);
            }
            k += 1;
        } else {
            out.extend_from_slice(&rng.next().to_le_bytes());
        }
    }
    out.truncate(size);
    out
}

/// Plausible filler text (changelogs, docs) of about `size` bytes.
fn prose(topic: &str, size: usize) -> String {
    let mut rng = Rng(seed_of(topic));
    let words = [
        "fix",
        "update",
        "package",
        "upstream",
        "release",
        "security",
        "build",
        "debian",
        "support",
        "option",
        "config",
        "default",
        "remove",
        "deprecated",
        "handle",
        "locale",
        "path",
        "install",
        "library",
        "version",
        "policy",
        "standards",
        "closes",
        "bug",
    ];
    let mut out = format!("{topic}\n\n");
    let mut line = 0;
    while out.len() < size {
        out.push_str(&format!("  * [{}] ", 1000 + line));
        for _ in 0..(6 + rng.next() % 6) {
            let w = words
                .get((rng.next() % words.len() as u64) as usize)
                .copied()
                .unwrap_or("x");
            out.push_str(w);
            out.push(' ');
        }
        out.push('\n');
        line += 1;
    }
    out
}

fn rfc3339(secs: u64) -> String {
    // Civil-from-days (Howard Hinnant), enough for timestamps after 1970.
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

// ---------------------------------------------------------------------------------------
// The shared Debian-like base ("FROM debian:bookworm-slim").

const BASE_CREATED: u64 = 1_706_486_400; // 2024-01-29T00:00:00Z
const PATH_ENV: &str = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

fn dirs(paths: &[&str]) -> Vec<TarEntry> {
    paths.iter().map(|p| TarEntry::dir(*p, 0o755)).collect()
}

fn debian_base() -> Vec<TarEntry> {
    let mut e = dirs(&[
        "bin",
        "boot",
        "dev",
        "etc",
        "etc/apt",
        "etc/apt/sources.list.d",
        "etc/default",
        "home",
        "lib",
        "lib/x86_64-linux-gnu",
        "lib64",
        "media",
        "mnt",
        "opt",
        "proc",
        "run",
        "sbin",
        "srv",
        "sys",
        "usr",
        "usr/bin",
        "usr/lib",
        "usr/local",
        "usr/local/bin",
        "usr/sbin",
        "usr/share",
        "usr/share/doc",
        "var",
        "var/cache",
        "var/lib",
        "var/lib/dpkg",
        "var/log",
    ]);
    e.push(TarEntry::dir("root", 0o700));
    e.push(TarEntry::dir("tmp", 0o1777));
    e.push(TarEntry::file(
        "etc/os-release",
        "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\n\
         VERSION=\"12 (bookworm)\"\nVERSION_CODENAME=bookworm\nID=debian\n\
         HOME_URL=\"https://www.debian.org/\"\nSUPPORT_URL=\"https://www.debian.org/support\"\n\
         BUG_REPORT_URL=\"https://bugs.debian.org/\"\n",
        0o644,
    ));
    e.push(TarEntry::file("etc/debian_version", "12.4\n", 0o644));
    e.push(TarEntry::file("etc/hostname", "", 0o644));
    e.push(TarEntry::file(
        "etc/passwd",
        "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n\
         bin:x:2:2:bin:/bin:/usr/sbin/nologin\nsys:x:3:3:sys:/dev:/usr/sbin/nologin\n\
         www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\n\
         nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n",
        0o644,
    ));
    e.push(TarEntry::file(
        "etc/group",
        "root:x:0:\ndaemon:x:1:\nbin:x:2:\nsys:x:3:\nadm:x:4:\ntty:x:5:\nwww-data:x:33:\nstaff:x:50:\nnogroup:x:65534:\n",
        0o644,
    ));
    e.push(
        TarEntry::file(
            "etc/shadow",
            "root:*:19750:0:99999:7:::\ndaemon:*:19750:0:99999:7:::\n",
            0o640,
        )
        .owned(0, 42),
    );
    e.push(TarEntry::file(
        "etc/apt/sources.list.d/debian.sources",
        "Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm bookworm-updates\nComponents: main\n\
         Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n",
        0o644,
    ));
    e.push(TarEntry::file(
        "etc/default/locale",
        "LANG=C.UTF-8\n",
        0o644,
    ));
    e.push(TarEntry::file(
        "etc/bash.bashrc",
        prose(
            "# System-wide .bashrc file for interactive bash(1) shells.",
            1900,
        ),
        0o644,
    ));
    for (p, size) in [
        ("bin/bash", 9000),
        ("bin/cat", 2600),
        ("bin/ls", 4200),
        ("bin/cp", 3100),
        ("bin/mv", 2900),
        ("bin/rm", 2100),
        ("bin/mkdir", 1800),
        ("bin/sed", 3300),
        ("bin/grep", 3800),
        ("usr/bin/apt-get", 2400),
        ("usr/bin/dpkg", 3900),
        ("usr/bin/env", 1500),
        ("usr/sbin/useradd", 2700),
    ] {
        e.push(TarEntry::file(p, elf(p, size), 0o755));
    }
    e.push(TarEntry::symlink("bin/sh", "dash"));
    e.push(TarEntry::file("bin/dash", elf("bin/dash", 3000), 0o755));
    e.push(TarEntry::file(
        "lib/x86_64-linux-gnu/libc.so.6",
        elf("libc.so.6", 16_000),
        0o755,
    ));
    e.push(TarEntry::file(
        "lib/x86_64-linux-gnu/libtinfo.so.6.4",
        elf("libtinfo", 3500),
        0o644,
    ));
    e.push(TarEntry::symlink(
        "lib/x86_64-linux-gnu/libtinfo.so.6",
        "libtinfo.so.6.4",
    ));
    e.push(TarEntry::symlink(
        "lib64/ld-linux-x86-64.so.2",
        "/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2",
    ));
    e.push(TarEntry::file(
        "lib/x86_64-linux-gnu/ld-linux-x86-64.so.2",
        elf("ld-linux", 4000),
        0o755,
    ));
    for pkg in ["base-files", "bash", "coreutils", "dash", "libc6", "apt"] {
        e.push(TarEntry::dir(
            format!("usr/share/doc/{pkg}").as_str(),
            0o755,
        ));
        e.push(TarEntry::file(
            format!("usr/share/doc/{pkg}/copyright").as_str(),
            prose(&format!("Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\nUpstream-Name: {pkg}"), 900),
            0o644,
        ));
        e.push(TarEntry::file(
            format!("usr/share/doc/{pkg}/changelog.Debian").as_str(),
            prose(&format!("{pkg} (bookworm) unstable; urgency=medium"), 1400),
            0o644,
        ));
    }
    let status: String = ["base-files", "bash", "coreutils", "dash", "libc6", "apt", "libtinfo6", "passwd"]
        .iter()
        .map(|p| format!("Package: {p}\nStatus: install ok installed\nPriority: required\nArchitecture: amd64\nVersion: 12.4\n\n"))
        .collect();
    e.push(TarEntry::file("var/lib/dpkg/status", status, 0o644));
    e
}

fn base_steps() -> Vec<Step> {
    let entries = debian_base();
    let file_hash = tarwrite::layer_tar(entries.clone())
        .map(|b| Digest::of_bytes(&b))
        .ok();
    let hex = file_hash
        .as_ref()
        .map(|d| d.hex().to_string())
        .unwrap_or_default();
    // The base came from `docker pull debian`: its history is the classic builder's
    // whatever builds on top of it later.
    vec![
        Step {
            created_by: format!("/bin/sh -c #(nop) ADD file:{hex} in / "),
            layer: Some(entries),
        },
        Step {
            created_by: "/bin/sh -c #(nop)  CMD [\"bash\"]".into(),
            layer: None,
        },
    ]
}

fn nop(s: &str) -> Step {
    Step {
        created_by: format!("/bin/sh -c #(nop)  {s}"),
        layer: None,
    }
}

fn meta(s: &str) -> Step {
    Step {
        created_by: s.to_string(),
        layer: None,
    }
}

fn run(cmd: &str, entries: Vec<TarEntry>) -> Step {
    Step {
        created_by: format!("/bin/sh -c {cmd}"),
        layer: Some(entries),
    }
}

fn layer(created_by: String, entries: Vec<TarEntry>) -> Step {
    Step {
        created_by,
        layer: Some(entries),
    }
}

/// The `COPY file:<sha> in <dest> ` hash the classic builder prints: over the file content.
fn copy_hash(content: &[u8]) -> String {
    Digest::of_bytes(content).hex().to_string()
}

// ---------------------------------------------------------------------------------------
// nginx (classic builder).

pub const NGINX_CONF: &str = r#"user  nginx;
worker_processes  auto;

error_log  /var/log/nginx/error.log notice;
pid        /var/run/nginx.pid;


events {
    worker_connections  1024;
}


http {
    include       /etc/nginx/mime.types;
    default_type  application/octet-stream;

    log_format  main  '$remote_addr - $remote_user [$time_local] "$request" '
                      '$status $body_bytes_sent "$http_referer" '
                      '"$http_user_agent" "$http_x_forwarded_for"';

    access_log  /var/log/nginx/access.log  main;

    sendfile        on;
    #tcp_nopush     on;

    keepalive_timeout  65;

    #gzip  on;

    server {
        listen       80;
        server_name  localhost;

        location / {
            root   /usr/share/nginx/html;
            index  index.html index.htm;
        }

        error_page   500 502 503 504  /50x.html;
        location = /50x.html {
            root   /usr/share/nginx/html;
        }
    }

    include /etc/nginx/conf.d/*.conf;
}
"#;

fn nginx() -> Option<Built> {
    let mut steps = base_steps();
    steps.push(nop(
        "LABEL maintainer=NGINX Docker Maintainers <docker-maint@nginx.com>",
    ));
    steps.push(nop("ENV NGINX_VERSION=1.25.3"));
    steps.push(nop("ENV PKG_RELEASE=1~bookworm"));
    let default_conf = NGINX_CONF.replace(
        "    include /etc/nginx/conf.d/*.conf;\n",
        "    include /etc/nginx/conf.d/*.conf;\n    # packaged default\n",
    );
    let mut install = dirs(&[
        "etc/nginx",
        "etc/nginx/conf.d",
        "usr/share/nginx",
        "usr/share/nginx/html",
        "var/cache/nginx",
        "var/log/nginx",
        "usr/share/doc/nginx",
    ]);
    install.extend([
        TarEntry::file("etc/passwd", "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n\
             bin:x:2:2:bin:/bin:/usr/sbin/nologin\nsys:x:3:3:sys:/dev:/usr/sbin/nologin\n\
             www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\n\
             nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n\
             nginx:x:101:101:nginx user:/nonexistent:/bin/false\n", 0o644),
        TarEntry::file("etc/group", "root:x:0:\ndaemon:x:1:\nbin:x:2:\nsys:x:3:\nadm:x:4:\ntty:x:5:\nwww-data:x:33:\nstaff:x:50:\nnogroup:x:65534:\nnginx:x:101:\n", 0o644),
        TarEntry::file("usr/sbin/nginx", elf("usr/sbin/nginx", 24_000), 0o755),
        TarEntry::file("etc/nginx/nginx.conf", default_conf, 0o644),
        TarEntry::file("etc/nginx/conf.d/default.conf", "server {\n    listen       80;\n    listen  [::]:80;\n    server_name  localhost;\n\n    location / {\n        root   /usr/share/nginx/html;\n        index  index.html index.htm;\n    }\n}\n", 0o644),
        TarEntry::file("etc/nginx/mime.types", prose("types {\n    text/html                                        html htm shtml;", 2500), 0o644),
        TarEntry::file("usr/share/nginx/html/index.html", "<!DOCTYPE html>\n<html>\n<head>\n<title>Welcome to nginx!</title>\n</head>\n<body>\n<h1>Welcome to nginx!</h1>\n<p>If you see this page, the nginx web server is successfully installed and\nworking.</p>\n</body>\n</html>\n", 0o644),
        TarEntry::file("usr/share/nginx/html/50x.html", "<!DOCTYPE html>\n<html>\n<head>\n<title>Error</title>\n</head>\n<body>\n<h1>An error occurred.</h1>\n</body>\n</html>\n", 0o644),
        TarEntry::file("usr/share/doc/nginx/changelog.gz", elf("nginx-changelog", 3000), 0o644),
        TarEntry::symlink("var/log/nginx/access.log", "/dev/stdout"),
        TarEntry::symlink("var/log/nginx/error.log", "/dev/stderr"),
    ]);
    steps.push(run(
        "set -x     && groupadd --system --gid 101 nginx     && useradd --system --gid nginx --no-create-home --home /nonexistent --shell /bin/false --uid 101 nginx     && apt-get update     && apt-get install --no-install-recommends --no-install-suggests -y nginx=${NGINX_VERSION}-${PKG_RELEASE}     && rm -rf /var/lib/apt/lists/*     && ln -sf /dev/stdout /var/log/nginx/access.log     && ln -sf /dev/stderr /var/log/nginx/error.log",
        install,
    ));
    steps.push(layer(
        format!(
            "/bin/sh -c #(nop) COPY file:{} in /etc/nginx/nginx.conf ",
            copy_hash(NGINX_CONF.as_bytes())
        ),
        vec![
            TarEntry::dir("etc", 0o755),
            TarEntry::dir("etc/nginx", 0o755),
            TarEntry::file("etc/nginx/nginx.conf", NGINX_CONF, 0o644),
        ],
    ));
    steps.push(nop("EXPOSE 80"));
    steps.push(nop("STOPSIGNAL SIGQUIT"));
    steps.push(nop("CMD [\"nginx\" \"-g\" \"daemon off;\"]"));
    let config = json!({
        "Env": [PATH_ENV, "NGINX_VERSION=1.25.3", "PKG_RELEASE=1~bookworm"],
        "Cmd": ["nginx", "-g", "daemon off;"],
        "ExposedPorts": { "80/tcp": {} },
        "Labels": { "maintainer": "NGINX Docker Maintainers <docker-maint@nginx.com>" },
        "StopSignal": "SIGQUIT",
    });
    assemble(
        "pancake-demo/nginx:1.25",
        steps,
        config,
        BASE_CREATED,
        false,
    )
}

// ---------------------------------------------------------------------------------------
// wordpress-a / wordpress-b (BuildKit): same lower layers, different site data on top.

fn wordpress(site: &str) -> Option<Built> {
    let mut steps = base_steps();
    steps.push(meta("ENV PHP_VERSION=8.2.15"));
    let mut php = dirs(&[
        "usr/local/etc",
        "usr/local/etc/php",
        "usr/local/etc/php/conf.d",
        "usr/local/lib",
        "usr/local/lib/php",
        "var/www",
        "var/www/html",
    ]);
    php.extend([
        TarEntry::file("usr/local/bin/php", elf("usr/local/bin/php", 30_000), 0o755),
        TarEntry::file("usr/local/sbin/php-fpm", elf("php-fpm", 12_000), 0o755),
        TarEntry::dir("usr/local/sbin", 0o755),
        TarEntry::file(
            "usr/local/etc/php/php.ini-production",
            prose("[PHP]\n; About php.ini", 4000),
            0o644,
        ),
        TarEntry::file(
            "usr/local/etc/php/conf.d/docker-php-ext-mysqli.ini",
            "extension=mysqli\n",
            0o644,
        ),
        TarEntry::file(
            "usr/local/lib/php/extensions.txt",
            prose("mysqli opcache gd zip intl", 1500),
            0o644,
        ),
    ]);
    php.push(TarEntry::dir("var/www/html", 0o777).owned(33, 33));
    php.retain(|e| !(e.path.as_bytes() == b"var/www/html" && e.uid == 0));
    steps.push(layer(
        "RUN /bin/sh -c set -eux; apt-get update; apt-get install -y --no-install-recommends libonig5 libsodium23; docker-php-source extract; ./configure --with-mysqli --enable-fpm; make -j\"$(nproc)\"; make install # buildkit".into(),
        php,
    ));
    steps.push(meta("ENV WORDPRESS_VERSION=6.4.3"));
    let mut wp = dirs(&[
        "usr/src",
        "usr/src/wordpress",
        "usr/src/wordpress/wp-includes",
        "usr/src/wordpress/wp-admin",
        "usr/src/wordpress/wp-content",
        "usr/src/wordpress/wp-content/themes",
    ]);
    for (p, n) in [
        ("index.php", 400),
        ("wp-login.php", 6000),
        ("wp-settings.php", 4000),
        ("wp-config-sample.php", 3000),
        ("wp-includes/version.php", 900),
        ("wp-includes/functions.php", 9000),
        ("wp-includes/plugin.php", 5000),
        ("wp-admin/admin.php", 3500),
        ("wp-content/themes/index.php", 28),
    ] {
        let body = format!(
            "<?php\n/**\n * {p}\n *\n * @package WordPress\n */\n{}",
            prose(&format!("// {p}"), n)
        );
        wp.push(
            TarEntry::file(format!("usr/src/wordpress/{p}").as_str(), body, 0o644).owned(33, 33),
        );
    }
    wp.push(TarEntry::file("usr/local/bin/docker-entrypoint.sh", "#!/usr/bin/env bash\nset -Eeuo pipefail\n\nif [[ \"$1\" == apache2* ]] || [ \"$1\" = 'php-fpm' ]; then\n\tif [ ! -e index.php ] && [ ! -e wp-includes/version.php ]; then\n\t\techo >&2 \"WordPress not found in $PWD - copying now...\"\n\t\ttar --create --file - --directory /usr/src/wordpress . | tar --extract --file -\n\tfi\nfi\n\nexec \"$@\"\n", 0o755));
    steps.push(layer(
        "RUN /bin/sh -c set -eux; curl -o wordpress.tar.gz -fL \"https://wordpress.org/wordpress-$WORDPRESS_VERSION.tar.gz\"; tar -xzf wordpress.tar.gz -C /usr/src/; rm wordpress.tar.gz; chown -R www-data:www-data /usr/src/wordpress # buildkit".into(),
        wp,
    ));
    steps.push(meta("VOLUME [/var/www/html]"));
    steps.push(meta("WORKDIR /var/www/html"));
    let (title, posts, color) = match site {
        "site-a" => ("Kopi Nusantara", 7, "#6b4226"),
        _ => ("Belajar Docker", 4, "#0db7ed"),
    };
    let mut data = dirs(&[
        "var",
        "var/www",
        "var/www/html/wp-content",
        "var/www/html/wp-content/uploads",
        "var/www/html/wp-content/uploads/2024",
    ]);
    data.push(TarEntry::dir("var/www/html", 0o777).owned(33, 33));
    data.push(TarEntry::file(
        "var/www/html/wp-config.php",
        format!("<?php\ndefine( 'DB_NAME', '{site}' );\ndefine( 'DB_USER', 'wordpress' );\ndefine( 'DB_HOST', 'db' );\n$table_prefix = 'wp_';\n/* Site: {title} */\nrequire_once ABSPATH . 'wp-settings.php';\n"),
        0o640,
    ).owned(33, 33));
    data.push(
        TarEntry::file(
            "var/www/html/wp-content/themes.css",
            format!("body {{ color: {color}; }}\n/* {title} */\n"),
            0o644,
        )
        .owned(33, 33),
    );
    for i in 0..posts {
        let p = format!("var/www/html/wp-content/uploads/2024/{site}-photo-{i}.jpg");
        let mut jpg = vec![0xff, 0xd8, 0xff, 0xe0, 0, 0x10, b'J', b'F', b'I', b'F', 0];
        jpg.extend(elf(&p, 2500 + 300 * i).into_iter().skip(20));
        data.push(TarEntry::file(p.as_str(), jpg, 0o644).owned(33, 33));
    }
    steps.push(layer(
        format!("COPY {site}/ /var/www/html/ # buildkit"),
        data,
    ));
    steps.push(meta("EXPOSE map[80/tcp:{}]"));
    steps.push(meta("ENTRYPOINT [\"docker-entrypoint.sh\"]"));
    steps.push(meta("CMD [\"apache2-foreground\"]"));
    let config = json!({
        "Env": [PATH_ENV, "PHP_VERSION=8.2.15", "WORDPRESS_VERSION=6.4.3"],
        "Entrypoint": ["docker-entrypoint.sh"],
        "Cmd": ["apache2-foreground"],
        "ExposedPorts": { "80/tcp": {} },
        "Volumes": { "/var/www/html": {} },
        "WorkingDir": "/var/www/html",
    });
    assemble(
        &format!("pancake-demo/wordpress:{site}"),
        steps,
        config,
        BASE_CREATED,
        true,
    )
}

// ---------------------------------------------------------------------------------------
// mysql (classic builder): a long history, most steps metadata only.

fn mysql() -> Option<Built> {
    let mut steps = base_steps();
    steps.push(run(
        "groupadd -r mysql && useradd -r -g mysql mysql",
        vec![
            TarEntry::dir("etc", 0o755),
            TarEntry::file("etc/passwd", "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\nmysql:x:999:999::/home/mysql:/bin/sh\n", 0o644),
            TarEntry::file("etc/group", "root:x:0:\ndaemon:x:1:\nmysql:x:999:\n", 0o644),
            TarEntry::file("etc/shadow", "root:*:19750:0:99999:7:::\nmysql:!:19751::::::\n", 0o640).owned(0, 42),
        ],
    ));
    steps.push(run(
        "apt-get update && apt-get install -y --no-install-recommends gnupg dirmngr && rm -rf /var/lib/apt/lists/*",
        vec![
            TarEntry::dir("usr", 0o755),
            TarEntry::dir("usr/bin", 0o755),
            TarEntry::file("usr/bin/gpg", elf("gpg", 14_000), 0o755),
            TarEntry::file("usr/bin/dirmngr", elf("dirmngr", 9_000), 0o755),
        ],
    ));
    steps.push(nop("ENV GOSU_VERSION=1.16"));
    steps.push(nop("ARG GOSU_ARCH=amd64"));
    steps.push(Step {
        created_by: "|1 GOSU_ARCH=amd64 /bin/sh -c set -eux; \tsavedAptMark=\"$(apt-mark showmanual)\"; \twget -O /usr/local/bin/gosu \"https://github.com/tianon/gosu/releases/download/$GOSU_VERSION/gosu-$GOSU_ARCH\"; \tchmod +x /usr/local/bin/gosu; \tgosu --version; \tgosu nobody true".into(),
        layer: Some(vec![TarEntry::dir("usr", 0o755), TarEntry::dir("usr/local", 0o755), TarEntry::dir("usr/local/bin", 0o755), TarEntry::file("usr/local/bin/gosu", elf("gosu", 11_000), 0o755)]),
    });
    steps.push(run(
        "mkdir /docker-entrypoint-initdb.d",
        vec![TarEntry::dir("docker-entrypoint-initdb.d", 0o755)],
    ));
    steps.push(run(
        "set -eux; \tapt-get update; \tapt-get install -y --no-install-recommends \t\topenssl \t\tperl \t\txz-utils \t\tzstd \t; \trm -rf /var/lib/apt/lists/*",
        vec![
            TarEntry::dir("usr", 0o755),
            TarEntry::dir("usr/bin", 0o755),
            TarEntry::file("usr/bin/openssl", elf("openssl", 9_000), 0o755),
            TarEntry::file("usr/bin/perl", elf("perl", 16_000), 0o755),
            TarEntry::file("usr/bin/xz", elf("xz", 4_000), 0o755),
            TarEntry::file("usr/bin/zstd", elf("zstd", 5_000), 0o755),
        ],
    ));
    steps.push(run(
        "set -eux; \tkey='BCA4 3417 C3B4 85DD 128E C6D4 B7B3 B788 A8D3 785C'; \texport GNUPGHOME=\"$(mktemp -d)\"; \tgpg --batch --keyserver keyserver.ubuntu.com --recv-keys \"$key\"; \tmkdir -p /etc/apt/keyrings; \tgpg --batch --export \"$key\" > /etc/apt/keyrings/mysql.gpg; \tgpgconf --kill all; \trm -rf \"$GNUPGHOME\"",
        vec![TarEntry::dir("etc", 0o755), TarEntry::dir("etc/apt", 0o755), TarEntry::dir("etc/apt/keyrings", 0o755), TarEntry::file("etc/apt/keyrings/mysql.gpg", elf("mysql.gpg", 1_800), 0o644)],
    ));
    steps.push(nop("ENV MYSQL_MAJOR=8.0"));
    steps.push(nop("ENV MYSQL_VERSION=8.0.36-1debian12"));
    steps.push(run(
        "echo 'deb [ signed-by=/etc/apt/keyrings/mysql.gpg ] http://repo.mysql.com/apt/debian/ bookworm mysql-8.0' > /etc/apt/sources.list.d/mysql.list",
        vec![TarEntry::dir("etc", 0o755), TarEntry::dir("etc/apt", 0o755), TarEntry::dir("etc/apt/sources.list.d", 0o755), TarEntry::file("etc/apt/sources.list.d/mysql.list", "deb [ signed-by=/etc/apt/keyrings/mysql.gpg ] http://repo.mysql.com/apt/debian/ bookworm mysql-8.0\n", 0o644)],
    ));
    let mut server = dirs(&[
        "etc",
        "etc/mysql",
        "etc/mysql/conf.d",
        "usr",
        "usr/sbin",
        "usr/bin",
        "var",
        "var/lib",
        "var/run",
    ]);
    server.extend([
        TarEntry::file("usr/sbin/mysqld", elf("usr/sbin/mysqld", 60_000), 0o755),
        TarEntry::file("usr/bin/mysql", elf("usr/bin/mysql", 12_000), 0o755),
        TarEntry::file("usr/bin/mysqladmin", elf("mysqladmin", 6_000), 0o755),
        TarEntry::file("etc/mysql/my.cnf", "[mysqld]\nskip-host-cache\nskip-name-resolve\ndatadir=/var/lib/mysql\nsocket=/var/run/mysqld/mysqld.sock\nsecure-file-priv=/var/lib/mysql-files\nuser=mysql\n\npid-file=/var/run/mysqld/mysqld.pid\n[client]\nsocket=/var/run/mysqld/mysqld.sock\n\n!includedir /etc/mysql/conf.d/\n", 0o644),
        TarEntry::file("etc/mysql/conf.d/docker.cnf", "[mysqld]\nskip-host-cache\nskip-name-resolve\n", 0o644),
        TarEntry::dir("var/lib/mysql", 0o1777).owned(999, 999),
        TarEntry::dir("var/lib/mysql-files", 0o1777).owned(999, 999),
        TarEntry::dir("var/run/mysqld", 0o1777).owned(999, 999),
    ]);
    steps.push(run(
        "{ \t\techo mysql-community-server mysql-community-server/data-dir select ''; \t\techo mysql-community-server mysql-community-server/root-pass password ''; \t\techo mysql-community-server mysql-community-server/re-root-pass password ''; \t\techo mysql-community-server mysql-community-server/remove-test-db select false; \t} | debconf-set-selections \t&& apt-get update \t&& apt-get install -y \t\tmysql-community-client=\"${MYSQL_VERSION}\" \t\tmysql-community-server-core=\"${MYSQL_VERSION}\" \t&& rm -rf /var/lib/apt/lists/* \t&& rm -rf /var/lib/mysql && mkdir -p /var/lib/mysql /var/run/mysqld \t&& chown -R mysql:mysql /var/lib/mysql /var/run/mysqld \t&& chmod 1777 /var/run/mysqld /var/lib/mysql",
        server,
    ));
    steps.push(nop("VOLUME [/var/lib/mysql]"));
    let entrypoint = "#!/bin/bash\nset -eo pipefail\nshopt -s nullglob\n\n# logging functions\nmysql_log() {\n\tlocal type=\"$1\"; shift\n\tprintf '%s [%s] [Entrypoint]: %s\\n' \"$(date --rfc-3339=seconds)\" \"$type\" \"$*\"\n}\n\n_main() {\n\tif [ \"${1:0:1}\" = '-' ]; then\n\t\tset -- mysqld \"$@\"\n\tfi\n\texec \"$@\"\n}\n\n_main \"$@\"\n";
    steps.push(layer(
        format!(
            "/bin/sh -c #(nop) COPY file:{} in /usr/local/bin/ ",
            copy_hash(entrypoint.as_bytes())
        ),
        vec![
            TarEntry::dir("usr", 0o755),
            TarEntry::dir("usr/local", 0o755),
            TarEntry::dir("usr/local/bin", 0o755),
            TarEntry::file("usr/local/bin/docker-entrypoint.sh", entrypoint, 0o775),
        ],
    ));
    steps.push(run(
        "ln -s usr/local/bin/docker-entrypoint.sh /entrypoint.sh # backwards compat",
        vec![TarEntry::symlink(
            "entrypoint.sh",
            "usr/local/bin/docker-entrypoint.sh",
        )],
    ));
    steps.push(nop("ENTRYPOINT [\"docker-entrypoint.sh\"]"));
    steps.push(nop("EXPOSE 3306 33060"));
    steps.push(nop("CMD [\"mysqld\"]"));
    let config = json!({
        "Env": [PATH_ENV, "GOSU_VERSION=1.16", "MYSQL_MAJOR=8.0", "MYSQL_VERSION=8.0.36-1debian12"],
        "Entrypoint": ["docker-entrypoint.sh"],
        "Cmd": ["mysqld"],
        "ExposedPorts": { "3306/tcp": {}, "33060/tcp": {} },
        "Volumes": { "/var/lib/mysql": {} },
    });
    assemble("pancake-demo/mysql:8.0", steps, config, BASE_CREATED, false)
}

// ---------------------------------------------------------------------------------------
// whiteouts (BuildKit): a later layer deletes a file, empties a directory, deletes another.

fn whiteouts() -> Option<Built> {
    let mut steps = base_steps();
    let mut app = dirs(&["app", "app/cache", "app/config", "app/logs"]);
    app.extend([
        TarEntry::file("app/old-readme.txt", "This file is deleted by a later layer (a .wh. whiteout).\n", 0o644),
        TarEntry::file("app/server.py", "import http.server\n\nhttp.server.test(HandlerClass=http.server.SimpleHTTPRequestHandler, port=8000)\n", 0o755),
        TarEntry::file("app/cache/page-1.html", prose("<!-- cached page 1 -->", 3000), 0o644),
        TarEntry::file("app/cache/page-2.html", prose("<!-- cached page 2 -->", 3000), 0o644),
        TarEntry::file("app/cache/index.bin", elf("cache-index", 5000), 0o644),
        TarEntry::file("app/config/app.ini", "[server]\nport = 8000\n", 0o644),
        TarEntry::file("app/config/secrets.ini", "[db]\npassword = changeme\n", 0o600),
        TarEntry::file("app/logs/build.log", prose("build log", 2000), 0o644),
    ]);
    steps.push(layer("COPY app/ /app/ # buildkit".into(), app));
    steps.push(meta("WORKDIR /app"));
    steps.push(layer(
        "RUN /bin/sh -c rm /app/old-readme.txt && rm -rf /app/cache && mkdir /app/cache && echo fresh > /app/cache/README # buildkit".into(),
        vec![
            TarEntry::dir("app", 0o755),
            TarEntry::whiteout(&"app/old-readme.txt".into()),
            TarEntry::dir("app/cache", 0o755),
            TarEntry::opaque(&"app/cache".into()),
            TarEntry::file("app/cache/README", "fresh\n", 0o644),
        ],
    ));
    steps.push(layer(
        "RUN /bin/sh -c rm -rf /app/config /app/logs/build.log # buildkit".into(),
        vec![
            TarEntry::dir("app", 0o755),
            TarEntry::whiteout(&"app/config".into()),
            TarEntry::dir("app/logs", 0o755),
            TarEntry::whiteout(&"app/logs/build.log".into()),
        ],
    ));
    steps.push(meta("CMD [\"python3\" \"/app/server.py\"]"));
    let config = json!({
        "Env": [PATH_ENV],
        "Cmd": ["python3", "/app/server.py"],
        "WorkingDir": "/app",
    });
    assemble(
        "pancake-demo/whiteouts:latest",
        steps,
        config,
        BASE_CREATED,
        true,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_known_dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(BASE_CREATED), "2024-01-29T00:00:00Z");
        assert_eq!(rfc3339(1_709_251_199), "2024-02-29T23:59:59Z");
    }

    #[test]
    fn every_demo_builds_deterministically() {
        for n in names() {
            let a = build(n);
            assert!(a.is_some(), "{n}");
            assert_eq!(a, build(n), "{n} not deterministic");
        }
        assert!(build("nope").is_none());
    }
}
