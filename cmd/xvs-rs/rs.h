/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* xvs-rs internals: the command line, the record of what `up` changed in a
 * network namespace (so that `down` undoes exactly that), and the pieces that
 * make the changes: sysctls, the VIP on lo, interfaces, the BPF decapsulator
 * (tun) and the TOA reader (fullnat).
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
#include "xvs/toa_abi.h"

/* Exit statuses. */
#define RS_EXIT_OK	0
#define RS_EXIT_FAIL	1	/* could not do it (state, kernel, conflicts) */
#define RS_EXIT_USAGE	2	/* bad command line: nothing was changed */

/* Where the tc filter sits: fixed so that down/status find it again. */
#define RS_TC_HANDLE	0x5253		/* "RS" */
#define RS_TC_PRIORITY	0x5253
#define RS_TOA_TC_HANDLE	0x544f	/* "TO" */
#define RS_TOA_TC_PRIORITY	0x544f

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
	RS_CH_TOA_TC,		/* as RS_CH_TC, for the TOA reader */
	RS_CH_TOA_XDP,		/* as RS_CH_XDP, for the TOA reader */
	RS_CH_CGROUP,		/* name: cgroup hook (rs_cgroup_hook_name); prog_id attached */
	RS_CH_MAX,
};

struct rs_change {
	enum rs_change_kind kind;
	char name[RS_SYSCTL_LEN];
	int ifindex;
	int old;
	uint32_t prog_id;	/* RS_CH_CGROUP */
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
/* out[k] = the sum over CPUs of key k of a per-CPU array of u64 counters,
 * for k < nkeys; a key that cannot be read counts 0. */
int rs_percpu_sums(int map_fd, uint32_t nkeys, uint64_t out[]);

/* ---- netlink (nl.c) ---- */

int rs_nl_addr_present(int ifindex, uint32_t addr, bool *present);
int rs_nl_addr_add(int ifindex, uint32_t addr);		/* addr/32 */
int rs_nl_addr_del(int ifindex, uint32_t addr);
/* True when the kernel can make IPIP tunnels (creates and removes a probe). */
bool rs_nl_ipip_supported(void);
/* Number of tc filters under the clsact ingress and egress of ifindex. */
int rs_nl_tc_filter_count(int ifindex, size_t *n);

/* ---- ingress programs on interfaces (ingress.c) ---- */

/* One of our packet programs: its tc slot and its names per hook. */
struct rs_ingress {
	const char *what;		/* "decapsulator", "TOA reader": for messages */
	const char *label;		/* "decap", "toa": for status lines */
	const char *tc_name, *xdp_name;	/* bpf_prog_info.name */
	uint32_t tc_handle, tc_prio;
};

extern const struct rs_ingress rs_ingress_decap, rs_ingress_toa;

/* The program and hook an attachment record stands for; NULL if kind is
 * no ingress attachment. */
const struct rs_ingress *rs_change_ingress(enum rs_change_kind kind, enum rs_hook *hook);
/* The record kind for attaching in at hook (RS_CH_MAX if none). */
enum rs_change_kind rs_ingress_change_kind(const struct rs_ingress *in, enum rs_hook hook);
/* Id of the program at in's slot (tc: its handle/priority; xdp: any mode),
 * 0 if the slot is empty; *ours tells whether it is in's program. */
int rs_ingress_slot(const struct rs_ingress *in, enum rs_hook hook, int ifindex,
		    uint32_t *prog_id, bool *ours);
/* Attaches prog_fd at in's slot, never replacing anything. */
int rs_ingress_attach(const struct rs_ingress *in, enum rs_hook hook, int ifindex, int prog_fd,
		      bool *created_clsact);
/* Detaches in's program from ifindex (only ours); removes clsact when we
 * created it and nothing else uses it. -ENOENT when it was not there. */
int rs_ingress_detach(const struct rs_ingress *in, enum rs_hook hook, int ifindex,
		      bool created_clsact);
bool rs_prog_fd_is(int prog_fd, const char *name);
bool rs_prog_id_is(uint32_t prog_id, const char *name);
/* Opens the maps called names[] among those prog_fd uses into fds[];
 * -ENOENT (nothing left open) unless all are found. */
int rs_prog_maps(int prog_fd, const char *const *names, int *fds, size_t n);

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

int rs_decap_vip_add(const struct rs_decap *d, uint32_t addr);
int rs_decap_vip_del(const struct rs_decap *d, uint32_t addr);
int rs_decap_vips(const struct rs_decap *d, uint32_t *out, size_t max, size_t *n);
int rs_decap_counters(const struct rs_decap *d, uint64_t out[XVS_RS_CNT_MAX]);
extern const char *const rs_counter_names[XVS_RS_CNT_MAX];

/* ---- the TOA reader (toa.c) ---- */

/* Where the cgroup programs hook in. */
enum rs_cgroup_hook { RS_CG_PEER4, RS_CG_PEER6, RS_CG_SOCKOPS, RS_CG_MAX };

struct xvs_toa;

struct rs_toa {
	struct xvs_toa *skel;	/* set when loaded by this process */
	int ingress_fd;		/* the packet program for the chosen hook */
	int cg_fds[RS_CG_MAX];	/* the cgroup programs (only when loaded here) */
	int conns_fd;
	int counts_fd;
};

#define RS_TOA_INIT { .skel = NULL, .ingress_fd = -1, \
		      .cg_fds = { -1, -1, -1 }, .conns_fd = -1, .counts_fd = -1 }

