"""The composition root: build the real storage, media store, catalogs, engine and channels."""

from __future__ import annotations

import os
import socket
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial

from bot.agreement.files import AgreementFiles
from bot.agreement.render import AgreementRenderer
from bot.channels.base import Channel, ChannelDeps, ChannelEntry
from bot.channels.telegram.channel import build_telegram_channel
from bot.channels.webchat.channel import WebChat
from bot.channels.webchat.media_links import MediaLinks
from bot.channels.webchat.sessions import ChatSessions, SessionPolicy
from bot.channels.wechat.channel import build_wechat_channel
from bot.documents import KeptDocuments
from bot.engine import SqlEngine
from bot.links import public_base_url
from bot.logs import turn_context
from bot.media_intake import MediaIntake, UploadQuota
from bot.quickdeal_services import QuickDealKit
from bot.settings import MEGABYTE, Settings
from bot.signing import Signer, server_signer
from bot.smallclaim_services import SmallClaimKit, payment_port
from bot.telemetry import Telemetry
from dialogs.lexicon import Lexicon
from dialogs.report.dialog import REPORT
from domain.attempts import AttemptRule, Limits
from domain.clock import Clock, SystemClock
from locales.catalog import Catalogs
from messages.outbound import AGREEMENT_STORE
from scheduler.booking import booking_timer_kinds
from scheduler.config import SchedulerConfig, WaitingDialog
from scheduler.dispatcher import OutboxDispatcher, Pacing
from scheduler.escalation import EscalationConfig, escalation_timer_kinds
from scheduler.handoff_sla import HandoffSlaConfig, handoff_timer_kinds
from scheduler.quickdeal import quickdeal_timer_kind
from scheduler.quiet import QuietHours, parse_clock
from scheduler.reminders import default_registry
from scheduler.retention import RetentionConfig, retention_timer_kinds
from scheduler.runner import TimerRunner
from scheduler.service import SchedulerService
from scheduler.shop_schedule import ShopScheduleConfig, shop_schedule_timer_kinds
from scheduler.statutory_clocks import ClockPageConfig, clock_timer_kinds
from storage.db import Database
from storage.media.store import MediaStore
from storage.repositories.retention import remove_files


@dataclass
class Container:
    settings: Settings
    clock: Clock
    database: Database
    media: MediaStore
    catalogs: Catalogs
    engine: SqlEngine
    intake: MediaIntake
    webchat: WebChat
    dispatcher: OutboxDispatcher
    signer: Signer
    telemetry: Telemetry
    channels: list[Channel] = field(default_factory=list)
    scheduler: SchedulerService | None = None  # None: CLAIMBOT_SCHEDULER_ENABLED=false
    agreements: AgreementFiles | None = None  # issued 快处快赔 agreements and their links
    small_claim: SmallClaimKit | None = None  # 小额快赔: decisions and payment instructions

    def close(self) -> None:
        self.database.dispose()


# The chat channels besides the web chat, each on once its credentials are set; a new
# channel is one more line (docs/extending.md).
CHANNELS: tuple[ChannelEntry, ...] = (
    ChannelEntry(lambda settings: bool(settings.telegram_token), build_telegram_channel),
    ChannelEntry(lambda settings: bool(settings.wechat_app_id), build_wechat_channel),
)


