"""What the benchmarks share: an app on a throwaway or named database."""

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def bench_app(url=None):
    """An app migrated to the newest schema on `url`, or on a temporary SQLite file."""
    from casemgr import create_app, migrate

    url = url or f"sqlite:///{tempfile.mkdtemp(prefix='bench-')}/bench.db"
    app = create_app({
        "CASEMGR_ENV": "test",
        "DATABASE_URL": url,
        "PASSWORD_HASH": "pbkdf2:sha256:1000",
        "UPLOAD_DIR": tempfile.mkdtemp(prefix="bench-uploads-"),
    })
    migrate.upgrade(url)
    return app, url.split(":")[0]
