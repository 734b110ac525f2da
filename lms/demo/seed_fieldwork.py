"""Demo fieldwork: activity categories, the requirement of the demo course, and a trainee's log.

* Five activity categories (住民ヒアリング, 共生サロン運営補助, 空き家調査, 多世代交流イベント,
  行政・事業者との協議).
* The demo course 地域プロデューサー養成講座（基礎） asks for 40 approved hours in them.
* 田中 里美 (``fieldwork@example.com``, the demo password) has a dozen entries across several
  prefectures and every status: approved, awaiting review (one confirmed by the supervisor,
  one waiting for the supervisor), returned with a comment, rejected, and drafts. They go
  through the application's services (the history and audit log are real), without e-mails.
  The main demo trainee (``trainee@example.com``) is left untouched.

Idempotent: the categories and the requirement are found before they are created, and the
entries are made only for a trainee who has none.
"""

import datetime
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from lms.accounts import roles
from lms.accounts.services import user_assign_role
from lms.courses.models import CoursePage, Enrollment
from lms.courses.services import enrollment_create
from lms.fieldwork import services
from lms.fieldwork.models import ActivityCategory, FieldworkEntry, FieldworkRequirement

from . import content
from .common import seed_labels

COURSE_SLUG = "regional-producer-basics"
INSTRUCTOR_EMAIL = "instructor@example.com"
TRAINEE = {
    "email": "fieldwork@example.com",
    "last_name": "田中",
    "first_name": "里美",
    "last_name_kana": "たなか",
    "first_name_kana": "さとみ",
}
CATEGORIES = [
    {"slug": "hearing", "name": "住民ヒアリング", "name_en": "Hearing residents", "sort_order": 10},
    {
        "slug": "salon",
        "name": "共生サロン運営補助",
        "name_en": "Helping at a community salon",
        "sort_order": 20,
    },
    {
        "slug": "vacant-houses",
        "name": "空き家調査",
        "name_en": "Vacant house survey",
        "sort_order": 30,
    },
    {
        "slug": "multigenerational",
        "name": "多世代交流イベント",
        "name_en": "Multigenerational event",
        "sort_order": 40,
    },
    {
        "slug": "talks",
        "name": "行政・事業者との協議",
        "name_en": "Talks with the town office and businesses",
        "sort_order": 50,
    },
]
REQUIRED_HOURS = Decimal("40")

# (days ago, hours, prefecture, municipality, site, category, activity, learned, next, outcome)
# outcome: approved | submitted | confirmed | pending | returned | rejected | draft
ENTRIES = [
    (
        58,
        "3",
        "nagano",
        "上田市",
        "上田市社会福祉協議会",
        "hearing",
        "中山間地区の高齢者世帯8軒を訪問し、買い物と通院の困りごとを聞き取った。",
        "移動販売の曜日が合わず、週1回の通院に家族の送迎が欠かせないことが分かった。",
        "地区の交通事業者との協議に同席し、聞き取り結果を共有する。",
        "approved",
    ),
    (
        51,
        "4.5",
        "nagano",
        "上田市",
        "塩田地区 共生サロン「えんがわ」",
        "salon",
        "サロンの準備と茶話会の進行補助。子ども食堂との合同開催の受付を担当した。",
        "世代の違う参加者が自然に話せるのは、役割（配膳・受付）があるときだった。",
        "次回は中学生ボランティアと一緒に役割表をつくる。",
        "approved",
    ),
    (
        44,
        "6",
        "tokushima",
        "神山町",
        "神山町 中心部の空き家3軒",
        "vacant-houses",
        "所有者の立ち会いで空き家3軒の状態を調査し、写真と間取りを記録した。",
        "状態よりも、所有者が「貸すこと」に抱く不安の方が活用の壁になっている。",
        "所有者向けの相談会の案内文を町役場と作る。",
        "approved",
    ),
    (
        37,
        "2.5",
        "tokushima",
        "神山町",
        "神山町役場 まちづくり課",
        "talks",
        "空き家バンクの運用について担当課と意見交換。移住相談の件数と傾向を伺った。",
        "相談は子育て世帯が多く、住まいと同時に仕事の情報が求められている。",
        "地元事業者の求人情報をまとめる方法を検討する。",
        "approved",
    ),
    (
        30,
        "5",
        "kochi",
        "土佐町",
        "土佐町 地域交流センター",
        "multigenerational",
        "夏祭りの準備と当日の運営補助。高校生と高齢者の昔遊び体験のブースを担当。",
        "高校生が説明役になると、高齢者の参加者が増えた。",
        "振り返りの会で高校生の感想を集める。",
        "approved",
    ),
    (
        23,
        "3.25",
        "kochi",
        "土佐町",
        "土佐町 相川地区",
        "hearing",
        "地区の集会所で住民6名から、これからの暮らしの不安と希望を聞き取った。",
        "「集まる場所が遠い」という声が多く、歩いて行ける居場所の必要性を感じた。",
        "集会所の活用日を増やせないか、区長さんに相談する。",
        "confirmed",
    ),
    (
        16,
        "2",
        "hokkaido",
        "東川町",
        "東川町 子育て支援センター",
        "hearing",
        "子育て中の移住者4名に、地域とのつながりについて聞き取った。",
        "移住直後の半年に、顔見知りをつくる場があるかどうかが大きい。",
        "支援センターと高齢者サロンの合同企画を提案する。",
        "pending",
    ),
    (
        12,
        "4",
        "hokkaido",
        "東川町",
        "東川町 空き店舗",
        "vacant-houses",
        "空き店舗2件の活用可能性を、所有者と商工会と一緒に見て回った。",
        "店舗兼住宅は、住まいとして貸すには水回りの改修が必要。",
        "改修費の補助制度を調べる。",
        "submitted",
    ),
    (
        9,
        "3",
        "kagoshima",
        "薩摩川内市",
        "甑島 里港地区",
        "talks",
        "地域おこし協力隊と漁協の方との協議に参加した。",
        "島の高齢化と空き家の増加は、漁業の担い手不足と結びついている。",
        "協議の内容をまとめ、次回の提案につなげる。",
        "returned",
    ),
    (
        6,
        "8",
        "kagoshima",
        "薩摩川内市",
        "甑島 民宿",
        "multigenerational",
        "観光で島を訪れ、民宿のご主人と話をした。",
        "島の暮らしを知るきっかけになった。",
        "また訪れたい。",
        "rejected",
    ),
    (
        3,
        "1.5",
        "nagano",
        "上田市",
        "塩田地区 共生サロン「えんがわ」",
        "salon",
        "サロンで健康体操の補助をした。",
        "",
        "",
        "draft",
    ),
    (1, "", "nagano", "上田市", "", "hearing", "", "", "", "draft"),
]
SUPERVISORS = {
    "confirmed": ("山本 和子", "yamamoto@example.com", "相川地区 区長"),
    "pending": ("佐々木 健", "sasaki@example.com", "子育て支援センター長"),
}
RETURN_COMMENT = "協議で出た具体的な論点（誰が何に困っているか）を、活動内容に加えてください。"
REJECT_COMMENT = "観光での訪問は、講座のフィールドワークの対象になりません。"


