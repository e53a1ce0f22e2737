"""Charts and a Markdown table of `qgemv profile --format json` files, for scripts/report.

Per profile one PNG: each kernel's DRAM, L1/TEX and issue-slot utilisation and achieved
occupancy (% of peak) beside the memory (80%) and issue (70%) thresholds
(harness/profile/limiter.h),
and below them each kernel's warp-stall shares, stacked.
"""
import json
import os
import re

PROFILE_SCHEMA_VERSION = 1
BARS = [("dram_pct", "DRAM"), ("l1_pct", "L1/TEX"), ("issue_pct", "issue slots"),
        ("achieved_occupancy_pct", "achieved occupancy")]
MEMORY_BOUND_PCT = 80
ISSUE_BOUND_PCT = 70


class ProfileError(Exception):
    pass


def read_profile(path):
    try:
        with open(path, encoding="utf-8") as f:
            p = json.load(f)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ProfileError(f"{path}: not a qgemv profile JSON: {e}")
    if not isinstance(p, dict) or p.get("schema_version") != PROFILE_SCHEMA_VERSION:
        raise ProfileError(f"{path}: schema_version {p.get('schema_version') if isinstance(p, dict) else None}"
                           f", this report reads {PROFILE_SCHEMA_VERSION}")
    if not isinstance(p.get("kernels"), list) or not p["kernels"]:
        raise ProfileError(f"{path}: no kernels")
    return p


def chart(plt, p, png):
    ks = p["kernels"]
    labels = [f"{k['kernel']}\n{k['limiter']}" for k in ks]
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(max(6, 1.3 * len(ks)), 7), sharex=True)
    width = 0.8 / len(BARS)
    for i, (key, name) in enumerate(BARS):
        xs = [j + (i - (len(BARS) - 1) / 2) * width for j in range(len(ks))]
        top.bar(xs, [k[key] if k[key] is not None else 0 for k in ks], width, label=name)
    top.axhline(MEMORY_BOUND_PCT, color="grey", linestyle="--", linewidth=1)
    top.axhline(ISSUE_BOUND_PCT, color="grey", linestyle=":", linewidth=1)
    top.set_ylabel("% of peak")
    top.set_ylim(0, 125)
    top.legend(fontsize=7, ncol=4, loc="upper left")
    top.set_title(f"{p['subject']} on {p['path']}: utilisation and limiter per kernel")
    reasons = []
    for k in ks:
        for s in k["stalls"][:4]:
            if s["reason"] not in reasons:
                reasons.append(s["reason"])
    base = [0.0] * len(ks)
    for r in reasons:
        v = [next((s["pct"] for s in k["stalls"] if s["reason"] == r), 0) for k in ks]
        bottom.bar(range(len(ks)), v, 0.6, bottom=base, label=r)
        base = [a + b for a, b in zip(base, v)]
    bottom.set_ylabel("% of warp cycles stalled")
    bottom.set_ylim(0, 140)
    bottom.legend(fontsize=7, ncol=4, loc="upper left")
    bottom.set_xticks(range(len(ks)))
    bottom.set_xticklabels(labels, fontsize=7)
    fig.tight_layout()
    fig.savefig(png, dpi=110)
    plt.close(fig)


def cell(v, f):
    return "-" if v is None else f.format(v)


def markdown(profiles):
    out = []
    for p, png in profiles:
        out += [f"## Hardware counters: {p['subject']} on {p['path']} ({p['ncu_version']})", "",
                f"![{p['subject']}]({png})", "",
                "| kernel | n x k | us | DRAM % | read / min | L2 hit % | occupancy % | waves/SM | "
                "issue % | top stall | limiter |",
                "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |"]
        for k in p["kernels"]:
            shape = f"{k['n']} x {k['k']}" if k["n"] else "-"
            stall = f"{k['stalls'][0]['reason']} {k['stalls'][0]['pct']:.0f}%" if k["stalls"] else "-"
            out.append(f"| {k['kernel']} | {shape} | {cell(k['duration_us'], '{:.2f}')} | "
                       f"{cell(k['dram_pct'], '{:.1f}')} | {cell(k['read_ratio'], '{:.2f}')} | "
                       f"{cell(k['l2_hit_pct'], '{:.0f}')} | "
                       f"{cell(k['achieved_occupancy_pct'], '{:.0f}')} | "
                       f"{cell(k['waves_per_sm'], '{:.2f}')} | {cell(k['issue_pct'], '{:.0f}')} | "
                       f"{stall} | {k['limiter']} |")
        out.append("")
    return "\n".join(out)


def profile_report(plt, paths, out):
    """Writes profile-<subject>.png per file and returns the Markdown."""
    done = []
    for path in paths:
        p = read_profile(path)
        png = "profile-" + re.sub(r"[^A-Za-z0-9._-]", "_", f"{p['subject']}-{p['path']}") + ".png"
        chart(plt, p, os.path.join(out, png))
        done.append((p, png))
    return markdown(done)
