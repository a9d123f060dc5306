<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ja_JP">
<context>
    <name>Attempts</name>
    <message>
        <source>{model} returned no image.</source>
        <translation>{model} から画像が返されませんでした。</translation>
    </message>
    <message>
        <source>{model} returned {count} images for {asked} asked; the {extra} extra were ignored.</source>
        <translation>{model} に {asked} 枚を依頼したところ、{count} 枚の画像が返されました。余分な {extra} 枚は無視しました。</translation>
    </message>
    <message>
        <source>Image {number} is not a usable image ({reason}); kept for inspection as {name}, not judged.</source>
        <translation>画像 {number} は使用できる画像ではありません（{reason}）。確認用に {name} として保存しましたが、判定はしていません。</translation>
    </message>
    <message>
        <source>{why}; the call was abandoned (an image that still arrives is kept, not judged).</source>
        <translation>{why}ため、呼び出しを打ち切りました（後から届いた画像は保存しますが、判定はしません）。</translation>
    </message>
    <message>
        <source>The run was cancelled while this call was in flight</source>
        <translation>この呼び出しの処理中に実行がキャンセルされた</translation>
    </message>
    <message>
        <source>{model} gave no answer within {seconds} s</source>
        <translation>{model} から {seconds} 秒以内に応答がなかった</translation>
    </message>
    <message>
        <source>The answer arrived after the call was abandoned; {label} was kept, not judged.</source>
        <translation>打ち切った呼び出しの応答が後から届きました。{label} は保存しましたが、判定はしていません。</translation>
    </message>
