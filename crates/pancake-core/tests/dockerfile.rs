//! The Dockerfile read back from an image's history: the demos (whose recipes are the right
//! answer) and real fixtures from Docker 20 (classic builder), Docker 26 (BuildKit) and
//! buildah (podman), whose recipe is `fixtures/recipes/Dockerfile.app1`.

use std::fs::File;
use std::path::PathBuf;

use pancake_core::analyze::dockerfile::{self, BaseEvidence, Dockerfile, KnownBase, Link};
use pancake_core::read::archive::{self, Options};
use pancake_core::Archive;
use pancake_demo as demo;

fn fixtures_dir() -> PathBuf {
    std::env::var_os("PANCAKE_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures")
        })
}

fn fixture(name: &str) -> Archive {
    let path = fixtures_dir().join(name);
    let file = File::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    archive::open(name, &file, &Options::default(), &mut |_| {})
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn demo_archive(name: &str) -> Archive {
    let bytes = demo::build(name).unwrap_or_else(|| panic!("no demo {name}"));
    archive::open(name, &bytes, &Options::default(), &mut |_| {})
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn first(a: &Archive, bases: &[KnownBase]) -> Dockerfile {
    let img = a.images.first().unwrap_or_else(|| panic!("no image"));
    dockerfile::reconstruct(img, bases)
}

fn lines(df: &Dockerfile) -> Vec<(String, Link)> {
    df.instructions
        .iter()
        .map(|i| (i.text.clone(), i.link))
        .collect()
}

#[test]
fn mysql_demo_reads_back_as_its_recipe() {
    let a = demo_archive("mysql");
    let df = first(&a, &demo::known_bases());
    assert_eq!(df.from.name.as_deref(), Some("debian:bookworm-slim"));
    assert_eq!(df.from.evidence, BaseEvidence::Known);
    assert_eq!((df.from.layers, df.from.steps.clone()), (1, vec![0, 1]));
    let text = dockerfile::render(&df);
    let want_start = "FROM debian:bookworm-slim\n\
RUN groupadd -r mysql \\\n    && useradd -r -g mysql mysql\n\
RUN apt-get update \\\n    && apt-get install -y --no-install-recommends gnupg dirmngr \\\n    && rm -rf /var/lib/apt/lists/*\n\
ENV GOSU_VERSION=1.16\n\
ARG GOSU_ARCH=amd64\n\
RUN set -eux; \\\n    savedAptMark=\"$(apt-mark showmanual)\"; \\\n";
    assert!(text.starts_with(want_start), "{text}");
    assert!(
        text.contains("VOLUME [\"/var/lib/mysql\"]\nCOPY file:"),
        "{text}"
    );
    assert!(text.ends_with(
        " /usr/local/bin/\n\
RUN ln -s usr/local/bin/docker-entrypoint.sh /entrypoint.sh # backwards compat\n\
ENTRYPOINT [\"docker-entrypoint.sh\"]\n\
EXPOSE 3306 33060\n\
CMD [\"mysqld\"]\n"
    ));
    // 18 own steps (20 history entries, 2 the base's); the recorded ARG step declared
    // GOSU_ARCH, so the RUN's build argument adds no second ARG line.
    assert_eq!(df.instructions.len(), 18);
    assert!(!df.instructions.iter().any(|i| i.link == Link::BuildArg));
    // Every layer but the base's is linked once, bottom to top, in order.
    let linked: Vec<usize> = df
        .instructions
        .iter()
        .filter_map(|i| match i.link {
            Link::Layer(l) => Some(l),
            _ => None,
        })
        .collect();
    assert_eq!(linked, (1..11).collect::<Vec<_>>());
    let settings = df
        .instructions
        .iter()
        .filter(|i| i.link == Link::SettingsOnly)
        .count();
    assert_eq!(settings, 8);
    // Each instruction points at the history step it came from.
    let img = &a.images[0];
    for i in &df.instructions {
        let step = i.step.and_then(|s| img.history.get(s));
        assert!(step.is_some(), "{:?}", i);
        if let Link::Layer(l) = i.link {
            assert_eq!(step.and_then(|h| h.layer), Some(l));
        }
    }
}

#[test]
fn every_demo_names_its_base_and_links_every_layer() {
    // (demo, own instructions, first own instruction)
    let cases = [
        (
            "nginx",
            8,
            "LABEL maintainer=NGINX Docker Maintainers <docker-maint@nginx.com>",
        ),
        ("wordpress-a", 10, "ENV PHP_VERSION=8.2.15"),
        ("whiteouts", 5, "COPY app/ /app/"),
    ];
    for (name, count, head) in cases {
        let a = demo_archive(name);
        let df = first(&a, &demo::known_bases());
        assert_eq!(
            dockerfile::from_line(&df.from),
            "FROM debian:bookworm-slim",
            "{name}"
        );
        assert_eq!(df.instructions.len(), count, "{name}");
        assert_eq!(
            df.instructions.first().map(|i| i.text.as_str()),
            Some(head),
            "{name}"
        );
        let layers = a.images[0].layers.len();
        let linked = df
            .instructions
            .iter()
            .filter(|i| matches!(i.link, Link::Layer(_)))
            .count();
        assert_eq!(linked, layers - 1, "{name}");
    }
    // Without the catalogue, nothing names the base: the bottom layer and its steps.
    let df = first(&demo_archive("nginx"), &[]);
    assert_eq!(
        dockerfile::from_line(&df.from),
        "FROM <base image, 1 layer>"
    );
    assert_eq!(df.from.evidence, BaseEvidence::BottomLayer);
    // ADD made layer 0; the base's CMD after it is taken as this build's first step.
    assert_eq!(
        df.instructions.first().map(|i| (i.text.as_str(), i.link)),
        Some(("CMD [\"bash\"]", Link::SettingsOnly))
    );
}

#[test]
fn another_open_image_is_named_as_the_base() {
    // app3 = FROM app1 + RUN (Docker 26, three images in one save).
    let a = fixture("docker26-save-multi-app1-app2-app3.tar");
    let by_tag = |t: &str| {
        a.images
            .iter()
            .find(|i| i.tags.iter().any(|x| x.contains(t)))
            .unwrap_or_else(|| {
                panic!(
                    "no {t} in {:?}",
                    a.images.iter().map(|i| &i.tags).collect::<Vec<_>>()
                )
            })
    };
    let app1 = by_tag("app1");
    let app3 = by_tag("app3");
    let bases: Vec<KnownBase> = a.images.iter().filter_map(KnownBase::of_image).collect();
    let df = dockerfile::reconstruct(app3, &bases);
    assert_eq!(df.from.name.as_ref(), app1.tags.first());
    assert_eq!(df.from.layers, app1.layers.len());
    assert_eq!(df.from.steps.len(), app1.history.len());
    assert_eq!(
        df.instructions.len(),
        app3.history.len() - app1.history.len()
    );
    assert!(df
        .instructions
        .iter()
        .all(|i| i.text.starts_with("RUN ") || !matches!(i.link, Link::Layer(_))));
    assert!(df
        .instructions
        .iter()
        .any(|i| i.link == Link::Layer(app1.layers.len())));
    // An image is never its own base.
    let own = dockerfile::reconstruct(app1, &bases);
    assert_ne!(own.from.name.as_ref(), app1.tags.first());
}

/// The app1 recipe's own steps as each builder records them (see the module docs).
fn app1_tail(df: &Dockerfile) -> Vec<(String, Link)> {
    lines(df)
        .into_iter()
        .filter(|(t, _)| !t.starts_with("CMD [\"/bin/sh\"]"))
        .collect()
}

#[test]
fn docker20_classic_builder() {
    let df = first(&fixture("docker20-save-app1.tar"), &[]);
    assert_eq!(
        dockerfile::from_line(&df.from),
        "FROM <base image, 1 layer>"
    );
    let got = app1_tail(&df);
    let texts: Vec<&str> = got.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(
        texts,
        [
            "LABEL org.example.test=sa-corpus org.example.variant=app1",
            "ENV APP_MODE=test LANG=C.UTF-8",
            "COPY dir:42dbee6175e8… /data/",
            "RUN echo \"modified\" >> /data/hello.txt",
            "RUN rm /data/b.txt",
            "RUN rm -rf /data/dir \\\n    && mkdir /data/dir \\\n    && echo new > /data/dir/new.txt",
            "RUN ln -s /data/hello.txt /data/hello.symlink \\\n    && ln /data/hello.txt /data/hello.hardlink \\\n    && ln -s ../nonexistent /data/dangling",
            "EXPOSE 8080",
            "WORKDIR /data",
            "CMD [\"/bin/sh\", \"-c\", \"cat /data/hello.txt\"]",
        ]
    );
    let links: Vec<Link> = got.iter().map(|(_, l)| *l).collect();
    use Link::{Layer, SettingsOnly};
    assert_eq!(
        links,
        [
            SettingsOnly,
            SettingsOnly,
            Layer(1),
            Layer(2),
            Layer(3),
            Layer(4),
            Layer(5),
            SettingsOnly,
            SettingsOnly,
            SettingsOnly
        ]
    );
}

#[test]
fn docker26_buildkit() {
    let df = first(&fixture("docker26-save-app1.tar"), &[]);
    let got = app1_tail(&df);
    let texts: Vec<&str> = got.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(
        texts,
        [
            "LABEL org.example.test=sa-corpus org.example.variant=app1",
            "ENV APP_MODE=test LANG=C.UTF-8",
            "COPY files/ /data/",
            "RUN echo \"modified\" >> /data/hello.txt",
            "RUN rm /data/b.txt",
            "RUN rm -rf /data/dir \\\n    && mkdir /data/dir \\\n    && echo new > /data/dir/new.txt",
            "RUN ln -s /data/hello.txt /data/hello.symlink \\\n    && ln /data/hello.txt /data/hello.hardlink \\\n    && ln -s ../nonexistent /data/dangling",
            "EXPOSE 8080/tcp",
            "WORKDIR /data",
            "CMD [\"/bin/sh\", \"-c\", \"cat /data/hello.txt\"]",
        ]
    );
    // BuildKit's WORKDIR made a (1024-byte, empty) layer: the seventh, position 6.
    assert_eq!(
        got.iter()
            .find(|(t, _)| t == "WORKDIR /data")
            .map(|(_, l)| *l),
        Some(Link::Layer(6))
    );
}

#[test]
fn buildah_names_its_base_in_a_comment() {
    for name in [
        "podman-docker-archive-app1.tar",
        "podman-oci-archive-app1.tar",
    ] {
        let df = first(&fixture(name), &[]);
        assert_eq!(
            df.from.name.as_deref(),
            Some("localhost/sa-base:1"),
            "{name}"
        );
        assert_eq!(df.from.evidence, BaseEvidence::BuilderComment);
        assert_eq!((df.from.layers, df.from.steps.clone()), (1, vec![0, 1]));
        let texts: Vec<String> = df.instructions.iter().map(|i| i.text.clone()).collect();
        assert_eq!(
            texts.first().map(String::as_str),
            Some("LABEL org.example.test=\"sa-corpus\" org.example.variant=\"app1\"")
        );
        assert_eq!(
            texts.get(2).map(String::as_str),
            Some("COPY dir:88e9c2ce4cff… /data/")
        );
        assert_eq!(
            texts.last().map(String::as_str),
            Some("CMD [\"/bin/sh\", \"-c\", \"cat /data/hello.txt\"]")
        );
        assert_eq!(df.instructions.len(), 10);
        let linked: Vec<usize> = df
            .instructions
            .iter()
            .filter_map(|i| match i.link {
                Link::Layer(l) => Some(l),
                _ => None,
            })
            .collect();
        assert_eq!(linked, [1, 2, 3, 4, 5], "{name}");
    }
}

#[test]
fn build_args_become_arg_lines_once() {
    use pancake_core::model::{HistoryEntry, Image, Layer};
    let h = |by: &str, empty: bool, layer: Option<usize>| HistoryEntry {
        created_by: Some(by.into()),
        empty_layer: empty,
        layer,
        ..Default::default()
    };
    let image = Image {
        history: vec![
            h("/bin/sh -c #(nop) ADD file:00 in / ", false, Some(0)),
            h("|2 A=1 B=2 /bin/sh -c make", false, Some(1)),
            h(
                "RUN |1 A=1 /bin/sh -c make install # buildkit",
                false,
                Some(2),
            ),
        ],
        layers: vec![
            Layer {
                history: Some(0),
                ..Default::default()
            },
            Layer {
                history: Some(1),
                ..Default::default()
            },
            Layer {
                history: Some(2),
                ..Default::default()
            },
        ],
        ..Default::default()
    };
    let df = dockerfile::reconstruct(&image, &[]);
    let got: Vec<(&str, Link, Option<usize>)> = df
        .instructions
        .iter()
        .map(|i| (i.text.as_str(), i.link, i.step))
        .collect();
    assert_eq!(
        got,
        [
            ("ARG A=1", Link::BuildArg, None),
            ("ARG B=2", Link::BuildArg, None),
            ("RUN make", Link::Layer(1), Some(1)),
            ("RUN make install", Link::Layer(2), Some(2)),
        ]
    );
}

/// A build arg whose value holds spaces: the history writes the pair unquoted (BuildKit's
/// `RUN |1 K=v v /bin/sh -c …`, the classic builder's `|1 K=v v /bin/sh -c …`); read back,
/// the ARG is quoted as the Dockerfile wrote it and the RUN is the command alone.
#[test]
fn a_build_arg_with_spaces_reads_back_quoted() {
    let step = |created_by: &str| pancake_core::HistoryEntry {
        created_by: Some(created_by.to_string()),
        ..Default::default()
    };
    let img = pancake_core::Image {
        history: vec![
            step("RUN |1 GREETING=hello world /bin/sh -c echo \"$GREETING\" > /g # buildkit"),
            step("|1 MSG=say \"hi\" /bin/sh -c echo \"$MSG\" > /m"),
        ],
        ..Default::default()
    };
    let df = dockerfile::reconstruct(&img, &[]);
    let texts: Vec<&str> = df.instructions.iter().map(|i| i.text.as_str()).collect();
    assert_eq!(
        texts,
        [
            "ARG GREETING=\"hello world\"",
            "RUN echo \"$GREETING\" > /g",
            "ARG MSG=\"say \\\"hi\\\"\"",
            "RUN echo \"$MSG\" > /m",
        ]
    );
}

/// One image for [`save`]: its tag, layer contents (one file each) and history, each step
/// `(created_by, empty_layer)`.
struct Built<'a> {
    tag: &'a str,
    layers: &'a [&'a str],
    history: &'a [(&'a str, bool)],
}

