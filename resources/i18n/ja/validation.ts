<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ja_JP">
<context>
    <name>CatalogNotes</name>
    <message>
        <source>8B parameters, about 1 MP.</source>
        <translation>パラメーター数 80 億、約 100 万画素。</translation>
    </message>
    <message>
        <source>Fast and the cheapest Stability model.</source>
        <translation>高速で、Stability のモデルでは最も安価です。</translation>
    </message>
    <message>
        <source>Highest quality Stability model.</source>
        <translation>Stability のモデルでは最も高品質です。</translation>
    </message>
    <message>
        <source>No longer operational on Bedrock since May 20, 2025.</source>
        <translation>2025 年 5 月 20 日以降、Bedrock では使えません。</translation>
    </message>
    <message>
        <source>The seed&apos;s model. Past its end of life on Bedrock; kept so old events still load.</source>
        <translation>シードが使っていたモデルです。Bedrock ではサポート終了日を過ぎています。古いイベントを読み込めるように残しています。</translation>
    </message>
    <message>
        <source>Legacy, end of life June 30, 2026 per its model card.</source>
        <translation>レガシー。モデルカードによるとサポート終了日は 2026 年 6 月 30 日です。</translation>
    </message>
    <message>
        <source>Legacy since March 30, 2026; end of life September 30, 2026.</source>
        <translation>2026 年 3 月 30 日からレガシー。サポート終了日は 2026 年 9 月 30 日です。</translation>
    </message>
</context>
<context>
    <name>Checklist</name>
    <message>
        <source>misses: {items}</source>
        <translation>満たしていない項目：{items}</translation>
    </message>
    <message>
        <source>unsure: {items}</source>
        <translation>判断できなかった項目：{items}</translation>
    </message>
    <message>
        <source>{first} | {second}</source>
        <translation>{first}｜{second}</translation>
    </message>
    <message>
        <source>Every must is met ({badge}).</source>
        <translation>必須の要件をすべて満たしています（{badge}）。</translation>
    </message>
    <message>
        <source>A person decides ({badge}): {misses}</source>
        <translation>人の判断が必要です（{badge}）：{misses}</translation>
    </message>
    <message>
        <source>Rejected ({badge}): {misses}</source>
        <translation>却下（{badge}）：{misses}</translation>
    </message>
</context>
<context>
    <name>ImageAnswers</name>
    <message>
        <source>{model} filtered image {index} (CONTENT_FILTERED).</source>
        <translation>{model} が画像 {index} をフィルタで除外しました（CONTENT_FILTERED）。</translation>
    </message>
    <message>
        <source>{model} failed to generate image {index} (ERROR).</source>
        <translation>{model} は画像 {index} を生成できませんでした（ERROR）。</translation>
    </message>
    <message>
        <source>{model} declined the request: {reasons}</source>
        <translation>{model} がリクエストを断りました：{reasons}</translation>
    </message>
    <message>
        <source>{model} returned no image and gave no reason.</source>
        <translation>{model} は画像を返さず、理由も示しませんでした。</translation>
    </message>
</context>
<context>
    <name>Lifecycle</name>
    <message>
        <source>from Bedrock, checked {date}</source>
        <translation>Bedrock で {date} に確認</translation>
    </message>
    <message>
        <source>from Bedrock</source>
        <translation>Bedrock から取得</translation>
    </message>
    <message>
        <source>from the app&apos;s catalog</source>
        <translation>アプリのカタログによる</translation>
    </message>
    <message>
        <source>not known to the app&apos;s catalog</source>
        <translation>アプリのカタログにありません</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>提供中</translation>
    </message>
    <message>
        <source>Legacy since {since}, end of life {eol}</source>
        <translation>{since} からレガシー、サポート終了日 {eol}</translation>
    </message>
    <message>
        <source>Legacy since {since}, end of life not announced</source>
        <translation>{since} からレガシー、サポート終了日は未発表</translation>
    </message>
    <message>
        <source>Legacy, end of life {eol}</source>
        <translation>レガシー、サポート終了日 {eol}</translation>
    </message>
    <message>
        <source>Legacy, end of life not announced</source>
        <translation>レガシー、サポート終了日は未発表</translation>
    </message>
    <message>
        <source>End of life since {eol}</source>
        <translation>{eol} にサポート終了</translation>
    </message>
    <message>
        <source>End of life</source>
        <translation>サポート終了</translation>
    </message>
    <message>
        <source>{state}; consider {model}</source>
        <translation>{state}。代わりに {model} をお勧めします</translation>
    </message>
    <message>
        <source>{state} ({source})</source>
        <translation>{state}（{source}）</translation>
    </message>
