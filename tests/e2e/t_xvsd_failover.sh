#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Director failover with keepalived itself: two director namespaces each
# run `keepalived --vrrp` and xvsd on one and the same keepalived.conf
# (@dir1/@dir2 lines pick priorities, -i picks the id). The master holds
# the VIP and serves; with ha_suspend only the master's xvsd checks.
# Stopping the master's keepalived moves the VIP to the backup, whose xvsd
# starts checking, and the new master serves new connections.
. "$(dirname "$0")/../harness/lib.sh"
. "$(dirname "$0")/topo.sh"
. "$(dirname "$0")/xvsd_lib.sh"
require "$XVSD_BIN" "$XVS_BUILD/xvsadm" "$XVS_BUILD/xvs-rs" "$PY" keepalived

RS1=$(ha_rs_ip 1) RS2=$(ha_rs_ip 2)
H="TCP $VIP:$HTTP_PORT"

topo_ha 2 || { not_ok "topology"; done_testing; exit 1; }
for i in 1 2; do
	check "rs$i: xvs-rs up --mode dr" rs_up "rs$i" dr
	check "rs$i: server on every address" rs_start "rs$i"
done

cat >"$TMPD/keepalived.conf" <<EOC
global_defs {
    router_id xvs-ha
}
vrrp_instance VI_1 {
@dir1    state MASTER
@dir2    state BACKUP
    interface e0
    virtual_router_id 51
@dir1    priority 150
@dir2    priority 100
    advert_int 1
    virtual_ipaddress {
        $VIP/32 dev e0
    }
}
virtual_server $VIP $HTTP_PORT {
    delay_loop 1
    lvs_sched rr
    lvs_method DR
    protocol TCP
    ha_suspend
    real_server $RS1 $HTTP_PORT {
        TCP_CHECK {
            connect_timeout 1
            retry 0
        }
    }
    real_server $RS2 $HTTP_PORT {
        TCP_CHECK {
            connect_timeout 1
            retry 0
        }
    }
}
EOC
check "keepalived -t accepts the file (in dir1, which has e0)" nsx dir1 keepalived -t -f "$TMPD/keepalived.conf" -i dir1
check "xvsd -t accepts the file" "$XVSD_BIN" -t -f "$TMPD/keepalived.conf" -i dir1

ka_start() {	# dirN
	bg "$1" keepalived --vrrp -n -l -G -D -f "$TMPD/keepalived.conf" -i "$1" \
		-p "$TMPD/ka-$1.pid" -r "$TMPD/ka-$1-vrrp.pid" >>"$TMPD/ka-$1.log" 2>&1
	echo "${_bg_pids[-1]}" >"$TMPD/ka-$1.main"
}
has_vip() { ip -n "$(ns_name "$1")" -4 addr show dev e0 | grep -q "inet $VIP/32"; }

for d in dir1 dir2; do
	check "$d: keepalived --vrrp started" ka_start "$d"
	check "$d: xvsd started on the same file" xvsd_start "$d" "$TMPD/keepalived.conf" -i "$d"
done
check "dir1 becomes master: it holds the VIP" wait_for 20 has_vip dir1
check "dir2 stays backup: no VIP" eval "! has_vip dir2"
for d in dir1 dir2; do
	check "$d: xvsd configured the pool" wait_for 15 pool_is "$d" "$H" "$RS1:80=1 $RS2:80=1"
done
check "dir1 (VIP local): its checks run" wait_for 10 grep -q "Activating healthchecker for service \[$RS1\]:tcp:80" "$TMPD/xvsd-dir1.log"
check "dir2 (backup): ha_suspend holds its checks" eval "! grep -q 'TCP_CHECK of' '$TMPD/xvsd-dir2.log'"

client_whoami 10 >"$TMPD/who" 2>&1
check "10 requests through the VIP answered by rs1 and rs2 (got $(count_rs "$TMPD/who"))" \
	eval "no_errors '$TMPD/who' && [ \"\$(count_rs '$TMPD/who')\" = 'rs1=5 rs2=5' ]"
stats_of() { xvsadm "$1" -L -n --stats | awk -v s="$VIP:$HTTP_PORT" '$1 == "TCP" && $2 == s { print $3 }'; }
check "the master (dir1) scheduled them (Conns $(stats_of dir1)), the backup none ($(stats_of dir2))" \
	eval "[ \"\$(stats_of dir1)\" = 10 ] && [ \"\$(stats_of dir2)\" = 0 ]"

# ---- the master stops
kill "$(cat "$TMPD/ka-dir1.main")"
check "master's keepalived stopped: the VIP leaves dir1" wait_for 15 eval "! has_vip dir1"
check "dir2 becomes master: it holds the VIP" wait_for 15 has_vip dir2
check "dir2 (VIP local now): its checks start" wait_for 10 grep -q "Activating healthchecker for service \[$RS1\]:tcp:80" "$TMPD/xvsd-dir2.log"
check "dir1 (VIP gone): its checks are suspended" wait_for 10 grep -q "Deactivating healthchecker for service \[$RS1\]:tcp:80" "$TMPD/xvsd-dir1.log"
served() {
	client_whoami 10 >"$TMPD/who" 2>&1
	no_errors "$TMPD/who" && [ "$(stats_of dir2)" -ge 10 ]
}
check "the new master (dir2) serves new connections" wait_for 20 served
check "every request answered by a real server (got $(count_rs "$TMPD/who"))" \
	eval "[ \$(grep -cE '^rs[12] ' '$TMPD/who') = 10 ]"
check "the old master scheduled nothing more (Conns $(stats_of dir1))" test "$(stats_of dir1)" = 10
done_testing