</context>
<context>
    <name>AwsErrors</name>
    <message>
        <source>{model_id} in {region} answered {operation} with something that could not be read ({kind}: {detail}).</source>
        <translation>{region} の {model_id} が {operation} に対して読み取れない応答を返しました（{kind}: {detail}）。</translation>
    </message>
    <message>
        <source>Bedrock does not answer like this; if it repeats, check any proxy or VPC endpoint between this computer and AWS, or try another region.</source>
        <translation>Bedrock が通常このような応答を返すことはありません。繰り返し起きる場合は、このコンピューターと AWS の間にあるプロキシや VPC エンドポイントを確認するか、別のリージョンをお試しください。</translation>
    </message>
    <message>
        <source>{model_id} could not be subscribed to through AWS Marketplace for this account in {region}, which its first use needs: {message}</source>
        <translation>{model_id} は初回の利用時に AWS Marketplace でのサブスクライブが必要ですが、{region} でこのアカウントのサブスクライブができませんでした：{message}</translation>
    </message>
    <message>
        <source>Let these credentials run the IAM actions aws-marketplace:Subscribe and aws-marketplace:ViewSubscriptions (needed once per account and model), check the AWS account has a valid payment method, then wait a few minutes and run again.</source>
        <translation>この認証情報に IAM アクション aws-marketplace:Subscribe と aws-marketplace:ViewSubscriptions の実行を許可してください（アカウントとモデルごとに最初の 1 回だけ必要です）。AWS アカウントに有効な支払い方法が登録されていることを確認し、数分待ってから再度実行してください。</translation>
    </message>
    <message>
        <source>Anthropic&apos;s use-case form has not been submitted for this AWS account, so {model_id} cannot be used in {region} yet: {message}</source>
        <translation>この AWS アカウントでは Anthropic のユースケースフォームがまだ送信されていないため、{region} で {model_id} をまだ使用できません：{message}</translation>
    </message>
    <message>
        <source>Submit Anthropic&apos;s one-time use-case details: open the Bedrock console, choose an Anthropic model in the Model catalog and fill in the form it shows (once per account or organisation), then wait about 15 minutes and run again.</source>
        <translation>Anthropic のユースケースの詳細を送信してください（最初の 1 回のみ）。Bedrock コンソールを開き、「モデルカタログ」で Anthropic のモデルを選んで、表示されるフォームに入力します（アカウントまたは組織ごとに 1 回）。その後、15 分ほど待ってから再度実行してください。</translation>
    </message>
    <message>
        <source>{model_id} in {region} timed out making the image ({code}): {message}</source>
        <translation>{region} の {model_id} が画像の作成中にタイムアウトしました（{code}）：{message}</translation>
    </message>
    <message>
        <source>{model_id} in {region} timed out answering ({code}): {message}</source>
        <translation>{region} の {model_id} が応答中にタイムアウトしました（{code}）：{message}</translation>
    </message>
    <message>
        <source>Bedrock does not allow this AWS account to call {operation} on {model_id} in {region}: {message}</source>
        <translation>Bedrock は、この AWS アカウントによる {region} の {model_id} への {operation} の呼び出しを許可していません：{message}</translation>
    </message>
    <message>
        <source>This is an account-level block, not the prompt or IAM: new accounts and accounts without a valid payment method get it. Check the account&apos;s billing and payment method; if it stays, open an AWS Support case about Bedrock access in {region}.</source>
        <translation>これはアカウント単位の制限で、プロンプトや IAM の問題ではありません。作成して間もないアカウントや、有効な支払い方法が登録されていないアカウントで発生します。アカウントの請求情報と支払い方法を確認してください。それでも解消しない場合は、{region} での Bedrock の利用について AWS サポートでケースを作成してください。</translation>
    </message>
    <message>
        <source>{model_id} in {region} does not take the request imgloop sent: {message}</source>
        <translation>{region} の {model_id} は、imgloop が送信したリクエストを受け付けませんでした：{message}</translation>
    </message>
    <message>
        <source>The request&apos;s fields do not match what this model accepts (a model change or an imgloop bug, not the prompt); pick another model and report this message.</source>
        <translation>リクエストの項目が、このモデルの受け付ける形式と一致していません（プロンプトの問題ではなく、モデル側の変更か imgloop の不具合です）。別のモデルを選び、このメッセージを報告してください。</translation>
    </message>
    <message>
        <source>Bedrock will not run {model_id} in {region} on demand: {message}</source>
        <translation>Bedrock は {region} の {model_id} をオンデマンドでは実行できません：{message}</translation>
    </message>
    <message>
        <source>Use a cross-region inference profile id instead, for example &apos;us.{model_id}&apos; or &apos;global.{model_id}&apos;, as listed under Cross-region inference in the Bedrock console for {region}.</source>
        <translation>代わりにクロスリージョン推論プロファイルの ID（例：&apos;us.{model_id}&apos; や &apos;global.{model_id}&apos;）を使用してください。{region} の Bedrock コンソールの「クロスリージョン推論」に一覧があります。</translation>
    </message>
    <message>
        <source>{model_id} refused the request: {message}</source>
        <translation>{model_id} がリクエストを拒否しました：{message}</translation>
    </message>
    <message>
        <source>{model_id} rejected the request: {message}</source>
        <translation>{model_id} がリクエストを受け付けませんでした：{message}</translation>
    </message>
    <message>
        <source>{model_id} refused the {operation} request: {message}</source>
        <translation>{model_id} が {operation} リクエストを拒否しました：{message}</translation>
    </message>
    <message>
        <source>The text model&apos;s content filter blocked the prompt or image; rephrase the prompt or pick another judge model.</source>
        <translation>テキストモデルのコンテンツフィルターが、プロンプトまたは画像をブロックしました。プロンプトを言い換えるか、別の判定モデルを選んでください。</translation>
    </message>
    <message>
        <source>Bedrock rejected the {operation} request to {model_id} in {region}: {message}</source>
        <translation>Bedrock が {region} の {model_id} への {operation} リクエストを拒否しました：{message}</translation>
    </message>
    <message>
        <source>Check the model&apos;s settings (tokens, temperature, top_p, top_k) against what this model accepts.</source>
        <translation>モデルの設定（トークン数、temperature、top_p、top_k）が、このモデルで使用できる値になっているか確認してください。</translation>
    </message>
    <message>
        <source>Access denied to {model_id} in {region}: {message}</source>
        <translation>{region} の {model_id} へのアクセスが拒否されました：{message}</translation>
    </message>
    <message>
        <source>Check the IAM policy allows bedrock:InvokeModel on {model_id} in {region} (and that no service control policy denies it).</source>
        <translation>IAM ポリシーで {region} の {model_id} に対する bedrock:InvokeModel が許可されていること（また、サービスコントロールポリシーで拒否されていないこと）を確認してください。</translation>
    </message>
    <message>
        <source>AWS did not accept the credentials ({code}): {message}</source>
        <translation>AWS が認証情報を受け付けませんでした（{code}）：{message}</translation>
    </message>
    <message>
        <source>Refresh or replace the credentials: run &apos;aws sso login&apos; for SSO profiles, or update the access keys, and check the computer&apos;s clock is right.</source>
        <translation>認証情報を更新するか、置き換えてください。SSO プロファイルの場合は「aws sso login」を実行し、アクセスキーの場合は新しいキーに更新します。あわせて、コンピューターの時刻が正しいことも確認してください。</translation>
    </message>
    <message>
        <source>Bedrock kept throttling or failing requests to {model_id} in {region} after retries ({code}): {message}</source>
        <translation>再試行しても、{region} の {model_id} へのリクエストが Bedrock で制限（スロットリング）されるか、失敗し続けました（{code}）：{message}</translation>
    </message>
    <message>
        <source>Wait a few minutes and run again, lower the number of images per call, or ask for a higher quota for {model_id} in Service Quotas for {region}.</source>
        <translation>数分待ってから再度実行するか、1 回の呼び出しで生成する画像の枚数を減らしてください。または、{region} の Service Quotas で {model_id} のクォータの引き上げを申請してください。</translation>
    </message>
    <message>
        <source>Bedrock {operation} failed for {model_id} in {region} ({code}): {message}</source>
        <translation>{region} の {model_id} に対する Bedrock の {operation} が失敗しました（{code}）：{message}</translation>
    </message>
    <message>
        <source>Switch to {replacement}, which Bedrock still offers.</source>
        <translation>Bedrock で引き続き提供されている {replacement} に切り替えてください。</translation>
    </message>
    <message>
        <source>Pick an Active model from the Bedrock console&apos;s model catalog.</source>
        <translation>Bedrock コンソールの「モデルカタログ」から、ステータスが「アクティブ」のモデルを選んでください。</translation>
    </message>
    <message>
        <source>{model_id} has reached its end of life on Bedrock in {region} (or is Legacy and no longer open to this account): {message}</source>
        <translation>{model_id} は {region} の Bedrock で提供が終了しています（または「レガシー」となり、このアカウントでは利用できなくなっています）：{message}</translation>
    </message>
    <message>
        <source>Bedrock does not know model {model_id} in {region}: {message}</source>
        <translation>{region} の Bedrock にはモデル {model_id} がありません：{message}</translation>
    </message>
    <message>
        <source>Check the model id for typos and that the model is offered in {region} (some models need a region prefix such as &apos;us.&apos; or another region).</source>
        <translation>モデル ID に誤りがないか、そのモデルが {region} で提供されているかを確認してください（モデルによっては &apos;us.&apos; などのリージョンの接頭辞や、別のリージョンが必要です）。</translation>
    </message>
    <message>
        <source>{model_id} in {region} sent no answer within the read timeout (or the connection closed first), so this attempt was given up: {detail}</source>
        <translation>{region} の {model_id} から読み取りタイムアウトまでに応答がなかった（または先に接続が閉じられた）ため、この試行を打ち切りました：{detail}</translation>
    </message>
    <message>
        <source>Check the internet connection, VPN or proxy, and try again.</source>
        <translation>インターネット接続、VPN、プロキシを確認してから、もう一度お試しください。</translation>
    </message>
    <message>
        <source>{model_id} in {region} sent no answer to {operation} within the read timeout, so the call was given up: {detail}</source>
        <translation>{region} の {model_id} から読み取りタイムアウトまでに {operation} の応答がなかったため、呼び出しを中止しました：{detail}</translation>
    </message>
    <message>
        <source>Bedrock or the path to it (internet connection, VPN, proxy) is stuck or overloaded; try again in a few minutes or pick another region.</source>
        <translation>Bedrock またはそこまでの経路（インターネット接続、VPN、プロキシ）が停止しているか、混み合っています。数分後にもう一度試すか、別のリージョンを選んでください。</translation>
    </message>
    <message>
        <source>The connection to Bedrock in {region} closed before {model_id} answered {operation}: {detail}</source>
        <translation>{model_id} が {operation} に応答する前に、{region} の Bedrock との接続が切断されました：{detail}</translation>
    </message>
    <message>
        <source>The connection broke while {model_id}&apos;s answer to {operation} was arriving from {region}: {detail}</source>
        <translation>{region} から {model_id} の {operation} の応答を受信している途中で、接続が切れました：{detail}</translation>
    </message>
    <message>
        <source>Could not reach Bedrock in {region}: {detail}</source>
        <translation>{region} の Bedrock に接続できませんでした：{detail}</translation>
    </message>
    <message>
        <source>Check the internet connection, VPN or proxy (HTTPS_PROXY) and that {region} is the region you meant.</source>
        <translation>インターネット接続、VPN、プロキシ（HTTPS_PROXY）の設定と、{region} が意図したリージョンであることを確認してください。</translation>
    </message>
    <message>
        <source>The AWS SSO session could not be used: {detail}</source>
        <translation>AWS SSO のセッションを使用できませんでした：{detail}</translation>
    </message>
    <message>
        <source>Run &apos;aws sso login --profile {profile}&apos; and try again.</source>
        <translation>「aws sso login --profile {profile}」を実行してから、もう一度お試しください。</translation>
    </message>
    <message>
        <source>No usable AWS credentials were found: {detail}</source>
        <translation>使用できる AWS の認証情報が見つかりませんでした：{detail}</translation>
    </message>
    <message>
        <source>Run &apos;aws sso login --profile {profile}&apos; for an SSO profile, or add access keys with &apos;aws configure&apos; or the AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY environment variables.</source>
        <translation>SSO プロファイルの場合は「aws sso login --profile {profile}」を実行してください。アクセスキーを使う場合は、「aws configure」または環境変数 AWS_ACCESS_KEY_ID と AWS_SECRET_ACCESS_KEY で設定してください。</translation>
    </message>
    <message>
        <source>AWS profile not found: {detail}</source>
        <translation>AWS プロファイルが見つかりません：{detail}</translation>
    </message>
    <message>
        <source>Check the profile name against &apos;aws configure list-profiles&apos;.</source>
        <translation>プロファイル名が「aws configure list-profiles」の一覧にあるか確認してください。</translation>
    </message>
    <message>
        <source>No AWS region is set.</source>
        <translation>AWS のリージョンが設定されていません。</translation>
    </message>
    <message>
        <source>Choose a region in the settings or set AWS_REGION.</source>
        <translation>設定でリージョンを選ぶか、環境変数 AWS_REGION を設定してください。</translation>
    </message>
    <message>
        <source>Unexpected error calling Bedrock ({kind}): {detail}</source>
        <translation>Bedrock の呼び出し中に予期しないエラーが発生しました（{kind}）：{detail}</translation>
    </message>
