"""E-mail over SMTP: a multipart text and HTML message, one connection reused through a batch."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from typing import Any

from portal.notifications.render import RenderedEmail


class MailServerUnavailable(Exception):
    """The server could not be reached or would not let us in; nothing was sent."""


class SmtpSender:
    def __init__(
        self,
        *,
        host: str,
        port: int,
        mail_from: str,
        starttls: bool = False,
        use_ssl: bool = False,
        username: str | None = None,
        password: str | None = None,
        timeout: float = 10.0,
    ) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.starttls, self.use_ssl = starttls, use_ssl
        self.username, self.password = username, password
        self.mail_from = mail_from
        self.envelope_from = parseaddr(mail_from)[1]
        self._smtp: smtplib.SMTP | None = None

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> SmtpSender:
        # Values from PORTAL_* arrive as strings.
        return cls(
            host=str(config["SMTP_HOST"]),
            port=int(config["SMTP_PORT"]),
            mail_from=str(config["MAIL_FROM"]),
            starttls=bool(config["SMTP_STARTTLS"]),
            use_ssl=bool(config["SMTP_SSL"]),
            username=config["SMTP_USERNAME"] or None,
            password=config["SMTP_PASSWORD"] or None,
            timeout=float(config.get("SMTP_TIMEOUT", 10)),
        )

    def build(self, *, recipient: str, message: RenderedEmail, locale: str, message_id: str) -> EmailMessage:
        email = EmailMessage()
        email["From"] = self.mail_from
        email["To"] = recipient
        email["Subject"] = message.subject
        email["Date"] = formatdate(localtime=False, usegmt=True)
        email["Message-ID"] = message_id
        # RFC 3834: out-of-office robots should not answer a no-reply address.
        email["Auto-Submitted"] = "auto-generated"
        # Quoted-printable keeps the Finnish and Swedish letters safe through any 7-bit relay.
        email.set_content(message.text, cte="quoted-printable")
        email.add_alternative(message.html, subtype="html", cte="quoted-printable")
        # After the parts exist: making a message multipart moves Content-* headers into its first part.
        email["Content-Language"] = locale
        for part in email.iter_parts():
            part["Content-Language"] = locale
        return email

    def message_id(self, unique: str) -> str:
        domain = self.envelope_from.rpartition("@")[2] or "polku.invalid"
        return f"<{unique}@{domain}>"

    def send(self, email: EmailMessage) -> None:
        smtp = self._connection()
        try:
            smtp.send_message(email, from_addr=self.envelope_from)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                smtp.close()

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is not None:
            return self._smtp
        context = ssl.create_default_context()
        smtp: smtplib.SMTP | None = None
        try:
            if self.use_ssl:
                smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
            else:
                smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
                if self.starttls:
                    smtp.starttls(context=context)
            if self.username:
                smtp.login(self.username, self.password or "")
        except OSError as error:  # smtplib's errors are OSErrors too
            if smtp is not None:
                smtp.close()
            raise MailServerUnavailable(type(error).__name__) from error
        self._smtp = smtp
        return smtp
