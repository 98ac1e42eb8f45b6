#!/bin/bash
# Wall time of the delivery area: the delivery, sendopts and scope probes run
# one after the other (under the harness they run in parallel: this is the
# conservative figure), five runs, one table row each, on stdout.
#
#   probes/bench/delivery_area.sh PROBE...
set -u
ms() { date +%s%N; }
secs() { printf '%d.%03d' $(( $1 / 1000000000 )) $(( $1 / 1000000 % 1000 )); }

echo "## Delivery area wall time (delivery + sendopts + scope, one after the other)"
echo
echo "| run | delivery s | sendopts s | scope s | total s | bound s |"
echo "|---:|---:|---:|---:|---:|---:|"
for i in 1 2 3 4 5; do
	line="| $i"
	t0=$(ms)
	for p in "$@"; do
		s=$(ms)
		"$p" > /dev/null || exit 1
		e=$(ms)
		line="$line | $(secs $(( e - s )))"
	done
	e=$(ms)
	echo "$line | $(secs $(( e - t0 ))) | ≤ 3 |"
done
