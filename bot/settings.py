"""Configuration: CLAIMBOT_* environment variables, and a .env file if present."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

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

    max_photo_mb: int = 10
    max_video_mb: int = 20
    max_files_per_upload: int = 10
    resume_after_minutes: int = 120

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown timezone {value!r}") from exc
        return value

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