def seed_categories(log=print) -> dict[str, ActivityCategory]:
    return seed_labels(ActivityCategory, CATEGORIES, noun="activity category", log=log)


def _trainee(log):
    User = get_user_model()
    user = User.objects.filter(email=TRAINEE["email"]).first()
    if user is None:
        user = User(**TRAINEE)
        user.set_password(content.DEMO_PASSWORD)
        user.save()
        log(f"created the user {TRAINEE['email']}")
    user_assign_role(user=user, role=roles.TRAINEES)
    EmailAddress.objects.get_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    return user


def _requirement(course, cats, log) -> FieldworkRequirement:
    requirement = FieldworkRequirement.objects.filter(course=course).first()
    if requirement is None:
        cohort = course.cohorts.order_by("starts_on").first()
        deadline = cohort.ends_on if cohort else timezone.localdate() + datetime.timedelta(days=180)
        requirement = FieldworkRequirement.objects.create(
            course=course,
            required_hours=REQUIRED_HOURS,
            deadline=deadline,
            instructions=(
                "受入先での活動は、その日のうちに記録しましょう。受入先担当者の確認があると、"
                "講師の確認がスムーズです。"
            ),
        )
        requirement.categories.set(cats.values())
        log("created the fieldwork requirement of the demo course")
    return requirement


def _log_entries(enrollment, cats, instructor, log) -> None:
    user = enrollment.user
    today = timezone.localdate()
    for days, hours, pref, city, site, cat, activity, learned, nxt, outcome in ENTRIES:
        changes = {
            "date": today - datetime.timedelta(days=days),
            "hours": Decimal(hours) if hours else None,
            "prefecture": pref,
            "municipality": city,
            "site": site,
            "category": cats[cat],
            "activity": activity,
            "learned": learned,
            "next_steps": nxt,
        }
        if outcome in SUPERVISORS:
            name, email, role = SUPERVISORS[outcome]
            changes.update(supervisor_name=name, supervisor_email=email, supervisor_role=role)
        entry = services.entry_save_draft(enrollment=enrollment, actor=user, changes=changes)
        if outcome == "draft":
            continue
        entry = services.entry_submit(entry=entry, actor=user, notify=False)
        if outcome == "confirmed":
            _token, raw = services.supervisor_link_send(entry=entry, notify=False)
            services.supervisor_respond(
                raw_token=raw, confirm=True, comment="ありがとうございました。"
            )
        if instructor is None:
            continue
        decision = {"approved": "approve", "returned": "return", "rejected": "reject"}.get(outcome)
        if decision:
            comment = {"return": RETURN_COMMENT, "reject": REJECT_COMMENT}.get(decision, "")
            services.entry_review(
                entry=entry, actor=instructor, decision=decision, comment=comment, notify=False
            )
    log(f"{user.email} logged {len(ENTRIES)} fieldwork entries")


@transaction.atomic
def seed_fieldwork(*, log=print) -> None:
    """Seed categories, the demo course's requirement and a trainee's entries."""
    cats = seed_categories(log)
    course = CoursePage.objects.filter(slug=COURSE_SLUG, locale__language_code="ja").first()
    if course is None:
        log(f"no course {COURSE_SLUG}: the demo fieldwork is skipped")
        return
    _requirement(course, cats, log)
    user = _trainee(log)
    enrollment = Enrollment.objects.filter(user=user, course=course).first()
    if enrollment is None:
        enrollment = enrollment_create(user=user, course=course)
        # She enrolled before the entries she logged (a date before enrollment is refused).
        Enrollment.objects.filter(pk=enrollment.pk).update(
            created_at=timezone.now() - datetime.timedelta(days=90)
        )
        enrollment.refresh_from_db()
    if not enrollment.is_active:
        log(f"{user.email} is not active in the demo course: no demo fieldwork")
        return
    if FieldworkEntry.objects.filter(enrollment=enrollment).exists():
        return
    instructor = get_user_model().objects.filter(email=INSTRUCTOR_EMAIL).first()
    _log_entries(enrollment, cats, instructor, log)
