"""Load and validate the knowledge base (knowledge/*.yaml) into immutable entries."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
)

from bot import messages
from bot.answering import corpus as training
from bot.answering import kb_cache, yamlfile
from bot.answering import safety as safety_rules
from bot.answering.safety_model import ALIKE
from bot.answering.text import analyses_of, canonical, fold, normalize, take_analyses
from bot.answering.yamlfile import LineList, Problem

MAX_ANSWER = 600
MAX_DETAILS = 3000
MAX_GIST = 240  # the answer to a second question in the same message, under the first's
MAX_FACET_ANSWER = 360  # the answer to one facet ("ở đâu", "bao nhiêu") of a topic
MIN_QUESTIONS = 6
MAX_SOURCES = 3  # an answer cites what it rests on, not everything nearby
MAX_SOURCES_LINE = 300  # the sources line as the user sees it, on a phone
STALE_AFTER = dt.timedelta(days=365)

# The topics that evaluation sets refer to by id (shared/knowledge-topics.md): never drop one.
REQUIRED_IDS: tuple[str, ...] = (
    "streaming.what-is", "streaming.after-grade9", "streaming.after-grade12", "streaming.targets",
    "streaming.grade10-failed", "streaming.nine-plus", "vet.levels", "vet.transfer",
    "vet.degree-value", "tuition.trung-cap-free", "tuition.other-exemptions",
    "tuition.general-school", "support.student-loan", "support.scholarship-boarding",
    "college.long-an", "college.nq31-support", "college.admission", "college.admission-fair",
    "overseas.overview", "overseas.requirements", "overseas.markets", "overseas.costs",
    "overseas.loan", "overseas.scams", "overseas.rights", "overseas.study-abroad",
    "guidance.choose-career", "guidance.counselor", "guidance.subject-choice",
    "guidance.labor-market", "guidance.startup", "bot.survey", "bot.privacy",
)

Audience = Literal["student9", "student12", "parent", "staff"]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
VnDate = Annotated[str, StringConstraints(pattern=r"^\d{1,2}/\d{1,2}/\d{4}$")]
EntryId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(\.[a-z0-9-]+)+$")]


class _Model(BaseModel):
    # Validators are built on first use: a start from the knowledge cache (kb_cache) never
    # validates, and building them for every model class took ~20 ms of its imports.
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


M = TypeVar("M", bound=_Model)


class Source(_Model):
    """A document an answer relies on."""

    type: Text
    issuer: Text
    number: Text | None = None
    date: VnDate | None = None
    title: Text | None = None
    seed: Text | None = None
    in_force: VnDate | None = None
    note: Text | None = None

    def cite(self) -> str:
        """One short line for users: 'Luật số 74/2014/QH13 – Quốc hội (27/11/2014)'."""
        head = self.type
        if self.number:
            head += f" số {self.number}"
        elif self.title:
            head += f" “{self.title}”"
        parts = [head, self.issuer]
        if self.date:
            parts.append(f"ngày {self.date}")
        if self.in_force:
            parts.append(f"hiệu lực từ {self.in_force}")
        return ", ".join(parts)


class FeeCap(_Model):
    """A legal cap on a fee counted in months of wage: `per_year` months for each 12 months of
    contract, never more than `at_most`; `law` names the article, as users read it."""

    per_year: float = Field(gt=0)
    at_most: float = Field(gt=0)
    law: Text


class Entry(_Model):
    """One knowledge topic."""

    id: EntryId
    title: Text
    audience: tuple[Audience, ...] = Field(min_length=1)
    questions: tuple[Text, ...] = Field(min_length=MIN_QUESTIONS)
    tags: tuple[Text, ...] = ()
    answer: Text
    caveat: Text | None = None
    details: Text
    sources: tuple[Source, ...] = Field(min_length=1)
    confidence: Literal["confirmed", "check"]
    valid_from: dt.date
    reviewed: dt.date
    related: tuple[EntryId, ...] = ()
    # Follow-ups: which topic answers a facet ("where", "how-much", "country"...) asked right
    # after this one; facet names and their cue words are in data/facets.yaml.
    facets: tuple[tuple[str, EntryId], ...] = ()
    # One or two sentences that answer the topic when it is the second question of a message.
    gist: Text | None = None
    # The short answer to one facet of this topic ("how-much": the amount, or who knows it):
    # shown instead of the whole entry when a message asks only that.
    facet_answers: tuple[tuple[str, Text], ...] = ()
    # A fee cap the topic sets out: a message stating a fee in months of wage and a contract's
    # length gets the comparison first ("3 tháng lương cho hợp đồng 1 năm" is over the cap).
    fee_cap: FeeCap | None = None

    @field_validator("facets", mode="before")
    @classmethod
    def _facet_table(cls, raw: Any) -> Any:
        return tuple(raw.items()) if isinstance(raw, dict) else raw

    @field_validator("facet_answers", mode="before")
    @classmethod
    def _facet_answer_table(cls, raw: Any) -> Any:
        return tuple(raw.items()) if isinstance(raw, dict) else raw

    def facet(self, name: str) -> str | None:
        return next((topic for facet, topic in self.facets if facet == name), None)

    def facet_answer(self, name: str) -> str | None:
        return next((text for facet, text in self.facet_answers if facet == name), None)

    @property
    def short(self) -> str:
        """The answer as shown first: the text and, when facts may have changed, the caveat."""
        return f"{self.answer}\n⚠️ {self.caveat}" if self.caveat else self.answer

    def is_stale(self, today: dt.date) -> bool:
        return today - self.reviewed > STALE_AFTER


class MenuGroup(_Model):
    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9]{1,12}$")]
    title: Text
    topics: tuple[EntryId, ...] = Field(min_length=1)


class District(_Model):
    name: Text
    kind: Text
    aliases: tuple[Text, ...] = ()
    thcs: float = Field(ge=0, le=100)
    thpt: float = Field(ge=0, le=100)
    note: Text | None = None  # shown with the figures when the bare name is ambiguous
    warning: Text | None = None  # shown with the figures always: a doubtful figure


class DistrictTargets(_Model):
    """Seed 001's appendix: 2025 streaming targets per former district of Long An."""

    year: int
    province: Text
    topic: EntryId
    thcs_total: float = Field(ge=0, le=100)
    thpt_total: float = Field(ge=0, le=100)
    thcs_label: Text
    thpt_label: Text
    district_line: Text
    source: Source
    districts: tuple[District, ...] = Field(min_length=1)

    def by_name(self, name: str) -> District | None:
        key = canonical(name)
        return next((d for d in self.districts if canonical(d.name) == key), None)


