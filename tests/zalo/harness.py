"""careerbot's web server with the Zalo channel installed, against the OA API stand-in: a person
writes (a signed webhook event), the test reads what Zalo delivered to them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestServer

from bot.answering.assistant import Assistant
from bot.bootstrap import Running, build_services
from bot.config import Settings, ZaloSettings
from bot.services import Services
from handlers.web.server import build_app
from handlers.zalo import ZALO
from handlers.zalo.channel import ZaloChannel
from handlers.zalo.render import button_payload, read_tap
from tests.zalo.oaapi import APP_ID, APP_SECRET, OA_SECRET, FakeClock, FakeZaloOA, Sent


def zalo_settings(api: FakeZaloOA, *, refresh: str | None = None, access: str | None = None
                  ) -> ZaloSettings:
    return ZaloSettings(APP_ID, APP_SECRET, OA_SECRET,
                        refresh_token=refresh or api.refresh_token,
                        access_token=access if access is not None else api.access_token,
                        api_base_url=api.base_url, oauth_base_url=api.oauth_base_url)


def zalo_env(api: FakeZaloOA) -> dict[str, str | None]:
    """The ZALO_* variables an operator sets, pointing at the stand-in."""
    return {"ZALO_APP_ID": APP_ID, "ZALO_APP_SECRET": APP_SECRET, "ZALO_OA_SECRET": OA_SECRET,
            "ZALO_REFRESH_TOKEN": api.refresh_token, "ZALO_ACCESS_TOKEN": api.access_token,
            "ZALO_API_BASE_URL": api.base_url, "ZALO_OAUTH_BASE_URL": api.oauth_base_url}


class ZaloServer:
    """`careerbot web` with ZALO_APP_ID set, in this event loop, on its own database."""

    def __init__(self, api: FakeZaloOA, clock: FakeClock, db_path: Path,
                 assistant: Assistant | None = None, **settings: Any) -> None:
        self.api = api
        self.clock = clock
        self.settings = Settings(db_path=db_path, flood_per_minute=10_000,
                                 zalo=zalo_settings(api), **settings)
        self.assistant = assistant
        self.svc: Services | None = None
        self.core: Running | None = None
        self.server: TestServer | None = None

    def now(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.clock.now, dt.UTC)

    async def start(self) -> None:
        self.svc = build_services(self.settings, clock=self.now, assistant=self.assistant)
        self.core = Running(self.svc)
        self.server = TestServer(build_app(self.core), host="127.0.0.1")
        await self.server.start_server()

    async def stop(self) -> None:
        if self.core is not None:
            await self.core.stop()  # the jobs, if a test started them
        if self.server is not None:
            await self.server.close()
            self.server = None
        if self.svc is not None:
            self.svc.close()
            self.svc = None

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    @property
    def services(self) -> Services:
        assert self.svc is not None
        return self.svc

    @property
    def url(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("/zalo/webhook"))

    @property
    def channel(self) -> ZaloChannel:
        assert self.server is not None
        channel = self.server.app[ZALO].channel
        assert channel is not None
        return channel

    # --- a person's side ------------------------------------------------------------------
    async def post(self, event: dict[str, Any], **options: Any) -> int:
        status, _ = await self.api.send_event(self.url, event, **options)
        await self.channel.drain()
        return status

    async def say(self, user: str, text: str, msg_id: str | None = None) -> list[Sent]:
        """The person writes; what Zalo delivered to them in return."""
        before = len(self.api.sent)
        status = await self.post(self.api.event("user_send_text", user, text=text,
                                                msg_id=msg_id))
        assert status == 200
        return [m for m in self.api.sent[before:] if m.user_id == user]

    async def tap(self, user: str, message: Sent, title: str) -> list[Sent]:
        """The person taps the button whose title starts with `title` (Zalo sends its payload
        as their text)."""
        button = next(b for b in message.buttons if b["title"].startswith(title))
        return await self.say(user, button["payload"])

    async def event(self, name: str, user: str) -> list[Sent]:
        before = len(self.api.sent)
        assert await self.post(self.api.event(name, user)) == 200
        return [m for m in self.api.sent[before:] if m.user_id == user]

    def account(self, user: str) -> int:
        found = self.services.accounts.find("zalo", user)
        assert found is not None
        return found.user_id


def intents(message: Sent) -> list[Any]:
    """The Intents a message's buttons carry."""
    return [read_tap(b["payload"]) for b in message.buttons]


def titles(message: Sent) -> list[str]:
    return [b["title"] for b in message.buttons]


Payload = Callable[..., str]
payload_of: Payload = button_payload
