"""Japanese full-text search over any registered model, on SQLite and PostgreSQL alike.

Wagtail's database backend (SQLite FTS5, PostgreSQL tsvector) does not segment Japanese,
so this app keeps its own character-bigram index (docs/decisions/0008-japanese-search.md).
It knows nothing about page types: higher apps register their models with it.

Register (in a higher app's ``AppConfig.ready()``)::

    from cms import textsearch

    textsearch.register(
        LessonPage,
        title=lambda page: page.title,
        body=lambda page: textsearch.streamfield_text(page.body),
        visibility=lambda page: "public",           # any string ≤ 32 chars
        filters=lambda page: {"theme": ["housing", "place"], "level": "intro"},
        language=lambda page: page.locale.language_code,
        live=lambda page: page.live,                 # not live → kept out of the index
        queryset=None,   # optional: a callable returning the queryset hits are fetched from
    )
    textsearch.connect_page_signals(LessonPage)      # publish → index; unpublish/delete → unindex
    # textsearch.connect_model_signals(Model)        # plain models: post_save / post_delete

``unregister(model)`` undoes both; ``registered(model, **options)`` is a context manager
for tests. Registering a model again replaces its registration.

Write::

    index_object(obj) -> IndexEntry | None    # idempotent, one transaction
    unindex_object(obj) -> int                # idempotent
    reindex_all(models=None) -> dict          # also `python manage.py textsearch_reindex`

Read::

    results = search(
        "空き家 活用",
        visibilities={"public"},        # the caller decides what this user may see
        language="ja",                  # None: every language
        models=None,                    # None: every registered model
        filters={"theme": "housing"},   # AND across keys; a list means any of its values
        limit=20,
        offset=0,
    )
    results.total                       # every matching object, not just this page
    for hit in results.hits:            # best first; ties by title
        hit.object, hit.score, hit.title_html, hit.snippet_html  # HTML escaped, <mark>ed

Matching: the query is normalised (NFKC, case folding; ``ｻﾛﾝ`` = ``サロン``) and split on
spaces and punctuation into terms that must all match. A term matches contiguously
(hiragana in a query also matches katakana; katakana matches hiragana too in terms of
three or more characters) or, from four characters on, split into two or three parts of
two or more characters, at most six characters apart within one sentence (``共生サロン``
finds ``共生型のサロン運営``). Score per term: 3×sat(title occurrences) + sat(body
occurrences), sat(w) = 2w/(w+1), a split occurrence counting half: a title match always
outranks a body-only one. Ties go by title.

Helpers: ``normalize(text)``, ``streamfield_text(value)`` (plain text of a StreamField,
``RichText`` or rich-text HTML), ``html_to_text(html)``.

Cost: ``search()`` runs three queries plus one per model among the hits (plus one, once
per process, to look up content types), whatever the size of the index.
"""

from .normalize import normalize
from .registry import register, registered, registration_for, unregister
from .text import html_to_text, streamfield_text

_LAZY = {
    "index_object": "services",
    "unindex_object": "services",
    "reindex_all": "services",
    "search": "selectors",
    "SearchResults": "selectors",
    "SearchHit": "selectors",
    "connect_page_signals": "signals",
    "connect_model_signals": "signals",
    "disconnect_signals": "signals",
}


def __getattr__(name):
    # The model-backed parts load on first use, after the app registry is ready.
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "SearchHit",
    "SearchResults",
    "connect_model_signals",
    "connect_page_signals",
    "disconnect_signals",
    "html_to_text",
    "index_object",
    "normalize",
    "register",
    "registered",
    "registration_for",
    "reindex_all",
    "search",
    "streamfield_text",
    "unindex_object",
    "unregister",
]