class Named(_Model):
    """A name a message may consist of alone: a country, a VET level, a school type."""

    name: Text
    aliases: tuple[Text, ...] = ()
    line: Text | None = None  # what the bot says about it (countries)
    # A topic's own line about it (a country's requirements): the general line says nothing
    # about what that topic asks.
    lines: dict[EntryId, Text] = Field(default_factory=dict)
    topics: tuple[EntryId, ...] = Field(min_length=1)  # best first

    def line_on(self, topic: str) -> str | None:
        """What the bot says about it under `topic`, if anything: that topic's own line, else
        the general line under its own topics."""
        if topic in self.lines:
            return self.lines[topic]
        return self.line if topic in self.topics else None


class Trade(_Model):
    """A trade a question may name ("muốn học nghề điện"): its name and the words naming it."""

    name: Text
    words: tuple[Text, ...] = Field(min_length=1)


class Interest(_Model):
    """What a message says its writer likes ("thích vẽ", "mê sửa xe"): the group of the
    interest survey (surveys/riasec.yaml) it leans to, and a few of that group's trades."""

    name: Text  # as the reply says it ("vẽ, thiết kế")
    group: Text  # the survey's group, by the first words of its name ("Nghệ thuật")
    examples: tuple[Text, ...] = Field(min_length=1)  # trades the survey lists for the group
    words: tuple[Text, ...] = Field(min_length=1)
    # words naming the group as a result of the survey ("nhóm kỹ thuật", "nhóm R")
    results: tuple[Text, ...] = ()


def _interest_line(template: str | None, interest: Interest) -> str | None:
    if not template:
        return None
    return (template.replace("{name}", interest.name).replace("{group}", interest.group)
            .replace("{examples}", ", ".join(interest.examples)))


class Redirect(_Model):
    """Words that move an answer to another topic (`topic`) from the topics listed in
    `instead_of`, unless the message also holds one of `unless`; with `when_none`, a message
    no topic answers surely is moved too.

    A stage of schooling ("học lớp 12", "thi đại học rớt"): "rớt" reads like the lớp 10
    entrance exam, and a student in lớp 12 who fails the university exam asks what comes after
    lớp 12. A scam's signs ("bao đậu", "không cần thi", "ôm tiền bỏ trốn"): a promise to check,
    not the costs or the requirements it names."""

    name: Text
    cues: tuple[Text, ...] = Field(min_length=1)
    unless: tuple[Text, ...] = ()
    instead_of: tuple[EntryId, ...] = Field(min_length=1)
    topic: EntryId
    when_none: bool = False


class Entities(_Model):
    """knowledge/data/entities.yaml: countries, VET levels, school types, trades, interests."""

    countries: tuple[Named, ...] = ()
    levels: tuple[Named, ...] = ()
    school_types: tuple[Named, ...] = ()
    trades: tuple[Trade, ...] = ()
    trade_line: Text | None = None  # "{name}": what the bot says about a trade named
    trade_topics: tuple[EntryId, ...] = ()  # the answers it is said under

    interests: tuple[Interest, ...] = ()
    # "{name}", "{group}", "{examples}": what the bot says first of an interest named
    interest_line: Text | None = None
    interest_topics: tuple[EntryId, ...] = ()  # the answers it leads
    interest_cues: tuple[Text, ...] = ()  # words as typed, one of which says it is liked
    # "{name}", "{group}", "{examples}": what the bot says first of a survey result named
    # ("con làm khảo sát ra nhóm kỹ thuật, nghĩa là sao"), under `result_topics`
    result_line: Text | None = None
    result_topics: tuple[EntryId, ...] = ()
    stages: tuple[Redirect, ...] = ()
    signals: tuple[Redirect, ...] = ()
    # a feeling told beside a question: a kind line first (as typed; folded, unaccented)
    feelings: tuple[Text, ...] = ()
    feelings_unaccented: tuple[Text, ...] = ()

    def line_for(self, trade: Trade) -> str | None:
        return self.trade_line.replace("{name}", trade.name) if self.trade_line else None

    def interest_line_for(self, interest: Interest) -> str | None:
        return _interest_line(self.interest_line, interest)

    def result_line_for(self, interest: Interest) -> str | None:
        return _interest_line(self.result_line, interest)

    def groups(self) -> dict[str, tuple[Named, ...]]:
        return {"countries": self.countries, "levels": self.levels,
                "school_types": self.school_types}


