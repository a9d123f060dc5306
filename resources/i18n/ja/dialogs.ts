<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ja_JP">
<context>
    <name>AccountSync</name>
    <message>
        <source>The account list is updated when the run ends.</source>
        <translation>アカウントの一覧は実行が終わると更新されます。</translation>
    </message>
    <message>
        <source>Runs now use the AWS account &apos;{name}&apos; from the OS keyring.</source>
        <translation>これからの実行は OS のキーリングにある AWS アカウント「{name}」を使います。</translation>
    </message>
    <message>
        <source>The choice applies to the next run; this one keeps its backend.</source>
        <translation>この選択は次の実行から適用されます。実行中のものは今のバックエンドのままです。</translation>
    </message>
    <message>
        <source>{key} is not available; the Backend picker shows what runs use.</source>
        <translation>{key} は使えません。実行に使うものはバックエンドの選択欄に表示されています。</translation>
    </message>
</context>
<context>
    <name>AccountsDialog</name>
    <message>
        <source>Standard AWS chain (environment variables, default profile, roles)</source>
        <translation>AWS の標準チェーン（環境変数、デフォルトのプロファイル、ロール）</translation>
    </message>
    <message>
        <source>Preferences</source>
        <translation>環境設定</translation>
    </message>
    <message>
        <source>AWS accounts</source>
        <translation>AWS アカウント</translation>
    </message>
    <message>
        <source>Costs</source>
        <translation>費用</translation>
    </message>
    <message>
        <source>Queue</source>
        <translation>キュー</translation>
    </message>
    <message>
        <source>Runs use: {choice}.</source>
        <translation>実行に使うもの：{choice}</translation>
    </message>
    <message>
        <source>Save account</source>
        <translation>アカウントを保存</translation>
    </message>
    <message>
        <source>Save region</source>
        <translation>リージョンを保存</translation>
    </message>
    <message>
        <source>Replace keys of &apos;{name}&apos;</source>
        <translation>「{name}」のキーを置き換え</translation>
    </message>
    <message>
        <source>Saved {account} in {region}.</source>
        <translation>{account} を {region} で保存しました。</translation>
    </message>
    <message>
        <source>Testing {source}…</source>
        <translation>{source} をテスト中…</translation>
    </message>
    <message>
        <source>Everything answered.</source>
        <translation>すべて応答がありました。</translation>
    </message>
    <message>
        <source>Some checks failed; see above.</source>
        <translation>失敗したチェックがあります。上の一覧をご覧ください。</translation>
    </message>
    <message>
        <source> — temporary</source>
        <translation> — 一時キー</translation>
    </message>
    <message>
        <source> (active)</source>
        <translation>（使用中）</translation>
    </message>
    <message>
        <source>keyring account &apos;{name}&apos;, which is no longer stored; runs will refuse until you choose another account or a profile</source>
        <translation>キーリングのアカウント「{name}」（もう保存されていません。別のアカウントかプロファイルを選ぶまで実行できません）</translation>
    </message>
    <message>
        <source>AKIA… or ASIA…</source>
        <translation>AKIA… または ASIA…</translation>
    </message>
    <message>
        <source>Use for runs</source>
        <translation>実行に使う</translation>
    </message>
    <message>
        <source>Not saved</source>
        <translation>保存できませんでした</translation>
    </message>
    <message>
        <source>{what}: {problems}</source>
        <translation>{what}：{problems}</translation>
    </message>
    <message>
        <source>Access keys kept in this computer&apos;s keyring</source>
        <translation>このコンピューターのキーリングに保管したアクセスキー</translation>
    </message>
    <message>
        <source>An AWS profile or the environment (aws configure, aws sso login)</source>
        <translation>AWS のプロファイルまたは環境変数（aws configure、aws sso login）</translation>
    </message>
    <message>
        <source>Accounts in the keyring</source>
        <translation>キーリング内のアカウント</translation>
    </message>
    <message>
        <source>work</source>
        <translation>仕事用</translation>
    </message>
    <message>
        <source>40 characters, shown once when the key was made</source>
        <translation>40 文字。キーの作成時に一度だけ表示されます</translation>
    </message>
    <message>
        <source>only for temporary (ASIA…) keys</source>
        <translation>一時キー（ASIA…）の場合のみ</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名前</translation>
    </message>
    <message>
        <source>Access key ID</source>
        <translation>アクセスキー ID</translation>
    </message>
    <message>
        <source>Secret access key</source>
        <translation>シークレットアクセスキー</translation>
    </message>
    <message>
        <source>Session token</source>
        <translation>セッショントークン</translation>
    </message>
    <message>
        <source>Region</source>
        <translation>リージョン</translation>
    </message>
    <message>
        <source>New</source>
        <translation>新規</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>削除</translation>
    </message>
    <message>
        <source>AWS profile</source>
        <translation>AWS プロファイル</translation>
    </message>
    <message>
        <source>Test connection</source>
        <translation>接続をテスト</translation>
    </message>
    <message>
        <source>Access keys are kept in: {keyring}. They are never written to a file.</source>
        <translation>アクセスキーの保管場所：{keyring}。ファイルに書き出されることはありません。</translation>
    </message>
    <message>
        <source>the offline demo (simulated Bedrock, chosen in the window&apos;s Backend picker)</source>
        <translation>オフラインデモ（Bedrock をシミュレート。ウィンドウのバックエンド選択欄で選択）</translation>
    </message>
    <message>
        <source>{key} (type new keys to replace)</source>
        <translation>{key}（置き換えるには新しいキーを入力）</translation>
    </message>
    <message>
        <source>Not deleted</source>
        <translation>削除できませんでした</translation>
    </message>
    <message>
        <source>Deleted account &apos;{name}&apos; from the keyring.</source>
        <translation>アカウント「{name}」をキーリングから削除しました。</translation>
    </message>
    <message>
        <source>Not changed</source>
        <translation>変更できませんでした</translation>
    </message>
    <message>
        <source>Select a saved account (or choose an AWS profile) to test.</source>
        <translation>テストする保存済みアカウントを選択してください（または AWS プロファイルを選んでください）。</translation>
    </message>
    <message>
        <source>The check could not run</source>
        <translation>チェックを実行できませんでした</translation>
    </message>
    <message>
        <source>{what}: unexpected error ({kind}: {error})</source>
        <translation>{what}：予期しないエラー（{kind}: {error}）</translation>
    </message>
    <message>
        <source>Working…</source>
        <translation>処理中…</translation>
    </message>
