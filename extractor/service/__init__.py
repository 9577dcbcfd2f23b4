"""The extraction service: uploads over HTTP, background extraction, browsing and API tokens.

It plugs into the review app (``extractor.review.app.create_app`` calls ``install``). Modules:

``settings``  ``ServiceSettings``: limits, where uploads are kept, the engine (env ``GOVREPORT_*``)
``tokens``    API tokens (``Authorization: Bearer``; only a sha256 is stored), roles, the
              request principal (token or session) and the reader guard
``uploads``   storing submitted files (zip members unpacked), idempotent by sha256
``jobs``      the background runner: queued uploads → the ingest engine → the store; resumes
              after a restart
``browse``    report listing with filters/paging/sorting, the report JSON, exports
``tables``    the tables as printed (``extractor.render``) turned into HTML with links
``chart``     the agency page's SVG chart
``routes``    the API (``/api/documents``, ``/api/reports``, ``/api/export``) and the pages
              (``/upload``, ``/reports``, ``/reports/{id}``, ``/agencies/{name}``)
"""

__all__ = ["install"]


def __getattr__(name):  # the web stack is imported only when asked for
    if name == "install":
        from extractor.service.app import install

        return install
    raise AttributeError(name)
