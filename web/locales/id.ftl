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
drop-here = Lepaskan tarball di sini untuk membukanya

## Start
start-title = Lihat layer di dalam sebuah container image
start-lead = Buka tarball hasil docker save (atau arsip OCI), lalu Pancake menampilkannya seperti cara Docker menyimpannya: tumpukan layer, masing-masing terhubung dengan instruksi Dockerfile-nya, dan SHA-256 setiap layer diperiksa ulang.
start-drop = Seret berkas .tar atau .tar.gz ke mana saja di halaman ini
start-or = atau
start-choose = Pilih berkas
start-formats = docker save · podman · skopeo · arsip OCI · tarball terkompresi gzip — nama berkas apa pun
start-demo-title = Tidak punya tarball? Coba demo
start-demo-lead = Dibuat langsung di peramban Anda, tanpa perlu mengunduh apa pun.
start-privacy = Berkas Anda tidak pernah keluar dari komputer ini: semuanya dibaca di sini, di peramban Anda.

## Status
reading = Membaca…
progress-reading = Membaca { $size }…
progress-hashing = Memeriksa digest
time-left = { $time } lagi
seconds = { $n } dtk
minutes = { $m } mnt { $s } dtk
rate = { $mb } MB/dtk
per-second = { $size }/dtk
cancel = Batal
cancelled = Pemeriksaan dibatalkan: digest yang belum diperiksa tetap belum terverifikasi.
ready = ✓ Semua digest sudah diperiksa: { $verified } dari { $total } layer terverifikasi
ready-failed = ✗ Digest sudah diperiksa: hanya { $verified } dari { $total } layer terverifikasi
scan-time = tampilan pertama siap dalam { $ms } ms
summary-line = { $layers } layer · { $size } tanpa kompresi · { $format }
errors-title = Masalah yang ditemukan
error-fatal = Berkas tidak dapat dibaca:
no-image = Image ini tidak ditemukan di dalam tarball.
no-images-found = Tidak ada image yang dapat dibaca dari berkas ini. Masalah di atas menjelaskan sebabnya.

## Formats
format-docker-archive = docker save (klasik)
format-docker-oci-layout = docker save (Docker 25+, layout OCI)
format-oci-archive = arsip OCI
format-legacy-v1 = docker save lama (v1)
format-unrecognized = layout tidak dikenali

## Problems (kinds)
problem-archive = Tarball rusak
problem-metadata = Masalah pada manifest atau konfigurasi image
problem-missing-blob = Ada layer yang hilang
problem-digest-mismatch = Digest tidak cocok
problem-layer-unreadable = Ada layer yang tidak bisa dibaca
problem-unsafe-path = Path tidak aman
problem-whiteout = Masalah whiteout
problem-duplicate-member = Entri ganda di dalam tarball
problem-history = Riwayat tidak cocok dengan layer
problem-limit = Batas ukuran tercapai
problem-tar-quirk = Catatan format tar layer
problem-hard-link = Hard link tidak menunjuk ke file mana pun

## Image picker
picker-label = Image di dalam tarball ini
picker-title = { $count } image:
picker-layers = { $count } layer

## Stack
stack-label = Layer-layer image, dengan base di paling bawah
stack-top = atas: instruksi terakhir
stack-bottom = bawah: base image
stack-hint = Pilih sebuah layer untuk melihat digest, perintah, dan perubahan yang dibuatnya.
layer-generic = LAYER
layer-aria = Layer { $n }: { $text }, { $size }
base = base
badge-verified = terverifikasi
badge-mismatch = tidak cocok
badge-pending = sedang diperiksa
badge-unchecked = belum diperiksa
layer-n-of = Layer { $n } dari { $total }
mismatch-title = Isi layer ini tidak sesuai dengan yang tercatat di image.
expected = Seharusnya
actual = Hasil perhitungan
verified-explain = Terverifikasi: SHA-256 yang dihitung di sini cocok dengan setiap digest yang tercatat di image untuk layer ini.
pending-explain = SHA-256 layer ini sedang dihitung…
unchecked-explain = Layer ini tidak dapat diperiksa (blob-nya hilang atau tidak bisa dibaca).
digest = Digest (blob)
diff-id = diff_id (tanpa kompresi)
config-diff-id = diff_id di konfigurasi
created = Dibuat
command = Perintah
comment = Komentar
size = Ukuran
compression-none = tanpa kompresi
entries = Entri
changes = Perubahan
added = ditambahkan
modified = diubah
deleted = dihapus
unchanged = tidak berubah
wasted = Terbuang
wasted-explain = byte yang ditimpa atau dihapus oleh layer di atasnya
blob-path = Blob di dalam tarball
media-type = Tipe media
browse-files = Jelajahi berkas di layer ini
pending = menunggu…
copy = Salin
copied = Tersalin ✓

