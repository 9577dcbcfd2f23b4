"""``govreport serve``, ``govreport users …`` and ``govreport review …`` (the queue in a terminal).

    govreport users add alice --role reviewer            # asks for the password twice
    govreport users disable alice                        # no login; her sessions end now
    echo "$PW" | govreport users add bob --role admin --password-stdin
    govreport serve --db sqlite:///govreport.db --port 8000
    govreport review next --user alice                   # claim the most urgent item, print it
    govreport review show --user alice                   # the item you hold: relations, suggestions
    govreport review set review.total 11 --user alice    # save a correction (KEY in that report)
    govreport review accept --user alice                 # the printed value is right

``--db`` defaults to ``$GOVREPORT_DB`` or ``sqlite:///govreport.db``; ``--user`` to
``$GOVREPORT_USER``. The terminal commands act as a registered reviewer (``users add``) and go
to the database directly. A save is refused (exit 1) if someone else changed the field since
you claimed or read it: your claim protects the version you were shown; without a live claim
``--version N`` (printed by ``show``) states which version you mean.
"""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

from extractor.commands.db import DbOpt, checked_url
from extractor.store.engine import DEFAULT_URL

MAX_ID = 2**63 - 1  # ids and versions are 64-bit database integers: larger ones are a usage error (exit 2)
UserOpt = Annotated[str, typer.Option("--user", "-u", envvar="GOVREPORT_USER", help="Your reviewer name (see `govreport users add`)")]


def _fail(msg: str, code: int = 1):
    sys.stderr.write(f"govreport: {msg}\n")
    raise typer.Exit(code)


def _open(db: str):
    from extractor.store import open_store

    checked_url(db)
    try:
        return open_store(db)
    except Exception as e:  # a bad URL, an unreachable server
        _fail(f"cannot open the database {db}: {e}", 2)


# --- serve -----------------------------------------------------------------------------------

SECURITY_LOGGER = "govreport"  # govreport.review: login failures, throttling, locks


def log_security_events(level: int | None = None):
    """Send the server's own records (logger ``govreport``: failed logins, throttling, locks, with
    account and client address) to stderr, one line each, whatever the root logger does.

    ``extractor.cli`` gives the root logger only a ``NullHandler`` (library warnings such as
    pdfminer's stay off the terminal); this handler sits on ``govreport`` alone and does not
    propagate, so it re-enables nothing else. Idempotent; returns the handler."""
    import logging

    class StderrHandler(logging.StreamHandler):
        @property
        def stream(self):  # the current sys.stderr (tests and uvicorn may swap it)
            return sys.stderr

        @stream.setter
        def stream(self, _value):
            pass

    logger = logging.getLogger(SECURITY_LOGGER)
    for h in logger.handlers:
        if getattr(h, "_govreport_security", False):
            return h
    handler = StderrHandler()
    handler._govreport_security = True
    handler.setFormatter(logging.Formatter("%(asctime)s govreport %(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(level if level is not None else logging.INFO)
    logger.propagate = False
    return handler



def serve_command(
    db: DbOpt = DEFAULT_URL,
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
    cache_dir: Annotated[Optional[str], typer.Option(help="Where page crops are cached (default: beside the SQLite file, or ~/.cache/govreport/crops)")] = None,
    secure_cookies: Annotated[bool, typer.Option(help="Send the session cookie over HTTPS only (behind a TLS proxy)")] = False,
) -> None:
    """Serve the review queue (web pages and a JSON API) until interrupted."""
    import uvicorn

    from extractor.review.app import create_app

    store = _open(db)
    log_security_events()
    app = create_app(store, cache_dir=cache_dir, secure_cookies=secure_cookies)
    from extractor.review.auth import list_users

    if not list_users(store):
        sys.stderr.write("govreport: no reviewers yet: add one with `govreport users add NAME --role admin`\n")
    sys.stderr.write(f"govreport: review queue on http://{host}:{port}/ ({store.url})\n")
    uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=False)


# --- users -----------------------------------------------------------------------------------

users_app = typer.Typer(help="Reviewers of the review queue.", no_args_is_help=True)


def _password(password_stdin: bool) -> str:
    if password_stdin:
        pw = sys.stdin.readline().rstrip("\r\n")
        if not pw:
            _fail("no password on stdin", 2)
        return pw
    return typer.prompt("Password", hide_input=True, confirmation_prompt=True)


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="Login name")],
    role: Annotated[str, typer.Option("--role", help="reader (browse, export), reviewer or admin")] = "reviewer",
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from stdin (one line)")] = False,
    db: DbOpt = DEFAULT_URL,
) -> None:
    """Add a reviewer (the password is stored as an argon2 hash)."""
    from extractor.review.auth import ROLES, UserError, add_user

    if role not in ROLES:
        _fail(f"--role must be one of {', '.join(ROLES)}", 2)
    store = _open(db)
    try:
        user = add_user(store, name, _password(password_stdin), role)
    except UserError as e:
        _fail(str(e))
    sys.stdout.write(f"added {user.name} ({user.role})\n")


