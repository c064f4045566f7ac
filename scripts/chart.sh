#!/usr/bin/env bash
# chart.sh - draw what demo 09 measured as an SVG bar chart: increments per
# second for each method, on a logarithmic scale, with where the numbers
# came from written underneath.
#
#   scripts/chart.sh CSV SVG
#
# CSV is what `09-lost-updates --csv` prints, after any number of lines
# that start with "# ": those say where and how the numbers were measured,
# and the chart prints them under the bars. One bar per method, in the
# order of the file; plain, which loses updates, is hatched and says how
# many it lost. The chart is a function of the file alone (no clock, no
# machine), so the same CSV always gives the same SVG; it is written only
# when it changes, and then the script says "chart.sh: updated SVG".
# Exit status: 0 done, 1 the CSV is not demo 09's, 2 bad usage.
set -euo pipefail
usage() { sed -n '6p' "$0" | sed 's/^# \{0,3\}/usage: /'; }
case "${1:-}" in
-h | --help) usage; exit 0 ;;
esac
if [ $# -ne 2 ]; then
    usage >&2
    exit 2
fi
csv=$1 svg=$2
[ -r "$csv" ] || { echo "chart.sh: cannot read $csv" >&2; exit 1; }
export LC_ALL=C # one decimal point, whatever the locale

new=$(mktemp "${TMPDIR:-/tmp}/chart.XXXXXX")
trap 'rm -f "$new"' EXIT

awk -v source="$csv" '
function fail(why) { printf "chart.sh: %s: %s\n", source, why > "/dev/stderr"; bad = 1; exit 1 }
# 151308824 -> "151 M", 2698010352 -> "2.70 G": three significant digits.
function si(x,    unit, i) {
    split(" k M G T", unit, " ")
    for (i = 1; x >= 999.5 && i < 5; i++) x /= 1000
    return sprintf(x >= 99.5 ? "%.0f" : x >= 9.95 ? "%.1f" : "%.2f", x) (i > 1 ? " " unit[i - 1] : " ")
}
# 1000000 -> "1 M": a power of ten, for the scale.
function tick(x,    unit, i) {
    split(" k M G T", unit, " ")
    for (i = 1; x >= 999.5 && i < 5; i++) x /= 1000
    return sprintf("%.0f", x) (i > 1 ? " " unit[i - 1] : " ")
}
function escape(s) { gsub(/&/, "\\&amp;", s); gsub(/</, "\\&lt;", s); gsub(/>/, "\\&gt;", s); return s }
/^# / { note[++notes] = substr($0, 3); next }
!header {
    if ($0 != "method,workers,loops,expected,got,lost,seconds,ops_per_s")
        fail("the first line after the notes is not the header of 09-lost-updates --csv")
    header = 1
    next
}
{
    if (split($0, f, ",") != 8 || f[8] !~ /^[0-9]+$/ || f[8] == 0 || f[4] !~ /^[0-9]+$/ || f[4] == 0)
        fail("line " NR " is not a result line: " $0)
    n++
    method[n] = f[1]; workers[n] = f[2]; lost[n] = f[6]; expected[n] = f[4]; rate[n] = f[8]
}
END {
    if (bad) exit 1
    if (n == 0) fail("no result lines")
    lo = hi = rate[1]
    for (i = 2; i <= n; i++) { if (rate[i] < lo) lo = rate[i]; if (rate[i] > hi) hi = rate[i] }
    # The scale: whole powers of ten around the data, starting low enough
    # that the shortest bar is still a bar (a third of its value, at least).
    first = int(log(lo / 3) / log(10) + 1e-9)
    last = int(log(hi) / log(10) - 1e-9) + 1
    if (last <= first) last = first + 1
    left = 120; width = 400; row = 34; top = 64
    height = top + n * row + 46 + (notes + 1) * 17 + 12
    x0 = left
    printf "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"760\" height=\"%d\" viewBox=\"0 0 760 %d\" font-family=\"sans-serif\" font-size=\"13\">\n", height, height
    printf "  <title>Demo 09: increments per second of each method, %d workers together (log scale)</title>\n", workers[1]
    print "  <defs>"
    print "    <pattern id=\"lost\" width=\"8\" height=\"8\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
    print "      <rect width=\"8\" height=\"8\" fill=\"#f3d3d3\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"8\" stroke=\"#b03a2e\" stroke-width=\"3\"/>"
    print "    </pattern>"
    print "  </defs>"
    print "  <rect width=\"760\" height=\"100%\" fill=\"#ffffff\"/>"
    printf "  <text x=\"20\" y=\"26\" font-size=\"16\" font-weight=\"bold\">Increments per second, %d workers together (log scale)</text>\n", workers[1]
    print "  <text x=\"20\" y=\"46\" fill=\"#555555\">Longer is faster. Plain is fast, and wrong: it loses updates.</text>"
    # Grid lines and their labels, one per power of ten.
    for (p = first; p <= last; p++) {
        x = x0 + (p - first) * width / (last - first)
        printf "  <line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#dddddd\"/>\n", x, top - 4, x, top + n * row
        printf "  <text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" fill=\"#555555\">%s/s</text>\n", x, top + n * row + 16, tick(10 ^ p)
    }
    for (i = 1; i <= n; i++) {
        y = top + (i - 1) * row
        w = (log(rate[i]) / log(10) - first) * width / (last - first)
        if (w < 1) w = 1
        wrong = method[i] == "plain"
        printf "  <text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>\n", left - 10, y + 19, escape(method[i])
        printf "  <rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"24\" fill=\"%s\"/>\n", x0, y + 4, w, wrong ? "url(#lost)" : "#3a6ea5"
        label = si(rate[i]) "/s"
        if (wrong) label = label sprintf(", lost %.0f%% of %s updates", 100 * lost[i] / expected[i], si(expected[i]))
        printf "  <text x=\"%.1f\" y=\"%d\">%s</text>\n", x0 + w + 6, y + 21, escape(label)
    }
    y = top + n * row + 40
    printf "  <text x=\"20\" y=\"%d\" font-size=\"11\" fill=\"#555555\">Drawn by scripts/chart.sh from %s:</text>\n", y, escape(source)
    y += 17
    for (i = 1; i <= notes; i++) {
        printf "  <text x=\"20\" y=\"%d\" font-size=\"11\" fill=\"#555555\">%s</text>\n", y, escape(note[i])
        y += 17
    }
    print "</svg>"
}' "$csv" >"$new"

if ! cmp -s "$new" "$svg" 2>/dev/null; then
    cp "$new" "$svg"
    echo "chart.sh: updated $svg"
fi
