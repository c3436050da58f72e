"""load-districts with files that are not boundaries."""

import json

import pytest

BOWTIE = {"type": "Polygon", "coordinates": [[[0, 0], [2, 2], [2, 0], [0, 2], [0, 0]]]}


def load(app, tmp_path, content):
    path = tmp_path / "districts.geojson"
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return app.test_cli_runner().invoke(args=["casemgr", "load-districts", str(path),
                                              "--name-field", "name"])


def feature(geometry, name="Test district"):
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": name}, "geometry": geometry}]}


@pytest.mark.parametrize("content, message", [
    ([], "not a GeoJSON FeatureCollection"),
    (feature(None), "no readable geometry"),
    (feature("polygon"), "no readable geometry"),
    (feature({"type": "Polygon", "coordinates": [[[0, 0], [1, 1]]]}), "no readable geometry"),
    (feature({"type": "Point", "coordinates": [0, 0]}), "is not a polygon"),
    ("{not json", "districts.geojson"),
])
def test_bad_files_give_a_message_and_a_non_zero_exit(app, tmp_path, content, message):
    result = load(app, tmp_path, content)
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output


def test_a_polygon_crossing_itself_is_stored_repaired(app, tmp_path):
    from casemgr.cases import districts

    result = load(app, tmp_path, feature(BOWTIE, name="Bowtie <b>x</b>"))
    assert result.exit_code == 0, result.output
    found = districts.district_at(1.0, 0.5)  # lat, lon: inside the left triangle
    assert found is not None and found.name == "Bowtie <b>x</b>"
