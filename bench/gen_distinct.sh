#!/bin/sh
# bench/gen_distinct.sh: writes a CSV event log of CASES cases with PER_CASE events each, every
# event with an activity of its own ("u<case>_<event>"), so that no activity is documented in any
# map and every case is a variant of its own: the worst case for everything that grows with the
# number of distinct deviations. The output depends on the two numbers only. Usage:
#
#   bench/gen_distinct.sh 1000 1000 | gzip -1 > /tmp/distinct-1M.csv.gz
#   asbuilt diff /tmp/distinct-1M.csv.gz --model ../shared/data/models/pm4py_running-example.bpmn
set -eu
if [ $# -ne 2 ]; then
    echo "usage: gen_distinct.sh CASES PER_CASE" >&2
    exit 2
fi
awk -v cases="$1" -v per="$2" 'BEGIN {
    print "case:concept:name,concept:name,time:timestamp"
    # One event a minute, each case starting a day after the one before, on a calendar of
    # 12 months of 28 days (every date written is valid).
    for (c = 1; c <= cases; c++) {
        for (j = 1; j <= per; j++) {
            s = (c - 1) * 86400 + (j - 1) * 60
            d = int(s / 86400)
            r = s - d * 86400
            printf "c%d,u%d_%d,%04d-%02d-%02dT%02d:%02d:%02dZ\n", c, c, j, 2020 + int(d / 336),
                1 + int((d % 336) / 28), 1 + d % 28, int(r / 3600), int((r % 3600) / 60), r % 60
        }
    }
}'
