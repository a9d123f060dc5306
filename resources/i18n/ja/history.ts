<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ja_JP">
<context>
    <name>CostEstimateView</name>
    <message>
        <source>First try ≈ {cost}</source>
        <translation>初回の試行 ≈ {cost}</translation>
    </message>
    <message>
        <source>worst case {cost}</source>
        <translation>最悪の場合 {cost}</translation>
    </message>
    <message>
        <source>expected {cost}</source>
        <translation>見込み {cost}</translation>
    </message>
    <message>
        <source>run cap {cap}</source>
        <translation>実行の上限 {cap}</translation>
    </message>
    <message>
        <source>The budget per run ({cap}) is below what the first try can cost: the run may stop before its first image is judged.</source>
        <translation>実行あたりの予算（{cap}）が初回の試行でかかりうる費用を下回っています。最初の画像が判定される前に実行が止まる可能性があります。</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>不明</translation>
    </message>
    <message>
        <source>≥ {known} + unknown</source>
        <translation>≥ {known} + 不明</translation>
    </message>
    <message>
        <source>Estimate incomplete: {what}</source>
        <translation>見積もりが不完全です：{what}</translation>
    </message>
    <message>
        <source>Your cost settings cannot be used ({what}); fix them in Settings → Costs and budget.</source>
        <translation>費用の設定を使用できません（{what}）。設定 → 費用と予算 で修正してください。</translation>
    </message>
    <message>
        <source>Worst case, by call:</source>
        <translation>最悪の場合の内訳（呼び出しの種類別）：</translation>
    </message>
    <message>
        <source>{kind}: {calls} call(s), {units} x {each} = {total}</source>
        <translation>{kind}：{calls} 回、{units} × {each} = {total}</translation>
    </message>
    <message>
        <source>First try: {cost} (the first image approved, with what runs alongside it)</source>
        <translation>初回の試行：{cost}（最初の画像が承認された場合。並行して行われる処理を含む）</translation>
    </message>
    <message>
        <source>Worst case: {cost} (every attempt, retry, revision and comparison)</source>
        <translation>最悪の場合：{cost}（すべての試行・再試行・改訂・比較を含む）</translation>
    </message>
    <message>
        <source>Expected: {cost} (your median of {median} attempt(s) for this model pair)</source>
        <translation>見込み：{cost}（このモデルの組み合わせで承認までにかかった試行回数の中央値 {median} 回に基づく）</translation>
    </message>
    <message>
        <source>Expected: no approved run of this model pair in your history yet</source>
        <translation>見込み：このモデルの組み合わせで承認された実行は、まだ履歴にありません</translation>
    </message>
    <message>
        <source>Priced for the image model in {image}, the judge in {judge}</source>
        <translation>画像モデルは {image}、判定モデルは {judge} の価格で計算</translation>
    </message>
    <message>
        <source>Your own price rows (Settings → Costs and budget) are used.</source>
        <translation>独自の価格（設定 → 費用と予算）を使用しています。</translation>
    </message>
    <message>
        <source>Generate</source>
        <translation>生成</translation>
    </message>
    <message>
        <source>Judge</source>
        <translation>判定</translation>
    </message>
    <message>
        <source>Judge again</source>
        <translation>再判定</translation>
    </message>
    <message>
        <source>Checklist</source>
        <translation>チェックリスト作成</translation>
    </message>
    <message>
        <source>Checklist again</source>
        <translation>チェックリスト再作成</translation>
    </message>
    <message>
        <source>Revise</source>
        <translation>改訂</translation>
    </message>
    <message>
        <source>Revise again</source>
        <translation>再改訂</translation>
    </message>
    <message>
        <source>Compare</source>
        <translation>比較</translation>
    </message>
