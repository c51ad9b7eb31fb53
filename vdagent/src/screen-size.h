/* screen-size.h - the size and layout of the guest's screens when no session
 * agent has told vdagentd (at the greeter): read from the kernel's DRM
 * outputs.
 *
 * Copyright (C) 2026 The spice-sso authors
 *
 * This program is free software: you can redistribute it and/or modify
 * it under the terms of the GNU General Public License as published by
 * the Free Software Foundation, either version 3 of the License, or
 * (at your option) any later version.
 */
#ifndef VDAGENTD_SCREEN_SIZE_H
#define VDAGENTD_SCREEN_SIZE_H

#include <glib.h>

#include "vdagentd-proto.h"

G_BEGIN_DECLS

/* The screens as the CRTCs of the first DRM card with an active one show
 * them (display ids 0, 1, ... in CRTC order), and the size of the area they
 * cover. With no DRM device or no active output, one 1024x768 screen.
 * The array is static: it stays valid until the next call. Returns the
 * number of screens (at least 1). */
int vdagentd_screen_size_query(struct vdagentd_guest_xorg_resolution **screens,
                               int *width, int *height);

G_END_DECLS

#endif
