#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make kselftest-install INSTALL_PATH=DIR: puts ci/kselftest/mcprobe/ and a
# self-contained copy of the suite (built probes, mcprobe, expected/, the
# harness without its tests) into DIR/mcprobe, and lists the collection once
# in DIR/kselftest-list.txt for `run_kselftest.sh -c mcprobe`.
#
#   ci/kselftest/install.sh INSTALL_PATH        (run from the checkout)
set -e
if [ -z "$1" ]; then
	echo "usage: make kselftest-install INSTALL_PATH=<kselftest install dir>" >&2
	exit 2
fi
mkdir -p "$1"
inst=$(cd "$1" && pwd)
dest=$inst/mcprobe
rm -rf "$dest"
mkdir -p "$dest/suite/probes" "$dest/suite/harness"
cp ci/kselftest/mcprobe/run.sh ci/kselftest/mcprobe/config ci/kselftest/mcprobe/settings "$dest/"
cp -r probes/bin "$dest/suite/probes/bin"
cp mcprobe "$dest/suite/"
cp -r expected "$dest/suite/expected"
(cd harness && find . -name '*.py' -not -path './tests/*' -exec cp --parents {} "$dest/suite/harness/" \;)
touch "$inst/kselftest-list.txt"
# listed once however often it is installed
grep -qx 'mcprobe:run.sh' "$inst/kselftest-list.txt" || echo 'mcprobe:run.sh' >> "$inst/kselftest-list.txt"
echo "installed $dest (run: cd $1 && ./run_kselftest.sh -c mcprobe)"