@users_app.command("passwd")
def users_passwd(
    name: Annotated[str, typer.Argument(help="Login name")],
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from stdin (one line)")] = False,
    db: DbOpt = DEFAULT_URL,
) -> None:
    """Set a reviewer's password."""
    from extractor.review.auth import UserError, set_password

    store = _open(db)
    try:
        set_password(store, name, _password(password_stdin))
    except UserError as e:
        _fail(str(e))
    sys.stdout.write(f"password of {name} changed; every session of {name} ended\n")


@users_app.command("disable")
def users_disable(
    name: Annotated[str, typer.Argument(help="Login name")],
    db: DbOpt = DEFAULT_URL,
) -> None:
    """Disable a user: no login, and every open session of the user ends at once."""
    _set_disabled(db, name, True)
    sys.stdout.write(f"{name} disabled; every session of {name} ended\n")


@users_app.command("enable")
def users_enable(
    name: Annotated[str, typer.Argument(help="Login name")],
    db: DbOpt = DEFAULT_URL,
) -> None:
    """Enable a disabled user again."""
    _set_disabled(db, name, False)
    sys.stdout.write(f"{name} enabled\n")


def _set_disabled(db: str, name: str, disabled: bool) -> None:
    from extractor.review.auth import UserError, set_disabled

    store = _open(db)
    try:
        set_disabled(store, name, disabled)
    except UserError as e:
        _fail(str(e))


@users_app.command("list")
def users_list(db: DbOpt = DEFAULT_URL) -> None:
    """List the reviewers."""
    from extractor.review.auth import list_users

    for u in list_users(_open(db)):
        flag = "\tdisabled" if u.disabled else ""
        sys.stdout.write(f"{u.name}\t{u.role}{flag}\n")


# --- review ----------------------------------------------------------------------------------

review_app = typer.Typer(help="The review queue in the terminal.", no_args_is_help=True)


def _reviewer(store, name: str):
    from extractor.review.auth import get_user

    if not name:
        _fail("say who you are: --user NAME (or $GOVREPORT_USER)", 2)
    user = get_user(store, name)
    if user is None or user.disabled:
        _fail(f"no reviewer named {name!r}: add one with `govreport users add {name}`", 2)
    return user


def _v(v) -> str:
    return "—" if v is None else str(v)


