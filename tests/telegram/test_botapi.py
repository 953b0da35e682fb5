"""The Bot API stand-in behaves like Telegram for a real python-telegram-bot client.

Every test talks to the stand-in over real HTTP with an unmodified ``telegram.Bot`` or
``telegram.ext.Application``; nothing in PTB is mocked.
"""

import asyncio
import contextlib
import html
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from telegram import (
    Bot,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MessageOriginUser,
    Update,
)
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, NetworkError, RetryAfter
from telegram.ext import (
    Application,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.telegram.botapi import FakeBotAPI, User
from tests.telegram.html_check import EntityParseError, parse_html

pytestmark = pytest.mark.asyncio

ROOT = Path(__file__).resolve().parents[2]
STUDENT_ID = 42


@pytest_asyncio.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI() as stand_in:
        yield stand_in


@pytest_asyncio.fixture
async def bot(api: FakeBotAPI) -> AsyncIterator[Bot]:
    async with Bot(api.token, base_url=api.base_url, base_file_url=api.base_file_url) as client:
        yield client


@pytest_asyncio.fixture
async def student(api: FakeBotAPI) -> User:
    """A student whose private chat exists because they already wrote to the bot."""
    user = api.private_user(STUDENT_ID, "Lan", username="lan_student")
    await api.send_text(user, "xin chào")
    return user


def _application(api: FakeBotAPI) -> Application:
    return (
        Application.builder()
        .token(api.token)
        .base_url(api.base_url)
        .base_file_url(api.base_file_url)
        .build()
    )


@contextlib.asynccontextmanager
async def polling_app(api: FakeBotAPI, *handlers: BaseHandler) -> AsyncIterator[Application]:
    app = _application(api)
    app.add_handlers(list(handlers))
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=1)
    try:
        yield app
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None and update.message.text is not None
    await update.message.reply_text(f"echo: {update.message.text}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _keyboard(*data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(d[:20] or "x", callback_data=d)] for d in data]
    )


# --------------------------------------------------------------------------- basics


async def test_get_me_returns_the_configured_bot(bot: Bot, api: FakeBotAPI) -> None:
    me = await bot.get_me()
    assert (me.id, me.username, me.is_bot) == (123456, "careerbot_test_bot", True)
    assert api.calls[-1].method == "getMe" and api.calls[-1].ok


async def test_a_wrong_token_is_rejected_like_telegram_does(api: FakeBotAPI) -> None:
    wrong = Bot("123456:WRONG-TOKEN", base_url=api.base_url, base_file_url=api.base_file_url)
    with pytest.raises(InvalidToken):
        async with wrong:  # initialize() fails on getMe; the context manager cleans up
            pass
    async with httpx.AsyncClient() as client:
        response = await client.get(f"{api.base_url}123456:WRONG-TOKEN/getMe")
    assert response.status_code == 401
    assert response.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}


async def test_method_names_are_case_insensitive_and_unknown_ones_are_not_found(
    api: FakeBotAPI,
) -> None:
    async with httpx.AsyncClient(base_url=f"{api.base_url}{api.token}/") as client:
        lower = await client.post("getme")
        unknown = await client.post("sendTelepathy", json={"chat_id": 1})
    assert lower.json()["result"]["username"] == "careerbot_test_bot"
    assert unknown.status_code == 404
    assert unknown.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
    assert [c.method for c in api.calls] == ["getMe", "sendTelepathy"]


async def test_json_bodies_and_query_strings_are_accepted(api: FakeBotAPI, student: User) -> None:
    async with httpx.AsyncClient(base_url=f"{api.base_url}{api.token}/") as client:
        by_json = await client.post("sendMessage", json={"chat_id": student.id, "text": "json"})
        by_query = await client.get("sendMessage", params={"chat_id": student.id, "text": "query"})
    assert by_json.json()["result"]["text"] == "json"
    assert by_query.json()["result"]["text"] == "query"
    assert api.calls[-1].params == {"chat_id": student.id, "text": "query"}


# --------------------------------------------------------------------------- text limits


