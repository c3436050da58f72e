"""gunicorn's settings in production mode, taken from casemgr's own (config.py).

gunicorn reads every public name here whose name is one of its settings, so the helpers
keep leading underscores (gunicorn has a setting called "config").
"""

import config as _config
from casemgr.ops import logs as _logs

_settings = _config.load()

bind = [address.strip() for address in _settings["WEB_BIND"].split(",") if address.strip()]
workers = _settings["WEB_WORKERS"]
threads = _settings["WEB_THREADS"]
worker_class = "gthread"
# A request longer than this is stuck; graceful_timeout bounds a stop (Ctrl-C, deploy).
timeout = 60
graceful_timeout = 20
# casemgr logs each request itself, with its request id, so gunicorn's access log stays off.
accesslog = None
# No control socket: its default path is per user, so two servers on one host would share it.
control_socket_disable = True

if _settings["LOG_FORMAT"] == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "root": {"level": "INFO", "handlers": []},
        "formatters": {"json": {"()": _logs.json_formatter}},
        "handlers": {
            "json_console": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            }
        },
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["json_console"], "propagate": False}
        },
    }
