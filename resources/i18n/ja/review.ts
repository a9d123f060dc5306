<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ja_JP">
<context>
    <name>Badges</name>
    <message>
        <source>✔ approved</source>
        <translation>✔ 承認</translation>
    </message>
    <message>
        <source>✘ rejected</source>
        <translation>✘ 却下</translation>
    </message>
    <message>
        <source>? review</source>
        <translation>? 要確認</translation>
    </message>
    <message>
        <source>⚠ error</source>
        <translation>⚠ エラー</translation>
    </message>
    <message>
        <source>✔ you approved</source>
        <translation>✔ あなたが承認</translation>
    </message>
    <message>
        <source>✘ you rejected</source>
        <translation>✘ あなたが却下</translation>
    </message>
    <message>
        <source>… judging</source>
        <translation>… 判定中</translation>
    </message>
    <message>
        <source>- not judged</source>
        <translation>- 未判定</translation>
    </message>
    <message>
        <source>★ best, not approved</source>
        <translation>★ ベスト（未承認）</translation>
    </message>
    <message>
        <source>{score} {word}</source>
        <translation>{score} {word}</translation>
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
        <source>review</source>
        <translation>要確認</translation>
    </message>
</context>
<context>
    <name>CompareView</name>
    <message>
        <source>Approve this one</source>
        <translation>これを承認</translation>
    </message>
    <message>
        <source>✔ you approved</source>
        <translation>✔ あなたが承認</translation>
    </message>
    <message>
        <source>Wheel or +/- zoom all, 0 fit, 1 100 %, drag any image to pan all · Esc back</source>
        <translation>ホイールまたは +/- ですべてを拡大縮小、0 で全体表示、1 で 100 %、いずれかの画像をドラッグですべてを移動 · Esc で戻る</translation>
    </message>
    <message>
        <source>not judged</source>
        <translation>未判定</translation>
    </message>
    <message>
        <source>{reason}

Prompt: {prompt}</source>
        <translation>{reason}

プロンプト：{prompt}</translation>
    </message>
    <message>
        <source>← Back (Esc)</source>
        <translation>← 戻る (Esc)</translation>
    </message>
    <message>
        <source>Fit</source>
        <translation>全体表示</translation>
    </message>
