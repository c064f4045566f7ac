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
#
# It draws demo 10's CSV too (`10-ipc-bench --csv`, whose header starts
# with "kind,method"): round-trip p50 and p99 on a log scale, throughput in
# GiB/s, skipped methods named. And for demo 10's page:
#   scripts/chart.sh --table CSV PAGE
# writes the tables of the CSV (the results, the goals, the notes) into
# PAGE, between the line <!-- table CSV --> and the next <!-- end -->,
# and says "chart.sh: updated PAGE" when that changed it.
set -euo pipefail
usage() { sed -n '6p' "$0" | sed 's/^# \{0,3\}/usage: /'; }
case "${1:-}" in
-h | --help) usage; exit 0 ;;
esac
if [ "${1:-}" = --table ] && [ $# -eq 3 ]; then
    table=yes
    shift
elif [ $# -ne 2 ]; then
    usage >&2
    exit 2
fi
csv=$1 svg=$2
[ -r "$csv" ] || { echo "chart.sh: cannot read $csv" >&2; exit 1; }
export LC_ALL=C # one decimal point, whatever the locale

new=$(mktemp "${TMPDIR:-/tmp}/chart.XXXXXX")
trap 'rm -f "$new"' EXIT

# Demo 10's CSV: the header line that follows the notes says which it is.
if [ "$(grep -v -m1 '^# ' "$csv")" = "kind,method,p50_ns,p99_ns,max_ns,gib_per_s,samples,cpus" ]; then
    awk -v source="$csv" -v mode="${table:+table}" '
    function fail(why) { printf "chart.sh: %s: %s\n", source, why > "/dev/stderr"; bad = 1; exit 1 }
    # 120 -> "120 ns", 38512 -> "38.5 µs", 2500000 -> "2.50 ms"
    function ns(x) {
        if (x < 999.5) return sprintf("%.0f ns", x)
        if (x < 999500) return sprintf(x < 9995 ? "%.2f µs" : x < 99950 ? "%.1f µs" : "%.0f µs", x / 1000)
        return sprintf(x < 9995000 ? "%.2f ms" : x < 99950000 ? "%.1f ms" : "%.0f ms", x / 1000000)
    }
    function tick(x) { return x < 999.5 ? sprintf("%.0f ns", x) : x < 999500 ? sprintf("%.0f µs", x / 1000) : sprintf("%.0f ms", x / 1000000) }
    function ratio(x) { return sprintf(x >= 100 ? "%.0f" : x >= 10 ? "%.1f" : x >= 0.1 ? "%.2f" : "%.2g", x) " ×" }
    function escape(s) { gsub(/&/, "\\&amp;", s); gsub(/</, "\\&lt;", s); gsub(/>/, "\\&gt;", s); return s }
    function number(s) { return s ~ /^[0-9]+(\.[0-9]+)?$/ && s + 0 > 0 }
    /^# / { note[++notes] = substr($0, 3); next }
    !header { header = 1; next }
    {
        if (split($0, f, ",") != 8 || (f[1] != "latency" && f[1] != "throughput") || f[7] !~ /^[0-9]+$/)
            fail("line " NR " is not a result line: " $0)
        skipped = f[7] == 0
        if (!skipped && !(number(f[3]) && number(f[4]) && number(f[5]) && (f[1] == "latency" || number(f[6]))))
            fail("line " NR " is not a result line: " $0)
        k = f[1]
        n[k]++
        method[k, n[k]] = f[2]; p50[k, n[k]] = f[3]; p99[k, n[k]] = f[4]; max[k, n[k]] = f[5]
        gib[k, n[k]] = f[6]; samples[k, n[k]] = f[7]; cpus[k, n[k]] = f[8]; skip[k, n[k]] = skipped
        if (!skipped) value[k, f[2]] = k == "latency" ? f[3] : f[6]
    }
    function color(m) { return m == "baseline-threads" || m == "memcpy" ? "#555555" : m ~ /^shm-/ ? "#3a6ea5" : "#c0772f" }
    function goal(text, a, b, target, at_most,    x) {
        if (a == "" || b == "") return "- n/a: " text " (not measured in this run)"
        x = a / b
        return "- " ((at_most ? x <= target : x >= target) ? "PASS" : "MISS") ": " text " (" ratio(x) ")"
    }
    function tables(    i, k, m, base, pipe) {
        print ""
        print "| latency | p50 | p99 | max | × baseline-threads | × pipe | samples |"
        print "|---------|---:|---:|---:|---:|---:|---:|"
        base = value["latency", "baseline-threads"]; pipe = value["latency", "pipe"]
        for (i = 1; i <= n["latency"]; i++) {
            m = method["latency", i]
            if (skip["latency", i]) { printf "| %s | skipped | | | | | 0 |\n", m; continue }
            printf "| %s | %s | %s | %s | %s | %s | %s |\n", m, ns(p50["latency", i]), ns(p99["latency", i]), ns(max["latency", i]),
                base ? ratio(p50["latency", i] / base) : "-", pipe ? ratio(p50["latency", i] / pipe) : "-", samples["latency", i]
        }
        print ""
        print "| throughput | GiB/s | chunk p50 | chunk p99 | chunk max | × memcpy | × pipe | chunks |"
        print "|------------|---:|---:|---:|---:|---:|---:|---:|"
        base = value["throughput", "memcpy"]; pipe = value["throughput", "pipe"]
        for (i = 1; i <= n["throughput"]; i++) {
            m = method["throughput", i]
            if (skip["throughput", i]) { printf "| %s | skipped | | | | | | 0 |\n", m; continue }
            printf "| %s | %.2f | %s | %s | %s | %s | %s | %s |\n", m, gib["throughput", i], ns(p50["throughput", i]), ns(p99["throughput", i]), ns(max["throughput", i]),
                base ? ratio(gib["throughput", i] / base) : "-", pipe ? ratio(gib["throughput", i] / pipe) : "-", samples["throughput", i]
        }
        print ""
        print "The goals, computed from the numbers of the CSV:"
        print ""
        print goal("shm-spin p50 ≤ 2 × baseline-threads p50", value["latency", "shm-spin"], value["latency", "baseline-threads"], 2, 1)
        print goal("pipe p50 ≥ 20 × shm-spin p50", value["latency", "pipe"], value["latency", "shm-spin"], 20, 0)
        print goal("shm-ring ≥ 0.5 × memcpy", value["throughput", "shm-ring"], value["throughput", "memcpy"], 0.5, 0)
        print goal("shm-ring ≥ 3 × pipe", value["throughput", "shm-ring"], value["throughput", "pipe"], 3, 0)
        print ""
        print "Where the numbers come from ([the CSV](data/" substr(source, index(source, "data/") + 5) "), its notes):"
        print ""
        for (i = 1; i <= notes; i++) print "- " note[i]
        print ""
    }
    END {
        if (bad) exit 1
        if (!header || n["latency"] + n["throughput"] == 0) fail("no result lines")
        if (mode == "table") { tables(); exit 0 }
        # The latency scale: whole powers of ten around every p50 and p99.
        lo = 1e18; hi = 0
        for (i = 1; i <= n["latency"]; i++) if (!skip["latency", i]) {
            if (p50["latency", i] < lo) lo = p50["latency", i]
            if (p99["latency", i] > hi) hi = p99["latency", i]
        }
        if (hi == 0) { lo = 10; hi = 100 }
        first = int(log(lo / 3) / log(10) + 1e-9)
        last = int(log(hi) / log(10) - 1e-9) + 1
        if (last <= first) last = first + 1
        left = 130; width = 400; row = 26
        top = 88
        tput = top + n["latency"] * row + 70
        foot = tput + n["throughput"] * row + 30
        height = foot + 17 * (notes + 1) + 12
        printf "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"760\" height=\"%d\" viewBox=\"0 0 760 %d\" font-family=\"sans-serif\" font-size=\"13\">\n", height, height
        print "  <title>Demo 10: round trip (p50 and p99, log scale) and throughput of each IPC method, one run</title>"
        print "  <rect width=\"760\" height=\"100%\" fill=\"#ffffff\"/>"
        print "  <text x=\"20\" y=\"26\" font-size=\"16\" font-weight=\"bold\">Round trip, p50 (bar) to p99 (line), log scale: shorter is faster</text>"
        print "  <text x=\"20\" y=\"46\" fill=\"#555555\">Grey: the hardware limit (baseline-threads, memcpy); blue: shared memory; orange: the kernel carries the data.</text>"
        for (p = first; p <= last; p++) {
            x = left + (p - first) * width / (last - first)
            printf "  <line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#dddddd\"/>\n", x, top - 4, x, top + n["latency"] * row
            printf "  <text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" fill=\"#555555\">%s</text>\n", x, top - 10, tick(10 ^ p)
        }
        for (i = 1; i <= n["latency"]; i++) {
            y = top + (i - 1) * row
            m = method["latency", i]
            printf "  <text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>\n", left - 10, y + 17, escape(m)
            if (skip["latency", i]) { printf "  <text x=\"%d\" y=\"%d\" fill=\"#555555\">skipped</text>\n", left + 6, y + 17; continue }
            w = (log(p50["latency", i]) / log(10) - first) * width / (last - first)
            w99 = (log(p99["latency", i]) / log(10) - first) * width / (last - first)
            if (w < 1) w = 1
            printf "  <rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"18\" fill=\"%s\"/>\n", left, y + 4, w, color(m)
            printf "  <line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"/>\n", left + w, y + 13, left + w99, y + 13, color(m)
            printf "  <line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"/>\n", left + w99, y + 8, left + w99, y + 18, color(m)
            printf "  <text x=\"%.1f\" y=\"%d\">%s</text>\n", left + (w99 > w ? w99 : w) + 6, y + 18, escape(ns(p50["latency", i]) ", p99 " ns(p99["latency", i]))
        }
        printf "  <text x=\"20\" y=\"%d\" font-size=\"16\" font-weight=\"bold\">Throughput, GiB/s, linear scale: longer is faster</text>\n", tput - 24
        gmax = 0
        for (i = 1; i <= n["throughput"]; i++) if (!skip["throughput", i] && gib["throughput", i] > gmax) gmax = gib["throughput", i]
        for (i = 1; i <= n["throughput"]; i++) {
            y = tput + (i - 1) * row
            m = method["throughput", i]
            printf "  <text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>\n", left - 10, y + 17, escape(m)
            if (skip["throughput", i]) { printf "  <text x=\"%d\" y=\"%d\" fill=\"#555555\">skipped</text>\n", left + 6, y + 17; continue }
            w = gib["throughput", i] / gmax * width
            if (w < 1) w = 1
            printf "  <rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"18\" fill=\"%s\"/>\n", left, y + 4, w, color(m)
            printf "  <text x=\"%.1f\" y=\"%d\">%.2f GiB/s</text>\n", left + w + 6, y + 18, gib["throughput", i]
        }
        printf "  <line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#555555\"/>\n", left, tput, left, tput + n["throughput"] * row
        y = foot + 10
        printf "  <text x=\"20\" y=\"%d\" font-size=\"11\" fill=\"#555555\">Drawn by scripts/chart.sh from %s:</text>\n", y, escape(source)
        y += 17
        for (i = 1; i <= notes; i++) {
            printf "  <text x=\"20\" y=\"%d\" font-size=\"11\" fill=\"#555555\">%s</text>\n", y, escape(note[i])
            y += 17
        }
        print "</svg>"
    }' "$csv" >"$new"
    out=$svg
    if [ -n "${table:-}" ]; then
        # The page: its lines up to the marker, the tables, then from <!-- end --> on.
        page=$2 tables=$new
        grep -qxF "<!-- table $csv -->" "$page" || { echo "chart.sh: $page has no line <!-- table $csv -->" >&2; exit 1; }
        new=$(mktemp "${TMPDIR:-/tmp}/chart.XXXXXX")
        trap 'rm -f "$new" "$tables"' EXIT
        # No <!-- end --> after the marker would drop the rest of the page.
        awk -v marker="<!-- table $csv -->" -v tables="$tables" '
            skipping && $0 == "<!-- end -->" { skipping = 0 }
            skipping { next }
            { print }
            $0 == marker { while ((getline line < tables) > 0) print line; skipping = 1 }
            END { exit skipping }' "$page" >"$new" ||
            { echo "chart.sh: $page has no line <!-- end --> after <!-- table $csv -->" >&2; exit 1; }
        out=$page
    fi
    if ! cmp -s "$new" "$out" 2>/dev/null; then
        cp "$new" "$out"
        echo "chart.sh: updated $out"
    fi
    exit 0
fi
[ -z "${table:-}" ] || { echo "chart.sh: $csv: --table draws demo 10's CSV only" >&2; exit 1; }

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
