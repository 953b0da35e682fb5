"""/thongbao: a draft with its preview and Send / Drop, for admins and staff (staff: their own
scope only). Deciding and previewing live here; the channel registered as the outbox's
announcer paces the delivery and resumes it after a restart."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot import intents as i
from bot import messages
from bot.outreach import announcements as announce
from bot.people.access import may_send, scope_of
from bot.people.accounts import Account
from bot.people.staff import ScopeError
from bot.screens import Handlers, Screens, text_view
from bot.views import Block, Choice, Notice, Part, View, notice_only

if TYPE_CHECKING:
    from bot.services import Services


class AnnounceScreens(Screens):
    def handlers(self) -> Handlers:
        return {i.AnnounceDraft: self.draft, i.AnnounceDecision: self.decide}

    async def draft(self, account: Account, intent: i.Intent) -> View:
        """The preview, with Send and Drop; refused whole when it could not be delivered."""
        assert isinstance(intent, i.AnnounceDraft)  # noqa: S101 - dispatched by type
        svc = self.svc
        school, audience_word, text = announce.parse_options(intent.text)
        try:
            scope = scope_of(svc, account, school or "")
        except ScopeError as refused:
            return text_view(str(refused))
        if not text:
            return text_view(messages.ANNOUNCE_USAGE)
        if svc.outbox.announcer is None:
            return text_view(messages.ANNOUNCE_UNAVAILABLE)
        audience = announce.AUDIENCE_WORDS.get(audience_word or "tatca")
        count = svc.announcements.count_recipients(audience, scope.school_codes)
        if count == 0:
            return text_view(messages.ANNOUNCE_NOBODY)
        who = messages.ANNOUNCE_WHO[audience]
        limit = announce.text_limit(scope.name, count, who, svc.channels.text_limit())
        if announce.length(text) > limit:  # refused whole, never cut: the sender decides
            return text_view(messages.ANNOUNCE_TOO_LONG.format(length=announce.length(text),
                                                               limit=limit))
        made = await svc.announcements.draft(account.user_id, account.user_id, text, audience,
                                             scope.school_codes, scope.name)
        preview = messages.ANNOUNCE_CONFIRM.format(count=count, who=who, scope=scope.name,
                                                   text=made.text)
        # text_limit() measured the preview: it is one message wherever it is shown.
        return View((Part(Block.TEXT, preview),),
                    ((Choice(messages.ANNOUNCE_SEND, i.AnnounceDecision(True, made.id)),
                      Choice(messages.ANNOUNCE_DROP, i.AnnounceDecision(False, made.id))),),
                    whole=True)

    async def decide(self, account: Account, intent: i.Intent) -> View:
        """Send or Drop tapped on the sender's own draft."""
        assert isinstance(intent, i.AnnounceDecision)  # noqa: S101
        svc = self.svc
        found = svc.announcements.get(intent.id)
        if found is None or found.created_by != account.user_id or found.status != "draft":
            return notice_only(messages.STALE_BUTTON, alert=True)
        if not intent.send:
            await svc.announcements.drop(found)
            return View((Part(Block.TEXT, messages.ANNOUNCE_DROPPED),), replace=True)
        refusal = _refusal(svc, account, found)
        announcer = svc.outbox.announcer
        if refusal is not None or announcer is None:
            await svc.announcements.drop(found)
            said = refusal or messages.ANNOUNCE_UNAVAILABLE
            return View((Part(Block.TEXT, said),), notice=Notice(said, alert=True), replace=True)
        count = await svc.announcements.start(found)
        announcer(found)
        return View((Part(Block.TEXT, messages.ANNOUNCE_STARTED.format(count=count)),),
                    replace=True)


def _refusal(svc: Services, account: Account, item: announce.Announcement) -> str | None:
    """Why this draft may not go out now, or None. The role is checked now, not when the
    draft was written: it may have been revoked since."""
    if not may_send(svc, account.user_id, item.school_codes):
        return messages.ANNOUNCE_NOT_ALLOWED
    return None if svc.outbox.announcer is not None else messages.ANNOUNCE_UNAVAILABLE