class OutOfScope(_Model):
    """A near-domain question the bot must not answer with its nearest topic, and whom to ask.

    It applies when what is asked contains one of `any`, one of `and_any` (when given) and none
    of `unless`: phrases matched as whole words on the folded, expanded text.
    """

    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]+$")]
    any: tuple[Text, ...] = Field(min_length=1)
    and_any: tuple[Text, ...] = ()
    unless: tuple[Text, ...] = ()
    # With `named`, a phrase of `any` must be followed, as typed, by a proper name: a word
    # written with a capital ("công ty Hoàng Long") or one no Vietnamese syllable spells
    # ("cty pouyuen"); the generic words of `not_names` ("Trung tâm Dịch vụ") and teencode
    # before it are skipped (entities.NamedAfter).
    named: bool = False
    not_names: tuple[Text, ...] = ()
    # With `firm`, the rule stands however sure the ranking or the learned model is of a
    # topic: what it names, one company or one week's timetable, no topic knows.
    firm: bool = False
    # With `learned: false`, the intent model is not taught `any`'s phrases as out of scope:
    # common question words ("khi nào", "ngày mấy") that only a phrase of `and_any` beside them
    # puts out of scope; taught alone, they drew in-scope questions out.
    learned: bool = True
    reply: Text


class Facets(_Model):
    """knowledge/data/facets.yaml: what a follow-up may ask about the topic just shown.

    `cues`: facet -> phrases that ask for it (matched as whole words on the canonical text);
    the entity facets (country, district, level) are named by the entity, not by cues.
    `neutral`: words that do not name another topic ("mất", "học"), allowed beside a cue."""

    cues: dict[str, tuple[Text, ...]]
    entity_facets: tuple[Text, ...] = ("country", "district", "level", "trade", "school", "age")
    neutral: tuple[Text, ...] = ()
    # A trade named with one of these facets, read alone ("học nấu ăn ở đâu"): the topic that
    # answers that facet for any trade.
    trades: dict[str, EntryId] = {}
    # A facet the topic just shown has no table row for, asked after a VET level was named
    # ("muốn học cao đẳng điều dưỡng", then "học phí bao nhiêu"): the topic that answers it
    # for that level (the level's name in data/entities.yaml).
    levels: dict[Text, dict[str, EntryId]] = {}
    level_after: tuple[EntryId, ...] = ()  # the topics after which `levels` answers
    # A facet the topic shown has no row for, after any topic ("học ở đâu" after the tuition).
    defaults: dict[str, EntryId] = {}

    @property
    def names(self) -> set[str]:
        return {*self.cues, *self.entity_facets}


class Document(_Model):
    """A document entries may cite (knowledge/data/documents.yaml): a province document (seed)
    or a national one (number). `short` is the title users see in an answer's sources line;
    the full title is shown with the details. `replaced_by` names the number of the document
    that replaced it (from `replaced_on`): entries citing it must say so in their caveat."""

    seed: Text | None = None
    number: Text | None = None
    type: Text
    issuer: Text
    title: Text
    short: Text | None = None
    date: Text | None = None
    in_force: VnDate | None = None
    replaced_by: Text | None = None
    replaced_on: VnDate | None = None

    @property
    def key(self) -> str:
        return self.seed or self.number or self.title

    def cite(self, full: bool = False) -> str:
        """Short: 'Kế hoạch (dự thảo) “Phân luồng học sinh năm 2025”, UBND tỉnh Long An, 01/2025';
        full: every field, and what replaced it."""
        head = self.type + (f" số {self.number}" if self.number else "")
        label = self.title if full else (self.short or (None if self.number else self.title))
        if label:
            head += f" “{label}”"
        parts = [head, self.issuer]
        if self.date and (full or not self.number):
            parts.append(f"ngày {self.date}" if self.date.count("/") == 2 else self.date)
        if full and self.in_force:
            parts.append(f"hiệu lực từ {self.in_force}")
        if full and self.replaced_by:
            parts.append(f"đã được thay bằng {self.replaced_by}"
                         + (f" từ {self.replaced_on}" if self.replaced_on else ""))
        return ", ".join(parts)


def sources_line(cites: Iterable[str]) -> str:
    """The sources line exactly as a user reads it under an answer (every channel)."""
    return f"📚 {messages.SOURCES}: " + "; ".join(cites)