</context>
<context>
    <name>BackendPicker</name>
    <message>
        <source>The backend used before ({key}) is gone; runs now use {label}. Pick another in the toolbar.</source>
        <translation>以前のバックエンド（{key}）がなくなったため、実行には {label} を使います。別のものはツールバーで選んでください。</translation>
    </message>
    <message>
        <source>The offline demo could not start</source>
        <translation>オフラインデモを開始できませんでした</translation>
    </message>
</context>
<context>
    <name>Backends</name>
    <message>
        <source>AWS (default credential chain)</source>
        <translation>AWS（デフォルトの認証情報チェーン）</translation>
    </message>
    <message>
        <source>Offline demo (simulated Bedrock)</source>
        <translation>オフラインデモ（Bedrock をシミュレート）</translation>
    </message>
    <message>
        <source>AWS account: {name} (OS keyring)</source>
        <translation>AWS アカウント：{name}（OS のキーリング）</translation>
    </message>
    <message>
        <source>AWS profile: {name}</source>
        <translation>AWS プロファイル：{name}</translation>
    </message>
</context>
<context>
    <name>ChecklistSync</name>
    <message>
        <source>Checklist sent to the run: it applies from the next judgement.</source>
        <translation>チェックリストを実行に送りました。次の判定から適用されます。</translation>
    </message>
    <message>
        <source>This run cannot take checklist edits; they apply to the next run.</source>
        <translation>この実行ではチェックリストの編集を受け付けられません。次の実行から適用されます。</translation>
    </message>
    <message>
        <source>Asking {model} for a checklist…</source>
        <translation>{model} にチェックリストを依頼中…</translation>
    </message>
</context>
<context>
    <name>CloseGuard</name>
    <message>
        <source>A run is in progress</source>
        <translation>実行中です</translation>
    </message>
    <message>
        <source>A run is in progress. Cancel it and close the window?</source>
        <translation>実行中です。キャンセルしてウィンドウを閉じますか？</translation>
    </message>
    <message>
        <source>Still cancelling; the window closes when the run has stopped.</source>
        <translation>キャンセル中です。実行が止まるとウィンドウが閉じます。</translation>
    </message>
    <message>
        <source>Images made so far are kept, and the run is recorded as cancelled.</source>
        <translation>それまでに生成した画像は残り、実行はキャンセル済みとして記録されます。</translation>
    </message>
    <message>
        <source>Cancel run and close</source>
        <translation>実行をキャンセルして閉じる</translation>
    </message>
    <message>
        <source>Keep running</source>
        <translation>実行を続ける</translation>
    </message>
    <message>
        <source>Cancelling the run; the window closes when it has stopped.</source>
        <translation>実行をキャンセルしています。止まるとウィンドウが閉じます。</translation>
    </message>
