#!/usr/bin/env bash
# Opens a real report.html in headless Chromium and checks what a reader
# would see: a small self-training sweep is run and reported on with the
# real binary, then Chromium (no network, no GPU, a throwaway profile)
#   - renders the page's DOM: every figure report.md lists is an inline <svg>,
#     and there is no <script> or <img>;
#   - takes a screenshot of the top of the page (1366x4000, which holds the
#     In short, the answer and the first figure): it must be far from blank (many distinct
#     colours, a share of non-white pixels, and the saturated colours only a
#     figure brings; read with python3's standard library alone);
#   - logs the page's console: any CONSOLE message, uncaught error or failed
#     load fails the check.
# (A screenshot scrolled to a figure by its #fragment comes out blank in
# headless Chromium, so the sweep is small enough for the first figure to
# fall within the first screen.)
# Exits non-zero on any failure. The screenshot is kept in $HTML_CHECK_OUT
# (default target/html-check) for a person to look at.
#
# Usage: scripts/html-check.sh          (builds the release binary)
#        AVALANCHE_BIN=path/to/avalanche CHROMIUM=path/to/chromium scripts/html-check.sh
set -euo pipefail

# shellcheck source=scripts/setup.sh
source "$(dirname "$0")/setup.sh"
out=${HTML_CHECK_OUT:-$target/html-check}
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")   # the sweep runs elsewhere
chromium=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)}
if [ -z "$chromium" ]; then
    echo "html-check: no chromium found (apt-get install chromium, or set CHROMIUM)" >&2
    exit 2
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
cat > "$work/html-check.toml" <<'EOF'
name = "html-check"
scenario = "addition"
seed = 5
replicates = 4
generations = 12
[grid]
verifier = ["none", "majority", "commutative", "outcome"]
noise_rate = [0.003, 0.03]
[params]
start_digits = 4
supervised_problems = 300
problems = 200
eval_problems = 200
samples = 3
EOF
(cd "$work" && "$bin" run html-check.toml --out results > run.log 2>&1) || { cat "$work/run.log"; exit 1; }
"$bin" report "$work/results/html-check" > "$work/report.log"
page=$work/results/html-check/report/report.html
figures=$(grep -c '^!\[' "$work/results/html-check/report/report.md")

browse() {
    timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$(mktemp -d -p "$work")" --enable-logging=stderr --v=0 "$@"
}
browse --dump-dom "file://$page" > "$work/dom.html" 2> "$work/dom.log"
browse --screenshot="$out/top.png" --window-size=1366,4000 "file://$page" > /dev/null 2> "$work/top.log"

python3 - "$work" "$out" "$figures" <<'PY'
import re, struct, sys, zlib

work, out, figures = sys.argv[1], sys.argv[2], int(sys.argv[3])
problems = []

dom = open(f"{work}/dom.html", encoding="utf-8").read()
svgs = len(re.findall(r"<svg[\s>]", dom))
if figures == 0:
    problems.append("report.md lists no figure")
if svgs != figures:
    problems.append(f"{svgs} inline <svg> in the rendered page, but report.md lists {figures} figures")
for tag in ("<script", "<img", "<iframe"):
    if tag in dom:
        problems.append(f"the rendered page has {tag}")
links = re.findall(r'href="#([^"]+)"', dom)
missing = [l for l in links if f'id="{l}"' not in dom]
if not links or missing:
    problems.append(f"contents links without a target: {missing or 'no links at all'}")

for log in ("dom", "top"):
    for line in open(f"{work}/{log}.log", encoding="utf-8", errors="replace"):
        if re.search(r"CONSOLE|Uncaught|net::ERR_|Failed to load", line):
            problems.append(f"{log}: {line.strip()}")

def pixels(path):
    """RGB(A) rows of a PNG (8-bit, non-interlaced, colour types 2 and 6)."""
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    at, idat, width, height, kind = 8, b"", 0, 0, 0
    while at < len(data):
        length, name = struct.unpack(">I4s", data[at:at + 8])
        body = data[at + 8:at + 8 + length]
        if name == b"IHDR":
            width, height, depth, kind, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and kind in (2, 6) and interlace == 0, "unexpected PNG format"
        elif name == b"IDAT":
            idat += body
        at += 12 + length
    step = 3 if kind == 2 else 4
    raw, stride = zlib.decompress(idat), width * step
    rows, previous = [], bytearray(stride)
    for y in range(height):
        line = raw[y * (stride + 1):(y + 1) * (stride + 1)]
        kind_of_filter, row = line[0], bytearray(line[1:])
        for x in range(stride):
            a = row[x - step] if x >= step else 0
            b = previous[x]
            c = previous[x - step] if x >= step else 0
            if kind_of_filter == 1:
                row[x] = (row[x] + a) & 255
            elif kind_of_filter == 2:
                row[x] = (row[x] + b) & 255
            elif kind_of_filter == 3:
                row[x] = (row[x] + (a + b) // 2) & 255
            elif kind_of_filter == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                row[x] = (row[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(row))
        previous = row
    return width, height, step, rows

width, height, step, rows = pixels(f"{out}/top.png")
colours, ink, vivid, seen = set(), 0, 0, 0
for row in rows[::2]:
    for x in range(0, width * step, step * 2):
        r, g, b = row[x:x + 3]
        seen += 1
        colours.add((r, g, b))
        ink += (r, g, b) != (255, 255, 255)
        vivid += max(r, g, b) - min(r, g, b) > 80
print(f"html-check: top.png {width}x{height}: {len(colours)} colours, {ink / seen:.1%} not white, "
      f"{vivid / seen:.2%} saturated")
if len(colours) < 50 or ink / seen < 0.05 or vivid / seen < 0.005:
    problems.append(f"top.png looks blank or figureless: {len(colours)} colours, {ink / seen:.1%} not white, "
                    f"{vivid / seen:.2%} saturated")

for p in problems:
    print("FAIL:", p)
if problems:
    sys.exit(1)
print(f"html-check: {figures} figures inline, {len(links)} contents links resolve, no console errors; "
      f"screenshots in {out}")
PY
