"""Outgoing mail over SMTP, when MAIL_SERVER is configured; otherwise nothing is sent.

Sending never raises: a mail that cannot go out is logged and reported as False, so nobody
loses what they wrote because of it. People's words (names, titles) reach only the subject and
the body, never the From or To headers, and the subject is flattened to one line, so nothing
typed can add a header. Mail about what a request did goes out once its transaction has
committed (`send_after_commit`): the mail server's pace then holds no lock and cannot keep a
comment from being saved, and a request that fails mails nothing about work that is gone.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from email.message import EmailMessage

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from drafting.extensions import db
from drafting.single_line import flattened
from drafting.single_line import has_control_characters

OUTBOX = "drafting.mail.outbox"  # the session's mails waiting for its commit


@dataclass(frozen=True)
class Mail:
    """One plain-text message to one address."""

    to: str
    subject: str
    body: str


def mail_configured() -> bool:
    """True when the instance can send mail."""
    return bool(current_app.config.get("MAIL_SERVER"))


def message_of(mail: Mail) -> EmailMessage:
    """The message as sent: addresses as configured or stored, the subject on one line."""
    if has_control_characters(mail.to):
        raise ValueError("a recipient address with a control character")
    message = EmailMessage()
    message["From"] = flattened(current_app.config["MAIL_DEFAULT_SENDER"])
    message["To"] = mail.to
    message["Subject"] = flattened(mail.subject)
    message.set_content(mail.body)
    return message


def deliver(message: EmailMessage) -> None:
    """Hand one message to the configured SMTP server."""
    config = current_app.config
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        smtp.send_message(message)


def send_mail(to: str, subject: str, body: str) -> bool:
    """Send a plain-text message now; False (and a log line) when mail is off or anything
    goes wrong, whatever it is: a mail is never worth a person's work."""
    if not mail_configured():
        return False
    try:
        deliver(message_of(Mail(to, subject, body)))
    except Exception:
        current_app.logger.exception("could not send mail to %s", to)
        return False
    return True


def send_after_commit(to: str, subject: str, body: str) -> None:
    """Send a message once the current transaction commits, nothing if it rolls back; at once
    when no transaction is open (there is nothing to wait for)."""
    if not mail_configured():
        return
    if not db.session().in_transaction():
        send_mail(to, subject, body)
        return
    db.session.info.setdefault(OUTBOX, []).append(Mail(to, subject, body))


@sa.event.listens_for(Session, "after_commit")
def send_outbox(session: Session) -> None:
    """The transaction is committed: what it meant to mail goes out now."""
    for mail in session.info.pop(OUTBOX, []):
        send_mail(mail.to, mail.subject, mail.body)


@sa.event.listens_for(Session, "after_transaction_end")
def drop_outbox(session: Session, transaction) -> None:
    """A transaction that ended without committing mails nothing (savepoints aside: their
    rollback leaves the rest of the transaction, and its mails, to go on)."""
    if transaction.parent is None:
        session.info.pop(OUTBOX, None)
