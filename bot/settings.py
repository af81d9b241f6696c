"""Configuration: CLAIMBOT_* environment variables, and a .env file if present."""

from __future__ import annotations

from dataclasses import replace
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
from domain.attempts import AttemptRule
from domain.booking import BookingRules
from domain.evidence import EvidenceTolerance
from domain.fast_lane import FastLaneRules
from domain.fraud_signals import FraudRules, PhotoReuseRule
from domain.money import InvalidAmount, Money
from domain.settlement import JIAOQIANG_2020, JiaoqiangLimits, SettlementRules, SubLimit
from domain.sla import SlaPolicy, TakeDeadlines
from domain.slots import SlotRules
from domain.statutory_clocks import ClockRules
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
    # plaintext | compatible | safe (docs/wechat.md); unset: safe with an AES key, else
    # plaintext. Safe refuses plaintext messages.
    wechat_mode: Literal["plaintext", "compatible", "safe"] | None = None
    wechat_api_url: str = "https://api.weixin.qq.com/cgi-bin/"
    wechat_template_progress: str | None = None
    # The progress template's data fields: title, content, time, note ("" leaves one out).
    wechat_template_progress_fields: str = "first,keyword1,keyword2,remark"
    wechat_per_second: float = Field(default=100.0, ge=0)  # customer-service sends per second
    # Choices as tappable menu messages (msgmenu): verified service accounts only.
    wechat_msgmenu: bool = False

    # Personal data: kept this many days after a claim closes, then purged (docs/security.md).
    retention_days: int = Field(default=730, ge=1)
    purge_local_time: str = "03:30"  # the daily purge, local time

    max_photo_mb: int = 10
    max_video_mb: int = 20
    max_files_per_upload: int = 10
    # One upload request (all its files together); larger bodies get 413 before any is read.
    max_upload_request_mb: int = Field(default=64, gt=0)
    # Decoding photos: one decode's pixel buffer, and how many decode at once.
    max_decode_mb: int = Field(default=64, gt=0)
    max_concurrent_decodes: int = Field(default=2, gt=0)
    # Per sender over a rolling 24 hours (0: no limit).
    upload_quota_files: int = Field(default=200, ge=0)
    upload_quota_mb: int = Field(default=500, ge=0)
    resume_after_minutes: int = 120
    service_hotline: str = "95500"  # wherever the bot says "call us"
    handoff_wait_minutes: int = 5  # the wait an owner asking for a person (人工客服) is told
    handoff_answer_minutes: int = 10  # unanswered that long: the supervisors are told

    # Adjudication: liability shares in percent by grade (JSON; grades left out keep
    # their default), the evidence check's tolerances, invite lifetime.
    liability_shares: dict[str, int] = Field(default_factory=dict)
    # 交强险 sub-limits in yuan (JSON, e.g. {"at_fault": {"property": "2000.00"}}); what is
    # left out keeps the 2020 values.
    jiaoqiang_limits: dict[str, dict[str, str]] = Field(default_factory=dict)
    evidence_before_minutes: int = Field(default=60, ge=0)
    evidence_after_hours: int = Field(default=48, ge=0)
    evidence_distance_km: float = Field(default=2.0, gt=0)
    staff_invite_hours: int = Field(default=24, gt=0)
    # 快处快赔: how long the other driver's invitation code works; our name on the agreement.
    quickdeal_invite_minutes: int = Field(default=120, gt=0, le=7 * 24 * 60)
    insurer_name: str = Field(default="本公司", min_length=1, max_length=40)

    # The scheduler: timers, reminders, quiet hours (docs/configuration.md, docs/deploy.md).
    scheduler_enabled: bool = True
    scheduler_poll_seconds: float = Field(default=1.0, gt=0)
    timer_stale_seconds: int = Field(default=120, gt=0)
    # An outbox claim is a lease renewed every quarter of this; a dead worker's rows are
    # taken back once it lapses (docs/deploy.md §4).
    outbox_lease_seconds: float = Field(default=8.0, ge=2)
    # Rows sent are marked in the next transaction, at the latest this long after the send
    # (the window in which a crash makes a message go out twice).
    outbox_mark_within_seconds: float = Field(default=0.5, gt=0, le=5)
    log_format: Literal["text", "json"] = "text"
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
    booking_arrival_window_hours: float = Field(default=4.0, ge=0)  # earliest 车辆已到店
    booking_max_reschedules: int = Field(default=2, ge=0)
    booking_reminder_hours: str = "24,2"  # before a confirmed appointment; "" = none
    booking_maintenance_months: int = Field(default=6, ge=0)  # after a repair; 0 = off

    # Response-time promise on reported claims: re-page, then escalate to supervisors.
    sla_repage_minutes: int = Field(default=30, gt=0)
    sla_escalate_minutes: int = Field(default=60, gt=0)
    sla_urgent_repage_minutes: int = Field(default=5, gt=0)
    sla_urgent_escalate_minutes: int = Field(default=10, gt=0)

    # /metrics and /openapi.json: with a token, only for requests bearing it; without one,
    # only for clients on this machine (docs/security.md).
    ops_token: str | None = Field(default=None, min_length=16)

    # Web identity and abuse limits (docs/security.md). The signing key of media links and
    # forms; unset: one generated once and kept in the database for every worker.
    secret_key: str | None = Field(default=None, min_length=32)
    chat_session_days: int = Field(default=30, gt=0)  # a web chat session unused this long ends
    chat_session_rotate_hours: int = Field(default=24, gt=0)  # a new session id this often
    chat_sessions_per_address_hour: int = Field(default=60, gt=0)  # new chats per client address
    media_link_minutes: int = Field(default=15, gt=0)  # signed media links live 1-2 times this
    dashboard_session_hours: int = Field(default=12, gt=0)  # a dashboard login lasts this long
    verify_max_failures: int = Field(default=5, gt=0)  # plate checks per plate and per sender
    verify_window_minutes: int = Field(default=60, gt=0)  # ... in this window; then a cool-down
    bind_max_failures: int = Field(default=5, gt=0)  # wrong /bind codes per sender
    bind_window_minutes: int = Field(default=60, gt=0)
    login_max_failures: int = Field(default=10, gt=0)  # wrong dashboard logins per address
    login_window_minutes: int = Field(default=15, gt=0)

    # The fast lane (docs/fastlane.md): eligibility, fraud signals, the agreement's PDF font.
    fast_max_amount: str = "5000.00"  # yuan; the estimate must be under it
    fast_min_policy_days: int = Field(default=30, ge=0)  # policy in force more than this
    fast_sample_percent: int = Field(default=10, ge=0, le=100)  # decisions a supervisor reviews
    # 小额快赔's payment port (docs/fastlane.md): "file" appends each instruction to
    # payment_file as a JSON line; "webhook" POSTs it (HMAC-signed) to payment_webhook_url.
    payment_port: Literal["file", "webhook"] = "file"
    payment_file: Path | None = None  # unset: payment_instructions.jsonl beside media_dir
    payment_webhook_url: str = ""
    payment_webhook_secret: str = ""  # signs instructions and checks confirmations
    fraud_repeat_days: int = Field(default=30, ge=0)  # same plate or phone: how far back
    fraud_new_policy_days: int = Field(default=7, ge=0)  # a report this soon after the start
    fraud_phash_distance: int = Field(default=6, ge=0, le=31)  # bits of 64: the same photo
    fraud_photo_lookback_days: int = Field(default=365, gt=0)  # photos compared with
    pdf_font: Path | None = None  # a CJK TTF/OTF/TTC; unset: fonts-noto-cjk and the like
    # Second approval (核赔): a proposal paying more than this (yuan) waits for a supervisor.
    approval_threshold: str = "10000.00"

    # Statutory clocks (保险法 第二十二—二十五条), in days, and the warning point.
    clock_decision_days: int = Field(default=30, gt=0)
    clock_decision_simple_days: int = Field(default=5, gt=0)
    clock_payment_days: int = Field(default=10, gt=0)
    clock_rejection_notice_days: int = Field(default=3, gt=0)
    clock_advance_payment_days: int = Field(default=60, gt=0)
    clock_warn_percent: int = Field(default=80, gt=0, lt=100)

    # The shop's morning schedule (scheduler/shop_schedule.py), in each shop's timezone.
    shop_schedule_time: str = "08:00"
    shop_schedule_day: Literal["today", "tomorrow"] = "today"  # which day's bookings it lists

    @field_validator("quiet_hours")
    @classmethod
    def _quiet_hours(cls, value: str) -> str:
        QuietHours.parse(value)
        return value

    @field_validator("maintenance_local_time", "shop_schedule_time", "purge_local_time")
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
    def retention(self) -> timedelta:
        return timedelta(days=self.retention_days)

    @property
    def adjudication_rules(self) -> AdjudicationRules:
        tolerance = EvidenceTolerance(
            before=timedelta(minutes=self.evidence_before_minutes),
            after=timedelta(hours=self.evidence_after_hours),
            distance_km=self.evidence_distance_km,
        )
        return replace(
            _rules(self.liability_shares, tolerance),
            jiaoqiang=jiaoqiang_limits(self.jiaoqiang_limits),
            approval_threshold=Money.from_yuan(self.approval_threshold),
            photo_reuse=PhotoReuseRule(self.fraud_phash_distance, self.fraud_photo_lookback),
        )

    @field_validator("jiaoqiang_limits")
    @classmethod
    def _jiaoqiang_limits(cls, value: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
        jiaoqiang_limits(value)
        return value

    @property
    def settlement_rules(self) -> SettlementRules:
        rules = self.adjudication_rules
        return SettlementRules(jiaoqiang=rules.jiaoqiang, grades=rules.liability_shares)

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
            arrival_window=timedelta(hours=self.booking_arrival_window_hours),
            max_reschedules=self.booking_max_reschedules,
            reminders=tuple(timedelta(hours=h) for h in _hours_list(self.booking_reminder_hours)),
            maintenance_after_months=self.booking_maintenance_months,
        )

    @model_validator(mode="after")
    def _wechat_mode_has_its_key(self) -> Settings:
        if self.wechat_mode in ("compatible", "safe") and not self.wechat_aes_key:
            raise ValueError(
                f"CLAIMBOT_WECHAT_MODE={self.wechat_mode} needs CLAIMBOT_WECHAT_AES_KEY"
            )
        return self

    @property
    def wechat_message_mode(self) -> Literal["plaintext", "compatible", "safe"]:
        if self.wechat_mode is not None:
            return self.wechat_mode
        return "safe" if self.wechat_aes_key else "plaintext"

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

    @field_validator("fast_max_amount", "approval_threshold")
    @classmethod
    def _fast_max_amount(cls, value: str) -> str:
        try:
            amount = Money.from_yuan(value)
        except InvalidAmount as exc:
            raise ValueError(f"an amount in yuan, e.g. 5000.00, not {value!r}") from exc
        if amount <= Money.zero():
            raise ValueError("the amount is positive")
        return value

    @model_validator(mode="after")
    def _clock_order(self) -> Settings:
        _ = self.clock_rules  # a simple claim's decision is not due later than any claim's
        return self

    @property
    def fast_lane_rules(self) -> FastLaneRules:
        return FastLaneRules(
            max_amount=Money.from_yuan(self.fast_max_amount),
            min_policy_days=self.fast_min_policy_days,
        )

    @property
    def fraud_rules(self) -> FraudRules:
        """The photo check reuses the evidence check's tolerances (CLAIMBOT_EVIDENCE_*)."""
        return FraudRules(
            repeat_window=timedelta(days=self.fraud_repeat_days),
            new_policy_days=self.fraud_new_policy_days,
            phash_max_distance=self.fraud_phash_distance,
            evidence=self.adjudication_rules.evidence,
        )

    @property
    def fraud_photo_lookback(self) -> timedelta:
        return timedelta(days=self.fraud_photo_lookback_days)

    @property
    def clock_rules(self) -> ClockRules:
        try:
            return ClockRules(
                decision=timedelta(days=self.clock_decision_days),
                decision_simple=timedelta(days=self.clock_decision_simple_days),
                payment=timedelta(days=self.clock_payment_days),
                rejection_notice=timedelta(days=self.clock_rejection_notice_days),
                advance_payment=timedelta(days=self.clock_advance_payment_days),
                warn_fraction=self.clock_warn_percent / 100,
            )
        except ValueError as exc:
            raise ValueError(f"statutory clocks: {exc}") from exc

    @property
    def verify_rule(self) -> AttemptRule:
        return _attempt_rule(self.verify_max_failures, self.verify_window_minutes)

    @property
    def bind_rule(self) -> AttemptRule:
        return _attempt_rule(self.bind_max_failures, self.bind_window_minutes)

    @property
    def login_rule(self) -> AttemptRule:
        return _attempt_rule(self.login_max_failures, self.login_window_minutes)

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