</context>
<context>
    <name>CostsPage</name>
    <message>
        <source>Costs</source>
        <translation>費用</translation>
    </message>
    <message>
        <source>empty = no monthly cap</source>
        <translation>空欄 = 月の上限なし</translation>
    </message>
    <message>
        <source>The most all runs together may spend in a calendar month, in US dollars. A call that would pass it is not started and the run ends with outcome budget, keeping everything it made. The window and the headless command share it.</source>
        <translation>すべての実行を合わせて 1 か月（暦月）に使える上限額（米ドル）です。これを超える呼び出しは開始されず、実行は結果「予算で停止」で終わります（それまでに生成したものはすべて残ります）。ウィンドウとヘッドレスのコマンドで共通の設定です。</translation>
    </message>
    <message>
        <source>Your own prices (negotiated or newer), in place of the shipped rows for the same model and scope. A JSON list: text rows give USD per million tokens (input, output, optional cache_write, cache_read), image rows a per_image price or tiers. Scope: &quot;&quot; (everywhere), &quot;global&quot;, &quot;regional&quot; or a region such as us-east-1.</source>
        <translation>同梱の価格表で同じモデル・同じスコープの行の代わりに使う、独自の価格（交渉済みの価格や新しい価格）です。JSON のリストで書きます。テキストの行には 100 万トークンあたりの米ドル（input、output、任意で cache_write、cache_read）、画像の行には per_image の価格または tiers を指定します。スコープ：&quot;&quot; （すべて）、&quot;global&quot;、&quot;regional&quot;、または us-east-1 などのリージョン。</translation>
    </message>
    <message>
        <source>Insert example rows</source>
        <translation>例の行を挿入</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Revert</source>
        <translation>元に戻す</translation>
    </message>
    <message>
        <source>All values are allowed.</source>
        <translation>すべての値が有効です。</translation>
    </message>
    <message>
        <source>Not saved yet.</source>
        <translation>まだ保存していません。</translation>
    </message>
    <message>
        <source>Saved to {path}; the next run and the estimate use it.</source>
        <translation>{path} に保存しました。次の実行と見積もりで使われます。</translation>
    </message>
    <message>
        <source>Nothing saved: {n} value(s) are not allowed (listed above).</source>
        <translation>保存していません：許可されていない値が {n} 件あります（上に表示）。</translation>
    </message>
    <message>
        <source>Could not save {path}: {error}</source>
        <translation>{path} を保存できませんでした：{error}</translation>
    </message>
    <message>
        <source>Your cost settings file cannot be used, so runs will not start until it is fixed:
{problems}
What it holds is below: fix the values named, then Save.</source>
        <translation>費用の設定ファイルを使用できないため、修正するまで実行は開始されません：
{problems}
ファイルの内容を下に表示しています。指摘された値を修正してから保存してください。</translation>
    </message>
    <message>
        <source>This month so far: {spent}</source>
        <translation>今月の累計：{spent}</translation>
    </message>
    <message>
        <source>This month so far: {spent} of {cap} ({left} left)</source>
        <translation>今月の累計：{spent} / {cap}（残り {left}）</translation>
    </message>
    <message>
        <source>Monthly budget</source>
        <translation>月の予算</translation>
    </message>
    <message>
        <source>Cap $</source>
        <translation>上限 $</translation>
    </message>
    <message>
        <source>US dollars a month</source>
        <translation>米ドル／月</translation>
    </message>
    <message>
        <source>Your prices</source>
        <translation>独自の価格</translation>
    </message>
    <message>
        <source>[]  (no rows: the shipped prices below are used)</source>
        <translation>[]  （行なし：下の同梱の価格を使用）</translation>
    </message>
    <message>
        <source>Shipped prices (checked {date})</source>
        <translation>同梱の価格（{date} 確認）</translation>
    </message>
