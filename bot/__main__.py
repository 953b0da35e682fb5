"""`python -m bot`: the same as the `careerbot` command."""

from bot.cli import main

if __name__ == "__main__":  # a worker process (bot/builds.py) imports this module too
    main()
