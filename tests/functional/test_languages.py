"""Indonesian and English pages: chosen by the user, else the switcher, else the browser."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from flask import render_template_string

import config as settings
from casemgr import ROOT, labels
from casemgr.accounts import service as accounts
from casemgr.cases import history, history_texts
from casemgr.cases import service as cases
from casemgr.db import session
from casemgr.escalations import schema
from casemgr.notifications import messages
from casemgr.notifications import service as notifications
from tests.functional.citizen_cases import file, log_in

CATALOG = ROOT / "translations" / "id" / "LC_MESSAGES"


@pytest.fixture(autouse=True)
def _browser_language_again():
    """Forget the demo users' saved choice: the cleanup keeps the seeded user rows."""
    yield
    session.rollback()
    for username in ("citizen",):
        accounts.set_locale(accounts.find_user(username), None)


def home(client, **headers):
    return client.get("/", headers=headers).get_data(as_text=True)


def test_the_browser_s_language_is_used_when_none_was_chosen(client):
    assert "Laporkan masalah" in home(client, **{"Accept-Language": "id-ID,id;q=0.9"})
    assert 'lang="id"' in home(client, **{"Accept-Language": "id"})
    assert "Report a problem" in home(client, **{"Accept-Language": "en-GB"})
    assert "Report a problem" in home(client, **{"Accept-Language": "fr"})
    assert "Report a problem" in home(client)


def test_the_switcher_overrides_the_browser_for_the_session(client):
    response = client.post("/language", data={"locale": "id", "next": "/map"})

    assert response.status_code == 302 and response.headers["Location"] == "/map"
    assert "Laporkan masalah" in home(client, **{"Accept-Language": "en"})
    client.post("/language", data={"locale": "en"})
    assert "Report a problem" in home(client, **{"Accept-Language": "id"})


def test_a_user_s_choice_is_saved_with_the_account(client, app, logins):
    log_in(client, "citizen", logins["citizen"]["password"])
    client.post("/language", data={"locale": "id"})
    session.expire_all()
    assert accounts.find_user("citizen").locale == "id"

    # A new app context: Flask-Login keeps the loaded user on `g`, which the test's own
    # context would carry from the requests above.
    fresh = app.test_client()
    with app.app_context():
        log_in(fresh, "citizen", logins["citizen"]["password"])
    with app.app_context():
        assert "Laporkan masalah" in home(fresh, **{"Accept-Language": "en"})


def test_a_bad_language_or_an_outside_next_is_refused(client):
    bad = client.post("/language", data={"locale": "xx"})
    outside = client.post("/language", data={"locale": "id", "next": "https://evil.example/"})

    assert bad.status_code == 400 and "Unknown language" in bad.get_data(as_text=True)
    assert outside.status_code == 302 and outside.headers["Location"] == "/"


def test_pages_wear_the_chosen_language(client):
    case = file()
    client.post("/language", data={"locale": "id"})

    report = client.get("/report").get_data(as_text=True)
    track = client.get(f"/track/{case.reference}").get_data(as_text=True)
    base_nav = client.get("/map").get_data(as_text=True)

    assert "Apa masalahnya?" in report and "Kirim laporan" in report
    assert "Riwayat" in track and "Janji kami" in track
    assert "Peta laporan" in base_nav and 'id="language-switcher"' in base_nav


def test_times_are_shown_in_the_city_s_time_zone(app):
    moment = datetime(2026, 12, 4, 1, 30, tzinfo=UTC)  # 08:30 in Jakarta

    # Each in its own app context: Flask-Babel keeps the chosen locale on `g`.
    with app.app_context(), app.test_request_context(headers={"Accept-Language": "en"}):
        english = render_template_string("{{ moment|city_time }}", moment=moment)
    with app.app_context(), app.test_request_context(headers={"Accept-Language": "id"}):
        indonesian = render_template_string("{{ moment|city_time('short') }}", moment=moment)

    assert "8:30" in english and "Dec" in english
    assert "08.30" in indonesian or "08:30" in indonesian
    with app.test_request_context():
        assert render_template_string("{{ none|city_time }}", none=None) == ""