## Files
layer = Layer
files-mode = Yang ditampilkan
files-changes = Perubahan di layer ini
files-merged = Sistem berkas pada layer ini
filter = Filter berdasarkan path
filter-placeholder = Filter path…
files-tree = Berkas
files-count = { $count } path
files-matching = { $count } cocok
files-none = Layer ini tidak mengubah berkas apa pun.
files-none-match = Tidak ada path yang cocok dengan filter.
owner-layer = Layer asal berkas ini
owner-short = L{ $n }

## File content
content-loading = Membaca…
content-text = Menampilkan { $shown } dari { $size }.
content-binary = Berkas biner: hex dump { $shown } dari { $size }.
show-more = Tampilkan lebih banyak
close = Tutup

## History
history-lead = Seperti keluaran docker image history: langkah terbaru di paling atas. Klik perintah yang panjang untuk membaca selengkapnya.
expand = Tampilkan seluruh perintah
collapse = Ringkas

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
cfg-env = Environment variable
cfg-ports = Port yang dibuka
cfg-volumes = Volume
cfg-labels = Label
cfg-key = Kunci
cfg-value = Nilai
cfg-source = Ditemukan di
cfg-diff-ids = diff_id layer (di konfigurasi)

# --- course mode (tour, embedding, links) ---
page-title = Pancake — lihat layer di dalam container image
footer-tour = Ikuti tur
footer-embed = Sematkan di halaman kursus
demo-missing = Tidak ada demo bernama { $name }.
tour-start = Ikuti tur
tour-start-lead = Sepuluh langkah singkat tentang cara kerja layer pada image, dengan image demo bawaan.
tour-label = Tur terpandu
tour-counter = Langkah { $n } dari { $total }
tour-close = Tutup tur
tour-try = Coba:
tour-back = Kembali
tour-next = Lanjut
tour-finish = Selesai
tour-1-title = Image adalah tumpukan layer
tour-1-body = Saat Anda melakukan pull sebuah image, Docker menampilkan beberapa unduhan yang berjalan bersamaan, padahal Anda hanya meminta satu image. Setiap unduhan itu adalah satu layer: image tersusun dari layer-layer yang ditumpuk satu di atas yang lain, mirip pancake di atas piring. Ini image demo nginx, dengan layer base di paling bawah.
tour-1-do = Hitung layer pada tumpukan: saat image ini di-pull, setiap layer muncul sebagai satu unduhan.
tour-2-title = Satu instruksi, satu layer
tour-2-body = Setiap layer dibuat oleh satu instruksi di Dockerfile image tersebut: FROM menentukan base image, RUN memasang perangkat lunak, COPY menyalin berkas ke dalam image. Instruksi seperti ENV, EXPOSE, dan CMD hanya mengubah pengaturan, jadi tidak menambah berkas dan tampil sebagai garis tipis 0 B di antara layer.
tour-2-do = Klik layer COPY, lalu baca perintah yang membuatnya.
tour-3-title = Membaca docker image history
tour-3-body = Perintah docker image history menampilkan instruksi yang sama, mulai dari yang terbaru. Baris berukuran 0B adalah langkah yang hanya mengubah pengaturan; setiap baris lainnya adalah tepat satu layer di tumpukan.
tour-3-do = Cari baris COPY, lalu bandingkan ukurannya dengan layer COPY di tab Tumpukan.
tour-4-title = Setiap layer punya sidik jari
tour-4-body = Sebuah layer dikenali dari digest SHA-256-nya, yang dihitung dari setiap byte isinya: ubah satu byte saja, digest-nya langsung berbeda sama sekali. Docker memakainya untuk membedakan layer yang satu dengan yang lain. Pancake baru saja menghitung ulang semua digest di peramban Anda dan mencocokkannya dengan yang tercatat di image.
tour-4-do = Di panel detail, temukan lencana ✓ terverifikasi dan digest lengkap layer yang dipilih.
tour-5-title = Instruksi sama, layer dipakai bersama
tour-5-body = Ini dua image WordPress dengan versi yang sama, masing-masing dengan data situs yang berbeda. Layer-layer bawahnya berasal dari instruksi yang sama dengan urutan yang sama, sehingga isinya identik sampai byte terakhir dan Docker hanya menyimpan satu salinan. Hanya layer teratas, yaitu data situs, yang tersimpan dua kali.
tour-5-do = Temukan layer yang dipakai kedua image: layer itu hanya digambar sekali, melintang di atas keduanya.
tour-6-title = Pull hanya mengunduh yang belum ada
tour-6-body = Saat melakukan pull, Docker mencocokkan SHA setiap layer image dengan layer yang sudah ada di mesin Anda, lalu hanya mengunduh yang belum dimiliki. Jika semuanya sudah ada, tidak ada yang diunduh sama sekali.
tour-6-do = Tandai wordpress-a sebagai sudah ada di mesin ini, lalu pull wordpress-b: baris mana saja yang bertuliskan Already exists?
tour-7-title = Container: satu layer tipis di atas image
tour-7-body = Menjalankan container tidak menyalin image. Docker menaruh satu layer baru yang kosong dan bisa ditulisi di atas layer-layer image, yang semuanya tetap hanya bisa dibaca. Karena itu container bisa langsung berjalan dan hampir tidak memakan ruang: awalnya layer-nya hanya berisi sedikit metadata.
tour-7-do = Jalankan sebuah container, lalu temukan layer barunya di puncak tumpukan.
tour-8-title = Copy on write
tour-8-body = Ketika container mengubah berkas milik image, misalnya nginx.conf, Docker lebih dulu menyalin berkas itu ke layer milik container, lalu salinan itulah yang diubah. Berkas di dalam image sama sekali tidak tersentuh.
tour-8-do = Buka /etc/nginx/nginx.conf di container, ubah satu baris lalu simpan, kemudian bandingkan dengan salinan di image.
tour-9-title = Container tidak melihat perubahan container lain
tour-9-body = Setiap container mendapat layer sendiri yang bisa ditulisi, di atas image yang sama. Perubahan di satu container hanya ada di layer container itu, sehingga container lain, dan image-nya sendiri, tidak pernah melihatnya.
tour-9-do = Jalankan container kedua dan buka nginx.conf di sana: isinya masih teks aslinya.
embed-open = Sematkan
embed-open-full = Buka Pancake versi lengkap
embed-title = Pasang Pancake di halaman kursus
embed-lead = Tempelkan baris ini ke halaman Anda. Semuanya berjalan di peramban pembaca: tidak ada yang diunggah dan tidak ada yang dimuat dari situs lain.
embed-snippet = HTML untuk ditempel di halaman kursus
embed-params = Parameter
embed-param = Parameter
embed-values = Nilai
embed-meaning = Fungsinya
embed-param-demo = Membuka image demo bawaan; beberapa nama yang dipisah koma dibuka bersama dalam satu sesi.
embed-param-view = Tab yang ditampilkan.
embed-param-layer = Layer yang dipilih, dihitung dari base.
embed-param-step = Membuka tur terpandu pada langkah ini.
embed-param-lang = Bahasa halaman; jika tidak diisi, mengikuti bahasa peramban.
embed-param-embed = Mode ringkas untuk iframe: tanpa header dan footer, dengan tautan untuk membuka versi lengkap.
embed-param-src = Membuka tarball dari sebuah alamat web. Server yang menyimpannya harus mengizinkan halaman ini membacanya (CORS).
embed-cors = Untuk src, server tempat tarball disimpan harus mengirim header Access-Control-Allow-Origin (misalnya *); tanpa header itu peramban menolak menyerahkan berkas ke halaman.
embed-docs = Panduan yang sama, lengkap dengan contoh, ada di docs/embed.md.
src-loading = Mengunduh { $url }…
src-failed = Tidak dapat mengunduh { $url }.
src-http = Server menjawab HTTP { $status }.
src-cors = Peramban tidak menerima jawaban yang boleh dibaca. Mungkin server tidak dapat dihubungi, atau server tidak mengizinkan halaman ini membaca berkasnya: server harus mengaktifkan CORS (mengirim header Access-Control-Allow-Origin). Situs lain hanya dihubungi lewat https.
src-confirm-title = Buka berkas dari situs lain?
src-confirm-host = Tautan ini meminta Pancake mengunduh tarball image dari { $host }. Tidak ada yang diambil sebelum Anda setuju.
src-confirm-why = Berkas dibaca di peramban Anda dan tidak pernah diunggah. Buka hanya jika Anda memercayai tautannya: situs itu akan tahu bahwa Anda meminta berkas tersebut.
src-confirm-open = Unduh dan buka
src-confirm-cancel = Batal

