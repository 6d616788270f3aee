/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* xvs-rs internals: the command line, the record of what `up` changed in a
 * network namespace (so that `down` undoes exactly that), and the pieces that
 * make the changes: sysctls, the VIP on lo, interfaces, the BPF decapsulator.
 * Functions return 0 or a negative errno and do not print, except the
 * command entry points (rs_cmd_*) and rs_err(), which report to the user.
 */
#ifndef XVS_RS_H
#define XVS_RS_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xvs/rs_abi.h"

/* Exit statuses. */
#define RS_EXIT_OK	0
#define RS_EXIT_FAIL	1	/* could not do it (state, kernel, conflicts) */
#define RS_EXIT_USAGE	2	/* bad command line: nothing was changed */

/* Where the tc filter sits: fixed so that down/status find it again. */
#define RS_TC_HANDLE	0x5253		/* "RS" */
#define RS_TC_PRIORITY	0x5253

#define RS_MAX_IFACES	64
#define RS_MAX_CHANGES	(8 + 2 * RS_MAX_IFACES + 8)
#define RS_SYSCTL_LEN	96

enum rs_cmd { RS_CMD_UP, RS_CMD_DOWN, RS_CMD_STATUS, RS_CMD_HELP, RS_CMD_MAX };

/* Forwarding methods, named as the director's --mode. */
enum rs_mode { RS_MODE_DR, RS_MODE_TUN, RS_MODE_NAT, RS_MODE_FULLNAT, RS_MODE_MAX };

/* How tunnelled packets are unwrapped (tun mode). */
enum rs_hook {
	RS_HOOK_TC,		/* our program, tc clsact ingress */
	RS_HOOK_XDP,		/* our program, native XDP */
	RS_HOOK_KERNEL,		/* the kernel's tunl0 (ipip module present) */
	RS_HOOK_NONE,		/* dr: nothing to unwrap */
	RS_HOOK_MAX,
};

const char *rs_mode_name(enum rs_mode m);
const char *rs_hook_name(enum rs_hook h);
int rs_mode_parse(const char *s, enum rs_mode *out);
int rs_hook_parse(const char *s, enum rs_hook *out);

/* ---- command line (cli.c) ---- */

struct rs_opts {
	enum rs_cmd cmd;
	enum rs_mode mode;
	bool mode_given;
	uint32_t vips[XVS_RS_MAX_VIPS];		/* network order, no duplicates */
	size_t n_vips;
	char ifaces[RS_MAX_IFACES][IF_NAMESIZE];
	size_t n_ifaces;
	enum rs_hook hook;
	bool hook_given;
};

/* Parses argv into opts. On error writes a one-line reason into err and
 * returns -EINVAL; checks only syntax and legality, not the system. */
int rs_opts_parse(struct rs_opts *opts, int argc, char **argv, char *err, size_t errlen);

/* Parses one dotted-quad VIP usable as a service address. */
int rs_vip_parse(const char *s, uint32_t *out, char *err, size_t errlen);

int rs_main(int argc, char **argv);
void rs_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void rs_usage(void);

/* ---- the record of changes (state.c) ---- */

enum rs_change_kind {
	RS_CH_SYSCTL,		/* name: path under /proc/sys; old: value before */
	RS_CH_LINK_UP,		/* name: interface that was down and was set up */
	RS_CH_TC,		/* name/ifindex: filter attached; old: 1 if we created clsact */
	RS_CH_XDP,		/* name/ifindex: native XDP program attached */
	RS_CH_MAX,
};

struct rs_change {
	enum rs_change_kind kind;
	char name[RS_SYSCTL_LEN];
	int ifindex;
	int old;
};

struct rs_vip {
	uint32_t addr;		/* network order */
	bool added;		/* up put it on lo (it was not there) */
};

struct rs_state {
	uint64_t netns_cookie;	/* SO_NETNS_COOKIE: never reused, unlike inodes */
	enum rs_mode mode;
	enum rs_hook hook;
	struct rs_vip vips[XVS_RS_MAX_VIPS];
	size_t n_vips;
	struct rs_change changes[RS_MAX_CHANGES];
	size_t n_changes;
};

/* /run/xvs/rs-DEV:INO.state for the calling process's network namespace. */
int rs_state_path(char *buf, size_t len);
/* 0 and *st filled; -ENOENT when this namespace has no record (a record
 * left by a deleted namespace whose inode was reused counts as none). */