async def test_a_message_over_4096_characters_is_rejected_as_too_long(
    bot: Bot, student: User
) -> None:
    with pytest.raises(BadRequest) as error:
        await bot.send_message(student.id, "a" * 4097)
    assert error.value.message == "Message is too long"  # PTB rewrites "Bad Request: message..."


async def test_exactly_4096_utf16_units_pass_with_emoji_counting_as_two(
    bot: Bot, api: FakeBotAPI, student: User
) -> None:
    await bot.send_message(student.id, "a" * 4096)
    await bot.send_message(student.id, "😀" * 2048)  # 2048 characters, 4096 UTF-16 units
    await bot.send_message(student.id, "<b>" + "a" * 4096 + "</b>", parse_mode="HTML")
    await bot.send_message(student.id, "a" * 4096 + "\n\n ")  # trailing whitespace is trimmed
    with pytest.raises(BadRequest, match=r"^Message is too long$"):
        await bot.send_message(student.id, "😀" * 2048 + "a")
    assert [len(m["text"]) for m in api.sent(student.id)] == [4096, 2048, 4096, 4096]


async def test_empty_and_blank_texts_are_rejected_with_telegrams_descriptions(
    bot: Bot, api: FakeBotAPI, student: User
) -> None:
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(student.id, "")
    with pytest.raises(BadRequest, match="Text must be non-empty"):
        await bot.send_message(student.id, " \n ")
    with pytest.raises(BadRequest, match="Text must be non-empty"):
        await bot.send_message(student.id, "<b> </b>", parse_mode="HTML")
    assert api.calls[-1].description == "Bad Request: text must be non-empty"


async def test_a_caption_over_1024_characters_is_rejected(bot: Bot, student: User) -> None:
    with pytest.raises(BadRequest, match="Message caption is too long"):
        await bot.send_document(student.id, b"data", filename="a.txt", caption="c" * 1025)


# --------------------------------------------------------------------------- HTML


async def test_unbalanced_html_is_rejected_and_escaped_html_is_accepted(
    bot: Bot, api: FakeBotAPI, student: User
) -> None:
    with pytest.raises(BadRequest, match=r"^Can't parse entities"):
        await bot.send_message(student.id, "<b>Điểm chuẩn", parse_mode="HTML")
    assert api.calls[-1].description == (
        "Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"b\""
    )
    with pytest.raises(BadRequest, match="Can't parse entities"):
        await bot.send_message(student.id, "<div>Ngành</div>", parse_mode="HTML")
    assert api.calls[-1].description.endswith('Unsupported start tag "div" at byte offset 0')
    with pytest.raises(BadRequest, match="Can't parse entities"):
        await bot.send_message(student.id, "Điểm < 20", parse_mode="HTML")
    assert api.calls[-1].description.endswith('Unsupported start tag "" at byte offset 8')

    raw = f"<b>{html.escape('Điểm < 20 & <Toán>')}</b> AT&T"  # a bare & is fine, as on Telegram
    sent = await bot.send_message(student.id, raw, parse_mode="HTML")
    assert sent.text == "Điểm < 20 & <Toán> AT&T"
    stored = api.last(student.id)
    assert stored["entities"] == [{"offset": 0, "length": 18, "type": "bold"}]
    assert (stored.raw_text, stored.parse_mode) == (raw, "HTML")


@pytest.mark.parametrize(
    ("text", "error"),
    [  # byte offsets count UTF-8 bytes: "Đ" and "ă" take 2, "ể" and "ố" take 3
        (
            "<b>Toán <i>12</b></i>",
            'Unmatched end tag at byte offset 14, expected "</i>", found "</b>"',
        ),
        ("Khối <font>A00</font>", 'Unsupported start tag "font" at byte offset 7'),
        ("Điểm <= 24", 'Unsupported start tag "" at byte offset 8'),
        ("Điểm <", 'Unsupported start tag "" at byte offset 8'),
        ("12</b>", "Unexpected end tag at byte offset 2"),
        ("<i>Văn</i", "Unclosed end tag at byte offset 7"),
        ('Xem <a href="https://example.com"', 'Unclosed start tag "a" at byte offset 4'),
        (
            '<span class="spoiler">x</span>',
            'Tag "span" must have class "tg-spoiler" at byte offset 0',
        ),
        ("<b><i>Toán</i>", 'Can\'t find end tag corresponding to start tag "b"'),
    ],
)
async def test_malformed_html_is_rejected_with_the_byte_offset_of_the_offending_tag(
    text: str, error: str
) -> None:
    with pytest.raises(EntityParseError) as raised:
        parse_html(text)
    assert str(raised.value) == error


