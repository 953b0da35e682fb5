"""Settings.from_env(): every knob of the bot, read from the environment and validated once."""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_API = "https://api.telegram.org/bot"
_TOKEN = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{5,100}$")
# Every CAREERBOT_* variable careerbot reads: any other is a typo that would be silently
# ignored (CAREERBOT_ADMIN_ID for CAREERBOT_ADMIN_IDS gives a bot without admins).
KNOWN_VARIABLES = (
    "CAREERBOT_DB", "CAREERBOT_DB_SYNC", "CAREERBOT_KNOWLEDGE_DIR", "CAREERBOT_ADMIN_IDS",
    "CAREERBOT_FLOOD_PER_MINUTE", "CAREERBOT_UPDATES_IN_FLIGHT", "CAREERBOT_ANNOUNCE_PER_SECOND",
    "CAREERBOT_TIMEZONE", "CAREERBOT_WEB_HOST", "CAREERBOT_WEB_PORT", "CAREERBOT_WEB_ORIGINS",
    "CAREERBOT_WEB_IP_PER_MINUTE", "CAREERBOT_ANSWER_CACHE", "CAREERBOT_REPORT_MIN_RESPONSES",
    "CAREERBOT_PUBLIC_ORIGIN",
    "CAREERBOT_TRUSTED_PROXIES", "CAREERBOT_WEB_STREAMS_PER_ADDRESS",
    "CAREERBOT_WEB_STREAMS_PER_SESSION", "CAREERBOT_SURVEYS_PER_ADDRESS_HOUR",
    "CAREERBOT_LOG_SALT", "CAREERBOT_BOT_USERNAME", "CAREERBOT_MODEL_CACHE",
)
# Zalo Official Account settings (read when ZALO_APP_ID is set). Like CAREERBOT_*, any other
# ZALO_* name is a typo that would be silently ignored (ZALO_SECRET for ZALO_OA_SECRET).
ZALO_VARIABLES = (
    "ZALO_APP_ID", "ZALO_APP_SECRET", "ZALO_OA_SECRET", "ZALO_REFRESH_TOKEN",
    "ZALO_ACCESS_TOKEN", "ZALO_API_BASE_URL", "ZALO_OAUTH_BASE_URL",
)
DEFAULT_ZALO_API = "https://openapi.zalo.me"
DEFAULT_ZALO_OAUTH = "https://oauth.zaloapp.com"
_ZALO_SECRET = re.compile(r"^[A-Za-z0-9_-]{8,200}$")
_ZALO_TOKEN = re.compile(r"^[A-Za-z0-9_.\-]{16,2000}$")
DEFAULT_WEB_PORT = 8080  # `careerbot web` when CAREERBOT_WEB_PORT is unset
DEFAULT_TRUSTED_PROXIES = "127.0.0.0/8,::1"  # a reverse proxy on this host
MIN_SECRET = 16  # characters of WEBHOOK_SECRET: ~96 bits from its 64-letter alphabet


class ConfigError(Exception):
    """A variable is missing or malformed; the message names it, in one line."""


def _int(env: Mapping[str, str], name: str, default: int, lo: int, hi: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}: phải là số nguyên, nhận được {raw!r}") from None
    if not lo <= value <= hi:
        raise ConfigError(f"{name}: phải nằm trong khoảng {lo}–{hi}, nhận được {value}")
    return value


def _optional_int(env: Mapping[str, str], name: str) -> int | None:
    raw = env.get(name, "").strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name}: phải là một id Telegram (số nguyên), nhận được {raw!r}") \
            from None


def _choice(env: Mapping[str, str], name: str, default: str, allowed: tuple[str, ...]) -> str:
    value = env.get(name, "").strip().upper() or default
    if value not in allowed:
        raise ConfigError(f"{name}: phải là một trong {', '.join(allowed)}, nhận được {value!r}")
    return value