/// A `docker save` of `images` written in memory and read back through the real reader.
fn save(images: &[Built]) -> Archive {
    use pancake_core::write::tarwrite::{
        layer_tar, write_docker_save, Descriptor, SaveImage, TarEntry,
    };
    use pancake_core::Digest;
    use std::io::Read;
    let tar = |content: &str| -> Vec<u8> {
        layer_tar(vec![TarEntry::file(
            content,
            content.as_bytes().to_vec(),
            0o644,
        )])
        .unwrap_or_else(|e| panic!("layer {content}: {e}"))
    };
    let mut blobs: Vec<Vec<u8>> = Vec::new();
    let mut saved = Vec::new();
    for img in images {
        let layers: Vec<Vec<u8>> = img.layers.iter().map(|l| tar(l)).collect();
        let history: Vec<serde_json::Value> = img
            .history
            .iter()
            .map(|(by, empty)| serde_json::json!({"created_by": by, "empty_layer": empty}))
            .collect();
        let config = serde_json::to_vec(&serde_json::json!({
            "architecture": "amd64",
            "os": "linux",
            "rootfs": {"type": "layers", "diff_ids": layers.iter().map(|l| Digest::of_bytes(l).to_string()).collect::<Vec<_>>()},
            "history": history,
        }))
        .unwrap_or_else(|e| panic!("config: {e}"));
        saved.push(SaveImage {
            tags: vec![img.tag.into()],
            config,
            layers: layers
                .iter()
                .map(|l| Descriptor {
                    media_type: pancake_core::media::OCI_LAYER.into(),
                    digest: Digest::of_bytes(l),
                    size: l.len() as u64,
                })
                .collect(),
        });
        blobs.extend(layers);
    }
    let mut fetch = |d: &Descriptor| -> std::io::Result<Box<dyn Read + '_>> {
        let l = blobs
            .iter()
            .find(|l| Digest::of_bytes(l) == d.digest)
            .ok_or_else(|| std::io::Error::other("no layer for descriptor"))?;
        Ok(Box::new(l.as_slice()))
    };
    let bytes =
        write_docker_save(Vec::new(), &saved, &mut fetch).unwrap_or_else(|e| panic!("save: {e}"));
    archive::open("test.tar", &bytes, &Options::default(), &mut |_| {})
        .unwrap_or_else(|e| panic!("read: {e}"))
}