def build(
    settings: Settings,
    *,
    clock: Clock | None = None,
    channels: Sequence[ChannelEntry] = CHANNELS,
) -> Container:
    clock = clock or SystemClock()
    tz = settings.tz
    database = Database(settings.database_url)
    media = MediaStore(
        settings.media_dir,
        max_photo_bytes=settings.max_photo_bytes,
        max_video_bytes=settings.max_video_bytes,
        max_decoded_bytes=settings.max_decode_mb * MEGABYTE,
        max_concurrent_decodes=settings.max_concurrent_decodes,
        tz=tz,
    )
    catalogs = Catalogs(tz)
    catalogs.use_hotline(settings.service_hotline)
    lexicon = Lexicon(catalogs.words(), catalogs.tables())
    engine = SqlEngine(
        database,
        clock=clock,
        tz=tz,
        lexicon=lexicon,
        locales=catalogs.locales,
        default_locale=settings.default_locale,
        resume_after=settings.resume_after,
        hotline=settings.service_hotline,
        handoff_wait_minutes=settings.handoff_wait_minutes,
        rules=settings.adjudication_rules,
        booking_rules=settings.booking_rules,
        status_base_url=public_base_url(settings),
        limits=Limits(settings.verify_rule, settings.bind_rule),
        retention_days=settings.retention_days,
        log_context=turn_context,
    )
    intake = MediaIntake(
        media,
        database,
        clock,
        UploadQuota(settings.upload_quota_files, settings.upload_quota_mb * MEGABYTE),
    )
    signer = server_signer(settings.secret_key, database, clock)
    agreements = AgreementFiles(
        settings.media_dir / "agreements", signer, public_base_url(settings)
    )
    quick_deal = QuickDealKit(
        media,
        AgreementRenderer(settings.pdf_font),
        agreements,
        catalogs,
        timedelta(minutes=settings.quickdeal_invite_minutes),
        settings.insurer_name,
        public_base_url(settings),
        settings.secret_key,
    )
    engine.use_quick_deal(quick_deal.for_turn)
    small_claim = SmallClaimKit(
        database,
        clock,
        payment_port(settings),
        settings.fast_lane_rules,
        settings.fraud_rules,
        tz,
        settings.fraud_photo_lookback,
        settings.fast_sample_percent,
    )
    engine.use_small_claim(small_claim.for_turn)
    engine.on_turn(small_claim.after_turn)
    webchat = WebChat(
        engine,
        database,
        intake,
        catalogs,
        clock,
        ChatSessions(database, clock, signer, chat_session_policy(settings)),
        MediaLinks(signer, timedelta(minutes=settings.media_link_minutes)),
        max_upload_bytes=max(settings.max_photo_bytes, settings.max_video_bytes),
        max_files=settings.max_files_per_upload,
        max_upload_request_bytes=settings.max_upload_request_mb * MEGABYTE,
    )
    worker = f"{socket.gethostname()}:{os.getpid()}"
    telemetry = Telemetry(database, clock, worker)
    engine.on_turn(telemetry.turn)
    documents = KeptDocuments({AGREEMENT_STORE: agreements.root})
    deps = ChannelDeps(settings, clock, database, engine, intake, catalogs, telemetry, documents)
    # the web chat last: it sends nothing itself
    built = [entry.build(deps) for entry in channels if entry.configured(settings)]
    channels_on: list[Channel] = [*built, webchat]
    dispatcher = OutboxDispatcher(
        database,
        [channel.sender for channel in channels_on if channel.sender is not None],
        clock,
        worker=worker,
        pacing=_pacing(channels_on),
        lease=timedelta(seconds=settings.outbox_lease_seconds),
        mark_within=settings.outbox_mark_within_seconds,
        on_result=telemetry.send,
        on_retaken=telemetry.retaken,
    )
    container = Container(
        settings,
        clock,
        database,
        media,
        catalogs,
        engine,
        intake,
        webchat,
        dispatcher,
        signer,
        telemetry,
        channels_on,
    )
    container.agreements = agreements
    container.small_claim = small_claim
    if settings.scheduler_enabled:
        container.scheduler = _scheduler(settings, database, clock)
    return container


def chat_session_policy(settings: Settings) -> SessionPolicy:
    hour = timedelta(hours=1)
    return SessionPolicy(
        lifetime=timedelta(days=settings.chat_session_days),
        rotate_after=timedelta(hours=settings.chat_session_rotate_hours),
        new_per_address=AttemptRule(settings.chat_sessions_per_address_hour, hour, hour),
    )


def _pacing(channels: list[Channel]) -> dict[str, Pacing]:
    return {channel.name: channel.pacing for channel in channels}


def scheduler_config(settings: Settings) -> SchedulerConfig:
    nudge = settings.nudge_after_minutes
    return SchedulerConfig(
        default_tz=settings.tz,
        quiet_hours=QuietHours.parse(settings.quiet_hours),
        poll=timedelta(seconds=settings.scheduler_poll_seconds),
        stale_after=timedelta(seconds=settings.timer_stale_seconds),
        nudge_after=timedelta(minutes=nudge) if nudge > 0 else None,
        nudge_max_silence=timedelta(hours=settings.nudge_max_silence_hours),
        maintenance_every_months=settings.maintenance_every_months,
        maintenance_at=parse_clock(settings.maintenance_local_time),
        status_base_url=public_base_url(settings),
        report=WaitingDialog(REPORT.name, REPORT.unfinished),
    )


def _scheduler(settings: Settings, database: Database, clock: Clock) -> SchedulerService:
    """Timers in the database; APScheduler only wakes the runner (scheduler/service.py)."""
    config = scheduler_config(settings)
    registry = default_registry(config)
    for kind in booking_timer_kinds(settings.booking_rules, settings.default_locale):
        registry.register(kind)
    for kind in escalation_timer_kinds(
        EscalationConfig(settings.sla_policy, settings.default_locale)
    ):
        registry.register(kind)
    for kind in clock_timer_kinds(ClockPageConfig(settings.clock_rules, settings.default_locale)):
        registry.register(kind)
    handoff_sla = HandoffSlaConfig(
        timedelta(minutes=settings.handoff_answer_minutes), settings.default_locale
    )
    for kind in handoff_timer_kinds(handoff_sla):
        registry.register(kind)
    registry.register(quickdeal_timer_kind(settings.default_locale))
    shop_schedule = ShopScheduleConfig(
        at=parse_clock(settings.shop_schedule_time),
        days_ahead=1 if settings.shop_schedule_day == "tomorrow" else 0,
        default_locale=settings.default_locale,
    )
    for kind in shop_schedule_timer_kinds(shop_schedule):
        registry.register(kind)
    retention = RetentionConfig(
        retention=settings.retention,
        at=parse_clock(settings.purge_local_time),
        tz=settings.tz,
        remove_files=partial(remove_files, MediaStore(settings.media_dir)),
    )
    for kind in retention_timer_kinds(retention):
        registry.register(kind)
    runner = TimerRunner(database, registry, clock, config)
    return SchedulerService(runner, clock)
