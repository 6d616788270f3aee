// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* libxvs error codes -> the message ipvsadm prints for the same failure of
 * the same operation (libipvs's ipvs_strerror table). libxvs follows the
 * kernel's codes (-ESRCH no such service, -ENOENT no such destination or
 * scheduler); an -ENOENT is also read the way xvs.h documents it (no such
 * service) by asking whether the service exists. */
#include <errno.h>

#include "xvsadm.h"

#define STR_(x) #x
#define STR(x) STR_(x)

/* svc: the dest operations' -ENOENT was about the service (true) or the
 * real server (false); ANY_SVC: either. */
enum svc_state { ANY_SVC, SVC_MISSING, SVC_PRESENT };

static const struct {
	enum xvsadm_cmd cmd;		/* XVSADM_CMD_NONE: every command */
	int err;			/* positive errno */
	enum svc_state svc;
	const char *msg;
} op_errors[] = {
	{ XVSADM_CMD_ADD, EEXIST, ANY_SVC, "Service already exists" },
	{ XVSADM_CMD_ADD, ENOENT, ANY_SVC, "Scheduler or persistence engine not found" },
	{ XVSADM_CMD_ADD, ESRCH, ANY_SVC, "Scheduler or persistence engine not found" },
	{ XVSADM_CMD_EDIT, ESRCH, ANY_SVC, "No such service" },
	{ XVSADM_CMD_EDIT, ENOENT, SVC_MISSING, "No such service" },
	{ XVSADM_CMD_EDIT, ENOENT, SVC_PRESENT, "Scheduler or persistence engine not found" },
	{ XVSADM_CMD_DEL, ESRCH, ANY_SVC, "No such service" },
	{ XVSADM_CMD_DEL, ENOENT, ANY_SVC, "No such service" },
	{ XVSADM_CMD_ZERO, ESRCH, ANY_SVC, "No such service" },
	{ XVSADM_CMD_ZERO, ENOENT, ANY_SVC, "No such service" },
	{ XVSADM_CMD_LIST, ESRCH, ANY_SVC, "No such service" },
	{ XVSADM_CMD_LIST, ENOENT, ANY_SVC, "No such service" },
	{ XVSADM_CMD_ADDDEST, ESRCH, ANY_SVC, "Service not defined" },
	{ XVSADM_CMD_ADDDEST, ENOENT, ANY_SVC, "Service not defined" },
	{ XVSADM_CMD_ADDDEST, EEXIST, ANY_SVC, "Destination already exists" },
	{ XVSADM_CMD_EDITDEST, ESRCH, ANY_SVC, "Service not defined" },
	{ XVSADM_CMD_EDITDEST, ENOENT, SVC_MISSING, "Service not defined" },
	{ XVSADM_CMD_EDITDEST, ENOENT, SVC_PRESENT, "No such destination" },
	{ XVSADM_CMD_DELDEST, ESRCH, ANY_SVC, "Service not defined" },
	{ XVSADM_CMD_DELDEST, ENOENT, SVC_MISSING, "Service not defined" },
	{ XVSADM_CMD_DELDEST, ENOENT, SVC_PRESENT, "No such destination" },
	/* the kernel's -ERANGE: ipvsadm prints strerror() */
	{ XVSADM_CMD_ADDDEST, ERANGE, ANY_SVC, "Numerical result out of range" },
	{ XVSADM_CMD_EDITDEST, ERANGE, ANY_SVC, "Numerical result out of range" },
	{ XVSADM_CMD_ADDMARK, EEXIST, ANY_SVC, "xvsadm: a mark rule with that match already exists" },
	{ XVSADM_CMD_ADDMARK, ENOSPC, ANY_SVC,
	  "xvsadm: too many mark rules (at most " STR(XVS_MARK_RULES_MAX) ", and "
	  STR(XVS_MARK_SET_MAX) " for one address)" },
	{ XVSADM_CMD_ADDMARK, EINVAL, ANY_SVC, "xvsadm: illegal mark rule" },
	{ XVSADM_CMD_DELMARK, ENOENT, ANY_SVC, "xvsadm: no such mark rule" },
	{ XVSADM_CMD_DELMARK, EINVAL, ANY_SVC, "xvsadm: illegal mark rule" },
	/* local addresses: a part of a service, like its real servers */
	{ XVSADM_CMD_ADDLADDR, ESRCH, ANY_SVC, "Service not defined" },
	{ XVSADM_CMD_ADDLADDR, EEXIST, ANY_SVC, "Local address already exists" },
	{ XVSADM_CMD_ADDLADDR, ENOSPC, ANY_SVC,
	  "Too many local addresses (at most " STR(XVS_LADDR_MAX) " per service)" },
	{ XVSADM_CMD_ADDLADDR, ENODEV, ANY_SVC, "No such interface" },
	{ XVSADM_CMD_ADDLADDR, EINVAL, ANY_SVC, "illegal local address" },
	{ XVSADM_CMD_DELLADDR, ESRCH, ANY_SVC, "Service not defined" },
	{ XVSADM_CMD_DELLADDR, ENOENT, ANY_SVC, "No such local address" },
	{ XVSADM_CMD_GETLADDR, ESRCH, ANY_SVC, "No such service" },
	{ XVSADM_CMD_GETLADDR, ENOENT, ANY_SVC, "No such service" },
	{ XVSADM_CMD_LPORT_RANGE, EINVAL, ANY_SVC, "xvsadm: invalid local port range" },
	{ XVSADM_CMD_NONE, EPERM, ANY_SVC, "Permission denied (you must be root)" },
	{ XVSADM_CMD_NONE, EACCES, ANY_SVC, "Permission denied (you must be root)" },
	{ XVSADM_CMD_NONE, ENOMEM, ANY_SVC, "Memory allocation problem" },
};

const char *xvsadm_op_strerror(enum xvsadm_cmd cmd, int err, bool svc_exists)
{
	int e = err < 0 ? -err : err;
	enum svc_state have = svc_exists ? SVC_PRESENT : SVC_MISSING;

	for (size_t i = 0; i < sizeof(op_errors) / sizeof(op_errors[0]); i++) {
		if (op_errors[i].err != e)
			continue;
		if (op_errors[i].cmd != XVSADM_CMD_NONE && op_errors[i].cmd != cmd)
			continue;
		if (op_errors[i].svc != ANY_SVC && op_errors[i].svc != have)
			continue;
		return op_errors[i].msg;
	}
	return xvs_strerror(-e);
}

const char *xvsadm_op_message(char *buf, size_t len, const struct xvsadm_cmdline *cl, int err,
			      bool svc_exists)
{
	const char *msg = xvsadm_op_strerror(cl->cmd, err, svc_exists);

	/* which interface is missing: -F's */
	if (err == -ENODEV && cl->laddr.ifname[0]) {
		snprintf(buf, len, "%s `%s'", msg, cl->laddr.ifname);
		return buf;
	}
	return msg;
}
