"""What a follow-up gets (issue 18, round 13). The phrasings are this file's own (none from a
set)."""

from __future__ import annotations

import datetime as dt

from tests.near_domain_checks import chat

TODAY = dt.date(2026, 12, 7)


def test_whom_to_call_after_a_workers_rights_answer_stays_on_the_rights(engine):
    # "gọi cho ai", "báo cho ai", "đường dây nóng": whom to contact, like "liên hệ ai"
    opening = ("cháu tui qua Nhật làm, chủ bắt làm thêm giờ mà không trả thêm tiền, "
               "vậy có đúng không")
    for follow in ("giờ nó gọi cho ai", "báo cho ai được", "có đường dây nóng nào không"):
        first, who = chat(engine, opening, follow)
        assert first.entry is not None and first.entry.id == "overseas.rights", follow
        assert who.entry is not None and who.entry.id == "overseas.rights", follow
        assert "contact" in who.asked, follow


def test_a_first_message_asking_whether_it_still_holds_gets_that_first(engine, kb):
    """The documents predate the 2025 merger: "is the college still there, renamed?" asked
    first is answered with what is known of that (and whom to ask), not the stock text."""
    from bot.answering.answers import compose

    asked = engine.ask("sáp nhập tỉnh rồi, trường cao đẳng Long An còn hoạt động không vậy")
    assert asked.entry is not None and asked.entry.id == "college.long-an"
    assert asked.asked == ("current",) and asked.focused
    text = compose(kb, asked, TODAY).text
    assert text.startswith("Chưa xác nhận") and "Tây Ninh" in text
    # the same topic asked something else is answered whole
    plain = engine.ask("trường cao đẳng Long An đào tạo những ngành nào")
    assert plain.entry is not None and plain.entry.id == "college.long-an" and not plain.focused


def test_a_sum_asked_about_is_set_against_the_caps_first(engine, kb):
    """"đòi 250 triệu có đúng không": the caps and what to do come first, before the country's
    line; the same after the programmes were shown."""
    from bot.answering.answers import compose

    first = engine.ask("con tôi đi Nhật mà công ty đòi đóng 250 triệu, vậy có đúng luật không")
    assert first.entry is not None and first.entry.id == "overseas.costs"
    assert first.asked == ("amount",) and first.focused
    text = compose(kb, first, TODAY).text
    assert text.startswith("Đối chiếu với luật") and "Nhật Bản" in text
    _, sum_after = chat(engine, "đi Đài Loan làm việc có những diện nào",
                        "bên công ty đòi 180 triệu vậy có hợp lý ko")
    assert sum_after.entry is not None and sum_after.entry.id == "overseas.costs"
    after_text = compose(kb, sum_after, TODAY).text
    assert after_text.startswith("Đối chiếu với luật")
    assert "tài khoản phong tỏa" in after_text  # a deposit asked for ("đòi cọc") is in it too
    # a sum elsewhere (the student loan) is that topic's own answer
    loan = engine.ask("vay vốn sinh viên được mấy triệu một tháng")
    assert loan.entry is not None and loan.entry.id == "support.student-loan"
    assert "amount" not in loan.asked


def test_a_district_asked_after_the_province_in_one_message_gets_its_figures(engine, kb):
    """"chỉ tiêu của tỉnh bao nhiêu, còn huyện Đức Huệ thì nhiêu": the second part names a
    district of the same topic; its figures lead the answer (free typing 11 got the province's
    and "type a district's name")."""
    from bot.answering.answers import compose

    both = engine.ask("chỉ tiêu phân luồng toàn tỉnh bao nhiêu vậy, còn huyện Thủ Thừa thì sao")
    assert both.entry is not None and both.entry.id == "streaming.targets"
    assert [d.name for d in both.districts] == ["Thủ Thừa"]
    assert compose(kb, both, TODAY).text.startswith("📍 Huyện Thủ Thừa")