async def test_numeric_entities_are_decoded_and_unknown_named_ones_stay_literal() -> None:
    parsed = parse_html("&#8805; 24 &#x1F393;<b>&lt;A00&gt;</b> &nbsp; &#0;")
    assert parsed.text == "≥ 24 🎓<A00> &nbsp; &#0;"
    # 🎓 lies outside the BMP, so it takes two UTF-16 units and bold starts at 7, not 6.
    assert parsed.entities == [{"offset": 7, "length": 5, "type": "bold"}]


async def test_a_link_keeps_its_decoded_url_and_a_bad_href_leaves_plain_text() -> None:
    parsed = parse_html(
        '<a href="https://tuyensinh.example.edu.vn/diem?nam=2024&amp;khoi=A00">Điểm chuẩn</a>, '
        '<a href="example.edu.vn">trang chủ</a>, <a href="javascript:void(0)">lỗi</a>'
    )
    assert parsed.text == "Điểm chuẩn, trang chủ, lỗi"
    assert parsed.entities == [
        {
            "offset": 0,
            "length": 10,
            "type": "text_link",
            "url": "https://tuyensinh.example.edu.vn/diem?nam=2024&khoi=A00",
        },
        {"offset": 12, "length": 9, "type": "text_link", "url": "http://example.edu.vn/"},
    ]


async def test_nested_tags_give_entities_outer_first_in_utf16_offsets() -> None:
    parsed = parse_html("🎓 <b>Ngành <i>CNTT</i></b> <u><s>cũ</s></u>")
    assert parsed.text == "🎓 Ngành CNTT cũ"
    assert parsed.entities == [
        {"offset": 3, "length": 10, "type": "bold"},
        {"offset": 9, "length": 4, "type": "italic"},
        {"offset": 14, "length": 2, "type": "underline"},  # same range: the outer tag first
        {"offset": 14, "length": 2, "type": "strikethrough"},
    ]


async def test_code_blocks_take_their_language_and_show_inner_tags_as_plain_code() -> None:
    parsed = parse_html(
        '<pre><code class="language-python">print("chào")</code></pre>'
        "<code><b>x</b></code><blockquote expandable>Ghi chú</blockquote>"
    )
    assert parsed.text == 'print("chào")xGhi chú'
    assert parsed.entities == [
        {"offset": 0, "length": 13, "type": "pre", "language": "python"},
        {"offset": 13, "length": 1, "type": "code"},
        {"offset": 14, "length": 7, "type": "expandable_blockquote"},
    ]


async def test_the_4096_limit_counts_visible_utf16_units_after_html_parsing(
    bot: Bot, api: FakeBotAPI, student: User
) -> None:
    escaped = await bot.send_message(student.id, "&lt;" * 4096, parse_mode="HTML")  # raw: 16384
    assert escaped.text == "<" * 4096
    styled = "<b>a</b>" * 2048 + "&quot;" * 2048  # 28672 characters of markup, 4096 visible
    await bot.send_message(student.id, styled, parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"^Message is too long$"):
        await bot.send_message(student.id, "<b>" + "a" * 4097 + "</b>", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"^Message is too long$"):  # 2048 × 2 units + 1
        await bot.send_message(student.id, "&#x1F600;" * 2048 + "a", parse_mode="HTML")
    assert len(api.sent(student.id)) == 2