# --- containers ---
tab-container = Container
ctr-run = Jalankan container
ctr-run-hint = Jalankan container dari image ini: satu layer tipis yang bisa ditulisi di atas layer-layernya
ctr-no-config = Image ini tidak punya digest konfigurasi, jadi container tidak bisa dijalankan darinya
ctr-intro = Container adalah image ditambah satu layer tipis yang bisa ditulisi. Ubah sebuah berkas, maka berkas itu disalin dulu ke layer tersebut; image tetap seperti semula.
ctr-list = Container dari image ini
ctr-remove = Hapus container { $name }
ctr-none = Belum ada container. Tekan “Jalankan container” di atas.
ctr-stack = Layer-layer container, dari atas
ctr-layer = layer container
ctr-layer-empty = kosong: hanya metadata
ctr-layer-rw = bisa ditulisi: salinan berkas dan berkas baru
ctr-stack-note = Layer image di bawahnya hanya bisa dibaca dan dipakai bersama oleh semua container dari image ini.
ctr-files = Berkas yang dilihat container
ctr-owner-container = container
ctr-owner-layer = layer image { $n }
ctr-delete = Hapus { $path }
ctr-new-path = Path berkas atau folder baru
ctr-new-file = Berkas baru
ctr-new-folder = Folder baru
ctr-editor = Editor berkas
ctr-editing = Isi { $path }
ctr-reading = Membaca berkas dari image…
ctr-binary = Berkas ini bukan teks; bisa dihapus, tetapi tidak bisa diubah di sini.
ctr-save = Simpan
ctr-unsaved = Ada perubahan yang belum disimpan
ctr-delete-file = Hapus
ctr-image-copy = Salinan di image (layer { $n }, tidak berubah)
ctr-container-copy = Salinan di container (layer container)
ctr-diff-empty = Belum ada perubahan: container melihat persis isi image.
ctr-commit = Commit
ctr-commit-hint = Jadikan layer container sebagai layer image baru, lalu buka image barunya
ctr-export = Unduh sebagai tarball
ctr-export-hint = Image hasil commit sebagai tarball yang bisa dimuat dengan docker load
ctr-committing = Sedang melakukan commit…
ctr-exporting = Menulis tarball…
ctr-file-gone = Berkas yang dibuka sudah tidak tersedia; buka lagi berkasnya.

