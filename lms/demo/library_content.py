"""The demo method library's text: target groups, the index, methods, case studies, documents.

Written for this product from the association's public facts (its own page is in
``/work/shared/seed``): the Toshima vacant-house safety-net housing, the Minami-Ikebukuro
community salon and the Nasu closed-school co-living community. The sentences are ours, and
nothing here claims a number the association has not published. Data only:
``seed_library.py`` reads it.

Visibilities: "public" (anyone), "partners" (partner organisations only) and
"partners_trainees" (partners and trainees).
"""


# --- Block helpers ------------------------------------------------------------------------
def h2(text):
    return ("heading", {"text": text, "level": "h2"})


def h3(text):
    return ("heading", {"text": text, "level": "h3"})


def p(html):
    return ("paragraph", html)


def callout(tone, title, html):
    return ("callout", {"tone": tone, "title": title, "text": html})


def step(title, html, tip=""):
    return ("step", {"title": title, "description": html, "tip": tip})


def indicator(text, how=""):
    return ("indicator", {"indicator": text, "how_to_measure": how})


def pitfall(text, avoid=""):
    return ("pitfall", {"pitfall": text, "how_to_avoid": avoid})


def figure(label, value, unit=""):
    return ("figure", {"label": label, "value": value, "unit": unit})


def partner(name, role=""):
    return ("partner", {"name": name, "role": role})


# --- Target groups (editor-managed snippets) ----------------------------------------------
TARGET_GROUPS = [
    {"slug": "older-people", "name": "高齢者", "name_en": "Older people", "sort_order": 10},
    {"slug": "children", "name": "子ども", "name_en": "Children", "sort_order": 20},
    {
        "slug": "people-with-disabilities",
        "name": "障がいのある人",
        "name_en": "People with disabilities",
        "sort_order": 30,
    },
    {
        "slug": "families",
        "name": "子育て世代",
        "name_en": "Families raising children",
        "sort_order": 40,
    },
    {
        "slug": "financial-hardship",
        "name": "生活困窮者",
        "name_en": "People in financial hardship",
        "sort_order": 50,
    },
]

# --- The index ----------------------------------------------------------------------------
LIBRARY_INDEX = {
    "slug": "library",
    "ja": {
        "title": "手法ライブラリ",
        "listing_summary": "協会のモデル事業から生まれた、まちづくりの手法と事例。",
        "intro": (
            "<p>協会のモデル事業から生まれた、まちづくりの手法と事例を集めました。"
            "テーマ・対象・地域・段階で絞り込んで、あなたの地域で使える知恵を探してください。</p>"
        ),
        "partner_info": (
            "<p>賛同事業者は、全国500か所に100年コミュニティを広げる協会の構想に賛同し、"
            "ともに取り組む事業者です。賛同事業者のスタッフは、事業計画や運営の実務に踏み込んだ"
            "「賛同事業者限定」の手法と事例も含めて、ライブラリのすべてを読むことができます。</p>"
            "<p>賛同事業者としての登録をご希望の方は、協会までお問い合わせください。"
            "登録後、スタッフのアカウントを事業者に結び付けます。</p>"
        ),
    },
    "en": {
        "title": "Method library",
        "listing_summary": "Methods and case studies of community building.",
        "intro": (
            "<p>Methods and case studies of community building, drawn from the association's "
            "model projects. The methods are written in Japanese.</p>"
        ),
    },
}

# --- Documents (created as small text files) ----------------------------------------------
DOCUMENTS = [
    {
        "key": "owner-checklist",
        "title": "空き家オーナー面談チェックリスト",
        "filename": "akiya-owner-checklist.csv",
        "visibility": "partners",
        "content": (
            "項目,確認すること\n"
            "建物の状態,雨漏り・水回り・耐震の心配はあるか\n"
            "オーナーの気がかり,家賃の滞納・近所付き合い・退去時のこと\n"
            "入居のイメージ,どんな人に住んでほしいか\n"
            "支援の約束,困ったときの連絡先と対応の範囲\n"
        ),
    },
    {
        "key": "resource-map-sheet",
        "title": "地域資源マップ ワークシート",
        "filename": "resource-map-worksheet.txt",
        "visibility": "public",
        "content": (
            "地域資源マップ ワークシート\n\n"
            "1. ひと：相談できる人、得意なことを持つ人、集まりの世話役は誰ですか。\n"
            "2. もの：使われていない建物、集まれる場所、貸し借りできる道具はどこにありますか。\n"
            "3. かね：助成金、寄付、事業収入、行政の制度など、使えるお金は何ですか。\n"
            "4. つながり：1〜3のうち、まだ結び付いていない組み合わせはどれですか。\n"
        ),
    },
]

