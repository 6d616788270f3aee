#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# LVS-TUN end to end in the kernel IPVS selftest's shape (client, director,
# one real server): real TCP and UDP through the VIP, the real server sees the
# client's address, --stats counts it, non-service traffic is untouched.
. "$(dirname "$0")/../harness/lib.sh"
. "$(dirname "$0")/topo.sh"
require "$XVS_BUILD/xvsadm" "$XVS_BUILD/xvs-rs" "$PY" curl ping sha256sum

scenario_selftest tun
done_testing
