"""One simulated trainee's journey, and the ledger of what the server said it saved.

A trainee logs in through allauth's form, then repeats four steps until the deadline:

- **browse**: home, the catalogue (must link the course), the course page (must link the
  first lesson), the dashboard (マイページ);
- **lesson**: the next lesson in order (200: the trainee is enrolled) and, when the page
  offers it, 「完了にする」 (POST, 302);
- **quiz**: the quiz's start page, "start" (POST, 302 to the attempt; resumes an open one),
  then every question answered as the page shows it: one question per page with the form's
  "next" (lesson quiz), or each question through the page script's JSON save and then the
  form (quiz page); the confirmation page, "submit" (302 to the result) and the result;
- **fieldwork**: a new entry saved as a draft (302 to its edit page), reopened, completed
  and submitted for review (302 to the entry), and its page.

Every answer and entry the server confirmed (a 302 or ``{"ok": true}``) goes into the
ledger with what was sent, so bench.loadsim.verify can find it in the database. A request
that failed (an error status, no answer) may or may not have been saved: its values are
recorded as *uncertain* (either the old or the new value is acceptable afterwards). After
a failure the trainee moves on to the next step; a quiz step always starts with "start",
which resumes the attempt left open, as a person would reload the page.
"""

from __future__ import annotations

import datetime
import json
import random
import re
import threading
import time
from zoneinfo import ZoneInfo

from .client import Client, RequestFailed, Response
from .forms import Form, form_with_action, forms_of

ATTEMPT_RE = re.compile(r"^/quizzes/attempts/(\d+)/")
ENTRY_RE = re.compile(r"^/fieldwork/entries/(\d+)/")
SITE_ZONE = ZoneInfo("Asia/Tokyo")  # the site's TIME_ZONE: fieldwork dates are local dates

SHORT_ANSWERS = ["きっかけ", "キッカケ", "ばしょ", "わかりません"]
NUMBERS = ["3", "３", "2.5", "1,200"]
ESSAY = (
    "駅前の空き店舗を、一階は子どもと高齢者の居場所、二階は単身者向けの住まいにします。"
    "大家さんには見守りと家賃の相談窓口を引き受けることで応えます。（負荷試験 {who}）"
)


class Stop(Exception):
    """The run's deadline passed: no new request is started."""