</context>
<context>
    <name>ConnectionCheck</name>
    <message>
        <source>AWS identity</source>
        <translation>AWS へのサインイン</translation>
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
        <source>Credentials</source>
        <translation>認証情報</translation>
    </message>
    <message>
        <source>Not checked: AWS did not accept the credentials (see above).</source>
        <translation>確認していません：AWS が認証情報を受け付けませんでした（上記を参照）。</translation>
    </message>
    <message>
        <source>{model_id}: a run would refuse it: {why}</source>
        <translation>{model_id}：実行時に使用できません：{why}</translation>
    </message>
    <message>
        <source>Signing in with {source} failed: {error}</source>
        <translation>{source} でのサインインに失敗しました：{error}</translation>
    </message>
    <message>
        <source>Could not reach AWS STS ({endpoint}) to confirm who {source} is: {error}. Check the internet connection, VPN or proxy (HTTPS_PROXY); the model checks below still try Bedrock itself.</source>
        <translation>{source} の ID を確認するための AWS STS（{endpoint}）に接続できませんでした：{error}。インターネット接続、VPN、プロキシ（HTTPS_PROXY）を確認してください。以下のモデルの確認では、Bedrock 自体への接続を引き続き試します。</translation>
    </message>
    <message>
        <source>{source}: {error}</source>
        <translation>{source}：{error}</translation>
    </message>
    <message>
        <source>Signed in to AWS account {account} as {arn}, using {source}, in {region}.</source>
        <translation>{source} を使用して、AWS アカウント {account} に {arn} としてサインインしました（{region}）。</translation>
    </message>
    <message>
        <source>No model is chosen.</source>
        <translation>モデルが選ばれていません。</translation>
    </message>
    <message>
        <source>{detail} ({note})</source>
        <translation>{detail}（{note}）</translation>
    </message>
    <message>
        <source>the Bedrock model list is not open to these credentials, so a runtime call was used instead; allowing bedrock:{operation} gives a more precise answer</source>
        <translation>この認証情報では Bedrock のモデル一覧を参照できないため、代わりに実行時の呼び出しで確認しました。bedrock:{operation} を許可すると、より詳しい結果がわかります</translation>
    </message>
    <message>
        <source>Bedrock in {region} does not offer the inference profile {model_id}.</source>
        <translation>{region} の Bedrock では推論プロファイル {model_id} は提供されていません。</translation>
    </message>
    <message>
        <source>Bedrock in {region} does not offer the model {model_id}.</source>
        <translation>{region} の Bedrock ではモデル {model_id} は提供されていません。</translation>
    </message>
    <message>
        <source>Check the id for typos and choose a region where {base} is offered (the Bedrock console lists models per region); some models need a cross-region profile id such as &apos;us.&apos; + the model id.</source>
        <translation>ID に誤りがないか確認し、{base} が提供されているリージョンを選んでください（Bedrock コンソールにリージョンごとのモデル一覧があります）。モデルによっては、&apos;us.&apos; + モデル ID のようなクロスリージョンプロファイルの ID が必要です。</translation>
    </message>
    <message>
        <source>the Bedrock model list could not be read ({code}), so a runtime call was used</source>
        <translation>Bedrock のモデル一覧を読み取れなかったため（{code}）、実行時の呼び出しで確認しました</translation>
    </message>
    <message>
        <source>the Bedrock model list could not be reached, so a runtime call was used</source>
        <translation>Bedrock のモデル一覧に接続できなかったため、実行時の呼び出しで確認しました</translation>
    </message>
    <message>
        <source>{model_id} is not offered in {region}.</source>
        <translation>{model_id} は {region} では提供されていません。</translation>
    </message>
    <message>
        <source>Choose a region where it is offered, or a cross-region profile id.</source>
        <translation>提供されているリージョンを選ぶか、クロスリージョンプロファイルの ID を使用してください。</translation>
    </message>
    <message>
        <source>These credentials are not allowed to use {model_id} in {region}.</source>
        <translation>この認証情報には、{region} の {model_id} を使用する権限がありません。</translation>
    </message>
    <message>
        <source>Ask for an IAM policy that allows bedrock:InvokeModel on it (and no service control policy denying it).</source>
        <translation>このモデルに対する bedrock:InvokeModel を許可する IAM ポリシーを管理者に依頼してください（サービスコントロールポリシーで拒否されていないことも必要です）。</translation>
    </message>
    <message>
        <source>{model_id} is not enabled for this AWS account in {region}.</source>
        <translation>{region} のこの AWS アカウントでは、{model_id} が有効になっていません。</translation>
    </message>
    <message>
        <source>Bedrock opens a model to an account on its first call; for models sold through AWS Marketplace (Anthropic, Stability) let these credentials run aws-marketplace:Subscribe and aws-marketplace:ViewSubscriptions, and check the account has a valid payment method.</source>
        <translation>Bedrock では、最初の呼び出し時にモデルがアカウントで有効になります。AWS Marketplace で提供されるモデル（Anthropic、Stability）の場合は、この認証情報に aws-marketplace:Subscribe と aws-marketplace:ViewSubscriptions の実行を許可し、アカウントに有効な支払い方法が登録されていることを確認してください。</translation>
    </message>
    <message>
        <source>the model provider&apos;s agreement is still being processed</source>
        <translation>モデルプロバイダーとの契約がまだ処理中です</translation>
    </message>
    <message>
        <source>the model provider&apos;s agreement has not been accepted</source>
        <translation>モデルプロバイダーとの契約が承諾されていません</translation>
    </message>
    <message>
        <source>accepting the model provider&apos;s agreement failed</source>
        <translation>モデルプロバイダーとの契約の承諾に失敗しました</translation>
    </message>
    <message>
        <source>{model_id} cannot be used yet in {region}: {why} ({extra}).</source>
        <translation>{region} では {model_id} をまだ使用できません：{why}（{extra}）。</translation>
    </message>
    <message>
        <source>{model_id} cannot be used yet in {region}: {why}.</source>
        <translation>{region} では {model_id} をまだ使用できません：{why}。</translation>
    </message>
    <message>
        <source>Let these credentials run aws-marketplace:Subscribe and aws-marketplace:ViewSubscriptions and check the account has a valid payment method; for Anthropic models, submit the one-time use-case form (choose the model in the Bedrock console&apos;s Model catalog for {region}).</source>
        <translation>この認証情報に aws-marketplace:Subscribe と aws-marketplace:ViewSubscriptions の実行を許可し、アカウントに有効な支払い方法が登録されていることを確認してください。Anthropic のモデルの場合は、ユースケースフォーム（最初の 1 回のみ）を送信してください（{region} の Bedrock コンソールの「モデルカタログ」でモデルを選びます）。</translation>
    </message>
    <message>
        <source>{model_id} cannot be called on demand in {region}.</source>
        <translation>{region} では {model_id} をオンデマンドで呼び出せません。</translation>
    </message>
    <message>
        <source>Use a cross-region inference profile id such as &apos;us.{base}&apos; or &apos;global.{base}&apos; (listed under Cross-region inference in the Bedrock console).</source>
        <translation>&apos;us.{base}&apos; や &apos;global.{base}&apos; のようなクロスリージョン推論プロファイルの ID を使用してください（Bedrock コンソールの「クロスリージョン推論」に一覧があります）。</translation>
    </message>
    <message>
        <source>{model_id} does not accept images, so it cannot judge them.</source>
        <translation>{model_id} は画像を入力として受け付けないため、画像の判定には使用できません。</translation>
    </message>
    <message>
        <source>Choose a vision model as judge, for example an Anthropic Claude or Amazon Nova Lite/Pro model.</source>
        <translation>判定モデルには、画像を扱えるモデル（例：Anthropic Claude、Amazon Nova Lite/Pro）を選んでください。</translation>
    </message>
    <message>
        <source>{model_id} does not make images.</source>
        <translation>{model_id} は画像を生成できません。</translation>
    </message>
    <message>
        <source>Choose an image model such as Amazon Nova Canvas or a Stability AI model.</source>
        <translation>Amazon Nova Canvas や Stability AI のモデルなど、画像モデルを選んでください。</translation>
    </message>
    <message>
        <source>{model_id} is offered and enabled in {region}.</source>
        <translation>{model_id} は {region} で提供されており、有効になっています。</translation>
    </message>
    <message>
        <source>{offered} It is marked Legacy and will be retired on {day}; consider {replacement}.</source>
        <translation>{offered}ただし「レガシー」に指定されており、{day} に提供終了の予定です。{replacement} への切り替えをご検討ください。</translation>
    </message>
    <message>
        <source>{offered} It is marked Legacy and will be retired on {day}.</source>
        <translation>{offered}ただし「レガシー」に指定されており、{day} に提供終了の予定です。</translation>
    </message>
    <message>
        <source>{offered} It is marked Legacy and will be retired; consider {replacement}.</source>
        <translation>{offered}ただし「レガシー」に指定されており、提供終了の予定です。{replacement} への切り替えをご検討ください。</translation>
    </message>
    <message>
        <source>{offered} It is marked Legacy and will be retired.</source>
        <translation>{offered}ただし「レガシー」に指定されており、提供終了の予定です。</translation>
    </message>
    <message>
        <source>{model_id} answers in {region}.</source>
        <translation>{region} の {model_id} が応答しました。</translation>
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
        <source>{first} and {second}</source>
        <translation>{first}と{second}</translation>
    </message>
    <message>
        <source>clear Top p or Temperature: this model takes only one of them</source>
        <translation>「トップ P」か「温度」のどちらかを空欄にしてください。このモデルはどちらか一方しか受け付けません</translation>
    </message>
    <message>
        <source>clear {names}: this model no longer takes it</source>
        <translation>{names}を空欄にしてください。このモデルはこの設定を受け付けなくなりました</translation>
    </message>
    <message>
        <source>clear {names}: this model no longer takes them</source>
        <translation>{names}を空欄にしてください。このモデルはこれらの設定を受け付けなくなりました</translation>
    </message>
    <message>
        <source>{model_id} in {region} rejected the judge settings: {said}</source>
        <translation>{region} の {model_id} が判定の設定を受け付けませんでした：{said}</translation>
    </message>
    <message>
        <source>In the form&apos;s Judge settings, {change}; a run would otherwise leave the setting out after the first refusal.</source>
        <translation>フォームの「判定の設定」で、{change}。このままでも実行はできますが、最初に拒否された時点でその設定は使われなくなります。</translation>
    </message>
    <message>
        <source>Not proven: {model_id} in {region} refused the check&apos;s test request ({error}), so whether it may be invoked is not known.</source>
        <translation>確認できませんでした：{region} の {model_id} が確認用のテストリクエストを拒否したため（{error}）、呼び出せるかどうかはわかりません。</translation>
    </message>
    <message>
        <source>The check sends an empty request that makes no image; a refusal of it says nothing about access. Run a short generation, or allow bedrock:GetFoundationModel and bedrock:GetFoundationModelAvailability so the check can ask Bedrock directly.</source>
        <translation>この確認では画像を生成しない空のリクエストを送るため、拒否されてもアクセス権の有無はわかりません。短い生成を実際に実行するか、bedrock:GetFoundationModel と bedrock:GetFoundationModelAvailability を許可して、Bedrock に直接問い合わせられるようにしてください。</translation>
    </message>
    <message>
        <source>{message} {hint}</source>
        <translation>{message} {hint}</translation>
    </message>