# --- Methods --------------------------------------------------------------------------------
METHODS = [
    {
        "slug": "akiya-owner-trust",
        "visibility": "public",
        "themes": ["housing"],
        "targets": ["older-people", "people-with-disabilities", "financial-hardship"],
        "prefecture": "tokyo",
        "stage": "launch",
        "title": "空き家オーナーの不安に寄り添う：居住支援法人としての伴走",
        "summary_text": (
            "空き家を貸すことにためらうオーナーの気がかりを聞き取り、"
            "入居後も支える約束をすることで、住まいに困る人に部屋を開いてもらう手法です。"
        ),
        "problem": (
            "<p>空き家はあるのに、高齢の方や障がいのある方、収入の少ない方は部屋を借りにくい。"
            "その背景には「家賃が払われなくなったら」「何かあったら」というオーナーの不安があります。</p>"
        ),
        "audience": "空き家の活用を考えている地域の団体、居住支援に取り組みたい事業者",
        "steps": [
            step(
                "オーナーの話を最後まで聞く",
                "<p>最初の面談では提案をせず、建物への思いと心配ごとを聞き取ります。</p>",
                "「貸してください」より先に「どんな方に住んでほしいですか」と尋ねます。",
            ),
            step(
                "心配ごとを一つずつ言葉にする",
                "<p>家賃、近所付き合い、急病、退去のときなど、不安を具体的な場面に分けて書き出します。</p>",
            ),
            step(
                "支える役割を引き受ける",
                "<p>団体が居住支援法人として、入居前の相談から入居後の見守りまで関わることを約束します。"
                "連絡先と対応の範囲を書面にして渡します。</p>",
            ),
            step(
                "小さく始めて、報告を続ける",
                "<p>まず一部屋から始め、入居後の様子を定期的にオーナーへ伝えます。</p>",
                "よい知らせも困りごとも、早めに伝えるほど信頼が深まります。",
            ),
        ],
        "resources": (
            "オーナーとの面談役、入居者の相談に応じる担当者",
            "面談の記録と、連絡先・対応範囲をまとめた書面",
            "見守りにかかる人件費（居住支援の制度や家賃の一部で賄う方法を検討）",
        ),
        "outcomes": (
            "<p>オーナーが安心して部屋を貸し、住まいに困る人が地域で暮らし続けられます。</p>"
        ),
        "indicators": [
            indicator("貸してもよいと答えたオーナーの数", "面談の記録から数えます。"),
            indicator("入居後の相談に応じた件数と、その結果"),
        ],
        "pitfalls": [
            pitfall(
                "制度の説明から入ってしまう",
                "まずオーナーの気持ちを聞き、制度は不安への答えとして紹介します。",
            ),
            pitfall(
                "入居後の連絡が途絶える",
                "報告の時期をあらかじめ決め、予定に入れておきます。",
            ),
        ],
        "downloads": ["owner-checklist"],
        "related": ["safety-net-sharehouse", "resident-watch"],
    },
    {
        "slug": "safety-net-sharehouse",
        "visibility": "partners",
        "themes": ["housing"],
        "targets": ["older-people", "people-with-disabilities", "financial-hardship"],
        "prefecture": "tokyo",
        "stage": "launch",
        "title": "空き家をシェアハウス型セーフティネット住宅にする",
        "summary_text": (
            "高齢者・障がいのある人・生活に困っている人の入居を拒まない賃貸住宅として、"
            "空き家をシェアハウスに整える手順です。登録から入居者募集までの実務をまとめました。"
        ),
        "problem": (
            "<p>一人で一軒を借りるのは難しくても、台所や居間を分け合うシェアハウスなら、"
            "家賃を抑えながら人とのつながりも持てます。ただ、改修や登録の段取りを知らないと、"
            "空き家が見つかっても前に進めません。</p>"
        ),
        "audience": "空き家を住まいとして再生したい事業者・法人",
        "steps": [
            step(
                "建物と立地を確かめる",
                "<p>水回りの数、個室にできる部屋、通院や買い物への距離を確認します。</p>",
            ),
            step(
                "共用部分と個室の計画を立てる",
                "<p>入居者が顔を合わせる居間や台所を、気軽に立ち寄れる場所にします。</p>",
                "共用部分の家事の分担は、入居が始まってから入居者と決めると長続きします。",
            ),
            step(
                "セーフティネット住宅として登録する",
                "<p>自治体の窓口で登録の要件を確認し、必要な改修と書類を整えます。</p>",
            ),
            step(
                "入居者を地域の相談窓口とともに募る",
                "<p>福祉の相談窓口や支援団体と連携し、住まいを探している人に情報を届けます。</p>",
            ),
        ],
        "resources": (
            "改修の段取りをする担当、入居相談の担当",
            "空き家、共用の家具と家電",
            "改修費（補助制度の活用を検討）、家賃収入で賄う運営費",
        ),
        "outcomes": "<p>住まいに困っていた人が、地域の中で人とつながりながら暮らせます。</p>",
        "indicators": [
            indicator("入居者数と入居期間"),
            indicator("共用部分での入居者どうしの交流", "月に一度、入居者に様子を尋ねます。"),
        ],
        "pitfalls": [
            pitfall(
                "入居者どうしの決まりを運営側だけで作る",
                "入居者と一緒に話し合って決め、見直す機会もつくります。",
            ),
        ],
        "downloads": ["owner-checklist"],
        "related": ["akiya-owner-trust", "resident-watch"],
    },
    {
        "slug": "resident-watch",
        "visibility": "partners_trainees",
        "themes": ["care-welfare", "housing"],
        "targets": ["older-people", "financial-hardship"],
        "prefecture": "tokyo",
        "stage": "running",
        "title": "入居後の見守りと暮らしの相談",
        "summary_text": (
            "住まいを用意して終わりにせず、入居した人の暮らしを近くで見守り、"
            "困りごとを早めに地域の支援につなぐための手法です。"
        ),
        "problem": (
            "<p>ひとり暮らしの高齢者や、頼れる人の少ない入居者は、体調の変化や生活の困りごとを"
            "一人で抱え込みがちです。気づくのが遅れると、住まいそのものを失うこともあります。</p>"
        ),
        "audience": "住まいの運営者、地域の福祉の担い手",
        "steps": [
            step(
                "顔を合わせる機会を決めておく",
                "<p>週に一度のお茶の時間など、自然に会える場を定例にします。</p>",
            ),
            step(
                "気づいたことを記録する",
                "<p>食事、外出、表情などの小さな変化を、担当者どうしで共有します。</p>",
                "記録は評価ではなく、次に声をかけるためのメモとして書きます。",
            ),
            step(
                "専門の窓口につなぐ",
                "<p>医療・介護・生活の相談が必要なときは、本人の同意を得て窓口に同行します。</p>",
            ),
        ],
        "resources": (
            "見守り担当（地域のボランティアを含む）",
            "お茶の時間に使える共用スペース",
            "担当者の交通費と活動費",
        ),
        "outcomes": (
            "<p>困りごとが小さいうちに見つかり、入居者が住み慣れた場所で暮らし続けられます。</p>"
        ),
        "indicators": [
            indicator("定例の場への参加", "参加した入居者の数を毎回記録します。"),
            indicator("専門窓口につないだ件数"),
        ],
        "pitfalls": [
            pitfall(
                "見守りが監視のように感じられる",
                "本人が望む関わり方を最初に聞き、訪問の頻度を一緒に決めます。",
            ),
        ],
        "downloads": [],
        "related": ["akiya-owner-trust"],
    },
    {
        "slug": "open-office-salon",
        "visibility": "public",
        "themes": ["places-to-belong"],
        "targets": ["older-people", "children", "families"],
        "prefecture": "tokyo",
        "stage": "launch",
        "title": "事務所をまちに開く：共生サロンのつくり方",
        "summary_text": (
            "団体の事務所を改修して、だれでも立ち寄れる交流の場にする手法です。"
            "デイサービスや相談、健康・文化のイベントを重ね、多世代が集う場所に育てます。"
        ),
        "problem": (
            "<p>地域に「用がなくても行ける場所」が少なく、世代の違う人どうしが出会う機会が"
            "ありません。新しく場所を借りるには費用がかかります。</p>"
        ),
        "audience": "事務所や店舗など、日中使える場所を持つ団体",
        "steps": [
            step(
                "開ける時間と空間を決める",
                "<p>事務作業の場と交流の場を分け、開放する曜日と時間を決めます。</p>",
            ),
            step(
                "入りやすい入口をつくる",
                "<p>外から中の様子が見えるようにし、段差をなくし、案内をやさしい言葉で掲げます。</p>",
                "「ご自由にどうぞ」の一言と、座れる椅子があるだけで入りやすくなります。",
            ),
            step(
                "定例の催しを一つ始める",
                "<p>健康体操や相談会など、毎週同じ時間の催しから始めます。</p>",
            ),
            step(
                "来た人の声で中身を育てる",
                "<p>来場者に「次は何がしたいか」を尋ね、催しや使い方に反映します。</p>",
            ),
        ],
        "resources": (
            "受付と声かけの担当、催しの講師（地域の人に頼める場合も）",
            "改修した事務所スペース、机と椅子、案内板",
            "改修費、催しの材料費（参加費や寄付で一部を賄う）",
        ),
        "outcomes": "<p>世代や立場の違う人が自然に出会い、互いを気にかける関係が生まれます。</p>",
        "indicators": [
            indicator("来場者数と、その年代の幅"),
            indicator("来場者が企画した催しの数"),
        ],
        "pitfalls": [
            pitfall(
                "運営側だけが忙しくなる",
                "来場者に役割をお願いし、「お客さん」から「仲間」になってもらいます。",
            ),
        ],
        "downloads": [],
        "related": ["intergenerational-events", "care-and-employment-model"],
    },
    {
        "slug": "intergenerational-events",
        "visibility": "public",
        "themes": ["places-to-belong", "multicultural"],
        "targets": ["children", "older-people", "families"],
        "prefecture": "tokyo",
        "stage": "running",
        "title": "健康と文化のイベントで多世代をつなぐ",
        "summary_text": (
            "健康づくりや文化の催しを入口に、子どもから高齢者まで、"
            "さまざまな背景を持つ人が同じ場を楽しむための企画の手法です。"
        ),
        "problem": (
            "<p>高齢者向け、子ども向けと催しが分かれていると、世代をこえた関係は生まれません。"
            "外国にルーツを持つ人も、地域の催しに加わるきっかけを探しています。</p>"
        ),
        "audience": "サロンや集会所で催しを企画する人",
        "steps": [
            step(
                "だれもが参加できるテーマを選ぶ",
                "<p>料理、音楽、体操など、年齢や言葉の違いがあっても楽しめるテーマを選びます。</p>",
            ),
            step(
                "世代の違う人に役割を渡す",
                "<p>高齢者が教え、子どもが手伝い、親世代が進行するなど、役割を組み合わせます。</p>",
                "役割があると、初めての人も居場所を感じやすくなります。",
            ),
            step(
                "ふりかえりを次の企画につなげる",
                "<p>終わったあとに参加者の声を集め、次の企画者を参加者の中から募ります。</p>",
            ),
        ],
        "resources": (
            "企画と進行の担当、地域の講師",
            "集まれる場所、音響や調理の道具",
            "材料費（参加費・寄付・助成金）",
        ),
        "outcomes": "<p>顔見知りが増え、困ったときに声をかけ合える関係が地域に広がります。</p>",
        "indicators": [
            indicator("参加者の年代と背景の広がり"),
            indicator("参加者から生まれた次の企画の数"),
        ],
        "pitfalls": [
            pitfall("参加者が固定化する", "チラシを置く場所や誘い方を毎回少し変えてみます。"),
        ],
        "downloads": [],
        "related": ["open-office-salon"],
    },
    {
        "slug": "care-and-employment-model",
        "visibility": "partners",
        "themes": ["work", "care-welfare"],
        "targets": ["people-with-disabilities", "older-people"],
        "prefecture": "tokyo",
        "stage": "scaling",
        "title": "介護事業と就労継続支援を組み合わせて続く事業にする",
        "summary_text": (
            "交流の場を寄付や補助金だけに頼らず続けるために、"
            "介護事業と障がいのある人の就労継続支援を組み合わせて収入の柱をつくる考え方です。"
        ),
        "problem": (
            "<p>居場所づくりは喜ばれても、運営費が続かずに閉じてしまう例が少なくありません。"
            "場を支える仕事と収入を、活動の中につくる必要があります。</p>"
        ),
        "audience": "居場所を事業として続けたい法人・事業者",
        "steps": [
            step(
                "場の中にある仕事を洗い出す",
                "<p>カフェ、清掃、送迎、軽作業など、交流の場を支える仕事を書き出します。</p>",
            ),
            step(
                "制度にもとづく事業と重ね合わせる",
                "<p>介護事業の利用者と就労の担い手が同じ場で出会うよう、事業の組み合わせを設計します。</p>",
                "制度の要件は自治体ごとに確認し、早めに相談します。",
            ),
            step(
                "収支を事業ごとと全体の両方で見る",
                "<p>どの事業が場を支えているのかを毎月確かめ、赤字の事業は役割を見直します。</p>",
            ),
        ],
        "resources": (
            "介護と障がい福祉の有資格者、経理の担当",
            "交流の場と作業の場",
            "立ち上げ資金、制度にもとづく事業収入",
        ),
        "outcomes": (
            "<p>交流の場が事業として続き、障がいのある人が地域の中で働く場所にもなります。</p>"
        ),
        "indicators": [
            indicator("事業全体の収支", "毎月、事業ごとの収支と合わせて確認します。"),
            indicator("就労の場で働く人の数と定着"),
        ],
        "pitfalls": [
            pitfall(
                "制度の枠に合わせるうちに、交流が消えていく",
                "事業の設計のたびに「だれとだれが出会うか」を確かめます。",
            ),
        ],
        "downloads": [],
        "related": ["open-office-salon", "co-living-functions"],
    },
    {
        "slug": "closed-school-consensus",
        "visibility": "partners_trainees",
        "themes": ["places-to-belong", "housing"],
        "targets": ["older-people", "children", "families", "people-with-disabilities"],
        "prefecture": "tochigi",
        "stage": "planning",
        "title": "閉校した学校の活用を住民とともに構想する",
        "summary_text": (
            "思い出の詰まった閉校舎を、住民が参加する話し合いを重ねて、"
            "暮らしとケアと交流の拠点に生まれ変わらせるための構想づくりの手法です。"
        ),
        "problem": (
            "<p>閉校した学校は地域の人にとって特別な場所です。行政や事業者だけで使い道を決めると、"
            "住民の理解が得られず、完成しても使われない建物になりかねません。</p>"
        ),
        "audience": "公共施設の活用を構想する自治体職員、事業者、住民団体",
        "steps": [
            step(
                "学校の思い出を聞く会を開く",
                "<p>卒業生や地域の人から、学校で過ごした時間の話を聞き、大切にしたいものを共有します。</p>",
            ),
            step(
                "地域の困りごとと資源を並べる",
                "<p>少子高齢化、住まい、介護、子育てなど、地域の課題と使える資源を一緒に整理します。</p>",
            ),
            step(
                "複数の使い方を組み合わせた案を示す",
                "<p>住まい・ケア・交流・仕事などの機能を組み合わせた案を示し、意見を聞いて直します。</p>",
                "模型や間取り図があると、話し合いが具体的になります。",
            ),
            step(
                "行政や地域の団体と役割を決める",
                "<p>だれが何を担うかを話し合い、合意した内容を文書にして共有します。</p>",
            ),
        ],
        "resources": (
            "話し合いの進行役、記録係、建築の専門家",
            "閉校舎、話し合いの会場、模型や図面",
            "構想づくりの調査費（モデル事業や助成の活用を検討）",
        ),
        "outcomes": "<p>住民が「自分たちの場所」と感じる拠点の構想ができます。</p>",
        "indicators": [
            indicator("話し合いへの参加者数と、その顔ぶれ"),
            indicator("住民の意見から変わった計画の点"),
        ],
        "pitfalls": [
            pitfall(
                "決まった案の説明会になってしまう",
                "案は複数用意し、変えられる部分をはっきり伝えます。",
            ),
        ],
        "downloads": [],
        "related": ["co-living-functions", "resource-map"],
    },
    {
        "slug": "co-living-functions",
        "visibility": "partners",
        "themes": ["care-welfare", "children", "housing"],
        "targets": ["older-people", "children", "people-with-disabilities"],
        "prefecture": "tochigi",
        "stage": "launch",
        "title": "住まい・ケア・居場所を歩いて行ける範囲に組み合わせる",
        "summary_text": (
            "高齢者の住まい、低家賃の住まい、デイサービス、カフェやホール、"
            "放課後等デイサービスなどを一つの拠点に集め、支え合いが日常になる配置を考える手法です。"
        ),
        "problem": (
            "<p>住まい・介護・子どもの居場所が離れていると、世代をこえた関わりは生まれにくく、"
            "移動の負担も大きくなります。</p>"
        ),
        "audience": "共生型の拠点を計画する事業者・法人",
        "steps": [
            step(
                "入れる機能と、その利用者を書き出す",
                "<p>住まい、ケア、子どもの居場所、交流、仕事、宿泊など、拠点に置く機能を整理します。</p>",
            ),
            step(
                "出会いが生まれる動線を描く",
                "<p>カフェやホールを中心に置き、住まいやデイサービスから自然に立ち寄れる配置にします。</p>",
                "子どもの居場所と高齢者の場が見える位置にあると、声かけが生まれます。",
            ),
            step(
                "運営する法人と役割を分ける",
                "<p>機能ごとに運営の担い手を決め、共用部分の使い方のルールを話し合います。</p>",
            ),
        ],
        "resources": (
            "各機能の運営者、拠点全体の調整役",
            "複数の機能を置ける建物（閉校舎など）",
            "整備費と、機能ごとの事業収入",
        ),
        "outcomes": "<p>住まい・仕事・支え合い・ボランティアが歩いて行ける範囲にそろいます。</p>",
        "indicators": [
            indicator("機能をまたいだ交流の回数", "共用部分での催しと参加者を記録します。"),
        ],
        "pitfalls": [
            pitfall(
                "機能ごとに壁ができる",
                "運営者どうしの定例会を設け、共用部分の企画を一緒に考えます。",
            ),
        ],
        "downloads": [],
        "related": ["closed-school-consensus", "care-and-employment-model"],
    },
    {
        "slug": "resource-map",
        "visibility": "public",
        "themes": ["work", "places-to-belong"],
        "targets": [],
        "prefecture": "",
        "stage": "planning",
        "title": "地域の「ひと・もの・かね」を地図にする",
        "summary_text": (
            "地域プロデューサーの最初の仕事として、地域にある人・場所・お金を洗い出し、"
            "まだ結び付いていない組み合わせを見つける手法です。"
        ),
        "problem": (
            "<p>地域には力を貸してくれる人や使われていない建物があるのに、"
            "それぞれが知られておらず、つながっていません。</p>"
        ),
        "audience": "これから地域で活動を始める人、地域プロデューサーを目指す人",
        "steps": [
            step(
                "歩いて、聞いて、書き出す",
                "<p>地域を歩き、商店や集会所で話を聞き、「ひと・もの・かね」を付箋に書き出します。</p>",
            ),
            step(
                "地図の上に並べる",
                "<p>地図に付箋を貼り、距離や関係が見えるようにします。</p>",
            ),
            step(
                "つながっていない組み合わせを探す",
                "<p>空き家と住まいに困る人、料理が得意な人と集まれる場所など、組み合わせを考えます。</p>",
                "組み合わせは、住民・行政・企業・NPOの人と一緒に考えると広がります。",
            ),
        ],
        "resources": (
            "地域を歩く仲間、話を聞かせてくれる住民",
            "地図、付箋、ワークシート",
            "ほとんどかからない（印刷代程度）",
        ),
        "outcomes": "<p>地域で最初に取り組むことと、力を貸してくれる人が見えてきます。</p>",
        "indicators": [
            indicator("書き出した資源の数と種類"),
            indicator("実際に会いに行った人の数"),
        ],
        "pitfalls": [
            pitfall("机の上だけで作る", "必ず地域を歩き、直接話を聞いてから書き出します。"),
        ],
        "downloads": ["resource-map-sheet"],
        "related": ["closed-school-consensus", "open-office-salon"],
    },
]

