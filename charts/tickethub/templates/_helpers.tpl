{{/*
Names, labels, images and the merged view of one service: everything the templates share.
Helpers that need the chart's context and a component take a dict: (dict "root" $ "component" "users").
*/}}

{{- define "tickethub.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The release's prefix: the release name alone when it already says "tickethub". */}}
{{- define "tickethub.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* <fullname>-<component>: the name of a component's Deployment, Service, ServiceAccount... */}}
{{- define "tickethub.componentName" -}}
{{- printf "%s-%s" (include "tickethub.fullname" .root) .component | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "tickethub.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* What a component's pods are selected by (never changes over a release's life). */}}
{{- define "tickethub.selectorLabels" -}}
app.kubernetes.io/name: {{ include "tickethub.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "tickethub.labels" -}}
helm.sh/chart: {{ include "tickethub.chart" .root }}
{{ include "tickethub.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/part-of: tickethub
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
{{- end -}}

{{/* Labels of objects that belong to the release as a whole (shared ConfigMap, policies). */}}
{{- define "tickethub.releaseLabels" -}}
{{ include "tickethub.labels" (dict "root" . "component" "tickethub") }}
{{- end -}}

{{/* Every pod of this release, whatever its component. */}}
{{- define "tickethub.releaseSelector" -}}
app.kubernetes.io/name: {{ include "tickethub.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/*
A TicketHub image: [registry/]repository:tag. The repository defaults to image.repositoryPrefix +
the workspace package (`component`: a service's name, or "operator"), as the Dockerfile builds them;
the tag to image.tag, then the chart's appVersion. `image` is the component's own override.
A tag of digits only (an abbreviated commit) arrives as a number from `--set` or a values file, and a
number from a values file is a float that would print as 5.701644e+06: it is written as an integer.
*/}}
{{- define "tickethub.image" -}}
{{- $global := .root.Values.image -}}
{{- $own := .image | default dict -}}
{{- $repository := $own.repository | default (printf "%s%s" $global.repositoryPrefix .component) -}}
{{- $tag := $own.tag | default $global.tag | default .root.Chart.AppVersion -}}
{{- if not (kindIs "string" $tag) -}}
{{- $tag = $tag | int64 | toString -}}
{{- end -}}
{{- if $global.registry -}}
{{- printf "%s/%s:%s" (trimSuffix "/" $global.registry) $repository $tag -}}
{{- else -}}
{{- printf "%s:%s" $repository $tag -}}
{{- end -}}
{{- end -}}

{{/* The pod spec's imagePullSecrets, or nothing. */}}
{{- define "tickethub.imagePullSecrets" -}}
{{- with .Values.imagePullSecrets -}}
imagePullSecrets:
{{- range . }}
  - name: {{ . }}
{{- end }}
{{- end -}}
{{- end -}}

{{/*
Deep merge of map `src` into map `dst`, in place; src wins, also with false, 0 and "" (sprig's
merge helpers treat those as "unset" and would let a default `true` win over an entry's `false`).
*/}}
{{- define "tickethub.mergeInto" -}}
{{- $dst := .dst -}}
{{- range $key, $value := .src -}}
{{- if and (kindIs "map" $value) (kindIs "map" (get $dst $key)) -}}
{{- include "tickethub.mergeInto" (dict "dst" (get $dst $key) "src" $value) -}}
{{- else -}}
{{- $_ := set $dst $key $value -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* One service as YAML: `defaults` with the entry of `services.<component>` merged over them. */}}
{{- define "tickethub.service" -}}
{{- $merged := deepCopy .root.Values.defaults -}}
{{- include "tickethub.mergeInto" (dict "dst" $merged "src" (deepCopy (get .root.Values.services .component))) -}}
{{- toYaml $merged -}}
{{- end -}}

{{/* The enabled services' names, sorted, as a JSON list (templates range over fromJsonArray). */}}
{{- define "tickethub.enabledServices" -}}
{{- $enabled := list -}}
{{- range $name := keys .Values.services | sortAlpha -}}
{{- $service := include "tickethub.service" (dict "root" $ "component" $name) | fromYaml -}}
{{- if $service.enabled -}}
{{- $enabled = append $enabled $name -}}
{{- end -}}
{{- end -}}
{{- toJson $enabled -}}
{{- end -}}

{{/* A service's in-cluster base URL, as other processes reach it. */}}
{{- define "tickethub.serviceUrl" -}}
{{- $service := include "tickethub.service" . | fromYaml -}}
{{- printf "http://%s:%v" (include "tickethub.componentName" .) $service.port -}}
{{- end -}}

{{/* The public path table (files/routes.yaml): service -> path prefixes. */}}
{{- define "tickethub.routes" -}}
{{- .Files.Get "files/routes.yaml" -}}
{{- end -}}

{{/*
Labels that let a pod through the NetworkPolicies to what it talks to: one per backend
(`client.tickethub.io/postgresql`) and per service it calls (`client.tickethub.io/users`).
*/}}
{{- define "tickethub.clientLabels" -}}
{{- $labels := dict -}}
{{- range . -}}
{{- $_ := set $labels (printf "client.tickethub.io/%s" .) "true" -}}
{{- end -}}
{{- toYaml $labels -}}
{{- end -}}

{{/* The OTLP/HTTP base URL every process exports traces to; empty: no export. */}}
{{- define "tickethub.telemetryEndpoint" -}}
{{- if .Values.jaeger.enabled -}}
{{- printf "http://%s:4318" (include "tickethub.componentName" (dict "root" . "component" "jaeger")) -}}
{{- else -}}
{{- .Values.jaeger.external.otlpEndpoint -}}
{{- end -}}
{{- end -}}

{{/* Pod-level security: the restricted Pod Security Standard, for every TicketHub pod. */}}
{{- define "tickethub.podSecurityContext" -}}
{{- toYaml .Values.podSecurityContext -}}
{{- end -}}

{{- define "tickethub.containerSecurityContext" -}}
{{- toYaml .Values.containerSecurityContext -}}
{{- end -}}

{{/*
A generated secret value that survives upgrades: the value already in the live Secret `name`
under `key` when there is one, else `generated` (dict "root" $ "name" .. "key" .. "generated" ..).
`helm template` cannot look anything up, so it generates afresh every time.
*/}}
{{- define "tickethub.keptSecretValue" -}}
{{- $live := lookup "v1" "Secret" .root.Release.Namespace .name -}}
{{- $data := (get (default dict $live) "data") | default dict -}}
{{- if hasKey $data .key -}}
{{- index $data .key | b64dec -}}
{{- else -}}
{{- .generated -}}
{{- end -}}
{{- end -}}

{{/* Secret names: the chart's own, or the one the values name. */}}
{{- define "tickethub.databaseSecret" -}}
{{- if and (not .Values.postgresql.enabled) .Values.postgresql.external.existingSecret -}}
{{- .Values.postgresql.external.existingSecret -}}
{{- else -}}
{{- include "tickethub.componentName" (dict "root" . "component" "database") -}}
{{- end -}}
{{- end -}}

{{- define "tickethub.signingKeySecret" -}}
{{- .Values.auth.signingKey.existingSecret | default (include "tickethub.componentName" (dict "root" . "component" "signing-key")) -}}
{{- end -}}

{{- define "tickethub.bootstrapAdminSecret" -}}
{{- .Values.auth.bootstrapAdmin.existingSecret | default (include "tickethub.componentName" (dict "root" . "component" "bootstrap-admin")) -}}
{{- end -}}

{{- define "tickethub.oauthClientsSecret" -}}
{{- include "tickethub.componentName" (dict "root" . "component" "oauth-clients") -}}
{{- end -}}

{{/*
Migrations run as pre-install/pre-upgrade hooks when what they need exists before the release: an
external database and a Secret with its URLs (a hook runs before the chart's own objects exist).
*/}}
{{- define "tickethub.migrationsAreHooks" -}}
{{- if and (not .Values.postgresql.enabled) .Values.postgresql.external.existingSecret -}}true{{- end -}}
{{- end -}}

{{/* An httpGet probe on a named port from its settings: (dict "port" "http" "probe" {path, ...}). */}}
{{- define "tickethub.httpProbe" -}}
httpGet:
  path: {{ .probe.path }}
  port: {{ .port }}
{{- with .probe.initialDelaySeconds }}
initialDelaySeconds: {{ . }}
{{- end }}
periodSeconds: {{ .probe.periodSeconds }}
timeoutSeconds: {{ .probe.timeoutSeconds }}
failureThreshold: {{ .probe.failureThreshold }}
{{- end -}}

{{/*
nodeSelector, tolerations, affinity and topology spread of a pod spec, from its settings
(dict "root" $ "component" .. "settings" ..). A spread constraint without a labelSelector counts
the component's own pods.
*/}}
{{- define "tickethub.scheduling" -}}
{{- $settings := .settings -}}
{{- with $settings.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $settings.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $settings.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $settings.topologySpreadConstraints }}
{{- $selector := dict "matchLabels" (include "tickethub.selectorLabels" $ | fromYaml) }}
{{- $constraints := list }}
{{- range . }}
{{- $constraints = append $constraints (merge (deepCopy .) (dict "labelSelector" $selector)) }}
{{- end }}
topologySpreadConstraints:
  {{- toYaml $constraints | nindent 2 }}
{{- end }}
{{- end -}}

{{/* ServiceMonitors when asked for, and only where the Prometheus Operator's API is (or will be). */}}
{{- define "tickethub.serviceMonitorsEnabled" -}}
{{- $monitor := .Values.serviceMonitor -}}
{{- if and $monitor.enabled (or $monitor.skipCapabilityCheck (.Capabilities.APIVersions.Has "monitoring.coreos.com/v1/ServiceMonitor")) -}}
true
{{- end -}}
{{- end -}}

{{/* The service's own DATABASE_URL, when it uses PostgreSQL. */}}
{{- define "tickethub.databaseEnv" -}}
{{- $service := include "tickethub.service" . | fromYaml -}}
{{- if has "postgresql" $service.uses -}}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "tickethub.databaseSecret" .root }}
      key: {{ .component }}-database-url
{{- end -}}
{{- end -}}

{{/*
The variables of a service process that are not in the shared ConfigMap: its identity (from its
component label), its database, credentials of the backends it uses, and its own secretEnv.
*/}}
{{- define "tickethub.processEnv" -}}
{{- $root := .root -}}
{{- $service := include "tickethub.service" . | fromYaml -}}
- name: OTEL_SERVICE_NAME
  valueFrom:
    fieldRef:
      fieldPath: metadata.labels['app.kubernetes.io/component']
{{- with include "tickethub.databaseEnv" . }}
{{ . }}
{{- end }}
{{- if and (has "redis" $service.uses) (not $root.Values.redis.enabled) $root.Values.redis.external.existingSecret }}
- name: REDIS_URL
  valueFrom:
    secretKeyRef:
      name: {{ $root.Values.redis.external.existingSecret }}
      key: redis-url
{{- end }}
{{- if and (has "smtp" $service.uses) (not $root.Values.mailpit.enabled) $root.Values.mailpit.external.existingSecret }}
{{- range $variable, $key := dict "SMTP_USERNAME" "username" "SMTP_PASSWORD" "password" }}
- name: {{ $variable }}
  valueFrom:
    secretKeyRef:
      name: {{ $root.Values.mailpit.external.existingSecret }}
      key: {{ $key }}
{{- end }}
{{- end }}
{{- range $variable, $reference := $service.secretEnv }}
- name: {{ $variable }}
  valueFrom:
    secretKeyRef:
      name: {{ tpl $reference.secret $root }}
      key: {{ tpl $reference.key $root }}
{{- end }}
{{- end -}}

{{/* Which backends the enabled services use, as a JSON list. */}}
{{- define "tickethub.usedBackends" -}}
{{- $used := list -}}
{{- range $name := include "tickethub.enabledServices" . | fromJsonArray -}}
{{- $service := include "tickethub.service" (dict "root" $ "component" $name) | fromYaml -}}
{{- $used = concat $used $service.uses -}}
{{- end -}}
{{- toJson ($used | uniq | sortAlpha) -}}
{{- end -}}

{{/*
The shared ConfigMap's data: where Kafka, Redis, SMTP, the OTLP collector, the JWKS and every
service are, plus sharedEnv. A missing external address fails the render with the key to set.
*/}}
{{- define "tickethub.sharedConfig" -}}
{{- $values := .Values -}}
{{- $used := include "tickethub.usedBackends" . | fromJsonArray -}}
{{- if has "kafka" $used }}
{{- if $values.kafka.enabled }}
KAFKA_BOOTSTRAP_SERVERS: {{ printf "%s:9092" (include "tickethub.componentName" (dict "root" . "component" "kafka")) | quote }}
KAFKA_REPLICATION_FACTOR: "1"
{{- else }}
KAFKA_BOOTSTRAP_SERVERS: {{ required "kafka.external.bootstrapServers is required when kafka.enabled is false" $values.kafka.external.bootstrapServers | quote }}
KAFKA_REPLICATION_FACTOR: {{ $values.kafka.external.replicationFactor | quote }}
{{- end }}
{{- end }}
{{- if has "redis" $used }}
{{- if $values.redis.enabled }}
REDIS_URL: {{ printf "redis://%s:6379/0" (include "tickethub.componentName" (dict "root" . "component" "redis")) | quote }}
{{- else if not $values.redis.external.existingSecret }}
REDIS_URL: {{ required "redis.external.url (or redis.external.existingSecret) is required when redis.enabled is false" $values.redis.external.url | quote }}
{{- end }}
{{- end }}
{{- if has "smtp" $used }}
{{- if $values.mailpit.enabled }}
SMTP_HOST: {{ include "tickethub.componentName" (dict "root" . "component" "mailpit") | quote }}
SMTP_PORT: "1025"
SMTP_STARTTLS: "false"
{{- else }}
SMTP_HOST: {{ required "mailpit.external.host is required when mailpit.enabled is false" $values.mailpit.external.host | quote }}
SMTP_PORT: {{ $values.mailpit.external.port | quote }}
SMTP_STARTTLS: {{ $values.mailpit.external.starttls | quote }}
{{- end }}
{{- end }}
{{- with include "tickethub.telemetryEndpoint" . }}
OTEL_EXPORTER_OTLP_ENDPOINT: {{ . | quote }}
{{- end }}
{{- $services := include "tickethub.enabledServices" . | fromJsonArray }}
{{- if has "users" $services }}
JWT_JWKS_URL: {{ printf "%s/.well-known/jwks.json" (include "tickethub.serviceUrl" (dict "root" . "component" "users")) | quote }}
{{- end }}
{{- range $name := $services }}
{{ printf "%s_URL" ($name | upper | replace "-" "_") }}: {{ include "tickethub.serviceUrl" (dict "root" $ "component" $name) | quote }}
{{- end }}
{{- range $variable, $value := $values.sharedEnv }}
{{ $variable }}: {{ $value | toString | quote }}
{{- end }}
{{- end -}}

{{/*
A new private Ed25519 JWK for users (what `python -m users.adapters.signing_keys` prints). Templates
cannot compute a public key, so a throw-away self-signed certificate of the key carries it: its DER
holds the key as SubjectPublicKeyInfo, whose 32 key bytes follow the Ed25519 algorithm id
(06 03 2B 65 70) and the bit string header (03 21 00). The private key's PKCS#8 DER is a fixed
16-byte header and the 32-byte seed. The kid is the hex SHA-256 of the public key's RFC 7638 members.
*/}}
{{- define "tickethub.newSigningKey" -}}
{{- $pem := genPrivateKey "ed25519" -}}
{{- $certificate := genSelfSignedCertWithKey "tickethub-users-signing-key" nil nil 1 $pem -}}
{{- $certificateDer := $certificate.Cert | replace "-----BEGIN CERTIFICATE-----" "" | replace "-----END CERTIFICATE-----" "" | nospace | b64dec -}}
{{- $publicKey := index (splitn "\x06\x03+ep\x03!\x00" 2 $certificateDer) "_1" | substr 0 32 -}}
{{- $privateKeyDer := $pem | replace "-----BEGIN PRIVATE KEY-----" "" | replace "-----END PRIVATE KEY-----" "" | nospace | b64dec -}}
{{- $seed := $privateKeyDer | substr 16 48 -}}
{{- $x := include "tickethub.base64url" $publicKey -}}
{{- $d := include "tickethub.base64url" $seed -}}
{{- $kid := printf "{\"crv\":\"Ed25519\",\"kty\":\"OKP\",\"x\":\"%s\"}" $x | sha256sum -}}
{{- dict "kty" "OKP" "crv" "Ed25519" "x" $x "d" $d "kid" $kid "use" "sig" "alg" "Ed25519" | toJson -}}
{{- end -}}

{{- define "tickethub.base64url" -}}
{{- b64enc . | replace "+" "-" | replace "/" "_" | trimAll "=" -}}
{{- end -}}

{{/* An init container that waits until the in-chart PostgreSQL accepts connections. */}}
{{- define "tickethub.waitForPostgresql" -}}
- name: wait-for-postgresql
  image: {{ .Values.postgresql.image }}
  imagePullPolicy: IfNotPresent
  command: [sh, -c, 'until pg_isready --host="$POSTGRES_HOST" --port=5432 --timeout=2; do sleep 2; done']
  env:
    - name: POSTGRES_HOST
      value: {{ include "tickethub.componentName" (dict "root" . "component" "postgresql") }}
  resources:
    requests:
      cpu: 10m
      memory: 16Mi
    limits:
      cpu: 100m
      memory: 64Mi
  securityContext:
    {{- include "tickethub.containerSecurityContext" . | nindent 4 }}
{{- end -}}

{{/* A service's database: its name, with SQL-friendly underscores. */}}
{{- define "tickethub.databaseName" -}}
{{- . | replace "-" "_" -}}
{{- end -}}