def test_the_committed_catalog_is_complete_and_compiled(app):
    with open(CATALOG / "messages.po", "rb") as handle:
        source = read_po(handle)
    with open(CATALOG / "messages.mo", "rb") as handle:
        compiled = read_mo(handle)

    untranslated = [m.id for m in source if m.id and not all(
        m.string if isinstance(m.string, tuple) else [m.string])]
    assert untranslated == []
    assert _entries(source) == _entries(compiled)


def _entries(catalog):
    """msgid -> msgstr with plural forms as tuples, as the .po and the .mo both hold them."""
    def plain(value):
        return tuple(value) if isinstance(value, list | tuple) else value

    return {plain(m.id): plain(m.string) for m in catalog if m.id}


def test_refusals_speak_the_page_s_language(client):
    case = file()

    response = client.post(f"/track/{case.reference}/me-too",
                           headers={"Accept-Language": "id"})

    assert response.status_code == 422
    assert "Masuk atau isi alamat email Anda" in response.get_data(as_text=True)


# -- every page in Indonesian -------------------------------------------------------------

#: (user or None, path, Indonesian words that must show, English words that must not).
#: {case} and {task} are a drain case waiting at triage and its triage task.
PAGES = [
    (None, "/", ["Lacak laporan", "Apa yang bisa Anda laporkan"],
     ["Track a report", "What you can report"]),
    (None, "/login", ["Nama pengguna", "Kata sandi", "tanpa akun"],
     ["Username", "Password", "without an account"]),
    (None, "/track/{reference}", ["Pengaduan masuk", "Status"],
     ["Complaint filed", "submitted<"]),
    (None, "/no-such-page", ["Tidak ditemukan", "Tidak ada halaman di alamat ini"],
     ["Not found", "Back to the start page", "The requested URL"]),
    ("sup-water", "/tasks/", ["Kotak masuk", "Dipegang oleh", "Tenggat", "Saring"],
     ["Held by", ">Due<", ">Filter<", "open task"]),
    ("sup-water", "/cases/", ["Nomor laporan", "ditemukan", "Semua kategori"],
     [">Reference<", " found<", "All categories", "Any status"]),
    ("sup-water", "/cases/{case}", ["Tugas terbuka", "Diagram proses", "Pengaduan masuk",
                                    "Diteruskan ke", "Prioritas", "dikirim", "petugas triase",
                                    ">sistem<"],
     ["Open tasks", "Process diagram", "Complaint filed", "Routed to", ">Priority<",
      "Merge into the original", "triage officer", ">system<"]),
    ("triage", "/tasks/{task}", ["Keputusan", "Selesaikan", "Ajukan pertanyaan kepada pelapor"],
     [">Decision<", "Complete:", "Ask the reporter a question", "Held by"]),
    ("escalation", "/escalations/", ["Terlambat dan berisiko", "Perpanjang tenggat", "Alihkan"],
     ["Overdue and at risk", "Extend the due moment", "With the ticked cases"]),
    ("escalation", "/escalations/incidents", ["Insiden", "Tidak ada kasus yang macet"],
     ["Incidents<", "No case is stalled", "stalled case"]),
    ("admin", "/admin/locked-accounts", ["Akun terkunci", "Tidak ada akun yang dikunci"],
     ["Locked accounts<", "No account is locked"]),
    ("admin", "/escalations/calendar", ["Kalender kerja", "Libur nasional", "Tambah hari libur"],
     ["Working calendar", "Public holidays", "Add a day off"]),
    ("owner", "/processes/", ["Versi yang diterapkan", "Buka di pemodel", "Aturan penerusan"],
     ["Deployed version", "Open in the modeller", "Routing rules"]),
    ("owner", "/processes/complaint/versions", ["Versi dari", "Diterapkan oleh", "terbaru"],
     ["Versions of", "Deployed by", "latest<"]),
    ("owner", "/processes/complaint/modeller", ["Simpan draf", "Terapkan", "Memuat diagram"],
     ["Save draft", ">Deploy<", "Loading the diagram"]),
    ("owner", "/processes/complaint/migration", ["Versi tujuan", "Pratinjau"],
     ["Target version", ">Preview<", "open cases on"]),
    ("owner", "/routing/", ["Aturan penerusan", "Tambah aturan", "Jam"],
     ["Add a rule", "Rules are tried", "Time of day"]),
    ("owner", "/routing/test", ["Uji satu titik", "Aturan mana yang berlaku?",
                                "tidak ada jawaban, coba lagi", "Titik ini di luar wilayah kota."],
     ["Test a point", "Which rule fires?", "No point tested"]),
    ("owner", "/routing/categories", ["Proses yang dijalankan setiap kategori", "Catatan"],
     ["Which process each category runs", "Change to"]),
    ("admin", "/dashboard/", ["Dasbor", "Tepat waktu", "Kasus tanpa lokasi", "Tren", "WIB",
                              "Kasus (kelompok)", "kasus per minggu"],
     [">On time<", "Unlocated cases", "Trends", "All districts", "Export CSV", "+00:00"]),
    ("admin", "/dashboard/layers", ["Lapisan peta", "Unggah lapisan", "Nama lapisan"],
     ["Map layers", "Upload a layer", "Layer name"]),
    ("admin", "/admin/api-keys", ["Kunci API Open311", "Buat kunci", "Nama klien"],
     ["Open311 API keys", "Create the key", "Client name"]),
    ("admin", "/admin/questions/drains", ["Pertanyaan tambahan", "Tambah pertanyaan",
                                          "Jenis jawaban"],
     ["Extra questions", "Add a question", "Answer type"]),
    ("admin", "/admin/status-messages", ["Pesan status", "Semua kategori", ">Diterima<"],
     ["Status messages", "Every category", ">accepted<"]),
]


