"""Lateness in words and spreadsheet-safe export cells."""

from datetime import timedelta

import pytest

from casemgr.escalations.schema import csv_safe, lateness_words


@pytest.mark.parametrize(
    ("late", "words"),
    [
        (timedelta(hours=3, minutes=20), "3 h 20 min late"),
        (timedelta(hours=2), "2 h late"),
        (timedelta(minutes=45), "45 min late"),
        (timedelta(seconds=20), "under a minute late"),
        (timedelta(days=2, hours=5, minutes=59), "2 d 5 h late"),
        (timedelta(days=3), "3 d late"),
        (-timedelta(hours=4, minutes=10), "due in 4 h 10 min"),
        (timedelta(0), "due in under a minute"),
        (None, "no due moment"),
    ],
)
def test_lateness_words(late, words):
    assert lateness_words(late) == words


@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+31 21 555", "'+31 21 555"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=cmd", "'\t=cmd"),
        ("Clogged drain", "Clogged drain"),
        ("a=b", "a=b"),
        (-3600, -3600),
        (2, 2),
        ("", ""),
    ],
)
def test_csv_safe_quotes_formulas_only(cell, safe):
    assert csv_safe(cell) == safe
