"""What the user did, with no channel in it.

Each Intent is a small frozen dataclass. Channels encode them their own way: Telegram as
callback_data within 64 bytes (handlers/telegram/callbacks.py, the letters older buttons
carry), the web page as JSON objects (`intent_to_json` / `intent_from_json`). Decoding is
defensive (`build` checks every argument): anything malformed, stale or foreign is None.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

_ARG = re.compile(r"^[A-Za-z0-9._+\-]{0,40}$")  # what a button argument may hold
MAX_ASK_ID = 2**62  # SQLite's integer range, with room


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _names(cls: type) -> tuple[str, ...]:
    """An intent's field names (dataclasses.fields is slow, and every button asks)."""
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return names


@dataclass(frozen=True)
class Intent:
    """Base: `kind` names the intent (in JSON too)."""

    kind: ClassVar[str] = ""
    free: ClassVar[tuple[str, ...]] = ()  # fields that carry typed text, not a button argument


# --- questions and topics ----------------------------------------------------------------------
@dataclass(frozen=True)
class Ask(Intent):
    kind, free = "ask", ("text",)
    text: str = ""


@dataclass(frozen=True)
class Start(Intent):
    kind = "start"
    payload: str = ""  # a deep link: a topic or a school code


@dataclass(frozen=True)
class Help(Intent):
    kind = "help"


@dataclass(frozen=True)
class Cancel(Intent):
    kind = "cancel"


@dataclass(frozen=True)
class ChooseAudience(Intent):
    kind = "audience"
    code: str = ""


@dataclass(frozen=True)
class Menu(Intent):
    kind = "menu"


@dataclass(frozen=True)
class Group(Intent):
    kind = "group"
    id: str = ""


@dataclass(frozen=True)
class Topic(Intent):
    kind = "topic"
    id: str = ""
    back: str = ""  # the menu group "Quay lại" leads to, "" for none


@dataclass(frozen=True)
class Details(Intent):
    kind = "details"
    id: str = ""


@dataclass(frozen=True)
class Vote(Intent):
    kind = "vote"
    ask_id: int = 0
    up: bool = True


@dataclass(frozen=True)
class Noop(Intent):
    kind = "noop"


# --- counsellor --------------------------------------------------------------------------------
@dataclass(frozen=True)
class CounselOpen(Intent):
    kind = "counsel"
    concern: str = ""  # from a safety reply: the ticket is urgent ("" for an ordinary one)


@dataclass(frozen=True)
class CounselClose(Intent):
    kind = "counsel_close"


# --- surveys -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class SurveyList(Intent):
    kind = "survey_list"


@dataclass(frozen=True)
class SurveyOpen(Intent):
    kind = "survey_open"
    survey: str = ""


@dataclass(frozen=True)
class SurveyConsent(Intent):
    kind = "survey_consent"
    survey: str = ""


@dataclass(frozen=True)
class SurveyRetake(Intent):
    kind = "survey_retake"
    survey: str = ""


@dataclass(frozen=True)
class SurveyResume(Intent):
    kind = "survey_resume"
    survey: str = ""


@dataclass(frozen=True)
class SurveyAnswer(Intent):
    kind = "survey_answer"
    survey: str = ""
    question: str = ""
    code: str = ""


@dataclass(frozen=True)
class SurveyToggle(Intent):
    kind = "survey_toggle"
    survey: str = ""
    question: str = ""
    code: str = ""
    on: bool = True  # the state the tap sets, so a tap delivered twice changes nothing more


@dataclass(frozen=True)
class SurveyDone(Intent):
    kind = "survey_done"
    survey: str = ""
    question: str = ""


@dataclass(frozen=True)
class SurveyBack(Intent):
    kind = "survey_back"
    survey: str = ""
    question: str = ""


@dataclass(frozen=True)
class SurveySkip(Intent):
    kind = "survey_skip"
    survey: str = ""
    question: str = ""