# --- shared layers ---
tab-shared = Layer bersama
demo-pair = Coba: dua situs WordPress
sh-title = Image dalam sesi ini
sh-lead = Setiap image yang Anda buka tetap ada di sini, jadi Anda bisa melihat layer apa saja yang mereka pakai bersama. Buka berkas lain, seret beberapa berkas sekaligus ke halaman, atau hapus salah satunya dengan ✕.
sh-image-bytes = { $total } tar layer, { $unique } di antaranya hanya miliknya
sh-pending = (masih diperiksa)
sh-queued = { $count } berkas lagi menunggu dibaca.
sh-remove-aria = Hapus { $image } dari sesi
sh-add = Tambah image…
sh-need-two = Buka image kedua untuk melihat layer mana yang dipakai bersama — atau coba dua situs WordPress.
dg-title = Layer bersama
dg-lead = Setiap kolom adalah satu image, dengan base di paling bawah. Sebuah layer dipakai bersama bila layer itu sama dan layer-layer di bawahnya juga sama — instruksinya sama, dan urutan instruksinya sama: Docker menyimpannya sekali saja, berdasarkan ChainID-nya. diff_id yang sama di atas base yang berbeda adalah layer lain.
dg-label = Layer semua image berdampingan
dg-band-aria = { $text }, dipakai oleh { $count } image
dg-shared-by = dipakai { $count } image
dg-hint = Arahkan kursor ke sebuah layer, atau klik layer itu, untuk melihat image mana saja yang memakainya.
dg-used-by = Dipakai oleh
dg-at-layer = layer { $n }
dg-stored-once = disimpan sekali di layer store
st-title = Penyimpanan
st-separate = jika setiap image menyimpan salinannya sendiri
st-stored = di layer store Docker (setiap ChainID sekali)
st-saved = dihemat karena layer dipakai bersama
st-explain = Ukuran layer store adalah tar layer tanpa kompresi, seperti yang disimpan Docker di disk: satu layer disimpan sekali per ChainID — layer itu bersama semua layer di bawahnya — jadi dua image memakainya bersama hanya bila dibangun dengan instruksi yang sama, dan urutan instruksi yang sama.
st-content = content store (setiap blob sekali, berdasarkan digest)
st-content-explain = Content store (containerd, registry) menyimpan setiap blob sekali berdasarkan digest-nya, di mana pun letaknya dalam rantai: blob apa adanya, terkompresi atau tidak.
dg-chain-id = ChainID
dg-chain-id-hint = SHA-256 atas diff_id dari base sampai layer ini: kunci yang dipakai layer store Docker untuk menyimpan sebuah layer
tr-identity-chain = Docker melewati layer yang sudah dimilikinya beserta semua layer di bawahnya; mulai dari layer pertama yang belum ada, semua layer di atasnya diunduh.
cmp-title = Bandingkan dua image
cmp-a = Image A
cmp-b = Image B
cmp-need-two = Buka image kedua untuk membandingkan.
cmp-identical = Layer keduanya persis sama.
cmp-diverge-at = Keduanya mulai berbeda di layer { $n }: { $shared } layer di bawahnya sama.
cmp-no-layer = (tidak ada layer di sini)
cmp-shared = Layer bersama: { $count } ({ $size }).
cmp-no-files = Tidak ada berkas yang berbeda di antara sistem berkas keduanya.
cmp-files-caption = { $count } path berbeda antara { $a } dan { $b }
cmp-change = Perubahan
cmp-path = Path
cmp-only-a = hanya di A
cmp-only-b = hanya di B
cmp-changed = berubah
cmp-rewritten = ditulis ulang (ukuran sama)
cmp-more = …dan { $count } lagi.
tr-title = Simulasi docker pull / docker push
tr-lead = Tandai image mana yang sudah ada di komputer ini dan mana yang ada di registry, lalu lakukan pull atau push salah satunya. Hanya layer yang belum ada di sisi tujuan yang dipindahkan.
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
tr-identity-blob = Layer dicocokkan dengan digest blob terkompresinya, seperti registry menyimpannya.
tr-identity-diff-id = Layer di berkas ini tidak dikompresi, jadi registry mengenali setiap layer dari sidik jari (SHA-256) isinya yang belum dikemas.
tr-counter-pull = Diunduh { $moved } dari { $total } · dilewati { $skipped } (sudah ada)
tr-counter-push = Diunggah { $moved } dari { $total } · dilewati { $skipped } (sudah ada di registry)