/// Each image's Dockerfile with the other images of the save as known bases, as the CLI
/// and the page read it.
fn read_back(a: &Archive, tag: &str) -> Dockerfile {
    let img = a
        .images
        .iter()
        .find(|i| i.tags.iter().any(|t| t == tag))
        .unwrap_or_else(|| panic!("no {tag}"));
    let bases: Vec<KnownBase> = a.images.iter().filter_map(KnownBase::of_image).collect();
    dockerfile::reconstruct(img, &bases)
}

/// Two images with the same layers that differ only in trailing config steps are not each
/// other's base; an image whose layers another covers all of is not preferred to its real,
/// shorter base.
#[test]
fn no_circular_or_overreaching_base_through_the_reader() {
    let common = [
        ("ADD rootfs /", false),
        ("CMD [\"sh\"]", true),
        ("RUN /bin/sh -c make app", false),
    ];
    let prod: Vec<(&str, bool)> = common
        .iter()
        .copied()
        .chain([("CMD [\"/app\", \"--prod\"]", true)])
        .collect();
    let debug: Vec<(&str, bool)> = common
        .iter()
        .copied()
        .chain([("ENV DEBUG=1", true), ("CMD [\"/app\", \"--debug\"]", true)])
        .collect();
    let a = save(&[
        Built {
            tag: "app:prod",
            layers: &["l0", "l1"],
            history: &prod,
        },
        Built {
            tag: "app:debug",
            layers: &["l0", "l1"],
            history: &debug,
        },
    ]);
    for tag in ["app:prod", "app:debug"] {
        let df = read_back(&a, tag);
        assert_eq!(df.from.name, None, "{tag}");
        assert_eq!(df.from.evidence, BaseEvidence::BottomLayer, "{tag}");
    }

    let a = save(&[
        Built {
            tag: "base:1",
            layers: &["a", "b"],
            history: &[
                ("ADD a /", false),
                ("CMD [\"sh\"]", true),
                ("ENV X=1", true),
                ("RUN make b", false),
            ],
        },
        Built {
            tag: "child:1",
            layers: &["a", "b", "c"],
            history: &[("RUN make c", false)],
        },
        Built {
            tag: "child2:1",
            layers: &["a", "b", "c"],
            history: &[
                ("ADD a /", false),
                ("RUN make b", false),
                ("LABEL z=1", true),
                ("RUN make c", false),
            ],
        },
    ]);
    let df = read_back(&a, "child:1");
    assert_eq!(dockerfile::render(&df), "FROM base:1\nRUN make c\n");
    assert_eq!(
        df.instructions.first().map(|i| i.link),
        Some(Link::Layer(2))
    );
    let df = read_back(&a, "child2:1");
    assert_eq!(
        dockerfile::render(&df),
        "FROM base:1\nLABEL z=1\nRUN make c\n"
    );
}

