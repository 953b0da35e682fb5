"""The `careerbot` command line: the composition root for terminal use.

Exceptions become one clear line at this edge (click.ClickException), never a traceback.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

import click

from bot import messages, wellformed
from bot.answering import knowledge
from bot.answering.answers import plain_text
from bot.answering.context import EMPTY, Context
from bot.channel_text import for_channel
from bot.config import Settings
from bot.surveys import model as survey
from handlers.cli import staff_links  # noqa: F401 - adds `staff login-link` to staff_group
from handlers.cli.common import _assistant, _settings, database_path, load_configuration
from handlers.cli.data import export_command, report_command, schools_group, staff_group


def _utf8_streams() -> None:
    # A Windows console or a C locale must not turn Vietnamese into an encoding error.
    # Bad bytes typed or piped in (the terminal chat, `ask -`) become U+FFFD, not a crash.
    for stream in (sys.stdout, sys.stderr, sys.stdin):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(encoding="utf-8", errors="replace")


knowledge_option = click.option(
    "--knowledge", "knowledge_dir", type=click.Path(path_type=Path, file_okay=False),
    help="Thư mục kiến thức (mặc định: CAREERBOT_KNOWLEDGE_DIR hoặc kiến thức đi kèm).",
)


@click.group(invoke_without_command=True)
@click.version_option(package_name="careerbot")
@click.pass_context
def main(ctx: click.Context) -> None:
    """careerbot – trợ lý hướng nghiệp trên Telegram và dòng lệnh."""
    _utf8_streams()
    load_configuration()
    if ctx.invoked_subcommand is None:
        ctx.invoke(run)


# --- answering ---------------------------------------------------------------------------------
def _questions(stream: TextIO) -> Iterator[tuple[str, str | None, str | None]]:
    """Each line: a question, or a JSON object {"question": ..., "previous": "topic.id",
    "session": "any-id"}; yields (question, previous, session)."""
    for line in stream:
        text = line.rstrip("\r\n")
        if text.lstrip().startswith("{"):
            try:
                data = json.loads(text)
            except json.JSONDecodeError:
                data = None
            if isinstance(data, dict) and isinstance(data.get("question"), str):
                previous, session = data.get("previous"), data.get("session")
                yield (data["question"], previous if isinstance(previous, str) else None,
                       str(session) if isinstance(session, (str, int)) else None)
                continue
        yield text, None, None


def _context(sessions: dict[str, Context], session: str | None, previous: str | None
             ) -> Context:
    """The conversation a line is read in: its session's (a given `previous` topic wins)."""
    if session is None:
        return Context.of(previous)
    context = sessions.get(session, EMPTY)
    return context if previous is None else dataclasses.replace(context, topic=previous)


@main.command()
@click.argument("question")
@click.option("--json", "as_json", is_flag=True, help="Một đối tượng JSON mỗi dòng.")
@click.option("--explain", is_flag=True, help="In thêm các ứng viên và đặc trưng chấm điểm.")
@click.option("--previous", help="Chủ đề vừa xem (câu hỏi tiếp nối), ví dụ overseas.markets.")
@knowledge_option
def ask(question: str, as_json: bool, explain: bool, previous: str | None,
        knowledge_dir: Path | None) -> None:
    """Trả lời QUESTION; với QUESTION là '-' thì đọc mỗi dòng một câu hỏi từ stdin.

    Một dòng cũng có thể là JSON {"question": "...", "previous": "mã.chủ.đề"}: câu hỏi tiếp nối
    chủ đề vừa xem; hoặc {"question": "...", "session": "mã-bất-kỳ"}: các dòng cùng session là
    một cuộc trò chuyện, đọc theo thứ tự, nhớ chủ đề và tên nước, huyện, trình độ như khi chat."""
    assistant = _assistant(knowledge_dir)
    questions = _questions(sys.stdin) if question == "-" else iter([(question, previous, None)])
    sessions: dict[str, Context] = {}  # one conversation per session id, as the chat keeps it
    asked = False
    for raw, before, session in questions:
        asked = True
        # Bad bytes in argv or stdin, or "\ud800" in a JSON line: lone surrogates, cleaned here.
        q, before = wellformed.scrub(raw), before and wellformed.scrub(before)
        if not q.strip() and question != "-":
            raise click.ClickException(messages.ERR_EMPTY_QUESTION)
        context = _context(sessions, session, before)
        reply, ms, _ = assistant.timed_answer(q, context)
        if session is not None:
            sessions[session] = reply.after(context)
        reply = dataclasses.replace(reply, text=for_channel(reply.text, "terminal"))
        if as_json:
            out = reply.as_json(ms)
            if session is not None:
                out["session"] = session
                out["context"] = sessions[session].as_json()
            click.echo(json.dumps(out, ensure_ascii=False))
        else:
            click.echo(plain_text(reply))
            click.echo(f"({messages.CLI_SCORE} {reply.score:.2f}, {ms:.2f} ms)")
        if explain:
            for s in assistant.engine.rank(q, previous=context):
                feats = " ".join(f"{k}={v:.2f}" for k, v in s.features.items())
                click.echo(f"    {s.score:.3f} {s.entry.id:28} {feats}", err=as_json)
        sys.stdout.flush()
    if not asked and question != "-":
        raise click.ClickException(messages.ERR_EMPTY_QUESTION)