</context>
<context>
    <name>HistoryBrowser</name>
    <message>
        <source>{n} session(s)</source>
        <translation>{n} 件のセッション</translation>
    </message>
    <message>
        <source>No sessions match</source>
        <translation>一致するセッションはありません</translation>
    </message>
    <message>
        <source>Read the list again (F5)</source>
        <translation>一覧を再読み込み (F5)</translation>
    </message>
    <message>
        <source>approved</source>
        <translation>承認</translation>
    </message>
    <message>
        <source>no image approved</source>
        <translation>承認なし</translation>
    </message>
    <message>
        <source>error</source>
        <translation>エラー</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>キャンセル</translation>
    </message>
    <message>
        <source>interrupted</source>
        <translation>中断</translation>
    </message>
    <message>
        <source>running</source>
        <translation>実行中</translation>
    </message>
    <message>
        <source>stopped at budget</source>
        <translation>予算で停止</translation>
    </message>
    <message>
        <source>Prompt</source>
        <translation>プロンプト</translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation>結果</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>日時</translation>
    </message>
    <message>
        <source>Images</source>
        <translation>画像</translation>
    </message>
    <message>
        <source>Cost</source>
        <translation>費用</translation>
    </message>
    <message>
        <source>Judge agreement with your decisions:</source>
        <translation>判定モデルとあなたの判断の一致：</translation>
    </message>
    <message>
        <source>{judge} (images by {image}): agreed on {agreed} of {decided} ({rate}); judge yes / you no: {yes_no}, judge no / you yes: {no_yes}</source>
        <translation>{judge}（画像：{image}）：{decided} 件中 {agreed} 件一致（{rate}）。判定は可・あなたは否：{yes_no}、判定は否・あなたは可：{no_yes}</translation>
    </message>
    <message>
        <source>Judge agreement: decide images (Approve / Reject) to measure the judge.</source>
        <translation>判定モデルの一致率：画像を判断（承認／却下）すると、判定モデルを評価できます。</translation>
    </message>
    <message>
        <source>Spend:</source>
        <translation>費用：</translation>
    </message>
    <message>
        <source>Spend: no paid call recorded yet.</source>
        <translation>費用：有料の呼び出しはまだ記録されていません。</translation>
    </message>
    <message>
        <source>{key}: {cost} ({runs} run(s), {calls} call(s){per})</source>
        <translation>{key}：{cost}（実行 {runs} 回、呼び出し {calls} 回{per}）</translation>
    </message>
    <message>
        <source>{key}: {cost} ({calls} call(s))</source>
        <translation>{key}：{cost}（呼び出し {calls} 回）</translation>
    </message>
    <message>
        <source>, {cost} per approved image</source>
        <translation>、承認画像 1 枚あたり {cost}</translation>
    </message>
    <message>
        <source>Per approved image, all time: {cost} ({approved} approved)</source>
        <translation>承認画像 1 枚あたり（全期間）：{cost}（承認 {approved} 枚）</translation>
    </message>
    <message>
        <source>Per approved image: no image approved yet</source>
        <translation>承認画像 1 枚あたり：承認された画像はまだありません</translation>
    </message>
    <message>
        <source>({n} approved since)</source>
        <translation>（その後 {n} 枚承認）</translation>
    </message>
    <message>
        <source>Last prompt: {prompt}</source>
        <translation>最後のプロンプト：{prompt}</translation>
    </message>
    <message>
        <source>{images} image(s), {attempts} attempt(s), run {run_id}</source>
        <translation>画像 {images} 枚、試行 {attempts} 回、実行 {run_id}</translation>
    </message>
    <message>
        <source>Cost: {cost}</source>
        <translation>費用：{cost}</translation>
    </message>
    <message>
        <source>The history could not be read: {error}</source>
        <translation>履歴を読み込めませんでした：{error}</translation>
    </message>
    <message>
        <source>The parameters of {run_id} cannot be used: {error}</source>
        <translation>{run_id} のパラメーターは使用できません：{error}</translation>
    </message>
    <message>
        <source>Search prompts (any language)</source>
        <translation>プロンプトを検索（どの言語でも可）</translation>
    </message>
    <message>
        <source>Words in the prompts and checklists, in any language.
is:fav — only sessions with an image you starred
rating&gt;=N or rating:N — only sessions with an image rated at least N (1-5)
Example: lighthouse is:fav rating&gt;=4</source>
        <translation>プロンプトとチェックリストの語句で検索します（どの言語でも可）。
is:fav — お気に入りの画像があるセッションだけ
rating&gt;=N または rating:N — 評価が N 以上（1〜5）の画像があるセッションだけ
例：灯台 is:fav rating&gt;=4</translation>
    </message>
    <message>
        <source>Content Credentials: {parts}</source>
        <translation>コンテンツ認証情報：{parts}</translation>
    </message>
    <message>
        <source>checking {images} image(s)…</source>
        <translation>{images} 枚の画像を確認しています…</translation>
    </message>
    <message>
        <source>{signed} of {images} image(s) issued by {issuers}: {valid} valid, {invalid} invalid</source>
        <translation>{images} 枚中 {signed} 枚が {issuers} の発行（有効 {valid} 枚、無効 {invalid} 枚）</translation>
    </message>
    <message>
        <source>none on its {images} image(s)</source>
        <translation>{images} 枚の画像のいずれにもなし</translation>
    </message>
    <message>
        <source>{unknown} of {images} image(s) unknown ({reasons})</source>
        <translation>{images} 枚中 {unknown} 枚は不明（{reasons}）</translation>
    </message>
    <message>
        <source>an unnamed signer</source>
        <translation>名前のない署名者</translation>
    </message>
    <message>
        <source>could not be checked: {error}</source>
        <translation>確認できませんでした：{error}</translation>
    </message>
    <message>
        <source>Any outcome</source>
        <translation>すべての結果</translation>
    </message>
    <message>
        <source>★ Favourites</source>
        <translation>★ お気に入り</translation>
    </message>
    <message>
        <source>Only sessions with an image you starred</source>
        <translation>星を付けた画像があるセッションのみ</translation>
    </message>
    <message>
        <source>Any rating</source>
        <translation>すべての評価</translation>
    </message>
    <message>
        <source>{stars} or more</source>
        <translation>{stars} 以上</translation>
    </message>
    <message>
        <source>Only sessions with an image rated at least this</source>
        <translation>この評価以上の画像があるセッションのみ</translation>
    </message>
    <message>
        <source>From</source>
        <translation>開始日</translation>
    </message>
    <message>
        <source>to</source>
        <translation>終了日</translation>
    </message>
    <message>
        <source>&amp;Open</source>
        <translation>開く(&amp;O)</translation>
    </message>
    <message>
        <source>Run a&amp;gain with these parameters</source>
        <translation>このパラメーターで再実行(&amp;G)</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>再読み込み</translation>
    </message>
