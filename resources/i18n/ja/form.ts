<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ja_JP">
<context>
    <name>ChecklistTable</name>
    <message>
        <source>the judge model</source>
        <translation>判定モデル</translation>
    </message>
    <message>
        <source>no answer</source>
        <translation>応答なし</translation>
    </message>
    <message>
        <source>Checklist</source>
        <translation>チェックリスト</translation>
    </message>
    <message>
        <source>Requirement</source>
        <translation>要件</translation>
    </message>
    <message>
        <source>Must</source>
        <translation>必須</translation>
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
        <source>Checked: a must — an image is approved only when every must is met.
Unchecked: a should — it only ranks images that meet the musts.</source>
        <translation>オン：必須 — すべての必須要件を満たした画像だけが承認されます。
オフ：推奨 — 必須要件を満たした画像の順位付けにだけ使われます。</translation>
    </message>
    <message>
        <source>Remove requirement {n}</source>
        <translation>要件 {n} を削除</translation>
    </message>
    <message>
        <source>Add re&amp;quirement</source>
        <translation>要件を追加(&amp;Q)</translation>
    </message>
    <message>
        <source>Add a requirement at the end and start typing it</source>
        <translation>末尾に要件を追加して入力を始めます</translation>
    </message>
    <message>
        <source>&amp;Write from prompt</source>
        <translation>プロンプトから作成(&amp;W)</translation>
    </message>
    <message>
        <source>&amp;Write again</source>
        <translation>もう一度作成(&amp;W)</translation>
    </message>
    <message>
        <source>Ask the judge model to turn the prompt into requirements (one Bedrock call; a prompt written for before comes from the cache). You can edit the list before pressing Run.</source>
        <translation>判定モデルにプロンプトを要件へ書き出してもらいます（Bedrock の呼び出し 1 回。以前に作成したプロンプトはキャッシュから読み込みます）。実行する前にリストを編集できます。</translation>
    </message>
    <message>
        <source>Ask the judge model again, ignoring the checklist kept from last time</source>
        <translation>前回保存したチェックリストを使わずに、判定モデルにもう一度作成してもらいます</translation>
    </message>
    <message>
        <source>Writing…</source>
        <translation>作成中…</translation>
    </message>
    <message>
        <source>No requirements yet: the run asks the judge model to write them from the prompt before the first image. Press “Write from prompt” to see and edit them first.</source>
        <translation>要件はまだありません。実行すると、最初の画像の前に判定モデルがプロンプトから要件を作成します。先に確認・編集するには「プロンプトから作成」を押してください。</translation>
    </message>
    <message>
        <source>Written by {model} — check and edit before Run.</source>
        <translation>{model} が作成しました。実行する前に確認・編集してください。</translation>
    </message>
    <message>
        <source>Written by {model} for this prompt before (kept, no call made).</source>
        <translation>以前このプロンプト用に {model} が作成したものです（保存済み。呼び出しは行っていません）。</translation>
    </message>
    <message>
        <source>Could not write a checklist: {message}</source>
        <translation>チェックリストを作成できませんでした：{message}</translation>
    </message>
    <message>
        <source>The run checks these requirements.</source>
        <translation>この実行ではこれらの要件を確認します。</translation>
    </message>
    <message>
        <source>The run uses the checklist written for this prompt before.</source>
        <translation>この実行では、以前このプロンプト用に作成したチェックリストを使います。</translation>
    </message>
    <message>
        <source>The run&apos;s checklist, written by {model}. Edits apply from the next judgement.</source>
        <translation>{model} が作成した、この実行のチェックリストです。編集は次の判定から反映されます。</translation>
    </message>
    <message>
        <source>Edited during the run: applies from the next judgement.</source>
        <translation>実行中に編集しました。次の判定から反映されます。</translation>
    </message>
    <message>
        <source>The checklist could not be written ({error}); the run judges the whole prompt.</source>
        <translation>チェックリストを作成できませんでした（{error}）。この実行ではプロンプト全体で判定します。</translation>
    </message>
    <message>
        <source>The prompt changed, so the checklist written for the earlier one was cleared: the run writes one for this prompt (press “Write from prompt” to see it first).</source>
        <translation>プロンプトが変わったため、前のプロンプト用に作成されたチェックリストを消去しました。実行時にこのプロンプト用のチェックリストが作成されます（先に確認するには「プロンプトから作成」を押してください）。</translation>
    </message>
    <message>
        <source>This checklist was made for an earlier prompt: check that it still fits this one, or write a new one from the prompt.</source>
        <translation>このチェックリストは前のプロンプト用に作られたものです。今のプロンプトにも合っているか確認するか、プロンプトから新しく作成してください。</translation>
    </message>
    <message>
        <source>The run keeps its last checklist: a running run needs a valid one.</source>
        <translation>実行中は有効なチェックリストが必要なため、直前のチェックリストをそのまま使います。</translation>
    </message>
    <message>
        <source>requirement {n} is empty: say what the image should show, or remove it</source>
        <translation>要件 {n} が空です。画像に描くものを書くか、削除してください</translation>
    </message>
    <message>
        <source>requirement {n} (“{text}”): {allowed}</source>
        <translation>要件 {n}（「{text}」）：{allowed}</translation>
    </message>
    <message>
        <source>at least one requirement must be a must (tick “Must”); with none, every image would be approved</source>
        <translation>少なくとも 1 つの要件を必須にしてください（「必須」にチェック）。必須がないと、どの画像も承認されてしまいます</translation>
    </message>
    <message>
        <source>at most {n} requirements</source>
        <translation>要件は {n} 個まで</translation>
    </message>
    <message>
        <source>{problem}.</source>
        <translation>{problem}。</translation>
    </message>
    <message>
        <source>Checked only after: {ids}</source>
        <translation>次の要件を確認した後にだけ確認：{ids}</translation>
    </message>
