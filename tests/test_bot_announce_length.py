"""/thongbao longer than Telegram allows is refused with the limit, never cut silently."""

from __future__ import annotations

import re

from bot import messages


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


async def _recipient(bot, api):
    parent = api.private_user(801, first_name="PH")
    await bot.say(parent, "/start")
    return parent


async def test_an_announcement_too_long_for_telegram_is_refused_with_limit_and_length(
        bot, api, admin):
    await bot.say(admin, "/start")
    await _recipient(bot, api)
    text = "Kính gửi quý phụ huynh 🎓 " + "học nghề " * 450
    [refused] = await bot.say(admin, f"/thongbao {text.strip()}")
    limit = int(re.search(r"tối đa (\d+) ký tự", refused["text"]).group(1))
    assert f"dài {_utf16(text.strip())} ký tự" in refused["text"]
    assert 3900 < limit < 4096
    assert bot.services.db.execute("SELECT count(*) FROM announcements").fetchone()[0] == 0


async def test_an_announcement_at_the_limit_is_confirmed_and_delivered_whole(bot, api, admin):
    await bot.say(admin, "/start")
    parent = await _recipient(bot, api)
    [refused] = await bot.say(admin, "/thongbao " + "ư" * 4080)
    limit = int(re.search(r"tối đa (\d+) ký tự", refused["text"]).group(1))
    text = "🎓 Ngày hội <tuyển sinh> & " + "ư" * (limit - _utf16("🎓 Ngày hội <tuyển sinh> & "))
    assert _utf16(text) == limit  # past 3,500: the old cut would have lost the end
    [confirm] = await bot.say(admin, f"/thongbao {text}")
    assert confirm["text"].endswith(text)
    api.mark(admin.id)
    await api.press_button(admin, confirm, messages.ANNOUNCE_SEND)
    await api.wait_for_message(admin.id, count=2, timeout=30)
    [received] = [m for m in api.sent(parent.id) if m["text"].startswith("📢")]
    assert received["text"].endswith(text)
