"""The words of the report's customer sections (ratings, mystery shopper, what moves satisfaction).

key: (Indonesian, English); ``cvmon.i18n.messages`` adds them to its texts.
"""

from __future__ import annotations

CUSTOMER_WORDS: dict[str, tuple[str, str]] = {
    "audit.action.ratings.import": ("Penilaian pelanggan diimpor", "Customer ratings imported"),
    "audit.action.shopper.import": ("Skor mystery shopper diimpor", "Mystery-shopper scores imported"),
    "customer.title": ("Pelanggan dan mystery shopper", "Customers and mystery shoppers"),
    "customer.note": (
        "Angka yang diimpor dari aplikasi, contact center dan evaluasi mystery shopper, di samping angka kamera. "
        "Hanya angka agregat: tanpa identitas atau komentar pelanggan.",
        "Figures imported from the app, the contact centre and mystery-shopper evaluations, beside the camera "
        "figures. Aggregates only: no customer's identity or comments.",
    ),
    "customer.none": (
        "Belum ada penilaian pelanggan atau skor mystery shopper untuk periode ini (cvmon import ratings, "
        "cvmon import mystery-shopper).",
        "No customer ratings or mystery-shopper scores imported for this period (cvmon import ratings, "
        "cvmon import mystery-shopper).",
    ),
    "customer.ratings": ("Penilaian pelanggan", "Customer ratings"),
    "customer.channel": ("Kanal · layanan", "Channel · service"),
    "customer.all_channels": ("Semua kanal", "All channels"),
    "customer.any": ("semua", "all"),
    "customer.csat": ("CSAT (1-5)", "CSAT (1-5)"),
    "customer.nps": ("NPS", "NPS"),
    "customer.ces": ("CES (1-7)", "CES (1-7)"),
    "customer.days": ("Hari", "Days"),
    "customer.answers": ("n = {count}", "n = {count}"),
    "customer.def.ratings": (
        "CSAT dan CES: rata-rata tertimbang jumlah jawaban. NPS: 100 × (promotor − detraktor) / jawaban, "
        "dari −100 sampai 100; dalam kurung promotor/pasif/detraktor.",
        "CSAT and CES: means weighted by their answers. NPS: 100 × (promoters − detractors) / answers, "
        "from −100 to 100; in brackets promoters/passives/detractors.",
    ),
    "customer.shopper": ("Mystery shopper", "Mystery shopper"),
    "customer.shopper_index": ("Indeks mystery shopper", "Mystery-shopper index"),
    "customer.def.shopper_index": (
        "Rata-rata skor kunjungan; skor kunjungan adalah rata-rata tertimbang aspeknya (bobot dari berkas).",
        "The mean of the visits' scores; a visit's score is the weighted mean of its aspects (weights from the file).",
    ),
    "customer.touchpoint": ("Titik layanan", "Touchpoint"),
    "customer.touchpoints": ("Titik layanan", "Touchpoints"),
    "customer.touchpoint.frontliner": ("Frontliner (loket)", "Frontliner (counter)"),
    "customer.touchpoint.satpam": ("Satpam", "Security guard (Satpam)"),
    "customer.touchpoint.pandu": ("Petugas Pandu", "Guide (Pandu)"),
    "customer.shopper_score": ("Skor mystery shopper", "Mystery-shopper score"),
    "customer.zones": ("Zona kamera", "Camera zones"),
    "customer.no_zone": ("tidak ada zona yang sesuai", "no matching zone"),
    "customer.def.touchpoints": (
        "Frontliner dipetakan ke zona petugas loket, Satpam dan Pandu ke zona pos (kamera tidak membedakan pos "
        "Satpam dari meja Pandu). Terisi: bagian jam layanan zona itu berisi petugas; kosong saat pelanggan "
        "menunggu: berapa kali dan berapa menit.",
        "Frontliner maps onto the counters' staff zones, Satpam and Pandu onto post zones (the cameras cannot tell "
        "a guard's post from a guide's desk). Staffed: share of service time those zones held staff; unstaffed "
        "while customers waited: how often and how many minutes.",
    ),
    "customer.visits": ("Kunjungan mystery shopper", "Mystery-shopper visits"),
    "customer.visit": ("Kunjungan", "Visit"),
    "customer.visit_score": ("Skor kunjungan", "Visit score"),
    "customer.check": ("Periksa dengan kamera", "Check with the cameras"),
    "customer.open_pack": ("Buka paket bukti", "Open the evidence pack"),
    "customer.no_time": ("jam kunjungan tidak diketahui", "visit time unknown"),
    "customer.def.pack": (
        "Paket bukti mencakup 15 menit sebelum sampai 60 menit setelah jam kunjungan: angka per menit, peringatan "
        "dan cuplikan anonim (akses dicatat di log audit).",
        "The evidence pack covers 15 minutes before to 60 minutes after the visit's time: minute figures, alerts "
        "and anonymised snapshots (access is written to the audit log).",
    ),
    "customer.source.cvmon": ("Kamera (cvmon)", "Cameras (cvmon)"),
    "customer.source.mystery_shopper": ("Mystery shopper", "Mystery shopper"),
    "customer.means.shopper_aspect": (
        "Skor rata-rata aspek ini dalam kunjungan mystery shopper periode ini, di bawah target.",
        "This aspect's mean score in the period's mystery-shopper visits, below its target.",
    ),
    "customer.moves": ("Apa yang memengaruhi kepuasan", "What moves satisfaction"),
    "customer.moves_note": (
        "Setiap titik adalah satu unit pada satu hari dengan penilaian dan angka kamera. Titik: {points}; "
        "unit: {units}.",
        "Each point is one unit on one day with both ratings and camera figures. Points: {points}; units: {units}.",
    ),
    "customer.figure": ("Angka kamera (per hari)", "Camera figure (per day)"),
    "customer.outcome": ("Kepuasan", "Satisfaction"),
    "customer.rho": ("Spearman ρ", "Spearman ρ"),
    "customer.interval": ("Interval 95%", "95% interval"),
    "customer.day_figure.wait_p90_min": ("Waktu tunggu p90 (menit)", "Wait p90 (minutes)"),
    "customer.day_figure.queue_over_pct": (
        "Waktu antrean di atas ambang (% menit layanan)",
        "Time the queue was over its threshold (% of service minutes)",
    ),
    "customer.day_figure.unstaffed_minutes": (
        "Menit loket/pos kosong saat pelanggan menunggu",
        "Minutes counters or posts were empty while customers waited",
    ),
    "customer.strength.none": ("hampir tidak ada", "next to no"),
    "customer.strength.weak": ("lemah", "weak"),
    "customer.strength.moderate": ("sedang", "moderate"),
    "customer.strength.strong": ("kuat", "strong"),
    "customer.verdict.too_few": (
        "Terlalu sedikit titik ({n}; perlu paling sedikit {min}) untuk menyimpulkan apa pun.",
        "Too few points ({n}; at least {min} are needed) to say anything.",
    ),
    "customer.verdict.no_variation": (
        "Salah satu angka tidak berubah sepanjang periode: tidak ada yang bisa dibandingkan.",
        "One of the figures never changed over the period: nothing to compare.",
    ),
    "customer.verdict.unclear": (
        "Tidak jelas: interval mencakup nol, hubungan {strength} ini bisa saja kebetulan.",
        "Unclear: the interval includes zero, so this {strength} relation may be chance.",
    ),
    "customer.verdict.negative": (
        "Hubungan negatif {strength}: hari dengan angka ini lebih tinggi cenderung berkepuasan lebih rendah.",
        "A {strength} negative relation: days with more of this figure tend to have lower satisfaction.",
    ),
    "customer.verdict.positive": (
        "Hubungan positif {strength}: hari dengan angka ini lebih tinggi cenderung berkepuasan lebih tinggi.",
        "A {strength} positive relation: days with more of this figure tend to have higher satisfaction.",
    ),
    "customer.def.moves": (
        "Korelasi peringkat Spearman dengan interval kepercayaan 95% (transformasi Fisher z). Korelasi bukan "
        "sebab-akibat; hari dengan sedikit jawaban menambah derau. Tingkat pelanggan batal dan salam belum "
        "diukur kamera dan tidak ditampilkan.",
        "Spearman rank correlation with its 95% confidence interval (Fisher z transform). Correlation is not "
        "cause; days with few answers add noise. Abandonment and greeting rates are not measured by the cameras "
        "yet and are not shown.",
    ),
    "customer.chart.title": ("Korelasi dengan kepuasan (Spearman ρ)", "Correlation with satisfaction (Spearman ρ)"),
    "customer.chart.axis": ("ρ, dari −1 sampai 1", "ρ, from −1 to 1"),
    "customer.chart.no_data": ("Terlalu sedikit titik", "Too few points"),
    "customer.chart.figure.wait_p90_min": ("Tunggu p90", "Wait p90"),
    "customer.chart.figure.queue_over_pct": ("Antrean > ambang", "Queue over threshold"),
    "customer.chart.figure.unstaffed_minutes": ("Kosong saat menunggu", "Unstaffed while waiting"),
}