@pytest.fixture
def triage_case(api):
    """A drain case waiting at triage, with the id of its open triage task."""
    from sqlalchemy import select

    from casemgr.tasks.models import Task

    case = file()
    task_id = session.scalar(select(Task.id).where(Task.case_id == case.id,
                                                   Task.status == "open"))
    return {"case": case.id, "reference": case.reference, "task": task_id}


@pytest.mark.parametrize(("user", "path", "indonesian", "english"), PAGES,
                         ids=[f"{user or 'public'} {path}" for user, path, _i, _e in PAGES])
def test_each_page_speaks_indonesian(client, logins, triage_case, user, path, indonesian,
                                     english):
    if user is not None:
        log_in(client, user, logins[user]["password"])

    response = client.get(path.format(**triage_case), headers={"Accept-Language": "id"})
    text = response.get_data(as_text=True)

    assert response.status_code == (404 if "no-such" in path else 200), text[:300]
    assert 'lang="id"' in text
    assert [word for word in indonesian if word not in text] == []
    assert [word for word in english if word in text] == []


def test_the_login_prompt_speaks_the_page_s_language(client):
    response = client.get("/tasks/", headers={"Accept-Language": "id"}, follow_redirects=True)

    assert "Silakan masuk untuk melihat halaman itu." in response.get_data(as_text=True)


def test_wtforms_own_messages_speak_the_page_s_language(app, client):
    blank = {"username": "", "password": ""}
    # Each in its own app context: Flask-Babel keeps the chosen locale on `g`.
    with app.app_context():
        indonesian = client.post("/login", data=blank, headers={"Accept-Language": "id"})
    with app.app_context():
        english = client.post("/login", data=blank, headers={"Accept-Language": "en"})

    assert "Isian ini wajib diisi." in indonesian.get_data(as_text=True)
    assert "This field is required." not in indonesian.get_data(as_text=True)
    assert "This field is required." in english.get_data(as_text=True)


@pytest.mark.parametrize("late", [timedelta(days=20, hours=3), timedelta(hours=1, minutes=5),
                                  timedelta(days=2), timedelta(seconds=20),
                                  -timedelta(minutes=45), None])
def test_lateness_on_pages_says_what_the_api_says_in_the_reader_s_language(app, late):
    with app.app_context(), app.test_request_context(headers={"Accept-Language": "en"}):
        english = labels.lateness(late)
    with app.app_context(), app.test_request_context(headers={"Accept-Language": "id"}):
        indonesian = labels.lateness(late)

    assert english == schema.lateness_words(late)  # the API's words, the contract
    assert indonesian != english and not re.search(r"\b(late|due in|min|d|h)\b", indonesian)


def test_lateness_in_indonesian_reads_naturally(app):
    with app.app_context(), app.test_request_context(headers={"Accept-Language": "id"}):
        assert labels.lateness(timedelta(days=20, hours=3)) == "terlambat 20 hr 3 jam"
        assert labels.lateness(-timedelta(minutes=45)) == "jatuh tempo dalam 45 mnt"


