"""`python -m bot`: the same as the `careerbot` command."""

if __name__ == "__main__":  # a worker process (bot/builds.py) imports this module too
    from handlers.cli.main import main  # the command line is an edge, not the core

    main()