@main.command()
@knowledge_option
def chat(knowledge_dir: Path | None) -> None:
    """Trò chuyện với trợ lý ngay trong terminal (không cần Telegram)."""
    import asyncio

    from bot.bootstrap import running
    from handlers.terminal.chat import TerminalChat

    # No lock: a terminal chat may run beside the bot; the jobs are the bot's (or the web's).
    with running(_settings(), lock=False, assistant=_assistant(knowledge_dir)) as core:
        async def talk() -> None:
            account = await core.svc.accounts.resolve("terminal", "local")
            await TerminalChat(core.conversation, account).run()

        asyncio.run(talk())


# --- the knowledge base --------------------------------------------------------------------------
@main.group()
def kb() -> None:
    """Kiểm tra và liệt kê kiến thức."""


@kb.command("check")
@knowledge_option
def kb_check(knowledge_dir: Path | None) -> None:
    """Kiểm tra mọi tệp trong thư mục kiến thức; in file:dòng: lỗi, thoát mã 1 nếu có lỗi."""
    root = knowledge_dir or _settings().knowledge_dir or knowledge.default_dir()
    problems = knowledge.check(root)
    ids = set() if problems else {e.id for e in knowledge.load(root).entries}
    surveys, survey_problems = survey.check(root, ids)
    problems += survey_problems
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        raise SystemExit(1)
    kbase = knowledge.load(root)
    click.echo(messages.KB_OK.format(
        entries=len(kbase), questions=sum(len(e.questions) for e in kbase.entries),
        surveys=len(surveys.surveys), training=len(kbase.corpus)))


@kb.command("train")
@knowledge_option
def kb_train(knowledge_dir: Path | None) -> None:
    """Huấn luyện và lưu sẵn các mô hình (CAREERBOT_MODEL_CACHE), để lần khởi động sau nhanh."""
    from bot.answering.cold_start import ready_engine
    from bot.answering.model_cache import default_cache_dir

    root = knowledge_dir or _settings().knowledge_dir or knowledge.default_dir()
    kbase = knowledge.load(root)
    ready_engine(kbase)  # the intent and context models, the safety model fitted meanwhile
    kbase.safety.warm()  # loaded from the cache the fit wrote (fitted here if it could not)
    folder = default_cache_dir()
    click.echo(messages.KB_TRAINED.format(folder=folder, files=len(list(folder.glob("*")))))


@kb.command("list")
@knowledge_option
def kb_list(knowledge_dir: Path | None) -> None:
    """Liệt kê các mục kiến thức."""
    assistant = _assistant(knowledge_dir)
    for e in assistant.kb.entries:
        flag = "⚠" if e.confidence == "check" else " "
        click.echo(f"{flag} {e.id:30} {len(e.questions):3} câu hỏi  {e.reviewed}  {e.title}")