</context>
<context>
    <name>Credentials</name>
    <message>
        <source>environment / default chain</source>
        <translation>環境変数 / デフォルトの認証情報チェーン</translation>
    </message>
    <message>
        <source>AWS profile &apos;{profile}&apos;</source>
        <translation>AWS プロファイル「{profile}」</translation>
    </message>
    <message>
        <source>keyring account &apos;{name}&apos; ({key_id})</source>
        <translation>キーリングのアカウント「{name}」（{key_id}）</translation>
    </message>
    <message>
        <source>keyring account &apos;{name}&apos;</source>
        <translation>キーリングのアカウント「{name}」</translation>
    </message>
    <message>
        <source>Offline demo (simulated Bedrock)</source>
        <translation>オフラインデモ（Bedrock をシミュレート）</translation>
    </message>
</context>
<context>
    <name>JudgeCopy</name>
    <message>
        <source>The judge was sent a copy of {width}x{height} px: {changes} (Bedrock Converse limits). The saved image is unchanged.</source>
        <translation>Bedrock Converse の制限に合わせ、判定モデルには {width}x{height} px のコピーを送りました：{changes}。保存された画像は変更されていません。</translation>
    </message>
    <message>
        <source>downscaled from {width}x{height} (over {limit} px a side)</source>
        <translation>{width}x{height} から縮小（1 辺が {limit} px 超）</translation>
    </message>
    <message>
        <source>re-encoded with stronger PNG compression (was {size}, over 3.75 MB)</source>
        <translation>より強い PNG 圧縮で再エンコード（元は {size} で 3.75 MB 超）</translation>
    </message>
    <message>
        <source>downscaled from {width}x{height} to fit 3.75 MB (a {size} PNG)</source>
        <translation>3.75 MB に収まるよう {width}x{height} から縮小（元は {size} の PNG）</translation>
    </message>
    <message>
        <source>{first}; {then}</source>
        <translation>{first}、{then}</translation>
    </message>
