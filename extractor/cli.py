"""The ``govreport`` command: a thin typer app over the library API.

Each area adds its own commands through a ``register(app)`` function in its ``cli`` module, so
this file stays a table of contents.
"""

from __future__ import annotations

import importlib
import sys

import typer

_app = typer.Typer(
    name="govreport",
    help="Extract the tables of government information-disclosure annual reports into data.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)



@_app.callback()
def _root() -> None:
    """Extract the tables of government information-disclosure annual reports into data."""


# modules that add commands; each has register(app)
COMMAND_MODULES = [
    "extractor.commands.extract",
    "extractor.ingest.cli",
    "extractor.review.cli",
    "extractor.service.cli",
]
# a command that is the only one its process needs: ``govreport extract`` registers just its own
# module, so it never imports the database or web stack (start-up time: see README)
SOLO_COMMANDS = {"extract": "extractor.commands.extract"}


def _register_all(only: str | None = None) -> None:
    for name in [only] if only else COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as e:
            if e.name == name:  # that area is not built in this install
                continue
            raise
        module.register(_app)


_registered = False


def _ensure_registered(argv: list[str] | None = None) -> None:
    global _registered
    if _registered:
        return
    argv = sys.argv[1:] if argv is None else argv
    _register_all(SOLO_COMMANDS.get(argv[0]) if argv else None)
    _registered = True


def __getattr__(name):  # ``from extractor.cli import app`` (tests, embedding): every command
    if name == "app":
        _ensure_registered([])
        return _app
    raise AttributeError(name)


def main() -> None:
    """Console entry point. Usage errors exit 2 (click's convention)."""
    _ensure_registered()
    try:
        _app()
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(130)


if __name__ == "__main__":
    main()
