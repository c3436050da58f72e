"""import-311 with files and rows that are not what it expects."""

from casemgr.cases.models import Case
from casemgr.db import session
from tests.conftest import data_file

HEADER = data_file("boston311-100.csv").read_text(encoding="utf-8").splitlines()[0]
GOOD = data_file("boston311-100.csv").read_text(encoding="utf-8").splitlines()[2]


def run(app, path):
    return app.test_cli_runner().invoke(
        args=["casemgr", "import-311", str(path), "--timezone", "America/New_York", "--json"])


def test_a_file_that_is_not_utf8_is_refused_cleanly(app, tmp_path):
    path = tmp_path / "photo.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe\x00garbage")
    result = run(app, path)
    assert result.exit_code != 0
    assert "not UTF-8" in result.output


def test_a_huge_field_is_reported_not_a_traceback(app, tmp_path):
    path = tmp_path / "huge.csv"
    path.write_text(HEADER + "\n" + GOOD.replace(",", "," + "x" * 200_000, 1) + "\n")
    result = run(app, path)
    assert result.exit_code != 0
    assert "line" in result.output and "Traceback" not in result.output


def test_rows_with_impossible_dates_or_missing_fields_are_skipped_by_line(app, tmp_path):
    fields = GOOD.split(",")
    far_future = ",".join([fields[0][:-1] + "7", fields[1], "9999-12-31 23:59:59"] + fields[3:])
    closed_first = ",".join(
        [fields[0][:-1] + "8", "2022-01-10 10:00:00", "", "2022-01-05 10:00:00"] + fields[4:])
    cut_off = ",".join(fields[:8])
    path = tmp_path / "odd.csv"
    path.write_text("\n".join([HEADER, far_future, closed_first, cut_off]) + "\n")

    result = run(app, path)
    assert result.exit_code == 0, result.output
    lines = {line.split(":")[0] for line in result.output.splitlines()
             if line.startswith("line ")}
    assert lines == {"line 2", "line 3", "line 4"}
    assert session.query(Case).filter(Case.source == "import").count() == 0
