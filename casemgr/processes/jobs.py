"""RQ jobs of the processes feature: batch migrations."""

import logging

from casemgr.jobs import job

log = logging.getLogger(__name__)


@job
def run_migration(run_id):
    """Move the cases of a recorded migration run; the run row shows the progress."""
    from casemgr.processes import migration_runs

    migration_runs.execute(run_id)
