"""The search index: one entry per indexed object, its bigrams and its filter values.

Plain tables and B-tree indexes only, so the same schema and queries run on SQLite and
PostgreSQL (docs/decisions/0008-japanese-search.md). Internal tables, never shown to
people (no admin), so their names are not translated.
"""

from django.contrib.contenttypes.models import ContentType
from django.db import models


class IndexEntry(models.Model):
    """One indexed object: who it is, who may see it, and its text (original and normalised).

    The original text is kept so that snippets quote what the author wrote; the
    normalised text is what queries are verified against.
    """

    # The unique (content_type, object_id) constraint indexes content_type already.
    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    object_id = models.CharField(max_length=64)
    language = models.CharField("language", max_length=16)
    visibility = models.CharField("visibility", max_length=32)
    title = models.TextField("title")
    body = models.TextField("body", blank=True)
    title_norm = models.TextField()
    body_norm = models.TextField(blank=True)
    indexed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "search index entry"
        verbose_name_plural = "search index entries"
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"], name="textsearch_entry_unique_object"
            ),
        ]
        indexes = [
            models.Index(fields=["visibility", "language"], name="textsearch_entry_vis_lang"),
        ]

    def __str__(self):
        return f"{self.title} ({self.content_type_id}:{self.object_id})"


class IndexGram(models.Model):
    """A character bigram (kana folded) of an entry's title or body. One row per distinct
    (entry, field, gram); looked up by gram, deleted by entry."""

    class Field(models.IntegerChoices):
        TITLE = 1, "title"
        BODY = 2, "body"

    pk = models.CompositePrimaryKey("entry", "field", "gram")
    # The primary key (entry, field, gram) already indexes entry: no separate FK index.
    entry = models.ForeignKey(
        IndexEntry, on_delete=models.CASCADE, related_name="grams", db_index=False
    )
    field = models.PositiveSmallIntegerField(choices=Field.choices)
    gram = models.CharField(max_length=2)

    class Meta:
        indexes = [models.Index(fields=["gram", "entry"], name="textsearch_gram_lookup")]

    def __str__(self):
        return self.gram


class IndexFilter(models.Model):
    """One value of one filter of an entry (``theme=housing``); a list gives several rows."""

    pk = models.CompositePrimaryKey("entry", "key", "value")
    entry = models.ForeignKey(
        IndexEntry, on_delete=models.CASCADE, related_name="filter_values", db_index=False
    )
    key = models.CharField(max_length=64)
    value = models.CharField(max_length=200)

    class Meta:
        indexes = [models.Index(fields=["key", "value"], name="textsearch_filter_lookup")]

    def __str__(self):
        return f"{self.key}={self.value}"
