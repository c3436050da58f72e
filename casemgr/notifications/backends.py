"""Where messages go: the console in development, SMTP in production, memory in tests."""

import logging
import smtplib
from email.message import EmailMessage

log = logging.getLogger(__name__)


class DeliveryError(Exception):
    """The backend could not hand the message over; it may work on a later try."""


class ConsoleBackend:
    """Writes each message to the log instead of sending it."""

    def send(self, recipient, subject, body):
        log.info("email to %s: %s\n%s", recipient, subject, body)


class MemoryBackend:
    """Keeps messages in a list, for tests; `fail_times` makes the next sends fail."""

    def __init__(self):
        self.outbox = []
        self.fail_times = 0

    def send(self, recipient, subject, body):
        if self.fail_times > 0:
            self.fail_times -= 1
            raise DeliveryError("memory backend told to fail")
        self.outbox.append({"to": recipient, "subject": subject, "body": body})


class SmtpBackend:
    def __init__(self, host, port, username, password, sender, use_tls):
        self.host, self.port = host, port
        self.username, self.password = username, password
        self.sender, self.use_tls = sender, use_tls

    def send(self, recipient, subject, body):
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = recipient
        message["Subject"] = subject
        message.set_content(body)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=20) as smtp:
                if self.use_tls:
                    smtp.starttls()
                if self.username:
                    smtp.login(self.username, self.password)
                smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(f"SMTP {self.host}:{self.port}: {exc}") from exc


_memory = MemoryBackend()


def backend_for(config):
    """The backend chosen by CASEMGR_MAIL_BACKEND: console, smtp or memory."""
    name = config["MAIL_BACKEND"]
    if name == "memory":
        return _memory
    if name == "smtp":
        return SmtpBackend(
            config["SMTP_HOST"],
            config["SMTP_PORT"],
            config["SMTP_USERNAME"],
            config["SMTP_PASSWORD"],
            config["MAIL_FROM"],
            config["SMTP_TLS"],
        )
    return ConsoleBackend()