def _ids(env: Mapping[str, str], name: str) -> frozenset[int]:
    raw = env.get(name, "").strip()
    if not raw:
        return frozenset()
    try:
        return frozenset(int(x) for x in re.split(r"[,\s;]+", raw) if x)
    except ValueError:
        raise ConfigError(f"{name}: phải là danh sách id Telegram cách nhau bởi dấu phẩy") \
            from None


def _check_names(env: Mapping[str, str]) -> None:
    from rapidfuzz import process

    for name in sorted(env):
        for prefix, known in (("CAREERBOT_", KNOWN_VARIABLES), ("ZALO_", ZALO_VARIABLES)):
            if not name.startswith(prefix) or name in known:
                continue
            closest = process.extractOne(name, known)
            hint = f" Có phải {closest[0]}?" if closest else ""
            raise ConfigError(f"{name}: không có biến này trong cấu hình careerbot "
                              f"(xem .env.example).{hint}")


def _admins(env: Mapping[str, str]) -> frozenset[int]:
    """CAREERBOT_ADMIN_IDS, or ADMIN_IDS (the old name); both only if they agree."""
    new, old = _ids(env, "CAREERBOT_ADMIN_IDS"), _ids(env, "ADMIN_IDS")
    if new and old and new != old:
        raise ConfigError("CAREERBOT_ADMIN_IDS và ADMIN_IDS (tên cũ) ghi hai danh sách khác "
                          "nhau: chỉ giữ CAREERBOT_ADMIN_IDS")
    return new or old


def _url(env: Mapping[str, str], name: str, default: str | None) -> str | None:
    raw = env.get(name, "").strip() or default
    if raw is None:
        return None
    parsed = urlparse(raw)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ConfigError(f"{name}: phải là một URL http(s) đầy đủ, nhận được {raw!r}")
    return raw.rstrip("/")


