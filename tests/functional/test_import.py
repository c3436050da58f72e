"""`casemgr import-311` on Boston's sample, malformed files, and `casemgr load-districts`."""

import csv
import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from shapely.geometry import Point, shape
from sqlalchemy import delete, select

from casemgr.cases import districts
from casemgr.cases.models import Case, District
from casemgr.db import session
from casemgr.tasks.models import Task
from tests.conftest import data_file

BOSTON_CSV = data_file("boston311-100.csv")
NEW_YORK = ZoneInfo("America/New_York")
MONAS = (106.8272, -6.1754)  # lon, lat


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def import_311(runner, path, *options):
    return runner.invoke(args=["casemgr", "import-311", str(path), *options])


def summary_of(result):
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout.strip().splitlines()[-1])


def boston_rows():
    with open(BOSTON_CSV, encoding="utf-8-sig", newline="") as handle:
        return {f"boston311:{row['case_enquiry_id']}": row for row in csv.DictReader(handle)}


def local(text):
    return datetime.fromisoformat(text).replace(tzinfo=NEW_YORK) if text.strip() else None


def imported_cases():
    session.expire_all()
    return {case.external_id: case for case in session.scalars(select(Case))}


def test_boston_sample_imports_once(runner):
    first = summary_of(import_311(runner, BOSTON_CSV, "--timezone", "America/New_York", "--json"))

    assert first == {"imported": 100, "skipped": 0, "unlocated": 19, "errors": []}

    second = summary_of(import_311(runner, BOSTON_CSV, "--timezone", "America/New_York", "--json"))

    assert second == {"imported": 0, "skipped": 100, "unlocated": 0, "errors": []}
    assert len(imported_cases()) == 100


def test_text_summary_names_the_counts(runner):
    result = import_311(runner, BOSTON_CSV, "--timezone", "America/New_York")

    assert result.exit_code == 0, result.output
    assert "imported 100 (unlocated 19), skipped 0, errors 0" in result.stdout


def test_imported_cases_keep_place_times_and_state(runner, api):
    summary_of(import_311(runner, BOSTON_CSV, "--timezone", "America/New_York", "--json"))
    rows = boston_rows()
    cases = imported_cases()
    assert set(cases) == set(rows)

    located = [c for c in cases.values() if c.is_located]
    assert len(located) == 81
    for case in located:
        assert case.district is not None
        assert districts.district_at(case.lat, case.lon).id == case.district_id

    unlocated = [c for c in cases.values() if not c.is_located]
    assert len(unlocated) == 19
    for case in unlocated[:5]:
        body = api.get(f"/cases/{case.id}", "admin").get_json()
        assert (body["lat"], body["lon"], body["is_located"]) == (None, None, False)
    listed = api.get("/cases?located=false&page_size=100", "admin").get_json()
    assert listed["total"] == 19
    assert all(c["lat"] is None and c["lon"] is None for c in listed["items"])

    open_ids = {c.id for c in cases.values() if c.status != "closed"}
    triage_rows = session.scalars(select(Task).where(Task.status == "open"))
    assert {(t.case_id, t.bpmn_id) for t in triage_rows} == {(i, "triage") for i in open_ids}

    for external_id, row in rows.items():
        case = cases[external_id]
        assert case.filed_at == local(row["open_dt"])
        assert case.source == "import"
        if row["closed_dt"].strip():
            assert case.status == "closed"
            assert case.closed_at == local(row["closed_dt"])
            assert case.outcome == "imported_closed"
            assert case.next_timer_due_at is None
        else:
            assert row["case_status"] == "Open"
            assert case.status == "submitted"
            assert case.closed_at is None
            assert case.sla_due_at == local(row["target_dt"])


def test_closed_at_follows_the_timezone_option(runner):
    summary_of(import_311(runner, BOSTON_CSV, "--timezone", "UTC", "--json"))
    rows = boston_rows()

    for external_id, case in imported_cases().items():
        closed = rows[external_id]["closed_dt"]
        if closed.strip():
            assert case.closed_at == datetime.fromisoformat(closed).replace(tzinfo=ZoneInfo("UTC"))


