# Pancake — Bahasa Indonesia. Kunci sama dengan en.ftl; tes gagal bila ada yang kurang.
# Placeholder: { $name } (jangan diterjemahkan).

lang-name = Bahasa Indonesia
language = Bahasa
tabs-label = Tampilan
tab-stack = Tumpukan
tab-files = Berkas
tab-history = Riwayat
tab-config = Konfigurasi
open-file = Buka berkas…
footer = Pancake membaca image Anda di tab peramban ini. Tidak ada yang diunggah.
drop-here = Lepaskan tarball untuk membukanya

## Start
start-title = Lihat lapisan di dalam sebuah container image
start-lead = Buka tarball hasil docker save (atau arsip OCI) dan Pancake menampilkannya seperti Docker menyimpannya: tumpukan layer, masing-masing terkait dengan instruksi Dockerfile-nya, dan setiap SHA-256 diperiksa ulang.
start-drop = Seret .tar atau .tar.gz ke mana saja di halaman ini
start-or = atau
start-choose = Pilih berkas
start-formats = docker save · podman · skopeo · arsip OCI · tarball terkompresi gzip — nama berkas apa pun
start-demo-title = Tidak punya tarball? Coba demo
start-demo-lead = Dibuat langsung di peramban Anda, tanpa unduhan.
start-privacy = Berkas Anda tidak pernah meninggalkan komputer ini: berkas dibaca di sini, di peramban Anda.

## Status
reading = Membaca…
progress-reading = Membaca { $size }…
progress-hashing = Memeriksa digest
time-left = sisa { $time }
seconds = { $n } dtk
minutes = { $m } mnt { $s } dtk
cancel = Batal
cancelled = Pemeriksaan dibatalkan: digest yang belum diperiksa ditandai tertunda.
ready = ✓ Semua digest sudah diperiksa: { $verified } dari { $total } layer terverifikasi
ready-failed = ✗ Digest sudah diperiksa: hanya { $verified } dari { $total } layer terverifikasi
scan-time = tampilan pertama dalam { $ms } md
summary-line = { $layers } layer · { $size } tanpa kompresi · { $format }
errors-title = Masalah yang ditemukan
error-fatal = Berkas tidak dapat dibaca:
no-image = Image ini tidak ditemukan di dalam tarball.
no-images-found = Tidak ada image yang dapat dibaca dari berkas ini. Masalah di atas menjelaskan sebabnya.

## Formats
format-docker-archive = docker save (klasik)
format-docker-oci-layout = docker save (Docker 25+, tata letak OCI)
format-oci-archive = arsip OCI
format-legacy-v1 = docker save lama (v1)
format-unrecognized = tata letak tidak dikenal

## Problems (kinds)
problem-archive = Tarball rusak
problem-metadata = Masalah pada manifest atau konfigurasi
problem-missing-blob = Ada layer yang hilang
problem-digest-mismatch = Digest tidak cocok
problem-layer-unreadable = Ada layer yang tidak dapat dibaca
problem-unsafe-path = Path tidak aman
problem-whiteout = Masalah whiteout
problem-duplicate-member = Anggota ganda
problem-history = Riwayat tidak cocok dengan layer
problem-limit = Batas ukuran tercapai

## Image picker
picker-label = Image di dalam tarball ini
picker-title = { $count } image:
picker-layers = { $count } layer

## Stack
stack-label = Layer, base di paling bawah
stack-top = atas: instruksi terakhir
stack-bottom = bawah: base image
stack-hint = Pilih sebuah layer untuk melihat digest, perintah, dan perubahan yang dibuatnya.
layer-generic = LAYER
layer-aria = Layer { $n }: { $text }, { $size }
base = base
badge-verified = terverifikasi
badge-mismatch = tidak cocok
badge-pending = memeriksa
badge-unchecked = belum diperiksa
layer-n-of = Layer { $n } dari { $total }
mismatch-title = Layer ini tidak sesuai dengan yang dinyatakan image.
expected = Seharusnya
actual = Hasil hitung
verified-explain = Terverifikasi: SHA-256 yang dihitung di sini cocok dengan setiap digest yang dinyatakan image untuk layer ini.
pending-explain = SHA-256 layer ini sedang dihitung…
unchecked-explain = Layer ini tidak dapat diperiksa (blob-nya hilang atau tidak terbaca).
digest = Digest (blob)
diff-id = diff_id (tanpa kompresi)
config-diff-id = diff_id di konfigurasi
created = Dibuat
command = Perintah
comment = Komentar
size = Ukuran
size-detail = { $content } isi berkas · tar { $tar } · tersimpan { $stored } ({ $compression })
compression-none = tanpa kompresi
entries = Entri
changes = Perubahan
added = ditambah
modified = diubah
deleted = dihapus
unchanged = tidak berubah
wasted = Terbuang
wasted-explain = byte yang ditimpa atau dihapus oleh layer di atasnya
blob-path = Blob di tarball
media-type = Media type
browse-files = Lihat berkas layer ini
pending = tertunda…
copy = Salin
copied = Tersalin ✓

## Files
layer = Layer
files-mode = Yang ditampilkan
files-changes = Perubahan di layer ini
files-merged = Sistem berkas pada layer ini
filter = Saring menurut path
filter-placeholder = Saring menurut path…
files-tree = Berkas
files-count = { $count } path
files-matching = { $count } cocok
files-none = Layer ini tidak mengubah berkas apa pun.
files-none-match = Tidak ada path yang cocok dengan saringan.
owner-layer = Layer asal berkas ini

## File content
content-loading = Membaca…
content-text = Menampilkan { $shown } dari { $size }.
content-binary = Berkas biner: hex dump { $shown } dari { $size }.
show-more = Tampilkan lebih banyak
close = Tutup

## History
history-lead = Seperti keluaran docker image history, langkah terbaru di atas. Klik perintah yang panjang untuk membaca seluruhnya.
expand = Tampilkan seluruh perintah
collapse = Tampilkan lebih sedikit

## Config
cfg-tags = Tag
cfg-id = ID image
cfg-platform = Platform
cfg-created = Dibuat
cfg-author = Pembuat
cfg-entrypoint = Entrypoint
cfg-cmd = Cmd
cfg-workdir = Direktori kerja
cfg-user = Pengguna
cfg-env = Variabel lingkungan
cfg-ports = Port yang dibuka
cfg-volumes = Volume
cfg-labels = Label
cfg-key = Kunci
cfg-value = Nilai
cfg-source = Ditemukan di
cfg-diff-ids = diff_id layer (konfigurasi)
