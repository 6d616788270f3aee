// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* xvsd configuration: global_defs (the LVS keywords xvsd uses; every other
 * keepalived global keyword is accepted and ignored) and the SSL block. */
#include <string.h>

#include "conf_int.h"

static struct conf_global *G(void *obj)
{
	return &((struct conf *)obj)->global;
}

static void kw_router_id(struct conf_ctx *cx, const struct conf_stmt *st, void *obj)
{
	conf_set_str(cx, &G(obj)->router_id, &st->w[1]);
}

/* lvs_timeouts [tcp S] [tcpfin S] [udp S]: pairs, at least one. */
static void kw_lvs_timeouts(struct conf_ctx *cx, const struct conf_stmt *st, void *obj)
{
	struct conf_global *g = G(obj);
	size_t i;

	for (i = 1; i < st->n; i += 2) {
		const char *k = st->w[i].s;
		uint32_t *dst = !strcmp(k, "tcp")    ? &g->lvs_timeout_tcp_s :
				!strcmp(k, "tcpfin") ? &g->lvs_timeout_tcpfin_s :
				!strcmp(k, "udp")    ? &g->lvs_timeout_udp_s : NULL;
		uint64_t v;

		if (!dst) {
			conf_diag_add(cx->d, CONF_ERROR, &st->w[i].pos,
				      "unknown lvs_timeouts option '%s': expected tcp, tcpfin or udp", k);
			return;
		}
		if (i + 1 >= st->n) {
			conf_diag_add(cx->d, CONF_ERROR, &st->w[i].pos,
				      "missing seconds after lvs_timeouts '%s'", k);
			return;
		}
		/* IPVS: 1 s .. 31 days (ipvsadm --set) */
		if (conf_get_uint(cx, &st->w[i + 1], 1, 86400 * 31, "lvs_timeouts value", &v))
			*dst = (uint32_t)v;
	}
}

static void kw_lvs_flush(struct conf_ctx *cx, const struct conf_stmt *st, void *obj)
{
	(void)cx;
	(void)st;
	G(obj)->lvs_flush = true;
}

static void kw_lvs_flush_on_stop(struct conf_ctx *cx, const struct conf_stmt *st, void *obj)
{
	if (st->n < 2) {
		G(obj)->lvs_flush_on_stop = CONF_FLUSH_STOP_ALL;
	} else if (!strcmp(st->w[1].s, "VS")) {
		G(obj)->lvs_flush_on_stop = CONF_FLUSH_STOP_VS;
	} else {
		conf_diag_add(cx->d, CONF_ERROR, &st->w[1].pos,
			      "unknown lvs_flush_on_stop type '%s': expected VS or nothing",
			      st->w[1].s);
	}
}

static void kw_lvs_notify_fifo(struct conf_ctx *cx, const struct conf_stmt *st, void *obj)
{
	struct conf_global *g = G(obj);

	conf_set_str(cx, &g->lvs_notify_fifo, &st->w[1]);
	if (st->n > 2)
		conf_set_str(cx, &g->lvs_notify_fifo_user, &st->w[2]);
	if (st->n > 3)
		conf_set_str(cx, &g->lvs_notify_fifo_group, &st->w[3]);
}

static void kw_lvs_notify_fifo_script(struct conf_ctx *cx, const struct conf_stmt *st, void *obj)
{
	conf_set_joined(cx, &G(obj)->lvs_notify_fifo_script, st, 1);
}

static void kw_enable_script_security(struct conf_ctx *cx, const struct conf_stmt *st, void *obj)
{
	(void)cx;
	(void)st;
	G(obj)->enable_script_security = true;
}

static void kw_script_user(struct conf_ctx *cx, const struct conf_stmt *st, void *obj)
{
	conf_set_str(cx, &G(obj)->script_user, &st->w[1]);
	if (st->n > 2)
		conf_set_str(cx, &G(obj)->script_group, &st->w[2]);
}

#define IGNORE(n) { n, NULL, 0, -1, CONF_KW_ANY_BLOCK, CONF_KW_QUIET, NULL, NULL }

