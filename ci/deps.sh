#!/bin/sh
# The Debian packages a part of mcprobe needs: which are missing, and the one
# command that installs them. `make need-deps` prints that command and stops;
# `make deps` runs exactly it, so what a person pastes and what CI runs are
# the same line.
#
#   ci/deps.sh need WHAT PKG...   exit 2, printing the command, if any PKG is missing
#   ci/deps.sh install PKG...     run the command (DEPS_DRY_RUN=1: print it only)
set -u

# one dpkg-query for all: it prints the installed ones, the rest are missing
missing() {
	installed=$(dpkg-query -W -f='${Package} ${Status}\n' "$@" 2>/dev/null | awk '/ install ok installed$/ {print $1}')
	for p in "$@"; do
		printf '%s\n' "$installed" | grep -qx "$p" || printf '%s ' "$p"
	done
}

command_for() {
	echo "apt-get update && apt-get install -y --no-install-recommends $*"
}

what=$1
shift
case $what in
need)
	for_what=$1
	shift
	m=$(missing "$@")
	[ -z "$m" ] && exit 0
	echo "missing Debian packages for $for_what (make deps installs them); as root, run:" >&2
	echo "  $(command_for $m)" >&2
	exit 2
	;;
install)
	m=$(missing "$@")
	if [ -z "$m" ]; then
		echo "all Debian packages present"
		exit 0
	fi
	cmd=$(command_for $m)
	if [ -n "${DEPS_DRY_RUN:-}" ]; then
		echo "$cmd"
		exit 0
	fi
	echo "installing: $cmd"
	DEBIAN_FRONTEND=noninteractive sh -c "$cmd"
	;;
*)
	echo "usage: $0 need WHAT PKG... | install PKG..." >&2
	exit 2
	;;
esac
