// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* UDP_CHECK configuration: payload HEX, require_reply [HEX] (x/X nibbles
 * match anything), min_reply_length, max_reply_length. */
#include <stdlib.h>
#include <string.h>

#include "conf_int.h"

#define UDP_MAX_PAYLOAD	1472	/* one Ethernet frame of UDP data */

static struct conf_checker *CK(void *obj)
{
	return obj;
}

static int nibble(char c, bool wild, bool *is_wild)
{
	*is_wild = false;
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (wild && (c == 'x' || c == 'X')) {
		*is_wild = true;
		return 0;
	}
	return -1;
}

/* keepalived's free hex format: each word gives bytes from its left, an
 * odd last digit is a byte of its own ("Ab12f" -> AB 12 0F). MASK (may be
 * NULL) gets 0 bits where a nibble was x. */
static bool parse_hex(struct conf_ctx *cx, const struct conf_stmt *st, bool wild,
		      uint8_t **out, uint8_t **mask_out, size_t *len)
{
	uint8_t *b = conf_calloc(cx, UDP_MAX_PAYLOAD, 1);
	uint8_t *m = conf_calloc(cx, UDP_MAX_PAYLOAD, 1);
	size_t n = 0, i, k;

	if (!b || !m)
		goto fail;
	for (i = 1; i < st->n; i++) {
		const char *s = st->w[i].s;
		size_t len_s = strlen(s);

		for (k = 0; k < len_s; k += 2) {
			bool w1, w2 = false;
			int hi = nibble(s[k], wild, &w1), lo = 0;

			if (k + 1 < len_s)
				lo = nibble(s[k + 1], wild, &w2);
			if (hi < 0 || lo < 0) {
				conf_diag_add(cx->d, CONF_ERROR, &st->w[i].pos,
					      "invalid hex string '%s' for %s", s, st->w[0].s);
				goto fail;
			}
			if (n == UDP_MAX_PAYLOAD) {
				conf_diag_add(cx->d, CONF_ERROR, &st->w[i].pos,
					      "%s longer than %d bytes", st->w[0].s, UDP_MAX_PAYLOAD);
				goto fail;
			}
			if (k + 1 < len_s) {
				b[n] = (uint8_t)(hi << 4 | lo);
				m[n] = (uint8_t)((w1 ? 0 : 0xf0) | (w2 ? 0 : 0x0f));
			} else {
				b[n] = (uint8_t)hi;
				m[n] = w1 ? 0 : 0x0f;
			}
			n++;
		}
	}
	free(*out);
	*out = b;
	if (mask_out) {
		free(*mask_out);
		*mask_out = m;
	} else {
		free(m);
	}
	*len = n;
	return true;
fail:
	free(b);
	free(m);
	return false;
}

static void kw_payload(struct conf_ctx *cx, const struct conf_stmt *st, void *obj)
{
	struct conf_check_udp *u = &CK(obj)->udp;

	parse_hex(cx, st, false, &u->payload, NULL, &u->payload_len);
}

static void kw_require_reply(struct conf_ctx *cx, const struct conf_stmt *st, void *obj)
{
	struct conf_check_udp *u = &CK(obj)->udp;

	u->require_reply = true;
	if (st->n > 1)
		parse_hex(cx, st, true, &u->reply, &u->reply_mask, &u->reply_len);
}

static void kw_reply_length(struct conf_ctx *cx, const struct conf_stmt *st, void *obj)
{
	struct conf_check_udp *u = &CK(obj)->udp;
	uint64_t v;

	if (!conf_get_uint(cx, &st->w[1], 0, 65535, st->w[0].s, &v))
		return;
	if (!strcmp(st->w[0].s, "min_reply_length"))
		u->min_reply_length = (uint32_t)v;
	else
		u->max_reply_length = (uint32_t)v;
}

static const struct conf_kw udp_kws[] = {
	{ "payload", kw_payload, 1, -1, CONF_KW_NO_BLOCK, 0, "a hex string", NULL },
	{ "require_reply", kw_require_reply, 0, -1, CONF_KW_NO_BLOCK, 0, NULL, NULL },
	{ "min_reply_length", kw_reply_length, 1, 1, CONF_KW_NO_BLOCK, 0, "a length", NULL },
	{ "max_reply_length", kw_reply_length, 1, 1, CONF_KW_NO_BLOCK, 0, "a length", NULL },
	{ NULL },
};

static void udp_init(struct conf_checker *ck)
{
	ck->udp.max_reply_length = 255;
}

static void udp_finish(struct conf_ctx *cx, struct conf_checker *ck)
{
	if (ck->udp.min_reply_length > ck->udp.max_reply_length)
		conf_diag_add(cx->d, CONF_ERROR, &ck->pos,
			      "UDP_CHECK min_reply_length %u is above max_reply_length %u",
			      ck->udp.min_reply_length, ck->udp.max_reply_length);
}

const struct conf_check_type conf_check_udp = {
	.kind = CONF_CHECK_UDP,
	.name = "UDP_CHECK",
	.kws = udp_kws,
	.common_kws = true,
	.default_retry = 1,
	.init = udp_init,
	.finish = udp_finish,
};