def _origins(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    """Comma-separated origins (scheme://host[:port]), normalised to lower case, no slash."""
    out: list[str] = []
    for raw in re.split(r"[,\s]+", env.get(name, "").strip()):
        if not raw:
            continue
        parsed = urlparse(raw)
        if parsed.scheme not in ("http", "https") or not parsed.netloc \
                or parsed.path not in ("", "/") or parsed.query or parsed.fragment:
            raise ConfigError(f"{name}: mỗi mục phải là một origin như https://truong.edu.vn "
                              f"(không có đường dẫn), nhận được {raw!r}")
        out.append(f"{parsed.scheme}://{parsed.netloc}".lower())
    return tuple(dict.fromkeys(out))


def _bot_username(env: Mapping[str, str]) -> str | None:
    name = env.get("CAREERBOT_BOT_USERNAME", "").strip().lstrip("@")
    if name and not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{3,31}", name):
        raise ConfigError(f"CAREERBOT_BOT_USERNAME: tên bot Telegram như careerbot_bot, "
                          f"nhận được {name!r}")
    return name or None


def _public_origin(env: Mapping[str, str], name: str) -> str | None:
    found = _origins(env, name)
    if len(found) > 1:
        raise ConfigError(f"{name}: chỉ một origin (địa chỉ công khai của trang chat), "
                          f"nhận được {len(found)}")
    return found[0] if found else None


def _networks(env: Mapping[str, str], name: str, default: str) -> tuple[str, ...]:
    """Addresses or networks (127.0.0.1, 172.16.0.0/12), normalised; checked here, not at the
    first request."""
    raw = env.get(name, "").strip() or default
    out: list[str] = []
    for item in re.split(r"[,\s]+", raw):
        if not item:
            continue
        try:
            out.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError:
            raise ConfigError(f"{name}: mỗi mục phải là một địa chỉ IP hoặc một mạng như "
                              f"172.16.0.0/12, nhận được {item!r}") from None
    return tuple(dict.fromkeys(out))


def _file_url(base_url: str) -> str:
    """Telegram serves files under /file/bot<token>/ beside /bot<token>/."""
    if base_url.endswith("/bot"):
        return base_url[: -len("/bot")] + "/file/bot"
    return base_url + "/file"


@dataclass(frozen=True)
class ZaloSettings:
    """A Zalo Official Account: the app (id, secret key for token refresh), the OA secret key
    that signs webhooks, and the tokens that seed the first refresh."""

    app_id: str
    app_secret: str
    oa_secret: str
    refresh_token: str | None = None  # seeds the first refresh; afterwards SQLite holds it
    access_token: str | None = None
    api_base_url: str = DEFAULT_ZALO_API
    oauth_base_url: str = DEFAULT_ZALO_OAUTH

    def __repr__(self) -> str:  # secrets and tokens must never reach a log line
        return f"ZaloSettings(app_id={self.app_id}, api_base_url={self.api_base_url}, " \
               f"oauth_base_url={self.oauth_base_url})"


def _secret(env: Mapping[str, str], name: str, shape: re.Pattern[str], what: str) -> str | None:
    raw = env.get(name, "").strip()
    if not raw:
        return None
    if not shape.match(raw):
        raise ConfigError(f"{name}: {what}")
    return raw


def _zalo(env: Mapping[str, str]) -> ZaloSettings | None:
    app_id = env.get("ZALO_APP_ID", "").strip()
    # The base URLs have defaults (.env.example fills them in): only a key or token set
    # without an app means a half-configured OA.
    others = [n for n in ZALO_VARIABLES if n != "ZALO_APP_ID" and "_URL" not in n
              and env.get(n, "").strip()]
    if not app_id:
        if others:
            raise ConfigError(f"ZALO_APP_ID: bắt buộc khi đặt {others[0]} (id ứng dụng trên "
                              "developers.zalo.me)")
        return None
    if not re.fullmatch(r"\d{1,25}", app_id):
        raise ConfigError(f"ZALO_APP_ID: phải là dãy số (id ứng dụng Zalo), nhận được {app_id!r}")
    key_hint = "chỉ gồm chữ, số, _ và -, 8–200 ký tự (sao chép từ developers.zalo.me)"
    app_secret = _secret(env, "ZALO_APP_SECRET", _ZALO_SECRET, key_hint)
    oa_secret = _secret(env, "ZALO_OA_SECRET", _ZALO_SECRET, key_hint)
    if app_secret is None:
        raise ConfigError("ZALO_APP_SECRET: bắt buộc khi đặt ZALO_APP_ID (khoá bí mật của "
                          "ứng dụng)")
    if oa_secret is None:
        raise ConfigError("ZALO_OA_SECRET: bắt buộc khi đặt ZALO_APP_ID (khoá bí mật của OA, "
                          "dùng để kiểm tra chữ ký webhook)")
    code_hint = "không đúng dạng mã Zalo (16–2000 ký tự chữ, số, _ . -, không khoảng trắng)"
    return ZaloSettings(
        app_id=app_id,
        app_secret=app_secret,
        oa_secret=oa_secret,
        refresh_token=_secret(env, "ZALO_REFRESH_TOKEN", _ZALO_TOKEN, code_hint),
        access_token=_secret(env, "ZALO_ACCESS_TOKEN", _ZALO_TOKEN, code_hint),
        api_base_url=_url(env, "ZALO_API_BASE_URL", DEFAULT_ZALO_API) or DEFAULT_ZALO_API,
        oauth_base_url=_url(env, "ZALO_OAUTH_BASE_URL", DEFAULT_ZALO_OAUTH) or DEFAULT_ZALO_OAUTH,
    )


@dataclass(frozen=True)
class Settings:
    token: str | None = None
    api_base_url: str = DEFAULT_API
    api_file_url: str = _file_url(DEFAULT_API)
    db_path: Path = Path("careerbot.db")
    db_sync: str = "FULL"
    knowledge_dir: Path | None = None
    admin_ids: frozenset[int] = frozenset()
    admin_chat_id: int | None = None
    counselor_chat_id: int | None = None
    webhook_url: str | None = None
    webhook_listen: str = "127.0.0.1"  # behind the reverse proxy on the same host
    webhook_port: int = 8443
    webhook_secret: str | None = None
    flood_per_minute: int = 60  # messages and taps: a fast reader taps ~30 answers a minute
    updates_in_flight: int = 32
    connections: int = 40  # updates_in_flight + 8 unless set
    rate_per_second: int = 30
    group_rate_per_minute: int = 20
    announce_per_second: int = 20
    log_level: str = "INFO"
    log_json: bool = False
    timezone: str = "Asia/Ho_Chi_Minh"
    web_host: str = "127.0.0.1"
    web_port: int | None = None  # None: `careerbot run` serves no web chat
    web_origins: tuple[str, ...] = ()  # school sites allowed to embed and call the web chat
    web_ip_per_minute: int = 3000  # web requests per minute from one address (a school's NAT)
    bot_username: str | None = None  # t.me/<bot>: the students' link on the dashboard
    answer_cache: int = 4096  # replies remembered (bot/answering/assistant.py); 0: none
    report_min_responses: int = 20  # answers of a grade before a report says Đạt / Chưa đạt
    zalo: ZaloSettings | None = None  # None: no Zalo Official Account configured
    # The web chat's own address as visitors reach it: the only Host it answers to (None: only
    # loopback names, for a chat on this machine), and its origin for the Origin check.
    public_origin: str | None = None
    # Peers whose X-Forwarded-For / -Proto count: the reverse proxy, nobody else.
    trusted_proxies: tuple[str, ...] = ("127.0.0.0/8", "::1/128")
    web_streams_per_address: int = 100  # live event streams from one address (a school NAT)
    web_streams_per_session: int = 4  # tabs of one visitor with a live stream
    surveys_per_address_hour: int = 60  # submissions for one school from one address an hour
    log_salt: str | None = None  # None: a random salt kept in the database

    def __repr__(self) -> str:  # the token must never reach a log line
        return f"Settings(db_path={self.db_path!s}, api_base_url={self.api_base_url!s}, " \
               f"token={'set' if self.token else 'unset'})"

    @property
    def webhook_path(self) -> str:
        return urlparse(self.webhook_url).path.lstrip("/") if self.webhook_url else ""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        _check_names(env)
        token = env.get("TELEGRAM_BOT_TOKEN", "").strip() or None
        if token is not None and not _TOKEN.match(token):
            raise ConfigError("TELEGRAM_BOT_TOKEN: không đúng dạng <số>:<chuỗi> do @BotFather cấp")
        base = _url(env, "TELEGRAM_API_BASE_URL", DEFAULT_API) or DEFAULT_API
        file_url = _url(env, "TELEGRAM_API_FILE_URL", None) or _file_url(base)
        webhook = _url(env, "WEBHOOK_URL", None)
        secret = env.get("WEBHOOK_SECRET", "").strip() or None
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            raise ConfigError("WEBHOOK_SECRET: chỉ gồm A-Z, a-z, 0-9, _ và -, tối đa 256 ký tự")
        # Without a secret anyone who reaches the port can post updates "from" an admin.
        if webhook is not None and (secret is None or len(secret) < MIN_SECRET):
            raise ConfigError(f"WEBHOOK_SECRET: bắt buộc khi đặt WEBHOOK_URL, ít nhất "
                              f"{MIN_SECRET} ký tự ngẫu nhiên (ví dụ: openssl rand -hex 32)")
        level = env.get("LOG_LEVEL", "INFO").strip().upper() or "INFO"
        if level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
            raise ConfigError(f"LOG_LEVEL: phải là DEBUG, INFO, WARNING hoặc ERROR, nhận {level!r}")
        log_format = env.get("LOG_FORMAT", "text").strip().lower() or "text"
        if log_format not in ("text", "json"):
            raise ConfigError(f"LOG_FORMAT: phải là text hoặc json, nhận được {log_format!r}")
        tz = env.get("CAREERBOT_TIMEZONE", "Asia/Ho_Chi_Minh").strip() or "Asia/Ho_Chi_Minh"
        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(f"CAREERBOT_TIMEZONE: múi giờ không tồn tại: {tz!r}") from None
        knowledge_dir = env.get("CAREERBOT_KNOWLEDGE_DIR", "").strip()
        if knowledge_dir and not Path(knowledge_dir).is_dir():
            raise ConfigError(f"CAREERBOT_KNOWLEDGE_DIR: không có thư mục {knowledge_dir!r}")
        admins = _admins(env)
        admin_chat = _optional_int(env, "ADMIN_CHAT_ID")
        in_flight = _int(env, "CAREERBOT_UPDATES_IN_FLIGHT", 32, 1, 1024)
        return cls(
            token=token,
            api_base_url=base,
            api_file_url=file_url,
            db_path=Path(env.get("CAREERBOT_DB", "").strip() or "careerbot.db"),
            db_sync=_choice(env, "CAREERBOT_DB_SYNC", "FULL", ("NORMAL", "FULL")),
            knowledge_dir=Path(knowledge_dir) if knowledge_dir else None,
            admin_ids=admins,
            admin_chat_id=admin_chat if admin_chat is not None else min(admins, default=None),
            counselor_chat_id=_optional_int(env, "COUNSELOR_CHAT_ID"),
            webhook_url=webhook,
            webhook_listen=env.get("WEBHOOK_LISTEN", "").strip() or "127.0.0.1",
            webhook_port=_int(env, "WEBHOOK_PORT", 8443, 1, 65535),
            webhook_secret=secret,
            flood_per_minute=_int(env, "CAREERBOT_FLOOD_PER_MINUTE", 60, 1, 10_000),
            updates_in_flight=in_flight,
            # Spare connections beyond the updates in flight: error reports, announcements.
            connections=_int(env, "TELEGRAM_CONNECTIONS", in_flight + 8, 1, 1024),
            rate_per_second=_int(env, "TELEGRAM_RATE_PER_SECOND", 30, 0, 10_000),
            group_rate_per_minute=_int(env, "TELEGRAM_GROUP_RATE_PER_MINUTE", 20, 0, 10_000),
            announce_per_second=_int(env, "CAREERBOT_ANNOUNCE_PER_SECOND", 20, 1, 30),
            log_level=level,
            log_json=log_format == "json",
            timezone=tz,
            web_host=env.get("CAREERBOT_WEB_HOST", "").strip() or "127.0.0.1",
            web_port=_int(env, "CAREERBOT_WEB_PORT", 0, 1, 65535) or None,
            web_origins=_origins(env, "CAREERBOT_WEB_ORIGINS"),
            web_ip_per_minute=_int(env, "CAREERBOT_WEB_IP_PER_MINUTE", 3000, 1, 1_000_000),
            bot_username=_bot_username(env),
            answer_cache=_int(env, "CAREERBOT_ANSWER_CACHE", 4096, 0, 1_000_000),
            report_min_responses=_int(env, "CAREERBOT_REPORT_MIN_RESPONSES", 20, 1, 1_000_000),
            zalo=_zalo(env),
            public_origin=_public_origin(env, "CAREERBOT_PUBLIC_ORIGIN"),
            trusted_proxies=_networks(env, "CAREERBOT_TRUSTED_PROXIES", DEFAULT_TRUSTED_PROXIES),
            web_streams_per_address=_int(env, "CAREERBOT_WEB_STREAMS_PER_ADDRESS", 100, 1,
                                         100_000),
            web_streams_per_session=_int(env, "CAREERBOT_WEB_STREAMS_PER_SESSION", 4, 1, 100),
            surveys_per_address_hour=_int(env, "CAREERBOT_SURVEYS_PER_ADDRESS_HOUR", 60, 1,
                                          1_000_000),
            log_salt=env.get("CAREERBOT_LOG_SALT", "").strip() or None,
        )
