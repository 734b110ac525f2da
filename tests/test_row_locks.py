"""Row locks take only the rows they mean to lock.

On PostgreSQL ``select_for_update()`` combined with ``select_related()`` locks every joined
row too (the user, the course page and its Wagtail page). Eight requests issuing one
certificate then locked those rows in different orders and deadlocked (seen in CI). Every
such chain must say ``of=("self",)``.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [ROOT / "lms", ROOT / "cms"]


def _chain(call: ast.Call):
    """The method calls of one queryset chain, outermost first."""
    node = call
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        yield node.func.attr, node
        node = node.func.value


def unscoped_locks(source: str, filename: str = "<source>"):
    offences = []
    for node in ast.walk(ast.parse(source, filename)):
        if not isinstance(node, ast.Call):
            continue
        chain = dict(_chain(node))
        lock = chain.get("select_for_update")
        if lock is None or "select_related" not in chain:
            continue
        if not any(keyword.arg == "of" for keyword in lock.keywords):
            offences.append(f"{filename}:{lock.lineno}")
    return sorted(set(offences))


def test_the_check_finds_an_unscoped_lock_and_accepts_a_scoped_one():
    bad = "Enrollment.objects.select_for_update().select_related('user').get(pk=1)"
    good = "Enrollment.objects.select_for_update(of=('self',)).select_related('user').get(pk=1)"
    plain = "Enrollment.objects.select_for_update().get(pk=1)"
    assert unscoped_locks(bad) == ["<source>:1"]
    assert unscoped_locks(good) == []
    assert unscoped_locks(plain) == []


def test_no_lock_with_joined_rows_locks_more_than_its_own_table():
    offences = []
    for base in SOURCES:
        for path in sorted(base.rglob("*.py")):
            if "migrations" in path.parts:
                continue
            offences += unscoped_locks(path.read_text(), str(path.relative_to(ROOT)))
    assert offences == []
