#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Hash schedulers over real TCP connections (cluster of 3 RS, DR), from many
# client addresses on the client namespace: sh keeps each client on one real
# server across connections; mh spreads distinct clients over the 3 servers,
# and removing one server moves only that server's clients. Every client's
# server is also checked against IPVS's algorithm computed independently
# here (ip_vs_sh.c / ip_vs_mh.c, in Python), so xvs picks what IPVS picks.
. "$(dirname "$0")/../harness/lib.sh"
. "$(dirname "$0")/topo.sh"
require "$XVS_BUILD/xvsadm" "$XVS_BUILD/xvs-rs" "$PY" curl

SVC="$VIP:$HTTP_PORT"
NCLIENTS=24
CONNS=4		# connections per client address
clients=()
for ((i = 0; i < NCLIENTS; i++)); do clients+=("10.99.1.$((100 + i))"); done

# IPVS's choice for each client: model.py sh|mh "RIP..." "CLIENT..." prints
# "CLIENT rsN" lines; the RIPs in IPVS list order (newest first).
cat >"$TMPD/model.py" <<'EOF'
import ipaddress, sys

M64 = (1 << 64) - 1
MH_M = 4093

def rotl(x, b):
    return ((x << b) | (x >> (64 - b))) & M64

def hsiphash_u32(v, k):
    # lib/siphash.c on 64-bit: SipHash-1-3 of the 4 little-endian bytes of v
    v0, v1 = 0x736f6d6570736575 ^ k, 0x646f72616e646f6d ^ k
    v2, v3 = 0x6c7967656e657261 ^ k, 0x7465646279746573 ^ k
    def rnd():
        nonlocal v0, v1, v2, v3
        v0 = (v0 + v1) & M64; v1 = rotl(v1, 13) ^ v0; v0 = rotl(v0, 32)
        v2 = (v2 + v3) & M64; v3 = rotl(v3, 16) ^ v2
        v0 = (v0 + v3) & M64; v3 = rotl(v3, 21) ^ v0
        v2 = (v2 + v1) & M64; v1 = rotl(v1, 17) ^ v2; v2 = rotl(v2, 32)
    b = (4 << 56) | v
    v3 ^= b; rnd(); v0 ^= b; v2 ^= 0xff
    rnd(); rnd(); rnd()
    return (v0 ^ v1 ^ v2 ^ v3) & 0xffffffff

def sh_table(n):            # ip_vs_sh_reassign, all weights 1
    return [i % n for i in range(256)]

def mh_table(rips, port):   # ip_vs_mh_permutate + populate, all weights 1
    keys = [port + int(ipaddress.IPv4Address(r)) for r in rips]
    perm = [hsiphash_u32(k & 0xffffffff, 2654435761) % MH_M for k in keys]
    skip = [hsiphash_u32(k & 0xffffffff, 2654446892) % (MH_M - 1) + 1 for k in keys]
    table, n = [None] * MH_M, 0
    while n < MH_M:
        for i in range(len(rips)):
            while table[perm[i]] is not None:
                perm[i] = (perm[i] + skip[i]) % MH_M
            table[perm[i]] = i
            n += 1
            if n == MH_M:
                break
    return table

sched, rips, clients = sys.argv[1], sys.argv[2].split(), sys.argv[3].split()
names = {"10.99.2.%d" % (10 + i): "rs%d" % i for i in (1, 2, 3)}
for c in clients:
    a = int(ipaddress.IPv4Address(c))
    if sched == "sh":
        i = sh_table(len(rips))[((a * 0x61C88647) & 0xffffffff) >> 24]
    else:
        i = mh_table(rips, 80)[hsiphash_u32(a, 2654435761) % MH_M]
    print(c, names[rips[i]])
EOF