</context>
<context>
    <name>CrashDialog</name>
    <message>
        <source>imgloop desktop — unexpected error</source>
        <translation>imgloop desktop — 予期しないエラー</translation>
    </message>
    <message>
        <source>{title} ({n} errors)</source>
        <translation>{title}（{n} 件のエラー）</translation>
    </message>
    <message>
        <source>Show the trace</source>
        <translation>トレースを表示</translation>
    </message>
    <message>
        <source>Something went wrong inside imgloop. The app is still running, but what you were doing may not have finished. Images already saved stay on disk.

If you report this, please include the text below (access keys and signatures are already removed from it).</source>
        <translation>imgloop の内部で問題が起きました。アプリは動き続けていますが、行っていた操作は完了していない可能性があります。保存済みの画像はディスクに残っています。

報告していただく場合は、下のテキストを添えてください（アクセスキーと署名はすでに取り除かれています）。</translation>
    </message>
    <message>
        <source>Log file: {path}</source>
        <translation>ログファイル：{path}</translation>
    </message>
    <message>
        <source>No log file is being written.</source>
        <translation>ログファイルは書き出されていません。</translation>
    </message>
    <message>
        <source>Copy report</source>
        <translation>レポートをコピー</translation>
    </message>
    <message>
        <source>Open log folder</source>
        <translation>ログフォルダーを開く</translation>
    </message>
    <message>
        <source>imgloop desktop stopped unexpectedly</source>
        <translation>imgloop desktop が予期せず終了しました</translation>
    </message>
    <message>
        <source>imgloop stopped unexpectedly last time ({when}). A technical trace of that moment was saved.</source>
        <translation>前回、imgloop が予期せず終了しました（{when}）。そのときの技術的なトレースが保存されています。</translation>
    </message>
    <message>
        <source>Your images and history are kept. If it happens again, the trace helps find the cause.

Saved as: {path}</source>
        <translation>画像と履歴は残っています。再び起きた場合、このトレースが原因の特定に役立ちます。

保存先：{path}</translation>
    </message>
    <message>
        <source>Not now</source>
        <translation>今はしない</translation>
    </message>
    <message>
        <source>imgloop desktop — trace of the last crash</source>
        <translation>imgloop desktop — 前回のクラッシュのトレース</translation>
    </message>
    <message>
        <source>These are the Python stacks at the moment imgloop stopped last time. Copy them into a bug report if you report the crash.

File: {path}</source>
        <translation>前回 imgloop が止まった時点の Python のスタックです。クラッシュを報告する場合は、バグ報告にコピーしてください。

ファイル：{path}</translation>
    </message>
</context>
<context>
    <name>ErrorBox</name>
    <message>
        <source>{message} {hint}</source>
        <translation>{message} {hint}</translation>
    </message>
    <message>
        <source>{count} value is not allowed.</source>
        <translation>{count} 個の値が許可されていません。</translation>
    </message>
    <message>
        <source>{count} values are not allowed.</source>
        <translation>{count} 個の値が許可されていません。</translation>
    </message>
    <message>
        <source>Model: {model}</source>
        <translation>モデル：{model}</translation>
    </message>
    <message>
        <source>Region: {region}</source>
        <translation>リージョン：{region}</translation>
    </message>
    <message>
        <source>Unexpected error: {kind}: {error}</source>
        <translation>予期しないエラー：{kind}: {error}</translation>
    </message>
</context>
<context>
    <name>EventFiles</name>
    <message>
        <source>{name} cannot be used as an event file</source>
        <translation>{name} はイベントファイルとして使えません</translation>
    </message>
    <message>
        <source>{name} holds no parameters imgloop can use</source>
        <translation>{name} には imgloop で使えるパラメーターがありません</translation>
    </message>
    <message>
        <source>Parameters cannot be replaced during a run.</source>
        <translation>実行中はパラメーターを置き換えられません。</translation>
    </message>
    <message>
        <source>Loaded parameters from {source}{how}.</source>
        <translation>{source}{how} からパラメーターを読み込みました。</translation>
    </message>
    <message>
        <source>Loaded {count} settings from {source}{how}; kept your current {left} (the file does not say them).</source>
        <translation>{source}{how} から {count} 個の設定を読み込みました。{left} は現在の値のままです（ファイルに記載がないため）。</translation>
    </message>
    <message>
        <source> Some values are not allowed (marked in red).</source>
        <translation> 許可されていない値があります（赤で表示）。</translation>
    </message>
    <message>
        <source>Event JSON (*.json)</source>
        <translation>イベント JSON (*.json)</translation>
    </message>
    <message>
        <source>Import event JSON</source>
        <translation>イベント JSON を読み込む</translation>
    </message>
    <message>
        <source>All files (*)</source>
        <translation>すべてのファイル (*)</translation>
    </message>
    <message>
        <source>Export event JSON</source>
        <translation>イベント JSON を書き出す</translation>
    </message>
    <message>
        <source>{path} could not be written</source>
        <translation>{path} に書き込めませんでした</translation>
    </message>
    <message>
        <source>Saved the parameters to {path}.</source>
        <translation>パラメーターを {path} に保存しました。</translation>
    </message>
