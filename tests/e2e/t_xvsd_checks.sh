#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# xvsd health-checks 3 DR real servers with HTTP_GET (port 80, url with
# digest) and TCP_CHECK (port 7000): a killed server process leaves both
# pools within delay_loop + connect_timeout (from the log's timestamps) and
# no new connection reaches it; restarted, it comes back; an HTTP 500 or a
# wrong body takes it out of the HTTP pool only. A server that never
# answers (its checks time out) delays none of this. notify_down/notify_up
# scripts run, the notify FIFO gets keepalived's lines, `xvsadm -L -n`
# shows the pools, and the metrics endpoint answers curl.
. "$(dirname "$0")/../harness/lib.sh"
. "$(dirname "$0")/topo.sh"
. "$(dirname "$0")/xvsd_lib.sh"
require "$XVSD_BIN" "$XVS_BUILD/xvsadm" "$XVS_BUILD/xvs-rs" "$PY" curl md5sum

RS1=$(rs_ip 1) RS2=$(rs_ip 2) RS3=$(rs_ip 3) HUNG=10.99.2.99
H="TCP $VIP:$HTTP_PORT" E="TCP $VIP:$ECHO_PORT"
METRICS=9100

topo_cluster 1500 3 || { not_ok "topology"; done_testing; exit 1; }
for i in 1 2 3; do
	check "rs$i: xvs-rs up --mode dr" rs_up "rs$i" dr
	mkdir -p "$TMPD/www-rs$i"
	echo "healthy" >"$TMPD/www-rs$i/health.txt"
	check "rs$i: server on every address" rs_start "rs$i"
done
digest=$(md5sum <"$TMPD/www-rs1/health.txt" | cut -d' ' -f1)

cat >"$TMPD/fifo-reader.sh" <<EOS
#!/bin/sh
exec cat "\$1" >>"$TMPD/fifo.log"
EOS
chmod +x "$TMPD/fifo-reader.sh"

