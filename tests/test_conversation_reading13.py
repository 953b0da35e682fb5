"""What a follow-up gets (issue 18, round 13). The phrasings are this file's own (none from a
set)."""

from __future__ import annotations

from tests.near_domain_checks import chat


def test_whom_to_call_after_a_workers_rights_answer_stays_on_the_rights(engine):
    # "gọi cho ai", "báo cho ai", "đường dây nóng": whom to contact, like "liên hệ ai"
    opening = ("cháu tui qua Nhật làm, chủ bắt làm thêm giờ mà không trả thêm tiền, "
               "vậy có đúng không")
    for follow in ("giờ nó gọi cho ai", "báo cho ai được", "có đường dây nóng nào không"):
        first, who = chat(engine, opening, follow)
        assert first.entry is not None and first.entry.id == "overseas.rights", follow
        assert who.entry is not None and who.entry.id == "overseas.rights", follow
        assert "contact" in who.asked, follow
