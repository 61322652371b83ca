#!/usr/bin/env bash
# The exact commands that made poly-models/src/main/resources/{tasks,models}. Run from the repository root.
set -euo pipefail
PY=/usr/bin/python3
$PY poly-models/training/tasks.py --write-testset poly-models/src/main/resources/tasks/test.jsonl
$PY poly-models/training/train.py --variant softmax --name tiny-softmax --out poly-models/src/main/resources/models/tiny-softmax
$PY poly-models/training/train.py --variant power --name tiny --out poly-models/src/main/resources/models/tiny
