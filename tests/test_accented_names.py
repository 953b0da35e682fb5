"""A word typed with other diacritics than a country's name is another word: "hạn" (a deadline)
folds to "han" but is not Korea, "nhất" (most) is not Japan. A name typed without any diacritics
stays the name ("di han" is Korea). The phrasings are this file's own (none from a set)."""

from __future__ import annotations

import pytest

from bot.answering.retrieval import Engine

DEADLINES = [
    "hạn chót nộp đơn vào trường trung cấp là ngày mấy",
    "khi nào hết hạn đăng ký học nghề",
    "hạn nộp giấy tờ nhập học",
]


@pytest.mark.parametrize("message", DEADLINES)
def test_a_deadline_names_no_country(engine: Engine, message: str) -> None:
    result = engine.ask(message)
    assert result.context.country is None
    assert result.mentioned is None or result.mentioned.country is None


@pytest.mark.parametrize("message", ["hán", "hãn", "trường nghề nào tốt nhất", "đúc"])
def test_other_diacritics_name_no_country(engine: Engine, message: str) -> None:
    assert engine.ask(message).context.country is None


@pytest.mark.parametrize(("message", "country"), [
    ("muốn đi Hàn làm việc", "Hàn Quốc"),
    ("di han lam viec can gi", "Hàn Quốc"),
    ("HÀN QUỐC tuyển lao động không", "Hàn Quốc"),
    ("Hàn Quốc", "Hàn Quốc"),
    ("Hàn?", "Hàn Quốc"),
    ("đi nhựt bổn được không", "Nhật Bản"),
    ("qua Đức học nghề", "Đức"),
    ("còn Úc thì sao", "Úc"),
    ("di uc lam nong trai", "Úc"),
    # the country named beside a deadline is still named
    ("hạn chót nộp hồ sơ đi Hàn", "Hàn Quốc"),
])
def test_the_names_themselves_still_name_the_country(engine: Engine, message: str,
                                                     country: str) -> None:
    assert engine.ask(message).context.country == country


def test_a_bare_deadline_is_not_the_country_alone(engine: Engine) -> None:
    # "Hàn?" alone answers about Korea; "Hạn?" alone is not read as the name Korea
    korea = engine.ask("Hàn?")
    deadline = engine.ask("Hạn?")
    assert korea.entry is not None and korea.entry.id.startswith("overseas.")
    assert deadline.entry is None or not deadline.entry.id.startswith("overseas.")


def test_a_follow_up_after_a_deadline_carries_no_country(engine: Engine) -> None:
    first = engine.ask(DEADLINES[0])
    later = engine.ask("học mấy năm", first.context)
    assert later.context.country is None
    # ... while after a message naming Korea it does (the conversation carries countries)
    korea = engine.ask("muốn đi Hàn làm việc")
    assert engine.ask("học mấy năm", korea.context).context.country == "Hàn Quốc"


@pytest.mark.parametrize("message", [
    "nghe nao o long an dang can nguoi nhieu nhat",
    "truong nghe nao tot nhat tinh minh",
    "hoc nghe gi de kiem tien nhanh nhat",
])
def test_an_unaccented_superlative_names_no_country(engine: Engine, message: str) -> None:
    """"nhiều nhất" typed without accents folds to "nhat" like Japan but is "most"."""
    assert engine.ask(message).context.country is None


@pytest.mark.parametrize(("message", "group"), [
    # a country and a trade, but no word of any topic about going abroad
    ("qua duc hoc nghe dieu duong mat tien ko", "overseas"),
    ("bé nhà tôi muốn đi Đức học nghề điều dưỡng, có mất tiền không ạ", "overseas"),
])
def test_a_country_named_means_abroad(engine: Engine, message: str, group: str) -> None:
    """No topic's phrasing names Germany and nursing: naming the country reads as going
    abroad, not as the VET topics the other words match."""
    result = engine.ask(message)
    assert result.entry is not None and result.entry.id.split(".")[0] == group


def test_without_the_abroad_reading_the_country_is_lost(engine: Engine) -> None:
    """The test above can fail: with the reading off the same message goes elsewhere."""
    import dataclasses

    off = Engine(engine.kb, dataclasses.replace(engine.tuning, country_abroad=0.0),
                 model=engine.model, context_model=engine.context_model)
    result = off.ask("qua duc hoc nghe dieu duong mat tien ko")
    assert result.entry is None or not result.entry.id.startswith("overseas.")
