#!/bin/sh
# Installs the Debian packages xvs needs to build, test and demo, when they
# are missing. Needs root to install; without it, names what is missing.
set -eu

PKGS="make gcc clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev libmnl-dev
pkg-config iproute2 ethtool iputils-ping socat curl python3 python3-scapy
libclang-rt-14-dev keepalived nftables
libssl-dev libpcre2-dev libmicrohttpd-dev
procps psmisc util-linux"
# `scripts/deps.sh bench` (make bench) also needs the peers and tools the
# benchmarks compare against and plot with; make test/demo do not.
if [ "${1:-}" = bench ]; then
	PKGS="$PKGS gnuplot-nox wrk nginx-light haproxy nftables"
fi

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing Debian packages:$missing (run 'make deps' as root)" >&2
	exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
