"""The evaluation set for Japanese search (docs/decisions/0008-japanese-search.md).

Relevance is a person's judgement: a document is relevant to a query when it talks about
the thing the query names, in the sense the query means — whatever the spelling. The
labels were written from that judgement, not from what the engine returns, so the set
also holds cases the engine is known to get wrong (marked "known miss" / "known false
positive"): they are what the measured recall and precision are made of.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Doc:
    key: str
    title: str
    body: str
    themes: tuple[str, ...] = ()
    visibility: str = "public"
    language: str = "ja"


@dataclass(frozen=True)
class Case:
    query: str
    expected: frozenset[str]
    kind: str
    note: str = ""
    extra: dict = field(default_factory=dict)


DOCS = [
    Doc(
        "akiya_toshima",
        "豊島区の空き家を活用した居場所づくり",
        "東京都豊島区の空き家を活用した多世代の居場所づくりの記録です。"
        "所有者との対話から始め、改修費はクラウドファンディングで集めました。",
        ("housing", "place"),
    ),
    Doc(
        "salon",
        "南池袋で続くみんなの居場所",
        "南池袋で共生型のサロン運営を続けるNPOの取り組み。"
        "高齢者と子育て世帯が同じテーブルで昼食をとります。",
        ("place",),
    ),
    Doc(
        "dayservice",
        "デイサービスと商店街の連携",
        "介護保険のデイサービス事業所が、地域の商店街と連携し、"
        "送迎の空き時間に買い物支援を行う方法を紹介します。",
        ("welfare",),
    ),
    Doc(
        "nasu",
        "那須の閉校を活用した共同生活",
        "栃木県那須町で閉校となった小学校の校舎を改修し、"
        "多世代が暮らすシェアハウスとして再生した事例です。",
        ("housing", "rural"),
    ),
    Doc(
        "houkago",
        "放課後等デイサービスの立ち上げ",
        "障害のある子どもが放課後に通う事業所を、駅前の空き店舗で開設するまでの手順と資金計画。",
        ("welfare", "children"),
    ),
    Doc(
        "lowrent",
        "低家賃住宅の確保",
        "単身の高齢者やひとり親世帯のために、家賃を抑えた住宅を大家さんと協力して確保する仕組み。"
        "家賃債務保証と見守りを組み合わせます。",
        ("housing",),
    ),
    Doc(
        "hearing",
        "地域の声の聞き方",
        "地域の課題を知るには、まず住民へのヒアリングから。質問票の作り方と記録の取り方を紹介します。",
        ("method",),
    ),
    Doc(
        "hitomonokane",
        "ひと・もの・かねを地域で循環させる",
        "地域の資源をひと・もの・かねの三つに分けて棚卸しし、"
        "足りないものを行政や企業と補い合う考え方。",
        ("method",),
    ),
    Doc(
        "npo",
        "NPO法人の設立と運営",
        "ＮＰＯ法人を設立するための定款づくり、所轄庁への申請、設立後の会計報告までを解説します。",
        ("method",),
    ),
    Doc(
        "gyosei",
        "行政との協働事業",
        "市区町村と協働事業を提案するときの企画書の書き方と、予算要求の時期について。",
        ("method",),
    ),
    Doc(
        "tasedai",
        "多世代交流の場をつくる",
        "子どもから高齢者までが集う多世代交流の場を、公民館の一室で月に一度開く実践例。",
        ("place",),
    ),
    Doc(
        "kyoto",
        "京都の町家を活用した宿",
        "京都市内の古い町家を、地域の若者が運営する宿泊施設に改修した取り組み。",
        ("housing",),
    ),
    Doc(
        "tocho",
        "都の補助金を使うには",
        "東京都庁の担当者を招き、都の補助金制度と申請の流れを学ぶ講座です。",
        ("method",),
    ),
    Doc(
        "shokudo",
        "子ども食堂の始め方",
        "地域の子ども食堂を始めるための衛生管理、食材の寄付の受け方、ボランティアの集め方。",
        ("children",),
    ),
    Doc(
        "care",
        "地域包括ケアの基礎",
        "地域包括ケアシステムの中で、住民同士の助け合いがどのように位置づけられているかを学びます。",
        ("welfare",),
    ),
    Doc(
        "tasukeai",
        "ご近所の助けあい",
        "ご近所の助けあいを無理なく続けるための当番表と連絡網の工夫。",
        ("place",),
    ),
    Doc(
        "kyosei_shakai",
        "地域共生社会の考え方",
        "国が進める地域共生社会の理念を整理します。サロンや居場所の事例は次の章で扱います。",
        ("method",),
    ),
    Doc(
        "partners_estimate",
        "協力団体向け：空き家改修の見積もり",
        "協力団体だけが見られる、空き家改修の見積もり比較表と業者リストです。",
        ("housing",),
        visibility="partners",
    ),
    Doc(
        "english",
        "Vacant houses in Toshima",
        "How neighbours in Toshima turned vacant houses into shared places. "
        "空き家 is the Japanese word.",
        ("housing",),
        language="en",
    ),
    Doc(
        "akitenpo",
        "商店街の空き店舗を活かす",
        "シャッターが閉まったままの空き店舗を、週末だけのマルシェとチャレンジショップに変えた商店街の話。",
        ("place",),
    ),
    Doc(
        "crowdfunding",
        "クラウドファンディングで資金を集める",
        "改修費や運営費をクラウドファンディングで集めるときの目標額の決め方と、リターンの設計。",
        ("method",),
    ),
    Doc(
        "park",
        "南池袋公園のマルシェ",
        "南池袋公園で開かれる地域のマルシェに、サロンの参加者が手作りの品を出店しました。",
        ("place",),
    ),
    Doc(
        "volunteer",
        "有償ボランティアの謝礼",
        "有償ボランティアに支払う謝礼の相場と、税務上の扱いについての注意点。",
        ("method",),
    ),
    Doc(
        "jichikai",
        "町内会・自治会との関係づくり",
        "新しく活動を始めるとき、町内会や自治会の役員にどう挨拶し、協力を得るか。",
        ("method",),
    ),
    Doc(
        "noufuku",
        "農福連携で畑に出る",
        "農家と福祉事業所が組む農福連携で、障害のある人が人参の収穫作業に参加する事例。",
        ("welfare", "rural"),
    ),
    Doc(
        "ict",
        "ＩＣＴを使った見守り",
        "ＩＣＴ機器とＬＩＮＥを使って、一人暮らしの高齢者を見守る２０２４年度の実証実験。",
        ("welfare",),
    ),
    Doc(
        "gakushu",
        "学習支援教室の運営",
        "生活に困っている世帯の中学生を対象にした学習支援教室。大学生のボランティアが勉強を教えます。",
        ("children",),
    ),
    Doc(
        "sharehouse",
        "多世代シェアハウスの暮らしのルール",
        "学生と高齢者がひとつ屋根の下で暮らす多世代シェアハウスで、家事の分担と共用部の使い方を決める。",
        ("housing",),
    ),
    Doc(
        "idou",
        "中山間地域の移動支援",
        "バス路線が廃止された中山間地域で、住民がドライバーとなるデマンド交通の仕組みをつくる。",
        ("rural",),
    ),
    Doc(
        "nasushiobara",
        "那須塩原の農家民泊",
        "那須塩原市の農家民泊で、都市に住む家族が田植えを体験するプログラム。",
        ("rural",),
    ),
    Doc(
        "tabunka",
        "多文化共生のまちづくり",
        "外国人参加型の防災訓練を、地域の日本語教室と一緒に企画した例。",
        ("place",),
    ),
]


def _case(query, expected, kind, note=""):
    return Case(query, frozenset(expected), kind, note)


CASES = [
    # Plain words (the issue's own example first).
    _case("空き家", {"akiya_toshima"}, "word", "partners-only and English pages never appear"),
    _case("豊島区", {"akiya_toshima"}, "word"),
    _case("南池袋", {"salon", "park"}, "word"),
    _case("閉校", {"nasu"}, "word"),
    _case("那須", {"nasu", "nasushiobara"}, "word"),
    _case("那須町", {"nasu"}, "word"),
    _case("多世代", {"akiya_toshima", "nasu", "tasedai", "sharehouse"}, "word"),
    _case("行政", {"hitomonokane", "gyosei"}, "word"),
    _case("家賃", {"lowrent"}, "word"),
    _case("低家賃住宅", {"lowrent"}, "word"),
    _case("空き店舗", {"houkago", "akitenpo"}, "word"),
    _case("子ども食堂", {"shokudo"}, "word"),
    _case("自治会", {"jichikai"}, "word"),
    _case("農福連携", {"noufuku"}, "word"),
    _case("移動支援", {"idou"}, "word"),
    _case("学習支援", {"gakushu"}, "word"),
    _case("ボランティア", {"shokudo", "volunteer", "gakushu"}, "word"),
    _case("有償ボランティア", {"volunteer"}, "word"),
    _case("共生", {"salon", "kyosei_shakai", "tabunka"}, "word"),
    _case("シェアハウス", {"nasu", "sharehouse"}, "word"),
    _case("外国人", {"tabunka"}, "word"),
    # Words split by particles or other words.
    _case("共生サロン", {"salon"}, "split", "共生型のサロン; not 共生社会。サロン (two sentences)"),
    _case("空き家活用", {"akiya_toshima"}, "split", "空き家を活用"),
    _case("放課後デイ", {"houkago"}, "split", "放課後等デイサービス"),
    _case("多世代交流", {"tasedai"}, "split"),
    _case("住民ヒアリング", {"hearing"}, "split", "住民へのヒアリング"),
    _case("ひとものかね", {"hitomonokane"}, "split", "ひと・もの・かね"),
    _case("地域マルシェ", {"park"}, "split", "地域のマルシェ"),
    # Half-width / full-width forms and case.
    _case("ｻﾛﾝ", {"salon", "kyosei_shakai", "park"}, "width"),
    _case("ﾃﾞｲｻｰﾋﾞｽ", {"dayservice", "houkago"}, "width"),
    _case("ｸﾗｳﾄﾞﾌｧﾝﾃﾞｨﾝｸﾞ", {"akiya_toshima", "crowdfunding"}, "width"),
    _case("ＮＰＯ", {"salon", "npo"}, "width", "NPO and ＮＰＯ in the texts"),
    _case("npo法人", {"npo"}, "width"),
    _case("２０２４", {"ict"}, "width"),
    _case("LINE", {"ict"}, "width", "ＬＩＮＥ in the text"),
    # Hiragana and katakana.
    _case("さろん", {"salon", "kyosei_shakai", "park"}, "kana"),
    _case("でまんど交通", {"idou"}, "kana"),
    _case("ヒトモノカネ", {"hitomonokane"}, "kana", "katakana query, hiragana text"),
    # Several terms: all must match.
    _case("那須 閉校", {"nasu"}, "multi"),
    _case("ひと・もの・かね", {"hitomonokane"}, "multi", "punctuation splits into three terms"),
    _case("ict 見守り", {"ict"}, "multi"),
    _case("高齢者 子ども", {"tasedai"}, "multi"),
    # Negative cases and traps.
    _case("空き地", set(), "negative", "空き家, 空き店舗, 空き時間 share 空き"),
    _case("ケア", {"care"}, "negative", "not 助けあい (けあ in hiragana)"),
    _case("京都", {"kyoto"}, "negative", "known false positive: 東京都 contains 京都"),
    _case("人参", {"noufuku"}, "negative", "known false positive: 外国人参加型 contains 人参"),
    # Spelling variants a person would accept (known misses for a character index).
    _case("子供食堂", {"shokudo"}, "variant", "known miss: the text writes 子ども"),
    _case("助け合い", {"care", "tasukeai"}, "variant", "known miss: 助けあい"),
]
