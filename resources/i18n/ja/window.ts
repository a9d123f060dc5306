<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ja_JP">
<context>
    <name>Actions</name>
    <message>
        <source>&amp;Run</source>
        <translation>実行(&amp;R)</translation>
    </message>
    <message>
        <source>Start a run</source>
        <translation>実行を開始</translation>
    </message>
    <message>
        <source>&amp;Cancel</source>
        <translation>キャンセル(&amp;C)</translation>
    </message>
    <message>
        <source>Cancel the run (images made so far are kept)</source>
        <translation>実行をキャンセル（それまでに生成した画像は残ります）</translation>
    </message>
    <message>
        <source>Add to &amp;queue</source>
        <translation>キューに追加(&amp;Q)</translation>
    </message>
    <message>
        <source>Add the form&apos;s parameters to the run queue</source>
        <translation>フォームのパラメーターを実行キューに追加</translation>
    </message>
    <message>
        <source>Export &amp;approved…</source>
        <translation>承認済みを書き出し(&amp;A)…</translation>
    </message>
    <message>
        <source>Export approved images</source>
        <translation>承認済みの画像を書き出す</translation>
    </message>
    <message>
        <source>&amp;Embed parameters in signed images too</source>
        <translation>署名付きの画像にもパラメーターを埋め込む(&amp;E)</translation>
    </message>
    <message>
        <source>Exports and drags write the parameters into images carrying Content Credentials (C2PA) too; this breaks their signature, and the copy says it was modified</source>
        <translation>書き出しとドラッグで、コンテンツ認証情報（C2PA）付きの画像にもパラメーターを書き込みます。署名は無効になり、コピーには変更されたことが記録されます</translation>
    </message>
    <message>
        <source>Open &amp;history</source>
        <translation>履歴を開く(&amp;H)</translation>
    </message>
    <message>
        <source>Show or hide past sessions</source>
        <translation>過去のセッションを表示／非表示</translation>
    </message>
    <message>
        <source>Run q&amp;ueue</source>
        <translation>実行キュー(&amp;U)</translation>
    </message>
    <message>
        <source>The run queue: many prompts, several at once</source>
        <translation>実行キュー：複数のプロンプトを同時に実行</translation>
    </message>
    <message>
        <source>Re&amp;view images…</source>
        <translation>画像をレビュー(&amp;V)…</translation>
    </message>
    <message>
        <source>Images waiting for your decision: the judge was unsure, or a run&apos;s best</source>
        <translation>あなたの判断を待つ画像：判定モデルが迷ったもの、または承認がなかった実行のベスト</translation>
    </message>
    <message>
        <source>&amp;Preferences: AWS accounts…</source>
        <translation>環境設定：AWS アカウント(&amp;P)…</translation>
    </message>
    <message>
        <source>AWS accounts kept in the OS keyring, and the connection check</source>
        <translation>OS のキーリングに保存した AWS アカウントと接続チェック</translation>
    </message>
    <message>
        <source>&amp;Costs and budget…</source>
        <translation>費用と予算(&amp;C)…</translation>
    </message>
    <message>
        <source>Monthly budget, your own prices, and the shipped price table with its sources</source>
        <translation>月の予算、独自の価格、同梱の価格表とその出典</translation>
    </message>
    <message>
        <source>&amp;Import event JSON…</source>
        <translation>イベント JSON を読み込み(&amp;I)…</translation>
    </message>
    <message>
        <source>Load parameters</source>
        <translation>パラメーターを読み込む</translation>
    </message>
    <message>
        <source>E&amp;xport event JSON…</source>
        <translation>イベント JSON を書き出し(&amp;X)…</translation>
    </message>
    <message>
        <source>Save parameters</source>
        <translation>パラメーターを保存</translation>
    </message>
    <message>
        <source>&amp;Recovery report…</source>
        <translation>復旧レポート(&amp;R)…</translation>
    </message>
    <message>
        <source>What opening the history found</source>
        <translation>履歴を開いたときに見つかった内容</translation>
    </message>
    <message>
        <source>Retry pending S3 &amp;uploads</source>
        <translation>保留中の S3 アップロードを再試行(&amp;U)</translation>
    </message>
    <message>
        <source>Upload again the images whose S3 copy failed or never started</source>
        <translation>S3 へのコピーが失敗した、または始まらなかった画像を再アップロード</translation>
    </message>
    <message>
        <source>&amp;Keyboard shortcuts</source>
        <translation>キーボードショートカット(&amp;K)</translation>
    </message>
    <message>
        <source>Every command&apos;s shortcut, and the gallery&apos;s and viewer&apos;s keys</source>
        <translation>すべてのコマンドのショートカットと、ギャラリー・ビューアーのキー操作</translation>
    </message>
    <message>
        <source>&amp;Troubleshooting</source>
        <translation>トラブルシューティング(&amp;T)</translation>
    </message>
    <message>
        <source>The README&apos;s Troubleshooting section, offline</source>
        <translation>README のトラブルシューティング（オフラインで表示）</translation>
    </message>
    <message>
        <source>Open &amp;log folder</source>
        <translation>ログフォルダーを開く(&amp;L)</translation>
    </message>
    <message>
        <source>The folder with the log files and crash traces</source>
        <translation>ログファイルとクラッシュ記録のあるフォルダー</translation>
    </message>
    <message>
        <source>&amp;About imgloop desktop</source>
        <translation>imgloop desktop について(&amp;A)</translation>
    </message>
    <message>
        <source>Version and the licences of the bundled components</source>
        <translation>バージョンと同梱コンポーネントのライセンス</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>終了(&amp;Q)</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>終了</translation>
    </message>
