"""``govreport users token NAME [--revoke]``: API tokens for scripts (see ``extractor.service.tokens``).

    govreport users add robot --role reader --password-stdin < pw.txt
    govreport users token robot            # prints a new token, once; only its hash is stored
    curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8000/api/reports
    govreport users token robot --revoke   # every token of robot stops working
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from extractor.store.engine import DEFAULT_URL


def users_token(
    name: Annotated[str, typer.Argument(help="The user the token acts as (with that user's role)")],
    revoke: Annotated[bool, typer.Option("--revoke", help="Revoke every token of NAME instead")] = False,
    db: Annotated[str, typer.Option("--db", envvar="GOVREPORT_DB", help="Database URL: sqlite:///FILE.db or postgresql://USER@HOST/DB")] = DEFAULT_URL,
) -> None:
    """Print a new API token for NAME (send it as `Authorization: Bearer TOKEN`), or --revoke NAME's tokens."""
    from extractor.review.cli import _fail, _open
    from extractor.service.tokens import TokenError, create_token, revoke_tokens

    store = _open(db)
    try:
        if revoke:
            n = revoke_tokens(store, name)
            sys.stdout.write(f"revoked {n} token(s) of {name}\n")
        else:
            sys.stdout.write(create_token(store, name) + "\n")
    except TokenError as e:
        _fail(str(e))
    finally:
        store.close()


def register(app: typer.Typer) -> None:
    from extractor.review.cli import users_app

    users_app.command("token")(users_token)
