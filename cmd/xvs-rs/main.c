// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* xvs-rs: prepares a network namespace to be a real server of an xvs director. */
#include "rs.h"

int main(int argc, char **argv)
{
	return rs_main(argc, argv);
}
