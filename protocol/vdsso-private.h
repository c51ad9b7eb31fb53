/* vdsso-private.h - byte-order helpers shared by the protocol sources.
 *
 * Copyright (C) 2026 The spice-sso authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef VDSSO_PRIVATE_H
#define VDSSO_PRIVATE_H

#include <stdint.h>

static inline uint32_t vdsso_get_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint16_t vdsso_get_le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static inline void vdsso_put_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static inline void vdsso_put_le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static inline void vdsso_put_le64(uint8_t *p, uint64_t v)
{
    vdsso_put_le32(p, (uint32_t)v);
    vdsso_put_le32(p + 4, (uint32_t)(v >> 32));
}

#endif