extern const char *const rs_toa_counter_names[];
const char *rs_cgroup_hook_name(enum rs_cgroup_hook h);
int rs_cgroup_hook_parse(const char *s, enum rs_cgroup_hook *out);

/* Loads a fresh TOA reader serving the network namespace with this cookie;
 * the packet program for hook is t->ingress_fd. */
int rs_toa_load(struct rs_toa *t, enum rs_hook hook, uint64_t netns_cookie);
/* Finds the maps (and, with a recorded ingress attachment, the packet
 * program) of the reader that st records; -ENOENT when it is gone. */
int rs_toa_open_from_state(struct rs_toa *t, const struct rs_state *st);
void rs_toa_close(struct rs_toa *t);
int rs_toa_counters(const struct rs_toa *t, uint64_t out[]);
/* Number of connections in the map (at most max counted); calls show (when
 * not NULL) for each of the first max_shown. */
int rs_toa_entries(const struct rs_toa *t, size_t max, size_t *n, size_t max_shown,
		   void (*show)(const struct xvs_toa_key *k, const struct xvs_toa_client *c));

/* An fd of the root of the caller's cgroup v2 hierarchy, from a detached
 * mount (fsmount): nothing appears in, or must be removed from, any mount
 * namespace, whether or not /sys/fs/cgroup is visible. */
int rs_cgroup_root_open(void);
/* Attaches the loaded program for h (BPF_F_ALLOW_MULTI: other programs
 * stay); *prog_id names it for the record. */
int rs_toa_cgroup_attach(const struct rs_toa *t, int cg_fd, enum rs_cgroup_hook h,
			 uint32_t *prog_id);
/* Detaches program prog_id from h if it is attached and is ours; -ENOENT
 * when it is not there. */
int rs_toa_cgroup_detach(int cg_fd, enum rs_cgroup_hook h, uint32_t prog_id);
/* Whether prog_id is attached at h. */
int rs_toa_cgroup_attached(int cg_fd, enum rs_cgroup_hook h, uint32_t prog_id, bool *attached);
/* Detaches TOA cgroup programs whose packet program no longer exists (their
 * namespace died without `down`); *n_removed counts them. */
int rs_toa_cgroup_gc(int cg_fd, size_t *n_removed);

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
