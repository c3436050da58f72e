"""The suggested category, learned from the city's own cases (the Boston 311 sample)."""

import pytest

from casemgr.cases import importer
from casemgr.citizens import classifier
from tests.conftest import data_file
from tests.functional.citizen_cases import file


@pytest.fixture
def boston_cases(app, tmp_path, monkeypatch):
    """The Boston sample imported, and the model stored under a temporary folder."""
    monkeypatch.setitem(app.config, "CLASSIFIER_PATH", str(tmp_path / "model.joblib"))
    classifier.forget()
    summary = importer.import_file(data_file("boston311-100.csv"), "America/New_York")
    assert summary.imported == 100
    yield
    classifier.forget()


def suggest(client, description):
    response = client.get("/report/category-suggestion", query_string={"description": description})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["suggestion"]


def test_a_clear_description_gets_the_category_the_city_gives_such_cases(client, boston_cases):
    assert suggest(client, "Missed trash pickup again this week")["code"] == "waste"
    assert suggest(client, "Request for pothole repair near the school")["code"] == "roads"
    needle = classifier.suggest("Needle pickup on the sidewalk", threshold=0.4)
    assert needle[0] == "environment"


def test_nothing_is_offered_below_the_confidence_threshold(client, app, boston_cases,
                                                           monkeypatch):
    assert suggest(client, "asdf qwerty zzz") is None
    assert suggest(client, "") is None

    monkeypatch.setitem(app.config, "CATEGORY_CONFIDENCE", 0.99)
    assert suggest(client, "Missed trash pickup again this week") is None
    monkeypatch.setitem(app.config, "CATEGORY_CONFIDENCE", 0.0)
    assert suggest(client, "asdf qwerty zzz") is not None


def test_a_long_description_is_422(client):
    response = client.get("/report/category-suggestion",
                          query_string={"description": "x" * 4001})

    assert response.status_code == 422


def test_too_few_cases_teach_nothing(client, app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "CLASSIFIER_PATH", str(tmp_path / "model.joblib"))
    classifier.forget()
    file()

    assert suggest(client, "Drain blocked, water on the road") is None
    result = app.test_cli_runner().invoke(args=["casemgr", "train-classifier"])
    assert result.exit_code != 0 and "need at least 20 cases" in result.output
    assert not (tmp_path / "model.joblib").exists()
    classifier.forget()


def test_the_cli_retrains_and_stores_the_model(app, boston_cases, tmp_path, monkeypatch):
    result = app.test_cli_runner().invoke(args=["casemgr", "train-classifier"])

    assert result.exit_code == 0, result.output
    assert "trained on 100 cases" in result.output
    assert (tmp_path / "model.joblib").exists()
    classifier.forget()

    def no_training(rows=None):
        raise AssertionError("the stored model should be loaded, not trained again")

    monkeypatch.setattr(classifier, "train", no_training)
    assert classifier.suggest("Missed trash pickup again this week")[0] == "waste"
