"""Import every feature's models so that the metadata knows all tables."""

from casemgr.accounts.models import ApiToken, Role, Unit, User  # noqa: F401
from casemgr.cases.models import (  # noqa: F401
    Attachment,
    Case,
    CaseAnswer,
    CaseEvent,
    Category,
    CategoryProcessChange,
    CategoryQuestion,
    District,
    RoutingRule,
)
from casemgr.citizens.models import Follower, Rating, StatusMessage  # noqa: F401
from casemgr.dashboard.models import OverlayLayer  # noqa: F401
from casemgr.db import Base
from casemgr.escalations.models import DayOff, WorkingHours  # noqa: F401
from casemgr.notifications.models import Notification  # noqa: F401
from casemgr.open311.models import (  # noqa: F401
    ApiKey,
    PendingRequest,
    ReceivedUpdate,
    ServiceRequest,
)
from casemgr.ops.models import Heartbeat  # noqa: F401
from casemgr.processes.models import MigrationRun, ProcessDraft, ProcessVersion  # noqa: F401
from casemgr.tasks.models import Task  # noqa: F401

metadata = Base.metadata