@dataclass(frozen=True)
class SurveyPause(Intent):
    kind = "survey_pause"


@dataclass(frozen=True)
class SurveyLater(Intent):
    kind = "survey_later"


@dataclass(frozen=True)
class SurveyEditMenu(Intent):
    kind = "survey_edit_menu"
    survey: str = ""


@dataclass(frozen=True)
class SurveyEdit(Intent):
    kind = "survey_edit"
    survey: str = ""
    question: str = ""


@dataclass(frozen=True)
class SurveySummary(Intent):
    kind = "survey_summary"
    survey: str = ""


@dataclass(frozen=True)
class SurveySubmit(Intent):
    kind = "survey_submit"
    survey: str = ""


# --- privacy -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class PrivacyView(Intent):
    kind = "privacy_view"


@dataclass(frozen=True)
class PrivacyErase(Intent):
    kind = "privacy_erase"  # asks for confirmation


@dataclass(frozen=True)
class PrivacyConfirm(Intent):
    kind = "privacy_confirm"
    erase: bool = False


# --- staff -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Redeem(Intent):
    kind, free = "redeem", ("code",)  # /dangky MÃ: typed, so anything may come
    code: str = ""


@dataclass(frozen=True)
class SignIn(Intent):
    kind = "sign_in"  # /dangnhap: a link to the staff dashboard


@dataclass(frozen=True)
class Invite(Intent):
    kind, free = "invite", ("target",)  # /moi truong MÃ | khuvuc Tên | admin
    role: str = ""  # the word typed: truong, khuvuc, admin
    target: str = ""  # a school code or an area's name (with spaces and accents)


@dataclass(frozen=True)
class ExportMenu(Intent):
    kind = "export_menu"
    school: str = ""  # admins (and area staff) may name a school of their scope


@dataclass(frozen=True)
class Export(Intent):
    kind = "export"
    format: str = "csv"
    survey: str = "all"
    school: str = ""


@dataclass(frozen=True)
class Report(Intent):
    kind = "report"
    school: str = ""


@dataclass(frozen=True)
class AnnounceDraft(Intent):
    kind, free = "announce_draft", ("text",)
    text: str = ""  # what follows /thongbao: [truong:MÃ] [audience] the announcement


@dataclass(frozen=True)
class AnnounceDecision(Intent):
    kind = "announce"
    send: bool = False
    id: int = 0


@dataclass(frozen=True)
class Stats(Intent):
    kind = "stats"


@dataclass(frozen=True)
class Unanswered(Intent):
    kind = "unanswered"


INTENTS: tuple[type[Intent], ...] = (
    Ask, Start, Help, Cancel, ChooseAudience, Menu, Group, Topic, Details, Vote, Noop,
    CounselOpen, CounselClose, SurveyList, SurveyOpen, SurveyConsent, SurveyRetake, SurveyResume,
    SurveyAnswer, SurveyToggle, SurveyDone, SurveyBack, SurveySkip, SurveyPause, SurveyLater,
    SurveyEditMenu, SurveyEdit, SurveySummary, SurveySubmit, PrivacyView, PrivacyErase,
    PrivacyConfirm, Redeem, Invite, ExportMenu, Export, Report, AnnounceDraft, AnnounceDecision,
    Stats, Unanswered, SignIn,
)
_BY_KIND = {cls.kind: cls for cls in INTENTS}


def names(cls: type[Intent]) -> tuple[str, ...]:
    """An intent's argument names, in order."""
    return _names(cls)


def _field_value(cls: type[Intent], name: str, kind: type | str, raw: Any) -> Any:
    """One argument, validated; raises ValueError for anything a button could not carry."""
    annotation = kind if isinstance(kind, str) else kind.__name__
    if annotation == "bool":
        if isinstance(raw, bool):
            return raw
        raise ValueError(name)
    if annotation == "int":
        value = int(raw) if isinstance(raw, int | str) and not isinstance(raw, bool) else None
        if value is None or not 0 <= value <= MAX_ASK_ID or (
                isinstance(raw, str) and not raw.isdigit()):
            raise ValueError(name)
        return value
    if not isinstance(raw, str):
        raise ValueError(name)
    if name not in cls.free and not _ARG.fullmatch(raw):
        raise ValueError(name)
    return raw


