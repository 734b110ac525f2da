"""The privacy policy page (プライバシーポリシー) in Japanese and English, and the setting that
points the footer's link at it. Idempotent: an existing page is left as editors made it."""

from wagtail.models import Locale

from cms.models import HomePage, StandardPage
from lms.privacy.models import PrivacySettings

from .common import publish

SLUG = "privacy-policy"
OPERATOR_JA = "一般社団法人コミュニティネットワーク協会"
OPERATOR_EN = "Community Network Association (a general incorporated association)"
CONTACT_EMAIL = "privacy@example.com"


def _h(text):
    return ("heading", {"text": text, "level": "h2"})


def _p(html):
    return ("paragraph", html)


JA = {
    "title": "プライバシーポリシー",
    "summary": "アカデミーが取り扱う個人情報の利用目的、管理の方法、開示などのご請求について。",
    "body": [
        _p(
            f"<p>{OPERATOR_JA}（以下「協会」）は、地域プロデューサー養成アカデミー（以下「アカデミー」）"
            "の運営にあたり、受講者・講師・受入先担当者・賛同事業者の皆さまの個人情報を、"
            "個人情報の保護に関する法律（個人情報保護法）その他の法令とこの方針に従って大切に取り扱います。</p>"
        ),
        _h("1. 取得する個人情報"),
        _p(
            "<ul>"
            "<li>アカウントの情報：氏名とふりがな、メールアドレス、パスワード（復元できない形で保存）、表示言語</li>"
            "<li>学習の記録：受講登録と受講期、レッスンの修了、確認テストの解答と得点</li>"
            "<li>フィールドワーク記録：活動日・時間・場所（都道府県・市区町村・受入先）、活動内容と振り返り、"
            "添付された写真やPDF、受入先担当者の氏名・役職・メールアドレスと確認の結果</li>"
            "<li>修了証：修了証に記載する氏名、講座名、修了日、証書番号</li>"
            "<li>賛同事業者の所属、手法ライブラリの「マイリスト」</li>"
            "<li>ログイン・操作の記録（日時、IPアドレスを含む安全管理のための記録）</li>"
            "</ul>"
            "<p>写真は保存の前に撮影場所などの付加情報（Exif）を取り除きます。</p>"
        ),
        _h("2. 利用目的"),
        _p(
            "<ul>"
            "<li>アカウントの作成、本人確認、ログイン</li>"
            "<li>講座の提供、受講登録の審査・定員と受講期の管理、学習の進み具合の表示</li>"
            "<li>確認テストの採点、フィールドワーク記録の受入先による確認と講師による審査</li>"
            "<li>修了の判定と修了証の発行、および第三者が修了証の真正性を確かめるための確認ページの提供</li>"
            "<li>受講に関するお知らせ（承認、締切のご案内など）の送信</li>"
            "<li>講座と運営の改善のための統計の作成（個人が特定されない形で集計します）</li>"
            "<li>不正な利用の防止とセキュリティの確保、お問い合わせへの対応</li>"
            "</ul>"
        ),
        _h("3. 第三者への提供"),
        _p(
            "<p>協会は、次の場合を除き、ご本人の同意なく個人情報を第三者に提供しません。</p>"
            "<ul>"
            "<li>法令に基づく場合、人の生命・身体・財産の保護に必要でご本人の同意を得ることが難しい場合など、"
            "法律が認める場合</li>"
            "<li>フィールドワークの確認のため、ご本人が入力した受入先担当者に、その記録の日付・時間・活動内容を"
            "お知らせする場合</li>"
            "<li>修了証の確認ページで、証書番号を知る方に、修了証に記載された氏名・講座名・修了日・有効性を"
            "表示する場合（修了証を提示されたご本人の意思による確認です）</li>"
            "</ul>"
            "<p>サーバーの運用やメールの送信などを外部の事業者に委託することがあります。その場合は、"
            "安全管理が十分な事業者を選び、契約で個人情報の取扱いを定め、監督します。</p>"
        ),
        _h("4. 保存期間"),
        _p(
            "<p>アカウントの情報と学習の記録は、アカウントがある間保存します。修了証の記録（氏名、講座名、"
            "修了日、証書番号）は、修了の事実を証明し続けるため、アカウントの削除後も保存します。"
            "安全管理のための記録は、一定期間の後に消去します。</p>"
        ),
        _h("5. 安全管理のための措置"),
        _p(
            "<ul>"
            "<li>通信の暗号化、パスワードの不可逆な保存、ログイン試行回数の制限</li>"
            "<li>フィールドワークの添付ファイルと修了証のPDFは非公開の保管場所に置き、"
            "閲覧を認められた人にだけ提供します</li>"
            "<li>講師が見られるのは、担当する講座・受講期の受講者の記録に限ります</li>"
            "<li>成績の変更や記録の審査は、誰がいつ行ったかを記録します</li>"
            "<li>個人情報を取り扱う職員と講師への教育、アクセス権限の定期的な見直し</li>"
            "</ul>"
        ),
        _h("6. 開示・訂正・利用停止・削除のご請求"),
        _p(
            "<p>ご自身の個人情報の開示、内容の訂正・追加・削除、利用の停止・消去、第三者への提供の停止を"
            "請求できます。</p>"
            "<ul>"
            "<li>開示：ログインして「プロフィール」の「あなたのデータ」から、保存されているデータを"
            "いつでもダウンロードできます（ZIP形式）。</li>"
            "<li>訂正：氏名・ふりがな・表示言語はプロフィールで変更できます。</li>"
            "<li>削除（利用停止・消去）：下記の窓口にご連絡ください。ご本人であることを確認したうえで、"
            "アカウントを削除し、氏名・メールアドレス・記録の文章などを消去します。発行済みの修了証は、"
            "修了の証明を続けるため記載された氏名のまま有効です（取消しをご希望の場合はお申し出ください）。"
            "統計のための記録（受講の状態、得点、活動時間など）は、個人が特定されない形で残ります。</li>"
            "</ul>"
        ),
        _h("7. お問い合わせ窓口"),
        _p(
            f"<p>{OPERATOR_JA} 個人情報相談窓口<br>"
            f'メール：<a href="mailto:{CONTACT_EMAIL}">{CONTACT_EMAIL}</a></p>'
            "<p>この方針は、法令の改正や運営の変更に応じて見直すことがあります。"
            "変更したときは、このページでお知らせします。</p>"
        ),
    ],
}