</context>
<context>
    <name>Folders</name>
    <message>
        <source>No file manager answered for {path}. This desktop may not have one set up (xdg-open needs a default application for folders).</source>
        <translation>{path} を開くファイルマネージャーが応答しませんでした。このデスクトップには設定されていないようです（xdg-open にはフォルダー用の既定のアプリケーションが必要です）。</translation>
    </message>
    <message>
        <source>Open folder</source>
        <translation>フォルダーを開く</translation>
    </message>
    <message>
        <source>Copy path</source>
        <translation>パスをコピー</translation>
    </message>
</context>
<context>
    <name>Help</name>
    <message>
        <source>The README is not part of this installation. Its Troubleshooting section is in the project&apos;s README.md.</source>
        <translation>このインストールには README が含まれていません。トラブルシューティングはプロジェクトの README.md にあります。</translation>
    </message>
    <message>
        <source>In the gallery: arrow keys move between images, Space or Enter opens the viewer, C compares the selected images, Ctrl+wheel changes the thumbnail size. In the viewer: + and - zoom, 0 fits, 1 shows 100 %, Left/Right move through the run, Esc goes back.</source>
        <translation>ギャラリー：矢印キーで画像間を移動、Space または Enter でビューアーを開く、C で選択した画像を比較、Ctrl+ホイールでサムネイルの大きさを変更。ビューアー：+ と - で拡大・縮小、0 で全体表示、1 で 100 %、左右キーで実行内を移動、Esc で戻る。</translation>
    </message>
    <message>
        <source>Command</source>
        <translation>コマンド</translation>
    </message>
    <message>
        <source>Shortcut</source>
        <translation>ショートカット</translation>
    </message>
    <message>
        <source>Component</source>
        <translation>コンポーネント</translation>
    </message>
    <message>
        <source>Version</source>
        <translation>バージョン</translation>
    </message>
    <message>
        <source>Licence</source>
        <translation>ライセンス</translation>
    </message>
    <message>
        <source>Qt is used under the LGPL v3; its source is at https://download.qt.io.</source>
        <translation>Qt は LGPL v3 のもとで使用しています。ソースは https://download.qt.io にあります。</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source> — offline demo (synthetic images)</source>
        <translation> — オフラインデモ（合成画像）</translation>
    </message>
    <message>
        <source>Fix the {n} marked field(s) first</source>
        <translation>先に印の付いた {n} 個の項目を直してください</translation>
    </message>
    <message>
        <source>Viewing past session {run_id}</source>
        <translation>過去のセッション {run_id} を表示中</translation>
    </message>
    <message>
        <source>Your cost settings file cannot be used ({path}); fix it in Settings → Costs and budget</source>
        <translation>費用設定ファイルを使えません（{path}）。設定 → 費用と予算で直してください</translation>
    </message>
    <message>
        <source>{problems}