def _attempt_rule(limit: int, minutes: int) -> AttemptRule:
    """``limit`` failures within ``minutes``, then as long a cool-down."""
    window = timedelta(minutes=minutes)
    return AttemptRule(limit=limit, window=window, cooldown=window)


def _hours_list(value: str) -> list[float]:
    """``"24,2"`` → [24.0, 2.0]: positive hours, comma-separated; "" → none."""
    hours = [float(part) for part in value.split(",") if part.strip()]
    if any(h <= 0 for h in hours):
        raise ValueError("reminder hours are positive numbers, e.g. 24,2")
    return hours


def jiaoqiang_limits(overrides: dict[str, dict[str, str]]) -> JiaoqiangLimits:
    """The 2020 交强险 limits with the configured sub-limits (yuan) put in their place."""
    tables = {"at_fault": JIAOQIANG_2020.at_fault, "no_fault": JIAOQIANG_2020.no_fault}
    unknown = set(overrides) - set(tables)
    if unknown:
        raise ValueError(f"unknown 交强险 limit tables {sorted(unknown)} (at_fault, no_fault)")
    for name, values in overrides.items():
        subs = {sub.value for sub in SubLimit}
        if set(values) - subs:
            raise ValueError(f"unknown sub-limits {sorted(set(values) - subs)} ({sorted(subs)})")
        try:
            fen = {sub: Money.from_yuan(amount).fen for sub, amount in values.items()}
        except InvalidAmount as exc:
            raise ValueError(f"not an amount: {exc}") from None
        if any(amount < 0 for amount in fen.values()):
            raise ValueError("交强险 limits are never negative")
        tables[name] = replace(tables[name], **fen)
    return JiaoqiangLimits(at_fault=tables["at_fault"], no_fault=tables["no_fault"])