class Ledger:
    """What the server confirmed, shared by all trainees (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.lessons: list[tuple[str, int]] = []
        self.attempts: dict[int, dict] = {}
        self.entries: dict[int, dict] = {}
        self.counts: dict[str, int] = {}

    def count(self, name: str) -> None:
        with self._lock:
            self.counts[name] = self.counts.get(name, 0) + 1

    def lesson_completed(self, email: str, lesson_id: int) -> None:
        with self._lock:
            self.lessons.append((email, lesson_id))
            self.counts["lessons completed"] = self.counts.get("lessons completed", 0) + 1

    def attempt(self, attempt_id: int, email: str, quiz_id: int) -> dict:
        with self._lock:
            return self.attempts.setdefault(
                attempt_id,
                {
                    "email": email,
                    "quiz_id": quiz_id,
                    "responses": {},
                    "uncertain": {},
                    "submitted": False,
                    "submit_uncertain": False,
                },
            )

    def answers_saved(self, attempt_id: int, responses: dict[int, dict], *, confirmed: bool):
        with self._lock:
            record = self.attempts[attempt_id]
            for position, response in responses.items():
                key = str(position)
                if confirmed:
                    record["responses"][key] = response
                    record["uncertain"].pop(key, None)
                    self.counts["answers saved"] = self.counts.get("answers saved", 0) + 1
                else:
                    candidates = record["uncertain"].setdefault(key, [])
                    if key in record["responses"] and record["responses"][key] not in candidates:
                        candidates.append(record["responses"][key])
                    candidates.append(response)

    def attempt_submitted(self, attempt_id: int, *, confirmed: bool) -> None:
        with self._lock:
            record = self.attempts[attempt_id]
            if confirmed:
                record["submitted"] = True
                record["submit_uncertain"] = False
                self.counts["attempts submitted"] = self.counts.get("attempts submitted", 0) + 1
            elif not record["submitted"]:
                record["submit_uncertain"] = True

    def entry_saved(self, entry_id: int, email: str, fields: dict, *, submitted: bool) -> None:
        with self._lock:
            record = self.entries.setdefault(
                entry_id,
                {"email": email, "fields": {}, "submitted": False, "uncertain": None},
            )
            record["fields"].update(fields)
            record["uncertain"] = None
            if submitted:
                record["submitted"] = True
                self.counts["entries submitted"] = self.counts.get("entries submitted", 0) + 1
            else:
                self.counts["drafts saved"] = self.counts.get("drafts saved", 0) + 1

    def entry_uncertain(self, entry_id: int, fields: dict, *, submit: bool) -> None:
        with self._lock:
            record = self.entries.get(entry_id)
            if record is not None and not record["submitted"]:
                record["uncertain"] = {"fields": fields, "submit": submit}

    def as_dict(self) -> dict:
        with self._lock:
            return {
                "lessons": [list(item) for item in self.lessons],
                "attempts": {str(k): v for k, v in self.attempts.items()},
                "entries": {str(k): v for k, v in self.entries.items()},
                "counts": dict(self.counts),
            }


def _csrf(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    return match.group(1) if match else ""


def _contains(text: str):
    def check(response: Response) -> str | None:
        return None if text in response.text else f"the page does not contain {text!r}"

    return check


def _redirect_matching(pattern: re.Pattern, what: str):
    def check(response: Response) -> str | None:
        if pattern.match(response.location):
            return None
        return f"expected a redirect to {what}, got {response.location!r}"

    return check


class Trainee:
    def __init__(
        self,
        *,
        number: int,
        email: str,
        password: str,
        site: dict,
        client: Client,
        ledger: Ledger,
        deadline: float,
        think: float,
        seed: int,
    ) -> None:
        self.number = number
        self.email = email
        self.password = password
        self.site = site
        self.client = client
        self.ledger = ledger
        self.deadline = deadline
        self.think = think
        self.rng = random.Random(seed)
        self.logged_in = False
        self.lesson_index = self.rng.randrange(max(len(site["lessons"]), 1))
        self.exhausted_quizzes: set[int] = set()
        self.failures = 0
        self.steps_done = 0

    # --- plumbing -----------------------------------------------------------------------------
    def _pause(self) -> None:
        if self.think > 0:
            delay = self.rng.uniform(0, 2 * self.think)
            if time.monotonic() + delay >= self.deadline:
                raise Stop
            time.sleep(delay)

    def _before_request(self) -> None:
        if time.monotonic() >= self.deadline:
            raise Stop

    def get(self, kind: str, path: str, **kwargs) -> Response:
        self._before_request()
        return self.client.get(kind, path, **kwargs)

    def post(self, kind: str, path: str, data, **kwargs) -> Response:
        self._before_request()
        return self.client.post(kind, path, data, **kwargs)

    def run(self) -> None:
        steps = [self.browse, self.lesson, self.quiz, self.fieldwork]
        self.rng.shuffle(steps)
        index = 0
        try:
            while time.monotonic() < self.deadline:
                if not self.logged_in:
                    step = self.log_in
                else:
                    step = steps[index % len(steps)]
                    index += 1
                try:
                    step()
                    self.steps_done += 1
                except RequestFailed as exc:
                    self.failures += 1
                    if exc.record.status == 302 and "/accounts/login/" in exc.record.detail:
                        self.logged_in = False  # the session was lost: log in again
                    # "Too many requests": a person waits a while before trying again.
                    wait = self.rng.uniform(10, 20) if exc.record.status == 429 else 0.5
                    time.sleep(min(wait, max(0.0, self.deadline - time.monotonic())))
                self._pause()
        except Stop:
            pass
        finally:
            self.client.close()

    # --- steps --------------------------------------------------------------------------------
    def log_in(self) -> None:
        path = self.site["login_path"]
        page = self.get("login-form", path)
        form = next((f for f in forms_of(page.text) if "login" in f.fields), None)
        if form is None:
            raise RequestFailed(self._content_error("login-form", path, "no login form"))
        data = [(k, v) for k, v in form.data() if k not in ("login", "password")]
        data += [("login", self.email), ("password", self.password)]
        self.post(
            "login",
            form.action or path,
            data,
            expect=(302,),
            referer=path,
            check=lambda r: "login failed" if r.location.startswith(path) else None,
        )
        self.logged_in = True

    def _content_error(self, kind: str, path: str, detail: str):
        from .client import RequestRecord

        now = time.monotonic()
        record = RequestRecord(kind, "GET", path, now, now, 200, "content", detail)
        self.client.recorder.add(record)
        return record

    def browse(self) -> None:
        course = self.site["course"]
        self.get("home", "/")
        self._pause()
        if course["catalogue_path"]:
            self.get("catalogue", course["catalogue_path"], check=_contains(course["path"]))
            self._pause()
        first_lesson = self.site["lessons"][0]["path"] if self.site["lessons"] else ""
        self.get("course", course["path"], check=_contains(first_lesson))
        self._pause()
        self.get("dashboard", "/learn/mypage/", check=_contains(course["path"]))

    def lesson(self) -> None:
        lessons = self.site["lessons"]
        if not lessons:
            return
        lesson = lessons[self.lesson_index % len(lessons)]
        self.lesson_index += 1
        page = self.get("lesson", lesson["path"])
        action = f"/learn/lessons/{lesson['id']}/complete/"
        if form_with_action(page.text, action) is None:
            return  # completed already: the page has no "complete" button
        self._pause()
        self.post(
            "lesson-complete",
            action,
            [("csrfmiddlewaretoken", _csrf(page.text))],
            expect=(302,),
            referer=lesson["path"],
        )
        self.ledger.lesson_completed(self.email, lesson["id"])

    # --- quizzes ------------------------------------------------------------------------------
    def _pick_quiz(self) -> dict | None:
        quizzes = [q for q in self.site["quizzes"] if q["id"] not in self.exhausted_quizzes]
        return self.rng.choice(quizzes) if quizzes else None

    def quiz(self) -> None:
        quiz = self._pick_quiz()
        if quiz is None:
            return
        start_page = self.get("quiz-start-page", quiz["start_path"])
        action = f"/quizzes/{quiz['id']}/start/"
        if form_with_action(start_page.text, action) is None:
            self.exhausted_quizzes.add(quiz["id"])  # no attempts left
            return
        self._pause()
        started = self.post(
            "quiz-start",
            action,
            [("csrfmiddlewaretoken", _csrf(start_page.text))],
            expect=(302,),
            referer=quiz["start_path"],
            check=_redirect_matching(ATTEMPT_RE, "the attempt"),
        )
        attempt_id = int(ATTEMPT_RE.match(started.location).group(1))
        self.ledger.attempt(attempt_id, self.email, quiz["id"])
        self.ledger.count("attempts started")
        attempt_path = f"/quizzes/attempts/{attempt_id}/"
        next_path = started.location
        for _ in range(50):  # a quiz has at most a few dozen questions
            self._pause()
            page = self.get("quiz-question", next_path, expect=(200, 302))
            if page.status == 302:  # closed meanwhile: the result
                return
            form = form_with_action(page.text, attempt_path)
            if form is None:
                raise RequestFailed(
                    self._content_error("quiz-question", next_path, "no attempt form")
                )
            buttons = {value for name, value in form.buttons if name == "action"}
            finishing = "next" not in buttons
            if quiz["layout"] != "one_per_page":
                self._save_by_script(attempt_id, form, referer=next_path)
                page = self.get("quiz-question", attempt_path)
                form = form_with_action(page.text, attempt_path)
                if form is None:
                    raise RequestFailed(
                        self._content_error("quiz-question", attempt_path, "no attempt form")
                    )
            data, responses = self._answer(form)
            data.append(("action", "finish" if finishing else "next"))
            try:
                saved = self.post("quiz-save", attempt_path, data, expect=(302,), referer=next_path)
            except RequestFailed:
                self.ledger.answers_saved(attempt_id, responses, confirmed=False)
                raise
            if "/result/" in saved.location:
                return  # closed by the time limit: the answers were refused
            self.ledger.answers_saved(attempt_id, responses, confirmed=True)
            next_path = saved.location
            if finishing:
                break
        self._finish(attempt_id, next_path)

    def _save_by_script(self, attempt_id: int, form: Form, *, referer: str) -> None:
        """Save each question as static/js/quiz.js does: POST .../save/, JSON answer."""
        version = form.value("version")
        csrf = form.value("csrfmiddlewaretoken")
        for position in form.fields["positions"].values:
            self._pause()
            data, responses = self._answer(form, only=[position])
            data = [(k, v) for k, v in data if k != "version"] + [("version", version)]
            data = [(k, v) for k, v in data if k != "csrfmiddlewaretoken"]
            data.append(("csrfmiddlewaretoken", csrf))
            try:
                reply = self.post(
                    "quiz-save-json",
                    f"/quizzes/attempts/{attempt_id}/save/",
                    data,
                    referer=referer,
                    check=lambda r: None if '"ok": true' in r.text else "not saved",
                )
            except RequestFailed:
                self.ledger.answers_saved(attempt_id, responses, confirmed=False)
                raise
            version = str(json.loads(reply.text)["version"])
            self.ledger.answers_saved(attempt_id, responses, confirmed=True)

    def _answer(self, form: Form, only: list[str] | None = None):
        """The form's data with an answer to each question shown, and the responses as the
        server stores them (``{position: response}``) for the ledger."""
        positions = only or form.fields["positions"].values
        answer_names = set()
        responses: dict[int, dict] = {}
        data: list[tuple[str, str]] = []
        for position in positions:
            prefix = f"q{position}-"
            fields = {n: f for n, f in form.fields.items() if n.startswith(prefix)}
            answer_names.update(fields)
            for name, f in fields.items():
                kind = name.removeprefix(prefix)
                if kind == "choice":
                    value = self.rng.choice(f.options)
                    data.append((name, value))
                    responses[int(position)] = {"choice": value}
                elif kind == "choices":
                    picked = self.rng.sample(f.options, self.rng.randint(1, len(f.options)))
                    data += [(name, value) for value in picked]
                    responses[int(position)] = {"choices": sorted(picked)}
                elif kind == "text":
                    if f.kind == "textarea":
                        text = ESSAY.format(who=self.email)
                    else:
                        text = self.rng.choice(SHORT_ANSWERS)
                    data.append((name, text))
                    responses[int(position)] = {"text": text}
                elif kind == "value":
                    value = self.rng.choice(NUMBERS)
                    data.append((name, value))
                    responses[int(position)] = {"value": value}
                elif kind == "order":
                    order = list(f.values)
                    self.rng.shuffle(order)
                    data += [(name, value) for value in order]
                    responses[int(position)] = {"order": order}
        rest = [
            (k, v)
            for k, v in form.data()
            if k not in answer_names and (k != "positions" or only is None or v in only)
        ]
        return rest + data, responses

    def _finish(self, attempt_id: int, confirm_path: str) -> None:
        finish_path = f"/quizzes/attempts/{attempt_id}/finish/"
        self._pause()
        page = self.get("quiz-confirm", confirm_path, expect=(200, 302))
        if page.status == 302:
            return
        form = form_with_action(page.text, finish_path)
        if form is None:
            raise RequestFailed(self._content_error("quiz-confirm", confirm_path, "no submit form"))
        self._pause()
        try:
            done = self.post(
                "quiz-submit",
                finish_path,
                form.data(),
                expect=(302,),
                referer=confirm_path,
                check=lambda r: None if r.location.endswith("/result/") else "not the result",
            )
        except RequestFailed:
            self.ledger.attempt_submitted(attempt_id, confirmed=False)
            raise
        self.ledger.attempt_submitted(attempt_id, confirmed=True)
        self._pause()
        self.get("quiz-result", done.location)

    # --- fieldwork ----------------------------------------------------------------------------
    def _entry_values(self, form: Form) -> dict[str, str]:
        prefectures = [v for v in form.fields["prefecture"].options if v]
        categories = [v for v in form.fields["category"].options if v]
        today = datetime.datetime.now(SITE_ZONE).date()
        return {
            "date": today.isoformat(),
            "hours": self.rng.choice(["0.25", "0.5", "0.75"]),
            "prefecture": self.rng.choice(prefectures),
            "municipality": self.rng.choice(["豊島区", "神戸市", "松本市", "鹿児島市"]),
            "site": "負荷試験の受入先",
            "category": self.rng.choice(categories),
            "activity": f"住民の方への聞き取りを行いました。（{self.email}）",
            "learned": "聞き取りの前に目的を伝えると、話が具体的になると学びました。",
            "next_steps": "次回は地域の集まりに参加します。",
        }

    def fieldwork(self) -> None:
        new_path = self.site["fieldwork"]["new_path"]
        page = self.get("fieldwork-new", new_path)
        form = form_with_action(page.text, new_path)
        if form is None:
            raise RequestFailed(self._content_error("fieldwork-new", new_path, "no entry form"))
        values = self._entry_values(form)
        draft = {k: values[k] for k in ("date", "hours", "prefecture", "municipality", "site")}
        data = [(k, v) for k, v in form.data() if k not in values]
        self._pause()
        saved = self.post(
            "fieldwork-draft",
            new_path,
            [*data, *draft.items(), ("action", "save")],
            expect=(302,),
            referer=new_path,
            check=_redirect_matching(ENTRY_RE, "the entry"),
        )
        entry_id = int(ENTRY_RE.match(saved.location).group(1))
        self.ledger.entry_saved(entry_id, self.email, draft, submitted=False)
        edit_path = f"/fieldwork/entries/{entry_id}/edit/"
        self._pause()
        page = self.get("fieldwork-edit", edit_path)
        form = form_with_action(page.text, edit_path)
        if form is None:
            raise RequestFailed(self._content_error("fieldwork-edit", edit_path, "no entry form"))
        if form.value("version") == "":
            raise RequestFailed(self._content_error("fieldwork-edit", edit_path, "no version"))
        if self.rng.random() < 0.5:
            values.update(
                supervisor_name="受入 担当",
                supervisor_email=f"supervisor-{self.number:03d}@example.com",
                supervisor_role="事務局",
            )
        data = [(k, v) for k, v in form.data() if k not in values]
        self._pause()
        try:
            self.post(
                "fieldwork-submit",
                edit_path,
                [*data, *values.items(), ("action", "submit")],
                expect=(302,),
                referer=edit_path,
                check=_redirect_matching(
                    re.compile(rf"^/fieldwork/entries/{entry_id}/$"), "the submitted entry"
                ),
            )
        except RequestFailed:
            self.ledger.entry_uncertain(entry_id, values, submit=True)
            raise
        self.ledger.entry_saved(entry_id, self.email, values, submitted=True)
        self._pause()
        self.get("fieldwork-entry", f"/fieldwork/entries/{entry_id}/")