</context>
<context>
    <name>ParamForm</name>
    <message>
        <source>Run</source>
        <translation>実行</translation>
    </message>
    <message>
        <source>Advanced</source>
        <translation>詳細設定</translation>
    </message>
    <message>
        <source>Advanced — {n} field(s) to fix</source>
        <translation>詳細設定 — 要修正 {n} 項目</translation>
    </message>
    <message>
        <source>Type a prompt to start: Run is enabled once there is one.</source>
        <translation>プロンプトを入力してください。入力すると実行できるようになります。</translation>
    </message>
    <message>
        <source>Speed</source>
        <translation>速度</translation>
    </message>
    <message>
        <source>Image settings</source>
        <translation>画像の設定</translation>
    </message>
    <message>
        <source>Cancel run</source>
        <translation>実行をキャンセル</translation>
    </message>
    <message>
        <source>{model_id} (unknown model)</source>
        <translation>{model_id}（不明なモデル）</translation>
    </message>
    <message>
        <source>Not used by {model} (it has no {setting} setting); the value is kept for models that have one.</source>
        <translation>{model} では使われません（{setting} の設定がありません）。値は、この設定があるモデルのために残しておきます。</translation>
    </message>
    <message>
        <source>{setting} {old} → {new}</source>
        <translation>{setting} {old} → {new}</translation>
    </message>
    <message>
        <source>size {old} → {new}</source>
        <translation>サイズ {old} → {new}</translation>
    </message>
    <message>
        <source>Adjusted for {model}: {changes}.</source>
        <translation>{model} に合わせて調整しました：{changes}。</translation>
    </message>
    <message>
        <source>; </source>
        <translation>、</translation>
    </message>
    <message>
        <source>Pick one or type your own: each side {low}-{high} px, a multiple of {multiple}, at most {pixels} pixels, aspect ratio up to {aspect}:1.</source>
        <translation>一覧から選ぶか直接入力してください：各辺 {low}〜{high} px、{multiple} の倍数、合計 {pixels} ピクセル以下、縦横比は {aspect}:1 まで。</translation>
    </message>
    <message>
        <source>Prompt up to {count} characters.</source>
        <translation>プロンプトは {count} 文字まで。</translation>
    </message>
    <message>
        <source>Folder for the images</source>
        <translation>画像の保存先フォルダー</translation>
    </message>
    <message>
        <source>Not in the catalog: any Converse model that reads images works (model id, inference profile id or ARN).</source>
        <translation>カタログにないモデルです。画像を読める Converse 対応モデルなら使えます（モデル ID、推論プロファイル ID、または ARN）。</translation>
    </message>
    <message>
        <source>Legacy</source>
        <translation>レガシー</translation>
    </message>
    <message>
        <source>End of life</source>
        <translation>提供終了</translation>
    </message>
    <message>
        <source>{size} is not offered by {model}; {nearest} ({aspect}) is the nearest.</source>
        <translation>{size} は {model} では生成できません。最も近い {nearest}（{aspect}）を使います。</translation>
    </message>
    <message>
        <source>Legacy, end of life {date}</source>
        <translation>レガシー、{date} に提供終了</translation>
    </message>
    <message>
        <source>End of life since {date}</source>
        <translation>{date} に提供終了</translation>
    </message>
    <message>
        <source>{model}: {state}</source>
        <translation>{model}：{state}</translation>
    </message>
    <message>
        <source>{model}: active</source>
        <translation>{model}：提供中</translation>
    </message>
    <message>
        <source>{said}; consider {model}</source>
        <translation>{said}。{model} への切り替えを検討してください</translation>
    </message>
    <message>
        <source>{said} ({source}).</source>
        <translation>{said}（{source}）。</translation>
    </message>
    <message>
        <source>{help} ({fields})</source>
        <translation>{help}（{fields}）</translation>
    </message>
    <message>
        <source>Event field: {fields}</source>
        <translation>イベントのフィールド：{fields}</translation>
    </message>
    <message>
        <source>The lowest entry, “{unset}”, leaves it out of the request: the model&apos;s own default applies.</source>
        <translation>最小の項目「{unset}」を選ぶとリクエストに含めず、モデル自身の既定値が使われます。</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>参照…</translation>
    </message>
