"""Configuration: CLAIMBOT_* environment variables, and a .env file if present."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from domain.adjudication import (
    DEFAULT_LIABILITY_SHARES,
    AdjudicationRules,
    InvalidRules,
    Liability,
)
from domain.booking import BookingRules
from domain.evidence import EvidenceTolerance
from domain.sla import SlaPolicy, TakeDeadlines
from domain.slots import SlotRules
from scheduler.quiet import QuietHours, parse_clock

MEGABYTE = 1024 * 1024


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="CLAIMBOT_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    database_url: str = "sqlite:///./data/claimbot.db"
    media_dir: Path = Path("./data/media")
    host: str = "127.0.0.1"
    port: int = 8080
    public_url: str | None = None
    timezone: str = "Asia/Shanghai"
    default_locale: Literal["zh_CN", "en"] = "zh_CN"
    admin_token: str | None = None
    # Demo mode: the web chat offers an identity switcher (owner / adjuster / shop staff).
    demo_mode: bool = False

    telegram_token: str | None = None
    telegram_api_url: str = "https://api.telegram.org/bot"
    telegram_file_url: str = "https://api.telegram.org/file/bot"
    telegram_mode: Literal["polling", "webhook"] = "polling"
    telegram_webhook_secret: str | None = Field(
        default=None, pattern=r"^[A-Za-z0-9_-]{1,256}$"
    )  # the characters and length the Bot API allows for secret_token
    telegram_per_chat_interval: float = Field(default=1.0, ge=0)  # seconds between two sends
    telegram_per_second: float = Field(default=30.0, ge=0)  # sends per second; 0 = no limit
    telegram_album_quiet_seconds: float = Field(default=1.5, gt=0)
    telegram_max_download_mb: int = Field(default=20, gt=0)  # the cloud Bot API's getFile limit
    telegram_poll_timeout: int = Field(default=30, ge=0)  # long-polling wait, seconds

    wechat_app_id: str | None = None
    wechat_app_secret: str | None = None
    wechat_token: str | None = None
    wechat_aes_key: str | None = None
    wechat_api_url: str = "https://api.weixin.qq.com/cgi-bin/"
    wechat_template_progress: str | None = None
    # The progress template's data fields: title, content, time, note ("" leaves one out).
    wechat_template_progress_fields: str = "first,keyword1,keyword2,remark"
    wechat_per_second: float = Field(default=100.0, ge=0)  # customer-service sends per second
    # Choices as tappable menu messages (msgmenu): verified service accounts only.
    wechat_msgmenu: bool = False

    max_photo_mb: int = 10
    max_video_mb: int = 20
    max_files_per_upload: int = 10
    resume_after_minutes: int = 120
    service_hotline: str = "95500"  # wherever the bot says "call us"
    handoff_wait_minutes: int = 5  # the wait an owner asking for a person (人工客服) is told
    handoff_answer_minutes: int = 10  # unanswered that long: the supervisors are told

    # Adjudication: liability shares in percent by grade (JSON; grades left out keep
    # their default), the evidence check's tolerances, invite lifetime.
    liability_shares: dict[str, int] = Field(default_factory=dict)
    evidence_before_minutes: int = Field(default=60, ge=0)
    evidence_after_hours: int = Field(default=48, ge=0)
    evidence_distance_km: float = Field(default=2.0, gt=0)
    staff_invite_hours: int = Field(default=24, gt=0)

    # The scheduler: timers, reminders, quiet hours (docs/configuration.md, docs/deploy.md).
    scheduler_enabled: bool = True
    scheduler_poll_seconds: float = Field(default=1.0, gt=0)
    timer_stale_seconds: int = Field(default=120, gt=0)
    quiet_hours: str = "21:00-08:00"  # the owners' local night; "" = none
    nudge_after_minutes: int = Field(default=180, ge=0)  # 0 = no report nudges
    nudge_max_silence_hours: int = Field(default=48, gt=0)
    maintenance_every_months: int = Field(default=6, ge=0)  # 0 = no maintenance reminders
    maintenance_local_time: str = "10:00"

    # Repair bookings (docs/configuration.md).
    booking_lead_minutes: int = Field(default=120, ge=0)  # earliest slot: now + lead time
    booking_horizon_days: int = Field(default=14, ge=1, le=90)  # slots offered ahead
    booking_hold_minutes: int = Field(default=60, gt=0)  # the shop's time to answer
    booking_cutoff_hours: float = Field(default=2.0, ge=0)  # last change of a confirmed slot
    booking_max_reschedules: int = Field(default=2, ge=0)
    booking_reminder_hours: str = "24,2"  # before a confirmed appointment; "" = none
    booking_maintenance_months: int = Field(default=6, ge=0)  # after a repair; 0 = off

    # Response-time promise on reported claims: re-page, then escalate to supervisors.
    sla_repage_minutes: int = Field(default=30, gt=0)
    sla_escalate_minutes: int = Field(default=60, gt=0)
    sla_urgent_repage_minutes: int = Field(default=5, gt=0)
    sla_urgent_escalate_minutes: int = Field(default=10, gt=0)

    # The shop's morning schedule (scheduler/shop_schedule.py), in each shop's timezone.
    shop_schedule_time: str = "08:00"
    shop_schedule_day: Literal["today", "tomorrow"] = "today"  # which day's bookings it lists

    @field_validator("quiet_hours")
    @classmethod
    def _quiet_hours(cls, value: str) -> str:
        QuietHours.parse(value)
        return value

    @field_validator("maintenance_local_time", "shop_schedule_time")
    @classmethod
    def _clock_time(cls, value: str) -> str:
        parse_clock(value)
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown timezone {value!r}") from exc
        return value

    @field_validator("wechat_template_progress_fields")
    @classmethod
    def _four_template_fields(cls, value: str) -> str:
        if len(value.split(",")) != 4:
            raise ValueError("four comma-separated names: title,content,time,note")
        return value

    @field_validator("liability_shares")
    @classmethod
    def _liability_shares(cls, value: dict[str, int]) -> dict[str, int]:
        unknown = set(value) - {grade.value for grade in Liability}
        if unknown:
            raise ValueError(f"unknown liability grades {sorted(unknown)}")
        _rules(value, EvidenceTolerance())  # shares are percentages
        return value

    @property
    def adjudication_rules(self) -> AdjudicationRules:
        tolerance = EvidenceTolerance(
            before=timedelta(minutes=self.evidence_before_minutes),
            after=timedelta(hours=self.evidence_after_hours),
            distance_km=self.evidence_distance_km,
        )
        return _rules(self.liability_shares, tolerance)

    @field_validator("booking_reminder_hours")
    @classmethod
    def _reminder_hours(cls, value: str) -> str:
        _hours_list(value)
        return value

    @property
    def booking_rules(self) -> BookingRules:
        return BookingRules(
            slots=SlotRules(
                lead_time=timedelta(minutes=self.booking_lead_minutes),
                horizon_days=self.booking_horizon_days,
            ),
            hold=timedelta(minutes=self.booking_hold_minutes),
            cutoff=timedelta(hours=self.booking_cutoff_hours),
            max_reschedules=self.booking_max_reschedules,
            reminders=tuple(timedelta(hours=h) for h in _hours_list(self.booking_reminder_hours)),
            maintenance_after_months=self.booking_maintenance_months,
        )

    @model_validator(mode="after")
    def _sla_order(self) -> Settings:
        _ = self.sla_policy  # re-page before escalation, in both tiers
        return self

    @property
    def sla_policy(self) -> SlaPolicy:
        try:
            return SlaPolicy(
                normal=TakeDeadlines(
                    timedelta(minutes=self.sla_repage_minutes),
                    timedelta(minutes=self.sla_escalate_minutes),
                ),
                urgent=TakeDeadlines(
                    timedelta(minutes=self.sla_urgent_repage_minutes),
                    timedelta(minutes=self.sla_urgent_escalate_minutes),
                ),
            )
        except ValueError as exc:
            raise ValueError(f"SLA deadlines: {exc}") from exc

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def resume_after(self) -> timedelta:
        return timedelta(minutes=self.resume_after_minutes)

    @property
    def max_photo_bytes(self) -> int:
        return self.max_photo_mb * MEGABYTE

    @property
    def max_video_bytes(self) -> int:
        return self.max_video_mb * MEGABYTE


def _rules(shares: dict[str, int], tolerance: EvidenceTolerance) -> AdjudicationRules:
    table = dict(DEFAULT_LIABILITY_SHARES)
    table.update({Liability(grade): share for grade, share in shares.items()})
    try:
        return AdjudicationRules(liability_shares=table, evidence=tolerance)
    except InvalidRules as exc:
        raise ValueError(str(exc)) from exc


def _hours_list(value: str) -> list[float]:
    """``"24,2"`` → [24.0, 2.0]: positive hours, comma-separated; "" → none."""
    hours = [float(part) for part in value.split(",") if part.strip()]
    if any(h <= 0 for h in hours):
        raise ValueError("reminder hours are positive numbers, e.g. 24,2")
    return hours