async def test_html_entities_reach_the_client_as_message_entities(bot: Bot, student: User) -> None:
    sent = await bot.send_message(
        student.id, '<b>Điểm chuẩn</b> <a href="https://example.edu.vn">xem</a>', parse_mode="HTML"
    )
    assert sent.text == "Điểm chuẩn xem"
    assert [(e.type, e.offset, e.length, e.url) for e in sent.entities] == [
        ("bold", 0, 10, None),
        ("text_link", 11, 3, "https://example.edu.vn/"),
    ]


# --------------------------------------------------------------------------- keyboards and edits


async def test_callback_data_over_64_bytes_is_rejected(
    bot: Bot, api: FakeBotAPI, student: User
) -> None:
    await bot.send_message(student.id, "ok", reply_markup=_keyboard("đ" * 32))  # 64 bytes
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.send_message(student.id, "no", reply_markup=_keyboard("ệ" * 22))  # 66 bytes
    with pytest.raises(BadRequest, match="text buttons are unallowed in the inline keyboard"):
        await bot.send_message(student.id, "no", reply_markup=_keyboard(""))
    assert [m["text"] for m in api.sent(student.id)] == ["ok"]


async def test_an_identical_edit_is_rejected_but_dropping_the_keyboard_is_an_edit(
    bot: Bot, api: FakeBotAPI, student: User
) -> None:
    keyboard = _keyboard("major:it")
    sent = await bot.send_message(student.id, "<b>Hi</b>", parse_mode="HTML", reply_markup=keyboard)
    with pytest.raises(BadRequest, match=r"^Message is not modified"):
        await bot.edit_message_text(
            "<b>Hi</b>", student.id, sent.message_id, parse_mode="HTML", reply_markup=keyboard
        )
    edited = await bot.edit_message_text(
        "<b>Hi</b>", student.id, sent.message_id, parse_mode="HTML"
    )
    assert isinstance(edited, type(sent)) and edited.reply_markup is None
    assert "reply_markup" not in api.last(student.id) and "edit_date" in api.last(student.id)
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", student.id, 999)


async def test_deleted_messages_disappear_from_what_the_user_sees(
    bot: Bot, api: FakeBotAPI, student: User
) -> None:
    first = await bot.send_message(student.id, "one")
    await bot.send_message(student.id, "two")
    assert await bot.delete_message(student.id, first.message_id)
    assert [m["text"] for m in api.sent(student.id)] == ["two"]
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(student.id, first.message_id)


# --------------------------------------------------------------------------- chats and errors


async def test_a_chat_the_user_never_started_is_not_found(bot: Bot, api: FakeBotAPI) -> None:
    api.private_user(7, "Minh")  # known user, but they never wrote to the bot
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(7, "hello")


async def test_a_blocked_user_makes_sends_fail_with_forbidden(
    bot: Bot, api: FakeBotAPI, student: User
) -> None:
    await api.user_blocks_bot(student)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(student.id, "Bạn còn đó không?")
    updates = await bot.get_updates()
    member_update = updates[-1].my_chat_member
    assert member_update is not None and member_update.new_chat_member.status == "kicked"
    api.unblock(student.id)
    await bot.send_message(student.id, "welcome back")


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # RetryAfter's own
async def test_injected_errors_surface_as_ptb_exceptions_once(
    bot: Bot, api: FakeBotAPI, student: User
) -> None:
    api.fail_next("sendMessage", 429, retry_after=3)
    with pytest.raises(RetryAfter, match="Retry in 3"):
        await bot.send_message(student.id, "x")
    assert api.calls[-1].response["parameters"] == {"retry_after": 3}
    api.fail_next("SENDMESSAGE", 500)
    with pytest.raises(NetworkError, match="Internal Server Error"):
        await bot.send_message(student.id, "x")
    await bot.send_message(student.id, "x")  # each injection fails one call only


# --------------------------------------------------------------------------- updates