</context>
<context>
    <name>QueuePage</name>
    <message>
        <source>Bedrock&apos;s quotas are per model and per Region, and new accounts often get less than the published defaults; these start modest. When Bedrock answers that calls are too many, the queue slows down by itself and speeds up again as calls succeed, up to the rate set here. Service Quotas in the AWS console shows your account&apos;s values. Changes apply from the queue&apos;s next start.</source>
        <translation>Bedrock のクォータはモデルごと・リージョンごとに決まっていて、新しいアカウントでは公開されている既定値より少ないことがよくあります。そのため、ここでは控えめな値から始めます。Bedrock から呼び出しが多すぎると返されると、キューは自動的に速度を落とし、呼び出しが成功するにつれて、ここで設定した速度まで戻します。アカウントの値は AWS コンソールの Service Quotas で確認できます。変更はキューの次回の開始から反映されます。</translation>
    </message>
    <message>
        <source>&amp;Items running at once:</source>
        <translation>同時に実行する項目数(&amp;I)：</translation>
    </message>
    <message>
        <source>Image calls at &amp;once:</source>
        <translation>同時に行う画像呼び出し数(&amp;O)：</translation>
    </message>
    <message>
        <source>Image calls per &amp;minute (at most):</source>
        <translation>1 分あたりの画像呼び出し数（上限）(&amp;M)：</translation>
    </message>
    <message>
        <source>&amp;Defaults</source>
        <translation>既定値(&amp;D)</translation>
    </message>
    <message>
        <source>&amp;Save queue limits</source>
        <translation>キューの制限を保存(&amp;S)</translation>
    </message>
    <message>
        <source>{path} could not be used ({problems}); showing the defaults.</source>
        <translation>{path} を使用できませんでした（{problems}）。既定値を表示しています。</translation>
    </message>
    <message>
        <source>Not saved: {error}</source>
        <translation>保存していません：{error}</translation>
    </message>
    <message>
        <source>Saved; the queue uses these from its next start.</source>
        <translation>保存しました。キューの次回の開始から使われます。</translation>
    </message>
    <message>
        <source>Use my account&apos;s &amp;quota</source>
        <translation>アカウントのクォータを使う(&amp;Q)</translation>
    </message>
    <message>
        <source>Read the image model&apos;s requests-per-minute quota from Service Quotas with the credentials runs use (needs servicequotas:ListServiceQuotas) and fill the fields.</source>
        <translation>実行に使う認証情報で、画像モデルの 1 分あたりのリクエスト数のクォータを Service Quotas から読み取り、各欄に入れます（servicequotas:ListServiceQuotas の権限が必要です）。</translation>
    </message>
    <message>
        <source>Reading the quota of {model} from Service Quotas…</source>
        <translation>{model} のクォータを Service Quotas から読み取っています…</translation>
    </message>
    <message>
        <source>{model} in {region}: {count} requests per minute ({kind}). The fields now use it; save to keep them.</source>
        <translation>{region} の {model}：1 分あたり {count} リクエスト（{kind}）。各欄に反映しました。残すには保存してください。</translation>
    </message>
    <message>
        <source>applied quota</source>
        <translation>適用済みのクォータ</translation>
    </message>
    <message>
        <source>AWS default quota; your account has no applied value</source>
        <translation>AWS の既定のクォータ。このアカウントに適用済みの値はありません</translation>
    </message>
    <message>
        <source>Could not read the quota: {error}</source>
        <translation>クォータを読み取れませんでした：{error}</translation>
    </message>
    <message>
        <source>Could not read the quota: unexpected error ({kind}: {error})</source>
        <translation>クォータを読み取れませんでした：予期しないエラー（{kind}: {error}）</translation>
    </message>
    <message>
        <source>Not available in the offline demo: its simulated Bedrock has no AWS account whose quotas could be read. Choose an AWS account or profile for runs first.</source>
        <translation>オフラインデモでは使えません。シミュレートされた Bedrock には、クォータを読み取れる AWS アカウントがありません。先に実行用の AWS アカウントかプロファイルを選んでください。</translation>
    </message>
