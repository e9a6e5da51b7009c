{{/* The chart name, or nameOverride. */}}
{{- define "stoker.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
The base name of every object: fullnameOverride, else the release name when it contains the chart
name, else "<release>-<chart>". 63 characters at most (a label value and a DNS label).
*/}}
{{- define "stoker.fullname" -}}
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

{{- define "stoker.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The image tag: image.tag, else the chart's appVersion. */}}
{{- define "stoker.version" -}}
{{- .Values.image.tag | default .Chart.AppVersion -}}
{{- end -}}

{{/* Selector labels: never change them in an upgrade (a Deployment's selector is immutable). */}}
{{- define "stoker.selectorLabels" -}}
app.kubernetes.io/name: {{ include "stoker.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* The standard labels of every object, plus commonLabels (which cannot replace them). */}}
{{- define "stoker.labels" -}}
{{- $std := dict
  "helm.sh/chart" (include "stoker.chart" .)
  "app.kubernetes.io/name" (include "stoker.name" .)
  "app.kubernetes.io/instance" .Release.Name
  "app.kubernetes.io/version" (include "stoker.version" . | trunc 63 | trimSuffix "-")
  "app.kubernetes.io/managed-by" .Release.Service
  "app.kubernetes.io/part-of" "stoker" -}}
{{- toYaml (merge $std (.Values.commonLabels | default dict)) -}}
{{- end -}}

{{/*
The standard labels with more: (dict "root" $ "fixed" <map> "labels" <map>). "fixed" wins over
the standard labels, which win over "labels" (user-supplied extras).
*/}}
{{- define "stoker.labelsWith" -}}
{{- $std := include "stoker.labels" .root | fromYaml -}}
{{- toYaml (merge (deepCopy (.fixed | default dict)) $std (deepCopy (.labels | default dict))) -}}
{{- end -}}

{{- define "stoker.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "stoker.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "stoker.leaseName" -}}
{{- default (include "stoker.fullname" .) .Values.leaderElection.leaseName -}}
{{- end -}}

{{/* STOKER_<KEY> of a `stoker run` setting (OperatorConfig: dashes become underscores). */}}
{{- define "stoker.env" -}}
{{- printf "STOKER_%s" (. | upper | replace "-" "_") -}}
{{- end -}}

{{/*
The namespaces the controller watches, as a JSON list: watchNamespaces plus the older single
watchNamespace, without duplicates. Empty: all namespaces.
*/}}
{{- define "stoker.watchNamespaces" -}}
{{- $ns := list -}}
{{- with .Values.watchNamespace -}}
{{- $ns = append $ns . -}}
{{- end -}}
{{- range .Values.watchNamespaces -}}
{{- $ns = append $ns . -}}
{{- end -}}
{{- toJson (uniq $ns) -}}
{{- end -}}
