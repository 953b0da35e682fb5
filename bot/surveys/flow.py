"""Taking a survey, one question at a time: what each tap or typed answer does, and what to show.

No channel here: every action returns a View (what to show, an optional short notice, whether
it replaces the screen tapped), and every answer is committed through the Writer before the
View is returned, so the user only sees the next question once the previous answer is stored.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from rapidfuzz import fuzz, process

from bot import intents, messages
from bot.answering.text import canonical
from bot.people.schools import Schools
from bot.people.users import Users
from bot.surveys import model as survey
from bot.surveys.kinds import Context, kind, label
from bot.surveys.model import InvalidAnswer, Question, Survey, SurveySet
from bot.surveys.responses import Response, Responses
from bot.views import Block, Choice, Notice, Part, Row, View

Today = Callable[[], dt.date]
SCHOOL_MATCHES = 5


def Step(screens: list[View] | None = None, notice: str | None = None,
         alert: bool = False, new_message: bool = False) -> View:
    """What the user sees after an action: screens (the first replaces the screen tapped,
    unless `new_message`), and a short notice for the tap."""
    first, *rest = screens or [View()]
    return View(first.parts, first.rows, Notice(notice, alert) if notice else None,
                replace=not new_message and bool(first.parts or first.rows),
                more=tuple(rest))


def Screen(text: str, rows: tuple[Row, ...] = ()) -> View:
    """One screen of text (with **bold** / __italic__ marks) and its choices."""
    return View((Part(Block.TEXT, text),), rows)


class SurveyFlow:
    def __init__(self, surveys: SurveySet, responses: Responses, schools: Schools, users: Users,
                 today: Today, topic_titles: Mapping[str, str]) -> None:
        self.surveys = surveys
        self.responses = responses
        self.schools = schools
        self.users = users
        self.today = today
        self.topic_titles = topic_titles  # knowledge entry id -> title, for result buttons

    @property
    def year(self) -> str:
        return survey.school_year(self.today())

    # --- the list and the consent --------------------------------------------------------------
    def list_screen(self, user_id: int) -> View:
        user = self.users.get(user_id)
        audience = user.audience if user and user.audience != "staff" else None
        available = self.surveys.for_audience(audience)
        if not available:
            return Screen(messages.SURVEY_NONE)
        rows = []
        for s in available:
            response = self.responses.find(user_id, s.id, self.year)
            status = messages.SURVEY_STATUS[response.status if response else "new"]
            rows.append((Choice(f"{s.title} ({status})", intents.SurveyOpen(s.id)),))
        return Screen(messages.SURVEY_LIST, tuple(rows))

    async def open(self, user_id: int, survey_id: str) -> View:
        """Tapping a survey in the list: consent first, or resume, or offer to retake."""
        s = self.surveys.get(survey_id)
        if s is None:
            return Step(notice=messages.SURVEY_GONE, alert=True)
        response = self.responses.find(user_id, s.id, self.year)
        if response is not None and response.status == "submitted":
            return Step([Screen(messages.SURVEY_ALREADY.format(title=s.title, year=self.year),
                                ((Choice(messages.SURVEY_RETAKE, intents.SurveyRetake(s.id)),),
                                 (Choice(messages.SURVEY_KEEP, intents.SurveyLater()),)))])
        if response is not None:
            done = len(survey.relevant(s, response.answers))
            total = len(survey.applicable(s, response.answers, response.skipped))
            return Step([Screen(messages.SURVEY_RESUME.format(title=s.title, done=done,
                                                              total=total),
                                ((Choice(messages.SURVEY_CONTINUE, intents.SurveyResume(s.id)),),
                                 (Choice(messages.SURVEY_RESTART, intents.SurveyRetake(s.id)),)))])
        return Step([self._consent(s)])

    def _consent(self, s: Survey) -> View:
        # "khoảng N câu": skip rules may leave some out
        text = messages.SURVEY_CONSENT.format(title=s.title, description=s.description,
                                              minutes=s.minutes,
                                              count=len(survey.applicable(s, {})))
        return Screen(text, ((Choice(messages.SURVEY_AGREE, intents.SurveyConsent(s.id)),),
                             (Choice(messages.SURVEY_PRIVACY, intents.Topic("bot.privacy", "")),),
                             (Choice(messages.SURVEY_LATER, intents.SurveyLater()),)))

    async def begin(self, user_id: int, survey_id: str, *, confirmed_retake: bool = False
                    ) -> View:
        """Consent given (or retake confirmed): a fresh response, and the first question."""
        s = self.surveys.get(survey_id)
        if s is None:
            return Step(notice=messages.SURVEY_GONE, alert=True)
        existing = self.responses.find(user_id, s.id, self.year)
        if existing is not None and not confirmed_retake:
            return await self.open(user_id, survey_id)
        user = self.users.get(user_id)
        school = user.school_code if user else None
        response = await self.responses.start(user_id, s.id, s.version, self.year, school, None)
        school_q = next((q for q in s.questions if kind(q.type).holds_school), None)
        if school and school_q is not None:  # joined through the school's link: already known
            response = await self.responses.save(response, school_q.id, school, [school_q.id],
                                                 None, school_code=school)
        return await self._advance(s, response)

    async def resume(self, user_id: int, survey_id: str) -> View:
        s, response = self._current(user_id, survey_id)
        if s is None or response is None:
            return Step(notice=messages.SURVEY_GONE, alert=True)
        response = await self.responses.move(response, response.current)
        return Step([self._screen(s, response)])

    # --- answering ---------------------------------------------------------------------------
    def _current(self, user_id: int, survey_id: str) -> tuple[Survey | None, Response | None]:
        s = self.surveys.get(survey_id)
        if s is None:
            return None, None
        response = self.responses.find(user_id, s.id, self.year)
        if response is None or response.status != "in_progress":
            return s, None
        return s, response

    def _expect(self, user_id: int, survey_id: str, qid: str
                ) -> tuple[Survey, Response, Question] | View:
        """The survey, response and question a button belongs to, or the Step that says why not."""
        s, response = self._current(user_id, survey_id)
        if s is None or response is None:
            return Step(notice=messages.SURVEY_GONE, alert=True)
        question = s.question(qid)
        if question is None or response.current != qid:
            return Step([self._screen(s, response)], notice=messages.SURVEY_NOT_CURRENT,
                        alert=True)
        return s, response, question

    async def _store(self, s: Survey, response: Response, question: Question, value: Any,
                     stay: bool = False) -> View:
        """Save an answer, then show the next question (or stay, for multiple choice)."""
        answers = {**response.answers, question.id: value}
        keep = [q.id for q in survey.visible(s, answers)]
        school = value if kind(question.type).holds_school else None
        if stay:
            response = await self.responses.save(response, question.id, value, keep,
                                                 question.id, response.editing, school)
            return Step([self._screen(s, response)])
        # The next question is known before the write: answer and move in one commit (half
        # the waiting for the disk, and no crash can land between them). As `save` keeps them:
        kept = {q: v for q, v in answers.items() if q in keep or q == question.id}
        skipped = frozenset((response.skipped - {question.id}) & set(keep))
        # An edit from the summary goes on like any answer: a question the new answer reveals
        # is asked next, and with nothing left the summary is shown again.
        nxt = survey.next_question(s, kept, skipped)
        response = await self.responses.save(response, question.id, value, keep,
                                             nxt.id if nxt else None, False, school)
        if school:
            await self.users.set_school(response.user_id, school)
        return Step([self._screen(s, response)])  # the next question, or the summary

    async def _advance(self, s: Survey, response: Response) -> View:
        nxt = survey.next_question(s, response.answers, response.skipped)
        response = await self.responses.move(response, nxt.id if nxt else None)
        return Step([self._screen(s, response)])

    async def choose(self, user_id: int, survey_id: str, qid: str, code: str) -> View:
        """A tap on a choice (single, scale or a school found by search)."""
        found = self._expect(user_id, survey_id, qid)
        if isinstance(found, View):
            return found
        s, response, q = found
        try:
            value = kind(q.type).tap(q, response.answers, code, self._school_name)
        except InvalidAnswer as bad:
            return Step([self._screen(s, response)], notice=str(bad), alert=True)
        return await self._store(s, response, q, value)

    async def toggle(self, user_id: int, survey_id: str, qid: str, code: str, selected: bool
                     ) -> View:
        """Multiple choice: tick or untick one choice; the selection is saved at every tap.

        The button says which state it sets (not "flip"), so a tap Telegram delivers twice,
        as it does after a crash, leaves the same selection.
        """
        found = self._expect(user_id, survey_id, qid)
        if isinstance(found, View):
            return found
        s, response, q = found
        allowed = {c.code for c in survey.choices_for(q, response.answers)}
        if not kind(q.type).toggles or code not in allowed:
            return Step([self._screen(s, response)], notice=messages.SURVEY_STALE_CHOICE,
                        alert=True)
        chosen = set(response.answers.get(q.id) or [])
        chosen = chosen | {code} if selected else chosen - {code}
        if q.max is not None and len(chosen) > int(q.max):
            return Step(notice=messages.SURVEY_TOO_MANY.format(n=int(q.max)), alert=True)
        ordered = [c.code for c in q.choices if c.code in chosen]
        return await self._store(s, response, q, ordered, stay=True)

    async def finish_multi(self, user_id: int, survey_id: str, qid: str) -> View:
        found = self._expect(user_id, survey_id, qid)
        if isinstance(found, View):
            return found
        s, response, q = found
        try:
            chosen = survey.check_multi(q, response.answers, list(response.answers.get(q.id) or []))
        except InvalidAnswer as bad:
            return Step(notice=str(bad), alert=True)
        return await self._store(s, response, q, chosen)

    async def typed(self, user_id: int, text: str) -> View | None:
        """A message typed while a text, number or school question waits; None if none does."""
        waiting = self._waiting(user_id)
        if waiting is None or not kind(waiting[2].type).typed:
            return None
        s, response, q = waiting
        try:
            if kind(q.type).holds_school:
                return self._school_search(s, response, q, text)
            value = kind(q.type).parse(q, text)
        except InvalidAnswer as bad:
            return Step([Screen(str(bad))], new_message=True)
        step = await self._store(s, response, q, value)
        return dataclasses.replace(step, replace=False)  # a typed answer: a new message

    def reminder(self, user_id: int) -> View | None:
        """When a question with buttons waits and the person typed something else: how to
        answer it, or pause, with the question again below (a new message); None if none
        waits."""
        waiting = self._waiting(user_id)
        if waiting is None or kind(waiting[2].type).typed:
            return None
        s, response, q = waiting
        screen = self.question_screen(s, response, q)
        text = f"{messages.SURVEY_USE_BUTTONS}\n\n{screen.parts[0].text}"
        return View((Part(Block.TEXT, text),), screen.rows)

    def typed_choice(self, user_id: int, text: str) -> tuple[str, str, str] | None:
        """A typed message that names one choice of the single-choice question waiting (its
        label or code, accents and case aside): (survey, question, code) to answer with."""
        waiting = self._waiting(user_id)
        if waiting is None or not kind(waiting[2].type).typed_choice:
            return None
        s, response, q = waiting
        said = canonical(text)
        found = [c for c in survey.choices_for(q, response.answers)
                 if said and said in (canonical(c.label), canonical(c.code))]
        return (s.id, q.id, found[0].code) if len(found) == 1 else None

    def awaits_text(self, user_id: int) -> bool:
        waiting = self._waiting(user_id)
        return waiting is not None and kind(waiting[2].type).typed

    def _waiting(self, user_id: int) -> tuple[Survey, Response, Question] | None:
        """The survey, response and question waiting for this person's next message, if any."""
        response = self.responses.awaiting_text(user_id)
        if response is None or response.current is None:
            return None
        s = self.surveys.get(response.survey_id)
        q = s.question(response.current) if s else None
        return None if s is None or q is None else (s, response, q)

    def _school_search(self, s: Survey, response: Response, q: Question, query: str) -> View:
        schools = self.schools.all()
        key = canonical(query)
        names = {sc.code: canonical(f"{sc.name} {sc.code}") for sc in schools}
        hits = process.extract(key, names, scorer=fuzz.token_set_ratio, limit=SCHOOL_MATCHES,
                               score_cutoff=60) if key else []
        if not hits:
            return Step([Screen(messages.SURVEY_SCHOOL_NONE.format(query=query[:60]))],
                        new_message=True)
        by_code = {sc.code: sc for sc in schools}
        rows: list[Row] = [(Choice(by_code[code].name, intents.SurveyAnswer(s.id, q.id, code)),)
                                          for _, _, code in hits]
        return Step([Screen(messages.SURVEY_SCHOOL_PICK, tuple(rows))], new_message=True)

    # --- moving around -------------------------------------------------------------------------
    async def back(self, user_id: int, survey_id: str, qid: str) -> View:
        found = self._expect(user_id, survey_id, qid)
        if isinstance(found, View):
            return found
        s, response, _ = found
        prev = survey.previous_question(s, response.answers, qid)
        if prev is None:
            return Step([self._screen(s, response)])
        response = await self.responses.move(response, prev.id)
        return Step([self._screen(s, response)])

    async def skip(self, user_id: int, survey_id: str, qid: str) -> View:
        found = self._expect(user_id, survey_id, qid)
        if isinstance(found, View):
            return found
        s, response, q = found
        if q.required:
            return Step(notice=messages.SURVEY_STALE_CHOICE, alert=True)
        skipped = response.skipped | {qid}
        nxt = survey.next_question(s, response.answers, skipped)
        response = await self.responses.move(response, nxt.id if nxt else None, skip=qid)
        return Step([self._screen(s, response)])

    async def pause(self, user_id: int) -> View:
        await self.responses.pause_all(user_id)
        return Step([Screen(messages.SURVEY_PAUSED)])

    async def edit_menu(self, user_id: int, survey_id: str) -> View:
        s, response = self._current(user_id, survey_id)
        if s is None or response is None:
            return Step(notice=messages.SURVEY_GONE, alert=True)
        rows: list[Row] = []
        for i, q in enumerate(survey.visible(s, response.answers), 1):
            rows.append((Choice(f"Câu {i}: {q.text}", intents.SurveyEdit(s.id, q.id)),))
        rows.append((Choice(messages.SURVEY_TO_SUMMARY, intents.SurveySummary(s.id)),))
        return Step([Screen(messages.SURVEY_EDIT_HEAD, tuple(rows))])

    async def edit_question(self, user_id: int, survey_id: str, qid: str) -> View:
        s, response = self._current(user_id, survey_id)
        if s is None or response is None or s.question(qid) is None:
            return Step(notice=messages.SURVEY_GONE, alert=True)
        response = await self.responses.move(response, qid, editing=True)
        return Step([self._screen(s, response)])

    async def summary(self, user_id: int, survey_id: str) -> View:
        s, response = self._current(user_id, survey_id)
        if s is None or response is None:
            return Step(notice=messages.SURVEY_GONE, alert=True)
        response = await self.responses.move(response, None)
        return Step([self._summary(s, response)])

    async def submit(self, user_id: int, survey_id: str) -> View:
        s = self.surveys.get(survey_id)
        sent = self.responses.find(user_id, s.id, self.year) if s is not None else None
        if s is not None and sent is not None and sent.status == "submitted":
            # "Gửi" again, or redelivered after a crash between the commit and the reply:
            # it is sent, so say so and show the thanks the student may never have seen.
            return Step(self._thanks(s, sent.answers), notice=messages.SURVEY_ALREADY_SENT)
        s, response = self._current(user_id, survey_id)
        if s is None or response is None:
            return Step(notice=messages.SURVEY_GONE, alert=True)
        missing = survey.missing_required(s, response.answers)
        if missing:
            first = missing[0]
            response = await self.responses.move(response, first.id)
            names = ", ".join(f"“{q.text[:40]}”" for q in missing[:3])
            return Step([self._screen(s, response)],
                        notice=messages.SURVEY_MISSING.format(questions=names), alert=True)
        await self.responses.submit(response)
        return Step(self._thanks(s, response.answers))

    @staticmethod
    def vanished(typed: bool = False) -> View:
        """The response was deleted while a step was working on it (see ResponseGone)."""
        return Step([Screen(messages.SURVEY_VANISHED)], new_message=typed)

    # --- screens -------------------------------------------------------------------------------
    def _screen(self, s: Survey, response: Response) -> View:
        if response.current is None:
            return self._summary(s, response)
        q = s.question(response.current)
        if q is None:
            return self._summary(s, response)
        return self.question_screen(s, response, q)

    def question_screen(self, s: Survey, response: Response, q: Question) -> View:
        answers = response.answers
        index, total = survey.position(s, answers, q.id, response.skipped)
        lines = [messages.SURVEY_HEAD.format(title=s.title, index=index, total=total), "",
                 f"**{q.text}**"]
        if q.hint:
            lines.append(f"__{q.hint}__")
        hint = messages.SURVEY_TYPE_HINT.get(q.type)
        if hint:
            lines.append(hint.format(low=q.scale.low, high=q.scale.high))
        shown = kind(q.type).screen(Context(s, q, answers, Choice, self._school_name))
        lines.extend(shown.lines)
        rows = list(shown.rows)
        nav = []
        if survey.previous_question(s, answers, q.id) is not None:
            nav.append(Choice(messages.SURVEY_BACK, intents.SurveyBack(s.id, q.id)))
        if not q.required:
            nav.append(Choice(messages.SURVEY_SKIP, intents.SurveySkip(s.id, q.id)))
        nav.append(Choice(messages.SURVEY_PAUSE, intents.SurveyPause()))
        rows.append(tuple(nav))
        return Screen("\n".join(lines), tuple(rows))

    def _school_name(self, code: str) -> str | None:
        school = self.schools.get(code)
        return school.name if school else None

    def _answer_label(self, q: Question, value: Any) -> str:
        if kind(q.type).holds_school and isinstance(value, str):
            school = self.schools.get(value)
            return school.name if school else value
        return label(q, value)

    def _summary(self, s: Survey, response: Response) -> View:
        lines = [messages.SURVEY_SUMMARY.format(title=s.title), ""]
        for i, q in enumerate(survey.visible(s, response.answers), 1):
            value = response.answers.get(q.id)
            lines.append(f"{i}. {q.text}")
            lines.append(f"   → **{self._answer_label(q, value)}**")
        keyboard: tuple[Row, ...] = ((Choice(messages.SURVEY_SEND, intents.SurveySubmit(s.id)),
                               Choice(messages.SURVEY_EDIT, intents.SurveyEditMenu(s.id))),
                              (Choice(messages.SURVEY_PAUSE, intents.SurveyPause()),))
        return Screen("\n".join(lines), keyboard)

    def _thanks(self, s: Survey, answers: dict[str, Any]) -> list[View]:
        text = [messages.SURVEY_THANKS.format(title=s.title)]
        rows: list[Row] = []
        linked: set[str] = set()
        if s.results:
            maximum = {d: 5 * sum(1 for q in s.questions if q.dimension == d) for d in s.results}
            text += ["", messages.SURVEY_RESULT_HEAD]
            for rank, (dim, score) in enumerate(survey.scores(s, answers)[: s.top], 1):
                result = s.results[dim]
                text += ["", messages.SURVEY_RESULT_ROW.format(rank=rank, name=result.name,
                                                               score=score, max=maximum[dim]),
                         result.description]
                if result.trades:
                    text.append(messages.SURVEY_RESULT_TRADES.format(
                        trades=", ".join(result.trades)))
                if result.levels:
                    text.append(messages.SURVEY_RESULT_LEVELS.format(levels=result.levels))
                for topic in result.topics:
                    if topic not in linked and topic in self.topic_titles:
                        linked.add(topic)
                        rows.append((Choice("👉 " + self.topic_titles[topic],
                                            intents.Topic(topic, "")),))
        return [Screen("\n".join(text), tuple(rows))]