int rs_state_load(struct rs_state *st);
/* Writes the record atomically (temporary file + rename). */
int rs_state_save(const struct rs_state *st);
int rs_state_remove(void);
/* Serialises xvs-rs runs (all namespaces): held until the process exits. */
int rs_state_lock(void);

struct rs_vip *rs_state_vip(struct rs_state *st, uint32_t addr);
struct rs_change *rs_state_change(struct rs_state *st, enum rs_change_kind kind,
				  const char *name);
int rs_state_add_change(struct rs_state *st, const struct rs_change *c);

/* ---- system (sys.c) ---- */

int rs_netns_id(uint64_t *dev, uint64_t *ino);
int rs_netns_cookie(uint64_t *cookie);
int rs_sysctl_get(const char *path, int *val);
int rs_sysctl_set(const char *path, int val);
/* net/ipv4/conf/IFACE/KEY */
void rs_sysctl_conf(char *buf, size_t len, const char *iface, const char *key);
int rs_link_flags(const char *ifname, unsigned int *flags);
int rs_link_set_up(const char *ifname, bool up);
/* Names of every UP, non-loopback interface. */
int rs_links_up(char names[][IF_NAMESIZE], size_t max, size_t *n);

/* ---- netlink (nl.c) ---- */

int rs_nl_addr_present(int ifindex, uint32_t addr, bool *present);
int rs_nl_addr_add(int ifindex, uint32_t addr);		/* addr/32 */
int rs_nl_addr_del(int ifindex, uint32_t addr);
/* True when the kernel can make IPIP tunnels (creates and removes a probe). */
bool rs_nl_ipip_supported(void);
/* Number of tc filters under the clsact ingress and egress of ifindex. */
int rs_nl_tc_filter_count(int ifindex, size_t *n);

/* ---- the BPF decapsulator (decap.c) ---- */

struct xvs_rs;

struct rs_decap {
	struct xvs_rs *skel;	/* set when loaded by this process */
	int prog_fd;		/* the program to attach */
	int vips_fd;
	int counters_fd;
};

#define RS_DECAP_INIT { .skel = NULL, .prog_fd = -1, .vips_fd = -1, .counters_fd = -1 }

/* Loads a fresh decapsulator; the program for hook is d->prog_fd. */
int rs_decap_load(struct rs_decap *d, enum rs_hook hook);
/* Finds the decapsulator attached at hook on ifindex: its program and maps.
 * -ENOENT when none of ours is attached there. */
int rs_decap_open_attached(struct rs_decap *d, enum rs_hook hook, int ifindex);
void rs_decap_close(struct rs_decap *d);

/* Id of the program at our slot (tc: our handle/priority; xdp: any mode), 0
 * if the slot is empty; *ours tells whether it is the decapsulator. */
int rs_decap_slot(enum rs_hook hook, int ifindex, uint32_t *prog_id, bool *ours);
int rs_decap_attach(const struct rs_decap *d, enum rs_hook hook, int ifindex,
		    bool *created_clsact);
/* Detaches our program from ifindex (only ours); removes clsact when we
 * created it and nothing else uses it. -ENOENT when it was not there. */
int rs_decap_detach(enum rs_hook hook, int ifindex, bool created_clsact);

int rs_decap_vip_add(const struct rs_decap *d, uint32_t addr);
int rs_decap_vip_del(const struct rs_decap *d, uint32_t addr);
int rs_decap_vips(const struct rs_decap *d, uint32_t *out, size_t max, size_t *n);
int rs_decap_counters(const struct rs_decap *d, uint64_t out[XVS_RS_CNT_MAX]);
extern const char *const rs_counter_names[XVS_RS_CNT_MAX];

/* ---- changes (change.c): apply one, undo one ---- */

/* Sets a sysctl to want; records the old value unless an earlier up did. */
int rs_ensure_sysctl(struct rs_state *st, const char *path, int want);
/* Sets a sysctl to 0 if it is 1 (strict reverse-path filter). */
int rs_relax_rp_filter(struct rs_state *st, const char *iface);
int rs_ensure_link_up(struct rs_state *st, const char *ifname);
int rs_change_undo(const struct rs_change *c);
/* Undoes st->changes[from..] newest first; returns the first error. */
int rs_changes_undo(struct rs_state *st, size_t from);

/* ---- commands ---- */

int rs_cmd_up(const struct rs_opts *o);
int rs_cmd_down(const struct rs_opts *o);
int rs_cmd_status(const struct rs_opts *o);
/* Opens the decapsulator through the first interface st says carries it. */
int rs_decap_open_from_state(struct rs_decap *d, const struct rs_state *st);

#endif /* XVS_RS_H */