rs_block() {	# addr
	cat <<EOC
    real_server $1 $HTTP_PORT {
        weight 1
        HTTP_GET {
            url {
                path /health.txt
                digest $digest
            }
            connect_timeout 1
            retry 0
        }
    }
EOC
}
rs_block_tcp() {	# addr name
	cat <<EOC
    real_server $1 $ECHO_PORT {
        weight 1
        notify_down "touch $TMPD/$2.down"
        notify_up "touch $TMPD/$2.up"
        TCP_CHECK {
            connect_timeout 1
            retry 0
        }
    }
EOC
}
{
	cat <<EOC
global_defs {
    router_id xvsd-test
    lvs_notify_fifo $TMPD/lvs.fifo
    lvs_notify_fifo_script $TMPD/fifo-reader.sh
}
vrrp_instance VI_1 {
    state MASTER
    interface d0
    virtual_router_id 51
    priority 100
    virtual_ipaddress {
        $VIP
    }
}
virtual_server $VIP $HTTP_PORT {
    delay_loop 1
    lvs_sched rr
    lvs_method DR
    protocol TCP
EOC
	for r in "$RS1" "$RS2" "$RS3"; do rs_block "$r"; done
	cat <<EOC
}
virtual_server $VIP $ECHO_PORT {
    delay_loop 1
    lb_algo rr
    lb_kind DR
    protocol TCP
EOC
	i=0
	for r in "$RS1" "$RS2" "$RS3"; do i=$((i + 1)); rs_block_tcp "$r" "rs$i"; done
	# no host answers there: every check of it hangs until connect_timeout,
	# and the others must not wait for it (alpha: it never joins the pool)
	cat <<EOC
    real_server $HUNG $ECHO_PORT {
        alpha
        TCP_CHECK {
            connect_timeout 1
            retry 0
        }
    }
EOC
	echo "}"
} >"$TMPD/xvsd.conf"

check "xvsd -t accepts the file except for its vrrp block (a note)" \
	eval "'$XVSD_BIN' -t -f '$TMPD/xvsd.conf' 2>&1 | grep -q 'skipping vrrp_instance'"
check "xvsd starts" xvsd_start dir "$TMPD/xvsd.conf" --metrics "$METRICS"
ALL_H="$RS1:80=1 $RS2:80=1 $RS3:80=1"
ALL_E="$RS1:7000=1 $RS2:7000=1 $RS3:7000=1"
check "HTTP pool: the 3 real servers after their first check" wait_for 15 pool_is dir "$H" "$ALL_H"
check "echo pool: the 3 real servers" wait_for 15 pool_is dir "$E" "$ALL_E"
check "xvsadm -L -n lists them as Route (DR)" fwd_method_is "$VIP:$HTTP_PORT" "$RS2:80" Route
client_whoami 30 >"$TMPD/who" 2>&1
check "30 requests through the VIP: all 3 answered (got $(count_rs "$TMPD/who"))" \
	eval "no_errors '$TMPD/who' && [ \"\$(count_rs '$TMPD/who')\" = 'rs1=10 rs2=10 rs3=10' ]"

check "a server that never answers stays out and its checks time out" \
	wait_for 10 grep -q "TCP_CHECK of \[$HUNG\]:tcp:$ECHO_PORT .*failed: .*timeout" "$TMPD/xvsd-dir.log"

# ---- a killed server process (while the hung one's checks keep timing out)
t0=$(date +%s.%3N)
rs_stop rs2
check "rs2 killed: out of the echo pool" wait_for 10 weight_is dir "$E" "$RS2:7000" absent
check "rs2 killed: out of the HTTP pool" wait_for 10 weight_is dir "$H" "$RS2:80" absent
if t1=$(log_time dir "Removing service \[$RS2\]:tcp:$ECHO_PORT from VS"); then
	ms=$(elapsed_ms "$t0" "$t1")
	check "rs2 out within delay_loop + connect_timeout = 2000 ms (took $ms ms, per the log)" test "$ms" -le 2000
else
	not_ok "the log says when rs2 was removed" "$(tail -20 "$TMPD/xvsd-dir.log")"
fi
got=$(banners 30 "$ECHO_PORT")
check "30 new echo connections: none to rs2 (got '$got')" test "$got" = "rs1=15 rs3=15"
client_whoami 20 >"$TMPD/who" 2>&1
check "20 HTTP requests: none to rs2 (got $(count_rs "$TMPD/who"))" \
	eval "no_errors '$TMPD/who' && ! grep -q '^rs2 ' '$TMPD/who' && [ \$(wc -l <'$TMPD/who') = 20 ]"
check "notify_down ran for rs2" wait_for 5 test -e "$TMPD/rs2.down"
check "notify FIFO: RS DOWN line in keepalived's format" wait_for 5 \
	grep -qx "RS \[$RS2\]:tcp:$ECHO_PORT \[$VIP\]:tcp:$ECHO_PORT DOWN" "$TMPD/fifo.log"

# ---- metrics while rs2 is down
metrics() { nsx dir curl -sS --noproxy '*' --max-time 5 "http://127.0.0.1:$METRICS/metrics"; }
metrics >"$TMPD/metrics" 2>&1
mline() { grep -F -- "$1" "$TMPD/metrics" | head -1 | awk '{ print $NF }'; }
check "metrics: served on 127.0.0.1 (curl)" grep -q '^# TYPE xvs_service_connections_total counter' "$TMPD/metrics"
check "metrics: rs2 not alive" test "$(mline "xvsd_real_server_alive{virtual_server=\"[$VIP]:tcp:$ECHO_PORT\",real_server=\"[$RS2]:tcp:$ECHO_PORT\"}")" = 0
check "metrics: rs1 alive" test "$(mline "xvsd_real_server_alive{virtual_server=\"[$VIP]:tcp:$ECHO_PORT\",real_server=\"[$RS1]:tcp:$ECHO_PORT\"}")" = 1
check "metrics: rs2's HTTP_GET checker down" test "$(mline "xvsd_checker_up{virtual_server=\"[$VIP]:tcp:$HTTP_PORT\",real_server=\"[$RS2]:tcp:$HTTP_PORT\",checker=\"HTTP_GET\",index=\"0\"}")" = 0
c1=$(mline "xvs_backend_connections_total{local_address=\"$VIP\",local_port=\"$ECHO_PORT\",local_mark=\"\",proto=\"TCP\",remote_address=\"$RS1\",remote_port=\"$ECHO_PORT\"}")
s1=$(stats_field TCP "$VIP:$ECHO_PORT" "$RS1:$ECHO_PORT" Conns)
check "metrics: rs1's connection counter matches xvsadm --stats ($c1 = $s1)" test "${c1:-x}" = "${s1:-y}"
check "metrics: data-plane drop reasons" grep -q '^xvs_dataplane_packets_total{reason="drop_no_real_server"} ' "$TMPD/metrics"
f1=$(mline 'xvs_dataplane_packets_total{reason="fwd_dr"}')
check "metrics: the fwd_dr counter matches xvsadm --counters ($f1)" test "${f1:-x}" = "$(counter fwd_dr)"
check "metrics: quorum of the echo service" test "$(mline "xvsd_virtual_server_quorum_up{virtual_server=\"[$VIP]:tcp:$ECHO_PORT\"}")" = 1
nsx dir curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$METRICS/nope" >"$TMPD/code"
check "metrics: other paths are 404" test "$(cat "$TMPD/code")" = 404
# rates: per second since a sample at least 1 s old
metrics >/dev/null
client_whoami 10 >/dev/null 2>&1
rate_up() {
	metrics >"$TMPD/metrics2" 2>&1
	awk -v k="xvs_service_connections_per_second{local_address=\"$VIP\",local_port=\"$HTTP_PORT\"," \
		'index($0, k) == 1 { found = ($NF > 0) } END { exit !found }' "$TMPD/metrics2"
}
check "metrics: a connection rate once traffic flowed" wait_for 10 rate_up
check "metrics: not on the director's other addresses" \
	eval "! nsx dir curl -s --max-time 2 -o /dev/null http://$DIR_C_IP:$METRICS/metrics"

# ---- restarted
check "rs2 restarted" rs_start rs2
check "rs2 back in the echo pool" wait_for 10 weight_is dir "$E" "$RS2:7000" 1
check "rs2 back in the HTTP pool" wait_for 10 weight_is dir "$H" "$RS2:80" 1
got=$(banners 30 "$ECHO_PORT")
check "30 new echo connections reach all 3 again (got '$got')" test "$got" = "rs1=10 rs2=10 rs3=10"
check "notify_up ran for rs2" wait_for 5 test -e "$TMPD/rs2.up"
check "notify FIFO: RS UP line" wait_for 5 \
	grep -qx "RS \[$RS2\]:tcp:$ECHO_PORT \[$VIP\]:tcp:$ECHO_PORT UP" "$TMPD/fifo.log"

# ---- HTTP 500 and a wrong body: out of the HTTP pool, still in the TCP one
echo 500 >"$TMPD/www-rs3/health.txt.status"
check "rs3 answers HTTP 500: out of the HTTP pool" wait_for 10 weight_is dir "$H" "$RS3:80" absent
check "rs3 answers HTTP 500: still in the echo pool" weight_is dir "$E" "$RS3:7000" 1
check "the log says why (HTTP status 500)" grep -q "HTTP_GET of \[$RS3\]:tcp:80 .*failed: .*500" "$TMPD/xvsd-dir.log"
client_whoami 20 >"$TMPD/who" 2>&1
check "20 HTTP requests: none to rs3" eval "no_errors '$TMPD/who' && ! grep -q '^rs3 ' '$TMPD/who'"
rm "$TMPD/www-rs3/health.txt.status"
check "rs3 healthy again: back in the HTTP pool" wait_for 10 weight_is dir "$H" "$RS3:80" 1
echo "something else" >"$TMPD/www-rs1/health.txt"
check "rs1 serves the wrong body: out of the HTTP pool" wait_for 10 weight_is dir "$H" "$RS1:80" absent
check "the log says why (digest mismatch)" grep -q "HTTP_GET of \[$RS1\]:tcp:80 .*failed: digest mismatch" "$TMPD/xvsd-dir.log"
check "rs1 serves the wrong body: still in the echo pool" weight_is dir "$E" "$RS1:7000" 1
echo "healthy" >"$TMPD/www-rs1/health.txt"
check "rs1 right again: back in the HTTP pool" wait_for 10 weight_is dir "$H" "$RS1:80" 1
check "every state change is in the log with a millisecond timestamp" \
	eval "grep -cE '^[0-9-]{10} [0-9:]{8}\.[0-9]{3} xvsd\[[0-9]+\]: (Removing|Adding) service ' '$TMPD/xvsd-dir.log' | grep -qx 8"
check "xvsd is still running" kill -0 "$(xvsd_pid dir)"
done_testing
