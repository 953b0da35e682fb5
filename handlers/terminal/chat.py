"""The terminal chat: type a question or a command, or the number of a choice."""

from __future__ import annotations

import asyncio
import sys
from typing import TextIO

from bot import intents as i
from bot import messages, wellformed
from bot.conversation import Conversation
from bot.people.accounts import Account
from bot.views import View, deferred, flatten
from handlers.terminal.render import render, wrap

QUIT = {"/thoat", "/quit", "/exit", "thoát", "thoat", "exit", "quit"}
DETAILS = {"/chitiet", "chi tiết", "chi tiet", "ct"}  # typed instead of the details number


class TerminalChat:
    """One person at a keyboard, talking to the same conversation core as Telegram."""

    def __init__(self, conversation: Conversation, account: Account,
                 stdin: TextIO | None = None, stdout: TextIO | None = None) -> None:
        self.conversation = conversation
        self.account = account
        self.stdin = stdin or sys.stdin
        self.stdout = stdout or sys.stdout
        self.choices: list[i.Intent] = []

    def say(self, text: str) -> None:
        print(text, file=self.stdout, flush=True)

    def read(self) -> str | None:
        self.stdout.write(messages.CHAT_PROMPT)
        self.stdout.flush()
        line = self.stdin.readline()
        # Bad bytes read with surrogateescape become lone surrogates: cleaned here, at the
        # boundary, so that SQLite and the screen never meet them.
        return None if line == "" else wellformed.scrub(line.strip())

    async def run(self) -> None:
        self.say("\n".join(wrap(messages.CHAT_WELCOME)))
        while (line := await asyncio.to_thread(self.read)) is not None:
            if line.lower() in QUIT:
                break
            await self.handle(line)
        self.say(messages.CHAT_BYE)

    async def handle(self, line: str) -> None:
        if line.isdigit():
            number = int(line)
            if not 1 <= number <= len(self.choices):
                self.say(messages.CHAT_NO_SUCH_CHOICE.format(n=number))
                return
            await self.show(await self.conversation.receive(self.account,
                                                            self.choices[number - 1]))
            return
        details = [c for c in self.choices if isinstance(c, i.Details)]
        if line.lower() in DETAILS and details:
            await self.show(await self.conversation.receive(self.account, details[0]))
            return
        command = i.command_intent(line)
        if line.startswith("/") and (command is None or not self.conversation.handles(command)):
            self.say(messages.CHAT_UNKNOWN_COMMAND)
        else:  # a command, a survey's typed answer, a message to the counsellor, a question
            await self.show(await self.conversation.receive(self.account, line))

    async def show(self, view: View) -> None:
        offered: list[i.Intent] = []
        for part in flatten(view):
            lines, intents = render(part, first=len(offered) + 1)
            if lines:
                self.say("\n".join(lines))
            offered.extend(intents)
        if offered:
            self.choices = offered
        for later in deferred(view):  # one person at a keyboard: wait for the file here
            await self.show(await later())
