{{/*
RBAC from files/rbac-rules.yaml, which is generated from io.stoker.app.k8s.ApiAccess (the one list
of every Kubernetes API call the controller makes): feature -> scope -> rules. A feature's rules are
granted only when the values enable it; the scaleTarget rules are repeated for each entry of
rbac.scaleTargets with its placeholders replaced. Nothing here writes a rule by hand.
*/}}

{{/* Feature key (ApiAccess.Feature#key) -> whether the values enable it, as YAML. */}}
{{- define "stoker.features" -}}
controller: true
leaderElection: {{ .Values.leaderElection.enabled }}
scaleTarget: {{ gt (len .Values.rbac.scaleTargets) 0 }}
sparkApplication: {{ .Values.sparkApplication.enabled }}
kafkaAuthSecret: {{ .Values.kafkaAuthSecret.enabled }}
placeholders: {{ .Values.placeholders.enabled }}
provisioningRequest: {{ .Values.provisioningRequest.enabled }}
shuffleProtection: {{ .Values.shuffleProtection.enabled }}
nodeHints: {{ .Values.nodeHints.enabled }}
{{- end -}}

{{/*
The rules of one scope (watchedNamespaces, leaseNamespace or cluster) of the enabled features, as a
YAML list. Call with (dict "root" $ "scope" "<scope>").
*/}}
{{- define "stoker.rules" -}}
{{- $root := .root -}}
{{- $scope := .scope -}}
{{- $all := $root.Files.Get "files/rbac-rules.yaml" | fromYaml -}}
{{- if hasKey $all "Error" -}}
{{- fail (printf "files/rbac-rules.yaml does not parse: %s" (get $all "Error")) -}}
{{- end -}}
{{- $enabled := include "stoker.features" $root | fromYaml -}}
{{- $out := list -}}
{{- range $feature, $scopes := $all -}}
{{- if not (hasKey $enabled $feature) -}}
{{- fail (printf "files/rbac-rules.yaml names the feature %q, which templates/_rbac.tpl does not know: add the value that enables it" $feature) -}}
{{- end -}}
{{- if index $enabled $feature -}}
{{- range $rule := (index $scopes $scope) -}}
{{- if eq $feature "scaleTarget" -}}
{{- range $t := $root.Values.rbac.scaleTargets -}}
{{- $groups := list -}}
{{- range $g := $rule.apiGroups -}}
{{- $groups = append $groups ($g | replace "{scaleTarget.apiGroup}" $t.apiGroup) -}}
{{- end -}}
{{- $resources := list -}}
{{- range $r := $rule.resources -}}
{{- $resources = append $resources ($r | replace "{scaleTarget.resource}" $t.resource) -}}
{{- end -}}
{{- $out = append $out (dict "apiGroups" $groups "resources" $resources "verbs" $rule.verbs) -}}
{{- end -}}
{{- else -}}
{{- $out = append $out $rule -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- toYaml $out -}}
{{- end -}}