# picks: CONNS connections from every client address; prints "CLIENT rsN"
# once per client when all its connections reached the same server and the
# server saw that address, "CLIENT mixed ..." or "CLIENT ERROR" otherwise.
picks() {
	local c k out seen
	for c in "${clients[@]}"; do
		seen=""
		for ((k = 0; k < CONNS; k++)); do
			out=$(nsx client curl -sS --noproxy '*' --max-time 5 --interface "$c" \
				"http://$SVC/whoami" 2>&1) || { seen="ERROR"; break; }
			case $out in
			"rs"[0-9]" $c:"*) seen="$seen ${out%% *}" ;;
			*) seen="ERROR"; break ;;
			esac
		done
		set -- $seen
		if [ "$1" = ERROR ]; then echo "$c ERROR"
		elif [ "$(printf '%s\n' "$@" | sort -u | wc -l)" = 1 ]; then echo "$c $1"
		else echo "$c mixed $*"
		fi
	done
}

model() { "$PY" "$TMPD/model.py" "$1" "$2" "${clients[*]}"; }
distinct_rs() { awk '{ print $2 }' "$1" | sort -u | grep -c '^rs'; }
# moved BEFORE AFTER: clients whose server changed, as "CLIENT rsA->rsB".
moved() { join "$1" "$2" | awk '$2 != $3 { print $1, $2 "->" $3 }'; }

topo_cluster 1500 3 || { not_ok "topology"; done_testing; exit 1; }
cluster_rs_ready dr
for c in "${clients[@]}"; do
	ip -n "$(ns_name client)" addr add "$c/24" dev c0 || not_ok "client address $c"
done

# ---- sh
check "-A sh" xvsadm dir -A -t "$SVC" -s sh
for i in 1 2 3; do
	check "-a rs$i -g -w 1" xvsadm dir -a -t "$SVC" -r "$(rs_ip $i):$HTTP_PORT" -g -w 1
done
picks >"$TMPD/sh" 2>&1
model sh "$(rs_ip 3) $(rs_ip 2) $(rs_ip 1)" >"$TMPD/sh.want"
check "sh: every client kept one real server over $CONNS connections" \
	eval "! grep -q 'ERROR\|mixed' $TMPD/sh"
check "sh: each client on the server IPVS's sh picks" \
	eval "diff -u $TMPD/sh.want $TMPD/sh >&2"
n=$(distinct_rs "$TMPD/sh")
check "sh: $NCLIENTS clients spread over $n real servers" [ "$n" -ge 2 ]

# ---- mh
check "-E to mh" xvsadm dir -E -t "$SVC" -s mh
check "-L shows mh" eval "xvsadm dir -L -n | grep -q '^TCP  $SVC mh'"
picks >"$TMPD/mh" 2>&1
model mh "$(rs_ip 3) $(rs_ip 2) $(rs_ip 1)" >"$TMPD/mh.want"
check "mh: every client kept one real server over $CONNS connections" \
	eval "! grep -q 'ERROR\|mixed' $TMPD/mh"
check "mh: each client on the server IPVS's mh picks" \
	eval "diff -u $TMPD/mh.want $TMPD/mh >&2"
n=$(distinct_rs "$TMPD/mh")
check "mh: $NCLIENTS distinct clients spread over all 3 real servers (got $n)" [ "$n" = 3 ]

# removing rs2 moves rs2's clients and no one else
check "-d rs2" xvsadm dir -d -t "$SVC" -r "$(rs_ip 2):$HTTP_PORT"
picks >"$TMPD/mh2" 2>&1
model mh "$(rs_ip 3) $(rs_ip 1)" >"$TMPD/mh2.want"
check "mh without rs2: each client on the server IPVS's mh picks" \
	eval "diff -u $TMPD/mh2.want $TMPD/mh2 >&2"
moved "$TMPD/mh" "$TMPD/mh2" >"$TMPD/moved"
n_rs2=$(grep -c ' rs2$' "$TMPD/mh")
n_moved=$(wc -l <"$TMPD/moved")
others=$(grep -vc '^[^ ]* rs2->' "$TMPD/moved")
check "mh without rs2: rs2's $n_rs2 clients moved ($n_moved moved in all)" \
	[ "$n_moved" = "$n_rs2" -a "$n_rs2" -ge 1 ]
check "mh without rs2: no client of rs1 or rs3 moved (got $others)" [ "$others" = 0 ]
check "mh without rs2: no client reached rs2" eval "! grep -q ' rs2' $TMPD/mh2"
done_testing
