"""`python -m bot`: the same as the `careerbot` command."""

from handlers.cli.main import main

if __name__ == "__main__":  # a worker process (bot/builds.py) imports this module too
    main()
