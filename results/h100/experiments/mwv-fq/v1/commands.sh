#!/usr/bin/env bash
# mwv_fq on the H100: correctness first, then the token, explain and kernel rows.
B=build-wt21/bin
export LD_LIBRARY_PATH=$B
cd "$(dirname "$0")/.."
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm --format=csv > $OUT/gpu.txt 2>&1
echo "revision $(cat build-wt21/revision)" >> $OUT/gpu.txt
t0=$(date +%s)
timeout 80 $B/qgemv_gpu_properties --gtest_filter='Gpu.MwvFq*:*mwv_fq*:Gpu.Q8Overflow*' > $OUT/gpu_test.txt 2>&1; echo "rc=$? $(( $(date +%s)-t0 ))s" >> $OUT/times.txt
timeout 80 $B/qgemv verify --path mwv_fq --cases 500 --jobs 8 > $OUT/verify.txt 2>&1; echo "verify rc=$? $(( $(date +%s)-t0 ))s" >> $OUT/times.txt
timeout 90 $B/qgemv bench --suite token --preset qwen2.5-1.5b,qwen2.5-7b --path mwv_q8,mwv_fq --mode graph --out $OUT/t.csv > $OUT/bench_token.txt 2>&1; echo "token rc=$? $(( $(date +%s)-t0 ))s" >> $OUT/times.txt
timeout 40 $B/qgemv explain --preset qwen2.5-1.5b --path mwv_fq > $OUT/explain.txt 2>&1; echo "explain rc=$? $(( $(date +%s)-t0 ))s" >> $OUT/times.txt
timeout 150 $B/qgemv bench --suite kernel --preset qwen2.5-1.5b,qwen2.5-7b --path mwv_q8,mwv_fq --out $OUT/k.csv > $OUT/bench_kernel.txt 2>&1; echo "kernel rc=$? $(( $(date +%s)-t0 ))s" >> $OUT/times.txt
cat $OUT/times.txt; tail -5 $OUT/gpu_test.txt; tail -5 $OUT/verify.txt; tail -8 $OUT/bench_token.txt
