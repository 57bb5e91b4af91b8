{{/* Names and labels shared by every template. */}}
{{- define "sessionkv.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "sessionkv.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name (include "sessionkv.name" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "sessionkv.selectorLabels" -}}
app.kubernetes.io/name: {{ include "sessionkv.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "sessionkv.labels" -}}
{{ include "sessionkv.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "sessionkv.secretName" -}}
{{- if .Values.auth.existingSecret -}}
{{- .Values.auth.existingSecret -}}
{{- else -}}
{{- include "sessionkv.fullname" . -}}
{{- end -}}
{{- end -}}

{{/*
The pod template of the primary and of the replicas: (dict "root" . "component" "primary"|"replica").
*/}}
{{- define "sessionkv.podTemplate" -}}
{{- $root := .root -}}
metadata:
  labels:
    {{- include "sessionkv.labels" $root | nindent 4 }}
    app.kubernetes.io/component: {{ .component }}
  {{- if $root.Values.metrics.podAnnotations }}
  annotations:
    prometheus.io/scrape: "true"
    prometheus.io/port: {{ $root.Values.metrics.port | quote }}
    prometheus.io/path: /metrics
  {{- end }}
spec:
  terminationGracePeriodSeconds: {{ $root.Values.terminationGracePeriodSeconds }}
  securityContext:
    {{- toYaml $root.Values.podSecurityContext | nindent 4 }}
  containers:
    - name: sessionkv
      image: {{ printf "%s:%s" $root.Values.image.repository (default $root.Chart.AppVersion $root.Values.image.tag) | quote }}
      imagePullPolicy: {{ $root.Values.image.pullPolicy }}
      # The entrypoint prepends sessionkv-server to a .conf first argument (as the Redis image does).
      args:
        - /etc/sessionkv/{{ .component }}.conf
      {{- if $root.Values.auth.enabled }}
      env:
        # requirepass for the server (the entrypoint adds it), and the password redis-cli uses inside the
        # pod (kubectl exec ... redis-cli) without -a.
        - name: REDIS_PASSWORD
          valueFrom:
            secretKeyRef:
              name: {{ include "sessionkv.secretName" $root }}
              key: {{ $root.Values.auth.existingSecretPasswordKey }}
        - name: REDISCLI_AUTH
          valueFrom:
            secretKeyRef:
              name: {{ include "sessionkv.secretName" $root }}
              key: {{ $root.Values.auth.existingSecretPasswordKey }}
      {{- end }}
      ports:
        {{- if or (not $root.Values.tls.enabled) $root.Values.tls.plainPort }}
        - name: redis
          containerPort: 6379
        {{- end }}
        {{- if $root.Values.tls.enabled }}
        - name: redis-tls
          containerPort: {{ $root.Values.tls.port }}
        {{- end }}
        - name: metrics
          containerPort: {{ $root.Values.metrics.port }}
      startupProbe:
        httpGet:
          path: /healthz
          port: metrics
        {{- toYaml $root.Values.probes.startup | nindent 8 }}
      livenessProbe:
        httpGet:
          path: /healthz
          port: metrics
        {{- toYaml $root.Values.probes.liveness | nindent 8 }}
      readinessProbe:
        httpGet:
          path: /readyz
          port: metrics
        {{- toYaml $root.Values.probes.readiness | nindent 8 }}
      resources:
        {{- toYaml $root.Values.resources | nindent 8 }}
      securityContext:
        {{- toYaml $root.Values.containerSecurityContext | nindent 8 }}
      volumeMounts:
        - name: data
          mountPath: /data
        - name: config
          mountPath: /etc/sessionkv
          readOnly: true
        - name: tmp
          mountPath: /tmp
        {{- if $root.Values.tls.enabled }}
        - name: tls
          mountPath: /etc/sessionkv-tls
          readOnly: true
        {{- end }}
  volumes:
    - name: config
      configMap:
        name: {{ include "sessionkv.fullname" $root }}
    {{- if $root.Values.tls.enabled }}
    - name: tls
      secret:
        secretName: {{ $root.Values.tls.existingSecret }}
        defaultMode: 0440
    {{- end }}
    - name: tmp
      emptyDir: {}
  {{- with $root.Values.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $root.Values.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $root.Values.affinity }}
  affinity:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end -}}

{{- define "sessionkv.volumeClaimTemplates" -}}
- metadata:
    name: data
  spec:
    accessModes:
      {{- toYaml .Values.persistence.accessModes | nindent 6 }}
    {{- if .Values.persistence.storageClass }}
    storageClassName: {{ .Values.persistence.storageClass | quote }}
    {{- end }}
    resources:
      requests:
        storage: {{ .Values.persistence.size | quote }}
{{- end -}}
