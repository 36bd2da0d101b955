"""Sending e-mail over SMTP with the standard library (smtplib + email.message).

Settings come from the app config when set there, otherwise from the environment:

    SMTP_HOST       the server; unset means "no SMTP": messages stay in the admin outbox page
    SMTP_PORT       default 587 with STARTTLS, 25 without
    SMTP_USERNAME   optional; with SMTP_PASSWORD, log in after STARTTLS
    SMTP_PASSWORD
    SMTP_STARTTLS   1/true/yes to upgrade the connection with STARTTLS (certificate verified)
    SMTP_TIMEOUT    seconds for connecting and each command, default 30
    MAIL_FROM       the From address, default "Vetted <no-reply@vetted.example>"
    APP_BASE_URL    e.g. https://desk.example.org; links in e-mails become absolute with it
"""
import os
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

DEFAULT_FROM = "Vetted <no-reply@vetted.example>"


def setting(config, name: str, default=None):
    """A value from the app config when present there, otherwise from the environment."""
    value = config.get(name) if config is not None else None
    if value is None or value == "":
        value = os.environ.get(name)
    return default if value is None or value == "" else value


def _flag(value) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class SmtpSettings:
    host: str | None
    port: int
    username: str | None
    password: str | None
    starttls: bool
    timeout: float
    mail_from: str
    base_url: str

    @property
    def configured(self) -> bool:
        return bool(self.host)

    @property
    def domain(self) -> str:
        """The domain of the From address, used in Message-IDs."""
        address = parseaddr(self.mail_from)[1]
        return address.rpartition("@")[2] or "vetted.invalid"

    @classmethod
    def from_config(cls, config=None) -> "SmtpSettings":
        starttls = _flag(setting(config, "SMTP_STARTTLS", "0"))
        return cls(
            host=setting(config, "SMTP_HOST"),
            port=int(setting(config, "SMTP_PORT", 587 if starttls else 25)),
            username=setting(config, "SMTP_USERNAME"),
            password=setting(config, "SMTP_PASSWORD"),
            starttls=starttls,
            timeout=float(setting(config, "SMTP_TIMEOUT", 30)),
            mail_from=setting(config, "MAIL_FROM", DEFAULT_FROM),
            base_url=str(setting(config, "APP_BASE_URL", "")).rstrip("/"),
        )


def build_message(settings: SmtpSettings, *, to: str, subject: str, text: str, message_id: str, date) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(date)
    # Stable per notification, so a receiving system can recognise the same message.
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies
    message.set_content(text)
    return message


class SmtpConnection:
    """One SMTP session for a batch of messages: `with SmtpConnection(settings) as smtp: smtp.send(msg)`."""

    def __init__(self, settings: SmtpSettings):
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> "SmtpConnection":
        s = self.settings
        smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
        try:
            smtp.ehlo()
            if s.starttls:
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if s.username:
                smtp.login(s.username, s.password or "")
        except BaseException:
            smtp.close()
            raise
        self._smtp = smtp
        return self

    def send(self, message: EmailMessage) -> None:
        self._smtp.send_message(message)

    def __exit__(self, *exc) -> None:
        if self._smtp is None:
            return
        try:
            self._smtp.quit()
        except (smtplib.SMTPException, OSError):
            self._smtp.close()
        self._smtp = None