</context>
<context>
    <name>DetailsPane</name>
    <message>
        <source>{badge} ({approved})</source>
        <translation>{badge}（{approved}）</translation>
    </message>
    <message>
        <source>approved</source>
        <translation>承認済み</translation>
    </message>
    <message>
        <source>not approved</source>
        <translation>未承認</translation>
    </message>
    <message>
        <source>not judged</source>
        <translation>未判定</translation>
    </message>
    <message>
        <source>{total} (judging {judging} of it)</source>
        <translation>{total}（うち判定 {judging}）</translation>
    </message>
    <message>
        <source>{result} by {model}{retried}</source>
        <translation>{result}（{model}）{retried}</translation>
    </message>
    <message>
        <source> (asked twice)</source>
        <translation>（2 回問い合わせ）</translation>
    </message>
    <message>
        <source>none: the judge&apos;s verdict counts</source>
        <translation>なし：判定モデルの判定が有効</translation>
    </message>
    <message>
        <source>{decision} on {at}</source>
        <translation>{decision}（{at}）</translation>
    </message>
    <message>
        <source>{width}x{height} px, {size:,} bytes</source>
        <translation>{width}×{height} px、{size:,} バイト</translation>
    </message>
    <message>
        <source>S3 was off for this run</source>
        <translation>この実行では S3 はオフでした</translation>
    </message>
    <message>
        <source>pending</source>
        <translation>待機中</translation>
    </message>
    <message>
        <source>done (s3://{bucket})</source>
        <translation>完了（s3://{bucket}）</translation>
    </message>
    <message>
        <source>failed: {error}</source>
        <translation>失敗：{error}</translation>
    </message>
    <message>
        <source>The image file is missing:
{path}</source>
        <translation>画像ファイルが見つかりません：
{path}</translation>
    </message>
    <message>
        <source>Best, not approved — {misses}</source>
        <translation>ベスト（未承認）— {misses}</translation>
    </message>
    <message>
        <source>Best, not approved (no image met every must)</source>
        <translation>ベスト（未承認）（すべての必須要件を満たした画像はありません）</translation>
    </message>
    <message>
        <source>Judge</source>
        <translation>判定</translation>
    </message>
    <message>
        <source>Requirement</source>
        <translation>要件</translation>
    </message>
    <message>
        <source>Evidence</source>
        <translation>根拠</translation>
    </message>
    <message>
        <source>✓ yes</source>
        <translation>✓ はい</translation>
    </message>
    <message>
        <source>✗ no</source>
        <translation>✗ いいえ</translation>
    </message>
    <message>
        <source>? unsure</source>
        <translation>? 不明</translation>
    </message>
    <message>
        <source>↷ skipped</source>
        <translation>↷ スキップ</translation>
    </message>
    <message>
        <source>⚠ error</source>
        <translation>⚠ エラー</translation>
    </message>
    <message>
        <source>⚠ not answered</source>
        <translation>⚠ 回答なし</translation>
    </message>
    <message>
        <source>Not judged: it only makes sense once the requirement it depends on is met.</source>
        <translation>未判定：前提となる要件が満たされてはじめて意味を持つ要件です。</translation>
    </message>
    <message>
        <source>must</source>
        <translation>必須</translation>
    </message>
    <message>
        <source>should</source>
        <translation>推奨</translation>
    </message>
    <message>
        <source>{result} · you: {said}</source>
        <translation>{result} · あなた：{said}</translation>
    </message>
    <message>
        <source>met</source>
        <translation>満たす</translation>
    </message>
    <message>
        <source>not met</source>
        <translation>満たさない</translation>
    </message>
    <message>
        <source>none</source>
        <translation>なし</translation>
    </message>
    <message>
        <source>issued by {issuer}, {state}</source>
        <translation>発行者 {issuer}、{state}</translation>
    </message>
    <message>
        <source>{state}</source>
        <translation>{state}</translation>
    </message>
    <message>
        <source>an unnamed signer</source>
        <translation>名前のない署名者</translation>
    </message>
    <message>
        <source>not checked</source>
        <translation>未確認</translation>
    </message>
    <message>
        <source>YES</source>
        <translation>はい</translation>
    </message>
    <message>
        <source>NO</source>
        <translation>いいえ</translation>
    </message>
    <message>
        <source>REVIEW</source>
        <translation>要確認</translation>
    </message>
    <message>
        <source>ERROR</source>
        <translation>エラー</translation>
    </message>
    <message>
        <source>rejected</source>
        <translation>却下</translation>
    </message>
    <message>
        <source>valid</source>
        <translation>有効</translation>
    </message>
    <message>
        <source>invalid</source>
        <translation>無効</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>不明</translation>
    </message>
    <message>
        <source>prompt v{version}, attempt {attempt}, image {index} (history id {image_id})</source>
        <translation>プロンプト v{version}、試行 {attempt}、画像 {index}（履歴 ID {image_id}）</translation>
    </message>
    <message>
        <source>{cfg}, not used ({model} has no CFG setting)</source>
        <translation>{cfg}（未使用：{model} には CFG 設定がありません）</translation>
    </message>
    <message>
        <source>{label}:</source>
        <translation>{label}：</translation>
    </message>
    <message>
        <source>Show the judge&apos;s raw answer</source>
        <translation>判定モデルの生の回答を表示</translation>
    </message>
    <message>
        <source>Hide the judge&apos;s raw answer</source>
        <translation>判定モデルの生の回答を隠す</translation>
    </message>
    <message>
        <source>The decision could not be saved: {error}</source>
        <translation>判断を保存できませんでした：{error}</translation>
    </message>
    <message>
        <source>Image {image_id} could not be shown: {error}</source>
        <translation>画像 {image_id} を表示できませんでした：{error}</translation>
    </message>
    <message>
        <source>&amp;Approve</source>
        <translation>承認(&amp;A)</translation>
    </message>
    <message>
        <source>Re&amp;ject</source>
        <translation>却下(&amp;J)</translation>
    </message>
    <message>
        <source>C&amp;lear decision</source>
        <translation>判断を取り消す(&amp;L)</translation>
    </message>
    <message>
        <source>Approve this image, whatever the judge said</source>
        <translation>判定モデルの判定にかかわらず、この画像を承認</translation>
    </message>
    <message>
        <source>Reject this image, whatever the judge said</source>
        <translation>判定モデルの判定にかかわらず、この画像を却下</translation>
    </message>
    <message>
        <source>Forget your decision; the judge&apos;s verdict counts again</source>
        <translation>あなたの判断を取り消し、判定モデルの判定に戻す</translation>
    </message>
    <message>
        <source>&amp;Copy image</source>
        <translation>画像をコピー(&amp;C)</translation>
    </message>
    <message>
        <source>Open fol&amp;der</source>
        <translation>フォルダーを開く(&amp;D)</translation>
    </message>
    <message>
        <source>Open in S&amp;3 console</source>
        <translation>S3 コンソールで開く(&amp;3)</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状態</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>理由</translation>
    </message>
    <message>
        <source>Best</source>
        <translation>ベスト</translation>
    </message>
    <message>
        <source>Your decision</source>
        <translation>あなたの判断</translation>
    </message>
    <message>
        <source>Prompt used</source>
        <translation>使用したプロンプト</translation>
    </message>
    <message>
        <source>Original prompt</source>
        <translation>元のプロンプト</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>シード</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>サイズ</translation>
    </message>
    <message>
        <source>CFG scale</source>
        <translation>CFG スケール</translation>
    </message>
    <message>
        <source>Image model</source>
        <translation>画像モデル</translation>
    </message>
    <message>
        <source>Judge model</source>
        <translation>判定モデル</translation>
    </message>
    <message>
        <source>Judge saw</source>
        <translation>判定モデルが見た画像</translation>
    </message>
    <message>
        <source>Judge settings</source>
        <translation>判定の設定</translation>
    </message>
    <message>
        <source>Regions</source>
        <translation>リージョン</translation>
    </message>
    <message>
        <source>Content Credentials</source>
        <translation>コンテンツ認証情報</translation>
    </message>
    <message>
        <source>Cost</source>
        <translation>費用</translation>
    </message>
    <message>
        <source>S3 upload</source>
        <translation>S3 アップロード</translation>
    </message>
    <message>
        <source>S3 key</source>
        <translation>S3 キー</translation>
    </message>
    <message>
        <source>File</source>
        <translation>ファイル</translation>
    </message>
    <message>
        <source>Position</source>
        <translation>位置</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>読み込み中…</translation>
    </message>
    <message>
        <source>Saving your decision…</source>
        <translation>判断を保存中…</translation>
    </message>
    <message>
        <source>Image copied.</source>
        <translation>画像をコピーしました。</translation>
    </message>
    <message>
        <source>No image selected</source>
        <translation>画像が選択されていません</translation>
    </message>
</context>
<context>
    <name>DragExport</name>
    <message>
        <source>{images} not approved, and this app is set to drag approved images only (so nothing unapproved leaves by accident). To drag any image, set drag_approved_only=false under [gallery] in {file}.</source>
        <translation>{images}未承認です。このアプリは承認済みの画像だけをドラッグできる設定になっています（未承認の画像がうっかり外に出ないように）。どの画像もドラッグできるようにするには、{file} の [gallery] で drag_approved_only=false を設定してください。</translation>
    </message>
    <message>
        <source>{image} is</source>
        <translation>{image} は</translation>
    </message>
    <message>
        <source>{first} and {second} are</source>
        <translation>{first} と {second} は</translation>
    </message>
    <message>
        <source>{n} of the selected images are</source>
        <translation>選択した画像のうち {n} 枚は</translation>
    </message>
    <message>
        <source>found in this computer&apos;s history by its SHA-256</source>
        <translation>SHA-256 によりこのコンピューターの履歴で見つかりました</translation>
    </message>
    <message>
        <source>its embedded parameters</source>
        <translation>埋め込まれたパラメーター</translation>
    </message>
    <message>
        <source>{how}, with the rest of run {run_id} from the history</source>
        <translation>{how}、残りは履歴の実行 {run_id} から</translation>
    </message>
</context>
<context>
    <name>Gallery</name>
    <message>
        <source>Compare the selected images side by side (select 2-4; C)</source>
        <translation>選択した画像を並べて比較（2〜4 枚を選択、C キー）</translation>
    </message>
    <message>
        <source>Thumbnail size (Ctrl+wheel over the thumbnails)</source>
        <translation>サムネイルのサイズ（サムネイル上で Ctrl+ホイール）</translation>
    </message>
    <message>
        <source>Run {run_id}: {outcome}</source>
        <translation>実行 {run_id}：{outcome}</translation>
    </message>
    <message>
        <source>Not dragged: {reasons}</source>
        <translation>ドラッグしませんでした：{reasons}</translation>
    </message>
    <message>
        <source>Nothing to drag yet: the image is still being saved to the history; try again in a moment.</source>
        <translation>まだドラッグできるものがありません：画像を履歴に保存しています。少し待ってからもう一度お試しください。</translation>
    </message>
    <message>
        <source>No session</source>
        <translation>セッションなし</translation>
    </message>
    <message>
        <source>Live run {run_id}</source>
        <translation>実行中 {run_id}</translation>
    </message>
    <message>
        <source>Loading {run_id}…</source>
        <translation>{run_id} を読み込み中…</translation>
    </message>
    <message>
        <source>Session {run_id} could not be opened: {error}</source>
        <translation>セッション {run_id} を開けませんでした：{error}</translation>
    </message>
    <message>
        <source>Session {run_id} · {outcome} · {started}</source>
        <translation>セッション {run_id} · {outcome} · {started}</translation>
    </message>
    <message>
        <source>The images could not be prepared for dragging: {error}</source>
        <translation>画像をドラッグ用に準備できませんでした：{error}</translation>
    </message>
    <message>
        <source>; </source>
        <translation>；</translation>
    </message>
    <message>
        <source>approved</source>
        <translation>承認</translation>
    </message>
    <message>
        <source>not_approved</source>
        <translation>未承認</translation>
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
        <source>budget</source>
        <translation>予算で停止</translation>
    </message>
    <message>
        <source>running</source>
        <translation>実行中</translation>
    </message>
    <message>
        <source>original</source>
        <translation>元</translation>
    </message>
    <message>
        <source>revised</source>
        <translation>改訂</translation>
    </message>
    <message>
        <source>image unavailable</source>
        <translation>画像を表示できません</translation>
    </message>
    <message>
        <source>Compare</source>
        <translation>比較</translation>
    </message>
    <message>
        <source>Thumbnail size</source>
        <translation>サムネイルのサイズ</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>サイズ</translation>
    </message>
    <message>
        <source>Prompt v{n}</source>
        <translation>プロンプト v{n}</translation>
    </message>
    <message>
        <source>the original prompt</source>
        <translation>元のプロンプト</translation>
    </message>
    <message>
        <source>revised from the judge&apos;s reasons</source>
        <translation>判定モデルの理由をもとに改訂</translation>
    </message>
    <message>
        <source>attempt {n} failed</source>
        <translation>試行 {n} 失敗</translation>
    </message>
    <message>
        <source>attempt {attempt} · image {index}</source>
        <translation>試行 {attempt} · 画像 {index}</translation>
    </message>
    <message>
        <source>{label}: {misses}</source>
        <translation>{label}：{misses}</translation>
    </message>
    <message>
        <source>★ favourite</source>
        <translation>★ お気に入り</translation>
    </message>
    <message>
        <source>rated {rating}/5</source>
        <translation>評価 {rating}/5</translation>
    </message>
    <message>
        <source>{title}: {kind}</source>
        <translation>{title}：{kind}</translation>
    </message>
    <message>
        <source>{version}, {title}</source>
        <translation>{version}、{title}</translation>
    </message>
    <message>
        <source>Judge: {reason}</source>
        <translation>判定：{reason}</translation>
    </message>
    <message>
        <source>Attempt: {error}</source>
        <translation>試行：{error}</translation>
    </message>
    <message>
        <source>S3 upload failed: {error}</source>
        <translation>S3 アップロード失敗：{error}</translation>
    </message>
    <message>
        <source> · </source>
        <translation> · </translation>
    </message>
    <message>
        <source>the prompt is being revised…</source>
        <translation>プロンプトを改訂中…</translation>
    </message>
    <message>
        <source>the prompt was being revised</source>
        <translation>プロンプトの改訂中でした</translation>
    </message>
</context>
<context>
    <name>ImageViewer</name>
    <message>
        <source>Fit ({percent} %)</source>
        <translation>全体表示（{percent} %）</translation>
    </message>
    <message>
        <source>{percent} %</source>
        <translation>{percent} %</translation>
    </message>
    <message>
        <source>★ Favourite</source>
        <translation>★ お気に入り</translation>
    </message>
    <message>
        <source>☆ Favourite</source>
        <translation>☆ お気に入り</translation>
    </message>
    <message>
        <source>not judged</source>
        <translation>未判定</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>読み込み中…</translation>
    </message>
    <message>
        <source>The image could not be shown: {error}</source>
        <translation>画像を表示できませんでした：{error}</translation>
    </message>
    <message>
        <source>Your decision: {decision}</source>
        <translation>あなたの判断：{decision}</translation>
    </message>
    <message>
        <source>Your decision: none (the judge&apos;s verdict stands)</source>
        <translation>あなたの判断：なし（判定モデルの判定が有効）</translation>
    </message>
    <message>
        <source>Wheel or +/- zoom, 0 fit, 1 100 %, drag to pan · ←/→ previous/next · A approve, R reject, F favourite, Ctrl+1…5 rate · Esc back</source>
        <translation>ホイールまたは +/- で拡大縮小、0 で全体表示、1 で 100 %、ドラッグで移動 · ←/→ で前/次 · A で承認、R で却下、F でお気に入り、Ctrl+1…5 で評価 · Esc で戻る</translation>
    </message>
    <message>
        <source>{version} · attempt {attempt} · image {index}</source>
        <translation>{version} · 試行 {attempt} · 画像 {index}</translation>
    </message>
    <message>
        <source>Judge: {reason}</source>
        <translation>判定：{reason}</translation>
    </message>
    <message>
        <source>Not saved: {error}</source>
        <translation>保存できませんでした：{error}</translation>
    </message>
    <message>
        <source>Rate {n} of {most} (Ctrl+{n}); click again to clear</source>
        <translation>{most} 段階中 {n} で評価（Ctrl+{n}）。もう一度クリックで解除</translation>
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
        <source>← Back (Esc)</source>
        <translation>← 戻る (Esc)</translation>
    </message>
    <message>
        <source>Previous image (←)</source>
        <translation>前の画像 (←)</translation>
    </message>
    <message>
        <source>Next image (→)</source>
        <translation>次の画像 (→)</translation>
    </message>
    <message>
        <source>Fit</source>
        <translation>全体表示</translation>
    </message>
    <message>
        <source>Fit the window (0)</source>
        <translation>ウィンドウに合わせる (0)</translation>
    </message>
    <message>
        <source>Actual pixels (1)</source>
        <translation>実際のピクセル (1)</translation>
    </message>
    <message>
        <source>Zoom out (-)</source>
        <translation>縮小 (-)</translation>
    </message>
    <message>
        <source>Zoom in (+)</source>
        <translation>拡大 (+)</translation>
    </message>
    <message>
        <source>Approve (A)</source>
        <translation>承認 (A)</translation>
    </message>
    <message>
        <source>Reject (R)</source>
        <translation>却下 (R)</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>取り消し</translation>
    </message>
    <message>
        <source>Forget your decision: the judge&apos;s verdict stands</source>
        <translation>あなたの判断を取り消す：判定モデルの判定が有効になります</translation>
    </message>
    <message>
        <source>Mark as a favourite (F)</source>
        <translation>お気に入りにする (F)</translation>
    </message>
    <message>
        <source>Prompt:</source>
        <translation>プロンプト：</translation>
    </message>
</context>
<context>
    <name>ProgressPanel</name>
    <message>
        <source>Not running</source>
        <translation>実行していません</translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation>開始中…</translation>
    </message>
    <message>
        <source>Preparing</source>
        <translation>準備中</translation>
    </message>
    <message>
        <source>Not started</source>
        <translation>開始していません</translation>
    </message>
    <message>
        <source>Could not start: {message}</source>
        <translation>開始できませんでした：{message}</translation>
    </message>
    <message>
        <source>Prompt version {version} of {versions}</source>
        <translation>プロンプト第 {version} 版（全 {versions} 版）</translation>
    </message>
    <message>
        <source> · attempt {attempt} of {attempts}</source>
        <translation> · 試行 {attempt} 回目（全 {attempts} 回）</translation>
    </message>
    <message>
        <source>revising the prompt</source>
        <translation>プロンプトを改訂中</translation>
    </message>
    <message>
        <source>generating</source>
        <translation>生成中</translation>
    </message>
    <message>
        <source>judging</source>
        <translation>判定中</translation>
    </message>
    <message>
        <source>uploading</source>
        <translation>アップロード中</translation>
    </message>
    <message>
        <source>Waiting…</source>
        <translation>待機中…</translation>
    </message>
    <message>
        <source>Cancelling — waiting for the current call to return</source>
        <translation>キャンセル中 — 実行中の呼び出しが戻るのを待っています</translation>
    </message>
    <message>
        <source>{phase} ({elapsed})</source>
        <translation>{phase}（{elapsed}）</translation>
    </message>
    <message>
        <source>{result} — {reason}</source>
        <translation>{result} — {reason}</translation>
    </message>
    <message>
        <source>{result} {badge} — {reason}</source>
        <translation>{result} {badge} — {reason}</translation>
    </message>
    <message>
        <source>{items}, given</source>
        <translation>{items}、指定済み</translation>
    </message>
    <message>
        <source>{items}, written for this prompt before (no call made)</source>
        <translation>{items}、以前このプロンプト用に作成済み（呼び出しなし）</translation>
    </message>
    <message>
        <source>{items}, written by {model}{tokens}</source>
        <translation>{items}、{model} が作成{tokens}</translation>
    </message>
    <message>
        <source>{items}, edited during the run (from the next judgement)</source>
        <translation>{items}、実行中に編集（次の判定から適用）</translation>
    </message>
    <message>
        <source>Could not be written: {error} — judging the whole prompt YES/NO instead</source>
        <translation>作成できませんでした：{error} — 代わりにプロンプト全体を YES/NO で判定します</translation>
    </message>
    <message>
        <source>{n} requirement(s), {musts} must</source>
        <translation>要件 {n} 件（必須 {musts} 件）</translation>
    </message>
    <message>
        <source> ({input} in / {output} out tokens)</source>
        <translation>（入力 {input} / 出力 {output} トークン）</translation>
    </message>
    <message>
        <source>{where} — {misses}</source>
        <translation>{where} — {misses}</translation>
    </message>
    <message>
        <source>most requirements met</source>
        <translation>満たした要件が最多</translation>
    </message>
    <message>
        <source>picked by a comparison</source>
        <translation>比較で選択</translation>
    </message>
    <message>
        <source>{n} step(s) failed</source>
        <translation>{n} 件のステップが失敗</translation>
    </message>
    <message>
        <source>{n} note(s) on attempts</source>
        <translation>試行に関する注記 {n} 件</translation>
    </message>
    <message>
        <source>Judge: {note}</source>
        <translation>判定モデル：{note}</translation>
    </message>
    <message>
        <source>Reviser: {note}</source>
        <translation>改訂モデル：{note}</translation>
    </message>
    <message>
        <source>• {note}</source>
        <translation>• {note}</translation>
    </message>
    <message>
        <source>{n} upload(s) failed (kept on disk; retried later)</source>
        <translation>{n} 件のアップロードが失敗（ディスクに保存済み、後で再試行）</translation>
    </message>
    <message>
        <source>Finished ({n} image(s) kept)</source>
        <translation>完了（画像 {n} 枚を保存）</translation>
    </message>
    <message>
        <source>{words}: {where} ({n} image(s) kept).</source>
        <translation>{words}：{where}（画像 {n} 枚を保存）。</translation>
    </message>
    <message>
        <source>prompt version {version}, attempt {attempt}</source>
        <translation>プロンプト第 {version} 版、試行 {attempt} 回目</translation>
    </message>
    <message>
        <source>, image {index}</source>
        <translation>、画像 {index}</translation>
    </message>
    <message>
        <source>{words}: {message}</source>
        <translation>{words}：{message}</translation>
    </message>
    <message>
        <source>{words}. {message}</source>
        <translation>{words}。{message}</translation>
    </message>
    <message>
        <source>Spent {spent}</source>
        <translation>使用額 {spent}</translation>
    </message>
    <message>
        <source>Spent {spent} of {cap} cap</source>
        <translation>使用額 {spent}（上限 {cap}）</translation>
    </message>
    <message>
        <source>{spent} in all</source>
        <translation>合計 {spent}</translation>
    </message>
    <message>
        <source>{spent} in all, of a {cap} cap</source>
        <translation>合計 {spent}（上限 {cap}）</translation>
    </message>
    <message>
        <source>Last call: {kind} on {model}, {cost}</source>
        <translation>直近の呼び出し：{model} で {kind}、{cost}</translation>
    </message>
    <message>
        <source>$0.00 (no call made yet)</source>
        <translation>$0.00（まだ呼び出しなし）</translation>
    </message>
    <message>
        <source>%v of %m attempts</source>
        <translation>%v / %m 回の試行</translation>
    </message>
    <message>
        <source>Attempts finished (judged or failed) of the most this run may make</source>
        <translation>この実行で可能な最大試行回数のうち、終了した（判定済みまたは失敗した）試行</translation>
    </message>
    <message>
        <source>Approved</source>
        <translation>承認されました</translation>
    </message>
    <message>
        <source>No image approved</source>
        <translation>承認された画像はありません</translation>
    </message>
    <message>
        <source>Stopped by an error</source>
        <translation>エラーで停止しました</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>キャンセルしました</translation>
    </message>
    <message>
        <source>Stopped at the budget</source>
        <translation>予算で停止しました</translation>
    </message>
    <message>
        <source>YES</source>
        <translation>はい</translation>
    </message>
    <message>
        <source>NO</source>
        <translation>いいえ</translation>
    </message>
    <message>
        <source>REVIEW</source>
        <translation>要確認</translation>
    </message>
    <message>
        <source>ERROR</source>
        <translation>エラー</translation>
    </message>
    <message>
        <source>, </source>
        <translation>、</translation>
    </message>
    <message>
        <source>; </source>
        <translation>、</translation>
    </message>
    <message>
        <source>.</source>
        <translation>。</translation>
    </message>
    <message>
        <source>Run {run_id}: {outcome}</source>
        <translation>実行 {run_id}：{outcome}</translation>
    </message>
    <message>
        <source>Cost: {spent}</source>
        <translation>費用：{spent}</translation>
    </message>
    <message>
        <source>Approved image: {path}</source>
        <translation>承認された画像：{path}</translation>
    </message>
    <message>
        <source>prompt {revision} attempt {attempt}: {message}</source>
        <translation>プロンプト {revision} 試行 {attempt}：{message}</translation>
    </message>
    <message>
        <source>revision {revision}: {error}</source>
        <translation>改訂 {revision}：{error}</translation>
    </message>
    <message>
        <source>checklist: {error}</source>
        <translation>チェックリスト：{error}</translation>
    </message>
    <message>
        <source>{word} ({n})</source>
        <translation>{word}（{n}）</translation>
    </message>
    <message>
        <source> ({how})</source>
        <translation>（{how}）</translation>
    </message>
    <message>
        <source>approved</source>
        <translation>承認</translation>
    </message>
    <message>
        <source>not_approved</source>
        <translation>未承認</translation>
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
        <source>budget</source>
        <translation>予算で停止</translation>
    </message>
    <message>
        <source>generate</source>
        <translation>生成</translation>
    </message>
    <message>
        <source>judge</source>
        <translation>判定</translation>
    </message>
    <message>
        <source>judge again</source>
        <translation>再判定</translation>
    </message>
    <message>
        <source>checklist</source>
        <translation>チェックリスト</translation>
    </message>
    <message>
        <source>checklist again</source>
        <translation>チェックリスト再作成</translation>
    </message>
    <message>
        <source>revise</source>
        <translation>改訂</translation>
    </message>
    <message>
        <source>revise again</source>
        <translation>再改訂</translation>
    </message>
    <message>
        <source>compare</source>
        <translation>比較</translation>
    </message>
    <message>
        <source>no answer</source>
        <translation>回答なし</translation>
    </message>
    <message>
        <source>Progress</source>
        <translation>進行状況</translation>
    </message>
    <message>
        <source>Now</source>
        <translation>現在</translation>
    </message>
    <message>
        <source>Elapsed</source>
        <translation>経過時間</translation>
    </message>
    <message>
        <source>Cost</source>
        <translation>費用</translation>
    </message>
    <message>
        <source>Judge said</source>
        <translation>判定結果</translation>
    </message>
    <message>
        <source>Checklist</source>
        <translation>チェックリスト</translation>
    </message>
    <message>
        <source>Best</source>
        <translation>ベスト</translation>
    </message>
    <message>
        <source>Regions</source>
        <translation>リージョン</translation>
    </message>
    <message>
        <source>The prompt in use appears here during a run.</source>
        <translation>実行中は、使用中のプロンプトがここに表示されます。</translation>
    </message>
    <message>
        <source>Details…</source>
        <translation>詳細…</translation>
    </message>
    <message>
        <source>Run notes:</source>
        <translation>実行の注記：</translation>
    </message>
    <message>
        <source>Failed steps:</source>
        <translation>失敗したステップ：</translation>
    </message>
    <message>
        <source>Notes:</source>
        <translation>注記：</translation>
    </message>
    <message>
        <source>Failed uploads:</source>
        <translation>失敗したアップロード：</translation>
    </message>
    <message>
        <source>Run details</source>
        <translation>実行の詳細</translation>
    </message>
</context>
</TS>