# --- the bot -----------------------------------------------------------------------------
@main.command()
def run() -> None:
    """Chạy bot Telegram (long polling, hoặc webhook khi có WEBHOOK_URL).

    Không có TELEGRAM_BOT_TOKEN thì mở trò chuyện trong terminal.
    """
    settings = _settings()
    if not settings.token and settings.web_port is not None:
        click.echo(messages.WEB_ONLY.format(port=settings.web_port), err=True)
        _serve_web(settings, settings.web_host, settings.web_port)
        return
    if not settings.token:
        click.echo("Chưa có TELEGRAM_BOT_TOKEN: mở chế độ trò chuyện trong terminal.", err=True)
        ctx = click.get_current_context()
        ctx.invoke(chat, knowledge_dir=None)
        return
    from bot.storage.database import DatabaseCorrupt
    from bot.storage.dblock import DatabaseBusy
    from handlers.telegram.app import run_bot

    try:
        run_bot(settings)  # holds the database's lock: restore waits for it to stop
    except (DatabaseBusy, DatabaseCorrupt) as exc:
        raise click.ClickException(str(exc)) from exc
    except OSError as exc:  # the web chat's port is taken
        raise click.ClickException(messages.WEB_PORT_BUSY.format(
            host=settings.web_host, port=settings.web_port, error=exc.strerror or exc)) from exc


@main.command()
@click.option("--host", help="Địa chỉ lắng nghe (mặc định: CAREERBOT_WEB_HOST, 127.0.0.1).")
@click.option("--port", type=click.IntRange(1, 65535),
              help="Cổng (mặc định: CAREERBOT_WEB_PORT, 8080).")
def web(host: str | None, port: int | None) -> None:
    """Chạy trò chuyện trên web: trang chat, widget nhúng vào website của trường và API JSON."""
    from bot.config import DEFAULT_WEB_PORT

    settings = _settings()
    _serve_web(settings, host or settings.web_host, port or settings.web_port or DEFAULT_WEB_PORT)


def _serve_web(settings: Settings, host: str, port: int) -> None:
    from bot import logs
    from bot.bootstrap import running
    from bot.storage.database import DatabaseCorrupt
    from bot.storage.dblock import DatabaseBusy
    from handlers.web.server import run_web

    logs.configure(settings.log_level, settings.log_json, settings.token,
                   settings.webhook_secret)
    # which file, as the data commands say it: a log line, so JSON logs stay JSON
    logging.getLogger("careerbot").info(messages.CLI_DATABASE.format(
        path=database_path(settings)), extra={"event": "start"})
    try:
        with running(settings) as core:  # one process writes the database
            run_web(core, host, port)
        # One line at the end, whatever LOG_LEVEL says (bench/web_load.py reads it).
        click.echo(f"careerbot web stopped; {core.svc.assistant.cache.stats().line()}",
                   err=True)
    except (DatabaseBusy, DatabaseCorrupt) as exc:
        raise click.ClickException(str(exc)) from exc
    except knowledge.KnowledgeError as exc:
        raise click.ClickException(messages.ERR_KNOWLEDGE.format(count=len(exc.problems))) \
            from exc
    except OSError as exc:
        raise click.ClickException(messages.WEB_PORT_BUSY.format(
            host=host, port=port, error=exc.strerror or exc)) from exc


# --- operating it ------------------------------------------------------------------------------
@main.command()
def health() -> None:
    """Kiểm tra cấu hình, kiến thức, khảo sát và cơ sở dữ liệu (không dùng mạng)."""
    from bot.health import run_checks

    checks = run_checks()
    for check in checks:
        click.echo(f"{'OK ' if check.ok else 'LỖI'} {check.name}: {check.detail}")
    if not all(check.ok for check in checks):
        raise SystemExit(1)


@main.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(file: Path) -> None:
    """Sao lưu cơ sở dữ liệu vào FILE (an toàn khi bot đang chạy)."""
    from bot.storage.backup import BackupError, backup

    settings = _settings()
    try:
        pages = backup(settings.db_path, file)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Đã sao lưu {settings.db_path} vào {file} ({pages} trang).")


@main.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Không hỏi lại.")
def restore_command(file: Path, yes: bool) -> None:
    """Khôi phục cơ sở dữ liệu từ FILE (hãy dừng bot trước)."""
    from bot.storage.backup import BackupError, check_backup, restore
    from bot.storage.dblock import DatabaseBusy

    settings = _settings()
    try:
        check_backup(file)
        if not yes:
            click.confirm(f"Thay toàn bộ {settings.db_path} bằng {file}? Bot phải đang dừng.",
                          abort=True)
        version = restore(file, settings.db_path)
    except (BackupError, DatabaseBusy) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Đã khôi phục {settings.db_path} từ {file} (lược đồ v{version}).")


for _command in (export_command, report_command, schools_group, staff_group):
    main.add_command(_command)
