"""`python -m bot`: the same as the `careerbot` command."""

from bot.cli import main

main()
