#!/usr/bin/env bash
# Compares `bolus batch` of two binaries side by side: ROWS rows of `benches/rows.py` (every
# weight distinct, the same seed) read from standard input, the output to a file, on one core,
# the two binaries alternating for ROUNDS rounds. Prints each binary's median CPU and wall
# time, and checks that the two outputs are the same bytes.
# Usage: bash benches/batch-ab.sh BEFORE AFTER [ROWS [ROUNDS [FORMAT]]]   (FORMAT: csv or jsonl)
set -euo pipefail
before=$1 after=$2 rows=${3:-1000000} rounds=${4:-6} format=${5:-csv}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 "$(dirname "${BASH_SOURCE[0]}")/rows.py" "$rows" > "$work/in.csv"
python3 - "$work" "$rounds" "$format" "$before" "$after" <<'PY'
import os, statistics, subprocess, sys, time
work, rounds, fmt, binaries = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4:]
one_core = ["taskset", "-c", "0"] if subprocess.run(["sh", "-c", "command -v taskset"], capture_output=True).returncode == 0 else []

def run(binary, out):
    t = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        os.dup2(os.open(f"{work}/in.csv", os.O_RDONLY), 0)
        os.dup2(os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644), 1)
        os.dup2(os.open(os.devnull, os.O_WRONLY), 2)
        cmd = one_core + [binary, "batch", "ketamine-kap-iv", "-", "--format", fmt]
        os.execvp(cmd[0], cmd)
    _, status, ru = os.wait4(pid, 0)
    if status not in (0, 256):
        sys.exit(f"{binary} failed: {status}")
    return (time.perf_counter() - t) * 1000, (ru.ru_utime + ru.ru_stime) * 1000

times = {name: [] for name in ("before", "after")}
for _ in range(rounds):
    for name, binary in zip(times, binaries):
        times[name].append(run(binary, f"{work}/{name}.out"))
for name, runs in times.items():
    wall = statistics.median(r[0] for r in runs)
    cpu = statistics.median(r[1] for r in runs)
    print(f"{name}: CPU {cpu:.1f} ms, wall {wall:.1f} ms"
          f" (CPU of each round: {' '.join(f'{r[1]:.0f}' for r in runs)})")
same = open(f"{work}/before.out", "rb").read() == open(f"{work}/after.out", "rb").read()
print("outputs: the same bytes" if same else "outputs: DIFFERENT")
sys.exit(0 if same else 1)
PY