</context>
<context>
    <name>Keyring</name>
    <message>
        <source>No keyring is available on this computer, so access keys cannot be stored safely. (On Linux this usually means no Secret Service, such as GNOME Keyring or KWallet, is running in this session.)</source>
        <translation>このコンピューターでは使用できるキーリングがないため、アクセスキーを安全に保存できません（Linux では通常、このセッションで GNOME Keyring や KWallet などの Secret Service が動作していないことを意味します）。</translation>
    </message>
    <message>
        <source>The keyring package is not installed: this is imgloop&apos;s core install (as on AWS Lambda), which keeps no access keys. Install the desktop parts with pip install &apos;imgloop-desktop[desktop]&apos; (or only the keyring: pip install keyring).</source>
        <translation>keyring パッケージがインストールされていません。これは imgloop のコア部分のみのインストール（AWS Lambda 向けと同じ構成）で、アクセスキーは保存しません。デスクトップ用の機能は「pip install &apos;imgloop-desktop[desktop]&apos;」でインストールしてください（キーリングだけなら「pip install keyring」）。</translation>
    </message>
    <message>
        <source>Or use an AWS profile instead (--profile NAME, set up with &apos;aws configure&apos; or &apos;aws configure sso&apos;), or the standard AWS credential chain.</source>
        <translation>または、代わりに AWS プロファイル（--profile NAME。「aws configure」か「aws configure sso」で設定します）か、AWS の標準の認証情報チェーンを使用してください。</translation>
    </message>
    <message>
        <source>Keyring use is turned off on this computer (the &apos;null&apos; keyring backend is configured), so access keys cannot be stored.</source>
        <translation>このコンピューターではキーリングの使用が無効になっている（&apos;null&apos; キーリングバックエンドが設定されている）ため、アクセスキーを保存できません。</translation>
    </message>
    <message>
        <source>The only keyring available here ({backend}) keeps secrets in a file on disk, which imgloop does not use for access keys.</source>
        <translation>ここで使用できる唯一のキーリング（{backend}）は秘密情報をディスク上のファイルに保存する方式のため、imgloop ではアクセスキーの保存に使用しません。</translation>
    </message>
    <message>
        <source>Use an AWS profile instead: run &apos;aws configure&apos; (access keys) or &apos;aws configure sso&apos; then &apos;aws sso login&apos; (IAM Identity Center), and choose that profile under &apos;AWS profile&apos; in the accounts dialog. imgloop never writes access keys to a plain file.</source>
        <translation>代わりに AWS プロファイルを使用してください。「aws configure」（アクセスキー）または「aws configure sso」に続けて「aws sso login」（IAM Identity Center）を実行し、アカウントのダイアログの「AWS プロファイル」でそのプロファイルを選びます。imgloop がアクセスキーを平文のファイルに書き込むことはありません。</translation>
    </message>
    <message>
        <source>Use an AWS profile instead: run &apos;aws configure&apos; (access keys) or &apos;aws configure sso&apos; then &apos;aws sso login&apos; (IAM Identity Center), and choose that profile under &apos;AWS profile&apos; in the accounts dialog. Or start and unlock a Secret Service keyring (GNOME Keyring or KWallet) and try again. imgloop never writes access keys to a plain file.</source>
        <translation>代わりに AWS プロファイルを使用してください。「aws configure」（アクセスキー）または「aws configure sso」に続けて「aws sso login」（IAM Identity Center）を実行し、アカウントのダイアログの「AWS プロファイル」でそのプロファイルを選びます。または、Secret Service のキーリング（GNOME Keyring か KWallet）を起動してロックを解除してから、もう一度お試しください。imgloop がアクセスキーを平文のファイルに書き込むことはありません。</translation>
    </message>
    <message>
        <source>The keyring is locked and could not be unlocked while {action} ({error}).</source>
        <translation>{action}中にキーリングがロックされており、ロックを解除できませんでした（{error}）。</translation>
    </message>
    <message>
        <source>The keyring could not be used while {action} ({kind}: {error}).</source>
        <translation>{action}中にキーリングを使用できませんでした（{kind}: {error}）。</translation>
    </message>
    <message>
        <source>The keyring ({backend}) accepted account &apos;{name}&apos; but did not give it back, so it cannot be used to keep access keys.</source>
        <translation>キーリング（{backend}）はアカウント「{name}」を受け付けましたが、読み出すことができませんでした。このキーリングはアクセスキーの保存に使用できません。</translation>
    </message>
    <message>
        <source>reading account &apos;{name}&apos;</source>
        <translation>アカウント「{name}」の読み込み</translation>
    </message>
    <message>
        <source>saving account &apos;{name}&apos;</source>
        <translation>アカウント「{name}」の保存</translation>
    </message>
    <message>
        <source>deleting account &apos;{name}&apos;</source>
        <translation>アカウント「{name}」の削除</translation>
    </message>
    <message>
        <source>No AWS account named &apos;{name}&apos; is stored in the keyring ({why}).</source>
        <translation>「{name}」という AWS アカウントはキーリングに保存されていません（{why}）。</translation>
    </message>
    <message>
        <source>it was deleted, or the keyring was reset</source>
        <translation>削除されたか、キーリングがリセットされました</translation>
    </message>
    <message>
        <source>it is not in the account list</source>
        <translation>アカウントの一覧にありません</translation>
    </message>
    <message>
        <source>its secret access key is missing from the keyring; replace the account</source>
        <translation>シークレットアクセスキーがキーリングにありません。アカウントを登録し直してください</translation>
    </message>
    <message>
        <source>Add the account again under AWS accounts, or choose another account or an AWS profile.</source>
        <translation>「AWS アカウント」でアカウントを追加し直すか、別のアカウントまたは AWS プロファイルを選んでください。</translation>
    </message>
