#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# MISC_CHECK misc_dynamic sets real-server weights from exit codes (weight =
# code - 2), and the wrr distribution of new connections follows them;
# exit 1 takes the server out. FILE_CHECK adds its track file's value times
# its weight to the configured weight, as soon as the file changes. A
# TCP_CHECK pool with quorum 2 loses its
# quorum when one of its two servers dies: the sorry server takes every new
# connection and quorum_down runs; when the server returns, the pool comes
# back, the sorry server leaves and quorum_up runs.
. "$(dirname "$0")/../harness/lib.sh"
. "$(dirname "$0")/topo.sh"
. "$(dirname "$0")/xvsd_lib.sh"
require "$XVSD_BIN" "$XVS_BUILD/xvsadm" "$XVS_BUILD/xvs-rs" "$PY"

RS1=$(rs_ip 1) RS2=$(rs_ip 2) RS3=$(rs_ip 3)
H="TCP $VIP:$HTTP_PORT" E="TCP $VIP:$ECHO_PORT"

topo_cluster 1500 3 || { not_ok "topology"; done_testing; exit 1; }
for i in 1 2 3; do
	check "rs$i: xvs-rs up --mode dr" rs_up "rs$i" dr
	check "rs$i: server on every address" rs_start "rs$i"
done

# the check exits with the code in its file
cat >"$TMPD/check.sh" <<'EOS'
#!/bin/sh
exit "$(cat "$1")"
EOS
chmod +x "$TMPD/check.sh"
echo 5 >"$TMPD/w-rs1"	# weight 3
echo 3 >"$TMPD/w-rs2"	# weight 1

echo 0 >"$TMPD/track"
cat >"$TMPD/xvsd.conf" <<EOC
track_file T {
    file $TMPD/track
    weight 2
}
virtual_server $VIP $UDP_PORT {
    delay_loop 60
    lvs_sched wrr
    lvs_method DR
    protocol UDP
    real_server $RS1 $UDP_PORT {
        weight 3
        FILE_CHECK {
            track_file T
        }
    }
}
virtual_server $VIP $HTTP_PORT {
    delay_loop 1
    lvs_sched wrr
    lvs_method DR
    protocol TCP
    real_server $RS1 $HTTP_PORT {
        weight 1
        MISC_CHECK {
            misc_path "$TMPD/check.sh $TMPD/w-rs1"
            misc_timeout 3
            misc_dynamic
        }
    }
    real_server $RS2 $HTTP_PORT {
        weight 1
        MISC_CHECK {
            misc_path "$TMPD/check.sh $TMPD/w-rs2"
            misc_timeout 3
            misc_dynamic
        }
    }
}
virtual_server $VIP $ECHO_PORT {
    delay_loop 1
    lvs_sched rr
    lvs_method DR
    protocol TCP
    quorum 2
    quorum_up "touch $TMPD/quorum.up"
    quorum_down "touch $TMPD/quorum.down"
    sorry_server $RS3 $ECHO_PORT
    real_server $RS1 $ECHO_PORT {
        TCP_CHECK {
            connect_timeout 1
            retry 0
        }
    }
    real_server $RS2 $ECHO_PORT {
        TCP_CHECK {
            connect_timeout 1
            retry 0
        }
    }
}
EOC
check "xvsd -t: the file is good" "$XVSD_BIN" -t -f "$TMPD/xvsd.conf"
check "xvsd starts" xvsd_start dir "$TMPD/xvsd.conf"

# ---- dynamic weights
check "misc_dynamic: exit 5 and 3 give weights 3 and 1" \
	wait_for 15 pool_is dir "$H" "$RS1:80=3 $RS2:80=1"
client_whoami 40 >"$TMPD/who" 2>&1
got=$(count_rs "$TMPD/who")
check "40 new connections follow the weights 3:1 (got '$got')" \
	eval "no_errors '$TMPD/who' && [ '$got' = 'rs1=30 rs2=10' ]"
echo 3 >"$TMPD/w-rs1"
check "exit 3: rs1's weight becomes 1" wait_for 10 pool_is dir "$H" "$RS1:80=1 $RS2:80=1"
check "the log says so" grep -q "Changing weight from 3 to 1 for active service \[$RS1\]:tcp:80" "$TMPD/xvsd-dir.log"
client_whoami 40 >"$TMPD/who" 2>&1
got=$(count_rs "$TMPD/who")
check "40 new connections now split 1:1 (got '$got')" \
	eval "no_errors '$TMPD/who' && [ '$got' = 'rs1=20 rs2=20' ]"
echo 1 >"$TMPD/w-rs2"
check "exit 1: rs2 leaves the pool" wait_for 10 pool_is dir "$H" "$RS1:80=1"
echo 12 >"$TMPD/w-rs2"
check "exit 12: rs2 is back with weight 10" wait_for 10 pool_is dir "$H" "$RS1:80=1 $RS2:80=10"

# ---- FILE_CHECK: the track file's value times its weight is added, at
# once (the file is watched; delay_loop is 60 s)
U="UDP $VIP:$UDP_PORT"
check "FILE_CHECK: value 0, the configured weight 3" wait_for 15 pool_is dir "$U" "$RS1:7001=3"
echo 4 >"$TMPD/track"
check "FILE_CHECK: value 4 x weight 2 gives 3 + 8 = 11, without waiting for delay_loop" \
	wait_for 10 pool_is dir "$U" "$RS1:7001=11"
echo -5 >"$TMPD/track"
check "FILE_CHECK: value -5 gives 3 - 10, kept at 0" wait_for 10 pool_is dir "$U" "$RS1:7001=0"

# ---- quorum and the sorry server
check "echo pool has its 2 servers, no sorry server" wait_for 15 pool_is dir "$E" "$RS1:7000=1 $RS2:7000=1"
check "quorum_up ran at start (quorum gained)" wait_for 5 test -e "$TMPD/quorum.up"
rm -f "$TMPD/quorum.up"
rs_stop rs1
check "rs1 dies: 1 < quorum 2, the sorry server alone serves" wait_for 10 pool_is dir "$E" "$RS3:7000=1"
check "the log says the quorum was lost" grep -q "Lost quorum 2-0=2 > 1 for VS \[$VIP\]:tcp:$ECHO_PORT" "$TMPD/xvsd-dir.log"
check "quorum_down ran" wait_for 5 test -e "$TMPD/quorum.down"
got=$(banners 12 "$ECHO_PORT")
check "12 new connections all reach the sorry server rs3 (got '$got')" test "$got" = "rs3=12"
check "rs1 restarted" rs_start rs1
check "quorum back: the pool returns, the sorry server leaves" \
	wait_for 10 pool_is dir "$E" "$RS1:7000=1 $RS2:7000=1"
check "quorum_up ran" wait_for 5 test -e "$TMPD/quorum.up"
got=$(banners 12 "$ECHO_PORT")
check "12 new connections go to rs1 and rs2 (got '$got')" test "$got" = "rs1=6 rs2=6"
done_testing
