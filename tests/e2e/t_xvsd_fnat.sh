#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# FULLNAT from keepalived.conf in DPVS's spelling (lb_kind FNAT,
# local_address_group, laddr_group_name): xvsd configures the service, its
# real servers (port mapping 80 -> 8080, HTTP_GET) and both local addresses
# of the group's range on their interface; clients are served by both real
# servers, which have no route to them and see the client through TOA. A
# reload that removes the virtual server deletes the service and gives the
# local addresses back.
. "$(dirname "$0")/../harness/lib.sh"
. "$(dirname "$0")/topo.sh"
. "$(dirname "$0")/xvsd_lib.sh"
require "$XVSD_BIN" "$XVS_BUILD/xvsadm" "$XVS_BUILD/xvs-rs" "$PY"

RS1=$(rs_ip 1) RS2=$(rs_ip 2)
H="TCP $VIP:$HTTP_PORT"

topo_fnat_cluster 2 || { not_ok "topology"; done_testing; exit 1; }
for i in 1 2; do
	check "rs$i: xvs-rs up --mode fullnat" eval "xvs_rs rs$i up --mode fullnat >$TMPD/rs$i.up 2>&1"
	check "rs$i: server on $(rs_ip $i)" rs_serve_on "rs$i" "$(rs_ip $i)"
done
rs_fnat() {
	printf '    real_server %s %s {\n        weight 1\n        HTTP_GET {\n            url {\n                path /whoami\n                status_code 200\n            }\n            connect_timeout 1\n            retry 0\n        }\n    }\n' "$1" "$NAT_HTTP_PORT"
}
{
	cat <<EOC
local_address_group lips {
    $LIP1-${LIP2##*.} d1
}
virtual_server $VIP $HTTP_PORT {
    delay_loop 1
    lb_algo rr
    lb_kind FNAT
    protocol TCP
    laddr_group_name lips
EOC
	rs_fnat "$RS1"
	rs_fnat "$RS2"
	echo "}"
} >"$TMPD/xvsd.conf"
check "xvsd -t: the DPVS spelling is good" "$XVSD_BIN" -t -f "$TMPD/xvsd.conf"
check "xvsd starts" xvsd_start dir "$TMPD/xvsd.conf"
check "pool: both real servers, port 8080" wait_for 15 pool_is dir "$H" "$RS1:8080=1 $RS2:8080=1"
check "xvsadm -L -n: FullNat" fwd_method_is "$VIP:$HTTP_PORT" "$RS1:$NAT_HTTP_PORT" FullNat
check "xvsadm -G: both local addresses of the range" \
	eval "xvsadm dir -G | grep -q '^ *$LIP1 ' && xvsadm dir -G | grep -q '^ *$LIP2 '"
check "the local addresses are on d1" \
	eval "ip -n $(ns_name dir) -4 addr show dev d1 | grep -q 'inet $LIP1/32' && ip -n $(ns_name dir) -4 addr show dev d1 | grep -q 'inet $LIP2/32'"
client_whoami 20 >"$TMPD/who" 2>&1
check "20 requests answered by both (got $(count_rs "$TMPD/who")), each seeing the client (TOA)" \
	eval "no_errors '$TMPD/who' && [ \"\$(count_rs '$TMPD/who')\" = 'rs1=10 rs2=10' ] && all_from_client '$TMPD/who'"

printf 'virtual_server %s 81 {\n    lb_algo rr\n    lb_kind DR\n    protocol TCP\n    real_server %s 81 {\n    }\n}\n' "$VIP" "$RS1" >"$TMPD/xvsd.conf"
check "reload without the FULLNAT virtual server" xvsd_reload dir
check "its service is deleted" wait_for 10 eval "! xvsadm dir -L -n | grep -q '$VIP:$HTTP_PORT '"
check "its local addresses are given back" \
	wait_for 10 eval "! ip -n $(ns_name dir) -4 addr show dev d1 | grep -qE 'inet ($LIP1|$LIP2)/32'"
done_testing