</context>
<context>
    <name>Quotas</name>
    <message>
        <source>Service Quotas in {region} did not let these credentials read Bedrock&apos;s quotas ({operation}): {message}</source>
        <translation>{region} の Service Quotas で、この認証情報では Bedrock のクォータを読み取れませんでした（{operation}）：{message}</translation>
    </message>
    <message>
        <source>Allow servicequotas:ListServiceQuotas and servicequotas:ListAWSDefaultServiceQuotas in the IAM policy of these credentials, or set the numbers by hand from the Service Quotas console.</source>
        <translation>この認証情報の IAM ポリシーで servicequotas:ListServiceQuotas と servicequotas:ListAWSDefaultServiceQuotas を許可してください。または Service Quotas コンソールで値を確認し、手で入力してください。</translation>
    </message>
    <message>
        <source>Service Quotas in {region} refused {operation} ({code}): {message}</source>
        <translation>{region} の Service Quotas が {operation} を拒否しました（{code}）：{message}</translation>
    </message>
    <message>
        <source>Try again in a minute.</source>
        <translation>1 分ほどおいてから、もう一度お試しください。</translation>
    </message>
    <message>
        <source>Could not reach Service Quotas in {region}: {detail}</source>
        <translation>{region} の Service Quotas に接続できませんでした：{detail}</translation>
    </message>
    <message>
        <source>Check the internet connection, VPN or proxy, and try again.</source>
        <translation>インターネット接続、VPN、プロキシを確認して、もう一度お試しください。</translation>
    </message>
    <message>
        <source>Service Quotas in {region} lists no quota named like &apos;{quota}&apos; for this account, so imgloop cannot tell {model}&apos;s requests per minute.</source>
        <translation>{region} の Service Quotas に、このアカウントの「{quota}」に当たるクォータが見つからないため、{model} の 1 分あたりのリクエスト数がわかりません。</translation>
    </message>
    <message>
        <source>Look the model up in the Service Quotas console (Amazon Bedrock, {region}) and type its requests per minute here; the queue keeps its limits until then.</source>
        <translation>Service Quotas コンソール（Amazon Bedrock、{region}）でこのモデルを探し、1 分あたりのリクエスト数をここに入力してください。それまでキューは今の上限のまま動きます。</translation>
    </message>
