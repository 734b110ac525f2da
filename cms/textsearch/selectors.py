"""Reads from the search index: ``search()``.

Queries, whatever the size of the index or the number of hits:

1. the candidates — entries the caller may see (visibility, language, models, filters)
   that hold every bigram the query requires (``GROUP BY entry HAVING COUNT(DISTINCT
   gram) = n``), with their normalised text;
2. the original body of the hits on the requested page (for snippets);
3. one query per model among those hits, to fetch the objects in bulk.

(Plus one the first time a process maps the registered models to content types.)
Candidates are then verified in Python against the normalised text (precision, the
split-word rule), scored and sorted.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, Model, OuterRef, Q
from django.utils.safestring import SafeString

from .highlight import highlight_title, snippet
from .matching import TermMatch, match_term, required_grams
from .models import IndexEntry, IndexFilter, IndexGram
from .normalize import katakana_of, split_terms
from .registry import registered_models, registration_for
from .services import filter_value

logger = logging.getLogger(__name__)

TITLE_WEIGHT = 3.0
MAX_TERMS = 10
MAX_QUERY_LENGTH = 200


@dataclass
class SearchHit:
    """One result: the object, its score, and escaped HTML to show."""

    object: Any
    score: float
    title_html: SafeString
    snippet_html: SafeString


@dataclass
class SearchResults:
    """A page of results and the total number of matching objects."""

    query: str
    terms: list[str]
    total: int = 0
    hits: list[SearchHit] = field(default_factory=list)

    def __iter__(self) -> Iterator[SearchHit]:
        return iter(self.hits)

    def __len__(self) -> int:
        return len(self.hits)


def _saturate(weight: float) -> float:
    """1 for one occurrence, rising towards 2: many repetitions do not swamp a title."""
    return 2 * weight / (weight + 1)


def score_matches(title: list[TermMatch], body: list[TermMatch]) -> float:
    """Σ over terms of 3×sat(title occurrences) + sat(body occurrences).

    ``sat(w) = 2w / (w + 1)`` and a split occurrence counts 0.5, so a term in the title
    (≥ 2) always outweighs the same term in the body only (< 2), and contiguous beats split.
    """
    return sum(
        TITLE_WEIGHT * _saturate(t.weight) + _saturate(b.weight)
        for t, b in zip(title, body, strict=True)
    )


def _single_char_q(char: str) -> Q:
    variants = [char] + ([katakana_of(char)] if katakana_of(char) else [])
    q = Q()
    for variant in variants:
        q |= Q(title_norm__contains=variant) | Q(body_norm__contains=variant)
    return q


def _filter_values(value) -> list[str] | None:
    values = value if isinstance(value, list | tuple | set | frozenset) else [value]
    values = [filter_value(v) for v in values if v is not None and v != ""]
    return values or None


def search(
    query: str,
    *,
    visibilities: Iterable[str],
    language: str | None = None,
    models: Iterable[type[Model]] | None = None,
    filters: dict | None = None,
    limit: int = 20,
    offset: int = 0,
) -> SearchResults:
    """Find registered objects matching every term of ``query`` (see the package docs)."""
    if isinstance(visibilities, str):
        raise TypeError("visibilities must be a set of strings, e.g. {'public'}, not a string")
    offset = max(0, offset)
    terms = split_terms((query or "")[:MAX_QUERY_LENGTH])[:MAX_TERMS]
    results = SearchResults(query=query or "", terms=terms)
    visibilities = set(visibilities)
    if not terms or not visibilities or limit <= 0:
        return results

    model_list = list(models) if models is not None else registered_models()
    for model in model_list:
        registration = registration_for(model)
        if registration is None or registration.model is not model:
            raise ValueError(f"{model.__name__} is not registered with textsearch")
    if not model_list:
        return results
    content_types = ContentType.objects.get_for_models(*model_list)
    model_by_ct = {ct.pk: model for model, ct in content_types.items()}

    entries = IndexEntry.objects.filter(
        visibility__in=sorted(visibilities), content_type_id__in=sorted(model_by_ct)
    )
    if language:
        entries = entries.filter(language=language)
    for key, value in sorted((filters or {}).items()):
        values = _filter_values(value)
        if values is not None:
            entries = entries.filter(
                Exists(
                    IndexFilter.objects.filter(entry_id=OuterRef("pk"), key=key, value__in=values)
                )
            )
    grams: set[str] = set()
    for term in terms:
        if len(term) == 1:
            entries = entries.filter(_single_char_q(term))
        else:
            grams |= required_grams(term)
    if grams:
        having_all = (
            IndexGram.objects.filter(gram__in=sorted(grams))
            .values("entry_id")
            .annotate(found=Count("gram", distinct=True))
            .filter(found=len(grams))
            .values("entry_id")
        )
        entries = entries.filter(pk__in=having_all)

    scored = []
    for pk, ct_id, object_id, title, title_norm, body_norm in entries.values_list(
        "pk", "content_type_id", "object_id", "title", "title_norm", "body_norm"
    ):
        title_matches, body_matches = [], []
        for term in terms:
            in_title, in_body = match_term(term, title_norm), match_term(term, body_norm)
            if not (in_title or in_body):
                break
            title_matches.append(in_title)
            body_matches.append(in_body)
        else:
            score = score_matches(title_matches, body_matches)
            scored.append((-score, title, pk, ct_id, object_id))
    scored.sort()
    results.total = len(scored)
    page = scored[offset : offset + limit]
    if not page:
        return results

    page_pks = [row[2] for row in page]
    bodies = dict(IndexEntry.objects.filter(pk__in=page_pks).values_list("pk", "body"))
    objects: dict[tuple[int, str], Any] = {}
    wanted: dict[int, list[str]] = {}
    for _, _, _, ct_id, object_id in page:
        wanted.setdefault(ct_id, []).append(object_id)
    for ct_id, object_ids in wanted.items():
        model = model_by_ct[ct_id]
        pk_field = model._meta.pk
        queryset = registration_for(model).get_queryset()
        found = queryset.in_bulk([pk_field.to_python(oid) for oid in object_ids])
        for pk_value, obj in found.items():
            objects[(ct_id, str(pk_value))] = obj

    for negative_score, title, pk, ct_id, object_id in page:
        obj = objects.get((ct_id, object_id))
        if obj is None:
            logger.warning("textsearch: stale entry %s for %s:%s", pk, ct_id, object_id)
            continue
        results.hits.append(
            SearchHit(
                object=obj,
                score=round(-negative_score, 3),
                title_html=highlight_title(title, terms),
                snippet_html=snippet(bodies.get(pk, ""), terms),
            )
        )
    return results