async def test_long_polling_delivers_a_pushed_update_to_a_real_application(
    api: FakeBotAPI,
) -> None:
    user = api.private_user(STUDENT_ID)
    async with polling_app(api, MessageHandler(filters.TEXT, echo)):
        await api.send_text(user, "Em muốn học CNTT")
        reply = await api.next_message(user.id)
        await api.send_text(user, "Còn ngành y?")
        second = await api.next_message(user.id)
        await api.wait_idle()
    assert reply["text"] == "echo: Em muốn học CNTT"
    assert second["text"] == "echo: Còn ngành y?"
    assert api.calls[0].method == "getMe" and any(c.method == "deleteWebhook" for c in api.calls)


async def test_get_updates_waits_for_an_update_and_confirms_by_offset(
    bot: Bot, api: FakeBotAPI
) -> None:
    user = api.private_user(STUDENT_ID)
    started = time.monotonic()
    waiting = asyncio.create_task(bot.get_updates(timeout=5))
    await api.wait_for(lambda c: c.method == "getMe")  # the Bot has connected
    await asyncio.sleep(0.1)
    await api.send_text(user, "/start ref_school42")
    (update,) = await waiting
    assert time.monotonic() - started < 3  # returned on arrival, not at the timeout
    assert update.message is not None and update.message.text == "/start ref_school42"
    assert update.message.entities[0].type == "bot_command"
    assert update.message.entities[0].length == len("/start")
    assert await bot.get_updates(offset=update.update_id + 1, timeout=0) == ()
    assert await bot.get_updates(timeout=0) == ()  # the confirmed update is gone