</context>
<context>
    <name>Params</name>
    <message>
        <source>Prompt</source>
        <translation>プロンプト</translation>
    </message>
    <message>
        <source>Loop limits</source>
        <translation>ループの上限</translation>
    </message>
    <message>
        <source>Image model</source>
        <translation>画像モデル</translation>
    </message>
    <message>
        <source>Judge and reviser</source>
        <translation>判定と改訂</translation>
    </message>
    <message>
        <source>Judge settings</source>
        <translation>判定の設定</translation>
    </message>
    <message>
        <source>Reviser settings</source>
        <translation>改訂の設定</translation>
    </message>
    <message>
        <source>Storage</source>
        <translation>保存先</translation>
    </message>
    <message>
        <source>The judge&apos;s sampling temperature</source>
        <translation>判定モデルのサンプリング温度</translation>
    </message>
    <message>
        <source>The reviser&apos;s sampling temperature</source>
        <translation>改訂モデルのサンプリング温度</translation>
    </message>
    <message>
        <source>The judge&apos;s nucleus sampling</source>
        <translation>判定モデルの核サンプリング（top p）</translation>
    </message>
    <message>
        <source>The reviser&apos;s nucleus sampling</source>
        <translation>改訂モデルの核サンプリング（top p）</translation>
    </message>
    <message>
        <source>The judge&apos;s top-k sampling</source>
        <translation>判定モデルの top-k サンプリング</translation>
    </message>
    <message>
        <source>The reviser&apos;s top-k sampling</source>
        <translation>改訂モデルの top-k サンプリング</translation>
    </message>
    <message>
        <source>Temperature</source>
        <translation>温度</translation>
    </message>
    <message>
        <source>Top p</source>
        <translation>トップ P</translation>
    </message>
    <message>
        <source>Top k</source>
        <translation>トップ K</translation>
    </message>
    <message>
        <source>Max tokens</source>
        <translation>最大トークン数</translation>
    </message>
    <message>
        <source>What the image should show, in any language; the judge checks every image against it</source>
        <translation>画像に描きたい内容（言語は自由）。判定モデルはすべての画像をこれと照らし合わせます</translation>
    </message>
    <message>
        <source>Describe the image you want, in your own words.</source>
        <translation>ほしい画像を自由に説明してください。</translation>
    </message>
    <message>
        <source>Attempts per prompt</source>
        <translation>プロンプトごとの試行回数</translation>
    </message>
    <message>
        <source>Generations per prompt version before the prompt is revised</source>
        <translation>プロンプトを改訂するまでに、各版で生成する回数</translation>
    </message>
    <message>
        <source>Prompt revisions</source>
        <translation>プロンプトの改訂回数</translation>
    </message>
    <message>
        <source>How many times the prompt may be rewritten; 3 means up to 4 prompt versions</source>
        <translation>プロンプトを書き直せる回数。3 なら最大 4 版まで</translation>
    </message>
    <message>
        <source>Bucket</source>
        <translation>バケット</translation>
    </message>
    <message>
        <source>The S3 bucket each image is uploaded to when S3 is on</source>
        <translation>S3 がオンのとき、各画像をアップロードする S3 バケット</translation>
    </message>
    <message>
        <source>my-bucket</source>
        <translation>my-bucket</translation>
    </message>
    <message>
        <source>Key prefix</source>
        <translation>キーの接頭辞</translation>
    </message>
    <message>
        <source>Keys are `{prefix}-{yyyymmddHHMMSS}-{revision:03d}-{attempt:03d}.png` (`-{index}` added when several images per call)</source>
        <translation>キーは `{prefix}-{yyyymmddHHMMSS}-{revision:03d}-{attempt:03d}.png` になります（1 回の呼び出しで複数の画像を生成するときは `-{index}` が付きます）</translation>
    </message>
    <message>
        <source>The longest answer the judge may write</source>
        <translation>判定モデルが書ける回答の最大長</translation>
    </message>
    <message>
        <source>The longest revised prompt the reviser may write</source>
        <translation>改訂モデルが書ける改訂プロンプトの最大長</translation>
    </message>
    <message>
        <source>CFG scale</source>
        <translation>CFG スケール</translation>
    </message>
    <message>
        <source>How closely the image follows the prompt; unused by models without it</source>
        <translation>画像がどれだけプロンプトに忠実に従うか。この設定がないモデルでは使われません</translation>
    </message>
    <message>
        <source>Size (W × H)</source>
        <translation>サイズ（幅 × 高さ）</translation>
    </message>
    <message>
        <source>Image width in pixels</source>
        <translation>画像の幅（ピクセル）</translation>
    </message>
    <message>
        <source>Image height in pixels</source>
        <translation>画像の高さ（ピクセル）</translation>
    </message>
    <message>
        <source>Images per attempt</source>
        <translation>試行ごとの画像数</translation>
    </message>
    <message>
        <source>Images each attempt makes, each judged; a model that returns one image per call gets that many calls at once</source>
        <translation>1 回の試行で生成する画像の数（それぞれ判定されます）。1 回の呼び出しで 1 枚しか返さないモデルでは、その回数だけ同時に呼び出します</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>シード</translation>
    </message>
    <message>
        <source>0 picks a random seed for each attempt (it is recorded)</source>
        <translation>0 にすると試行ごとにランダムなシードを使います（記録されます）</translation>
    </message>
    <message>
        <source>0 = random</source>
        <translation>0 = ランダム</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>モデル</translation>
    </message>
    <message>
        <source>The image model: a catalog id or an inference profile id</source>
        <translation>画像モデル：カタログの ID または推論プロファイル ID</translation>
    </message>
    <message>
        <source>Judge and reviser: any Converse model that reads images</source>
        <translation>判定と改訂を行うモデル：画像を読める Converse 対応モデル</translation>
    </message>
    <message>
        <source>model id, inference profile id or ARN</source>
        <translation>モデル ID、推論プロファイル ID、または ARN</translation>
    </message>
    <message>
        <source>Approval</source>
        <translation>承認方法</translation>
    </message>
    <message>
        <source>`checklist`: the judge checks each requirement of a checklist and an image is approved when every must is met; `verdict`: the seed&apos;s one YES/NO for the whole prompt</source>
        <translation>`checklist`：判定モデルがチェックリストの要件を 1 つずつ確認し、必須要件をすべて満たした画像を承認します。`verdict`：元の方式どおり、プロンプト全体に対して YES/NO を 1 回判定します</translation>
    </message>
    <message>
        <source>Checklist</source>
        <translation>チェックリスト</translation>
    </message>
    <message>
        <source>The requirements each image is checked against, a list of `{text, must}` (optionally `id`, `kind`, `depends_on`); unset: the judge model writes one from the prompt before the first image (`imgloop-cli checklist` prints it)</source>
        <translation>各画像の確認に使う要件。`{text, must}` のリストです（`id`、`kind`、`depends_on` は任意）。未設定なら、最初の画像の前に判定モデルがプロンプトから作成します（`imgloop-cli checklist` で表示できます）</translation>
    </message>
    <message>
        <source>Local folder</source>
        <translation>ローカルフォルダー</translation>
    </message>
    <message>
        <source>Where every image is written first</source>
        <translation>すべての画像を最初に保存する場所</translation>
    </message>
    <message>
        <source>S3</source>
        <translation>S3</translation>
    </message>
    <message>
        <source>Upload each image to S3 as well (a mirror: a failed upload is retried later)</source>
        <translation>各画像を S3 にもアップロードします（ミラー。失敗したアップロードは後で再試行されます）</translation>
    </message>
    <message>
        <source>Upload each image to S3 as well</source>
        <translation>各画像を S3 にもアップロード</translation>
    </message>
    <message>
        <source>Region</source>
        <translation>リージョン</translation>
    </message>
    <message>
        <source>Where the models are called; anything but a region name is invalid input (exit 2)</source>
        <translation>モデルを呼び出すリージョン。リージョン名以外は無効な入力です（終了コード 2）</translation>
    </message>
    <message>
        <source>the profile&apos;s region, else us-east-1</source>
        <translation>プロファイルのリージョン（なければ us-east-1）</translation>
    </message>
    <message>
        <source>Candidates at once</source>
        <translation>同時に扱う候補数</translation>
    </message>
    <message>
        <source>Candidates generated or judged at the same time for the current prompt</source>
        <translation>現在のプロンプトについて、同時に生成・判定する候補の数</translation>
    </message>
    <message>
        <source>Look ahead</source>
        <translation>先読み</translation>
    </message>
    <message>
        <source>Start the next generation while the current image is judged</source>
        <translation>現在の画像を判定している間に次の生成を始めます</translation>
    </message>
    <message>
        <source>Generate the next while judging</source>
        <translation>判定中に次を生成</translation>
    </message>
    <message>
        <source>Budget per run</source>
        <translation>実行ごとの予算</translation>
    </message>
    <message>
        <source>The most this run may spend, in US dollars: a call whose worst case would pass it is not started and the run ends with outcome `budget`, keeping everything made</source>
        <translation>この実行で使える上限額（米ドル）。最悪の場合に上限を超える呼び出しは開始されず、実行は結果 `budget` で終わります。それまでに生成したものはすべて残ります</translation>
    </message>
    <message>
        <source>0 = no cap</source>
        <translation>0 = 上限なし</translation>
    </message>
    <message>
        <source>Judge image size</source>
        <translation>判定用の画像サイズ</translation>
    </message>
    <message>
        <source>Longest side of the copy sent to the judge; the kept image is never resized</source>
        <translation>判定モデルに送るコピーの長辺。保存する画像の大きさは変わりません</translation>
    </message>
    <message>
        <source>0 = full image</source>
        <translation>0 = 元のサイズ</translation>
    </message>
