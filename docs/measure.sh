#!/usr/bin/env bash
# Frame-time figures (docs/PERFORMANCE.md, "Rendering"): the default level and a generated
# 1 000-work level, each beside its baseline (`--baseline`: the same rooms, doorways and lights,
# no works), rendered at 1280×720 with vsync off under Xvfb, one `vernissage --measure` run each.
# Prints a markdown table with the ratios works ÷ baseline.
#
#   docs/measure.sh                       # 60 warm-up frames, 120 timed frames per run
#   WARMUP=30 FRAMES=60 docs/measure.sh   # shorter (software rendering does ~4 frames a second)
#   MEASURE_OUT=dir docs/measure.sh       # keep the JSON reports and logs in dir
#
# Needs xvfb-run and a Vulkan driver (without a GPU: Mesa's lavapipe, mesa-vulkan-drivers).
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/vernissage/target}"
warmup="${WARMUP:-60}"
frames="${FRAMES:-120}"
out="${MEASURE_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/vernissage-measure.XXXXXX")}"
mkdir -p "$out"

cargo build --release
bin="$CARGO_TARGET_DIR/release/vernissage"

# Generated works are painted by the game (no image files), so the level may live anywhere.
big="$out/generated-1000.ron"
"$bin" generate --works 1000 --rooms 17 --seed 1 >"$big"
"$bin" validate --data-dir "$out/validate-data" "$big"

# One measurement: NAME, then the game's arguments. Each run gets a fresh data directory, so no
# feedback, scores or ledger of an earlier run is loaded.
measure() {
    local name="$1"
    shift
    local data
    data="$(mktemp -d "${TMPDIR:-/tmp}/vernissage-measure-data.XXXXXX")"
    local start=$SECONDS
    if ! timeout 1800 xvfb-run -a -s "-screen 0 1280x720x24" \
        "$bin" --data-dir "$data" --measure "$out/$name.json" \
        --warmup "$warmup" --frames "$frames" "$@" >"$out/$name.log" 2>&1; then
        echo "$name: the run failed; see $out/$name.log" >&2
        tail -20 "$out/$name.log" >&2
        exit 1
    fi
    rm -rf "$data"
    echo "$name: $((SECONDS - start)) s  ($(grep '^measured ' "$out/$name.log"))" >&2
}

measure default --level levels/default.ron
measure default-baseline --level levels/default.ron --baseline
measure generated-1000 --level "$big"
measure generated-1000-baseline --level "$big" --baseline

python3 - "$out" <<'EOF'
import json, sys

out = sys.argv[1]
runs = [
    ("default (levels/default.ron)", "default"),
    ("generated, 1 000 works", "generated-1000"),
]


def load(name):
    with open(f"{out}/{name}.json") as f:
        return json.load(f)


def mib(r):
    b = r["peak_rss_bytes"]
    return b / 2**20 if isinstance(b, (int, float)) else None


def fmt(x, digits=2):
    return "n/a" if x is None else f"{x:.{digits}f}"


def ratio(a, b):
    return "n/a" if a is None or b is None or b == 0 else f"{a / b:.2f}×"


columns = [
    ("frame median (ms)", lambda r: r["frame_ms"]["median"], 1),
    ("frame p95 (ms)", lambda r: r["frame_ms"]["p95"], 1),
    ("frame mean (ms)", lambda r: r["frame_ms"]["mean"], 1),
    ("CPU main world (ms)", lambda r: r["cpu_ms"]["main_world"]["median"], 2),
    ("CPU render prep (ms)", lambda r: r["cpu_ms"]["render_prep"]["median"], 2),
    ("first frame (s)", lambda r: r["startup_s"]["first_frame"], 2),
    ("loaded (s)", lambda r: r["startup_s"]["loaded"], 2),
    ("settled (s)", lambda r: r["startup_s"]["ready"], 2),
    ("peak RSS (MiB)", mib, 0),
]

first = load(runs[0][1])
print()
print(f"Adapter: {first['adapter']}; {first['resolution'][0]}×{first['resolution'][1]}, "
      f"{first['present_mode']}, {first['warmup_frames']} warm-up + {first['frames']} timed "
      "frames; CPU figures are medians per frame.")
print()
print("| level | scene | " + " | ".join(c[0] for c in columns) + " | works | lights (shadows) | entities |")
print("|---|---|" + "---|" * len(columns) + "---|---|---|")
for label, name in runs:
    works, base = load(name), load(name + "-baseline")
    for scene, r in (("works", works), ("baseline", base)):
        c = r["counts"]
        cells = [fmt(f(r), d) for _, f, d in columns]
        print(f"| {label} | {scene} | " + " | ".join(cells)
              + f" | {c['works']} | {c['lights']} ({c['shadow_lights']}) | {c['entities']} |")
    cells = [ratio(f(works), f(base)) for _, f, _ in columns]
    print(f"| {label} | **works ÷ baseline** | " + " | ".join(cells) + " | | | |")
print()
print(f"Reports and logs: {out}")
EOF