EN = {
    "title": "Privacy policy",
    "summary": "Why the academy handles personal information, how it is protected, and your "
    "requests for disclosure, correction and deletion.",
    "body": [
        _p(
            f"<p>The {OPERATOR_EN} (the “association”) runs the Regional Producer Academy (the "
            "“academy”). It handles the personal information of trainees, instructors, fieldwork "
            "supervisors and partner businesses with care, under Japan's Act on the Protection "
            "of Personal Information (APPI), other laws and this policy. The Japanese version "
            "of this policy prevails.</p>"
        ),
        _h("1. What we collect"),
        _p(
            "<ul>"
            "<li>Your account: name and kana reading, e-mail address, password (stored so that "
            "it cannot be recovered), language</li>"
            "<li>Your learning: enrollments and cohorts, completed lessons, quiz answers and "
            "scores</li>"
            "<li>Fieldwork entries: date, hours, place (prefecture, municipality, host), what you "
            "did and learned, photos and PDFs you attach, the supervisor's name, role and e-mail "
            "address and their confirmation</li>"
            "<li>Certificates: the name printed on them, the course, the completion date, the "
            "serial number</li>"
            "<li>Membership of a partner business, and the method library's “my list”</li>"
            "<li>Records of sign-ins and actions (times and IP addresses, for security)</li>"
            "</ul>"
            "<p>Photos are stripped of their metadata (Exif, including the location) before they "
            "are stored.</p>"
        ),
        _h("2. Why we use it"),
        _p(
            "<ul>"
            "<li>To create your account, confirm who you are and let you sign in</li>"
            "<li>To provide courses, decide enrollments, manage cohorts and seats, and show your "
            "progress</li>"
            "<li>To grade quizzes, have fieldwork confirmed by supervisors and reviewed by "
            "instructors</li>"
            "<li>To decide completion, issue certificates, and run the page where anyone can "
            "check that a certificate is genuine</li>"
            "<li>To send you notices about your courses (approvals, deadlines)</li>"
            "<li>To make statistics that improve the courses (counted so that no person can be "
            "identified)</li>"
            "<li>To prevent misuse, keep the service secure, and answer your questions</li>"
            "</ul>"
        ),
        _h("3. Giving information to others"),
        _p(
            "<p>We do not give your personal information to others without your consent, "
            "except:</p>"
            "<ul>"
            "<li>where the law requires or allows it (for example, to protect someone's life "
            "when your consent cannot be obtained)</li>"
            "<li>to the fieldwork supervisor you name, who is shown the date, hours and activity "
            "of the entry to confirm</li>"
            "<li>on a certificate's verification page, which shows the name, course, completion "
            "date and validity printed on the certificate to whoever has its code (you give the "
            "code when you show the certificate)</li>"
            "</ul>"
            "<p>We may entrust hosting or e-mail delivery to service providers. We choose "
            "providers with sound security, bind them by contract and supervise them.</p>"
        ),
        _h("4. How long we keep it"),
        _p(
            "<p>Your account and learning records are kept while your account exists. The "
            "record of an issued certificate (name, course, completion date, serial number) is "
            "kept after an account is deleted, so that the certificate can still be verified. "
            "Security records are deleted after a set period.</p>"
        ),
        _h("5. How we protect it"),
        _p(
            "<ul>"
            "<li>Encrypted connections, passwords stored one-way, limits on sign-in attempts</li>"
            "<li>Fieldwork attachments and certificate PDFs kept in private storage and served "
            "only to those allowed to see them</li>"
            "<li>Instructors see only the trainees of the courses and cohorts they teach</li>"
            "<li>Score changes and reviews record who made them and when</li>"
            "<li>Training for staff and instructors, and regular reviews of who has access</li>"
            "</ul>"
        ),
        _h("6. Your requests: disclosure, correction, deletion"),
        _p(
            "<p>You may ask us to disclose your personal information, to correct, add to or "
            "delete it, to stop using or erase it, or to stop giving it to others.</p>"
            "<ul>"
            "<li>Disclosure: sign in and use “Your data” on your profile page to download "
            "everything we keep about you, at any time (a ZIP file).</li>"
            "<li>Correction: you can change your name, kana reading and language on your "
            "profile.</li>"
            "<li>Deletion: write to the contact below. Once we have confirmed it is you, we "
            "erase your account: your name, e-mail address and the text of your records are "
            "removed. Certificates already issued stay valid with the name printed on them, so "
            "they can still prove your completion (tell us if you want them revoked). Records "
            "kept for statistics (enrollment status, scores, hours) remain without anything "
            "that identifies you.</li>"
            "</ul>"
        ),
        _h("7. Contact"),
        _p(
            f"<p>{OPERATOR_EN}, personal information desk<br>"
            f'E-mail: <a href="mailto:{CONTACT_EMAIL}">{CONTACT_EMAIL}</a></p>'
            "<p>We may revise this policy when the law or our service changes; changes are "
            "announced on this page.</p>"
        ),
    ],
}


def seed_privacy(*, home: HomePage, log=print) -> StandardPage:
    """The privacy policy page under the home page (not in the menu: the footer links it)."""
    page = StandardPage.objects.filter(locale=home.locale, slug=SLUG).first()
    if page is None:
        page = StandardPage(
            slug=SLUG,
            locale=home.locale,
            title=JA["title"],
            listing_summary=JA["summary"],
            body=JA["body"],
            show_in_menus=False,
        )
        home.add_child(instance=page)
        publish(page)
        log("created the privacy policy page")
    en = Locale.objects.filter(language_code="en").first()
    if en is not None and page.get_translation_or_none(en) is None:
        page_en = page.copy_for_translation(en)
        page_en.title = EN["title"]
        page_en.listing_summary = EN["summary"]
        page_en.body = EN["body"]
        page_en.show_in_menus = False
        publish(page_en)
        log("created the English privacy policy page")
    settings = PrivacySettings.load()
    if settings.policy_page_id is None:
        settings.policy_page = page
        settings.save()
        log("pointed the privacy settings at the privacy policy page")
    return page
