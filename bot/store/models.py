"""SQLAlchemy 1.4 models of the app database (not Rasa's tracker store).

Schema changes go through Alembic migrations in bot/store/migrations; tests check that the
migrations and these models agree.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class Conversation(Base):
    __tablename__ = "conversations"
    __table_args__ = (Index("ix_conversations_last_activity_at", "last_activity_at"),)

    id = Column(Integer, primary_key=True)
    # The chat's sender id as the browser sends it (a random id, not a person identifier).
    sender_id = Column(String(128), nullable=False, unique=True)
    started_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    last_activity_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    channel = Column(String(32), nullable=False, default="web")
    # Summary for the staff console's filters, kept up to date by the conversation log.
    level = Column(String(16), nullable=True)          # the latest triage level
    protocol = Column(String(64), nullable=True)
    red_flag = Column(Integer, nullable=False, default=0)
    fallback = Column(Integer, nullable=False, default=0)
    human_requested = Column(Integer, nullable=False, default=0)
    language = Column(String(8), nullable=True)

    messages = relationship(
        "Message", back_populates="conversation", order_by="Message.id",
        cascade="all, delete-orphan",
    )


class Message(Base):
    """One line of the conversation log: a user message, a bot reply, or a gateway event."""

    __tablename__ = "messages"

    id = Column(Integer, primary_key=True)
    conversation_id = Column(Integer, ForeignKey("conversations.id", ondelete="CASCADE"),
                             nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    # "user", "bot" or "event" (something the gateway did: refused input, outage, ...)
    role = Column(String(8), nullable=False)
    text = Column(Text, nullable=True)
    intent = Column(String(64), nullable=True)
    confidence = Column(Float, nullable=True)
    # Buttons, custom payloads (triage_result), red flags, redaction counts, event details.
    payload = Column(JSON, nullable=True)

    conversation = relationship("Conversation", back_populates="messages")

    __table_args__ = (
        Index("ix_messages_conversation_id_id", "conversation_id", "id"),
        Index("ix_messages_created_at", "created_at"),
    )


class CareUnitRecord(Base):
    """A care unit of the directory. `origin` says who set the row's data last:
    'content' - the seed step, from bot/content/care_units.yml;
    'import'  - an HSA export (python -m bot import-directory): the content seed no longer
                overwrites it, a later import does;
    'staff'   - a staff edit: neither the seed nor an import ever overwrites it."""

    __tablename__ = "care_units"

    id = Column(String(64), primary_key=True)
    name = Column(String(200), nullable=False)
    kind = Column(String(32), nullable=False)
    region = Column(String(16), nullable=False)
    municipality = Column(String(64), nullable=False, default="")
    data = Column(JSON, nullable=False)       # the unit as in care_units.yml, hours included
    origin = Column(String(16), nullable=False, default="content")
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)

    __table_args__ = (Index("ix_care_units_municipality", "municipality"),)


class ContextTokenUse(Base):
    """Which conversation first used a signed context token: a token is never accepted for
    another conversation (replay)."""

    __tablename__ = "context_token_uses"

    jti = Column(String(128), primary_key=True)
    sender_id = Column(String(128), nullable=False)
    expires_at = Column(DateTime(timezone=True), nullable=False)


class AppointmentSlot(Base):
    """A bookable time at a care unit (seeded demo calendar, regenerated relative to today)."""

    __tablename__ = "appointment_slots"

    id = Column(Integer, primary_key=True)
    unit_id = Column(String(64), nullable=False)
    starts_at = Column(DateTime(timezone=True), nullable=False)
    ends_at = Column(DateTime(timezone=True), nullable=False)
    kind = Column(String(16), nullable=False)       # visit, phone, video

    __table_args__ = (
        UniqueConstraint("unit_id", "starts_at", "kind", name="uq_slot_unit_time_kind"),
        Index("ix_slots_unit_starts", "unit_id", "starts_at"),
    )


class Appointment(Base):
    """A booking. `slot_id` is unique: the database itself refuses a second booking of the
    same slot, however close together two residents confirm."""

    __tablename__ = "appointments"

    id = Column(Integer, primary_key=True)
    reference = Column(String(16), nullable=False, unique=True)
    slot_id = Column(Integer, ForeignKey("appointment_slots.id"), nullable=True, unique=True)
    unit_id = Column(String(64), nullable=False)
    starts_at = Column(DateTime(timezone=True), nullable=False)
    kind = Column(String(16), nullable=False)
    reason = Column(Text, nullable=True)
    resident_id = Column(String(128), nullable=False, index=True)
    status = Column(String(16), nullable=False, default="booked")   # booked, cancelled
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    cancelled_at = Column(DateTime(timezone=True), nullable=True)


class BookingEvent(Base):
    """Every booking, cancellation and rebooking, with time and conversation."""

    __tablename__ = "booking_events"

    id = Column(Integer, primary_key=True)
    appointment_id = Column(Integer, ForeignKey("appointments.id"), nullable=False)
    kind = Column(String(16), nullable=False)       # booked, cancelled, rebooked
    at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    conversation_id = Column(String(128), nullable=True)
    details = Column(JSON, nullable=True)


class StaffUser(Base):
    __tablename__ = "staff_users"

    id = Column(Integer, primary_key=True)
    username = Column(String(64), nullable=False, unique=True)
    password_hash = Column(String(255), nullable=False)      # argon2id, never the password
    role = Column(String(16), nullable=False)                # reviewer, admin
    failed_logins = Column(Integer, nullable=False, default=0)
    locked_until = Column(DateTime(timezone=True), nullable=True)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    active = Column(Integer, nullable=False, default=1)


class StaffSession(Base):
    __tablename__ = "staff_sessions"

    id = Column(String(64), primary_key=True)                # sha256 of the cookie value
    user_id = Column(Integer, ForeignKey("staff_users.id", ondelete="CASCADE"), nullable=False)
    csrf_token = Column(String(64), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    expires_at = Column(DateTime(timezone=True), nullable=False)


class AuditEntry(Base):
    """Who looked at what, when and from where (patientdatalagen's access log)."""

    __tablename__ = "audit_log"

    id = Column(Integer, primary_key=True)
    at = Column(DateTime(timezone=True), nullable=False, default=utcnow, index=True)
    username = Column(String(64), nullable=True)
    action = Column(String(32), nullable=False)
    target = Column(String(200), nullable=True)
    details = Column(JSON, nullable=True)
    ip = Column(String(64), nullable=True)


class Annotation(Base):
    __tablename__ = "annotations"

    id = Column(Integer, primary_key=True)
    conversation_id = Column(Integer, ForeignKey("conversations.id", ondelete="CASCADE"),
                             nullable=False, index=True)
    message_id = Column(Integer, ForeignKey("messages.id", ondelete="CASCADE"), nullable=True)
    username = Column(String(64), nullable=False)
    verdict = Column(String(16), nullable=False)   # correct, wrong_level, unsafe, nlu_error
    right_level = Column(String(16), nullable=True)
    right_intent = Column(String(64), nullable=True)
    comment = Column(Text, nullable=True)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