@dataclass(frozen=True)
class KnowledgeBase:
    entries: tuple[Entry, ...]
    menu: tuple[MenuGroup, ...] = ()
    districts: DistrictTargets | None = None
    documents: tuple[Document, ...] = ()
    root: Path | None = None
    locations: dict[str, tuple[str, int]] = field(default_factory=dict, compare=False)
    entities: Entities | None = None
    out_of_scope: tuple[OutOfScope, ...] = ()
    safety: safety_rules.Detector = field(default=safety_rules.NO_RULES, compare=False)
    facets: Facets | None = None
    # knowledge/training/: independently written messages the learned models train on
    corpus: training.Corpus = field(default=training.EMPTY, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {e.id: e for e in self.entries})
        object.__setattr__(self, "_documents", {d.key: d for d in self.documents})

    def get(self, entry_id: str) -> Entry | None:
        by_id: dict[str, Entry] = self._by_id  # type: ignore[attr-defined]
        return by_id.get(entry_id)

    def document(self, source: Source) -> Document | None:
        """The registered document a source cites (by seed, number, else title)."""
        documents: dict[str, Document] = self._documents  # type: ignore[attr-defined]
        return _find_document(documents, source)

    def cite(self, source: Source, full: bool = False) -> str:
        """A source as users read it: the registry's short title (full: its whole title)."""
        doc = self.document(source)
        return doc.cite(full) if doc is not None else source.cite()

    def __len__(self) -> int:
        return len(self.entries)


class KnowledgeError(Exception):
    """The knowledge folder has errors; `problems` lists them with file and line."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


def default_dir() -> Path:
    """CAREERBOT_KNOWLEDGE_DIR, else the bundled knowledge (wheel) or the checkout's folder."""
    env = os.environ.get("CAREERBOT_KNOWLEDGE_DIR")
    if env:
        return Path(env)
    bundled = Path(str(resources.files("bot"))) / "knowledge"
    if bundled.is_dir():
        return bundled
    return Path(__file__).resolve().parents[2] / "knowledge"


ENTRY_FILES_EXCLUDED = {"menu.yaml"}


def entry_files(root: Path) -> list[Path]:
    return sorted(p for p in root.glob("*.yaml") if p.name not in ENTRY_FILES_EXCLUDED)


