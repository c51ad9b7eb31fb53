/* screen-size.c - screens from DRM, see screen-size.h
 *
 * Copyright (C) 2026 The spice-sso authors
 *
 * This program is free software: you can redistribute it and/or modify
 * it under the terms of the GNU General Public License as published by
 * the Free Software Foundation, either version 3 of the License, or
 * (at your option) any later version.
 *
 * Reading the mode of a CRTC needs neither DRM master nor a display server:
 * any process that may open the card node may ask. The outputs of a virtual
 * GPU (QXL, virtio-gpu) correspond in order to the SPICE client's displays.
 */
#include <config.h>

#include "screen-size.h"

#include <fcntl.h>
#include <stdio.h>
#include <syslog.h>
#include <unistd.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#define MAX_CARDS 8
#define MAX_SCREENS 16
#define FALLBACK_WIDTH 1024
#define FALLBACK_HEIGHT 768

static struct vdagentd_guest_xorg_resolution screens[MAX_SCREENS];

static int query_card(int fd, int *width, int *height)
{
    drmModeResPtr res = drmModeGetResources(fd);
    int i, n = 0;

    if (res == NULL) {
        return 0;
    }
    *width = *height = 0;
    for (i = 0; i < res->count_crtcs && n < MAX_SCREENS; i++) {
        drmModeCrtcPtr crtc = drmModeGetCrtc(fd, res->crtcs[i]);

        if (crtc == NULL) {
            continue;
        }
        if (crtc->mode_valid && crtc->buffer_id != 0 &&
            crtc->mode.hdisplay > 0 && crtc->mode.vdisplay > 0) {
            screens[n].width = crtc->mode.hdisplay;
            screens[n].height = crtc->mode.vdisplay;
            screens[n].x = (int) crtc->x;
            screens[n].y = (int) crtc->y;
            screens[n].display_id = n;
            *width = MAX(*width, screens[n].x + screens[n].width);
            *height = MAX(*height, screens[n].y + screens[n].height);
            n++;
        }
        drmModeFreeCrtc(crtc);
    }
    drmModeFreeResources(res);
    return n;
}

int vdagentd_screen_size_query(struct vdagentd_guest_xorg_resolution **out,
                               int *width, int *height)
{
    char path[32];
    int card, n = 0;

    for (card = 0; card < MAX_CARDS && n == 0; card++) {
        int fd;

        snprintf(path, sizeof(path), DRM_DEV_NAME, DRM_DIR_NAME, card);
        fd = open(path, O_RDWR | O_CLOEXEC);
        if (fd < 0) {
            continue;
        }
        n = query_card(fd, width, height);
        close(fd);
    }
    /* say it when it changes, not at every query */
    static int last_n = -1, last_width, last_height;
    gboolean changed;

    if (n == 0) {
        screens[0].width = FALLBACK_WIDTH;
        screens[0].height = FALLBACK_HEIGHT;
        screens[0].x = screens[0].y = 0;
        screens[0].display_id = 0;
        *width = FALLBACK_WIDTH;
        *height = FALLBACK_HEIGHT;
    }
    changed = n != last_n || *width != last_width || *height != last_height;
    last_n = n;
    last_width = *width;
    last_height = *height;
    if (changed && n == 0) {
        syslog(LOG_INFO, "no active DRM output: the tablet covers %dx%d until a session"
               " agent reports the resolution", FALLBACK_WIDTH, FALLBACK_HEIGHT);
    } else if (changed) {
        syslog(LOG_INFO, "DRM outputs: %d screen(s) covering %dx%d", n, *width, *height);
    }
    *out = screens;
    return n == 0 ? 1 : n;
}
