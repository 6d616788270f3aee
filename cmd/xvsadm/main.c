// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* xvsadm: ipvsadm(8) for the xvs data plane. The work is in run.c. */
#include "xvsadm.h"

int main(int argc, char **argv)
{
	return xvsadm_main(argc, argv);
}