# --- Case studies ---------------------------------------------------------------------------
CASE_STUDIES = [
    {
        "slug": "toshima-safety-net-housing",
        "visibility": "public",
        "themes": ["housing"],
        "targets": ["older-people", "people-with-disabilities", "financial-hardship"],
        "prefecture": "tokyo",
        "municipality": "豊島区",
        "stage": "running",
        "period_start": "2019-04-01",
        "period_end": None,
        "title": "豊島区：空き家を活かしたシェアハウス型セーフティネット住宅",
        "summary_text": (
            "東京23区で空き家の割合が最も高い豊島区で、空き家を入居を拒まない賃貸住宅に整え、"
            "協会が居住支援法人としてオーナーと入居者を支えている事例です。"
        ),
        "partners": [
            partner("一般社団法人コミュニティネットワーク協会", "居住支援法人として企画・運営"),
            partner("空き家のオーナー", "建物の提供"),
        ],
        "story": [
            h2("空き家と、住まいに困る人"),
            p(
                "<p>豊島区は東京23区の中で空き家の割合が最も高い区です。一方で、高齢の方や障がいのある方、"
                "生活に困っている方は、部屋を借りようとしても断られることがあります。"
                "空いている家と、住まいを探す人がいるのに、両者が結び付いていませんでした。</p>"
            ),
            h2("オーナーの不安を引き受ける"),
            p(
                "<p>協会は、オーナーが貸すことをためらう理由に向き合いました。自ら居住支援法人となり、"
                "入居の前から入居の後まで関わることで、オーナーの不安を和らげています。</p>"
            ),
            p(
                "<p>取り組みは「としま・まちごと福祉支援プロジェクト」として、国土交通省の令和元年度"
                "「人生100年時代を支える住まい環境整備モデル事業」に選ばれました。"
                "そして7月、豊島区で初めてのシェアハウス型セーフティネット住宅が開かれました。</p>"
            ),
            callout(
                "info",
                "セーフティネット住宅とは",
                "<p>高齢者、障がい者、生活困窮者などの入居を拒まない賃貸住宅のことです。</p>",
            ),
        ],
        "figures": [
            figure("東京23区の中での空き家率の順位", "1", "位"),
            figure("国のモデル事業に選ばれた年度", "令和元", "年度"),
        ],
        "lessons_learned": (
            "<ul><li>オーナーの不安は、制度の説明より「困ったときに誰が来るか」で和らぐ。</li>"
            "<li>住まいの提供と、入居後の見守りは一体で考える。</li></ul>"
        ),
        "methods": ["akiya-owner-trust", "safety-net-sharehouse", "resident-watch"],
    },
    {
        "slug": "minami-ikebukuro-salon",
        "visibility": "partners_trainees",
        "themes": ["places-to-belong", "care-welfare", "multicultural"],
        "targets": ["older-people", "children", "families", "people-with-disabilities"],
        "prefecture": "tokyo",
        "municipality": "豊島区（南池袋）",
        "stage": "running",
        "period_start": None,
        "period_end": None,
        "title": "南池袋：事務所を改修した共生サロン",
        "summary_text": (
            "協会の事務所を交流の拠点に改修した「共生サロン」。デイサービス、相談、"
            "健康や文化のイベントを通じて、多世代・多文化の人が集う場所になっています。"
        ),
        "partners": [
            partner("一般社団法人コミュニティネットワーク協会", "サロンの運営"),
        ],
        "story": [
            h2("事務所を、まちの居場所に"),
            p(
                "<p>協会は南池袋の事務所を改修し、「共生サロン」と名付けて地域に開きました。"
                "目指したのは、世代をこえて人が交わり、地域の人が元気になれる場所です。</p>"
            ),
            h2("いくつもの入口"),
            p(
                "<p>サロンでは、デイサービス、暮らしの相談、健康づくりや文化のイベントを行っています。"
                "介護が必要な人も、子ども連れの家族も、外国にルーツを持つ人も、"
                "それぞれの入口からサロンに出会います。</p>"
            ),
            h2("続けるための事業の形"),
            p(
                "<p>地域の拠点を長く続けるために、介護事業と就労継続支援事業を組み合わせた"
                "事業モデルづくりに取り組んでいます。</p>"
            ),
        ],
        "figures": [
            figure("サロンで行っている主な取り組み", "4", "種類（デイサービス・相談・健康・文化）"),
        ],
        "lessons_learned": (
            "<ul><li>入口を一つに絞らず、ケア・相談・催しを重ねると、来る人の幅が広がる。</li>"
            "<li>居場所を続けるには、事業としての収入の柱が欠かせない。</li></ul>"
        ),
        "methods": ["open-office-salon", "intergenerational-events", "care-and-employment-model"],
    },
    {
        "slug": "nasu-closed-school",
        "visibility": "partners",
        "themes": ["housing", "care-welfare", "children"],
        "targets": ["older-people", "children", "people-with-disabilities", "financial-hardship"],
        "prefecture": "tochigi",
        "municipality": "那須町",
        "stage": "launch",
        "period_start": "2019-04-01",
        "period_end": None,
        "title": "那須町：閉校した小学校を共生型コミュニティに",
        "summary_text": (
            "地域に親しまれてきた閉校の小学校を、住まい・ケア・交流・仕事の機能を備えた"
            "共生型コミュニティとして再生している事例です。住民参加で進めています。"
        ),
        "partners": [
            partner("一般社団法人コミュニティネットワーク協会", "構想と運営"),
            partner("地域の社会資源（医療・福祉・住民団体など）", "連携"),
        ],
        "story": [
            h2("「生涯活躍のまち」を目指して"),
            p(
                "<p>「那須町を生涯活躍のまちに」「少子高齢社会の新しい拠点づくり」を目標に、"
                "閉校した小学校の再生が始まりました。この取り組みは、国土交通省の令和元年度の"
                "モデル事業に「多様性を受容する共生型コミュニティの暮らしの創造」として選ばれています。</p>"
            ),
            h2("一つの場所に、いくつもの機能"),
            p(
                "<p>住まいには、自立した方や介護が必要な方のためのサービス付き高齢者向け住宅と、"
                "家賃を抑えたセーフティネット住宅を用意します。拠点には、デイサービスセンター、"
                "カフェとチェンバロのある交流ホール、簡易宿泊所、放課後等デイサービスを整えます。</p>"
            ),
            p(
                "<p>住まい・仕事・支え合い・ボランティア活動が歩いて行ける範囲にそろうことが、"
                "この拠点の大きな特徴です。</p>"
            ),
        ],
        "figures": [
            figure("拠点に整える主な機能", "6", "種類"),
            figure("国のモデル事業に選ばれた年度", "令和元", "年度"),
        ],
        "lessons_learned": (
            "<ul><li>思い出のある建物の再生は、住民の参加があってこそ進む。</li>"
            "<li>機能を集めるだけでなく、出会いが生まれる配置を考える。</li></ul>"
        ),
        "methods": ["closed-school-consensus", "co-living-functions", "resource-map"],
    },
]

# --- The demo partner organisation --------------------------------------------------------
PARTNER_ORGANISATION = {
    "name": "株式会社つなぐ住まい（デモ）",
    "name_kana": "つなぐすまい",
    "prefecture": "tochigi",
    "website": "https://example.com/",
    "members": ["partner@example.com"],
}
