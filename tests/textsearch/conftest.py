"""Index django.contrib.auth Groups as documents: the engine knows no page types, so the
tests register a model that every database has and keep the text in Python."""

from dataclasses import dataclass, field

import pytest
from django.contrib.auth.models import Group

from cms.textsearch import index_object, registered

from .corpus import DOCS


@dataclass
class DocMeta:
    body: str = ""
    visibility: str = "public"
    language: str = "ja"
    filters: dict = field(default_factory=dict)
    live: bool = True


class Documents:
    """Creates Groups whose title is the group name and whose other fields live here."""

    def __init__(self):
        self.meta: dict[int, DocMeta] = {}

    def _get(self, group) -> DocMeta:
        return self.meta.get(group.pk, DocMeta())

    def options(self) -> dict:
        return {
            "title": lambda g: g.name,
            "body": lambda g: self._get(g).body,
            "visibility": lambda g: self._get(g).visibility,
            "language": lambda g: self._get(g).language,
            "filters": lambda g: self._get(g).filters,
            "live": lambda g: self._get(g).live,
        }

    def add(self, title, body="", *, index=True, **meta) -> Group:
        group = Group.objects.create(name=title)
        self.meta[group.pk] = DocMeta(body=body, **meta)
        if index:
            index_object(group)
        return group

    def change(self, group, *, index=True, **changes) -> Group:
        if "title" in changes:
            group.name = changes.pop("title")
            group.save()
        for name, value in changes.items():
            setattr(self.meta[group.pk], name, value)
        if index:
            index_object(group)
        return group


@pytest.fixture
def documents(db):
    docs = Documents()
    with registered(Group, **docs.options()):
        yield docs


@pytest.fixture
def corpus(documents):
    """The evaluation corpus, indexed; returns {doc key: Group}."""
    return {
        doc.key: documents.add(
            doc.title,
            doc.body,
            visibility=doc.visibility,
            language=doc.language,
            filters={"theme": list(doc.themes)},
        )
        for doc in DOCS
    }