</context>
<context>
    <name>PresetsBar</name>
    <message>
        <source>Preset:</source>
        <translation>プリセット：</translation>
    </message>
    <message>
        <source>Load</source>
        <translation>読み込み</translation>
    </message>
    <message>
        <source>Save as…</source>
        <translation>名前を付けて保存…</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>削除</translation>
    </message>
    <message>
        <source>Saved preset “{name}”.</source>
        <translation>プリセット「{name}」を保存しました。</translation>
    </message>
    <message>
        <source>Loaded preset “{name}”.</source>
        <translation>プリセット「{name}」を読み込みました。</translation>
    </message>
    <message>
        <source>Deleted preset “{name}”.</source>
        <translation>プリセット「{name}」を削除しました。</translation>
    </message>
    <message>
        <source>This preset no longer reads as parameters:</source>
        <translation>このプリセットはパラメーターとして読み込めなくなっています：</translation>
    </message>
    <message>
        <source>Save preset</source>
        <translation>プリセットを保存</translation>
    </message>
    <message>
        <source>Name of the preset (an existing name is replaced):</source>
        <translation>プリセットの名前（既存の名前なら上書きします）：</translation>
    </message>
</context>
<context>
    <name>RunNotes</name>
    <message>
        <source>{asked} is not a size {model} makes; the nearest, {used}, is used.</source>
        <translation>{asked} は {model} が作れるサイズではないため、いちばん近い {used} を使います。</translation>
    </message>
    <message>
        <source>titan_img_cfg_scale ({cfg}) is not used: {model} has no CFG setting.</source>
        <translation>titan_img_cfg_scale（{cfg}）は使われません。{model} には CFG の設定がありません。</translation>
    </message>
    <message>
        <source>{model} returns {per_call} image(s) per call, so each attempt makes {calls} calls at once for {images} images.</source>
        <translation>{model} は 1 回の呼び出しで {per_call} 枚を返すため、試行ごとに {images} 枚分として {calls} 回の呼び出しを同時に行います。</translation>
    </message>
</context>
</TS>
