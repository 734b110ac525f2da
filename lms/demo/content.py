"""The demo site's text, written for this product from the association's public facts."""

HOME_JA = {
    "title": "地域プロデューサー養成アカデミー",
    "intro": (
        "<p>子どもも高齢者も、障がいのある人も子育て中の家族も、"
        "ともに支え合って暮らす「100年コミュニティ」。"
        "そのまちづくりを担う<b>地域プロデューサー</b>を育てる学びの場です。</p>"
    ),
    "body": [
        ("heading", {"text": "地域プロデューサーとは", "level": "h2"}),
        (
            "paragraph",
            "<p>地域の「ひと・もの・かね」をつなぎ、住民の声に耳を傾け、"
            "行政・地元企業・NPOと住民との橋渡しをする人です。"
            "全国500か所に100年コミュニティを広げるために、各地で活躍する担い手を育てています。</p>",
        ),
        (
            "callout",
            {
                "tone": "info",
                "title": "このアカデミーで学べること",
                "text": "<ul><li>空き家を活かした住まいづくり</li>"
                "<li>多世代が集う共生サロンの運営</li>"
                "<li>閉校した学校を生かした共生型コミュニティの立ち上げ</li></ul>",
            },
        ),
    ],
}

HOME_EN = {
    "title": "Regional Producer Academy",
    "intro": (
        '<p>A place to learn how to build "100-year communities", where children, older '
        "people, people with disabilities and working families live side by side and support "
        "each other. We train the <b>regional producers</b> who make them happen.</p>"
    ),
    "body": [
        ("heading", {"text": "What is a regional producer?", "level": "h2"}),
        (
            "paragraph",
            "<p>Someone who brings together a region's people, things and money, listens to "
            "residents, and connects them with local government, businesses and NPOs. The "
            "association aims to spread the model to 500 places across Japan.</p>",
        ),
        (
            "callout",
            {
                "tone": "info",
                "title": "What you can learn here",
                "text": "<ul><li>Turning vacant houses into homes</li>"
                "<li>Running a community salon for all generations</li>"
                "<li>Reviving a closed school as a co-living community</li></ul>",
            },
        ),
    ],
}

STANDARD_PAGES = [
    {
        "slug": "about",
        "ja": {
            "title": "アカデミーについて",
            "summary": "私たちが目指すまちと、アカデミーの成り立ち。",
            "body": [
                (
                    "paragraph",
                    "<p>母体となる協会は、東京都豊島区で空き家を活用したセーフティネット住宅や、"
                    "南池袋の共生サロン（デイサービス・相談・健康や文化のイベント）を運営してきました。"
                    "栃木県那須町では、閉校した小学校を高齢者住宅・低家賃住宅・デイサービス・カフェや"
                    "ホール・放課後等デイサービスを備えた共生型のコミュニティに生まれ変わらせています。</p>",
                ),
                (
                    "paragraph",
                    "<p>こうした実践で得た知恵を、講座・確認テスト・フィールドワークを通して学べるようにしたのが、"
                    "このアカデミーです。</p>",
                ),
            ],
        },
        "en": {
            "title": "About the academy",
            "summary": "The communities we aim for, and where the academy comes from.",
            "body": [
                (
                    "paragraph",
                    "<p>The association behind the academy runs safety-net share houses made from "
                    "vacant houses in Toshima ward, Tokyo, and a community salon in "
                    "Minami-Ikebukuro (day service, consultation, health and culture events). In "
                    "Nasu, Tochigi, it is turning a closed elementary school into a co-living "
                    "community with housing for seniors, low-rent homes, day service, a cafe and "
                    "hall, and after-school day service.</p>",
                ),
                (
                    "paragraph",
                    "<p>The academy turns what was learned there into courses, quizzes and "
                    "fieldwork.</p>",
                ),
            ],
        },
    },
    {
        "slug": "100-year-community",
        "ja": {
            "title": "100年コミュニティとは",
            "summary": "世代や障がいの有無をこえて、100年続く支え合いのまち。",
            "body": [
                (
                    "paragraph",
                    "<p>100年コミュニティは、子ども・高齢者・障がいのある人・働く世代が、"
                    "同じ地域で役割を持ちながら暮らし続けられる場所です。"
                    "住まい・居場所・仕事を地域の中で組み合わせ、孤立を生まないしくみをつくります。</p>",
                ),
                (
                    "quote",
                    {
                        "quote": "ここに来れば、だれかがいる。それだけで毎日が変わりました。",
                        "attribution": "共生サロンの利用者",
                    },
                ),
            ],
        },
        "en": {
            "title": "What is a 100-year community?",
            "summary": "A place of mutual support that lasts a hundred years, across generations.",
            "body": [
                (
                    "paragraph",
                    "<p>A 100-year community is a place where children, older people, people with "
                    "disabilities and working people can keep living in the same area, each with "
                    "a role. Housing, places to gather and work are combined locally so that no "
                    "one is left isolated.</p>",
                ),
                (
                    "quote",
                    {
                        "quote": (
                            "Whenever I come here, someone is here. That alone changed my days."
                        ),
                        "attribution": "A visitor to the community salon",
                    },
                ),
            ],
        },
    },
]

DEMO_PASSWORD = "demo-pass-2026"

USERS = [
    {
        "email": "admin@example.com",
        "last_name": "髙橋",
        "first_name": "一郎",
        "last_name_kana": "たかはし",
        "first_name_kana": "いちろう",
        "role": None,
        "superuser": True,
    },
    {
        "email": "instructor@example.com",
        "last_name": "山﨑",
        "first_name": "美和",
        "last_name_kana": "やまさき",
        "first_name_kana": "みわ",
        "role": "Instructors",
        "superuser": False,
    },
    {
        "email": "trainee@example.com",
        "last_name": "𠮷田",
        "first_name": "花子",
        "last_name_kana": "よしだ",
        "first_name_kana": "はなこ",
        "role": "Trainees",
        "superuser": False,
    },
    {
        "email": "partner@example.com",
        "last_name": "佐藤",
        "first_name": "健",
        "last_name_kana": "さとう",
        "first_name_kana": "けん",
        "role": "Partners",
        "superuser": False,
    },
]
