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

# --- containers ---
tab-container = Container
ctr-run = Jalankan container
ctr-run-hint = Jalankan container dari image ini: satu layer tipis yang bisa ditulisi di atas layer-layernya
ctr-no-config = Image ini tidak punya digest config, jadi tidak ada container yang bisa dijalankan darinya
ctr-intro = Container adalah image ditambah satu layer tipis yang bisa ditulisi. Ubah sebuah file, maka file itu disalin ke layer tersebut; image tetap seperti semula.
ctr-list = Container dari image ini
ctr-remove = Hapus container { $name }
ctr-none = Belum ada container. Tekan “Jalankan container” di atas.
ctr-stack = Layer-layer container, dari atas
ctr-layer = layer container
ctr-layer-empty = kosong: hanya metadata
ctr-layer-rw = bisa ditulisi: file salinan dan file baru
ctr-stack-note = Layer image di bawahnya hanya bisa dibaca dan dipakai bersama oleh semua container dari image ini.
ctr-files = File yang dilihat container
ctr-owner-container = container
ctr-owner-layer = layer image { $n }
ctr-delete = Hapus { $path }
ctr-new-path = Path file atau folder baru
ctr-new-file = File baru
ctr-new-folder = Folder baru
ctr-editor = Editor file
ctr-editing = Isi { $path }
ctr-reading = Membaca file dari image…
ctr-binary = File ini bukan teks; bisa dihapus tetapi tidak bisa diubah di sini.
ctr-save = Simpan
ctr-unsaved = Ada perubahan yang belum disimpan
ctr-delete-file = Hapus
ctr-image-copy = Salinan di image (layer { $n }, tidak berubah)
ctr-container-copy = Salinan di container (layer container)
ctr-diff-empty = Belum ada perubahan: container melihat persis isi image.
ctr-commit = Commit
ctr-commit-hint = Jadikan layer container sebagai layer image baru, lalu buka image barunya
ctr-export = Unduh sebagai tarball
ctr-export-hint = Image hasil commit sebagai tarball yang bisa dibaca docker load
ctr-committing = Sedang commit…
ctr-exporting = Menulis tarball…
# --- shared layers ---
tab-shared = Berbagi
demo-pair = Coba: dua situs WordPress
sh-title = Image dalam sesi ini
sh-lead = Setiap image yang Anda buka tetap di sini, jadi Anda bisa melihat apa yang mereka pakai bersama. Buka file lain, jatuhkan beberapa sekaligus, atau hapus satu dengan ✕.
sh-image-bytes = { $total } di layer-nya, { $unique } di antaranya miliknya sendiri
sh-pending = (masih diperiksa)
sh-queued = { $count } file lagi menunggu dibaca.
sh-remove-aria = Hapus { $image } dari sesi
sh-add = Tambah image…
sh-need-two = Buka image kedua untuk melihat layer mana yang dipakai bersama — atau coba dua situs WordPress.
dg-title = Layer bersama
dg-lead = Setiap kolom adalah satu image, base di bawah. Layer yang dipakai beberapa image digambar sekali, sebagai satu pita melintasi kolom-kolomnya: Docker menyimpannya sekali, berdasarkan diff_id-nya.
dg-label = Layer semua image berdampingan
dg-band-aria = { $text }, dipakai oleh { $count } image
dg-shared-by = dipakai { $count } image
dg-hint = Arahkan ke sebuah layer, atau klik, untuk melihat image mana yang memakainya.
dg-used-by = Dipakai oleh
dg-at-layer = layer { $n }
dg-size = { $size } (blob tersimpan: { $stored })
dg-stored-once = disimpan sekali di disk
st-title = Penyimpanan
st-separate = jika setiap image menyimpan salinannya sendiri
st-stored = yang benar-benar disimpan (setiap layer sekali)
st-saved = dihemat karena berbagi
st-explain = Ukuran adalah tar layer tanpa kompresi, seperti yang disimpan Docker di disk; satu layer tetap satu file, berapa pun image yang memakainya.
cmp-title = Bandingkan dua image
cmp-a = Image A
cmp-b = Image B
cmp-need-two = Buka image kedua untuk membandingkan.
cmp-identical = Layer keduanya persis sama.
cmp-diverge-at = Keduanya berpisah di layer { $n }: { $shared } layer di bawahnya sama.
cmp-no-layer = (tidak ada layer di sini)
cmp-shared = Layer bersama: { $count } ({ $size }).
cmp-no-files = Tidak ada file yang berbeda di antara filesystem keduanya.
cmp-files-caption = { $count } path berbeda antara { $a } dan { $b }
cmp-change = Perubahan
cmp-path = Path
cmp-only-a = hanya di A
cmp-only-b = hanya di B
cmp-changed = berubah
cmp-rewritten = ditulis ulang (ukuran sama)
cmp-more = …dan { $count } lagi.
tr-title = Simulasi docker pull / docker push
tr-lead = Tandai image mana yang sudah ada di komputer ini dan mana yang ada di registry, lalu pull atau push salah satunya. Hanya layer yang belum dimiliki pihak lain yang dipindahkan.
tr-image = Image
tr-on-host = Ada di host ini
tr-in-registry = Ada di registry
tr-on-host-aria = { $image } ada di host ini
tr-in-registry-aria = { $image } ada di registry
tr-target = Image yang dipindahkan:
tr-speed = Kecepatan
tr-skip = Lewati animasi
tr-hint = Tekan docker pull atau docker push untuk melihat transkripnya.
tr-transcript = Transkrip
tr-identity-blob = Layer dicocokkan dengan digest blob terkompresinya, seperti yang dilakukan registry dan pull.
tr-identity-diff-id = Tarball ini hanya berisi layer tanpa kompresi, jadi tidak ada digest blob terkompresi: layer dicocokkan dengan diff_id (SHA-256 dari tar tanpa kompresi), seperti penyimpanan lokal Docker.
tr-counter-pull = Diunduh { $moved } dari { $total } · dilewati { $skipped } (sudah ada)
tr-counter-push = Diunggah { $moved } dari { $total } · dilewati { $skipped } (sudah ada di registry)
