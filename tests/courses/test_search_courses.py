"""Courses are found by the Japanese search; lesson bodies are never indexed."""

import pytest

from cms import textsearch
from tests.factories.courses import course_tree

pytestmark = pytest.mark.django_db


def test_a_published_course_is_found_by_a_japanese_word_inside_a_sentence(site_tree):
    course = course_tree(
        site_tree,
        slug="akiya",
        title="まちの住まいづくり",
        summary_text="豊島区の空き家を活用したセーフティネット住宅の運営を学びます。",
    )
    course.save_revision().publish()
    results = textsearch.search("空き家", visibilities={"public"})
    assert [hit.object.pk for hit in results.hits] == [course.pk]
    assert "<mark>空き家</mark>" in results.hits[0].snippet_html


def test_lesson_text_is_not_searchable(site_tree):
    course_tree(site_tree, slug="akiya")  # lessons say 「空き家を活用した住まい」
    results = textsearch.search("住まい", visibilities={"public", "partners", "partners_trainees"})
    assert all(type(hit.object).__name__ != "LessonPage" for hit in results.hits)


def test_an_unpublished_course_leaves_the_index(site_tree):
    course = course_tree(site_tree, slug="salon", summary_text="共生型のサロン運営を学ぶ講座です。")
    course.save_revision().publish()
    assert textsearch.search("共生サロン", visibilities={"public"}).total == 1
    course.unpublish()
    assert textsearch.search("共生サロン", visibilities={"public"}).total == 0
