"""The done-when of the dashboard on Boston's sample: on-time as the file says, medians, places.

Every expected figure is worked out here from the CSV itself (csv and statistics), never
from casemgr's KPI code.
"""

import csv
import statistics
from collections import Counter, defaultdict
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from casemgr.accounts import service as accounts
from casemgr.cases.importer import PLACEHOLDER_POINT, category_for
from casemgr.cases.models import Case
from casemgr.dashboard import service
from casemgr.dashboard.timeliness import ON_TIME, timeliness
from casemgr.db import session
from tests.conftest import data_file

BOSTON_CSV = data_file("boston311-100.csv")
NEW_YORK = ZoneInfo("America/New_York")
VERDICTS = {"ONTIME": ON_TIME, "OVERDUE": "overdue"}


@pytest.fixture
def boston(app):
    """Boston's sample imported; the file's rows by external id."""
    result = app.test_cli_runner().invoke(
        args=["casemgr", "import-311", str(BOSTON_CSV), "--timezone", "America/New_York"]
    )
    assert result.exit_code == 0, result.output
    with open(BOSTON_CSV, encoding="utf-8-sig", newline="") as handle:
        return {f"boston311:{row['case_enquiry_id']}": row for row in csv.DictReader(handle)}


def utc(text):
    return datetime.fromisoformat(text).replace(tzinfo=NEW_YORK).astimezone(UTC)


def hours_open(row):
    return (utc(row["closed_dt"]) - utc(row["open_dt"])).total_seconds() / 3600


def imported():
    session.expire_all()
    return {case.external_id: case for case in session.scalars(select(Case))}


def test_on_time_of_every_row_is_the_files_own(boston):
    admin = accounts.find_user("admin")
    as_of = service.data_as_of(admin)
    cases = imported()

    verdicts = {key: timeliness(cases[key], as_of) for key in boston}

    assert verdicts == {key: VERDICTS[row["ontime"]] for key, row in boston.items()}
    assert Counter(verdicts.values()) == {ON_TIME: 83, "overdue": 17}
    # The file's latest moment is the due moment of an open row it already calls OVERDUE.
    latest = max(utc(row[c]) for row in boston.values() for c in ("open_dt", "target_dt",
                                                                    "closed_dt") if row[c])
    assert as_of == latest


def test_kpi_api_splits_83_on_time_and_17_overdue(boston, api):
    response = api.get("/kpis", "admin", query_string={"as_of": "data"})

    assert response.status_code == 200, response.get_json()
    overall = response.get_json()["overall"]
    closed_with_due = [r for r in boston.values() if r["closed_dt"] and r["target_dt"]]
    on_time_closed = [r for r in closed_with_due if r["closed_dt"] <= r["target_dt"]]
    open_late = [r for r in boston.values() if not r["closed_dt"] and r["target_dt"]]
    assert (len(closed_with_due), len(on_time_closed), len(open_late)) == (77, 72, 12)
    assert overall["total"] == 100
    assert overall["on_time"] == 83
    assert overall["overdue"] == 17
    assert overall["open_overdue"] == 12
    assert overall["without_due"] == sum(1 for r in boston.values() if not r["target_dt"]) == 11
    assert overall["backlog"] == 15
    assert overall["closed"] == 85


def test_today_gives_the_same_split_as_the_file(boston, api):
    """Judged now, years after the file, every open row with a due moment is past it."""
    overall = api.get("/kpis", "admin").get_json()["overall"]

    assert (overall["on_time"], overall["overdue"]) == (83, 17)


def test_median_and_p90_per_type_match_an_independent_computation(boston, api):
    hours = defaultdict(list)
    for row in boston.values():
        if row["closed_dt"]:
            hours[category_for(row)].append(hours_open(row))

    groups = api.get(
        "/kpis", "admin", query_string={"group_by": "category", "as_of": "data"}
    ).get_json()["groups"]

    assert set(groups) == {category_for(row) for row in boston.values()}
    for code, values in hours.items():
        assert groups[code]["median_hours_to_resolve"] == pytest.approx(
            statistics.median(values), abs=0.001
        ), code
        assert groups[code]["median_hours_to_close"] == pytest.approx(
            statistics.median(values), abs=0.001
        ), code
        if len(values) > 1:
            p90 = statistics.quantiles(values, n=10, method="inclusive")[-1]
            assert groups[code]["p90_hours_to_resolve"] == pytest.approx(p90, abs=0.001), code
    everything = [h for values in hours.values() for h in values]
    overall = api.get("/kpis", "admin").get_json()["overall"]
    assert overall["median_hours_to_resolve"] == pytest.approx(
        statistics.median(everything), abs=0.001
    )


def placeholder_ids(boston):
    return {
        key for key, row in boston.items()
        if (round(float(row["latitude"]), 4), round(float(row["longitude"]), 4))
        == PLACEHOLDER_POINT
    }


def test_placeholder_rows_are_listed_as_unlocated_and_never_drawn(boston, api, client, logins):
    placeholders = placeholder_ids(boston)
    cases = imported()
    placeholder_refs = {cases[key].reference for key in placeholders}
    assert len(placeholders) == 19

    unlocated = api.get("/kpis/unlocated", "admin").get_json()["items"]
    assert {item["reference"] for item in unlocated} == placeholder_refs
    assert all(item["lat"] is None and item["lon"] is None for item in unlocated)

    features = api.get("/kpis/cases.geojson", "admin").get_json()["features"]
    assert len(features) == 81
    assert not {f["properties"]["reference"] for f in features} & placeholder_refs

    client.post("/login", data={"username": "admin", "password": logins["admin"]["password"]})
    drawn = client.get("/dashboard/cases.geojson").get_json()["features"]
    assert {f["properties"]["reference"] for f in drawn} == {
        f["properties"]["reference"] for f in features
    }
    page = client.get("/dashboard/").get_data(as_text=True)
    section = page.split('id="unlocated"', 1)[1].split("</section>", 1)[0]
    assert "19, not on the map" in section
    assert all(reference in section for reference in placeholder_refs)