# --- core problem kinds ---
problem-missing-platform = Ada platform yang tidak disertakan dalam tarball ini (bukan galat)

# Verifikasi yang tidak dapat dilakukan (tidak ada digest yang diklaim, atau sengaja tidak disertakan)
badge-not-checkable = tidak dapat diperiksa
not-checkable-explain = Tidak ada bagian arsip ini yang mengklaim digest untuk layer ini yang dapat diperiksa di sini, sehingga tidak dapat diperiksa. Ini bukan kesalahan:
problem-non-distributable = Ada layer yang sengaja tidak disertakan (non-distributable; bukan galat)
problem-disagreement = Dua sumber di dalam arsip tidak sepakat
problem-artifact = Tanda tangan, atestasi, atau SBOM merujuk ke image yang tidak ada di sini (bukan galat)

# --- track "problems": grouped problems and what each kind means (#15, #14) ---
problems-layer = Layer { $n }
problems-image-layer = Image { $image } · layer { $n }
problems-select = Tampilkan layer ini di tumpukan
problems-count = masalah: { $count }
problem-archive-why = Tarball-nya sendiri terpotong atau rusak, sehingga isi setelah bagian yang rusak tidak bisa dibaca. Apakah unduhan atau salinannya sudah lengkap?
problem-metadata-why = Berkas manifest, index, atau konfigurasi hilang atau bentuknya tidak sesuai format, sehingga sebagian image tidak bisa dijelaskan.
problem-missing-blob-why = Image menyebut sebuah layer yang berkasnya tidak ada di tarball ini, sehingga isi layer itu tidak bisa ditampilkan atau diperiksa.
problem-missing-platform-why = Image ini dibuat untuk beberapa platform dan hanya sebagian yang disimpan; hal ini wajar untuk pull satu platform.
problem-digest-mismatch-why = Sidik jari (SHA-256) yang dihitung dari isi berkas berbeda dengan yang dicatat image: berkas diubah atau rusak setelah disimpan.
problem-layer-unreadable-why = Berkas sebuah layer tidak bisa dibongkar sampai akhir (kompresi atau tar rusak), sehingga daftar berkasnya mungkin tidak lengkap.
problem-unsafe-path-why = Ada nama yang mencoba menunjuk ke luar image (path absolut atau ..). Pancake tidak pernah mengikutinya; alat yang ceroboh mungkin mengikutinya.
problem-whiteout-why = Penanda penghapusan (whiteout) memakai nama yang tidak diizinkan aturan, sehingga tidak menghapus apa pun.
problem-hard-link-why = Sebuah hard link menunjuk ke berkas yang belum ada saat itu, sehingga link itu tidak punya isi.
problem-duplicate-member-why = Nama yang sama muncul dua kali; salinan terakhir yang dipakai, seperti Docker membacanya.
problem-history-why = Langkah riwayat image tidak berpasangan satu-satu dengan layer-nya; pasangan yang ditampilkan mengikuti aturan Docker.
problem-limit-why = Ada yang lebih besar dari batas aman Pancake, sehingga tidak dibaca seluruhnya.
problem-tar-quirk-why = Berkas tar sedikit menyimpang dari format dengan cara yang diterima Docker; layer tetap dibaca seluruhnya.
problem-non-distributable-why = Layer ini sengaja tidak disertakan (harus diunduh dari alamatnya sendiri); selebihnya image ini lengkap.
problem-disagreement-why = Dua berkas di dalam tarball menjelaskan image secara berbeda; image ditampilkan seperti docker load memuatnya.
problem-artifact-why = Ada tanda tangan, atestasi, atau SBOM, tetapi image miliknya tidak ada di tarball ini.
badge-missing = hilang
badge-unreadable = tidak terbaca

