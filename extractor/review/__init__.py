"""The review queue: a FastAPI web app and a terminal CLI over the store.

Fields the extractor is not sure of (``status: review``) and the fields of broken relations go
to people. Modules:

``auth``      reviewers (argon2 hashes), the session secret, CSRF tokens
``queue``     the queue queries, claiming (``FOR UPDATE SKIP LOCKED`` on PostgreSQL), saving and
              re-evaluating a report's relations with the reviewed values applied
``crop``      page crops around a field's box, rendered from the stored PDF, cached on disk
``app``       the app factory (``create_app``) and the login/CSRF plumbing
``routes``    HTML pages and the JSON API
``cli``       ``govreport serve``, ``govreport users …``, ``govreport review …``
"""

__all__ = ["create_app"]


def __getattr__(name):  # the web stack is imported only when asked for
    if name == "create_app":
        from extractor.review.app import create_app

        return create_app
    raise AttributeError(name)