</context>
<context>
    <name>RunOutcome</name>
    <message>
        <source>Approved {label}.</source>
        <translation>{label} が承認されました。</translation>
    </message>
    <message>
        <source>No image was approved after {versions} prompt version(s) x {attempts} attempt(s); {kept} image(s) kept.</source>
        <translation>プロンプト {versions} 版 × 各 {attempts} 回の試行では承認に至りませんでした。画像 {kept} 枚を保存しました。</translation>
    </message>
    <message>
        <source>No image was approved after {versions} prompt version(s) x {attempts} attempt(s); {kept} image(s) kept. Best, not approved: {label} ({badge}).</source>
        <translation>プロンプト {versions} 版 × 各 {attempts} 回の試行では承認に至りませんでした。画像 {kept} 枚を保存しました。ベスト（未承認）：{label}（{badge}）。</translation>
    </message>
    <message>
        <source>No image was approved after {versions} prompt version(s) x {attempts} attempt(s); {kept} image(s) kept. Best, not approved: {label} ({badge}); {misses}.</source>
        <translation>プロンプト {versions} 版 × 各 {attempts} 回の試行では承認に至りませんでした。画像 {kept} 枚を保存しました。ベスト（未承認）：{label}（{badge}）。{misses}。</translation>
    </message>
    <message>
        <source>Cancelled; {kept} image(s) kept.</source>
        <translation>キャンセルしました。画像 {kept} 枚を保存しました。</translation>
    </message>
    <message>
        <source>Cancelled at once (asked twice); {kept} image(s) kept.</source>
        <translation>すぐにキャンセルしました（2 回目の指示のため）。画像 {kept} 枚を保存しました。</translation>
    </message>
    <message>
        <source>Stopped at the budget: {reason}. {kept} image(s) kept.</source>
        <translation>予算の上限で停止しました：{reason}。画像 {kept} 枚を保存しました。</translation>
    </message>
    <message>
        <source>Stopped at the budget: {reason}. {kept} image(s) kept. Best, not approved: {label} ({badge}).</source>
        <translation>予算の上限で停止しました：{reason}。画像 {kept} 枚を保存しました。ベスト（未承認）：{label}（{badge}）。</translation>
    </message>
    <message>
        <source>{message} {hint}</source>
        <translation>{message} {hint}</translation>
    </message>
    <message>
        <source>An image could not be saved to {path}: {reason}</source>
        <translation>画像を {path} に保存できませんでした：{reason}</translation>
    </message>
    <message>
        <source>An image could not be saved to disk: {reason}</source>
        <translation>画像をディスクに保存できませんでした：{reason}</translation>
    </message>
    <message>
        <source>The history could not record {event}: {error}</source>
        <translation>履歴に {event} を記録できませんでした：{error}</translation>
    </message>
    <message>
        <source>Unexpected error: {error}</source>
        <translation>予期しないエラー：{error}</translation>
    </message>
    <message>
        <source>prompt version {version}, attempt {attempt}, image {image}</source>
        <translation>プロンプト第 {version} 版・試行 {attempt}・画像 {image}</translation>
    </message>
</context>
<context>
    <name>Sampling</name>
    <message>
        <source>{model} in {region} rejected {settings} ({said}); the call was sent again without it, and it is left out for the rest of the run.</source>
        <translation>{region} の {model} が {settings} を受け付けませんでした（{said}）。この設定を外して呼び出しを送り直しました。この実行の残りの呼び出しでも使用しません。</translation>
    </message>
    <message>
        <source>{model} in {region} rejected {settings} ({said}); the call was sent again without them, and they are left out for the rest of the run.</source>
        <translation>{region} の {model} が {settings} を受け付けませんでした（{said}）。これらの設定を外して呼び出しを送り直しました。この実行の残りの呼び出しでも使用しません。</translation>
    </message>
    <message>
        <source>{first} and {then}</source>
        <translation>{first} と {then}</translation>
    </message>
</context>
<context>
    <name>Sentences</name>
    <message>
        <source>{first} {then}</source>
        <translation>{first}{then}</translation>
    </message>
</context>
</TS>