# --- track "views": artifacts, verification states, non-distributable layers ---
artifacts-title = Artefak image ini ({ $count }): tanda tangan, atestasi, SBOM
artifacts-lead = Manifest berikut merujuk ke image ini. Semuanya bukan image dan tidak punya layer untuk ditampilkan.
artifact-kind-signature = Tanda tangan
artifact-kind-attestation = Atestasi
artifact-kind-sbom = SBOM
artifact-kind-helm-chart = Chart Helm
artifact-kind-other = Artefak lain
artifact-absent = tidak ada di arsip ini (hanya deskriptornya)
artifact-refers = merujuk ke image melalui { $how }
ready-neutral = ○ Digest sudah diperiksa: { $verified } dari { $total } layer terverifikasi, { $neutral } tidak dapat diperiksa (tidak ada klaim digest, atau sengaja tidak disertakan); tidak ada yang gagal
badge-non-distributable = sengaja tidak disertakan
nondist-explain = Sengaja tidak disertakan dalam arsip ini: layer non-distributable (foreign), yang memang tidak ikut disalin oleh alat penyalin image. Ini bukan galat; bagian image lainnya lengkap. Deskriptornya menyebut ukurannya: { $size }.
nondist-urls = Tempat mengambilnya (URL yang disebut deskriptornya):
nondist-no-urls = Deskriptornya tidak menyebut URL untuk mengambilnya.
nondist-size = { $size }, menurut deskriptornya (layer ini tidak ada di arsip ini)
nondist-size-short = { $size } · tidak ada di sini
missing-explain = Hilang: blob layer ini tidak ada di dalam arsip.
unreadable-explain = Tidak terbaca: blob layer ini ada di arsip tetapi tidak dapat dibaca sampai akhir.