class _Collector:
    """Gathers problems while loading, so that a check reports everything at once."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.problems: list[Problem] = []

    def rel(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root.parent))
        except ValueError:
            return str(path)

    def add(self, path: Path, line: int, message: str) -> None:
        self.problems.append(Problem(self.rel(path), line, message))

    def load_yaml(self, path: Path) -> Any:
        try:
            return yamlfile.load(path)
        except yamlfile.YamlError as exc:
            self.problems.append(Problem(self.rel(path), exc.problem.line, exc.problem.message))
            return None

    def model(self, cls: type[M], raw: Any, path: Path, line: int) -> M | None:
        try:
            return cls.model_validate(raw)
        except ValidationError as exc:
            for err in exc.errors():
                where = ".".join(str(x) for x in err["loc"]) or "(gốc)"
                at = yamlfile.line_of(raw, err["loc"], line)
                self.add(path, at, f"{where}: {err['msg']}")
            return None


Locations = dict[str, tuple[str, int]]


def _load_entries(col: _Collector) -> tuple[list[Entry], Locations, dict[str, Any]]:
    entries: list[Entry] = []
    locations: dict[str, tuple[str, int]] = {}
    raws: dict[str, Any] = {}
    for path in entry_files(col.root):
        data = col.load_yaml(path)
        if data is None:
            continue
        if not isinstance(data, LineList):
            col.add(path, 1, "tệp phải là một danh sách các mục (list)")
            continue
        for raw, line in zip(data, data.item_lines, strict=True):
            entry = col.model(Entry, raw, path, line)
            if entry is None:
                continue
            if entry.id in locations:
                first = locations[entry.id]
                col.add(path, line, f"trùng id '{entry.id}' (đã có ở {first[0]}:{first[1]})")
                continue
            locations[entry.id] = (col.rel(path), line)
            raws[entry.id] = raw
            entries.append(entry)
    return entries, locations, raws


Where = Callable[..., int]  # the YAML line of a field of one entry


def _check_sizes(col: _Collector, path: Path, entry: Entry, at: Where) -> None:
    from bot.channel_text import for_channel, named

    # lines for one channel only ("[web] ..."): what one person reads is what must fit ("":
    # a channel no mark names)
    shown = max(len(for_channel(entry.short, channel)) for channel in {"", *named(entry.short)})
    if shown > MAX_ANSWER:
        col.add(path, at("answer"), f"{entry.id}: answer + caveat dài {shown} "
                                    f"ký tự, tối đa {MAX_ANSWER}")
    if entry.gist is not None and len(entry.gist) > MAX_GIST:
        col.add(path, at("gist"), f"{entry.id}: gist dài {len(entry.gist)} ký tự, "
                                  f"tối đa {MAX_GIST}")
    for facet, answer in entry.facet_answers:
        if len(answer) > MAX_FACET_ANSWER:
            col.add(path, at("facet_answers"), f"{entry.id}: facet_answers.{facet} dài "
                                               f"{len(answer)} ký tự, tối đa {MAX_FACET_ANSWER}")
    if len(entry.details) > MAX_DETAILS:
        col.add(path, at("details"), f"{entry.id}: details dài {len(entry.details)} ký tự, "
                                     f"tối đa {MAX_DETAILS}")
    if entry.confidence == "check" and not entry.caveat:
        col.add(path, at("confidence"), f"{entry.id}: confidence: check cần có caveat")
    if entry.reviewed < entry.valid_from:
        col.add(path, at("reviewed"), f"{entry.id}: reviewed trước valid_from")


def _find_document(documents: dict[str, Document], src: Source) -> Document | None:
    for key in (src.seed, src.number, src.title):
        if key and key in documents:
            return documents[key]
    return None


def _check_links(col: _Collector, path: Path, entry: Entry, at: Where, ids: set[str]) -> None:
    for i, rel in enumerate(entry.related):
        if rel not in ids:
            col.add(path, at("related", i), f"{entry.id}: related '{rel}' không tồn tại")
        elif rel == entry.id:
            col.add(path, at("related", i), f"{entry.id}: related trỏ về chính nó")


def _check_sources(col: _Collector, path: Path, entry: Entry, at: Where,
                   documents: dict[str, Document]) -> None:
    """Each source is a registered document, attributed as the registry says; at most
    MAX_SOURCES in a line a phone can show; a replaced document only with a caveat naming
    what replaced it."""
    if len(entry.sources) > MAX_SOURCES:
        col.add(path, at("sources", MAX_SOURCES), f"{entry.id}: {len(entry.sources)} nguồn, "
                                                  f"tối đa {MAX_SOURCES}")
    cites = []
    for i, src in enumerate(entry.sources):
        if not (src.number or src.seed or src.title):
            col.add(path, at("sources", i),
                    f"{entry.id}: nguồn cần number, seed hoặc title để người đọc tra được")
            continue
        doc = _find_document(documents, src)
        if doc is None:
            what = f"seed '{src.seed}'" if src.seed else f"'{src.number or src.title}'"
            col.add(path, at("sources", i, "seed" if src.seed else "number" if src.number
                             else "title"),
                    f"{entry.id}: {what} không có trong data/documents.yaml")
            cites.append(src.cite())
            continue
        cites.append(doc.cite())
        for name in ("type", "issuer"):
            if getattr(src, name) != getattr(doc, name):
                col.add(path, at("sources", i, name),
                        f"{entry.id}: nguồn '{doc.key}' ghi {name} '{getattr(src, name)}', "
                        f"data/documents.yaml ghi '{getattr(doc, name)}'")
        if doc.replaced_by and not _names(entry.caveat, doc.replaced_by):
            col.add(path, at("sources", i),
                    f"{entry.id}: '{doc.key}' đã được thay bằng {doc.replaced_by}"
                    f"{f' từ {doc.replaced_on}' if doc.replaced_on else ''}: "
                    f"caveat phải nói điều này (nêu {_core(doc.replaced_by)})")
    line = sources_line(cites)
    if len(line) > MAX_SOURCES_LINE:
        col.add(path, at("sources"), f"{entry.id}: dòng nguồn dài {len(line)} ký tự, tối đa "
                                     f"{MAX_SOURCES_LINE} (dùng short trong data/documents.yaml)")


def _core(number: str) -> str:
    """'238/2025/NĐ-CP' -> '238/2025': how a caveat names a document in few characters."""
    return "/".join(number.split("/")[:2])


def _names(text: str | None, number: str) -> bool:
    return bool(text) and _core(number) in (text or "")


def _check_phrasings(col: _Collector, path: Path, file: str, entry: Entry, at: Where,
                     phrasings: dict[str, tuple[str, str]]) -> None:
    """No phrasing empty after normalisation, none used twice anywhere in the base."""
    for i, question in enumerate(entry.questions):
        key = canonical(question)
        if not key:
            col.add(path, at("questions", i), f"{entry.id}: câu hỏi rỗng sau chuẩn hoá")
        elif key in phrasings:
            other_id, where = phrasings[key]
            col.add(path, at("questions", i),
                    f"{entry.id}: câu hỏi trùng với một câu của {other_id} ({where})")
        else:
            phrasings[key] = (entry.id, f"{file}:{at('questions', i)}")


def _check_entries(col: _Collector, entries: list[Entry], locations: dict[str, tuple[str, int]],
                   raws: dict[str, Any], documents: dict[str, Document]) -> None:
    ids = {e.id for e in entries}
    phrasings: dict[str, tuple[str, str]] = {}
    for entry in entries:
        file, line = locations[entry.id]
        path = col.root.parent / file
        raw = raws[entry.id]

        def at(*loc: int | str, _raw: Any = raw, _line: int = line) -> int:
            return yamlfile.line_of(_raw, loc, _line)

        _check_sizes(col, path, entry, at)
        _check_links(col, path, entry, at, ids)
        _check_sources(col, path, entry, at, documents)
        _check_phrasings(col, path, file, entry, at, phrasings)
    for missing in sorted(set(REQUIRED_IDS) - ids):
        col.add(col.root, 0, f"thiếu mục bắt buộc '{missing}'")


def _load_menu(col: _Collector, ids: set[str]) -> list[MenuGroup]:
    path = col.root / "menu.yaml"
    if not path.exists():
        return []
    data = col.load_yaml(path)
    if not isinstance(data, LineList):
        if data is not None:
            col.add(path, 1, "menu.yaml phải là một danh sách nhóm")
        return []
    groups: list[MenuGroup] = []
    for raw, line in zip(data, data.item_lines, strict=True):
        group = col.model(MenuGroup, raw, path, line)
        if group is None:
            continue
        for i, topic in enumerate(group.topics):
            if topic not in ids:
                col.add(path, yamlfile.line_of(raw, ("topics", i), line),
                        f"menu '{group.id}': mục '{topic}' không tồn tại")
        groups.append(group)
    seen: set[str] = set()
    for g in groups:
        if g.id in seen:
            col.add(path, 1, f"trùng id nhóm menu '{g.id}'")
        seen.add(g.id)
    return groups


def _load_documents(col: _Collector) -> dict[str, Document]:
    path = col.root / "data" / "documents.yaml"
    if not path.exists():
        return {}
    data = col.load_yaml(path)
    if not isinstance(data, LineList):
        return {}
    documents: dict[str, Document] = {}
    lines: dict[str, int] = {}
    for raw, line in zip(data, data.item_lines, strict=True):
        doc = col.model(Document, raw, path, line)
        if doc is None:
            continue
        if doc.key in documents:
            col.add(path, line, f"trùng văn bản '{doc.key}' (đã có ở dòng {lines[doc.key]})")
            continue
        documents[doc.key] = doc
        lines[doc.key] = line
    for key, doc in documents.items():
        if doc.replaced_by and doc.replaced_by not in documents:
            col.add(path, lines[key], f"'{key}': replaced_by '{doc.replaced_by}' không có "
                                      f"trong data/documents.yaml")
        if bool(doc.replaced_by) != bool(doc.replaced_on):
            col.add(path, lines[key], f"'{key}': replaced_by và replaced_on phải đi cùng nhau")
    return documents


def _load_districts(col: _Collector, ids: set[str]) -> DistrictTargets | None:
    path = col.root / "data" / "district_targets.yaml"
    if not path.exists():
        return None
    raw = col.load_yaml(path)
    if raw is None:
        return None
    targets = col.model(DistrictTargets, raw, path, 1)
    if targets is not None and targets.topic not in ids:
        col.add(path, yamlfile.line_of(raw, ("topic",), 1),
                f"topic '{targets.topic}' không tồn tại")
    return targets


def _check_names(col: _Collector, path: Path, raw: Any, entities: Entities, ids: set[str]
                 ) -> None:
    """Every topic named exists; no name (or alias) is empty or given to two things."""
    seen: dict[str, str] = {}
    for group, items in entities.groups().items():
        for i, item in enumerate(items):
            at = yamlfile.line_of(raw, (group, i), 1)
            for j, topic in enumerate(item.topics):
                if topic not in ids:
                    col.add(path, yamlfile.line_of(raw, (group, i, "topics", j), at),
                            f"{item.name}: mục '{topic}' không tồn tại")
            for topic in item.lines:
                if topic not in ids:
                    col.add(path, yamlfile.line_of(raw, (group, i, "lines", topic), at),
                            f"{item.name}: lines: mục '{topic}' không tồn tại")
            _check_unique(col, path, at, seen, item.name, (item.name, *item.aliases),
                          canonical, "tên", "")


def _check_unique(col: _Collector, path: Path, at: int, seen: dict[str, str], owner: str,
                  names: Iterable[str], form: Callable[[str], str], what: str, whose: str
                  ) -> None:
    """Each name, as `form` reads it, is not empty and belongs to no other owner."""
    for name in names:
        key = form(name)
        if not key:
            col.add(path, at, f"{owner}: {what} '{name}' rỗng sau chuẩn hoá")
        elif key in seen and seen[key] != owner:
            col.add(path, at, f"{what} '{name}' trùng với {whose}{seen[key]}")
        seen[key] = owner


def _check_trades(col: _Collector, path: Path, raw: Any, entities: Entities, ids: set[str]
                  ) -> None:
    """The trades' topics exist, no word names two trades, the line names the trade."""
    _check_worded(col, path, raw, ids, "trade_topics", entities.trade_topics, "trades",
                  entities.trades, "nghề ")
    if entities.trades and (not entities.trade_line or "{name}" not in entities.trade_line):
        col.add(path, yamlfile.line_of(raw, ("trade_line",), 1),
                "trade_line phải có {name} (tên nghề)")
    _check_interests(col, path, raw, entities, ids)


