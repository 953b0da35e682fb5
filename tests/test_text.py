"""The normaliser: one canonical form for all the ways students type the same words."""

import pytest

from bot.answering.text import (
    canonical,
    expand,
    fold,
    is_greeting,
    lexicon,
    normalize,
    place_tone,
)


@pytest.mark.parametrize(("new_style", "old_style"), [
    ("hoà", "hòa"), ("thuỷ", "thủy"), ("khoẻ", "khỏe"), ("Hoà Bình", "hòa bình"),
    ("loà", "lòa"), ("tuỳ", "tùy"),
])
def test_old_and_new_tone_placement_normalise_to_the_same_form(new_style, old_style):
    assert normalize(new_style) == normalize(old_style)


@pytest.mark.parametrize("word", ["quả", "già", "giữa", "người", "khuyến", "toán", "hoàng",
                                  "nghiêng", "yêu", "khuỷu", "ươn"])
def test_tone_stays_where_spelling_rules_put_it(word):
    assert place_tone(word) == word


def test_decomposed_input_is_composed():
    decomposed = "ho\u0300a"  # 'hòa' typed as base letters plus a combining grave
    assert normalize(decomposed) == "hòa"


def test_fold_removes_every_diacritic_including_d_stroke():
    assert fold("Đường đi Đức Hòa") == "Duong di Duc Hoa"


def test_punctuation_emoji_and_zero_width_characters_are_removed():
    assert normalize("Học\u200b phí??? 😀😀 bao nhiêu!!!") == "học phí bao nhiêu"


def test_repeated_letters_are_collapsed():
    assert canonical("dcccc khongggg") == canonical("được không")


@pytest.mark.parametrize(("teen", "plain"), [
    ("hs lop 9 hok dc vo tc ha", "học sinh lớp 9 không được vào trung cấp hả"),
    ("ph hỏi hp cđ nhiêu", "phụ huynh hỏi học phí cao đẳng bao nhiêu"),
    ("xkld nhật mất j", "xuất khẩu lao động nhật mất gì"),
    ("tts đi đh đc ko", "thực tập sinh đi đại học được không"),
    ("hổng bít mần sao dị", "không biết làm sao vậy"),
    ("mk cx mún hc thcs", "mình cũng muốn học trung học cơ sở"),
    ("thi rớt lớp 10 rầu ntn", "thi trượt lớp 10 rồi như thế nào"),
    ("co fai dong hoc phi ko", "có phải đóng học phí không"),
    ("qua bển bị chủ ăn hiếp", "qua bển bị chủ ngược đãi"),
    ("cty xkld", "công ty xuất khẩu lao động"),
    ("lấy bằng c3 ở ktx", "lấy bằng cấp 3 ở ký túc xá"),
    ("đi nc ngoài", "đi nước ngoài"),
    ("mấy tủi đi lun", "mấy tuổi đi luôn"),
])
def test_teencode_and_southern_speech_expand_to_plain_vietnamese(teen, plain):
    assert canonical(teen) == canonical(plain)


def test_v_is_vay_only_where_unambiguous():
    assert canonical("sao v").endswith("vay")
    assert "vay" not in canonical("tc v cđ cái nào hơn").split()[:3]


def test_k_after_a_number_is_thousand_not_no():
    assert canonical("500k") == "500 nghin"
    assert canonical("học k") .endswith("khong")


def test_y_and_i_spellings_match():
    assert canonical("tỷ lệ kỹ thuật") == canonical("tỉ lệ kĩ thuật")


def test_nine_plus_route_keeps_its_plus():
    assert canonical("hệ 9+") == canonical("he 9 cong")


def test_abbreviations_do_not_break_unambiguous_words():
    # "di" without accents is "đi"; "dị" (Southern "vậy") must not turn every "đi" into "vậy".
    assert canonical("đi làm") == canonical("di lam")
    assert canonical("đi học").split()[0] == "di"


@pytest.mark.parametrize("text", ["chào ad", "hello bot ơi", "cảm ơn nhiều nha", "thanks",
                                  "bye bye", "xin chào"])
def test_greetings_and_thanks_are_recognised(text):
    assert is_greeting(text)


@pytest.mark.parametrize("text", ["chào, học phí trung cấp bao nhiêu", "học nghề", "", "???"])
def test_questions_are_not_greetings(text):
    assert not is_greeting(text)


def test_luong_without_accents_is_salary_unless_its_neighbour_makes_it_stream_or_quality():
    lex = lexicon()
    assert expand(["di", "han", "luong", "bao", "nhieu"], lex)[2] == "lương"
    assert expand(["phan", "luong", "hoc", "sinh"], lex)[1] == "luồng"
    assert expand(["chat", "luong", "dao", "tao"], lex)[1] == "lượng"
    assert expand(["phân", "luồng"], lex) == ["phân", "luồng"]  # typed accents stay
