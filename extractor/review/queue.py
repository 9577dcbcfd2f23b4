"""The review queue over the store: which fields go to people, claiming, saving, re-evaluating.

An item is a stored field that is either flagged by the extractor (``status = review``) or a
term of a broken hard relation of its report (``checks.status = broken``, severity error).
Priority: tier 0 — in a broken relation and flagged or suggested for repair; tier 1 — in a
broken relation; tier 2 — flagged only; within a tier the lowest confidence first.

States: ``open`` (not reviewed, no live claim by someone else), ``claimed`` (not reviewed, a
live claim), ``done`` (a person set a reviewed value).

Claiming the next item takes one transaction; on PostgreSQL the candidate row is locked with
``SELECT … FOR UPDATE SKIP LOCKED`` so reviewers asking at once get different items; on SQLite
the transaction is ``BEGIN IMMEDIATE`` (writers are serialised). Saving goes through
``Store.review_field`` (version check: a stale save raises ``StaleVersion`` and writes
nothing), then re-evaluates the report's relations and repair suggestions with the reviewed
values applied and rewrites its check and suggestion rows.

These queries read the store's tables directly (``extractor.store.schema``): the store has no
queue query that knows about broken relations.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import and_, case, delete, func, insert, or_, select, update

from extractor.review.schemas import (
    AuditOut,
    ItemOut,
    OtherSourceOut,
    QueueItem,
    QueueOut,
    RelationNow,
    ReportGroup,
    SuggestionOut,
    Term,
    jv,
)
from extractor.store import ClaimedByOther, FieldInfo, NotFound, StaleVersion, Store
from extractor.store.schema import CheckRow, Document, FieldRow, Report, SuggestionRow
from extractor.store.store import Store as _Store
from models.extraction import Check, CheckStatus
from models.fields import Layout, spec_for
from models.relations import RULES, relations

F = FieldRow.__table__
R = Report.__table__
C = CheckRow.__table__
S = SuggestionRow.__table__
D = Document.__table__

CLAIM_TTL = timedelta(minutes=10)
MAX_CANDIDATES = 20000  # flagged-only fields read per queue query (lowest confidence first)
# the rules of the in-document hard relations: what re-evaluation recomputes
HARD_RULES = tuple(sorted({r.rule for lay in Layout for r in relations(lay)}))


class ReviewError(Exception):
    """A save the queue refuses (bad value, unknown suggestion); the message is for people."""


class NotPermitted(ReviewError):
    """The user may not do this (a reviewer saving an item they do not hold, changing a value
    another reviewer reviewed, claiming a field that is not in the queue)."""


def in_queue(store: Store, fi: FieldInfo) -> bool:
    """Is the field an item of the queue: flagged by the extractor, or a term of a broken hard
    relation of its report?"""
    if fi.status == "review":
        return True
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(C.c.fields).where(C.c.report_id == fi.report_id, C.c.status == CheckStatus.BROKEN.value,
                                     func.coalesce(C.c.severity, "error") == "error")
        ).all()
    return any(fi.key in (r.fields or []) for r in rows)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _aware(dt: datetime | None) -> datetime | None:
    if dt is not None and dt.tzinfo is None:
        return dt.replace(tzinfo=timezone.utc)
    return dt


def label_of(key: str) -> str:
    """``table 三 › （三）不予公开 › 1.属于国家秘密 › 自然人``: where the field is printed."""
    try:
        spec = spec_for(key)
    except KeyError:
        return key
    parts = [f"表{spec.table.value}" if spec.table.value in "二三四" else spec.table.value]
    if spec.group:
        parts.append(spec.group)
    parts.append(spec.row_label)
    if spec.column_label:
        parts.append(spec.column_label)
    return " › ".join(parts)


def short_label(key: str) -> str:
    try:
        spec = spec_for(key)
    except KeyError:
        return key
    return f"{spec.row_label} · {spec.column_label}" if spec.column_label else spec.row_label


MAX_AGENCY_FILTER = 200


@dataclass(frozen=True)
class Filters:
    agency: str | None = None  # substring of the agency name
    year: int | None = None
    rule: str | None = None  # a rule id of models.relations.RULES
    state: str = "open"  # open | claimed | done | all
    report_id: int | None = None

    def __post_init__(self):
        if self.state not in ("open", "claimed", "done", "all"):
            raise ValueError(f"state must be open, claimed, done or all, not {self.state!r}")
        if self.rule is not None and self.rule not in RULES:
            raise ValueError(f"unknown rule {self.rule!r}: one of {', '.join(RULES)}")
        if self.agency is not None and len(self.agency) > MAX_AGENCY_FILTER:
            # SQLite refuses a LIKE pattern over 50,000 bytes ("pattern too complex"); no agency
            # name is anywhere near this long
            raise ValueError(f"the agency filter has {len(self.agency):,} characters, at most {MAX_AGENCY_FILTER}")


def _report_conds(f: Filters) -> list:
    conds = []
    if f.agency:
        conds.append(func.lower(R.c.agency).contains(f.agency.strip().lower(), autoescape=True))
    if f.year is not None:
        conds.append(R.c.year == f.year)
    if f.report_id is not None:
        conds.append(R.c.id == f.report_id)
    return conds


def _state_of(row, now: datetime) -> str:
    if row.reviewed_by is not None:
        return "done"
    exp = _aware(row.claim_expires)
    if row.claimed_by is not None and exp is not None and exp > now:
        return "claimed"
    return "open"


def _rule_keys(rule: str) -> set[str]:
    return {k for lay in Layout for r in relations(lay) if r.rule == rule for k in r.keys}


def queue_items(store: Store, filters: Filters = Filters(), *, who: str | None = None, limit: int = 1000) -> list[QueueItem]:
    """The items of the queue in priority order (see the module docstring).

    ``who``: with state ``open``, items claimed by ``who`` themselves count as open.
    """
    now = utcnow()
    rep_conds = _report_conds(filters)
    with store.engine.connect() as conn:
        bq = (
            select(C.c.report_id, C.c.relation, C.c.rule, C.c.fields)
            .select_from(C.join(R, R.c.id == C.c.report_id))
            .where(C.c.status == CheckStatus.BROKEN.value, func.coalesce(C.c.severity, "error") == "error", *rep_conds)
        )
        if filters.rule:
            bq = bq.where(C.c.rule == filters.rule)
        broken: dict[tuple[int, str], list[tuple[str, str]]] = {}
        for r in conn.execute(bq):
            for k in r.fields or []:
                broken.setdefault((r.report_id, k), []).append((r.relation, r.rule))

        live_claim = and_(F.c.claimed_by.is_not(None), F.c.claim_expires > now)
        if filters.state == "open":
            free = ~live_claim if who is None else or_(~live_claim, F.c.claimed_by == who)
            state_cond = and_(F.c.reviewed_by.is_(None), or_(F.c.claimed_by.is_(None), free))
        elif filters.state == "claimed":
            state_cond = and_(F.c.reviewed_by.is_(None), live_claim)
        elif filters.state == "done":
            state_cond = F.c.reviewed_by.is_not(None)
        else:
            state_cond = None

        cols = (
            F.c.id, F.c.report_id, F.c.key, F.c.value_text, F.c.value_type, F.c.reviewed_value, F.c.reviewed_by,
            F.c.raw, F.c.confidence, F.c.status, F.c.claimed_by, F.c.claim_expires, F.c.version,
        )
        base = select(*cols).select_from(F.join(R, R.c.id == F.c.report_id)).where(*rep_conds)
        if state_cond is not None:
            base = base.where(state_cond)
        rows = {}
        # 1) terms of broken relations (few: a handful per report)
        b_reports = sorted({rid for rid, _ in broken})
        b_keys = sorted({k for _, k in broken})
        for i in range(0, len(b_reports), 500):
            chunk = b_reports[i : i + 500]
            for r in conn.execute(base.where(F.c.report_id.in_(chunk), F.c.key.in_(b_keys))):
                if (r.report_id, r.key) in broken:
                    rows[r.id] = r
        # 2) flagged fields (and, for done, every reviewed field)
        if filters.state == "done":
            q2 = base
            if filters.rule:
                q2 = q2.where(F.c.key.in_(sorted(_rule_keys(filters.rule))))
        elif filters.rule:
            q2 = None  # a rule filter keeps only terms of broken relations of that rule
        else:
            q2 = base.where(F.c.status == "review")
        if q2 is not None:
            for r in conn.execute(q2.order_by(F.c.confidence, F.c.id).limit(MAX_CANDIDATES)):
                rows.setdefault(r.id, r)
        suggested = set()
        if rows:
            rids = sorted({r.report_id for r in rows.values()})
            for i in range(0, len(rids), 500):
                for s in conn.execute(select(S.c.report_id, S.c.field_key).where(S.c.report_id.in_(rids[i : i + 500]))):
                    suggested.add((s.report_id, s.field_key))

    from extractor.store.codec import decode_for_key, decode_value

    items: list[QueueItem] = []
    for r in rows.values():
        rels = broken.get((r.report_id, r.key), [])
        printed = decode_value(r.value_text, r.value_type)
        value = decode_for_key(r.key, r.reviewed_value) if r.reviewed_by is not None else printed
        has_sugg = (r.report_id, r.key) in suggested
        tier = 0 if rels and (r.status == "review" or has_sugg) else 1 if rels else 2
        items.append(
            QueueItem(
                field_id=r.id, report_id=r.report_id, key=r.key, label=label_of(r.key), value=jv(value),
                printed=jv(printed), raw=r.raw, confidence=r.confidence, status=r.status,
                state=_state_of(r, now), claimed_by=r.claimed_by, claim_expires=_aware(r.claim_expires),
                reviewed_by=r.reviewed_by, version=r.version, broken_relations=sorted({x for x, _ in rels}),
                rules=sorted({y for _, y in rels}), has_suggestion=has_sugg, tier=tier,
            )
        )
    items.sort(key=priority)
    return items[:limit]


def priority(item: QueueItem) -> tuple:
    conf = item.confidence if item.confidence is not None else -1.0
    return (item.tier, conf, item.report_id, item.field_id)


def grouped(store: Store, items: list[QueueItem]) -> list[ReportGroup]:
    """Items grouped by report; groups in the order of their most urgent item."""
    order: list[int] = []
    by_report: dict[int, list[QueueItem]] = {}
    for it in items:
        if it.report_id not in by_report:
            order.append(it.report_id)
            by_report[it.report_id] = []
        by_report[it.report_id].append(it)
    meta = {}
    if order:
        with store.engine.connect() as conn:
            for r in conn.execute(select(R.c.id, R.c.agency, R.c.year, R.c.title).where(R.c.id.in_(order))):
                meta[r.id] = r
    out = []
    for rid in order:
        m = meta.get(rid)
        out.append(
            ReportGroup(
                report_id=rid, agency=m.agency if m else None, year=m.year if m else None,
                title=m.title if m else None, items=by_report[rid],
            )
        )
    return out


def queue(store: Store, filters: Filters = Filters(), *, who: str | None = None, limit: int = 1000) -> QueueOut:
    items = queue_items(store, filters, who=who, limit=limit)
    return QueueOut(state=filters.state, total=len(items), groups=grouped(store, items))


# --- claiming ----------------------------------------------------------------------------------


def _write_conn(store: Store):
    conn = store.engine.connect()
    if store.dialect == "sqlite":
        conn = conn.execution_options(immediate=True)
    return conn


def claim_next(
    store: Store, who: str, filters: Filters = Filters(), *, exclude: Iterable[int] = (), ttl: timedelta = CLAIM_TTL
) -> FieldInfo | None:
    """Claim the most urgent open item for ``who`` (releasing any other claim ``who`` holds).

    Returns None when nothing is open. Two reviewers asking at once get different items
    (PostgreSQL: ``FOR UPDATE SKIP LOCKED``; SQLite: writers serialised).
    """
    exclude = set(exclude)
    f = Filters(agency=filters.agency, year=filters.year, rule=filters.rule, state="open", report_id=filters.report_id)
    candidates = [it.field_id for it in queue_items(store, f, who=who, limit=MAX_CANDIDATES) if it.field_id not in exclude]
    if not candidates:
        return None
    now = utcnow()
    free = or_(F.c.claimed_by.is_(None), F.c.claim_expires < now, F.c.claimed_by == who)
    chosen = None
    with _write_conn(store) as conn:
        with conn.begin():
            for i in range(0, len(candidates), 100):
                chunk = candidates[i : i + 100]
                rank = case({fid: n for n, fid in enumerate(chunk)}, value=F.c.id)
                q = select(F.c.id).where(F.c.id.in_(chunk), F.c.reviewed_by.is_(None), free).order_by(rank).limit(1)
                if store.dialect == "postgresql":
                    q = q.with_for_update(skip_locked=True)
                chosen = conn.execute(q).scalar()
                if chosen is not None:
                    break
            if chosen is None:
                return None
            conn.execute(update(F).where(F.c.id == chosen).values(claimed_by=who, claim_expires=now + ttl))
            conn.execute(
                update(F).where(F.c.claimed_by == who, F.c.id != chosen).values(claimed_by=None, claim_expires=None)
            )
    return store.field(chosen)


def claim(store: Store, field_id: int, who: str, *, ttl: timedelta = CLAIM_TTL, admin: bool = False) -> FieldInfo:
    """Claim one field for ``who`` (``ClaimedByOther`` if someone else holds it) and release
    the other claims ``who`` holds: a reviewer holds one item at a time. A reviewer (not an
    admin) may claim only an unreviewed item of the queue (``NotPermitted`` otherwise)."""
    if not admin:
        cur = store.field(field_id)
        if cur.reviewed_by is not None:
            raise NotPermitted(f"{cur.key} was reviewed by {cur.reviewed_by}; only an admin may change it")
        if not in_queue(store, cur):
            raise NotPermitted(f"{cur.key} is not in the review queue; only an admin may review it")
    fi = store.claim(field_id, who, ttl=ttl)
    release_others(store, who, keep=field_id)
    return fi


def release_others(store: Store, who: str, *, keep: int | None = None) -> None:
    with _write_conn(store) as conn:
        with conn.begin():
            q = update(F).where(F.c.claimed_by == who)
            if keep is not None:
                q = q.where(F.c.id != keep)
            conn.execute(q.values(claimed_by=None, claim_expires=None))


def current_claim(store: Store, who: str) -> FieldInfo | None:
    """The unreviewed field ``who`` holds a live claim on (the most recently claimed)."""
    now = utcnow()
    with store.engine.connect() as conn:
        fid = conn.execute(
            select(F.c.id)
            .where(F.c.claimed_by == who, F.c.claim_expires > now, F.c.reviewed_by.is_(None))
            .order_by(F.c.claim_expires.desc(), F.c.id)
            .limit(1)
        ).scalar()
    return store.field(fid) if fid is not None else None


# --- the item and its relations now ---------------------------------------------------------


def relations_now(store: Store, report_id: int, key: str | None = None) -> list[RelationNow]:
    """The report's hard relations (those ``key`` is a term of, if given) evaluated now, with
    the reviewed values applied."""
    from extractor.validate import run_checks

    ext = store.load_extraction(report_id, reviewed=True)
    finfo = {f.key: f for f in store.fields_of(report_id)}
    out = []
    for c in run_checks(ext):
        if key is not None and key not in c.fields:
            continue
        out.append(_relation_now(c, finfo, key))
    return out


def _relation_now(c: Check, finfo: dict[str, FieldInfo], current: str | None) -> RelationNow:
    rel = next((r for lay in Layout for r in relations(lay) if r.id == c.relation), None)
    lhs_keys = rel.lhs if rel else tuple(c.fields[:1])
    rhs_keys = rel.rhs if rel else tuple(c.fields[1:])

    def term(k: str) -> Term:
        fi = finfo.get(k)
        return Term(
            key=k, label=short_label(k), value=jv(fi.effective_value) if fi else None,
            reviewed=bool(fi and fi.reviewed_by is not None), current=k == current, field_id=fi.id if fi else None,
        )

    return RelationNow(
        id=c.relation, rule=c.rule, description=c.description, lhs_terms=[term(k) for k in lhs_keys],
        rhs_terms=[term(k) for k in rhs_keys], lhs=c.lhs, rhs=c.rhs, difference=c.difference, status=c.status.value,
    )


def other_sources(store: Store, report_id: int, key: str) -> list[OtherSourceOut]:
    """The same field as the report's other source prints it (a web page and its own attachment),
    where the two disagree: the other report, its field (reviewed value applied) and the check."""
    out = []
    for other_id, c in store.source_checks_of(report_id):
        if c.rule == store.SAME_REPORT or key not in c.fields or c.status != CheckStatus.BROKEN:
            continue
        try:
            of = store.field_by_key(other_id, key)
        except NotFound:
            continue
        try:
            this_path = store.document(store.report(report_id).document_id).path
        except NotFound:
            this_path = None
        out.append(OtherSourceOut(
            report_id=other_id, field_id=of.id, value=jv(of.effective_value), printed=jv(of.value),
            reviewed_by=of.reviewed_by, name=_source_name(store, other_id),
            kind="attachment" if _is_page(this_path) else "page", description=c.description,
        ))
    return out


def _is_page(path: str | None) -> bool:
    return str(path or "").lower().rsplit(".", 1)[-1] in ("html", "htm", "shtml", "xhtml")


def _source_name(store: Store, report_id: int) -> str | None:
    try:
        path = store.document(store.report(report_id).document_id).path
    except NotFound:
        return None
    return str(path).replace("\\", "/").rsplit("/", 1)[-1] if path else None


def suggestions_for(store: Store, report_id: int, key: str) -> list[SuggestionOut]:
    """Up to three repairs for a field: the extractor's (by rank), then, where the report's other
    source (page vs attachment) prints the field differently, that source's value (kind
    ``other-source``)."""
    sugg = [s for s in store.suggestions_of(report_id) if s.field == key]
    sugg.sort(key=lambda s: (s.rank, -s.probability))
    seen, out = set(), []
    for o in other_sources(store, report_id, key):
        if o.value is None or o.value in seen or len(out) == 3:
            continue
        try:
            printed = jv(store.field_by_key(report_id, key).value)
        except NotFound:
            printed = None
        if o.value == printed:
            continue
        seen.add(o.value)
        out.append(SuggestionOut(number=len(out) + 1, suggested=o.value, printed=printed, probability=0.5,
                                 kind="other-source", rank=0, restores=[f"sources-agree:{key}"]))
    for s in sugg:
        v = jv(s.suggested)
        if v in seen:
            continue
        seen.add(v)
        out.append(
            SuggestionOut(
                number=len(out) + 1, suggested=v, printed=jv(s.printed), probability=s.probability,
                kind=str(s.kind.value if hasattr(s.kind, "value") else s.kind), rank=s.rank, restores=list(s.restores),
            )
        )
        if len(out) == 3:
            break
    return out


def history(store: Store, report_id: int, key: str | None = None) -> list[AuditOut]:
    return [
        AuditOut(id=a.id, field_key=a.field_key, who=a.who, at=a.at, how=a.how, old=jv(a.old_value),
                 new=jv(a.new_value), note=a.note)
        for a in store.audit_log(report_id=report_id, key=key)
    ]


def queue_item(store: Store, fi: FieldInfo) -> QueueItem:
    """One field as a queue item (whether or not it is in the queue now)."""
    now = utcnow()
    with store.engine.connect() as conn:
        rels = conn.execute(
            select(C.c.relation, C.c.rule, C.c.fields).where(
                C.c.report_id == fi.report_id, C.c.status == CheckStatus.BROKEN.value,
                func.coalesce(C.c.severity, "error") == "error",
            )
        ).all()
        has_sugg = conn.execute(
            select(func.count()).where(S.c.report_id == fi.report_id, S.c.field_key == fi.key)
        ).scalar() > 0
    rels = [(r.relation, r.rule) for r in rels if fi.key in (r.fields or [])]
    tier = 0 if rels and (fi.status == "review" or has_sugg) else 1 if rels else 2
    state = "done" if fi.reviewed_by is not None else (
        "claimed" if fi.claimed_by and fi.claim_expires and fi.claim_expires > now else "open"
    )
    return QueueItem(
        field_id=fi.id, report_id=fi.report_id, key=fi.key, label=label_of(fi.key), value=jv(fi.effective_value),
        printed=jv(fi.value), raw=fi.raw, confidence=fi.confidence, status=fi.status, state=state,
        claimed_by=fi.claimed_by if state == "claimed" else None, claim_expires=fi.claim_expires if state == "claimed" else None,
        reviewed_by=fi.reviewed_by, version=fi.version, broken_relations=sorted({x for x, _ in rels}),
        rules=sorted({y for _, y in rels}), has_suggestion=has_sugg, tier=tier,
    )


def neighbours(store: Store, field_id: int, who: str, filters: Filters = Filters()) -> tuple[int | None, int | None]:
    """(previous, next) item ids around ``field_id`` in the open queue as ``who`` sees it."""
    f = Filters(agency=filters.agency, year=filters.year, rule=filters.rule, state="open", report_id=filters.report_id)
    ids = [it.field_id for it in queue_items(store, f, who=who)]
    if field_id in ids:
        i = ids.index(field_id)
        return (ids[i - 1] if i > 0 else None, ids[i + 1] if i + 1 < len(ids) else None)
    return (None, ids[0] if ids else None)


def item(store: Store, field_id: int, who: str, filters: Filters = Filters(), *, crop_url: str = "") -> ItemOut:
    fi = store.field(field_id)
    rep = store.report(fi.report_id)
    prev_id, next_id = neighbours(store, field_id, who, filters)
    return ItemOut(
        item=queue_item(store, fi), agency=rep.agency, year=rep.year, title=rep.title, page=fi.page,
        bbox=fi.bbox.model_dump() if fi.bbox else None, source=fi.source, provenance=fi.provenance,
        reviewed_value=jv(fi.reviewed_value) if fi.reviewed_by is not None else None, reviewed_at=fi.reviewed_at,
        relations=relations_now(store, fi.report_id, fi.key), suggestions=suggestions_for(store, fi.report_id, fi.key),
        history=history(store, fi.report_id, fi.key), crop_url=crop_url or f"/items/{fi.id}/crop.png",
        other_sources=other_sources(store, fi.report_id, fi.key),
        prev_id=prev_id, next_id=next_id,
    )


# --- saving ----------------------------------------------------------------------------------


def save(
    store: Store,
    field_id: int,
    who: str,
    how: str,
    value=None,
    *,
    expected_version: int | None,
    suggestion: int | None = None,
    admin: bool = False,
    confirm_out_of_range: bool = False,
) -> FieldInfo:
    """Save a review and re-evaluate the report.

    ``how``: ``accept`` (the printed value is right), ``suggestion`` (take suggestion number
    ``suggestion`` — 1–3 as listed for the item — or the suggested ``value``), ``typed`` (a
    correction). Raises ``StaleVersion`` (someone changed the field since ``expected_version``),
    ``ClaimedByOther``, ``NotFound`` or ``ReviewError`` (a value that does not fit the field);
    nothing is written then.

    Permissions: a reviewer (not ``admin``) saves only an item they hold — a free, unreviewed
    item of the queue is claimed for them first; a field outside the queue or reviewed by
    someone else raises ``NotPermitted``. An admin may change any field; changing another
    person's reviewed value is noted in the audit log.

    Every number goes through the bounded parser (``extractor.mapping.numbers``). A value
    outside its field's plausible range (counts 0…10⁹) — typed, or printed and accepted — is
    saved only by an admin (``admin``) who confirms it (``confirm_out_of_range``); the audit
    note records the confirmation.
    """
    from extractor.mapping.numbers import OutOfRange
    from extractor.store.codec import parse_value_for_key

    fi = store.field(field_id)
    note = None
    if expected_version is not None and fi.version != expected_version:
        raise StaleVersion(field_id, expected_version, fi.version)
    expires = _aware(fi.claim_expires)
    if fi.claimed_by not in (None, who) and expires is not None and expires > utcnow():
        raise ClaimedByOther(field_id, fi.claimed_by, expires)
    if how == "suggestion":
        options = suggestions_for(store, fi.report_id, fi.key)
        chosen = None
        if suggestion is not None:
            chosen = next((s for s in options if s.number == suggestion), None)
            if chosen is None:
                raise ReviewError(f"{fi.key} has no suggestion {suggestion}")
            if value not in (None, "") and str(jv(_parse(fi.key, value))) != str(chosen.suggested):
                raise ReviewError(f"suggestion {suggestion} is {chosen.suggested}, not {value}")
        else:
            if value in (None, ""):
                raise ReviewError("taking a suggestion needs its number or its value")
            wanted = str(jv(_parse(fi.key, value)))
            chosen = next((s for s in options if str(s.suggested) == wanted), None)
            if chosen is None:
                raise ReviewError(f"{value} is not a suggestion for {fi.key}")
        value = chosen.suggested
        note = ((note + "; ") if note else "") + (
            f"suggestion {chosen.number}: p={chosen.probability:.3f} ({chosen.kind}), restores {', '.join(chosen.restores) or '—'}")
    elif how == "typed":
        if value is None or str(value).strip() == "":
            raise ReviewError("type a value (or accept the printed one)")
    elif how != "accept":
        raise ReviewError(f"how must be accept, suggestion or typed, not {how!r}")
    checked = fi.value if how == "accept" else value
    allow = admin and confirm_out_of_range
    try:
        if checked is not None:
            parse_value_for_key(fi.key, checked)
    except OutOfRange as e:
        if not allow:
            hint = ("an admin must confirm it (confirm_out_of_range)" if not admin
                    else "confirm it explicitly (confirm_out_of_range) if it is what the report prints")
            raise ReviewError(f"{e}; {hint}") from None
        note = (note + "; " if note else "") + f"admin confirmed an out-of-range value ({e.low:,}…{e.high:,})"
    except ValueError as e:
        raise ReviewError(str(e)) from None
    # permissions, once the value is known to fit (a bad value gets its own reason first)
    if fi.reviewed_by is not None and fi.reviewed_by != who:
        if not admin:
            raise NotPermitted(f"{fi.key} was reviewed by {fi.reviewed_by}; only an admin may change it")
        note = f"admin changed a value reviewed by {fi.reviewed_by}" + (f"; {note}" if note else "")
    elif fi.reviewed_by is None and fi.claimed_by != who and not admin:
        # a reviewer saves only what they hold: a free item of the queue is claimed for them
        # first (so a save never lands on a field outside the queue or held by someone else)
        claim(store, field_id, who)
    try:
        saved = store.review_field(
            field_id, value, who=who, how=how, expected_version=expected_version, note=note,
            allow_out_of_range=allow,
        )
    except ValueError as e:
        raise ReviewError(str(e)) from None
    reevaluate(store, fi.report_id)
    return saved


def _parse(key: str, value):
    from extractor.store.codec import decode_for_key, parse_value_for_key

    try:
        return decode_for_key(key, parse_value_for_key(key, value))
    except ValueError as e:
        raise ReviewError(str(e)) from None


def reevaluate(store: Store, report_id: int) -> list[Check]:
    """Validate the report again with the reviewed values applied (``extractor.validate``):
    rewrite its check rows (of the hard rules; narrative checks are kept), its suggestion rows
    (none for a reviewed field), and the ``status``/``confidence`` of its fields nobody reviewed
    (a field that was flagged only as a repair candidate of a relation that now holds leaves the
    queue). ``version`` is not bumped: it guards values, and no value changes here.

    Serialised per report (PostgreSQL: a row lock on the report; SQLite: the write lock), so
    the re-evaluation after the last save sees every save."""
    from extractor.validate import validate

    with _write_conn(store) as conn:
        with conn.begin():
            if store.dialect == "postgresql":
                conn.execute(select(R.c.id).where(R.c.id == report_id).with_for_update())
            ext = store.load_extraction(report_id, reviewed=True)
            rows = {
                r.key: r for r in conn.execute(
                    select(F.c.id, F.c.key, F.c.status, F.c.confidence, F.c.reviewed_by).where(F.c.report_id == report_id)
                )
            }
            reviewed = {k for k, r in rows.items() if r.reviewed_by is not None}
            try:
                validate(ext)
                checks, suggestions = ext.checks, ext.suggestions
            except Exception:  # validation must not block a save: at least the relations
                from extractor.validate import run_checks

                checks, suggestions = run_checks(ext), []
                ext = None
            checks = [c for c in checks if c.rule in HARD_RULES]
            suggestions = [s for s in suggestions if s.field not in reviewed]
            conn.execute(delete(C).where(C.c.report_id == report_id, C.c.rule.in_(HARD_RULES)))
            if checks:
                conn.execute(insert(C), [_Store._check_row(report_id, c) for c in checks])
            conn.execute(delete(S).where(S.c.report_id == report_id))
            if suggestions:
                conn.execute(insert(S), [_Store._suggestion_row(report_id, s) for s in suggestions])
            if ext is not None:
                for key, f in ext.fields.items():
                    r = rows.get(key)
                    if r is None or key in reviewed:
                        continue
                    status = f.status.value if hasattr(f.status, "value") else str(f.status)
                    if status != r.status or (r.confidence is None or abs(f.confidence - r.confidence) > 1e-9):
                        conn.execute(update(F).where(F.c.id == r.id).values(status=status, confidence=f.confidence))
    return checks


__all__ = [
    "CLAIM_TTL", "Filters", "NotFound", "ReviewError", "claim", "claim_next", "current_claim", "grouped", "history",
    "item", "label_of", "queue", "queue_item", "queue_items", "reevaluate", "relations_now", "release_others",
    "save", "suggestions_for",
]