</context>
<context>
    <name>Validation</name>
    <message>
        <source>{field}: {value} is not allowed; {allowed}</source>
        <translation>{field}: {value} は使えません。使える値: {allowed}</translation>
    </message>
    <message>
        <source>text without NUL characters or lone UTF-16 surrogates (\ud800-\udfff); this one has one at character {position}</source>
        <translation>NUL 文字や対になっていない UTF-16 サロゲート（\ud800-\udfff）を含まないテキスト。{position} 文字目に含まれています</translation>
    </message>
    <message>
        <source>a string</source>
        <translation>文字列</translation>
    </message>
    <message>
        <source>a whole number</source>
        <translation>整数</translation>
    </message>
    <message>
        <source>a number</source>
        <translation>数値</translation>
    </message>
    <message>
        <source>a true or false</source>
        <translation>true または false</translation>
    </message>
    <message>
        <source>{type}, or &quot;{unset}&quot; (or null) to leave it out</source>
        <translation>{type}。指定しない場合は &quot;{unset}&quot;（または null）</translation>
    </message>
    <message>
        <source>one of {choices}</source>
        <translation>{choices} のいずれか</translation>
    </message>
    <message>
        <source>{low}-{high}</source>
        <translation>{low}〜{high}</translation>
    </message>
    <message>
        <source>{low}-{high} {note}</source>
        <translation>{low}〜{high} {note}</translation>
    </message>
    <message>
        <source>{off} ({off_means}) or {range}</source>
        <translation>{off}（{off_means}）または {range}</translation>
    </message>
    <message>
        <source>pixels</source>
        <translation>ピクセル</translation>
    </message>
    <message>
        <source>(Anthropic&apos;s documented range; 0 lets the model choose)</source>
        <translation>（Anthropic が公開している範囲。0 ならモデルに任せます）</translation>
    </message>
    <message>
        <source>tokens (the largest output of the catalog&apos;s judge models; a model with a lower ceiling refuses more itself)</source>
        <translation>トークン（カタログにある判定モデルの最大出力。上限がこれより低いモデルでは、超えた分はモデル側で拒否されます）</translation>
    </message>
    <message>
        <source>generations per prompt version</source>
        <translation>回（プロンプトの版ごとの生成回数）</translation>
    </message>
    <message>
        <source>revisions of the prompt</source>
        <translation>回（プロンプトを書き直す回数）</translation>
    </message>
    <message>
        <source>images (the seed&apos;s Titan maximum)</source>
        <translation>枚（元の Titan の上限）</translation>
    </message>
    <message>
        <source>candidates generated or judged at once</source>
        <translation>件（同時に生成・判定する候補の数）</translation>
    </message>
    <message>
        <source>US dollars</source>
        <translation>米ドル</translation>
    </message>
    <message>
        <source>no cap</source>
        <translation>上限なし</translation>
    </message>
    <message>
        <source>send the full image</source>
        <translation>元の画像をそのまま送る</translation>
    </message>
    <message>
        <source>a region name like us-east-1, or empty for the profile&apos;s region</source>
        <translation>us-east-1 のようなリージョン名。空欄ならプロファイルのリージョン</translation>
    </message>
    <message>
        <source>a list of {item} items (used with judge_mode &quot;checklist&quot;), or unset to have the judge model write one</source>
        <translation>{item} の項目のリスト（judge_mode が &quot;checklist&quot; のときに使用）。未設定なら判定モデルが作成します</translation>
    </message>
    <message>
        <source>a Bedrock model id, inference profile id or ARN: at most {most} characters, no spaces or control characters</source>
        <translation>Bedrock のモデル ID、推論プロファイル ID または ARN（{most} 文字以内、空白や制御文字なし）</translation>
    </message>
    <message>
        <source>an S3 bucket name (checked only when S3 is on)</source>
        <translation>S3 バケット名（S3 がオンのときだけ確認します）</translation>
    </message>
    <message>
        <source>a key prefix without a leading &apos;/&apos;, &apos;..&apos; or control characters, at most 900 bytes</source>
        <translation>先頭が &apos;/&apos; でなく、&apos;..&apos; や制御文字を含まない、900 バイト以内のキー接頭辞</translation>
    </message>
    <message>
        <source>a folder path without control characters, at most {most} characters (empty for the app&apos;s images folder)</source>
        <translation>制御文字を含まない {most} 文字以内のフォルダーのパス（空欄ならアプリの画像フォルダー）</translation>
    </message>
    <message>
        <source>1-{most} characters for {model} (this one has {count})</source>
        <translation>{model} では 1〜{most} 文字（このプロンプトは {count} 文字）</translation>
    </message>
    <message>
        <source>unset while judge_mode is &quot;verdict&quot; (a checklist is used only with judge_mode &quot;checklist&quot;)</source>
        <translation>judge_mode が &quot;verdict&quot; の間は未設定（チェックリストは judge_mode が &quot;checklist&quot; のときだけ使われます）</translation>
    </message>
    <message>
        <source>{low}-{high} for {model}</source>
        <translation>{model} では {low}〜{high}</translation>
    </message>
    <message>
        <source>{low}-{high} (0 picks a random seed)</source>
        <translation>{low}〜{high}（0 ならランダムなシード）</translation>
    </message>
    <message>
        <source>a width {times} height in pixels, like {example}</source>
        <translation>「{example}」のような、幅 {times} 高さのピクセル数</translation>
    </message>
    <message>
        <source>a readable file ({reason})</source>
        <translation>読み取れるファイル（{reason}）</translation>
    </message>
    <message>
        <source>a file path without NUL characters</source>
        <translation>NUL 文字を含まないファイルのパス</translation>
    </message>
    <message>
        <source>UTF-8 text</source>
        <translation>UTF-8 のテキスト</translation>
    </message>
    <message>
        <source>a JSON object of at most {bytes} bytes of UTF-8, nested at most {depth} levels, with whole numbers of at most {digits} digits and finite numbers; {reason}</source>
        <translation>UTF-8 で {bytes} バイト以内、入れ子は {depth} 段まで、整数は {digits} 桁まで、数値は有限の JSON オブジェクト。{reason}</translation>
    </message>
    <message>
        <source>an event of at most {bytes} bytes (this one is longer)</source>
        <translation>{bytes} バイト以内のイベント（これはそれより長いです）</translation>
    </message>
    <message>
        <source>3-63 characters of lowercase letters, digits, &apos;.&apos; and &apos;-&apos;, starting and ending with a letter or digit, not an IP address, no &apos;..&apos;</source>
        <translation>英小文字・数字・&apos;.&apos;・&apos;-&apos; からなる 3〜63 文字（先頭と末尾は英小文字か数字、IP アドレスの形は不可、&apos;..&apos; は不可）</translation>
    </message>
    <message>
        <source>a name without the prefixes and suffixes S3 reserves (xn--, sthree-, -s3alias, --ol-s3, ...)</source>
        <translation>S3 が予約している接頭辞・接尾辞（xn--、sthree-、-s3alias、--ol-s3 など）を含まない名前</translation>
    </message>
    <message>
        <source>any value</source>
        <translation>任意の値</translation>
    </message>
    <message>
        <source>not a known parameter</source>
        <translation>既知のパラメーター名のみ</translation>
    </message>
    <message>
        <source>true or false</source>
        <translation>true または false</translation>
    </message>
    <message>
        <source>a list</source>
        <translation>リスト</translation>
    </message>
    <message>
        <source>a JSON object</source>
        <translation>JSON オブジェクト</translation>
    </message>
    <message>
        <source>{shape} or null</source>
        <translation>{shape}、または null</translation>
    </message>
    <message>
        <source>a whole number from {low} to {high}</source>
        <translation>{low}〜{high} の整数</translation>
    </message>
    <message>
        <source>a number from {low} to {high}</source>
        <translation>{low}〜{high} の数値</translation>
    </message>
    <message>
        <source>a whole number of at least {low}</source>
        <translation>{low} 以上の整数</translation>
    </message>
    <message>
        <source>a number of at least {low}</source>
        <translation>{low} 以上の数値</translation>
    </message>
    <message>
        <source>a whole number of at most {high}</source>
        <translation>{high} 以下の整数</translation>
    </message>
    <message>
        <source>a number of at most {high}</source>
        <translation>{high} 以下の数値</translation>
    </message>
    <message>
        <source>1-{most} letters, digits, &apos;_&apos;, &apos;.&apos; or &apos;-&apos;, starting with a letter or digit</source>
        <translation>英数字・&apos;_&apos;・&apos;.&apos;・&apos;-&apos; からなる 1〜{most} 文字（先頭は英数字）</translation>
    </message>
    <message>
        <source>text of 1-{most} characters, not only spaces, without NUL characters or lone UTF-16 surrogates</source>
        <translation>1〜{most} 文字のテキスト（空白だけは不可、NUL 文字や対になっていない UTF-16 サロゲートは不可）</translation>
    </message>
    <message>
        <source>a list of 1-{most} items</source>
        <translation>1〜{most} 項目のリスト</translation>
    </message>
    <message>
        <source>a checklist item</source>
        <translation>チェックリストの項目</translation>
    </message>
    <message>
        <source>a list of item ids</source>
        <translation>項目 ID のリスト</translation>
    </message>
    <message>
        <source>at least one item with must true (with none, every image would be approved)</source>
        <translation>must が true の項目を 1 つ以上（1 つもないと、どの画像も承認されてしまいます）</translation>
    </message>
    <message>
        <source>an id no other item has ({other} has it too)</source>
        <translation>ほかの項目と重ならない ID（{other} にも同じ ID があります）</translation>
    </message>
    <message>
        <source>ids of other items</source>
        <translation>ほかの項目の ID</translation>
    </message>
    <message>
        <source>ids of items in this checklist ({ids})</source>
        <translation>このチェックリストにある項目の ID（{ids}）</translation>
    </message>
    <message>
        <source>dependencies that never lead back to the item itself ({cycle})</source>
        <translation>その項目自身に戻ってこない依存関係（{cycle}）</translation>
    </message>
    <message>
        <source>true (the image must show it) or false (should)</source>
        <translation>true（画像に必ず描かれていること）または false（描かれているのが望ましいこと）</translation>
    </message>
    <message>
        <source>an item&apos;s id</source>
        <translation>項目の ID</translation>
    </message>
    <message>
        <source>a list of other items&apos; ids</source>
        <translation>ほかの項目の ID のリスト</translation>
    </message>
    <message>
        <source>a list of 1-{most} items, each {item} (optionally id, kind, depends_on)</source>
        <translation>1〜{most} 項目のリスト。各項目は {item}（id、kind、depends_on は省略可）</translation>
    </message>
    <message>
        <source>a JSON list of items; {reason}</source>
        <translation>項目の JSON リスト。{reason}</translation>
    </message>
    <message>
        <source>&quot;&quot; (every region and profile), &quot;global&quot; (the global. profile), &quot;regional&quot; (geographic profiles like us. and eu., and calls in one region), or a region name like us-east-1</source>
        <translation>&quot;&quot;（すべてのリージョンとプロファイル）、&quot;global&quot;（global. プロファイル）、&quot;regional&quot;（us. や eu. などの地域別プロファイルと、1 つのリージョン内での呼び出し）、または us-east-1 のようなリージョン名</translation>
    </message>
    <message>
        <source>{first} or {second}</source>
        <translation>{first} または {second}</translation>
    </message>
    <message>
        <source>an amount of US dollars from 0 to {most} {unit}, as a number or text</source>
        <translation>{unit} 0〜{most} 米ドルの金額（数値または文字列）</translation>
    </message>
    <message>
        <source>per million tokens</source>
        <translation>100 万トークンあたり</translation>
    </message>
    <message>
        <source>an image</source>
        <translation>画像 1 枚あたり</translation>
    </message>
    <message>
        <source>a whole number of tokens per image from 1 to {most}, or left out (by its size)</source>
        <translation>画像 1 枚あたりのトークン数（1〜{most} の整数）。省略すると画像のサイズから見積もります</translation>
    </message>
    <message>
        <source>a list of price rows (or empty)</source>
        <translation>価格行のリスト（または空）</translation>
    </message>
    <message>
        <source>an object with &quot;kind&quot;: &quot;text&quot; or &quot;image&quot;</source>
        <translation>&quot;kind&quot; が &quot;text&quot; または &quot;image&quot; のオブジェクト</translation>
    </message>
    <message>
        <source>a model and scope no other row has ({other} has them)</source>
        <translation>ほかの行と重ならないモデルとスコープの組み合わせ（{other} にも同じ組み合わせがあります）</translation>
    </message>
    <message>
        <source>a model id, profile id or ARN without spaces</source>
        <translation>空白を含まないモデル ID、プロファイル ID または ARN</translation>
    </message>
    <message>
        <source>a date as YYYY-MM-DD</source>
        <translation>YYYY-MM-DD 形式の日付</translation>
    </message>
    <message>
        <source>text of at most {most} characters</source>
        <translation>{most} 文字以内のテキスト</translation>
    </message>
    <message>
        <source>either &quot;per_image&quot; (one price) or &quot;tiers&quot; (a list)</source>
        <translation>&quot;per_image&quot;（1 つの価格）か &quot;tiers&quot;（リスト）のどちらか一方</translation>
    </message>
    <message>
        <source>a list of 1 or more {tier}</source>
        <translation>{tier} を 1 つ以上含むリスト</translation>
    </message>
    <message>
        <source>an object {tier}</source>
        <translation>{tier} の形のオブジェクト</translation>
    </message>
    <message>
        <source>a whole number of pixels from 1 to {most}, or null for any size</source>
        <translation>1〜{most} のピクセル数（整数）。サイズを問わない場合は null</translation>
    </message>
    <message>
        <source>one of {models}, optionally as a cross-region inference profile id (us., eu., apac., global.) or a foundation-model ARN</source>
        <translation>{models} のいずれか（クロスリージョン推論プロファイル ID（us.、eu.、apac.、global.）や基盤モデルの ARN でも可）</translation>
    </message>
    <message>
        <source>{model} (served on demand, without a profile prefix)</source>
        <translation>{model}（オンデマンドで提供、プロファイルの接頭辞なし）</translation>
    </message>
    <message>
        <source>{model} has no &apos;{geography}.&apos; profile: {offered}</source>
        <translation>{model} には &apos;{geography}.&apos; プロファイルがありません。使えるのは {offered}</translation>
    </message>
    <message>
        <source>a region inside the &apos;{geography}.&apos; profile&apos;s geography for {model}, or empty to let the app choose</source>
        <translation>{model} の &apos;{geography}.&apos; プロファイルの地域内にあるリージョン。空欄ならアプリが選びます</translation>
    </message>
    <message>
        <source>an inference profile id such as {ids}: {model} is not served on demand by its base id</source>
        <translation>{ids} などの推論プロファイル ID（{model} は基本のモデル ID ではオンデマンドで提供されていません）</translation>
    </message>
    <message>
        <source>a region that serves {model} ({regions}), or empty to call each model in a region that serves it</source>
        <translation>{model} を提供しているリージョン（{regions}）。空欄なら、各モデルをそれを提供しているリージョンで呼び出します</translation>
    </message>
    <message>
        <source>a listed size</source>
        <translation>一覧にあるサイズ</translation>
    </message>
    <message>
        <source>a whole number {low}-{high}</source>
        <translation>{low}〜{high} の整数</translation>
    </message>
    <message>
        <source>JSON {what} ({reason})</source>
        <translation>JSON 形式の {what}（{reason}）</translation>
    </message>
    <message>
        <source>an amount of US dollars from 0.01 to {most}, or empty for no cap</source>
        <translation>0.01〜{most} 米ドルの金額。空欄なら上限なし</translation>
    </message>
    <message>
        <source>at most 1 MiB of JSON</source>
        <translation>1 MiB 以内の JSON</translation>
    </message>
    <message>
        <source>JSON: a list of price rows, [] or empty for none ({error})</source>
        <translation>JSON: 価格行のリスト。行がなければ [] か空欄（{error}）</translation>
    </message>
    <message>
        <source>an object with monthly_cap_usd and price_overrides</source>
        <translation>monthly_cap_usd と price_overrides を持つオブジェクト</translation>
    </message>
    <message>
        <source>at most {most} bytes</source>
        <translation>{most} バイト以内</translation>
    </message>
    <message>
        <source>at most {most}</source>
        <translation>{most} 件以内</translation>
    </message>
    <message>
        <source>at least one event</source>
        <translation>1 件以上のイベント</translation>
    </message>
    <message>
        <source>the name of a saved preset</source>
        <translation>保存済みのプリセットの名前</translation>
    </message>
    <message>
        <source>at most {most} presets; delete one first</source>
        <translation>プリセットは {most} 件まで。先に 1 件削除してください</translation>
    </message>
    <message>
        <source>a name of at least one visible character</source>
        <translation>目に見える文字を 1 文字以上含む名前</translation>
    </message>
    <message>
        <source>at most {most} characters (this one has {count})</source>
        <translation>{most} 文字以内（この名前は {count} 文字）</translation>
    </message>
    <message>
        <source>a name without control characters (tabs, line breaks)</source>
        <translation>制御文字（タブや改行）を含まない名前</translation>
    </message>
</context>
</TS>
