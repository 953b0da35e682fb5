"""A fee counted in months of wage, set against the legal cap for the contract's length.

Parents check a broker's or a company's demand ("đòi phí dịch vụ 3 tháng lương cho hợp đồng 1
năm, có đúng luật không"): the answer must say first whether it is over the cap, not only list
the cap. The cap itself is knowledge (an entry's `fee_cap`); this module reads the two numbers
from the message, as the matcher sees it (accents folded, "hđ" read as "hợp đồng"), clause by
clause as the engine read it (focus.folded)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import focus
from .knowledge import FeeCap

_WORDS = {"mot": 1.0, "hai": 2.0, "ba": 3.0, "bon": 4.0, "tu": 4.0, "sau": 6.0, "bay": 7.0,
          "tam": 8.0, "chin": 9.0, "muoi": 10.0, "muoi hai": 12.0}
# "năm" is both "five" and "year": as a count it is left out ("năm năm" is too rare to guess).
# (a decimal comma is a space to the matcher: "1,5" reads "1 5")
_NUMBER = r"(\d+(?: 5)?|" + "|".join(sorted(_WORDS, key=len, reverse=True)) + r")"
# "3 tháng lương", "ba tháng rưỡi lương", "3 tháng tiền lương"
_FEE = re.compile(rf"(?:^| ){_NUMBER} thang( ruoi)? (?:tien )?luong(?= |$)")
# "hợp đồng (đi làm) 1 năm", "hợp đồng 36 tháng", "đi 3 năm", "1 năm hợp đồng"; a number
# followed by "lương" is the fee, not the contract.
_CONTRACT = re.compile(
    rf"(?:^| )(?:hop dong|di lam|lam viec|di|ki)(?: [a-z]+){{0,3}}? {_NUMBER} (nam|thang)"
    r"(?! (?:ruoi )?(?:tien )?luong)"
    rf"|(?:^| ){_NUMBER} (nam|thang) hop dong")


@dataclass(frozen=True)
class Demand:
    """What the message says was asked: a fee of `fee` months of wage for `months` of contract."""

    fee: float
    months: float

    def line(self, cap: FeeCap) -> str:
        """The comparison, first in the reply, in Vietnamese."""
        most = min(cap.at_most, cap.per_year * self.months / 12)
        head = (f"Hợp đồng {_count(self.months)} tháng: tiền dịch vụ tối đa {_count(most)} "
                f"tháng lương ({cap.law}).")
        if self.fee > most:
            return (f"{head} Đòi {_count(self.fee)} tháng lương là cao hơn mức trần, trái luật: "
                    "đừng đóng, đòi ghi từng khoản bằng văn bản và kiểm tra giấy phép của công ty.")
        return (f"{head} {_count(self.fee)} tháng lương là trong mức trần; vẫn đòi ghi bằng văn "
                "bản và không đóng tiền trước khi ký hợp đồng.")


def demand(question: str) -> Demand | None:
    """The fee and the contract's length the message states, or None unless it states both."""
    canon = focus.folded(question)
    fee = _FEE.search(canon)
    contract = _CONTRACT.search(canon)
    if fee is None or contract is None:
        return None
    amount = _number(fee.group(1)) + (0.5 if fee.group(2) else 0.0)
    count, unit = (contract.group(1), contract.group(2)) if contract.group(1) \
        else (contract.group(3), contract.group(4))
    months = _number(count) * (12 if unit == "nam" else 1)
    if not 0 < amount <= 60 or not 0 < months <= 240:  # not a fee and a contract: a misreading
        return None
    return Demand(amount, months)


def _number(word: str) -> float:
    return _WORDS.get(word) or float(word.replace(" ", "."))


def _count(value: float) -> str:
    """1 -> "1", 1.5 -> "1,5" (Vietnamese decimal comma)."""
    return f"{value:g}".replace(".", ",")