/// BuildKit records the build arguments in force with each `RUN`; when one's value changes
/// between RUNs (a later `ARG A=2`), the read-back Dockerfile declares it again before the
/// RUN that used the new value, so a rebuild runs each step with its recorded value.
#[test]
fn a_changed_build_arg_is_declared_again_through_the_reader() {
    let a = save(&[Built {
        tag: "args:1",
        layers: &["f0", "f1", "f2", "f3"],
        history: &[
            ("ADD a /", false),
            ("RUN |1 A=1 /bin/sh -c echo $A > /f1 # buildkit", false),
            ("RUN |1 A=2 /bin/sh -c echo $A > /f2 # buildkit", false),
            ("RUN |2 A=2 B= /bin/sh -c echo $A$B > /f3 # buildkit", false),
        ],
    }]);
    let df = read_back(&a, "args:1");
    assert_eq!(
        dockerfile::render(&df),
        "FROM <base image, 1 layer>\n\
ARG A=1\nRUN echo $A > /f1\n\
ARG A=2\nRUN echo $A > /f2\n\
ARG B=\nRUN echo $A$B > /f3\n"
    );
    let links: Vec<Link> = df.instructions.iter().map(|i| i.link).collect();
    use Link::{BuildArg, Layer};
    assert_eq!(
        links,
        [BuildArg, Layer(1), BuildArg, Layer(2), BuildArg, Layer(3)]
    );
}