No run starts until it is fixed: ignoring it could lift your cap.</source>
        <translation>{problems}

直すまで実行は始まりません。無視すると上限が外れるおそれがあるためです。</translation>
    </message>
    <message>
        <source>Offline demo: Bedrock is simulated on this computer and the images are synthetic (they say so in a corner). Nothing is sent to AWS; S3 uploads are off.</source>
        <translation>オフラインデモ：Bedrock をこのコンピューター上でシミュレートしており、画像は合成したものです（隅にその旨を表示）。AWS には何も送信されず、S3 へのアップロードもオフです。</translation>
    </message>
    <message>
        <source> Backend: </source>
        <translation> バックエンド: </translation>
    </message>
    <message>
        <source>History</source>
        <translation>履歴</translation>
    </message>
    <message>
        <source>Review</source>
        <translation>レビュー</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>言語(&amp;L)</translation>
    </message>
    <message>
        <source>System language</source>
        <translation>システムの言語</translation>
    </message>
    <message>
        <source>The language changes at the next start of imgloop.</source>
        <translation>言語は imgloop の次回起動時に切り替わります。</translation>
    </message>
    <message>
        <source>Backend: {label}</source>
        <translation>バックエンド: {label}</translation>
    </message>
    <message>
        <source>Start a run (Ctrl+R)</source>
        <translation>実行を開始 (Ctrl+R)</translation>
    </message>
    <message>
        <source>Not started: {n} value(s) are not allowed (marked in red).</source>
        <translation>開始しませんでした：許可されていない値が {n} 個あります（赤で表示）。</translation>
    </message>
    <message>
        <source>Running with {source}…</source>
        <translation>{source} で実行中…</translation>
    </message>
    <message>
        <source>{n} bad value(s)</source>
        <translation>不正な値 {n} 個</translation>
    </message>
    <message>
        <source>Cost settings saved; the estimate and the next run use them.</source>
        <translation>費用設定を保存しました。見積もりと次の実行に使われます。</translation>
    </message>
    <message>
        <source>Cancelling: no new call starts; the one in flight is waited out.</source>
        <translation>キャンセル中：新しい呼び出しは始めず、処理中のものの完了を待ちます。</translation>
    </message>
    <message>
        <source>Run {run_id}: {outcome}. {message}</source>
        <translation>実行 {run_id}：{outcome}。{message}</translation>
    </message>
    <message>
        <source>Not started: {message}</source>
        <translation>開始しませんでした：{message}</translation>
    </message>
    <message>
        <source>the session</source>
        <translation>セッション</translation>
    </message>
    <message>
        <source>Run again</source>
        <translation>もう一度実行</translation>
    </message>
    <message>
        <source>The session&apos;s parameters are in the form. Run them now?</source>
        <translation>セッションのパラメーターをフォームに読み込みました。今すぐ実行しますか？</translation>
    </message>
    <message>
        <source>Hold Shift when you press Run again to run without asking.</source>
        <translation>「もう一度実行」を押すときに Shift を押していれば、確認せずに実行します。</translation>
    </message>
    <message>
        <source>&amp;Run now</source>
        <translation>今すぐ実行(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Not now</source>
        <translation>今はしない(&amp;N)</translation>
    </message>
    <message>
        <source>Keyboard shortcuts</source>
        <translation>キーボードショートカット</translation>
    </message>
    <message>
        <source>Troubleshooting</source>
        <translation>トラブルシューティング</translation>
    </message>
    <message>
        <source>About imgloop desktop</source>
        <translation>imgloop desktop について</translation>
    </message>
    <message>
        <source>Parameters cannot be replaced during a run.</source>
        <translation>実行中はパラメーターを置き換えられません。</translation>
    </message>
    <message>
        <source>Parameters loaded from {source}; press Run (Ctrl+R) to run them.</source>
        <translation>{source} からパラメーターを読み込みました。実行（Ctrl+R）を押すと実行します。</translation>
    </message>
    <message>
        <source>Pick an AWS backend first: the offline demo does not upload to S3.</source>
        <translation>先に AWS のバックエンドを選んでください。オフラインデモは S3 にアップロードしません。</translation>
    </message>
</context>
<context>
    <name>Menus</name>
    <message>
        <source>&amp;File</source>
        <translation>ファイル(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Run</source>
        <translation>実行(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>表示(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Settings</source>
        <translation>設定(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>ヘルプ(&amp;H)</translation>
    </message>
    <message>
        <source>Main</source>
        <translation>メイン</translation>
    </message>
</context>
<context>
    <name>QueuePanel</name>
    <message>
        <source>Prompt</source>
        <translation>プロンプト</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状態</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>結果</translation>
    </message>
    <message>
        <source>Tries</source>
        <translation>試行</translation>
    </message>
    <message>
        <source>Cost</source>
        <translation>費用</translation>
    </message>
    <message>
        <source>waiting</source>
        <translation>待機中</translation>
    </message>
    <message>
        <source>running</source>
        <translation>実行中</translation>
    </message>
    <message>
        <source>done</source>
        <translation>完了</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>失敗</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>キャンセル済み</translation>
    </message>
    <message>
        <source>approved</source>
        <translation>承認</translation>
    </message>
    <message>
        <source>best, not approved</source>
        <translation>ベスト（未承認）</translation>
    </message>
    <message>
        <source>stopped at budget</source>
        <translation>予算で停止</translation>
    </message>
    <message>
        <source>error</source>
        <translation>エラー</translation>
    </message>
    <message>
        <source>interrupted, will resume</source>
        <translation>中断（再開します）</translation>
    </message>
    <message>
        <source>The queue is empty. Add prompts with Add to queue (the form&apos;s parameters), Paste prompts…, Add file…, or drop a .jsonl or .csv file on the window.</source>
        <translation>キューは空です。「キューに追加」（フォームのパラメーター）、「プロンプトを貼り付け…」、「ファイルを追加…」、またはウィンドウへの .jsonl／.csv ファイルのドロップでプロンプトを追加できます。</translation>
    </message>
    <message>
        <source>about {n} s left</source>
        <translation>残り約 {n} 秒</translation>
    </message>
    <message>
        <source>about {n} min left</source>
        <translation>残り約 {n} 分</translation>
    </message>
    <message>
        <source>{done} of {total} done</source>
        <translation>{total} 件中 {done} 件完了</translation>
    </message>
    <message>
        <source>{n} approved</source>
        <translation>承認 {n} 件</translation>
    </message>
    <message>
        <source>{n} best, not approved</source>
        <translation>ベスト（未承認）{n} 件</translation>
    </message>
    <message>
        <source>{n} failed</source>
        <translation>失敗 {n} 件</translation>
    </message>
    <message>
        <source>{n} cancelled</source>
        <translation>キャンセル {n} 件</translation>
    </message>
    <message>
        <source>{spent} spent of {budget}</source>
        <translation>{budget} のうち {spent} を使用</translation>
    </message>
    <message>
        <source>{spent} spent</source>
        <translation>{spent} を使用</translation>
    </message>
    <message>
        <source>paused</source>
        <translation>一時停止中</translation>
    </message>
    <message>
        <source>Pa&amp;use queue</source>
        <translation>キューを一時停止(&amp;U)</translation>
    </message>
    <message>
        <source>Add f&amp;ile…</source>
        <translation>ファイルを追加(&amp;I)…</translation>
    </message>
    <message>
        <source>Pas&amp;te prompts…</source>
        <translation>プロンプトを貼り付け(&amp;T)…</translation>
    </message>
    <message>
        <source>Move up</source>
        <translation>上へ</translation>
    </message>
    <message>
        <source>Move down</source>
        <translation>下へ</translation>
    </message>
    <message>
        <source>Ca&amp;ncel item</source>
        <translation>項目をキャンセル(&amp;N)</translation>
    </message>
    <message>
        <source>Retr&amp;y failed</source>
        <translation>失敗を再試行(&amp;Y)</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>削除</translation>
    </message>
    <message>
        <source>Clear done</source>
        <translation>完了を消去</translation>
    </message>
    <message>
        <source>Limits…</source>
        <translation>上限…</translation>
    </message>
    <message>
        <source>Res&amp;ume queue</source>
        <translation>キューを再開(&amp;U)</translation>
    </message>
    <message>
        <source>Retr&amp;y selected</source>
        <translation>選択を再試行(&amp;Y)</translation>
    </message>
    <message>
        <source>Open &amp;run</source>
        <translation>実行を開く(&amp;R)</translation>
    </message>
    <message>
        <source>Run {n}: {run_id}</source>
        <translation>実行 {n}：{run_id}</translation>
    </message>
    <message>
        <source>Re&amp;view this item&apos;s images</source>
        <translation>この項目の画像を確認(&amp;V)</translation>
    </message>
    <message>
        <source>queue item {n} ({prompt})</source>
        <translation>キューの項目 {n}（{prompt}）</translation>
    </message>
    <message>
        <source>Queue &amp;budget:</source>
        <translation>キューの予算(&amp;B):</translation>
    </message>
    <message>
        <source>none</source>
        <translation>なし</translation>
    </message>
    <message>
        <source>What the queue&apos;s items may spend together; the queue pauses when it is reached.</source>
        <translation>キューの項目が合計で使える金額。達するとキューは一時停止します。</translation>
    </message>
    <message>
        <source>Items and image calls at once, image calls per minute</source>
        <translation>同時実行の項目数と画像呼び出し数、1 分あたりの画像呼び出し数</translation>
    </message>
    <message>
        <source>error: {error}</source>
        <translation>エラー: {error}</translation>
    </message>
</context>
<context>
    <name>QueueSync</name>
    <message>
        <source>Queue files (*.jsonl *.csv);;All files (*)</source>
        <translation>キューファイル (*.jsonl *.csv);;すべてのファイル (*)</translation>
    </message>
    <message>
        <source>Queue</source>
        <translation>キュー</translation>
    </message>
    <message>
        <source>Not queued: {n} value(s) are not allowed (marked in red).</source>
        <translation>キューに追加していません：{n} 個の値が許可されていません（赤で表示）。</translation>
    </message>
    <message>
        <source>Paste prompts</source>
        <translation>プロンプトを貼り付け</translation>
    </message>
    <message>
        <source>One prompt per line; the other settings come from the form:</source>
        <translation>1 行に 1 つのプロンプト。その他の設定はフォームのものを使います：</translation>
    </message>
    <message>
        <source>Add a queue file (JSONL or CSV)</source>
        <translation>キューファイルを追加（JSONL または CSV）</translation>
    </message>
    <message>
        <source>Queued {n} item(s) from {source}.</source>
        <translation>{source} から {n} 件をキューに追加しました。</translation>
    </message>
    <message>
        <source>Not queued from {source}</source>
        <translation>{source} からはキューに追加していません</translation>
    </message>
    <message>
        <source>Queue paused: running items finish.</source>
        <translation>キューを一時停止しました：実行中の項目は最後まで続きます。</translation>
    </message>
    <message>
        <source>Queue budget not set</source>
        <translation>キューの予算を設定していません</translation>
    </message>
    <message>
        <source>Queue not started: {file} has a bad value: {problem}</source>
        <translation>キューを開始していません：{file} に不正な値があります：{problem}</translation>
    </message>
    <message>
        <source>Queue not started: {reason}</source>
        <translation>キューを開始していません：{reason}</translation>
    </message>
    <message>
        <source>Queue running with {who}…</source>
        <translation>{who} でキューを実行中…</translation>
    </message>
    <message>
        <source>Queue not started</source>
        <translation>キューを開始していません</translation>
    </message>
    <message>
        <source>Queue restarting with the newly chosen backend…</source>
        <translation>新しく選んだバックエンドでキューを再開しています…</translation>
    </message>
    <message>
        <source> (and {n} more)</source>
        <translation>（ほか {n} 件）</translation>
    </message>
</context>
<context>
    <name>RunController</name>
    <message>
        <source>A run is already in progress.</source>
        <translation>すでに実行中です。</translation>
    </message>
    <message>
        <source>Cancel it or wait for it to end.</source>
        <translation>キャンセルするか、終わるまでお待ちください。</translation>
    </message>
    <message>
        <source>The image folder cannot be used: {reason}</source>
        <translation>画像フォルダーを使えません：{reason}</translation>
    </message>
    <message>
        <source>Unexpected error: {error}</source>
        <translation>予期しないエラー：{error}</translation>
    </message>
</context>
</TS>