</context>
<context>
    <name>RecordNotes</name>
    <message>
        <source>{region} (both models)</source>
        <translation>{region}（両方のモデル）</translation>
    </message>
    <message>
        <source>Image model in {image}, judge in {judge}</source>
        <translation>画像モデルは {image}、判定モデルは {judge}</translation>
    </message>
</context>
<context>
    <name>ReviewPanel</name>
    <message>
        <source>Review</source>
        <translation>レビュー</translation>
    </message>
    <message>
        <source>Nothing to review: every image the judge was unsure of has your decision.</source>
        <translation>レビューするものはありません。判定モデルが迷った画像はすべて判断済みです。</translation>
    </message>
    <message>
        <source>{n} image(s) wait for your decision.</source>
        <translation>{n} 枚の画像があなたの判断を待っています。</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>読み込み中…</translation>
    </message>
    <message>
        <source>★ best, not approved</source>
        <translation>★ ベスト（未承認）</translation>
    </message>
    <message>
        <source>? the judge was unsure</source>
        <translation>? 判定モデルが迷った画像</translation>
    </message>
    <message>
        <source>What keeps it from approval: {misses}</source>
        <translation>承認されない理由：{misses}</translation>
    </message>
    <message>
        <source>The judge gave no reason it misses.</source>
        <translation>判定モデルは不足している点を示しませんでした。</translation>
    </message>
    <message>
        <source>Prompt v{revision}, attempt {attempt}, image {index} · {badge}</source>
        <translation>プロンプト v{revision}、試行 {attempt}、画像 {index} · {badge}</translation>
    </message>
    <message>
        <source>Say which requirements it &amp;meets (sent with your decision)</source>
        <translation>満たしている要件を指定する(&amp;M)（判断と一緒に送信）</translation>
    </message>
    <message>
        <source>Ticked requirements are met, unticked ones are not; each becomes a label the judge is measured against. Leave this off to decide the image as a whole.</source>
        <translation>チェックした要件は満たしている、チェックしていない要件は満たしていないものとして記録され、それぞれが判定モデルを評価するためのラベルになります。画像全体として判断する場合はオフのままにしてください。</translation>
    </message>
    <message>
        <source>A&amp;pprove</source>
        <translation>承認(&amp;P)</translation>
    </message>
    <message>
        <source>R&amp;eject</source>
        <translation>却下(&amp;E)</translation>
    </message>
    <message>
        <source>Approve this image, whatever the judge said</source>
        <translation>判定モデルの結果にかかわらず、この画像を承認します</translation>
    </message>
    <message>
        <source>Reject this image, whatever the judge said</source>
        <translation>判定モデルの結果にかかわらず、この画像を却下します</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>再読み込み</translation>
    </message>
    <message>
        <source>Read the list again (F5)</source>
        <translation>一覧を再読み込み (F5)</translation>
    </message>
    <message>
        <source>Only {what}.</source>
        <translation>{what} だけを表示しています。</translation>
    </message>
    <message>
        <source>Show all</source>
        <translation>すべて表示</translation>
    </message>
    <message>
        <source>Recorded: {decision}.</source>
        <translation>記録しました：{decision}。</translation>
    </message>
    <message>
        <source>approved</source>
        <translation>承認</translation>
    </message>
    <message>
        <source>rejected</source>
        <translation>却下</translation>
    </message>
    <message>
        <source>Your decision was not saved: {error}</source>
        <translation>判断を保存できませんでした：{error}</translation>
    </message>
    <message>
        <source>The review list could not be read: {error}</source>
        <translation>レビュー一覧を読み込めませんでした：{error}</translation>
    </message>
    <message>
        <source>The image file is missing:
{path}</source>
        <translation>画像ファイルが見つかりません：
{path}</translation>
    </message>
    <message>
        <source>must</source>
        <translation>必須</translation>
    </message>
    <message>
        <source>should</source>
        <translation>推奨</translation>
    </message>
</context>
</TS>
