"""The ``govreport`` command: a thin typer app over the library API.

Each area adds its own commands through a ``register(app)`` function in its ``cli`` module, so
this file stays a table of contents.
"""

from __future__ import annotations

import importlib
import sys

import typer

app = typer.Typer(
    name="govreport",
    help="Extract the tables of government information-disclosure annual reports into data.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)



@app.callback()
def _root() -> None:
    """Extract the tables of government information-disclosure annual reports into data."""


# modules that add commands; each has register(app)
COMMAND_MODULES = [
    "extractor.commands.extract",
    "extractor.ingest.cli",
    "extractor.review.cli",
]


def _register_all() -> None:
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as e:
            if e.name == name:  # that area is not built in this install
                continue
            raise
        module.register(app)


_register_all()


def main() -> None:
    """Console entry point. Usage errors exit 2 (click's convention)."""
    try:
        app()
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(130)


if __name__ == "__main__":
    main()
