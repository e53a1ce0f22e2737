#!/usr/bin/env bash
# Experiment: mwv_q8 lanes per Q4_K block x target threads, on this machine's GPU.
set -u
bin=.device/bin
final=${OUT:-/tmp/out}; out=/tmp/sweep
mkdir -p "$out"
nvidia-smi --query-gpu=name,clocks.max.sm,clocks.max.mem --format=csv | tee "$out/gpu.txt"
configs=${CONFIGS:-"4:21:128:1:0 0:21:128:1:0 0:21:128:1:1 8:21:128:1:1 4:21:128:1:0b"}
for cfg in $configs; do
  IFS=: read -r lpb tgt cta its db <<<"$cfg"; unset QGEMV_MWV_DB; [[ $db == 1 ]] && export QGEMV_MWV_DB=1
  export QGEMV_MWV_LPB=$lpb QGEMV_MWV_TARGET=$tgt QGEMV_MWV_CTA=$cta QGEMV_MWV_ITERS=$its
  echo "== lpb $lpb target 2^$tgt"
  if [[ ${VERIFY:-1} == 1 ]]; then
    timeout 120 $bin/qgemv verify --path mwv_q8 --cases ${CASES:-40} --seed 7 --no-structured --jobs 8 2>&1 | tail -2
  fi
  timeout 200 $bin/qgemv bench --suite kernel --path mwv_q8 --kernel-timing batch \
    --preset qwen2.5-1.5b,qwen2.5-7b,llama-3-8b --max-time 0.15 --min-samples 30 \
    --out "$out/k-$lpb-$tgt-$cta-$its-$db.csv" >"$out/k-$lpb-$tgt-$cta-$its-$db.log" 2>&1 || echo "bench failed rc $?"
  timeout 120 $bin/qgemv bench --suite token --path mwv_q8 --mode graph \
    --preset qwen2.5-1.5b,qwen2.5-7b --max-time 0.3 \
    --out "$out/t-$lpb-$tgt-$cta-$its-$db.csv" >"$out/t-$lpb-$tgt-$cta-$its-$db.log" 2>&1 || echo "token bench failed rc $?"
done
tar czf "$final/sweep.tgz" -C /tmp sweep
