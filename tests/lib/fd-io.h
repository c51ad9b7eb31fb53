/* fd-io.h - whole reads and writes on a descriptor, for the test programs.
 *
 * Copyright (C) 2026 The spice-sso authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef SPICE_SSO_FD_IO_H
#define SPICE_SSO_FD_IO_H

#include <stdbool.h>
#include <stddef.h>

/* Write all @len bytes of @buf to @fd (retrying on EINTR). False on an
 * error or a write of nothing. */
bool fdio_write_all(int fd, const void *buf, size_t len);

/* Read exactly @len bytes into @buf (retrying on EINTR). False on an
 * error or end of file before @len bytes. */
bool fdio_read_exact(int fd, void *buf, size_t len);

#endif