def write_csv(path, rows, columns=None):
    columns = columns or list(next(iter(boston_rows().values())))
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_malformed_rows_are_reported_by_line_and_skipped(runner, tmp_path):
    good = list(boston_rows().values())
    rows = [
        good[1],  # line 2
        {**good[2], "open_dt": "2022-13-45 99:00:00"},  # line 3
        {**good[3], "case_enquiry_id": ""},  # line 4
        {**good[4], "latitude": "north"},  # line 5
        good[5],  # line 6
        {**good[6], "closed_dt": "yesterday"},  # line 7
    ]
    path = write_csv(tmp_path / "broken.csv", rows)

    result = import_311(runner, path, "--timezone", "America/New_York", "--json")

    summary = summary_of(result)
    assert summary["imported"] == 2
    assert [e["line"] for e in summary["errors"]] == [3, 4, 5, 7]
    messages = {e["line"]: e["message"] for e in summary["errors"]}
    assert "open_dt" in messages[3]
    assert "case_enquiry_id" in messages[4]
    assert "latitude" in messages[5]
    assert "closed_dt" in messages[7]
    assert "line 3:" in result.stderr and "line 7:" in result.stderr
    cases = imported_cases()
    assert set(cases) == {
        f"boston311:{good[1]['case_enquiry_id']}",
        f"boston311:{good[5]['case_enquiry_id']}",
    }


def test_file_without_required_columns_is_refused(runner, tmp_path):
    path = tmp_path / "thin.csv"
    path.write_text("case_enquiry_id,open_dt\n101004143000,2022-01-21 13:47:00\n")

    result = import_311(runner, path, "--timezone", "America/New_York")

    assert result.exit_code != 0
    assert "lacks the column(s)" in result.output
    for column in ("target_dt", "latitude", "longitude"):
        assert column in result.output
    assert imported_cases() == {}


def test_unknown_timezone_is_refused(runner):
    result = import_311(runner, BOSTON_CSV, "--timezone", "Mars/Olympus_Mons")

    assert result.exit_code != 0
    assert "Mars/Olympus_Mons" in result.output
    assert "--timezone" in result.output
    assert imported_cases() == {}


def test_missing_file_is_refused(runner, tmp_path):
    result = import_311(runner, tmp_path / "nowhere.csv", "--timezone", "America/New_York")

    assert result.exit_code != 0
    assert imported_cases() == {}


# -- districts ---------------------------------------------------------------------------


def jakarta_features():
    with open(data_file("jakarta-kelurahan.geojson"), encoding="utf-8") as handle:
        return json.load(handle)["features"]


def load_jakarta(runner):
    path = data_file("jakarta-kelurahan.geojson")
    return runner.invoke(
        args=[
            "casemgr",
            "load-districts",
            str(path),
            "--name-field",
            "village",
            "--code-field",
            "village_code",
        ]
    )


@pytest.fixture
def jakarta_codes():
    codes = [str(f["properties"]["village_code"]) for f in jakarta_features()]
    yield codes
    session.rollback()
    session.execute(delete(District).where(District.code.in_(codes)))
    session.commit()
    districts._shapes["key"] = None


def test_jakarta_kelurahan_load_and_monas_lies_in_gambir(runner, jakarta_codes):
    result = load_jakarta(runner)

    assert result.exit_code == 0, result.output
    assert "270 created, 0 updated" in result.output
    loaded = session.scalars(select(District).where(District.code.in_(jakarta_codes)))
    assert len(list(loaded)) == 270

    monas = districts.district_at(MONAS[1], MONAS[0])

    assert monas is not None
    holding = [
        f["properties"] for f in jakarta_features() if shape(f["geometry"]).contains(Point(*MONAS))
    ]
    assert len(holding) == 1
    assert monas.code == holding[0]["village_code"]
    assert monas.name == holding[0]["village"]
    assert holding[0]["district"] == "Gambir"

    again = load_jakarta(runner)
    assert again.exit_code == 0, again.output
    assert "0 created, 270 updated" in again.output


def test_geojson_without_the_name_field_is_refused(runner, jakarta_codes):
    path = data_file("jakarta-kelurahan.geojson")

    result = runner.invoke(args=["casemgr", "load-districts", str(path), "--name-field", "Name"])

    assert result.exit_code != 0
    assert "'Name'" in result.output
    assert session.scalars(select(District).where(District.code.in_(jakarta_codes))).all() == []