const struct conf_kw conf_global_kws[] = {
	{ "router_id", kw_router_id, 1, 1, CONF_KW_NO_BLOCK, 0, "a name", NULL },
	{ "lvs_timeouts", kw_lvs_timeouts, 2, 6, CONF_KW_NO_BLOCK, 0,
	  "[tcp S] [tcpfin S] [udp S]", NULL },
	{ "lvs_flush", kw_lvs_flush, 0, 0, CONF_KW_NO_BLOCK, 0, NULL, NULL },
	{ "lvs_flush_on_stop", kw_lvs_flush_on_stop, 0, 1, CONF_KW_NO_BLOCK, 0, NULL, NULL },
	{ "lvs_notify_fifo", kw_lvs_notify_fifo, 1, 3, CONF_KW_NO_BLOCK, 0,
	  "a FIFO path [user [group]]", NULL },
	{ "lvs_notify_fifo_script", kw_lvs_notify_fifo_script, 1, -1, CONF_KW_NO_BLOCK, 0,
	  "a script", NULL },
	{ "enable_script_security", kw_enable_script_security, 0, 0, CONF_KW_NO_BLOCK, 0, NULL,
	  NULL },
	{ "script_user", kw_script_user, 1, 2, CONF_KW_NO_BLOCK, 0, "a user [group]", NULL },
	/* the IPVS sync daemon is not implemented: said, not silent */
	{ "lvs_sync_daemon", NULL, 1, -1, CONF_KW_NO_BLOCK, CONF_KW_IGNORED, NULL, NULL },
	{ "lvs_sync_daemon_interface", NULL, 1, -1, CONF_KW_NO_BLOCK,
	  CONF_KW_OLD | CONF_KW_IGNORED, NULL, "lvs_sync_daemon" },
	/* keepalived.conf(5) global_defs keywords for other processes */
	IGNORE("bfd_cpu_affinity"), IGNORE("bfd_no_swap"), IGNORE("bfd_priority"),
	IGNORE("bfd_process_name"), IGNORE("bfd_rlimit_rttime"), IGNORE("bfd_rt_priority"),
	IGNORE("checker_cpu_affinity"), IGNORE("checker_log_all_failures"),
	IGNORE("checker_no_swap"), IGNORE("checker_priority"), IGNORE("checker_process_name"),
	IGNORE("checker_rlimit_rttime"), IGNORE("checker_rt_priority"),
	IGNORE("config_save_dir"), IGNORE("data_use_instance"), IGNORE("dbus_service_name"),
	IGNORE("default_interface"), IGNORE("disable_local_igmp"),
	IGNORE("dynamic_interfaces"), IGNORE("enable_dbus"), IGNORE("enable_snmp_checker"),
	IGNORE("enable_snmp_rfc"), IGNORE("enable_snmp_rfcv2"), IGNORE("enable_snmp_rfcv3"),
	IGNORE("enable_snmp_vrrp"), IGNORE("enable_snmp_keepalived"), IGNORE("enable_traps"),
	IGNORE("fifo_write_vrrp_states_on_reload"), IGNORE("include_check"),
	IGNORE("linkbeat_use_polling"), IGNORE("log_unknown_vrids"),
	IGNORE("lvs_netlink_cmd_rcv_bufs"), IGNORE("lvs_netlink_cmd_rcv_bufs_force"),
	IGNORE("lvs_netlink_monitor_rcv_bufs"), IGNORE("lvs_netlink_monitor_rcv_bufs_force"),
	IGNORE("max_auto_priority"), IGNORE("min_auto_priority_delay"), IGNORE("nftables"),
	IGNORE("nftables_counters"), IGNORE("nftables_ifindex"), IGNORE("nftables_ipvs"),
	IGNORE("nftables_ipvs_priority"), IGNORE("nftables_ipvs_start_fwmark"),
	IGNORE("nftables_priority"), IGNORE("no_checker_emails"), IGNORE("no_email_faults"),
	IGNORE("notification_email"), IGNORE("notification_email_from"),
	IGNORE("notify_fifo"), IGNORE("notify_fifo_script"),
	IGNORE("process_monitor_rcv_bufs"), IGNORE("process_monitor_rcv_bufs_force"),
	IGNORE("process_name"), IGNORE("process_names"), IGNORE("random_seed"),
	IGNORE("reload_check_config"), IGNORE("reload_file"), IGNORE("reload_repeat"),
	IGNORE("reload_time_file"), IGNORE("rs_init_notifies"), IGNORE("shutdown_script"),
	IGNORE("shutdown_script_timeout"), IGNORE("smtp_alert"), IGNORE("smtp_alert_checker"),
	IGNORE("smtp_alert_vrrp"), IGNORE("smtp_connect_timeout"), IGNORE("smtp_helo_name"),
	IGNORE("smtp_server"), IGNORE("snmp_socket"), IGNORE("startup_script"),
	IGNORE("startup_script_timeout"), IGNORE("tmp_config_directory"), IGNORE("umask"),
	IGNORE("vmac_addr_prefix"), IGNORE("vmac_prefix"), IGNORE("vrrp_check_unicast_src"),
	IGNORE("vrrp_cpu_affinity"), IGNORE("vrrp_down_timer_adverts"),
	IGNORE("vrrp_garp_extra_if"), IGNORE("vrrp_garp_interval"),
	IGNORE("vrrp_garp_lower_prio_delay"), IGNORE("vrrp_garp_lower_prio_repeat"),
	IGNORE("vrrp_garp_master_delay"), IGNORE("vrrp_garp_master_refresh"),
	IGNORE("vrrp_garp_master_refresh_repeat"), IGNORE("vrrp_garp_master_repeat"),
	IGNORE("vrrp_gna_interval"), IGNORE("vrrp_higher_prio_send_advert"),
	IGNORE("vrrp_ipsets"), IGNORE("vrrp_iptables"), IGNORE("vrrp_lower_prio_no_advert"),
	IGNORE("vrrp_mcast_group4"), IGNORE("vrrp_mcast_group6"), IGNORE("vrrp_min_garp"),
	IGNORE("vrrp_netlink_cmd_rcv_bufs"), IGNORE("vrrp_netlink_cmd_rcv_bufs_force"),
	IGNORE("vrrp_netlink_monitor_rcv_bufs"), IGNORE("vrrp_netlink_monitor_rcv_bufs_force"),
	IGNORE("vrrp_no_swap"), IGNORE("vrrp_notify_fifo"), IGNORE("vrrp_notify_fifo_script"),
	IGNORE("vrrp_notify_priority_changes"), IGNORE("vrrp_priority"),
	IGNORE("vrrp_process_name"), IGNORE("vrrp_rlimit_rttime"), IGNORE("vrrp_rt_priority"),
	IGNORE("vrrp_rx_bufs_multiplier"), IGNORE("vrrp_rx_bufs_policy"),
	IGNORE("vrrp_skip_check_adv_addr"), IGNORE("vrrp_startup_delay"),
	IGNORE("vrrp_strict"), IGNORE("vrrp_version"),
	{ NULL },
};

void conf_global_block(struct conf_ctx *cx, const struct conf_stmt *st, void *obj)
{
	static const struct conf_kw_set sets[] = { { conf_global_kws, NULL }, { NULL, NULL } };

	conf_run_block(cx, st, "global_defs", sets, obj);
}
