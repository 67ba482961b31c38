"""The words of the viewer and the reports in Bahasa Indonesia (the default) and English.

Templates call ``t("key")``; a key missing from a language falls back to Indonesian, and a test
checks that both languages have every key. Placeholders use ``str.format`` names.

Texts about a number of things (``1 person``, ``2 people``) are counted texts: one text per plural
category of the language, picked by Babel's CLDR plural rules from the ``count`` value, as gettext's
``ngettext`` does. Indonesian nouns do not change (``1 orang``, ``2 orang``: the one category
``other``); English has ``one`` and ``other``. ``t("count.people", count=2)`` is ``2 people``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

from babel import Locale

from cvmon.i18n.customer_words import CUSTOMER_WORDS
from cvmon.i18n.dates import LANGUAGES, Language

__all__ = [
    "LANGUAGES",
    "LANGUAGE_COOKIE",
    "Language",
    "counted_keys",
    "pick_language",
    "plural_category",
    "text_keys",
    "translate",
    "translator",
]
LANGUAGE_COOKIE = "cvmon_lang"

# key: (Indonesian, English)
_WORDS: dict[str, tuple[str, str]] = {
    # frame
    "app.tagline": ("Pemantauan lingkungan layanan", "Service-environment monitoring"),
    "nav.dashboard": ("Dasbor", "Dashboard"),
    "nav.alerts": ("Peringatan", "Alerts"),
    "nav.evidence": ("Bukti", "Evidence"),
    "nav.audit": ("Log audit", "Audit log"),
    "nav.users": ("Pengguna", "Users"),
    "nav.privacy": ("Perlindungan data", "Data protection"),
    "nav.api": ("API", "API"),
    "nav.logout": ("Keluar", "Sign out"),
    "nav.language": ("English", "Bahasa Indonesia"),
    "nav.signed_in_as": ("Masuk sebagai {user} ({role})", "Signed in as {user} ({role})"),
    "footer.privacy": (
        "Data anonim: tanpa identitas, tanpa rekaman mentah, tanpa jejak per orang.",
        "Anonymous data: no identities, no raw footage, no per-person tracks.",
    ),
    # roles
    "role.admin": ("Admin", "Admin"),
    "role.manager": ("Manajer", "Manager"),
    "role.pic": ("PIC layanan", "Service PIC"),
    "role.auditor": ("Auditor", "Auditor"),
    "role.viewer": ("Pemantau", "Viewer"),
    # login
    "login.title": ("Masuk", "Sign in"),
    "login.username": ("Nama pengguna", "Username"),
    "login.password": ("Kata sandi", "Password"),
    "login.submit": ("Masuk", "Sign in"),
    "login.wrong": ("Nama pengguna atau kata sandi salah.", "Wrong username or password."),
    "login.locked": (
        "Terlalu banyak percobaan gagal; coba lagi dalam {minutes} menit.",
        "Too many failed attempts; try again in {minutes} minute(s).",
    ),
    "login.missing": ("Isi nama pengguna dan kata sandi.", "Enter a username and a password."),
    "login.notice": (
        "Akses hanya untuk pengawasan dan evaluasi layanan; setiap akses dicatat.",
        "Access is for service supervision and evaluation only; every access is logged.",
    ),
    "login.signed_out": ("Anda telah keluar.", "You have signed out."),
    # dashboard
    "dash.title": ("Dasbor", "Dashboard"),
    "dash.units": ("Unit", "Units"),
    "dash.all_units": ("Semua unit saya", "All my units"),
    "dash.no_cameras": ("Belum ada kamera di unit ini.", "No cameras in this unit yet."),
    "dash.refresh_note": (
        "Diperbarui otomatis setiap {seconds} detik.",
        "Refreshes by itself every {seconds} seconds.",
    ),
    "dash.updated": ("Diperbarui {time}", "Updated {time}"),
    "dash.open_alerts": ("Peringatan terbuka", "Open alerts"),
    "dash.no_data": ("Belum ada data", "No data yet"),
    "dash.data_from": ("Data menit {time}", "Data of minute {time}"),
    "dash.stale": ("data lama", "stale"),
    "dash.cameras": ("Kamera", "Cameras"),
    # the dashboard's summary per unit
    "summary.title": ("Ringkasan per unit", "Summary per unit"),
    "summary.all_calm": ("Tidak ada yang perlu ditindaklanjuti sekarang.", "Nothing needs action now."),
    "summary.cameras_online": ("Kamera daring", "Cameras online"),
    "summary.queue_now": ("Antrean sekarang (orang)", "Queuing now (people)"),
    "summary.open_alerts": ("Peringatan terbuka", "Open alerts"),
    "summary.ongoing": ("{n} berlangsung", "{n} ongoing"),
    "summary.waiting": ("{n} menunggu", "{n} waiting"),
    "summary.worst_wait": ("Tunggu terlama hari ini (rerata sejam)", "Worst wait today (hourly mean)"),
    "summary.worst_wait_at": ("jam {hour}", "hour of {hour}"),
    "summary.reason.escalated": ("{n} dieskalasi, belum ditangani", "{n} escalated, not acknowledged"),
    "summary.reason.followup": ("{n} menunggu tindak lanjut", "{n} awaiting follow-up"),
    # lists: filters and pages
    "list.pages": ("Halaman", "Pages"),
    "list.rows": ("{first}–{last} dari {total}", "{first}–{last} of {total}"),
    "list.any_rule": ("Semua aturan", "Any rule"),
    "list.any_kind": ("Semua jenis", "Any kind"),
    "list.from": ("Dari tanggal", "From day"),
    "list.to": ("Sampai tanggal", "To day"),
    "list.reset": ("Hapus saringan", "Clear filters"),
    "list.days_in": ("Tanggal menurut zona waktu {zone}.", "Days in the {zone} time zone."),
    "list.bad_choice": ("{name}: pilihan tidak dikenal '{value}'", "{name}: unknown choice '{value}'"),
    "list.bad_day": ("{name}: bukan tanggal (tttt-bb-hh): {value}", "{name}: not a day (yyyy-mm-dd): {value}"),
    "list.bad_range": ("Tanggal akhir sebelum tanggal awal.", "The last day is before the first."),
    # camera status
    "status.online": ("Daring", "Online"),
    "status.offline": ("Luring", "Offline"),
    "status.unknown": ("Belum diketahui", "Unknown"),
    "camera.last_frame": ("Bingkai terakhir", "Last frame"),
    "camera.fps": ("fps dianalisis", "analysed fps"),
    "camera.inference": ("inferensi", "inference"),
    # zones
    "zone": ("Zona", "Zone"),
    "zone.kind": ("Jenis", "Kind"),
    "zone.kind.queue": ("Antrean", "Queue"),
    "zone.kind.waiting": ("Ruang tunggu", "Waiting area"),
    "zone.kind.counter_staff": ("Petugas loket", "Counter staff"),
    "zone.kind.counter_customer": ("Pelanggan loket", "Counter customer"),
    "zone.kind.post": ("Pos petugas", "Staff post"),
    "zone.kind.entrance": ("Pintu masuk", "Entrance"),
    "fig.people": ("Orang", "People"),
    "fig.queue": ("Panjang antrean", "Queue length"),
    "fig.occupancy": ("Okupansi", "Occupancy"),
    "fig.capacity": ("Kapasitas", "Capacity"),
    "fig.staffing": ("Kehadiran petugas", "Staffing"),
    "fig.staffed": ("Terisi", "Staffed"),
    "fig.unstaffed": ("Kosong", "Unstaffed"),
    "fig.wait": ("Waktu tunggu", "Wait time"),
    "fig.wait_p50": ("Tunggu p50", "Wait p50"),
    "fig.wait_p90": ("Tunggu p90", "Wait p90"),
    "fig.visits": ("Kunjungan", "Visits"),
    "fig.max": ("maks", "max"),
    # camera page
    "cam.title": ("Kamera {name}", "Camera {name}"),
    "cam.day": ("Hari", "Day"),
    "cam.show": ("Tampilkan", "Show"),
    "cam.prev_day": ("Hari sebelumnya", "Previous day"),
    "cam.next_day": ("Hari berikutnya", "Next day"),
    "cam.latest_frame": ("Bingkai anonim terakhir dengan zona", "Latest anonymised frame with zones"),
    "cam.no_frame": ("Belum ada bingkai anonim.", "No anonymised frame yet."),
    "cam.frame_hidden": (
        "Peran Anda hanya melihat angka; zona digambar tanpa gambar kamera.",
        "Your role sees figures only; the zones are drawn without the camera image.",
    ),
    "cam.chart_queue": ("Panjang antrean dan jumlah orang (rata-rata)", "Queue length and people (mean)"),
    "cam.resolution.minute": ("Satu titik per menit.", "One point per minute."),
    "cam.resolution.quarter": ("Satu titik per 15 menit.", "One point per 15 minutes."),
    "cam.resolution.hour": (
        "Satu titik per jam (angka per menit sudah dihapus).",
        "One point per hour (minute figures deleted).",
    ),
    "cam.chart_wait": ("Waktu tunggu p50 / p90 (detik)", "Wait time p50 / p90 (seconds)"),
    "cam.chart_staffing": ("Kehadiran petugas (% waktu terisi)", "Staffing (% of time staffed)"),
    "cam.chart_occupancy": ("Okupansi terhadap kapasitas (%)", "Occupancy against capacity (%)"),
    "cam.no_chart_data": ("Tidak ada nilai", "No values"),
    "cam.no_day_data": ("Tidak ada data untuk hari ini.", "No data for this day."),
    "cam.zones_now": ("Zona saat ini", "Zones now"),
    "cam.recent_alerts": ("Peringatan kamera ini", "Alerts of this camera"),
    "cam.bad_day": ("Tanggal tidak valid: {day}", "Not a valid date: {day}"),
    "date.out_of_range": (
        "Tanggal di luar rentang: {value} (dari {first} sampai {last})",
        "Date out of range: {value} (from {first} to {last})",
    ),
    # alerts
    "alerts.title": ("Peringatan", "Alerts"),
    "alerts.show_open": ("Belum selesai", "Not resolved"),
    "alerts.show_all": ("Semua", "All"),
    "alerts.none": ("Tidak ada peringatan.", "No alerts."),
    "alerts.opened": ("Dibuka", "Opened"),
    "alerts.unit": ("Unit", "Unit"),
    "alerts.camera": ("Kamera", "Camera"),
    "alerts.rule": ("Aturan", "Rule"),
    "alerts.value": ("Nilai / puncak", "Value / peak"),
    "alerts.status": ("Status", "Status"),
    "alerts.followup": ("Tindak lanjut", "Follow-up"),
    "alerts.actions": ("Aksi", "Actions"),
    "alerts.ack": ("Tangani", "Acknowledge"),
    "alerts.resolve": ("Selesaikan", "Resolve"),
    "alerts.category": ("Kategori", "Category"),
    "alerts.note": ("Catatan tindak lanjut", "Follow-up note"),
    "alerts.acked_by": ("Ditangani {who} {time}", "Acknowledged by {who} {time}"),
    "alerts.resolved_by": ("Diselesaikan {who} {time}", "Resolved by {who} {time}"),
    "alerts.cleared": ("Kondisi pulih {time}", "Condition cleared {time}"),
    "alerts.done_ack": ("Peringatan #{id} ditangani.", "Alert #{id} acknowledged."),
    "alerts.done_resolve": ("Peringatan #{id} diselesaikan.", "Alert #{id} resolved."),
    "alerts.evidence": ("Bukti", "Evidence"),
    "alerts.state": ("Keadaan", "State"),
    "alerts.state.open": ("Belum selesai", "Not resolved"),
    "alerts.state.ongoing": ("Kondisi berlangsung", "Condition ongoing"),
    "alerts.state.waiting": ("Kondisi pulih, menunggu tindak lanjut", "Condition over, awaiting action"),
    "alerts.state.unacknowledged": ("Belum ditangani", "Not acknowledged"),
    "alerts.state.acknowledged": ("Ditangani, belum selesai", "Acknowledged, not resolved"),
    "alerts.state.resolved": ("Selesai", "Resolved"),
    "alerts.state.all": ("Semua", "All"),
    "alerts.states_hint": (
        "'Kondisi berlangsung': masalahnya masih terjadi. 'Menunggu': masalahnya sudah pulih, tetapi peringatan "
        "belum ditangani atau belum diberi tindak lanjut.",
        "'Condition ongoing': the problem is still happening. 'Waiting': the problem is over, but the alert "
        "has not been acknowledged or followed up yet.",
    ),
    "alerts.select": ("Pilih", "Select"),
    "alerts.select_all": (
        "Pilih semua yang belum ditangani di halaman ini",
        "Select all not acknowledged on this page",
    ),
    "alerts.bulk_ack": ("Tangani yang dipilih", "Acknowledge selected"),
    "alerts.bulk_skipped": (
        "{n} dilewati karena sudah ditangani atau selesai.",
        "{n} skipped: already acknowledged or resolved.",
    ),
    "alerts.bulk_refused": (
        "{n} ditolak: tidak ada di unit Anda.",
        "{n} refused: not in your units.",
    ),
    "alerts.bulk_none": ("Tidak ada peringatan yang dipilih.", "No alerts were selected."),
    "alert.phase.ongoing": ("Kondisi berlangsung", "Condition ongoing"),
    "alert.phase.waiting_ack": ("Pulih, menunggu ditangani", "Over, awaiting acknowledgement"),
    "alert.phase.waiting_followup": ("Pulih, menunggu tindak lanjut", "Over, awaiting follow-up"),
    "alert.status.open": ("Terbuka", "Open"),
    "alert.status.acknowledged": ("Ditangani", "Acknowledged"),
    "alert.status.resolved": ("Selesai", "Resolved"),
    "rule.queue_long": ("Antrean panjang", "Long queue"),
    "rule.counter_unstaffed": ("Loket tanpa petugas", "Counter unstaffed"),
    "rule.post_unstaffed": ("Pos tanpa petugas", "Post unstaffed"),
    "rule.long_wait": ("Waktu tunggu lama", "Long wait"),
    "rule.over_capacity": ("Melebihi kapasitas", "Over capacity"),
    "rule.camera_offline": ("Kamera luring", "Camera offline"),
    "rule.room_not_ready": ("Ruangan belum siap", "Room not ready"),
    "rule.room_changed": ("Ruangan berubah", "Room changed"),
    "rule.greeting_rate_low": ("Salam PS4 kurang", "Few customers greeted"),
    "rule.abandonment_high": ("Banyak pelanggan batal antre", "Many customers left the queue"),
    "rule.door_unmet": ("Kedatangan tanpa disambut satpam", "Arrivals with no guard at the door"),
    "followup.coaching": ("Pembinaan petugas", "Staff coaching"),
    "followup.flow_change": ("Perubahan alur layanan", "Service flow change"),
    "followup.room_fix": ("Perbaikan ruangan", "Room fix"),
    "followup.other": ("Lainnya", "Other"),
    # evidence
    "evidence.title": ("Bukti anonim", "Anonymised evidence"),
    "evidence.none": ("Belum ada bukti.", "No evidence yet."),
    "evidence.kind": ("Jenis", "Kind"),
    "evidence.kind.open": ("Saat peringatan dibuka", "When the alert opened"),
    "evidence.kind.peak": ("Puncak peringatan", "Peak of the alert"),
    "evidence.kind.periodic": ("Berkala", "Periodic"),
    "evidence.time": ("Waktu", "Time"),
    "evidence.alert": ("Peringatan", "Alert"),
    "evidence.counts": ("Orang per zona", "People per zone"),
    "evidence.open": ("Buka", "Open"),
    "evidence.download": ("Unduh", "Download"),
    "evidence.audited": (
        "Setiap tampilan dan unduhan bukti dicatat dalam log audit.",
        "Every view and download of evidence is recorded in the audit log.",
    ),
    "evidence.one": ("Bukti #{id}", "Evidence #{id}"),
    "evidence.all_cameras": ("Semua kamera", "All cameras"),
    "evidence.filter": ("Saring", "Filter"),
    # audit
    "audit.title": ("Log audit", "Audit log"),
    "audit.time": ("Waktu (UTC)", "Time (UTC)"),
    "audit.actor": ("Pelaku", "Actor"),
    "audit.action": ("Aksi", "Action"),
    "audit.target": ("Sasaran", "Target"),
    "audit.address": ("Alamat", "Address"),
    "audit.details": ("Rincian", "Details"),
    "audit.any_action": ("Semua aksi", "Any action"),
    "audit.filter": ("Saring", "Filter"),
    "audit.export": ("Ekspor CSV", "Export CSV"),
    "audit.newer": ("Lebih baru", "Newer"),
    "audit.older": ("Lebih lama", "Older"),
    "audit.none": ("Tidak ada entri.", "No entries."),
    "audit.chain_intact": (
        "Rantai hash log audit utuh: {rows} baris diperiksa pada {at}.",
        "Audit log hash chain intact: {rows} rows checked at {at}.",
    ),
    "audit.chain_broken": (
        "Rantai hash log audit RUSAK pada baris {id}: {reason} (diperiksa pada {at}).",
        "Audit log hash chain BROKEN at row {id}: {reason} (checked at {at}).",
    ),
    "audit.chain_broken_scoped": (
        "Rantai hash log audit RUSAK (diperiksa pada {at}): minta operator menjalankan `cvmon audit verify`.",
        "Audit log hash chain BROKEN (checked at {at}): ask the operator to run `cvmon audit verify`.",
    ),
    "audit.since": ("Dari tanggal (UTC)", "From day (UTC)"),
    "audit.until": ("Sampai tanggal (UTC)", "To day (UTC)"),
    "audit.action.login.success": ("Masuk berhasil", "Signed in"),
    "audit.action.login.failure": ("Masuk gagal", "Sign-in failed"),
    "audit.action.login.locked": ("Masuk ditolak (terkunci)", "Sign-in refused (locked)"),
    "audit.action.login.unlock": ("Kunci dibuka", "Lock lifted"),
    "audit.action.logout": ("Keluar", "Signed out"),
    "audit.action.evidence.view": ("Bukti dilihat", "Evidence viewed"),
    "audit.action.evidence.download": ("Bukti diunduh", "Evidence downloaded"),
    "audit.action.evidence.pack": ("Paket bukti dibuat", "Evidence pack made"),
    "audit.action.frame.view": ("Bingkai terakhir dilihat", "Latest frame viewed"),
    "audit.action.audit.export": ("Log audit diekspor", "Audit log exported"),
    "audit.action.config.change": ("Konfigurasi diubah", "Configuration changed"),
    "audit.action.camera.test": ("Koneksi kamera diuji", "Camera connection tested"),
    "audit.action.report.export": ("Laporan diunduh", "Report downloaded"),
    "audit.action.alert.ack": ("Peringatan ditangani", "Alert acknowledged"),
    "audit.action.alert.resolve": ("Peringatan diselesaikan", "Alert resolved"),
    "audit.action.user.add": ("Pengguna ditambah", "User added"),
    "audit.action.user.disable": ("Pengguna dinonaktifkan", "User disabled"),
    "audit.action.user.enable": ("Pengguna diaktifkan", "User enabled"),
    "audit.action.user.set_role": ("Peran diubah", "Role changed"),
    "audit.action.user.set_units": ("Unit diubah", "Units changed"),
    "audit.action.user.set_password": ("Kata sandi diganti", "Password set"),
    "audit.action.room.reference": ("Foto acuan ruangan ditandai", "Room reference marked"),
    # date and time pickers (the field holds ISO; the picker shows the language's format)
    "picker.day_hint": ("tttt-bb-hh", "yyyy-mm-dd"),
    "picker.time_hint": ("jj:mm", "hh:mm"),
    # users
    "users.title": ("Pengguna", "Users"),
    "users.username": ("Nama pengguna", "Username"),
    "users.role": ("Peran", "Role"),
    "users.units": ("Unit", "Units"),
    "users.state": ("Status", "State"),
    "users.active": ("Aktif", "Active"),
    "users.disabled": ("Nonaktif", "Disabled"),
    "users.add": ("Tambah pengguna", "Add a user"),
    "users.password": ("Kata sandi (min. 10 karakter, kuat)", "Password (at least 10 characters, strong)"),
    "users.password_hint": (
        "Kata sandi dinilai dengan zxcvbn dan harus mendapat skor minimal 3 dari 4: gunakan beberapa kata "
        "yang tidak umum, bukan nama atau pola.",
        "Passwords are scored by zxcvbn and need at least 3 of 4: use a few uncommon words, not names or patterns.",
    ),
    "users.locked": ("Terkunci", "Locked"),
    "users.locked_until": ("sampai {until}", "until {until}"),
    "users.locked_from": ("dari {addr}", "from {addr}"),
    "users.locked_everywhere": ("dari semua alamat", "from every address"),
    "users.unlock": ("Buka kunci", "Lift lock"),
    "users.unlocked": ("Kunci {user} dibuka.", "Lock of {user} lifted."),
    "users.save": ("Simpan", "Save"),
    "users.disable": ("Nonaktifkan", "Disable"),
    "users.enable": ("Aktifkan", "Enable"),
    "users.set_password": ("Ganti kata sandi", "Set password"),
    "users.done": ("Pengguna {user} disimpan.", "User {user} saved."),
    "users.units_hint": (
        "Buka daftar unit dan centang satu atau lebih; sebuah unit mencakup semua unit di bawahnya.",
        "Open the unit list and tick one or more; a unit covers every unit below it.",
    ),
    "users.no_units": ("(belum ada unit)", "(no unit yet)"),
    "users.last_sign_in": ("Terakhir masuk", "Last sign-in"),
    "users.never": ("belum pernah", "never"),
    "users.roles_table": ("Hak akses per peran", "Permissions per role"),
    "perm.figures": ("Angka dan peringatan", "Figures and alerts"),
    "perm.evidence": ("Bukti (gambar anonim)", "Evidence (anonymised images)"),
    "perm.followup": ("Menangani dan menyelesaikan peringatan", "Acknowledge and resolve alerts"),
    "perm.admin": ("Pengguna dan log audit", "Users and audit log"),
    "yes": ("ya", "yes"),
    "no": ("tidak", "no"),
    # privacy notice
    "privacy.title": ("Pemberitahuan pemrosesan data pribadi", "Personal-data processing notice"),
    "privacy.subtitle": (
        "Area ini dipantau kamera CCTV untuk pengawasan mutu layanan (UU No. 27 Tahun 2022 Pasal 17).",
        "This area is watched by CCTV cameras for service-quality supervision (Law No. 27 of 2022, art. 17).",
    ),
    "privacy.controller": ("Pengendali data", "Data controller"),
    "privacy.purpose": ("Tujuan", "Purpose"),
    "privacy.purpose_default": (
        "Mengukur lingkungan layanan kantor pelayanan pelanggan: panjang antrean, waktu tunggu, kehadiran "
        "petugas di loket dan pos, serta kepadatan ruang tunggu, agar layanan dapat diperbaiki. Data tidak "
        "digunakan untuk mengenali atau menilai orang per orang.",
        "To measure the service environment of the customer-service office: queue length, waiting time, "
        "staffing of counters and posts, and how full the waiting room is, so that service can be improved. "
        "The data are not used to recognise or judge any individual.",
    ),
    "privacy.what": ("Apa yang diproses dan disimpan", "What is processed and kept"),
    "privacy.what_frames": (
        "Gambar kamera dianalisis secara otomatis dan tidak direkam.",
        "Camera images are analysed automatically and are not recorded.",
    ),
    "privacy.what_figures": (
        "Yang disimpan hanya angka gabungan per menit per zona (jumlah orang, lama tunggu, kehadiran petugas).",
        "Only aggregated figures per minute and zone are kept (number of people, waiting time, staffing).",
    ),
    "privacy.what_identity": (
        "Tidak ada pengenalan wajah, tidak ada identitas, tidak ada jejak pergerakan per orang.",
        "No face recognition, no identities, no per-person movement tracks.",
    ),
    "privacy.what_cameras": (
        "Orang tidak pernah dikenali ulang antarkamera: angka beberapa kamera hanya dijumlahkan.",
        "People are never re-identified between cameras: the figures of several cameras are only added up.",
    ),
    "privacy.greeting": (
        "Di kamera {cameras}, sikap tubuh petugas di loket dan pos (titik-titik tubuh) dibaca beberapa detik di "
        "sekitar setiap kedatangan pelanggan untuk menghitung apakah salam PS4 diberikan (tangan di dada, "
        "membungkuk). Yang disimpan hanya jumlah per menit; tidak ada analisis wajah, tidak ada yang dikenali. "
        "Salam acuan sebuah loket disimpan sebagai titik-titik tubuh saja, bukan video.",
        "On {cameras}, the posture of the staff at counters and posts (body keypoints) is read for a few seconds "
        "around each customer arrival to count whether the PS4 greeting was given (hand on chest, a bow). Only "
        "counts per minute are kept; there is no face analysis and nobody is identified. A counter's reference "
        "greeting is stored as body keypoints only, never as video.",
    ),
    "privacy.greeting_off": (
        "Salam PS4 tidak diukur di kamera mana pun (hanya jika diaktifkan per kamera).",
        "The PS4 greeting is not measured on any camera (only where enabled per camera).",
    ),
    "privacy.pictures": ("Gambar yang disimpan", "Pictures that are kept"),
    "privacy.snapshots_alerts": (
        "Saat peringatan dibuka dan pada puncaknya, satu cuplikan anonim (orang diburamkan) disimpan sebagai bukti.",
        "When an alert opens and at its peak, one anonymised snapshot (people blurred) is kept as evidence.",
    ),
    "privacy.snapshots_periodic": (
        "Selain itu, setiap {minutes} menit selama jam layanan, dengan atau tanpa peringatan, kamera berikut "
        "menyimpan cuplikan anonim berkala: {cameras}.",
        "Besides, every {minutes} minutes during service hours, with or without an alert, these cameras keep a "
        "periodic anonymised snapshot: {cameras}.",
    ),
    "privacy.snapshots_only_alerts": (
        "Kamera berikut menyimpan cuplikan hanya saat ada peringatan: {cameras}.",
        "These cameras keep snapshots only for alerts: {cameras}.",
    ),
    "privacy.snapshots_no_periodic": (
        "Tidak ada cuplikan berkala: tanpa peringatan, tidak ada gambar yang disimpan.",
        "There are no periodic snapshots: without an alert, no picture is kept.",
    ),
    "privacy.latest_frame": (
        "Bingkai anonim terakhir tiap kamera diperbarui setiap {seconds} detik dan ditimpa; tidak disimpan sebagai "
        "riwayat.",
        "Each camera's latest anonymised frame is refreshed every {seconds} seconds and overwritten; it is not kept "
        "as a history.",
    ),
    "privacy.retention": ("Lama penyimpanan", "How long data is kept"),
    "privacy.keep_minutes": ("Angka per menit", "Per-minute figures"),
    "privacy.keep_hours": ("Angka per jam", "Hourly figures"),
    "privacy.keep_days": ("Angka per hari", "Daily figures"),
    "privacy.keep_snapshots": ("Cuplikan bukti anonim", "Anonymised evidence snapshots"),
    "privacy.keep_alerts": ("Peringatan dan tindak lanjutnya", "Alerts and their follow-up"),
    "privacy.days": ("{days} hari", "{days} days"),
    "privacy.keep_latest": ("Bingkai anonim terakhir", "Latest anonymised frame"),
    "privacy.overwritten": ("ditimpa pada pembaruan berikutnya", "overwritten by the next refresh"),
    "privacy.keep_audit": ("Log audit (siapa melihat atau mengubah apa)", "Audit log (who saw or changed what)"),
    "privacy.audit_kept": ("tidak dihapus; hanya dapat ditambah", "not deleted; rows can only be added"),
    "privacy.perm_pictures": (
        "Gambar anonim (cuplikan bukti, bingkai terakhir)",
        "Anonymised pictures (evidence snapshots, latest frame)",
    ),
    "privacy.not_configured": (
        "Konfigurasi penerapan belum diberikan ke penampil (CVMON_CONFIG); tanyakan ke kontak unit.",
        "The deployment's configuration was not given to the viewer (CVMON_CONFIG); ask the unit's contact.",
    ),
    "privacy.who": ("Siapa yang dapat melihat", "Who may see it"),
    "privacy.who_text": (
        "Hanya pengguna cvmon yang berwenang, dan masing-masing hanya untuk unitnya sendiri serta unit di bawahnya. "
        "Apa yang boleh dilihat tiap peran tercantum di bawah. Setiap tampilan gambar, setiap ekspor dan setiap "
        "perubahan dicatat dalam log audit.",
        "Only authorised cvmon users, each only for their own units and the units below them. What each role may "
        "see is listed below. Every view of a picture, every export and every change is recorded in the audit log.",
    ),
    "privacy.contacts": ("Kontak", "Contacts"),
    "privacy.contact_unit": ("Unit", "Unit"),
    "privacy.contact_person": ("Kontak", "Contact"),
    "privacy.no_contact": ("belum ditetapkan", "not set"),
    "privacy.rights": ("Hak Anda", "Your rights"),
    "privacy.rights_text": (
        "Anda berhak memperoleh informasi tentang pemrosesan ini dan mengajukan pertanyaan atau keberatan "
        "kepada kontak di atas.",
        "You may ask for information about this processing and raise questions or objections with the contact above.",
    ),
    "privacy.print": ("Cetak pemberitahuan", "Print the notice"),
    # reports
    "nav.reports": ("Laporan", "Reports"),
    "report.title": ("Laporan lingkungan layanan", "Service-environment report"),
    "report.unit": ("Unit", "Unit"),
    "report.from": ("Dari", "From"),
    "report.to": ("Sampai", "To"),
    "report.show": ("Tampilkan", "Show"),
    "report.this_month": ("Bulan ini", "This month"),
    "report.last_month": ("Bulan lalu", "Last month"),
    "report.period": ("Periode {period}", "Period {period}"),
    "report.previous": ("Periode sebelumnya {period}", "Previous period {period}"),
    "report.download_pdf": ("Unduh PDF", "Download PDF"),
    "report.download_csv": ("Unduh CSV", "Download CSV"),
    "report.downloads_audited": (
        "Setiap unduhan dicatat dalam log audit.",
        "Every download is recorded in the audit log.",
    ),
    "report.needs_config": (
        "Laporan memerlukan cameras.yaml (jam layanan, ambang, bobot): jalankan cvmon serve dengan --config.",
        "Reports need cameras.yaml (service hours, thresholds, weights): start cvmon serve with --config.",
    ),
    "report.index": ("Indeks lingkungan layanan", "Service-environment index"),
    "report.change": ("Perubahan", "Change"),
    "report.no_index": ("Belum ada data untuk indeks.", "No data for the index yet."),
    "report.category.excellent": ("Sangat baik", "Excellent"),
    "report.category.good": ("Baik", "Good"),
    "report.category.fair": ("Cukup", "Fair"),
    "report.category.poor": ("Kurang", "Poor"),
    "report.aspects": ("Skor per aspek", "Score per aspect"),
    "report.aspect": ("Aspek", "Aspect"),
    "report.score": ("Skor", "Score"),
    "report.weight": ("Bobot", "Weight"),
    "report.target": ("Target", "Target"),
    "report.aspect.waiting": ("Waktu tunggu", "Waiting"),
    "report.aspect.queue": ("Antrean", "Queue"),
    "report.aspect.staffing": ("Kesiapan petugas", "Staffing readiness"),
    "report.aspect.comfort": ("Kenyamanan (kapasitas)", "Comfort (capacity)"),
    "report.aspect.follow_up": ("Tindak lanjut", "Follow-up"),
    "report.aspect.room": ("Kesiapan ruang", "Room readiness"),
    "report.room_ready": ("Hari siap saat buka", "Days ready at opening"),
    "report.def.room_ready": (
        "hari-kamera yang ruangannya sesuai acuan pada pemeriksaan saat buka / hari-kamera dengan pemeriksaan",
        "camera days whose room matched its reference at the opening check / camera days with that check",
    ),
    "report.room_changed": ("Jam layanan dengan perubahan", "Service hours with changes"),
    "report.def.room_changed": (
        "jam layanan hari-hari itu saat peringatan room_changed terbuka / jam layanannya",
        "service hours of those days during which a room_changed alert was open / their service hours",
    ),
    "report.why.room": (
        "Ruangan siap saat buka pada {ready} dari {days} hari-kamera; berubah dari acuannya selama {changed} dari "
        "{hours} jam layanan.",
        "The room was ready at opening on {ready} of {days} camera days; it differed from its reference in "
        "{changed} of {hours} service hours.",
    ),
    "report.means.room": (
        "Skor = rata-rata bagian hari ruangan siap saat buka dan bagian jam layanan tanpa perubahan ruangan "
        "(kursi, meja, papan, lampu dibandingkan foto acuan). Di bawah target: ruangan belum rapi saat pelanggan "
        "datang atau berubah lama di siang hari.",
        "Score = the mean of the share of days the room was ready at opening and the share of service hours "
        "without a room change (chairs, counters, boards, lights against the reference picture). Below target: "
        "the room is not tidy when customers arrive, or changes for long during the day.",
    ),
    "report.aspect.behaviour": ("Perilaku (salam PS4)", "Behaviour (PS4 greeting)"),
    "report.greet_arrivals": ("Kedatangan dinilai (salam PS4)", "Arrivals judged (PS4 greeting)"),
    "report.def.greet_arrivals": (
        "pelanggan yang datang ke loket atau pintu saat petugasnya ada, di kamera yang mengukur salam; masing-masing "
        "disalam, tidak disalam atau tidak terlihat",
        "customers arriving at a counter or the door while its staff were there, on cameras that measure the "
        "greeting; each greeted, not greeted or not visible",
    ),
    "report.greeted": ("Disalam PS4", "Greeted the PS4 way"),
    "report.def.greeted": (
        "disalam / (disalam + tidak disalam); kedatangan yang tidak terlihat tidak dihitung",
        "greeted / (greeted + not greeted); arrivals not visible are left out",
    ),
    "report.greet_unseen": ("Petugas tidak terlihat", "Staff not visible"),
    "report.def.greet_unseen": (
        "kedatangan yang petugasnya tidak terlihat cukup jelas untuk dinilai (tidak ditebak) / kedatangan dinilai",
        "arrivals whose staff could not be seen well enough to judge (never guessed) / arrivals judged",
    ),
    "report.seated": ("Dipersilakan duduk", "Invited to sit"),
    "report.def.seated": (
        "pelanggan yang duduk di kursi loket tepat waktu / kedatangan di loket yang memiliki kursi "
        "(cameras[].behaviour.seats)",
        "customers who sat down in the counter's seat in time / arrivals at counters with a seat "
        "(cameras[].behaviour.seats)",
    ),
    "report.why.behaviour": (
        "{greeted} dari {judged} kedatangan yang dapat dinilai disalam PS4; {unseen} kedatangan lain petugasnya tidak "
        "terlihat dan tidak dihitung.",
        "{greeted} of {judged} arrivals that could be judged were greeted the PS4 way; in {unseen} more the staff "
        "could not be seen, and they are left out.",
    ),
    "report.means.behaviour": (
        "Skor = bagian kedatangan pelanggan di loket dan pos yang disalam PS4 (tangan di dada dan membungkuk), dari "
        "yang dapat dinilai. Di bawah target: salam belum konsisten; lihat tabel per loket dan pos, dan halaman "
        "Salam PS4 per jam.",
        "Score = share of customer arrivals at counters and posts greeted the PS4 way (hand on chest and a bow), of "
        "those that could be judged. Below target: the greeting is not consistent; see the table per counter and "
        "post, and the Greetings page by hour.",
    ),
    "report.quick_wins": ("Quick win: aspek di bawah target", "Quick wins: aspects below their target"),
    "report.quick_wins_note": (
        "Skor terendah lebih dulu. Target tiap aspek diatur di reports.targets (cameras.yaml).",
        "Lowest score first. Each aspect's target is set in reports.targets (cameras.yaml).",
    ),
    "report.all_on_target": (
        "Semua aspek yang memiliki data mencapai targetnya.",
        "Every aspect with data reaches its target.",
    ),
    "report.below_target": ("target {target}, kurang {short}", "target {target}, {short} short"),
    "report.the_figure": ("Angka", "Figure"),
    "report.the_meaning": ("Artinya", "What it means"),
    "report.why.waiting": (
        "{share} dari {visits} menunggu lebih lama dari SLA {sla}; tunggu p50 {p50}, p90 {p90}.",
        "{share} of {visits} waited longer than the {sla} SLA; wait p50 {p50}, p90 {p90}.",
    ),
    "report.why.queue": (
        "Rata-rata antrean per menit {threshold} atau lebih pada {share} dari {minutes} layanan teramati; "
        "rata-rata {mean}, p90 {p90}, terpanjang {max}.",
        "The mean queue over a minute was {threshold} or more in {share} of {minutes} of observed service; "
        "mean {mean}, p90 {p90}, longest {max}.",
    ),
    "report.why.staffing": (
        "Loket dan pos terisi {share} dari waktu layanan teramati; kosong saat pelanggan menunggu {episodes} "
        "({minutes}).",
        "Counters and posts staffed {share} of observed service time; unstaffed while customers waited {episodes} "
        "({minutes}).",
    ),
    "report.why.comfort": (
        "Zona berisi lebih banyak orang dari kapasitasnya selama {share} dari waktu layanan teramati.",
        "Zones held more people than their capacity {share} of observed service time.",
    ),
    "report.why.follow_up": (
        "{share} dari {alerts} diselesaikan dengan kategori dan catatan tindak lanjut.",
        "{share} of {alerts} resolved with a follow-up category and note.",
    ),
    "report.means.waiting": (
        "Skor = bagian kunjungan ke antrean dan ruang tunggu yang selesai dalam SLA. Di bawah target: terlalu banyak "
        "pelanggan menunggu lebih lama dari janji layanan.",
        "Score = share of visits to queues and waiting areas that ended within the SLA. Below target: too many "
        "customers wait longer than the service promise.",
    ),
    "report.means.queue": (
        "Skor = bagian menit layanan teramati dengan rata-rata antrean di bawah ambang. Peringatan antrean panjang "
        "dihitung lain: dari jumlah orang pada satu saat (di antrean dan ruang tunggu) yang bertahan di ambang atau "
        "lebih, sehingga bisa ada peringatan walau angka per menit ini 0%.",
        "Score = share of observed service minutes whose mean queue stayed under the threshold. Long-queue alerts "
        "are counted differently: from the people at one moment (in queues and waiting areas) staying at or above "
        "the threshold, so there can be alerts while this per-minute figure is 0%.",
    ),
    "report.means.staffing": (
        "Skor = bagian waktu layanan loket dan pos terisi petugas. Di bawah target: pelanggan mendapati loket atau "
        "pos kosong.",
        "Score = share of service time counters and posts were staffed. Below target: customers find counters or "
        "posts empty.",
    ),
    "report.means.comfort": (
        "Skor = bagian waktu layanan zona berada dalam kapasitasnya. Di bawah target: ruang terlalu padat pada jam "
        "sibuk.",
        "Score = share of service time zones stayed within their capacity. Below target: rooms are crowded at busy "
        "times.",
    ),
    "report.means.follow_up": (
        "Skor = bagian peringatan periode ini yang diselesaikan dengan tindak lanjut tercatat. Di bawah target: "
        "peringatan dibiarkan terbuka atau ditutup tanpa catatan apa yang dilakukan.",
        "Score = share of the period's alerts resolved with a recorded follow-up. Below target: alerts stay open or "
        "are closed without a note of what was done.",
    ),
    "report.coverage": ("Cakupan kamera", "Camera coverage"),
    "report.cameras": ("Kamera", "Cameras"),
    "report.service_hours": ("Jam layanan (semua kamera)", "Service hours (all cameras)"),
    "report.observed_hours": ("Jam teramati", "Hours observed"),
    "report.share_online": ("Daring selama jam layanan", "Online during service hours"),
    "report.figure": ("Angka", "Figure"),
    "report.figures": ("Angka periode ini", "Figures of the period"),
    "report.now": ("Periode ini", "This period"),
    "report.before": ("Sebelumnya", "Before"),
    "report.queue_mean": ("Panjang antrean rata-rata", "Mean queue length"),
    "report.queue_p90": ("Panjang antrean p90", "Queue length p90"),
    "report.queue_max": ("Panjang antrean maks", "Longest queue"),
    "report.queue_over": ("Menit antrean di atas ambang", "Minutes with the queue over its threshold"),
    "report.wait_visits": ("Kunjungan (antrean, ruang tunggu)", "Visits (queues, waiting areas)"),
    "report.wait_over": ("Kunjungan melebihi SLA", "Visits over the SLA"),
    "report.staffed": ("Waktu terisi", "Time staffed"),
    "report.episodes": ("Kosong saat pelanggan menunggu", "Unstaffed while customers waited"),
    "report.over_capacity": ("Waktu melebihi kapasitas", "Time over capacity"),
    "report.mean_occupancy": ("Okupansi rata-rata", "Mean occupancy"),
    "report.peak_occupancy": ("Okupansi puncak", "Peak occupancy"),
    "report.alerts_total": ("Jumlah peringatan", "Alerts"),
    "report.alerts_count": ("Jumlah", "Count"),
    "report.alert_opens_when": ("Dibuka saat", "Opened when"),
    "report.median_ack": ("Median waktu sampai ditangani", "Median time to acknowledge"),
    "report.median_resolve": ("Median waktu sampai selesai", "Median time to resolve"),
    "report.with_follow_up": ("Diselesaikan dengan tindak lanjut", "Resolved with a follow-up"),
    "report.def.coverage": (
        "Waktu kamera daring dan dianalisis, dari jam layanan terjadwal.",
        "Time the cameras were online and analysed, of the scheduled service hours.",
    ),
    "report.def.queue_mean": ("Rata-rata semua sampel di zona antrean.", "Mean over every sample of the queue zones."),
    "report.def.queue_p90": (
        "90% menit layanan memiliki rata-rata antrean sebesar ini atau kurang.",
        "90% of service minutes had a mean queue at or below this.",
    ),
    "report.def.queue_max": ("Orang terbanyak pada satu saat.", "Most people seen at one moment."),
    "report.def.queue_over": (
        "Menit layanan teramati dengan rata-rata antrean per menit {threshold} atau lebih (zona antrean). Peringatan "
        "antrean panjang dihitung per saat: lihat Peringatan.",
        "Observed service minutes whose mean queue over the minute was {threshold} or more (queue zones). "
        "Long-queue alerts are counted per moment: see Alerts.",
    ),
    "report.def.wait_p50": (
        "Separuh kunjungan selama ini atau kurang.",
        "Half of the visits lasted this long or less.",
    ),
    "report.def.wait_p90": ("90% kunjungan selama ini atau kurang.", "90% of the visits lasted this long or less."),
    "report.def.wait_over": (
        "Kunjungan ke antrean dan ruang tunggu yang lebih lama dari SLA {sla}.",
        "Visits to queues and waiting areas longer than the {sla} SLA.",
    ),
    "report.def.staffed": (
        "Waktu loket dan pos terisi petugas, dari waktu teramati dalam jam layanan.",
        "Time counters and posts were staffed, of the time observed in service hours.",
    ),
    "report.def.episodes": (
        "Rangkaian menit loket atau pos kosong sementara pelanggannya menunggu.",
        "Runs of minutes a counter or post was empty while its customers waited.",
    ),
    "report.def.over_capacity": (
        "Waktu zona berisi lebih banyak orang dari kapasitasnya, dari waktu teramati.",
        "Time a zone held more people than its capacity, of the time observed.",
    ),
    "report.def.alerts_total": (
        "Peringatan yang dibuka dalam periode ini, semua aturan (rinciannya di Peringatan).",
        "Alerts opened in the period, every rule (see Alerts for each).",
    ),
    "report.def.with_follow_up": (
        "Dari semua peringatan periode ini, yang diselesaikan dengan kategori dan catatan tindak lanjut.",
        "Of all the period's alerts, those resolved with a follow-up category and note.",
    ),
    "report.rule_def.queue_long": (
        "antrean atau ruang tunggu berisi orang sebanyak ambang atau lebih pada satu saat, bertahan selama waktu "
        "yang ditetapkan. Dihitung per saat, bukan rata-rata per menit seperti menit antrean di atas ambang.",
        "a queue or waiting area holds the threshold number of people or more at one moment, for a set time. "
        "Counted per moment, not by the minute mean as the minutes over the threshold are.",
    ),
    "report.rule_def.long_wait": (
        "seseorang menunggu lebih lama dari SLA.",
        "someone has waited longer than the SLA.",
    ),
    "report.rule_def.over_capacity": (
        "zona berisi lebih banyak orang dari kapasitasnya selama waktu yang ditetapkan.",
        "a zone holds more people than its capacity for a set time.",
    ),
    "report.rule_def.counter_unstaffed": (
        "loket tanpa petugas selama waktu yang ditetapkan (biasanya hanya saat ada pelanggan).",
        "a counter stays without staff for a set time (usually only while customers are there).",
    ),
    "report.rule_def.post_unstaffed": (
        "pos tanpa petugas selama waktu yang ditetapkan (biasanya hanya saat ada pelanggan).",
        "a post stays without staff for a set time (usually only while customers are there).",
    ),
    "report.rule_def.camera_offline": (
        "kamera tidak mengirim gambar selama waktu yang ditetapkan.",
        "a camera sends no frames for a set time.",
    ),
    "report.rule_def.room_not_ready": (
        "saat layanan dibuka, ruangan tidak sama dengan foto acuannya (ada yang berubah, lampu mati, "
        "kamera bergeser atau tertutup).",
        "when service opens, the room is not as its reference picture (something changed, lights off, "
        "camera moved or covered).",
    ),
    "report.rule_def.greeting_rate_low": (
        "dalam satu shift, bagian pelanggan datang yang disambut salam PS4 (tangan di dada dan membungkuk) "
        "di bawah batas; kedatangan yang tidak terlihat jelas tidak dihitung.",
        "over a shift, the share of arriving customers greeted the PS4 way (hand on chest and a bow) is "
        "below the limit; arrivals the staff could not be seen well for are left out.",
    ),
    "report.rule_def.abandonment_high": (
        "dalam satu jam, bagian pelanggan yang sudah antre lalu pergi tanpa sampai ke loket mencapai batas.",
        "within an hour, the share of customers who queued and left without reaching a counter reaches the limit.",
    ),
    "report.rule_def.door_unmet": (
        "dalam satu jam, beberapa pelanggan datang saat pos satpam di pintu kosong.",
        "within an hour, several customers arrived while the guard's post at the door was empty.",
    ),
    "report.rule_def.room_changed": (
        "selama jam layanan, satu area ruangan berubah dari foto acuannya cukup lama.",
        "during service hours, a region of the room differs from its reference picture for long enough.",
    ),
    "report.ranking": ("Peringkat unit di bawahnya", "Ranking of the units below"),
    "report.rank": ("Peringkat", "Rank"),
    "report.chart.score_axis": ("Skor (%)", "Score (%)"),
    "report.chart.index_axis": ("Indeks (%)", "Index (%)"),
    "report.chart.no_data": ("{name} (tanpa data)", "{name} (no data)"),
    "report.generated": ("Dibuat {time} oleh {user}", "Generated {time} by {user}"),
    "report.page": ("Halaman {page} dari {pages}", "Page {page} of {pages}"),
    "report.bad_date": ("Tanggal tidak valid: {value}", "Not a valid date: {value}"),
    # room readiness (the morning checklist)
    "nav.room": ("Kesiapan ruang", "Room readiness"),
    "nav.greetings": ("Salam PS4", "Greetings"),
    "nav.flow": ("Alur pelanggan", "Customer flow"),
    "staff.confirm_help": (
        "Tandai seorang petugas berseragam pada gambar anonim (kotak, 0-1 dari kiri-atas):",
        "Mark a uniformed staff member on the anonymised picture (a box, 0-1 from the top left):",
    ),
    "staff.confirm": ("Ini petugas", "This is staff"),
    "staff.confirmed": (
        "Contoh petugas ditambahkan ke model seragam kamera (hanya warna gabungan yang disimpan).",
        "Staff example added to the camera's uniform model (only the aggregate colours are kept).",
    ),
    "staff.not_enabled": ("Kamera ini tidak mengenali petugas.", "This camera does not recognise staff."),
    "staff.bad_box": ("Kotak tidak valid atau terlalu kecil.", "The box is not valid or too small."),
    "audit.action.staff.example": ("Contoh petugas ditandai", "Staff example marked"),
    "audit.action.greeting.reference": ("Salam acuan direkam", "Reference greeting recorded"),
    "flow.title": ("Alur pelanggan melalui titik layanan", "How customers move through the touchpoints"),
    "flow.intro": (
        "Dihitung dari jalur tiap pelanggan di satu kamera (pintu, satpam, pandu, antrean, loket); yang disimpan "
        "hanya jumlah per menit. Kamera-kamera hanya dijumlahkan: orang tidak pernah dikenali ulang antarkamera. "
        "Petugas tidak dihitung; jalur yang perannya tidak pasti dihitung terpisah.",
        "Counted from each customer's path on one camera (door, guard, guide desk, queue, counter); only counts per "
        "minute are kept. Cameras are only added up: nobody is re-identified between cameras. Staff are left out; "
        "journeys whose role was unsure are counted apart.",
    ),
    "flow.funnel": ("Corong hari ini", "The day's funnel"),
    "flow.arrivals": ("Datang di pintu", "Arrived at the door"),
    "flow.met_at_door": ("Disambut satpam", "Met at the door"),
    "flow.guided_before_queue": ("Ke pandu dulu", "Guided first"),
    "flow.queued": ("Antre", "Queued"),
    "flow.abandoned": ("Batal antre", "Left the queue"),
    "flow.reached_counter": ("Sampai loket", "Reached a counter"),
    "flow.skipped_required": ("Melewati langkah wajib", "Skipped a step"),
    "flow.journeys_unsure": ("Peran tidak pasti", "Role unsure"),
    "flow.abandoned_share": ("Batal (% antre)", "Left (% queued)"),
    "flow.leaks": (
        "Bocor: {abandoned} batal antre, {skipped} melewati langkah wajib; {unsure} jalur tidak pasti perannya.",
        "Leaks: {abandoned} left the queue, {skipped} skipped a required step; {unsure} journeys of unsure role.",
    ),
    "flow.journey_p50": ("median pintu sampai loket {seconds} dtk", "median door to counter {seconds} s"),
    "flow.none": (
        "Belum ada alur pada hari ini (hanya kamera dengan bagian journey di cameras.yaml).",
        "No flow on this day (only cameras with a journey section in cameras.yaml).",
    ),
    "greet.title": ("Salam PS4 di loket dan pos", "The PS4 greeting at counters and posts"),
    "greet.intro": (
        "Untuk setiap pelanggan yang datang ke loket atau pintu saat petugasnya ada: apakah petugas memberi salam "
        "(tangan di dada dan membungkuk) dalam beberapa detik. Jika petugas tidak terlihat cukup jelas, "
        "kedatangan dihitung 'tidak terlihat', bukan ditebak.",
        "For each customer arriving at a counter or the door while its staff were there: did the staff greet "
        "(hand on chest and a bow) within a few seconds? Where the staff could not be seen well enough the "
        "arrival counts as 'not visible', never guessed.",
    ),
    "greet.zone": ("Loket / pos", "Counter / post"),
    "greet.reference_title": ("Salam acuan", "Reference greeting"),
    "greet.reference_help": (
        "Unggah klip singkat dari kamera ini berisi petugas memberi salam di loket tersebut, dan tandai detik "
        "setiap salam (misalnya 3.0-4.8). Hanya titik-titik tubuh yang disimpan; klip dihapus setelah dibaca.",
        "Upload a short clip from this camera of a staff member greeting at that counter, and mark the seconds of "
        "each greeting (e.g. 3.0-4.8). Only body keypoints are kept; the clip is deleted once read.",
    ),
    "greet.marks": ("Detik salam", "Greeting seconds"),
    "greet.clip": ("Klip", "Clip"),
    "greet.record": ("Pelajari salam", "Learn the greeting"),
    "greet.reference_stored": ("Salam acuan disimpan.", "Reference greeting stored."),
    "greet.not_enabled": ("Kamera ini tidak mengukur salam.", "This camera does not measure greetings."),
    "greet.bad_marks": ("Tanda detik tidak valid: {error}", "Not valid greeting seconds: {error}"),
    "greet.clip_too_big": ("Klip terlalu besar.", "The clip is too big."),
    "greet.not_learned": ("Salam tidak dapat dipelajari: {error}", "The greeting could not be learned: {error}"),
    "greet.hour": ("Jam", "Hour"),
    "greet.day": ("Sehari", "Whole day"),
    "greet.arrivals": ("Kedatangan", "Arrivals"),
    "greet.greeted": ("Disalam", "Greeted"),
    "greet.missed": ("Tidak disalam", "Not greeted"),
    "greet.unseen": ("Tidak terlihat", "Not visible"),
    "greet.seated": ("Dipersilakan duduk", "Seated"),
    "greet.share": ("Disalam (%)", "Greeted (%)"),
    "greet.share_def": (
        "Disalam (%) = disalam / (disalam + tidak disalam); kedatangan yang tidak terlihat tidak dihitung.",
        "Greeted (%) = greeted / (greeted + not greeted); arrivals not visible are left out.",
    ),
    "greet.none": (
        "Belum ada kedatangan yang dinilai pada hari ini (salam hanya diukur di kamera yang mengaktifkannya).",
        "No arrival was judged on this day (greetings are measured only on cameras that enable it).",
    ),
    "room.title": ("Kesiapan ruang layanan", "Service room readiness"),
    "room.intro": (
        "Ruangan dibandingkan dengan foto acuannya (rapi, kosong) sebelum layanan dibuka dan saat ruangan sepi. "
        "Perubahan baru dihitung setelah bertahan beberapa menit; orang tidak pernah dihitung sebagai perubahan.",
        "The room is compared with its reference picture (tidy, empty) before service opens and whenever it is "
        "empty. A change counts only once it has lasted a few minutes; people are never a change.",
    ),
    "room.ready": ("Siap", "Ready"),
    "room.not_ready": ("Belum siap", "Not ready"),
    "room.no_opening": ("Belum diperiksa saat buka", "Not checked at opening"),
    "room.region": ("Area", "Region"),
    "room.whole": ("Seluruh ruangan", "Whole room"),
    "room.at_opening": ("Saat buka", "At opening"),
    "room.now": ("Terakhir", "Latest"),
    "room.status.as_reference": ("Sesuai acuan", "As reference"),
    "room.status.changed": ("Berubah", "Changed"),
    "room.status.not_visible": ("Tidak terlihat", "Not visible"),
    "room.condition.lights_off": ("Lampu mati atau ruangan gelap", "Lights off or the room dark"),
    "room.condition.camera_moved": ("Kamera bergeser", "Camera moved"),
    "room.condition.covered": ("Kamera tertutup", "Camera covered"),
    "room.picture_opening": ("Saat buka", "At opening"),
    "room.picture_latest": ("Pemeriksaan terakhir", "Latest check"),
    "room.picture_reference": ("Foto acuan", "Reference picture"),
    "room.no_reference": (
        "Belum ada foto acuan: admin menandainya di sini atau dengan cvmon room reference.",
        "No reference picture yet: an admin marks one here or with cvmon room reference.",
    ),
    "room.mark": ("Jadikan foto acuan", "Mark the reference picture"),
    "room.mark_button": ("Jadikan gambar ini acuan", "Use this picture as the reference"),
    "room.candidate": (
        "Gambar anonim terakhir saat tidak ada orang terlihat",
        "Latest anonymised picture with nobody in view",
    ),
    "room.no_candidate": (
        "Belum ada gambar ruangan tanpa orang dari kamera ini.",
        "No picture of the room with nobody in view from this camera yet.",
    ),
    "room.not_configured": (
        "Kamera ini tidak punya bagian room: di cameras.yaml.",
        "This camera has no room: section in cameras.yaml.",
    ),
    "room.reference_marked": ("Foto acuan disimpan.", "Reference picture stored."),
    "room.none": (
        "Tidak ada kamera dengan pemeriksaan ruangan di unit ini.",
        "No camera with room checks in this unit.",
    ),
    "evidence.kind.room_reference": ("Foto acuan ruangan", "Room reference"),
    "evidence.kind.room_opening": ("Ruangan saat buka", "Room at opening"),
    "evidence.kind.room_check": ("Pemeriksaan ruangan", "Room check"),
    "evidence.kind.greeting_missed": ("Salam terlewat", "Missed greeting"),
    # camera set-up and zone editor
    "nav.setup": ("Kamera", "Cameras"),
    "setup.title": ("Pengaturan kamera", "Camera set-up"),
    "setup.file": ("Berkas konfigurasi: {path}", "Configuration file: {path}"),
    "setup.saved": (
        "Tersimpan. Berkas lama disimpan sebagai cadangan bernomor; cvmon run memuat perubahan sendiri.",
        "Saved. The previous file is kept as a numbered backup; cvmon run picks the change up by itself.",
    ),
    "setup.removed": (
        "Kamera dihapus dari konfigurasi; angkanya tetap tersimpan.",
        "Camera removed; its figures stay.",
    ),
    "setup.add": ("Tambah kamera", "Add a camera"),
    "setup.id": ("ID", "Id"),
    "setup.name": ("Nama", "Name"),
    "setup.unit": ("Unit", "Unit"),
    "setup.source": ("Sumber (RTSP atau berkas)", "Source (RTSP or file)"),
    "setup.source_hint": (
        "Sub-stream kamera (mis. Hikvision .../Channels/102) sudah cukup dan jauh lebih ringan.",
        "A camera's sub-stream (e.g. Hikvision .../Channels/102) is enough and much lighter.",
    ),
    "setup.fps": ("Bingkai dianalisis per detik (kosong: bawaan)", "Frames analysed per second (empty: default)"),
    "setup.enabled": ("Aktif", "Enabled"),
    "setup.disabled": ("Nonaktif", "Disabled"),
    "setup.zones": ("Zona", "Zones"),
    "setup.edit": ("Ubah", "Edit"),
    "setup.edit_zones": ("Zona", "Zones"),
    "setup.camera_title": ("Kamera", "Camera"),
    "setup.remove": ("Hapus kamera", "Remove camera"),
    "setup.confirm_remove": ("Hapus kamera ini dari konfigurasi?", "Remove this camera from the configuration?"),
    "setup.test": ("Uji koneksi", "Test connection"),
    "setup.test_result": ("Hasil uji koneksi", "Connection test"),
    "setup.test_hint": (
        "Uji koneksi membuka sumber dengan batas waktu dan menampilkan cuplikan dengan orang diburamkan.",
        "The test opens the source with time limits and shows a snapshot with people pixelated.",
    ),
    "setup.test_ok": (
        "Terhubung: {width}x{height}, {codec}, {fps} fps, dalam {seconds} s.",
        "Connected: {width}x{height}, {codec}, {fps} fps, in {seconds} s.",
    ),
    "setup.snapshot": ("Cuplikan anonim", "Anonymised snapshot"),
    "setup.snapshot_note": ("{people} orang terdeteksi dan diburamkan.", "{people} people detected and pixelated."),
    "setup.no_source": ("Isi sumber terlebih dahulu.", "Enter a source first."),
    "setup.fail.auth": ("Nama pengguna atau kata sandi kamera salah.", "Wrong camera user name or password."),
    "setup.fail.unreachable": (
        "Kamera tidak dapat dijangkau (alamat atau port).",
        "The camera cannot be reached (address or port).",
    ),
    "setup.fail.timeout": ("Kamera tidak menjawab dalam batas waktu.", "The camera did not answer in time."),
    "setup.fail.not_found": (
        "Stream atau berkas tidak ditemukan (periksa path).",
        "No such stream or file (check the path).",
    ),
    "setup.fail.codec": ("Format video tidak didukung.", "Unsupported video format."),
    "setup.fail.invalid": ("Bukan alamat RTSP atau berkas video yang sah.", "Not a valid RTSP address or video file."),
    "setup.fail.other": ("Sumber tidak dapat dibuka.", "The source cannot be opened."),
    "editor.title": ("Zona kamera {camera}", "Zones of camera {camera}"),
    "editor.new_zone": ("Zona baru", "New zone"),
    "editor.new_mask": ("Masker privasi baru", "New privacy mask"),
    "editor.undo": ("Batalkan", "Undo"),
    "editor.delete": ("Hapus", "Delete"),
    "editor.refresh": ("Cuplikan baru", "New snapshot"),
    "editor.canvas": ("Gambar kamera dengan zona", "Camera picture with zones"),
    "editor.loading": ("Mengambil cuplikan anonim...", "Taking an anonymised snapshot..."),
    "editor.help": (
        "Klik untuk menambah titik, klik titik pertama atau Enter untuk menutup; seret titik untuk memindah; "
        "Delete menghapus titik terpilih; Ctrl+Z membatalkan; Esc berhenti menggambar.",
        "Click to add points, click the first point or press Enter to close; drag a point to move it; "
        "Delete removes the selected point; Ctrl+Z undoes; Esc stops drawing.",
    ),
    "editor.shapes": ("Zona dan masker", "Zones and masks"),
    "editor.queue_link": ("Antrean loket ini", "This counter's queue"),
    "editor.counter_link": ("Loket petugas ini", "This staff zone's counter"),
    "editor.saved": ("Tersimpan.", "Saved."),
    "editor.drawing": ("Menggambar: klik titik-titik, Enter untuk menutup.", "Drawing: click points, Enter to close."),
    "editor.ready": ("Siap.", "Ready."),
    "editor.no_snapshot": ("Tidak ada cuplikan: {error}", "No snapshot: {error}"),
    "editor.mask": ("masker", "mask"),
    "editor.legend": ("Warna per jenis zona", "Colour per zone kind"),
    "editor.mask_legend": ("Masker privasi (tidak dianalisis)", "Privacy mask (not analysed)"),
    "editor.none": ("(tidak ada)", "(none)"),
    "editor.unsaved": ("Perubahan belum disimpan.", "Unsaved changes."),
    # errors
    "error.title": ("Terjadi kesalahan", "Something went wrong"),
    "error.403": ("Peran Anda tidak boleh membuka halaman ini.", "Your role may not open this page."),
    "error.404": ("Tidak ditemukan.", "Not found."),
    "error.csrf": (
        "Formulir kedaluwarsa atau tidak sah; muat ulang halaman dan coba lagi.",
        "The form expired or is not valid; reload the page and try again.",
    ),
    "error.back": ("Kembali ke dasbor", "Back to the dashboard"),
    # evidence pack of one visit
    "pack.title": ("Paket bukti kunjungan", "Evidence pack for a visit"),
    "pack.open": (
        "Buat paket bukti untuk satu kunjungan atau keluhan",
        "Make an evidence pack for one visit or complaint",
    ),
    "pack.intro": (
        "Pilih unit dan rentang waktu kunjungan mystery shopper atau keluhan pelanggan, dalam waktu setempat "
        "unit (1 menit sampai 6 jam).",
        "Pick a unit and the window of a mystery-shopper visit or a customer complaint, in the unit's local "
        "time (1 minute to 6 hours).",
    ),
    "pack.unit": ("Unit", "Unit"),
    "pack.date": ("Tanggal", "Date"),
    "pack.from": ("Dari", "From"),
    "pack.to": ("Sampai", "To"),
    "pack.show": ("Tampilkan paket", "Show the pack"),
    "pack.pdf": ("Unduh PDF", "Download PDF"),
    "pack.window": ("{unit}, {start} sampai {end}", "{unit}, {start} to {end}"),
    "pack.generated": ("Dibuat {time} oleh {user}", "Made {time} by {user}"),
    "pack.audited": (
        "Setiap paket, unduhan PDF dan tampilan gambar dicatat dalam log audit.",
        "Every pack, PDF download and image view is recorded in the audit log.",
    ),
    "pack.cameras": ("Kamera dan angka per menit", "Cameras and figures per minute"),
    "pack.no_cameras": ("Unit ini tidak punya kamera.", "This unit has no cameras."),
    "pack.coverage": (
        "Cakupan: daring {online} s, luring {offline} s; {minutes} dari {total} menit dengan data.",
        "Coverage: online {online} s, offline {offline} s; {minutes} of {total} minutes with data.",
    ),
    "pack.coverage_title": ("Cakupan kamera per menit", "Camera coverage per minute"),
    "pack.minute": ("Menit", "Minute"),
    "pack.mean": ("Orang (rata-rata)", "People (mean)"),
    "pack.max": ("Orang (maks)", "People (max)"),
    "pack.frames": ("Bingkai dianalisis", "Frames analysed"),
    "pack.online_s": ("Daring (s)", "Online (s)"),
    "pack.offline_s": ("Luring (s)", "Offline (s)"),
    "pack.no_minutes": (
        "Tidak ada angka per menit untuk zona ini dalam rentang ini.",
        "No minute figures for this zone in this window.",
    ),
    "pack.alerts": ("Peringatan selama rentang ini", "Alerts during the window"),
    "pack.no_alerts": ("Tidak ada peringatan selama rentang ini.", "No alerts during the window."),
    "pack.cleared": ("Kondisi pulih", "Condition cleared"),
    "pack.snapshots": ("Cuplikan anonim dalam rentang ini", "Anonymised snapshots in the window"),
    "pack.no_snapshots": ("Tidak ada cuplikan dalam rentang ini.", "No snapshots in this window."),
    "pack.truncated": ("Hanya {n} cuplikan pertama yang dimuat.", "Only the first {n} snapshots are included."),
    "pack.image_missing": (
        "Berkas gambar hilang atau berubah (sha256 tidak cocok).",
        "The image file is missing or altered (sha256 mismatch).",
    ),
    "pack.missing": (
        "Isi unit, tanggal, waktu mulai dan waktu selesai.",
        "Fill in the unit, the date, the start time and the end time.",
    ),
    "pack.bad_date": ("Tanggal tidak valid: {value}", "Not a valid date: {value}"),
    "pack.bad_time": ("Waktu tidak valid: {value}", "Not a valid time: {value}"),
    "pack.window_naive": ("Waktu perlu zona waktu.", "The times need a time zone."),
    "pack.window_range": ("Waktu di luar rentang yang dapat disimpan.", "The times lie outside what can be stored."),
    "pack.window_short": (
        "Rentang harus paling sedikit 1 menit dan berakhir setelah dimulai.",
        "The window must last at least 1 minute and end after it starts.",
    ),
    "pack.window_long": ("Rentang paling lama 6 jam.", "The window may last at most 6 hours."),
    "pack.pdf_failed": ("PDF tidak dapat dibuat: {reason}", "The PDF could not be made: {reason}"),
}

_WORDS.update(CUSTOMER_WORDS)

# Counted texts, key: (Indonesian, English), each a text per CLDR plural category; ``{count}`` is the number.
_COUNTED: dict[str, tuple[Mapping[str, str], Mapping[str, str]]] = {
    "count.people": ({"other": "{count} orang"}, {"one": "{count} person", "other": "{count} people"}),
    "count.visits": ({"other": "{count} kunjungan"}, {"one": "{count} visit", "other": "{count} visits"}),
    "count.alerts": ({"other": "{count} peringatan"}, {"one": "{count} alert", "other": "{count} alerts"}),
    "count.minutes": ({"other": "{count} menit"}, {"one": "{count} minute", "other": "{count} minutes"}),
    "count.times": ({"other": "{count} kali"}, {"one": "{count} time", "other": "{count} times"}),
    "count.points": ({"other": "{count} poin"}, {"one": "{count} point", "other": "{count} points"}),
    "summary.need_action": (
        {"other": "{count} unit perlu tindakan; yang paling mendesak di atas."},
        {"one": "{count} unit needs action.", "other": "{count} units need action; the most urgent first."},
    ),
    "summary.reason.unacknowledged": (
        {"other": "{count} peringatan belum ditangani"},
        {"one": "{count} alert not acknowledged", "other": "{count} alerts not acknowledged"},
    ),
    "summary.reason.offline": (
        {"other": "{count} kamera luring"},
        {"one": "{count} camera offline", "other": "{count} cameras offline"},
    ),
    "alerts.bulk_done": (
        {"other": "{count} peringatan ditangani."},
        {"one": "{count} alert acknowledged.", "other": "{count} alerts acknowledged."},
    ),
}


@cache
def _locale(language: Language) -> Locale:
    return Locale.parse(language)


def plural_category(language: Language, count: float) -> str:
    """The CLDR plural category of ``count`` in ``language``: ``one`` or ``other`` in English, ``other`` in
    Indonesian."""
    return str(_locale(language).plural_form(abs(count)))


def _shown(count: float) -> str:
    """A count as the texts show it: whole numbers without decimals, else one decimal."""
    if float(count).is_integer():
        return str(int(count))
    return f"{count:.1f}".rstrip("0").rstrip(".")


def _counted(language: Language, key: str, values: dict[str, Any]) -> str:
    indonesian, english = _COUNTED[key]
    forms = english if language == "en" else indonesian
    count = values.get("count")
    if not isinstance(count, int | float):
        raise TypeError(f"the text '{key}' needs a number as count, not {count!r}")
    text = forms.get(plural_category(language, count), forms["other"])
    return text.format(**{**values, "count": _shown(count)})


def translate(language: Language, key: str, **values: Any) -> str:
    """The text of ``key`` in ``language`` (Indonesian when missing), with ``values`` filled in; a counted
    text takes its form from ``count``."""
    if key in _COUNTED:
        return _counted(language, key, values)
    pair = _WORDS.get(key)
    if pair is None:
        return key
    text = pair[1] if language == "en" else pair[0]
    return text.format(**values) if values else text


def translator(language: Language) -> Callable[..., str]:
    """``t(key, **values)`` for templates."""

    def t(key: str, **values: Any) -> str:
        return translate(language, key, **values)

    return t


def text_keys() -> list[str]:
    """Every key, plain and counted."""
    return sorted([*_WORDS, *_COUNTED])


def counted_keys() -> list[str]:
    return sorted(_COUNTED)


def pick_language(cookie: str | None, default: Language) -> Language:
    """The language of a request: the cookie when it names a known one, else the default."""
    return "en" if cookie == "en" else "id" if cookie == "id" else default
