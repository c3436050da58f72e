"""Running casemgr: structured logs with request ids, /healthz, outage answers, production mode."""


def init_app(app):
    """Register /healthz and the answer to requests made while the database is away."""
    from casemgr.ops import health, outage

    outage.init_app(app)
    health.init_app(app)