# --- track "views": raw JSON of the config and manifests ---
raw-title = JSON mentah, sebagaimana tersimpan di arsip
raw-none = Arsip ini tidak menyimpan JSON untuk image ini (simpanan lama, atau dokumen melebihi batas ukuran).
raw-config = Config
raw-manifest = Manifest OCI
raw-docker-manifest = manifest.json (docker save)
raw-index = index.json (indeks OCI)
raw-lines = { $n } baris
raw-copy = Salin JSON { $doc }
# --- track "search": pencarian path di semua layer ---
search-title = Cari path di semua layer
search-placeholder = Nama, bagian path, atau glob seperti *.conf
search-hint = Teks dicari di bagian mana pun dari path; dengan * ? atau [ menjadi glob (pada nama, atau pada seluruh path bila ada /). Setiap hasil menyebut layer yang menambah, mengubah, dan menghapusnya.
search-invalid = Pola tidak valid: { $reason }
search-count = Path ditemukan: { $count }
search-count-some = Path ditemukan: { $count } ({ $shown } yang pertama ditampilkan)
search-gone = tidak ada di image akhir
search-added = ditambahkan di layer { $n }
search-modified = diubah di layer { $n }
search-deleted-whiteout = dihapus di layer { $n } (whiteout)
search-deleted-opaque = dihapus di layer { $n } (direktori opaque)
search-deleted-replaced = dihapus di layer { $n } (diganti)
owner-added-short = L{ $a }→L{ $n }
owner-added-layer = Ditambahkan di layer { $a }; terakhir diubah di layer { $n }
# --- speed (issue 13): how a layer's blob was hashed ---
hashed-with = Di-hash dengan
hashed-webcrypto = WebCrypto (SHA-256 milik peramban, sekali baca)
hashed-streamed = dialirkan (wasm, per potongan)
# --- track classroom ---
tour-fold = Lipat kartu tur menjadi satu baris
tour-unfold = Tampilkan seluruh kartu tur
tr-no-pull = docker pull tidak bisa: image ini tidak ada di registry (pull mengambil dari registry).
tr-no-push = docker push tidak bisa: image ini tidak ada di host ini (push mengirim dari komputer ini).
summary-line-one = { $layers } layer · { $size } tanpa kompresi · { $format }
picker-layers-one = { $count } layer
sh-queued-one = { $count } berkas lagi menunggu dibaca.
dg-band-aria-one = { $text }, dipakai oleh { $count } image
cmp-files-caption-one = { $count } path berbeda antara { $a } dan { $b }
# --- track dockerfile: Dockerfile di samping history ---
df-lead = Dockerfile yang dibaca kembali dari history image, dimulai dari base image. Pilih sebuah instruksi untuk memilih layer yang dibuatnya; tabel history di dekatnya menandai langkah yang sama.
df-base-unnamed-one = base image, 1 layer
df-base-unnamed = base image, { $count } layer
df-base-none = tanpa layer dasar
df-base-layer-one = base image: layer 1
df-base-layers = base image: layer 1–{ $last }
df-layer-n = layer { $n }
df-select-aria = Pilih layer { $n }: { $text }
df-settings-only = hanya pengaturan
df-no-layer = tidak membuat layer di sini
df-build-arg = argumen build
tour-10-title = Dockerfile di balik history
tour-10-body = Ini image demo mysql. Inilah Dockerfile-nya, dibaca kembali dari history image, bersebelahan dengan hasil docker image history mysql. Langkahnya sama: setiap RUN, COPY atau ADD membuat satu layer, sedangkan ENV, EXPOSE, CMD hanya mengubah pengaturan. RUN rm di langkah berikutnya tidak menghemat apa pun: file yang dihapus tetap ada di layer bawah, layer berikutnya hanya menyembunyikannya.
tour-10-do = Klik sebuah instruksi RUN di Dockerfile: layer-nya terpilih dan baris yang sama ditandai di tabel history.
hidden = Disembunyikan
hidden-value = { $size } dari layer di bawahnya
hidden-explain = dihapus oleh layer ini tetapi masih tersimpan di layer bawah, jadi image tidak menjadi lebih kecil: RUN rm di langkah berikutnya tidak menghemat apa pun.
df-no-recorded-step = tidak ada langkah tercatat (base image)
df-pairing-top-one = History mencatat lebih sedikit langkah pembuat layer daripada jumlah layer, jadi dipasangkan dari atas (sebuah build menambahkan langkahnya di atas base-nya): layer 1 tidak punya langkah tercatat (base image).
df-pairing-top = History mencatat lebih sedikit langkah pembuat layer daripada jumlah layer, jadi dipasangkan dari atas (sebuah build menambahkan langkahnya di atas base-nya): layer 1–{ $last } tidak punya langkah tercatat (base image).
df-pairing-bottom = History mencatat lebih banyak langkah pembuat layer daripada jumlah layer, jadi dipasangkan dari bawah, seperti docker image history: langkah terbaru tidak membuat layer di sini.
df-pairing-none = Image ini tidak mencatat history: tidak ada layer yang punya langkah.

# platforms track (issue 15): the platforms of a multi-platform index
pf-title = Platform dalam index ini
pf-lead = Index ini mencantumkan { $count } platform; { $present } di antaranya ada di arsip ini. Pilih salah satu untuk membukanya.
pf-open-aria = Buka platform { $platform }
pf-shown = ditampilkan
pf-absent = tidak ada di arsip ini
pf-unreadable = ada di arsip ini, tetapi tidak bisa dibaca
pf-no-digest = tanpa digest manifest
# --- words track (#14): waktu relatif ---
ago-less-than-second = kurang dari sedetik yang lalu
ago-seconds = { $count } detik yang lalu
ago-seconds-one = { $count } detik yang lalu
ago-about-minute = sekitar semenit yang lalu
ago-minutes = { $count } menit yang lalu
ago-about-hour = sekitar sejam yang lalu
ago-hours = { $count } jam yang lalu
ago-days = { $count } hari yang lalu
ago-weeks = { $count } minggu yang lalu
ago-months = { $count } bulan yang lalu
ago-years = { $count } tahun yang lalu
files-count-one = { $count } path
picker-title-one = { $count } image:
cmp-diverge-at-one = Keduanya mulai berbeda di layer { $n }: { $shared } layer di bawahnya sama.
<<<<<<< HEAD
# track: sizes — satu ukuran per layer (issue 14)
lsz-key = Ukuran layer adalah ukuran berkas-berkas di dalam layer itu, seperti yang ditunjukkan docker history; detail layer juga memberi ukuran tar dan ukuran tersimpannya.
lsz-title = ukuran berkas-berkas layer ini (seperti yang ditunjukkan docker history)
lsz-files = Ukuran berkas
lsz-files-explain = yang ditunjukkan docker history sebagai SIZE
lsz-other = Tar dan tersimpan
lsz-other-detail = tar tanpa kompresi { $tar } · blob tersimpan { $stored } ({ $compression })
problem-subject = { $image } · Layer { $n }
sh-also-in = juga ada di { $files }
=======
# --- tree track (#15): folding, sort, largest files, download ---
tree-sort = Urutan
tree-sort-name = Nama
tree-sort-size = Ukuran
tree-expand-all = Buka semua
tree-collapse-all = Tutup semua
tree-largest = File terbesar
tree-largest-layer = File terbesar yang ditambah atau diubah layer ini
tree-largest-merged = File terbesar di filesystem pada layer ini
tree-largest-image = File terbesar di image
tree-largest-none = Tidak ada file.
tree-show-more = Tampilkan { $shown } lagi ({ $hidden } belum tampil)
tree-download = Unduh
tree-download-reading = Membaca seluruh file…
tree-download-failed = File tidak bisa disimpan: { $error }
tree-download-too-big = File ini { $size }; halaman menyimpan file sampai { $limit }. Simpan dengan: pancake cat FILE PATH
tree-layer-download-stored = Unduh layer { $n } apa adanya
tree-layer-download-tar = Unduh layer { $n } sebagai .tar
tree-layer-inflating = Mendekompresi…
tree-layer-tar-unavailable = Kompresi layer ini tidak bisa dibuka di browser; gunakan: pancake export-layer FILE N
tree-layer-export-unavailable = Layer ini tidak bisa disimpan dari halaman: blob-nya tidak ada atau seluruh file terkompresi.
>>>>>>> tree
tree-download-short = hanya { $got } dari { $size } byte yang bisa dibaca (file berakhir lebih awal)

# track: index (issue 13, target 3): the layer indexes still crossing from the worker
index-pending = Daftar file setiap layer masih dibaca; tampilan ini terbuka sebentar lagi.