</context>
<context>
    <name>HistoryActions</name>
    <message>
        <source>History opened; nothing to recover.</source>
        <translation>履歴を開きました。復旧するものはありません。</translation>
    </message>
    <message>
        <source>History recovered: {parts}.</source>
        <translation>履歴を復旧しました：{parts}。</translation>
    </message>
    <message>
        <source>{n} run(s) stopped unfinished last time and are marked interrupted</source>
        <translation>前回未完了のまま止まった {n} 件の実行を中断済みとしました</translation>
    </message>
    <message>
        <source>{n} file(s) left by the crash were put back in order</source>
        <translation>クラッシュで残った {n} 個のファイルを整理しました</translation>
    </message>
    <message>
        <source>{n} image(s) are kept locally but not yet in S3: Run &gt; Retry pending S3 uploads.</source>
        <translation>{n} 枚の画像がローカルにのみあり、まだ S3 にありません：実行 &gt; 保留中の S3 アップロードを再試行。</translation>
    </message>
    <message>
        <source>{done} pending upload(s) done, {failed} still waiting.</source>
        <translation>保留中のアップロード {done} 件が完了、{failed} 件はまだ待機中です。</translation>
    </message>
    <message>
        <source>Exported {images} approved image(s) from {sessions} session(s) to {path}.</source>
        <translation>{sessions} 件のセッションから承認済みの画像 {images} 枚を {path} に書き出しました。</translation>
    </message>
    <message>
        <source>These runs were cut short (the app closed or the computer stopped). Everything they made is kept in the history:</source>
        <translation>次の実行は途中で止まりました（アプリが閉じられたか、コンピューターが停止しました）。生成されたものはすべて履歴に残っています：</translation>
    </message>
    <message>
        <source>Files the stopped runs left behind: whole images were added to their run, files that could not be placed were moved to a quarantine folder (nothing was deleted but temp files of unfinished writes):</source>
        <translation>止まった実行が残したファイル：完全な画像はその実行に追加し、置き場所の分からないファイルは隔離フォルダーに移しました（削除したのは書き込み途中の一時ファイルだけです）：</translation>
    </message>
    <message>
        <source>{n} file(s) do not match the history (nothing was deleted)</source>
        <translation>{n} 個のファイルが履歴と一致しません（何も削除していません）</translation>
    </message>
    <message>
        <source>Files and history rows that disagree (left as they are for you to check):</source>
        <translation>一致しないファイルと履歴の行（確認できるようそのままにしてあります）：</translation>
    </message>
    <message>
        <source>{n} run(s) are being recorded by another imgloop</source>
        <translation>{n} 件の実行を別の imgloop が記録中です</translation>
    </message>
    <message>
        <source>Runs another imgloop process is still recording:</source>
        <translation>別の imgloop プロセスが記録中の実行：</translation>
    </message>
    <message>
        <source>The history could not be opened; runs still keep their images on disk</source>
        <translation>履歴を開けませんでした。実行した画像はディスクに保存されます</translation>
    </message>
    <message>
        <source>The history could not be opened.</source>
        <translation>履歴を開けませんでした。</translation>
    </message>
    <message>
        <source>Retrying pending S3 uploads…</source>
        <translation>保留中の S3 アップロードを再試行中…</translation>
    </message>
    <message>
        <source>{done} image(s) uploaded; {failed} still wait for S3 (kept locally).</source>
        <translation>{done} 枚の画像をアップロードしました。{failed} 枚はまだ S3 を待っています（ローカルに保存済み）。</translation>
    </message>
    <message>
        <source>Pending uploads could not be retried</source>
        <translation>保留中のアップロードを再試行できませんでした</translation>
    </message>
    <message>
        <source>Export approved images into…</source>
        <translation>承認済みの画像の書き出し先…</translation>
    </message>
    <message>
        <source>Exporting approved images to {path}…</source>
        <translation>承認済みの画像を {path} に書き出し中…</translation>
    </message>
    <message>
        <source>There are no approved images to export yet.</source>
        <translation>書き出せる承認済みの画像はまだありません。</translation>
    </message>
    <message>
        <source> {n} could not be exported.</source>
        <translation> {n} 枚は書き出せませんでした。</translation>
    </message>
    <message>
        <source>The export failed; nothing already exported is lost</source>
        <translation>書き出しに失敗しました。すでに書き出したものは失われていません</translation>
    </message>