def format_item(it) -> str:
    """An item as text: where it is, its value, its relations now, suggestions and history."""
    i = it.item
    out = [
        f"{it.agency or '?'} · {it.year or '?'}   (report {i.report_id}, field {i.field_id})   {it.title or ''}".rstrip(),
        f"{i.key}   {i.label}",
        f"  value {_v(i.value)}   raw {i.raw!r}   confidence "
        f"{'—' if i.confidence is None else f'{i.confidence:.3f}'}   page {_v(it.page)}   version {i.version}",
    ]
    state = i.state
    if i.state == "claimed":
        state += f" by {i.claimed_by} until {i.claim_expires:%H:%M:%S} UTC"
    if i.state == "done":
        state += f" by {i.reviewed_by} (printed {_v(i.printed)})"
    out.append(f"  state {state}")
    if it.relations:
        out.append("relations now (reviewed values applied):")
        for r in it.relations:
            mark = {"ok": "ok    ", "broken": "BROKEN", "missing": "missing"}[r.status]

            def terms(ts):
                return " + ".join(f"{'[' if t.current else ''}{t.label} {_v(t.value)}{']' if t.current else ''}{'*' if t.reviewed else ''}" for t in ts)

            out.append(f"  {mark} {r.id}: {terms(r.lhs_terms)} = {terms(r.rhs_terms)}   ({_v(r.lhs)} vs {_v(r.rhs)})")
    if it.suggestions:
        out.append("suggestions:")
        for s in it.suggestions:
            out.append(f"  {s.number}) {_v(s.suggested)}   p={s.probability:.2f}   {s.kind}   restores {', '.join(s.restores)}")
    else:
        out.append("suggestions: none")
    if it.history:
        out.append("history:")
        for a in it.history:
            out.append(f"  {a.at:%Y-%m-%d %H:%M:%S} {a.who} {a.how}: {_v(a.old)} → {_v(a.new)}{'  ' + a.note if a.note else ''}")
    out.append(f"next: govreport review accept | govreport review set {i.key} VALUE")
    return "\n".join(out) + "\n"


@review_app.command("next")
def review_next(
    user: UserOpt = "",
    db: DbOpt = DEFAULT_URL,
    agency: Annotated[Optional[str], typer.Option(help="Only reports whose agency contains this")] = None,
    year: Annotated[Optional[int], typer.Option(help="Only reports of this year")] = None,
    rule: Annotated[Optional[str], typer.Option(help="Only fields of broken relations of this rule")] = None,
) -> None:
    """Claim the most urgent open item (releasing the one you held) and print it. Exit 1 when nothing is open."""
    from extractor.review import queue as Q

    store = _open(db)
    u = _reviewer(store, user)
    try:
        f = Q.Filters(agency=agency, year=year, rule=rule)
    except ValueError as e:
        _fail(str(e), 2)
    fi = Q.claim_next(store, u.name, f)
    if fi is None:
        _fail("nothing open in the queue")
    sys.stdout.write(format_item(Q.item(store, fi.id, u.name, f)))


def _target(store, who: str, key: Optional[str], report: Optional[int]):
    """The field meant: KEY in --report, else KEY in the report of your current item, else your current item."""
    from extractor.review import queue as Q
    from extractor.store import NotFound

    cur = Q.current_claim(store, who)
    if key is None and report is None:
        if cur is None:
            _fail("you hold no item: run `govreport review next` (or give KEY and --report)")
        return cur
    rid = report if report is not None else (cur.report_id if cur is not None else None)
    if rid is None:
        _fail("you hold no item: give --report ID with KEY, or run `govreport review next`")
    if key is None:
        _fail("give the KEY of the field in that report", 2)
    try:
        return store.field_by_key(rid, key)
    except NotFound as e:
        _fail(str(e))


@review_app.command("show")
def review_show(
    key: Annotated[Optional[str], typer.Argument(help="A field key (default: the item you hold)")] = None,
    report: Annotated[Optional[int], typer.Option("--report", min=1, max=MAX_ID, help="Report id (default: that of the item you hold)")] = None,
    user: UserOpt = "",
    db: DbOpt = DEFAULT_URL,
) -> None:
    """Print the item you hold (or KEY): value, raw text, confidence, relations now, suggestions, history."""
    from extractor.review import queue as Q

    store = _open(db)
    u = _reviewer(store, user)
    fi = _target(store, u.name, key, report)
    sys.stdout.write(format_item(Q.item(store, fi.id, u.name)))


