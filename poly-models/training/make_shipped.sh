#!/usr/bin/env bash
# The exact commands that made poly-models/src/main/resources/{tasks,models}. Run from the repository root.
# The two trainings ran concurrently (one thread each) into /tmp/runs and were then copied into the
# resources; each model's config.json (training.command) records its command as run.
set -euo pipefail
PY=/usr/bin/python3
RES=poly-models/src/main/resources
$PY poly-models/training/tasks.py --write-testset $RES/tasks/test.jsonl
$PY poly-models/training/train.py --variant softmax --name tiny-softmax --out /tmp/runs/softmax &
$PY poly-models/training/train.py --variant power --name tiny --out /tmp/runs/power &
wait
mkdir -p $RES/models/tiny-softmax $RES/models/tiny
cp /tmp/runs/softmax/* $RES/models/tiny-softmax/
cp /tmp/runs/power/* $RES/models/tiny/