</context>
<context>
    <name>WelcomeDialog</name>
    <message>
        <source>Checking the system keyring…</source>
        <translation>システムのキーリングを確認中…</translation>
    </message>
    <message>
        <source>No profiles found. Run &apos;aws configure&apos; (access keys) or &apos;aws configure sso&apos; first, then choose the profile under AWS accounts.</source>
        <translation>プロファイルが見つかりません。先に「aws configure」（アクセスキー）または「aws configure sso」を実行してから、AWS アカウントでそのプロファイルを選んでください。</translation>
    </message>
    <message>
        <source>Try the offline demo</source>
        <translation>オフラインデモを試す</translation>
    </message>
    <message>
        <source>The keyring could not be checked ({kind}: {error}).</source>
        <translation>キーリングを確認できませんでした（{kind}: {error}）。</translation>
    </message>
    <message>
        <source>Welcome to imgloop desktop</source>
        <translation>imgloop desktop へようこそ</translation>
    </message>
    <message>
        <source>&lt;h2&gt;Welcome to imgloop desktop&lt;/h2&gt;&lt;p&gt;imgloop makes an image on Amazon Bedrock, has a vision model judge it against your words, and rewrites the prompt until an image matches. Choose how it should reach AWS; you can change this any time.&lt;/p&gt;</source>
        <translation>&lt;h2&gt;imgloop desktop へようこそ&lt;/h2&gt;&lt;p&gt;imgloop は Amazon Bedrock で画像を生成し、画像を理解するモデルにあなたの言葉と照らして判定させ、合う画像ができるまでプロンプトを書き直します。AWS への接続方法を選んでください。いつでも変更できます。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Add AWS access keys…</source>
        <translation>AWS アクセスキーを追加…</translation>
    </message>
    <message>
        <source>Add AWS access keys</source>
        <translation>AWS アクセスキーを追加</translation>
    </message>
    <message>
        <source>Paste an access key id and secret. They are kept in your system keyring, never in a file, a log or the history.</source>
        <translation>アクセスキー ID とシークレットを貼り付けてください。システムのキーリングに保管され、ファイルやログ、履歴には残りません。</translation>
    </message>
    <message>
        <source>Use this profile</source>
        <translation>このプロファイルを使う</translation>
    </message>
    <message>
        <source>Use an existing AWS profile</source>
        <translation>既存の AWS プロファイルを使う</translation>
    </message>
    <message>
        <source>If you already use the AWS CLI (access keys, SSO or a role), pick one of its profiles from ~/.aws.</source>
        <translation>すでに AWS CLI（アクセスキー、SSO、ロール）を使っている場合は、~/.aws にあるプロファイルを選んでください。</translation>
    </message>
    <message>
        <source>No AWS account needed: Bedrock is simulated on this computer and the images are synthetic (they say so). Nothing is sent anywhere.</source>
        <translation>AWS アカウントは不要です。Bedrock をこのコンピューター上でシミュレートし、画像は合成したものです（画像にもそう表示されます）。どこにも何も送信されません。</translation>
    </message>
    <message>
        <source>Later</source>
        <translation>後で</translation>
    </message>
    <message>
        <source>Later: Settings, Preferences: AWS accounts… (Ctrl+,) and the Backend picker in the toolbar offer the same choices.</source>
        <translation>後からでも、設定 › 環境設定：AWS アカウント…（Ctrl+,）とツールバーのバックエンド選択欄で同じ選択ができます。</translation>
    </message>
    <message>
        <source>Looking for AWS profiles…</source>
        <translation>AWS プロファイルを探しています…</translation>
    </message>
    <message>
        <source>Keyring in use ({name}).</source>
        <translation>使用中のキーリング：{name}</translation>
    </message>
    <message>
        <source>Keyring in use.</source>
        <translation>キーリングを使用中です。</translation>
    </message>
</context>
</TS>