async def test_a_callback_press_reaches_the_bot_and_can_be_answered_once(
    api: FakeBotAPI,
) -> None:
    async def menu(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        await update.message.reply_text("Chọn khối", reply_markup=_keyboard("block:A00"))

    async def picked(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer("Đã lưu")
        await query.edit_message_text(f"Bạn chọn {query.data}")

    user = api.private_user(STUDENT_ID)
    async with polling_app(api, CommandHandler("start", menu), CallbackQueryHandler(picked)) as app:
        await api.send_text(user, "/start")
        shown = await api.next_message(user.id)
        query_id = await api.press_button(user, shown, "block:A00")
        edited = await api.next_message(user.id)
        with pytest.raises(BadRequest, match="Query is too old"):
            await app.bot.answer_callback_query(query_id)
    assert edited["text"] == "Bạn chọn block:A00" and "reply_markup" not in edited
    assert api.answered_callbacks[0]["text"] == "Đã lưu"
    assert api.answered_callbacks[0]["callback_query_id"] == query_id


async def test_a_callback_answer_over_200_characters_is_rejected(
    bot: Bot, api: FakeBotAPI, student: User
) -> None:
    shown = await bot.send_message(student.id, "Chọn", reply_markup=_keyboard("ok"))
    query_id = await api.press(student, shown.to_dict(), "ok")
    with pytest.raises(BadRequest, match="Message_too_long"):
        await bot.answer_callback_query(query_id, text="x" * 201)
    assert await bot.answer_callback_query(query_id, text="x" * 200)
    with pytest.raises(LookupError):  # a real client cannot press a button it does not show
        await api.press(student, shown.to_dict(), "forged")


async def test_a_command_addressed_to_the_bot_in_a_group_reaches_its_handler(
    api: FakeBotAPI,
) -> None:
    group = api.group(-100777, "Lớp 12A1")
    teacher = api.private_user(501, "Cô Mai")
    async with polling_app(api, CommandHandler("help", echo)):
        sent = await api.send_text(teacher, "/help@careerbot_test_bot", chat=group)
        reply = await api.next_message(group.id)
    assert sent["entities"] == [{"offset": 0, "length": 24, "type": "bot_command"}]
    assert reply["text"] == "echo: /help@careerbot_test_bot"


async def test_an_edited_user_message_arrives_as_edited_message(
    bot: Bot, api: FakeBotAPI, student: User
) -> None:
    original = await api.send_text(student, "Điểm của em là 24")
    await api.edit_text(student, original, "Điểm của em là 25")
    updates = await bot.get_updates()
    edited = updates[-1].edited_message
    assert edited is not None and edited.text == "Điểm của em là 25"
    assert edited.message_id == original["message_id"] and edited.edit_date is not None


# --------------------------------------------------------------------------- files


async def test_send_document_stores_the_bytes_and_serves_them_back(
    bot: Bot, api: FakeBotAPI, student: User
) -> None:
    data = b"%PDF-1.4\n" + bytes(range(256)) * 8
    sent = await bot.send_document(
        student.id, data, filename="lo-trinh.pdf", caption="<b>Lộ trình</b>", parse_mode="HTML"
    )
    assert api.documents(student.id) == [("lo-trinh.pdf", data, "Lộ trình")]
    assert sent.document is not None and sent.document.mime_type == "application/pdf"
    downloaded = await (await bot.get_file(sent.document.file_id)).download_as_bytearray()
    assert bytes(downloaded) == data
    again = await bot.send_document(student.id, sent.document.file_id)
    assert again.document is not None
    assert again.document.file_unique_id == sent.document.file_unique_id
    with pytest.raises(BadRequest, match="Image_process_failed"):
        await bot.send_photo(student.id, b"not an image")


async def test_a_users_photo_can_be_downloaded_by_the_bot(bot: Bot, api: FakeBotAPI) -> None:
    user = api.private_user(STUDENT_ID)
    await api.send_photo(user, caption="bảng điểm", data=b"\x89PNG\r\n\x1a\n fake")
    (update,) = await bot.get_updates()
    assert update.message is not None and update.message.caption == "bảng điểm"
    photo = await update.message.photo[-1].get_file()
    assert bytes(await photo.download_as_bytearray()) == b"\x89PNG\r\n\x1a\n fake"


# --------------------------------------------------------------------------- groups


async def test_a_reply_to_a_message_copied_into_a_group_carries_reply_to_message(
    bot: Bot, api: FakeBotAPI, student: User
) -> None:
    group = api.group(-1001234567890, "Tư vấn viên")
    counsellor = api.private_user(777, "Hoa")
    question = await api.send_text(student, "Em có nên học CNTT không?")
    copied = await bot.copy_message(group.id, student.id, question["message_id"])
    in_group = api.last(group.id)
    assert in_group["text"] == "Em có nên học CNTT không?" and "forward_origin" not in in_group

    await api.send_text(
        counsellor, "Nên, nếu em thích Toán", chat=group, reply_to=copied.message_id
    )
    updates = await bot.get_updates()
    answer = updates[-1].message
    assert answer is not None and answer.chat.type == "supergroup"
    assert answer.reply_to_message is not None
    assert answer.reply_to_message.message_id == copied.message_id
    assert answer.reply_to_message.from_user is not None
    assert answer.reply_to_message.from_user.id == api.bot.id

    forwarded = await bot.forward_message(group.id, student.id, question["message_id"])
    origin = forwarded.forward_origin
    assert isinstance(origin, MessageOriginUser) and origin.sender_user.id == student.id


async def test_commands_are_validated_and_kept_per_scope_and_language(
    bot: Bot, api: FakeBotAPI
) -> None:
    group = api.group(-100555, "Lớp 12A")
    await bot.set_my_commands([("start", "Bắt đầu"), ("help", "Trợ giúp")], language_code="vi")
    await bot.set_my_commands([("report", "Báo cáo")], scope=BotCommandScopeChat(group.id))
    assert api.commands_for("default", "vi") == [
        {"command": "start", "description": "Bắt đầu"},
        {"command": "help", "description": "Trợ giúp"},
    ]
    assert api.commands_for(f"chat:{group.id}") == [{"command": "report", "description": "Báo cáo"}]
    assert [c.command for c in await bot.get_my_commands(language_code="vi")] == ["start", "help"]
    assert await bot.get_my_commands() == ()
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await bot.set_my_commands([("Start", "Bắt đầu")])
    with pytest.raises(BadRequest, match="Bot_command_description_invalid"):
        await bot.set_my_commands([("start", "")])
    await bot.delete_my_commands(language_code="vi")
    assert api.commands_for("default", "vi") == []


# --------------------------------------------------------------------------- webhook


async def test_webhook_mode_posts_updates_with_the_secret_and_blocks_get_updates(
    api: FakeBotAPI,
) -> None:
    port = _free_port()
    user = api.private_user(STUDENT_ID)
    app = _application(api)
    app.add_handler(MessageHandler(filters.TEXT, echo))
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_webhook(
        listen="127.0.0.1",
        port=port,
        url_path="tg-hook",
        webhook_url=f"http://127.0.0.1:{port}/tg-hook",
        secret_token="s3cret_Token-1",
    )
    try:
        await api.send_text(user, "qua webhook")
        reply = await api.next_message(user.id)
        with pytest.raises(Conflict, match="can't use getUpdates method while webhook is active"):
            await app.bot.get_updates()
        info = await app.bot.get_webhook_info()
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
    assert reply["text"] == "echo: qua webhook"
    # PTB answers 403 to a wrong or missing secret, so a 2xx proves the header was right.
    assert api.webhook_deliveries[-1]["ok"]
    assert info.url == f"http://127.0.0.1:{port}/tg-hook" and info.pending_update_count == 0


# --------------------------------------------------------------------------- out of process


async def test_the_control_api_drives_the_stand_in_over_http(bot: Bot, api: FakeBotAPI) -> None:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{api.port}/_control/") as control:
        sent = await control.post("send_text", json={"user_id": 99, "text": "/start"})
        await bot.send_message(99, "Chọn", reply_markup=_keyboard("go"))
        mark = len(api.calls)
        bot_message_id = api.last(99)["message_id"]
        pressed = await control.post(
            "press", json={"user_id": 99, "message_id": bot_message_id, "data": "go"}
        )
        forged = await control.post(
            "press", json={"user_id": 99, "message_id": bot_message_id, "data": "nope"}
        )
        updates = await bot.get_updates()
        calls = await control.get("calls", params={"since": mark})
        chat = await control.get("sent/99")
    assert sent.json()["result"]["text"] == "/start"
    query_id = pressed.json()["result"]["callback_query_id"]
    assert forged.status_code == 400 and forged.json()["ok"] is False
    query = updates[-1].callback_query
    assert query is not None and (query.id, query.data) == (query_id, "go")
    assert [c["method"] for c in calls.json()["result"]] == ["getUpdates"]
    assert [m["text"] for m in chat.json()["result"]] == ["Chọn"]


async def test_the_cli_prints_its_base_url_and_stops_on_sigterm() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.telegram.botapi", "--port", "0", "--token", "9:CLI",
        cwd=ROOT, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert process.stdout is not None
    try:
        base_url = (await asyncio.wait_for(process.stdout.readline(), 10)).decode().strip()
        async with httpx.AsyncClient() as client:
            me = (await client.get(f"{base_url}9:CLI/getMe")).json()["result"]
    finally:
        process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(process.wait(), 10)
    assert base_url.startswith("http://127.0.0.1:") and base_url.endswith("/bot")
    assert me["id"] == 9 and code == 0


async def test_pinning_in_a_group_needs_an_administrator_and_a_live_message(
    bot: Bot, api: FakeBotAPI
) -> None:
    group = api.group(-100444, "Tổ tư vấn")
    first = await bot.send_message(group.id, "một")
    with pytest.raises(BadRequest, match="Not enough rights to manage pinned messages"):
        await bot.pin_chat_message(group.id, first.message_id)
    assert api.pinned(group.id) == []
    api.group(group.id, "Tổ tư vấn", bot_status="administrator")
    second = await bot.send_message(group.id, "hai")
    assert await bot.pin_chat_message(group.id, second.message_id, disable_notification=False)
    assert await bot.pin_chat_message(group.id, first.message_id)
    assert api.pinned(group.id) == [second.message_id, first.message_id]
    with pytest.raises(BadRequest, match="Message to pin not found"):
        await bot.pin_chat_message(group.id, 999)
