"""The process's background work, started once whatever channels run (bot/bootstrap.py):
the daily retention purge, flood-guard housekeeping, the counsellors' courier, and the paced
delivery of announcements (each recipient reached on their own channel through the outbox,
every outcome recorded first, so a restart resumes without sending anything twice)."""

from __future__ import annotations

import asyncio
import logging

from bot import messages
from bot.outreach.announcements import Announcement
from bot.people.access import may_send
from bot.people.privacy import purge
from bot.services import Services
from bot.views import Block, Part, View

log = logging.getLogger(__name__)
PURGE_EVERY = 24 * 3600.0  # seconds: the retention rules are applied once a day
HOUSEKEEPING_EVERY = 60.0  # seconds: idle users leave the flood guard's memory


class Jobs:
    """The background tasks of one process; `start` is idempotent (the Telegram bot and the
    web server of one process both ask for it)."""

    def __init__(self, svc: Services) -> None:
        self.svc = svc
        self.tasks: set[asyncio.Task[None]] = set()
        self.started = False

    async def start(self) -> None:
        if self.started:
            return
        self.started = True
        # From now on announcements can be accepted: this process delivers them, on every
        # channel it runs (a terminal chat alone starts no jobs, and refuses /thongbao).
        self.svc.outbox.announcer = self.announce
        self._spawn(purge_daily(self.svc))
        self._spawn(housekeeping(self.svc))
        self.svc.outbox.start()  # the counsellors' courier: what an earlier run left goes first
        for item in self.svc.announcements.unfinished():  # interrupted by a restart
            await self.svc.announcements.recover(item)
            self.announce(item)

    def announce(self, item: Announcement) -> None:
        """Deliver an accepted announcement in the background."""
        self._spawn(deliver_announcement(self.svc, item))

    async def stop(self) -> None:
        self.svc.outbox.announcer = None
        await self.svc.outbox.stop()  # the send in progress finishes and is recorded
        for task in list(self.tasks):
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        self.started = False

    def _spawn(self, work: object) -> None:
        task: asyncio.Task[None] = asyncio.create_task(work)  # type: ignore[arg-type]
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)


async def purge_daily(svc: Services) -> None:
    """Apply the retention rules promised in bot/people/privacy.py, at start and every day."""
    while True:
        try:
            counts = await svc.writer.write(lambda db: purge(db, svc.clock()))
            if counts.get("users"):
                svc.accounts.clear_cache()  # purged web accounts must not be found again
            if any(counts.values()):
                log.info("retention purge %s", counts, extra={"event": "purge"})
        except Exception:  # a failed purge must not stop the bot; it is retried tomorrow
            log.exception("retention purge failed", extra={"event": "purge"})
        await asyncio.sleep(PURGE_EVERY)


async def housekeeping(svc: Services) -> None:
    while True:
        await asyncio.sleep(HOUSEKEEPING_EVERY)
        svc.flood.forget_idle()


async def deliver_announcement(svc: Services, item: Announcement) -> None:
    """Send to every pending recipient, paced, recording each outcome; then tell the sender."""
    pause = 1.0 / svc.settings.announce_per_second
    text = messages.ANNOUNCE_HEADER.format(scope=item.scope_name, text=item.text)
    shown = View((Part(Block.TEXT, text),))
    while batch := svc.announcements.pending(item):
        if not may_send(svc, item.created_by, item.school_codes):
            left = await svc.announcements.cancel(item)
            log.warning("announcement %d stopped, its sender may no longer send it: %d not sent",
                        item.id, left, extra={"event": "announce"})
            return
        for user_id in batch:
            await svc.announcements.mark(item, user_id, "sending")  # before: never send twice
            outcome = await svc.outbox.reach(user_id, shown)
            if outcome == "blocked":  # remember, never try again
                await svc.users.mark_blocked(user_id)
            await svc.announcements.mark(item, user_id, outcome)
            await asyncio.sleep(pause)
    tally = await svc.announcements.finish(item)
    log.info("announcement delivered", extra={"event": "announce"})
    if item.chat_id is None:  # the sender erased their data meanwhile
        return
    done = messages.ANNOUNCE_DONE.format(id=item.id, sent=tally["sent"],
                                         blocked=tally["blocked"], failed=tally["failed"],
                                         unknown=tally["unknown"])
    if not await svc.outbox.send(item.chat_id, View((Part(Block.TEXT, done),))):
        log.warning("could not send the delivery summary", extra={"event": "announce"})