def _save(store, who: str, fi, how: str, value, version: Optional[int], *, admin: bool = False,
          confirm: bool = False) -> None:
    from extractor.review import queue as Q
    from extractor.store import ClaimedByOther, StaleVersion

    live = fi.claimed_by == who and fi.claim_expires is not None and fi.claim_expires > Q.utcnow()
    if not live and fi.reviewed_by is None:  # hold it now: nobody else may be in the middle of it
        try:
            held = Q.claim(store, fi.id, who, admin=admin)
        except ClaimedByOther as e:
            _fail(f"not saved: {e.claimed_by} holds {fi.key} until {e.expires:%H:%M:%S} UTC")
        except Q.NotPermitted as e:
            _fail(f"not saved: {e}")
        if version is None:
            fi = held
    if version is None:
        version = fi.version
    try:
        saved = Q.save(store, fi.id, who, how, value, expected_version=version, admin=admin,
                       confirm_out_of_range=confirm)
    except StaleVersion as e:
        now = store.field(fi.id)
        _fail(
            f"not saved: {fi.key} changed meanwhile (you had version {e.expected}, it is at {e.actual}: "
            f"now {_v(now.effective_value)}{' by ' + now.reviewed_by if now.reviewed_by else ''}); "
            f"`govreport review show {fi.key} --report {fi.report_id}` and try again"
        )
    except ClaimedByOther as e:
        _fail(f"not saved: {e.claimed_by} holds {fi.key} until {e.expires:%H:%M:%S} UTC")
    except Q.NotPermitted as e:
        _fail(f"not saved: {e}")
    except Q.ReviewError as e:
        _fail(f"not saved: {e}", 2)
    old = fi.effective_value
    sys.stdout.write(f"saved {saved.key}: {_v(old)} → {_v(saved.reviewed_value)} ({how}, version {saved.version})\n")
    for r in Q.relations_now(store, saved.report_id, saved.key):
        sys.stdout.write(f"  {r.id}: {'holds' if r.status == 'ok' else r.status} ({_v(r.lhs)} vs {_v(r.rhs)})\n")


@review_app.command("set")
def review_set(
    key: Annotated[str, typer.Argument(help="Field key, in the report of the item you hold (or --report)")],
    value: Annotated[str, typer.Argument(help="The right value")],
    report: Annotated[Optional[int], typer.Option("--report", min=1, max=MAX_ID, help="Report id")] = None,
    version: Annotated[Optional[int], typer.Option("--version", min=0, max=MAX_ID, help="The version you read (refused if it changed)")] = None,
    confirm_out_of_range: Annotated[bool, typer.Option("--confirm-out-of-range", help="Admins: save a value outside the field's plausible range on purpose")] = False,
    user: UserOpt = "",
    db: DbOpt = DEFAULT_URL,
) -> None:
    """Save a correction typed by you; the printed value is kept beside it. A value that is not a
    bounded number for the field (exponent, 16+ digits, negative, other scripts' digits) exits 2."""
    store = _open(db)
    u = _reviewer(store, user)
    fi = _target(store, u.name, key, report)
    _save(store, u.name, fi, "typed", value, version, admin=u.is_admin, confirm=confirm_out_of_range)


@review_app.command("accept")
def review_accept(
    key: Annotated[Optional[str], typer.Argument(help="Field key (default: the item you hold)")] = None,
    report: Annotated[Optional[int], typer.Option("--report", min=1, max=MAX_ID, help="Report id")] = None,
    version: Annotated[Optional[int], typer.Option("--version", min=0, max=MAX_ID, help="The version you read (refused if it changed)")] = None,
    confirm_out_of_range: Annotated[bool, typer.Option("--confirm-out-of-range", help="Admins: accept a printed value outside the field's plausible range")] = False,
    user: UserOpt = "",
    db: DbOpt = DEFAULT_URL,
) -> None:
    """Accept the value as printed (it is right)."""
    store = _open(db)
    u = _reviewer(store, user)
    fi = _target(store, u.name, key, report)
    _save(store, u.name, fi, "accept", None, version, admin=u.is_admin, confirm=confirm_out_of_range)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve_command)
    app.add_typer(users_app, name="users")
    app.add_typer(review_app, name="review")