def _check_worded(col: _Collector, path: Path, raw: Any, ids: set[str], topics_key: str,
                  topics: tuple[str, ...], items_key: str, items: tuple[Trade | Interest, ...],
                  whose: str) -> None:
    """Things named by words (trades, interests): their topics exist and no word names two
    of them, read as the matcher reads them (folded, without the lexicon's expansions)."""
    for j, topic in enumerate(topics):
        if topic not in ids:
            col.add(path, yamlfile.line_of(raw, (topics_key, j), 1),
                    f"{topics_key}: mục '{topic}' không tồn tại")
    words: dict[str, str] = {}
    for i, item in enumerate(items):
        _check_unique(col, path, yamlfile.line_of(raw, (items_key, i), 1), words, item.name,
                      item.words, lambda w: fold(normalize(w)), "từ", whose)


def _check_interests(col: _Collector, path: Path, raw: Any, entities: Entities, ids: set[str]
                     ) -> None:
    """As the trades: topics exist, no word names two interests, the line has its fields."""
    _check_worded(col, path, raw, ids, "interest_topics", entities.interest_topics,
                  "interests", entities.interests, "sở thích ")
    fields = ("{name}", "{group}", "{examples}")
    line = entities.interest_line or ""
    if entities.interests and not all(f in line for f in fields):
        col.add(path, yamlfile.line_of(raw, ("interest_line",), 1),
                "interest_line phải có {name}, {group} và {examples}")


