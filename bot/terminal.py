"""The terminal chat: the same engine as the bot, no token needed."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TextIO

from bot import messages
from bot.answers import Reply, Suggestion, plain_text
from bot.assistant import Assistant

QUIT = {"/thoat", "/quit", "/exit", "thoát", "thoat", "exit", "quit"}
DETAILS = {"/chitiet", "chi tiết", "chi tiet", "ct"}


class TerminalChat:
    """Prompt, answer, sources, numbered suggestions; a number opens that suggestion."""

    def __init__(self, assistant: Assistant, stdin: TextIO | None = None,
                 stdout: TextIO | None = None) -> None:
        self.assistant = assistant
        self.stdin = stdin or sys.stdin
        self.stdout = stdout or sys.stdout
        self.choices: list[Suggestion] = []
        self.last: Reply | None = None

    def say(self, text: str) -> None:
        print(text, file=self.stdout, flush=True)

    def read(self) -> str | None:
        self.stdout.write(messages.CHAT_PROMPT)
        self.stdout.flush()
        line = self.stdin.readline()
        return None if line == "" else line.strip()

    def run(self) -> None:
        self.say(messages.CHAT_WELCOME)
        while (line := self.read()) is not None:
            if line.lower() in QUIT:
                break
            self.handle(line)
        self.say(messages.CHAT_BYE)

    def handle(self, line: str) -> None:
        handlers: dict[str, Callable[[], None]] = {"/menu": self.menu, "/help": self.help}
        if line.lower() in handlers:
            handlers[line.lower()]()
        elif line.lower() in DETAILS and self.last and self.last.details:
            self.say(self.last.details)
        elif line.isdigit():
            self.pick(int(line))
        elif self.assistant.kb.get(line):
            self.show(self.assistant.topic(line))
        else:
            previous = self.last.entry_id if self.last else None
            self.show(self.assistant.answer(line, previous))

    def help(self) -> None:
        self.say(messages.CHAT_WELCOME)

    def pick(self, number: int) -> None:
        if not 1 <= number <= len(self.choices):
            self.say(messages.CHAT_NO_SUCH_CHOICE.format(n=number))
            return
        self.show(self.assistant.topic(self.choices[number - 1].id))

    def menu(self) -> None:
        self.choices = []
        for group in self.assistant.kb.menu:
            self.say(f"\n{group.title}")
            for topic_id in group.topics:
                entry = self.assistant.kb.get(topic_id)
                if entry is not None:
                    self.choices.append(Suggestion(entry.id, entry.title))
                    self.say(f"  {len(self.choices)}. {entry.title}")
        self.say(messages.CHAT_MENU_HINT)

    def show(self, reply: Reply | None) -> None:
        if reply is None:
            return
        if reply.entry_id is not None:  # the topic that follow-ups and "chi tiết" refer to
            self.last = reply
        self.say(plain_text(reply, numbered=True))
        if reply.details:
            self.say(f"({messages.CHAT_DETAILS_HINT})")
        self.choices = [*reply.also, *reply.suggestions] or self.choices
