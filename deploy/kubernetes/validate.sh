#!/usr/bin/env bash
# Checks the manifests offline: kustomize builds base/ and gpu/ (kubectl's built-in kustomize), and
# every object, the example Secrets included, is validated against the Kubernetes 1.27 OpenAPI
# schemas (validate/, npm package kubernetes-models). `kubectl apply --dry-run=client` itself needs
# an API server (for discovery); run it against your cluster: kubectl apply --dry-run=server -k base
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
(cd validate && npm ci --no-audit --no-fund --silent)
{ kubectl kustomize base; echo ---; kubectl kustomize gpu; echo ---; cat base/secrets.example.yaml; } \
  | node validate/validate.mjs
