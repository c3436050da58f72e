"""The dashboard's pure rules: on time or overdue, percentiles, overlay geometry checks."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from casemgr.dashboard.kpis import percentile
from casemgr.dashboard.overlays import LayerError, check_geometry, checked_collection
from casemgr.dashboard.timeliness import ON_TIME, OVERDUE, resolution_moment, timeliness

DUE = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def case(status, due=DUE, resolved=None, closed=None):
    return SimpleNamespace(status=status, sla_due_at=due, resolved_at=resolved, closed_at=closed)


@pytest.mark.parametrize("subject, as_of, verdict", [
    (case("closed", resolved=DUE, closed=DUE + timedelta(days=3)), DUE, ON_TIME),
    (case("closed", resolved=DUE + timedelta(seconds=1)), DUE, OVERDUE),
    (case("closed", closed=DUE - timedelta(hours=1)), DUE, ON_TIME),  # closed without a fix
    (case("resolved", resolved=DUE - timedelta(hours=1)), DUE + timedelta(days=9), ON_TIME),
    (case("assigned"), DUE - timedelta(seconds=1), ON_TIME),
    (case("assigned"), DUE, OVERDUE),  # the due moment came without a resolution
    # Reopened: the earlier resolution no longer counts.
    (case("assigned", resolved=DUE - timedelta(hours=5)), DUE + timedelta(hours=1), OVERDUE),
    (case("submitted", due=None), DUE + timedelta(days=999), ON_TIME),
])
def test_timeliness(subject, as_of, verdict):
    assert timeliness(subject, as_of) == verdict


def test_reopened_case_has_no_resolution_moment():
    assert resolution_moment(case("assigned", resolved=DUE)) is None


@pytest.mark.parametrize("values, fraction, expected", [
    ([], 0.5, None),
    ([7], 0.9, 7),
    ([1, 2, 3, 4], 0.5, 2.5),
    ([10, 30, 60], 0.9, 54),
    ([5, 1, 3], 0.0, 1),
    ([5, 1, 3], 1.0, 5),
])
def test_percentile_interpolates_between_ranks(values, fraction, expected):
    assert percentile(values, fraction) == expected


def test_geometry_checks_name_the_feature():
    with pytest.raises(LayerError, match="feature 3: .*out of range"):
        check_geometry({"type": "Point", "coordinates": [0, -91]}, "feature 3")
    with pytest.raises(LayerError, match="must be one of"):
        check_geometry({"type": "GeometryCollection", "geometries": []}, "feature 1")
    with pytest.raises(LayerError, match="numbers"):
        check_geometry({"type": "Point", "coordinates": [True, 1]}, "feature 1")
    with pytest.raises(LayerError, match="numbers"):
        check_geometry({"type": "Point", "coordinates": [float("nan"), 1]}, "feature 1")


def test_collection_is_rebuilt_from_checked_parts():
    content = (
        b'{"type": "FeatureCollection", "crs": "ignored", "features": [{"type": "Feature", '
        b'"properties": {"a": 1}, "geometry": {"type": "MultiPoint", "coordinates": [[1, 2]], '
        b'"bbox": "x"}, "extra": "<script>"}]}'
    )

    collection = checked_collection(content, 10_000)

    assert collection == {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"a": 1},
         "geometry": {"type": "MultiPoint", "coordinates": [[1, 2]]}}]}
