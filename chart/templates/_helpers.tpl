{{- define "reactorcide.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "reactorcide.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "reactorcide.labels" -}}
{{ include "reactorcide.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "reactorcide.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "reactorcide.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "reactorcide.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{- define "reactorcide.runnerImage" -}}
{{- printf "%s:%s" .Values.jobs.runnerImage.repository (default .Chart.AppVersion .Values.jobs.runnerImage.tag) -}}
{{- end -}}

{{- define "reactorcide.jobsNamespace" -}}
{{- default .Release.Namespace .Values.jobs.namespace -}}
{{- end -}}

{{/* Whether the chart keeps a Secret of its own (values given inline rather than existing Secrets). */}}
{{- define "reactorcide.ownSecret" -}}
{{- if or (and .Values.database.url (not .Values.database.existingSecret)) (and .Values.s3.accessKeyId (not .Values.s3.existingSecret)) -}}true{{- end -}}
{{- end -}}

{{/* The API's and the dispatcher's environment: the ConfigMap, the chart's Secret, existing Secrets. */}}
{{- define "reactorcide.env" -}}
envFrom:
  - configMapRef:
      name: {{ include "reactorcide.fullname" . }}
  {{- if include "reactorcide.ownSecret" . }}
  - secretRef:
      name: {{ include "reactorcide.fullname" . }}
  {{- end }}
  {{- if .Values.s3.existingSecret }}
  - secretRef:
      name: {{ .Values.s3.existingSecret }}
  {{- end }}
{{- if or .Values.database.existingSecret .Values.secretKeys.existingSecret }}
env:
  {{- if .Values.database.existingSecret }}
  - name: DATABASE_URL
    valueFrom:
      secretKeyRef:
        name: {{ .Values.database.existingSecret }}
        key: {{ .Values.database.existingSecretKey }}
  {{- end }}
  {{- if .Values.secretKeys.existingSecret }}
  {{- /* The master keys that encrypt stored secrets: the API and the dispatcher need the same list. */}}
  - name: REACTORCIDE_SECRET_KEYS
    valueFrom:
      secretKeyRef:
        name: {{ .Values.secretKeys.existingSecret }}
        key: {{ .Values.secretKeys.existingSecretKey }}
  {{- end }}
{{- end }}
{{- end -}}

{{- define "reactorcide.podSpecCommon" -}}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- range . }}
  - name: {{ if kindIs "string" . }}{{ . }}{{ else }}{{ .name }}{{ end }}
  {{- end }}
{{- end }}
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- with .Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{- define "reactorcide.dispatcherContainer" -}}
- name: dispatcher
  image: {{ include "reactorcide.image" . }}
  imagePullPolicy: {{ .Values.image.pullPolicy }}
  args: ["dispatcher"]
  {{- include "reactorcide.env" . | nindent 2 }}
  securityContext:
    {{- toYaml .Values.securityContext | nindent 4 }}
  resources:
    {{- toYaml .Values.dispatcher.resources | nindent 4 }}
  volumeMounts:
    - name: tmp
      mountPath: /tmp
{{- end -}}