def _load_entities(col: _Collector, ids: set[str]) -> Entities | None:
    path = col.root / "data" / "entities.yaml"
    if not path.exists():
        return None
    raw = col.load_yaml(path)
    entities = col.model(Entities, raw, path, 1) if raw is not None else None
    if entities is not None:
        _check_names(col, path, raw, entities, ids)
        _check_trades(col, path, raw, entities, ids)
        _check_redirects(col, path, raw, entities, ids)
    return entities


def _check_redirects(col: _Collector, path: Path, raw: Any, entities: Entities, ids: set[str]
                     ) -> None:
    """A redirect's topics exist, and it does not send a topic to itself."""
    for key, redirects in (("stages", entities.stages), ("signals", entities.signals)):
        for i, redirect in enumerate(redirects):
            at = yamlfile.line_of(raw, (key, i), 1)
            for topic in (redirect.topic, *redirect.instead_of):
                if topic not in ids:
                    col.add(path, at, f"{redirect.name}: mục '{topic}' không tồn tại")
            if redirect.topic in redirect.instead_of:
                col.add(path, at,
                        f"{redirect.name}: '{redirect.topic}' vừa là topic vừa ở instead_of")


def _load_out_of_scope(col: _Collector) -> tuple[OutOfScope, ...]:
    path = col.root / "data" / "out_of_scope.yaml"
    if not path.exists():
        return ()
    data = col.load_yaml(path)
    if not isinstance(data, LineList):
        if data is not None:
            col.add(path, 1, "out_of_scope.yaml phải là một danh sách")
        return ()
    rules = [col.model(OutOfScope, raw, path, line)
             for raw, line in zip(data, data.item_lines, strict=True)]
    return tuple(r for r in rules if r is not None)


def _load_safety(col: _Collector, entries: list[Entry],
                 corpus: training.Corpus) -> safety_rules.Detector:
    # The model's ordinary class: safety.yaml's own `none` examples and the training corpus
    # (its look-alikes, and every message of its topic files: real users' ordinary questions).
    # Not the knowledge base's questions nor the near- and off-topic rules: an edit of a topic
    # refitted the model and moved borderline readings; without them the by-author CV is the
    # same (round 15: crisis +1, illegal +2, look-alikes +2 of 3,628, topic questions equal).
    def labelled() -> list[tuple[str, str | None]]:  # parsed only when the model is fitted
        # the safety corpus's ordinary look-alikes are weighted in the fit (safety_model.ALIKE)
        found: list[tuple[str, str | None]] = [(m.text, m.concern or ALIKE)
                                               for m in corpus.safety]
        found += [(m.q, None) for m in corpus.messages]
        return found + [(t.q, None) for c in corpus.conversations for t in c.turns]

    detector, problems = safety_rules.read(col.root, {e.id for e in entries}, col.rel, (),
                                           labelled, corpus.digest)
    col.problems.extend(problems)
    return detector


def _load_facets(col: _Collector, entries: list[Entry], locations: Locations,
                 raws: dict[str, Any]) -> Facets | None:
    """The facet catalogue, and every entry's facet table checked against it."""
    path = col.root / "data" / "facets.yaml"
    facets = None
    if path.exists():
        raw = col.load_yaml(path)
        facets = col.model(Facets, raw, path, 1) if raw is not None else None
    names = facets.names if facets is not None else set()
    ids = {e.id for e in entries}
    for entry in entries:
        file, line = locations[entry.id]
        for facet, _ in entry.facet_answers:
            at = yamlfile.line_of(raws[entry.id], ("facet_answers", facet), line)
            if facet not in names or (facets is not None and facet in facets.entity_facets):
                col.add(col.root.parent / file, at,
                        f"{entry.id}: facet_answers: không có khía cạnh '{facet}' trong "
                        "data/facets.yaml")
        for facet, topic in entry.facets:
            at = yamlfile.line_of(raws[entry.id], ("facets", facet), line)
            if facet not in names:
                col.add(col.root.parent / file, at,
                        f"{entry.id}: facets: không có khía cạnh '{facet}' trong "
                        "data/facets.yaml")
            if topic not in ids:
                col.add(col.root.parent / file, at,
                        f"{entry.id}: facets.{facet}: mục '{topic}' không tồn tại")
    return facets


def _check_facet_tables(col: _Collector, facets: Facets | None, entities: Entities | None,
                        ids: set[str]) -> None:
    """facets.yaml's own tables (`trades`, `defaults`, each level's in `levels`): known facets
    and topics; the levels named in entities.yaml; `level_after` topics exist."""
    if facets is None:
        return
    path = col.root / "data" / "facets.yaml"
    levels = {named.name for named in (*entities.levels, *entities.school_types)} \
        if entities is not None else set()
    tables = [("trades", facets.trades), ("defaults", facets.defaults)]
    for level, table in facets.levels.items():
        if level not in levels:
            col.add(path, 1, f"levels: '{level}' không có trong levels hay school_types của "
                             "data/entities.yaml")
        tables.append((f"levels: {level}", table))
    for label, table in tables:
        for facet, topic in table.items():
            if facet not in facets.names or topic not in ids:
                col.add(path, 1, f"{label}: khía cạnh '{facet}' hoặc mục '{topic}' không tồn tại")
    for topic in facets.level_after:
        if topic not in ids:
            col.add(path, 1, f"level_after: mục '{topic}' không tồn tại")


def _load_corpus(col: _Collector, ids: set[str]) -> training.Corpus:
    corpus, problems = training.read(col.root, ids, col.rel)
    col.problems.extend(problems)
    return corpus