def test_case_times_are_in_the_city_zone_with_the_locale_s_format(client, logins, triage_case):
    log_in(client, "sup-water", logins["sup-water"]["password"])

    indonesian = client.get(f"/cases/{triage_case['case']}",
                            headers={"Accept-Language": "id"}).get_data(as_text=True)
    english = client.get(f"/cases/{triage_case['case']}").get_data(as_text=True)

    # Jakarta profile: WIB in both; Indonesian writes 24-hour times with a dot.
    assert re.search(r"\d\d? \w{3} \d{4} \d\d\.\d\d WIB", indonesian)
    assert re.search(r"\w{3} \d\d?, \d{4},? \d\d?:\d\d\W[AP]M WIB", english)


def test_history_summaries_follow_the_reader_and_keep_the_stored_text(app, triage_case):
    case = cases.get(triage_case["case"])
    history.record(case, "note", "A hand-written line nobody translates")
    history.record(case, "status", "Status: submitted -> accepted")
    session.commit()
    events = {e.kind: e for e in history.events_of(case.id)}

    # Each in its own app context: Flask-Babel keeps the chosen locale on `g`.
    with app.app_context(), app.test_request_context(headers={"Accept-Language": "id"}):
        filed = history_texts.summary_of(events["filed"])
        status = history_texts.summary_of(events["status"])
        note = history_texts.summary_of(events["note"])
    with app.app_context(), app.test_request_context(headers={"Accept-Language": "en"}):
        english = history_texts.summary_of(events["status"])

    assert filed == f"Pengaduan masuk: {case.category.name}"
    assert status == "Status: dikirim → diterima" and english == "Status: submitted → accepted"
    assert note == "A hand-written line nobody translates"  # an unknown shape shows as stored
    assert events["filed"].summary == f"Complaint filed: {case.category.name}"  # kept English


def test_emails_use_the_recipient_s_language(app, mailbox):
    reporter = accounts.find_user("citizen")
    accounts.set_locale(reporter, "id")
    session.commit()

    case = file(reporter=reporter, wants_email=True)
    session.commit()
    notifications.flush_outbox()

    received = [m for m in mailbox.outbox if m["to"] == reporter.email]
    assert received, mailbox.outbox
    assert received[0]["subject"] == f"Laporan Anda {case.reference} sudah kami terima"
    assert "Terima kasih" in received[0]["body"] and "Thank you" not in received[0]["body"]


def test_emails_to_people_without_a_choice_use_the_city_s_language(app):
    with app.test_request_context():
        jakarta = messages.render("closed", {"reference": "CM-1", "outcome": "fixed"})
        chosen = messages.render("closed", {"reference": "CM-1", "outcome": "fixed"}, "en")

    assert app.config["CASEMGR_DEFAULT_LOCALE"] == "id"  # the jakarta profile
    assert jakarta[0] == "Laporan Anda CM-1 sudah ditutup" and "(diperbaiki)" in jakarta[1]
    assert chosen[0] == "Your report CM-1 is closed" and "(fixed)" in chosen[1]


def test_email_moments_are_in_the_city_s_time_and_the_recipient_s_language(app):
    due = {"reference": "CM-1", "category": "Drains", "due_at": "2026-12-08T01:00+00:00"}
    with app.test_request_context():
        indonesian = messages.render("at_risk", due, "id")
        english = messages.render("at_risk", due, "en")

    assert indonesian[0] == "Berisiko: CM-1 jatuh tempo 8 Des 2026 08.00 WIB"
    assert re.fullmatch(r"At risk: CM-1 is due Dec 8, 2026,? 8:00\WAM WIB", english[0])


def test_a_bad_default_language_stops_the_start():
    with pytest.raises(settings.ConfigError, match="CASEMGR_DEFAULT_LOCALE"):
        settings.load({"CASEMGR_ENV": "test", "CASEMGR_DEFAULT_LOCALE": "fr"})
    assert settings.load({"CASEMGR_ENV": "test", "CASEMGR_PROFILE": "boston"})[
        "CASEMGR_DEFAULT_LOCALE"] == "en"
