#!/usr/bin/env bash
# mwv_fq v2 on the H100: correctness first (q8_quantize changed too), then the token, explain
# and the kernel rows, mwv_q8 in the same process each time.
B=build-wt21/bin
export LD_LIBRARY_PATH=$B
cd "$(dirname "$0")/.."
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm --format=csv > $OUT/gpu.txt 2>&1
echo "revision $(cat build-wt21/revision)" >> $OUT/gpu.txt
t0=$(date +%s)
timeout 90 $B/qgemv_gpu_properties --gtest_filter='Gpu.*:*mwv_fq*:*mwv_q8*' > $OUT/gpu_test.txt 2>&1; echo "gpu_test rc=$? $(( $(date +%s)-t0 ))s" >> $OUT/times.txt
timeout 60 $B/qgemv verify --path mwv_fq --cases 500 --jobs 8 > $OUT/verify_fq.log 2>&1; echo "verify mwv_fq rc=$? $(( $(date +%s)-t0 ))s" >> $OUT/times.txt
timeout 60 $B/qgemv verify --path mwv_q8 --cases 500 --jobs 8 > $OUT/verify_q8.log 2>&1; echo "verify mwv_q8 rc=$? $(( $(date +%s)-t0 ))s" >> $OUT/times.txt
timeout 90 $B/qgemv bench --suite token --preset qwen2.5-1.5b,qwen2.5-7b --path mwv_q8,mwv_fq --mode graph --out $OUT/t.csv > $OUT/bench_token.txt 2>&1; echo "token rc=$? $(( $(date +%s)-t0 ))s" >> $OUT/times.txt
timeout 40 $B/qgemv explain --preset qwen2.5-1.5b --path mwv_fq > $OUT/explain.txt 2>&1; echo "explain mwv_fq rc=$? $(( $(date +%s)-t0 ))s" >> $OUT/times.txt
timeout 40 $B/qgemv explain --preset qwen2.5-1.5b --path mwv_q8 > $OUT/explain_mwv_q8.txt 2>&1; echo "explain mwv_q8 rc=$? $(( $(date +%s)-t0 ))s" >> $OUT/times.txt
timeout 150 $B/qgemv bench --suite kernel --preset qwen2.5-1.5b,qwen2.5-7b --path mwv_q8,mwv_fq --out $OUT/k.csv > $OUT/bench_kernel.txt 2>&1; echo "kernel rc=$? $(( $(date +%s)-t0 ))s" >> $OUT/times.txt
cat $OUT/times.txt; grep -E "FAILED|PASSED|SKIPPED" $OUT/gpu_test.txt | head; tail -2 $OUT/verify_fq.log $OUT/verify_q8.log; grep token/ $OUT/bench_token.txt
