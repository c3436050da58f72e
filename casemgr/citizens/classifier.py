"""Suggest a category from a report's description, learned from the city's own cases.

A TF-IDF + logistic regression pipeline (scikit-learn) trained on the descriptions and
categories of the cases the city has filed. `flask casemgr train-classifier` retrains it
and stores it in the instance folder; without a stored model the first suggestion trains
one in memory. A suggestion is offered only above CATEGORY_CONFIDENCE.
"""

import logging
import threading
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from casemgr.cases.models import Case, Category
from casemgr.db import session

log = logging.getLogger(__name__)

#: Fewer classified cases than this teach nothing worth suggesting.
MIN_CASES = 20
#: The catch-all category is never suggested: it says nothing about the problem.
NOT_LEARNED = {"other"}

_cache = {"model": None, "path": None, "mtime": None}
_lock = threading.Lock()


class NotEnoughCases(Exception):
    """The city has too few classified cases to learn from."""


def training_cases():
    """(description, category code) of every filed case in an active category."""
    query = (
        select(Case.description, Category.code)
        .join(Category, Case.category_id == Category.id)
        .where(Category.is_active, Category.code.not_in(NOT_LEARNED),
               Case.duplicate_of_id.is_(None))
    )
    return [(text, code) for text, code in session.execute(query) if (text or "").strip()]


def train(rows=None):
    """Fit a model on `rows` (default: the city's cases); raise NotEnoughCases."""
    rows = training_cases() if rows is None else rows
    codes = {code for _text, code in rows}
    if len(rows) < MIN_CASES or len(codes) < 2:
        raise NotEnoughCases(
            f"{len(rows)} classified cases in {len(codes)} categories: need at least "
            f"{MIN_CASES} cases in 2 categories"
        )
    # scikit-learn (with SciPy) adds some 85 MB to a process: imported on first use, so
    # workers that never suggest a category (RQ, the API) do not carry it.
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    model = make_pipeline(
        TfidfVectorizer(lowercase=True, ngram_range=(1, 2), sublinear_tf=True, min_df=1),
        LogisticRegression(max_iter=2000, C=10.0),
    )
    model.fit([text for text, _code in rows], [code for _text, code in rows])
    log.info("category classifier trained on %s cases in %s categories", len(rows), len(codes))
    return model


def model_path():
    return Path(current_app.config["CLASSIFIER_PATH"])


def retrain():
    """Train on the city's cases, store the model and use it from now on; return its size."""
    model = train()
    path = model_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    import joblib

    joblib.dump(model, path)
    with _lock:
        _cache.update(model=model, path=str(path), mtime=path.stat().st_mtime)
    return len(training_cases())


def _model():
    """The stored model (reloaded when the file changes), else one trained now, else None."""
    path = model_path()
    mtime = path.stat().st_mtime if path.exists() else None
    with _lock:
        if _cache["model"] is not None and _cache["path"] == str(path) \
                and _cache["mtime"] == mtime:
            return _cache["model"]
    # The file is written only by retrain() above, into the instance folder.
    if mtime is not None:
        import joblib

        model = joblib.load(path)
    else:
        model = _train_or_none()
    with _lock:
        _cache.update(model=model, path=str(path), mtime=mtime)
    return model


def _train_or_none():
    try:
        return train()
    except NotEnoughCases as exc:
        log.info("no category suggestions yet: %s", exc)
        return None


def forget():
    """Drop the model in memory, so the next suggestion loads or trains it again."""
    with _lock:
        _cache.update(model=None, path=None, mtime=None)


def suggest(description, threshold=None):
    """(category code, confidence) when the model is sure enough, else None."""
    text = (description or "").strip()
    model = _model() if text else None
    if model is None:
        return None
    threshold = current_app.config["CATEGORY_CONFIDENCE"] if threshold is None else threshold

    probabilities = model.predict_proba([text])[0]
    best = int(probabilities.argmax())
    confidence = float(probabilities[best])
    if confidence < threshold:
        return None
    return str(model.classes_[best]), confidence