@dataclass(frozen=True)
class _Read:
    """What a load reads from the YAML files but the corpus and the safety rules (these keep
    caches of their own and are read at every load): what kb_cache stores."""

    entries: tuple[Entry, ...]
    menu: tuple[MenuGroup, ...]
    districts: DistrictTargets | None
    documents: tuple[Document, ...]
    locations: dict[str, tuple[str, int]]
    entities: Entities | None
    out_of_scope: tuple[OutOfScope, ...]
    facets: Facets | None


def _read_all(col: _Collector) -> tuple[_Read, training.Corpus]:
    documents = _load_documents(col)
    entries, locations, raws = _load_entries(col)
    _check_entries(col, entries, locations, raws, documents)
    ids = {e.id for e in entries}
    menu = _load_menu(col, ids)
    districts = _load_districts(col, ids)
    oos = _load_out_of_scope(col)
    corpus = _load_corpus(col, ids)
    entities = _load_entities(col, ids)
    facets = _load_facets(col, entries, locations, raws)
    _check_facet_tables(col, facets, entities, ids)
    return _Read(tuple(entries), tuple(menu), districts, tuple(documents.values()), locations,
                 entities, oos, facets), corpus


def _assemble(col: _Collector, read: _Read, corpus: training.Corpus) -> KnowledgeBase:
    return KnowledgeBase(read.entries, read.menu, read.districts, read.documents, col.root,
                         read.locations, entities=read.entities,
                         out_of_scope=read.out_of_scope,
                         safety=_load_safety(col, list(read.entries), corpus),
                         facets=read.facets, corpus=corpus)


def _collect(root: Path) -> tuple[KnowledgeBase | None, list[Problem], _Read | None]:
    col = _Collector(root)
    if not root.is_dir():
        return None, [Problem(str(root), 0, "không tìm thấy thư mục kiến thức")], None
    read, corpus = _read_all(col)
    return _assemble(col, read, corpus), col.problems, read


def check(root: Path | None = None) -> list[Problem]:
    """Every problem in the knowledge folder, with file and line (never from the cache)."""
    return _collect(root or default_dir())[1]


def _from_cache(root: Path, path: Path, key: str) -> KnowledgeBase | None:
    """The knowledge base from what a clean load of the same files stored, the corpus and
    safety rules read as at every load; None if not stored, or if these have a problem now
    (the full read reports it with the others)."""
    stored = kb_cache.read(path)
    if not (isinstance(stored, tuple) and len(stored) == 3 and stored[0] == key
            and isinstance(stored[1], _Read) and isinstance(stored[2], dict)):
        return None
    read: _Read = stored[1]
    take_analyses(stored[2])
    col = _Collector(root)
    kb = _assemble(col, read, _load_corpus(col, {e.id for e in read.entries}))
    return None if col.problems else kb


def _phrasings(read: _Read) -> list[str]:
    """What an engine analyses first (stored with the knowledge base): every topic's title,
    phrasings and tags, every out-of-scope rule's phrases, every name, word and cue the
    entity and facet finders match."""
    texts = [t for e in read.entries for t in (e.title, *e.questions, *e.tags)]
    texts += [p for r in read.out_of_scope for p in (*r.any, *r.and_any, *r.unless)]
    if read.districts is not None:
        texts += [n for d in read.districts.districts for n in (d.name, *d.aliases)]
    if read.entities is not None:
        texts += [n for items in read.entities.groups().values() for item in items
                  for n in (item.name, *item.aliases)]
        texts += [w for t in read.entities.trades for w in t.words]
        texts += [w for i in read.entities.interests for w in (*i.words, *i.results)]
    if read.facets is not None:
        texts += [c for cues in read.facets.cues.values() for c in cues]
        texts += list(read.facets.neutral)
    return list(dict.fromkeys(texts))


def load(root: Path | None = None) -> KnowledgeBase:
    """The knowledge base; raises KnowledgeError listing every problem if there is one. A
    clean load is stored in the model cache's folder (see kb_cache) for the next start."""
    import pydantic

    from bot.answering.model_cache import default_cache_dir

    root = root or default_dir()
    key = kb_cache.key(root, pydantic.VERSION) if root.is_dir() else ""
    path = kb_cache.path_for(default_cache_dir(), key)
    kb = _from_cache(root, path, key) if key else None
    if kb is not None:
        return kb
    kb, problems, read = _collect(root)
    if problems or kb is None or read is None:
        raise KnowledgeError(problems)
    kb_cache.write(path, (key, read, analyses_of(_phrasings(read))))
    return kb


def from_entries(entries: Iterable[Entry], districts: DistrictTargets | None = None,
                 like: KnowledgeBase | None = None) -> KnowledgeBase:
    """A knowledge base built in memory (benchmarks with synthetic entries, tests); `like`
    lends its entities and out-of-scope rules."""
    return KnowledgeBase(tuple(entries), districts=districts,
                         entities=like.entities if like else None,
                         out_of_scope=like.out_of_scope if like else (),
                         safety=like.safety if like else safety_rules.NO_RULES,
                         facets=like.facets if like else None,
                         corpus=like.corpus if like else training.EMPTY)



def format_percent(value: float) -> str:
    """Vietnamese decimal comma: 40.12 -> '40,12'."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")