def build(cls: type[Intent], values: dict[str, Any]) -> Intent | None:
    """The intent of these argument values, each checked as a button could carry it; None
    for anything malformed."""
    kwargs: dict[str, Any] = {}
    try:
        for f in dataclasses.fields(cls):
            if f.name in values:
                kwargs[f.name] = _field_value(cls, f.name, f.type, values[f.name])
    except (ValueError, TypeError):
        return None
    return cls(**kwargs)


def intent_to_json(intent: Intent) -> dict[str, Any]:
    # Fields are plain str / int / bool: a shallow copy (asdict deep-copies every value).
    return {"type": intent.kind, **{name: getattr(intent, name) for name in _names(type(intent))}}


def intent_from_json(data: Any) -> Intent | None:
    """The Intent of a JSON object from the web page, or None."""
    if not isinstance(data, dict):
        return None
    cls = _BY_KIND.get(data.get("type"))  # type: ignore[arg-type]
    if cls is None:
        return None
    names = set(_names(cls))
    if set(data) - names - {"type"}:
        return None
    return build(cls, {k: v for k, v in data.items() if k != "type"})


# Typed commands, one table for every channel that has them (Telegram's /menu, the terminal's,
# the web's): each reads the words after the command into its Intent.
def _bare(cls: type[Intent]) -> Callable[[str], Intent]:
    return lambda rest: cls()


def _word(cls: type[Intent]) -> Callable[[str], Intent]:
    """The first word after the command (as Telegram's `context.args[0]`), or ""."""
    return lambda rest: cls(*(rest.split()[:1] or [""]))


def _start(rest: str) -> Intent:
    payload = (rest.split() or [""])[0]
    return Start(payload if _ARG.fullmatch(payload) else "")


def _invite(rest: str) -> Intent:
    words = rest.split()
    return Invite(words[0].lower() if words else "", " ".join(words[1:]))


# Staff work: refused in the anonymous channels (web chat, Zalo) and pointed to Telegram or the
# signed-in dashboard; a staff role must not ride on a shared device's chat session.
STAFF_WORK: tuple[type[Intent], ...] = (Redeem, Invite, ExportMenu, Export, Report, AnnounceDraft,
                                        AnnounceDecision, Stats, Unanswered)

COMMANDS: dict[str, Callable[[str], Intent]] = {
    "start": _start, "menu": _bare(Menu), "help": _bare(Help), "trogiup": _bare(Help),
    "huy": _bare(Cancel), "khaosat": _bare(SurveyList), "dulieucuatoi": _bare(PrivacyView),
    "xoadulieu": _bare(PrivacyErase), "tuvan": _bare(CounselOpen),
    "ketthuc": _bare(CounselClose),
    "dangky": _word(Redeem), "dangnhap": _bare(SignIn), "moi": _invite, "export": _word(ExportMenu),
    "baocao": _word(Report), "thongbao": lambda rest: AnnounceDraft(rest.strip()),
    "unanswered": _bare(Unanswered), "stats": _bare(Stats),
}
_COMMAND = re.compile(r"/([^\s@]+)(?:@\S*)?(?:\s+(.*))?", re.S)  # "/name@bot rest, lines and all"


def command_intent(line: str) -> Intent | None:
    """"/menu", "/start vet_levels", "/thongbao lop9 ...": the Intent of a typed command, or
    None."""
    found = _COMMAND.fullmatch(line.strip())
    read = COMMANDS.get(found[1].lower()) if found else None
    if found is None or read is None:
        return None
    return read(found[2] or "")
